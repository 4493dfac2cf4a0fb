"""The interactive HTML view of a kg graph: who dealt with whom, with sources.

The RDF graph (see DESIGN.md, "The RDF contract") becomes a networkx
``MultiDiGraph`` (:mod:`kg.html_graph`): one node per actor or place, one
edge per relation triple, laid out by :mod:`kg.html_layout`; each edge's
evidence is read edge by edge and spooled into the page's data
(:mod:`kg.html_data`), never held for the whole graph. :func:`render_html`
writes ONE self-contained HTML file drawn by vis-network, whose JavaScript
and CSS are inlined from the copy that ships inside the pyvis package, so the
page works from ``file://`` with no network at all.

The page:

* encodes entity type as node shape and colour, degree as node size,
  relation family as edge colour, direction as an arrow (none on symmetric
  relations), and the number of evidence sentences as ``×N`` and line width;
* opens a side panel on a click: an edge's evidence sentences with the entity
  names (and the speaker) marked, each with its document (title, publisher,
  date), speaker and modality; a node's relations; a document's relations;
* filters by relation family and relation, actor name or alias, document and
  claim modality, and switches between the network layout and a map (places
  at their coordinates, others near the places they relate to);
* is interactive at once: both layouts are computed here (deterministic,
  seeded) and vis-network's physics stays off until the user asks for it.
  A 2,000-node graph is drawn in about 2 s (``benchmarks/bench_html.py``).

Article text is hostile input. Every piece of data goes into the page as a
single JSON blob inside ``<script type="application/json">`` with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped, or through Jinja's autoescaping (the
document menu, the filters); the page's own script builds the panel with
``textContent`` only, tooltips are plain strings (vis-network shows them with
``innerText``), and a Content-Security-Policy allows no network access and
only the two inline scripts of the page (by hash).

>>> import rdflib
>>> g = rdflib.Graph().parse(format="turtle", data='''
... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
... @base <https://w3id.org/kg-conflict/id/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <entity/sdf> a kgo:ArmedGroup ; rdfs:label "SDF" .
... <entity/raqqa> a kgo:Place ; rdfs:label "Raqqa" .
... <entity/sdf> kgo:captured <entity/raqqa> .
... ''')
>>> nxg = graph_to_networkx(g)
>>> sorted(nxg.nodes[n]["label"] for n in nxg)
['Raqqa', 'SDF']
"""
from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from kg.errors import DataFileError
from kg.html_data import _page_data, _plural
from kg.html_graph import graph_to_networkx
from kg.html_layout import _geo_layout, _network_layout, node_display
from kg.rdf import write_atomic

if TYPE_CHECKING:  # pragma: no cover - typing only
    import rdflib

__all__ = ["graph_to_networkx", "node_display", "render_html"]
# the layouts, for the tests that call them by this module's name
_LAYOUTS = (_geo_layout, _network_layout)

_VIS_DIR = ("lib", "vis-9.1.2")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _vis_assets() -> tuple[str, str]:
    import importlib.util

    # Found, not imported: importing pyvis imports IPython (half a second) for nothing.
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise DataFileError("the HTML graph needs the pyvis package (its copy of vis-network): pip install pyvis")
    folder = Path(list(spec.submodule_search_locations)[0]).resolve().joinpath(*_VIS_DIR)
    try:
        js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"vis-network is missing from the pyvis package ({folder}): {exc}") from None
    if "</script" in js.lower() or "</style" in css.lower():
        raise DataFileError(f"{folder}: vis-network cannot be inlined safely")
    return js, css


_STATIC = Path(__file__).resolve().parent / "static"


@functools.lru_cache(maxsize=None)
def _static(name: str, *, template: bool = False) -> str:
    """A script or style sheet of ``kg/static``, checked to be safe to inline
    (or, with ``template``, the page's Jinja template)."""
    try:
        text = (_STATIC / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"kg/static/{name} is missing: {exc.strerror or exc}") from None
    if not template and ("</script" in text.lower() or "</style" in text.lower()):
        raise DataFileError(f"kg/static/{name} cannot be inlined safely")
    return text


def _build_page(graph: rdflib.Graph, title: str, spool: IO[str]) -> tuple[Iterator[str], dict[str, int]]:
    """The page in pieces (:mod:`kg.html_stream`), and the counts of nodes and edges;
    the edges with their evidence pass through ``spool`` (an empty temporary file)."""
    from markupsafe import Markup

    from kg.html_stream import Members, render_chunks, script_json_chunks

    page = _page_data(graph, spool)
    spool.seek(0)
    page["blob"]["relations"] = Members(iter(lambda: spool.read(1 << 16), ""))
    counts = page["counts"]
    summary = ", ".join((
        _plural(counts["nodes"], "entity"),
        _plural(counts["edges"], "relation"),
        _plural(len(page["documents"]), "document"),
    ))
    vis_js, vis_css = _vis_assets()
    app_js, app_css = _static("graph.js"), _static("graph.css")
    timeline_js, timeline_css = _static("timeline.js"), _static("timeline.css")
    chunks = render_chunks(
        _static("graph.html", template=True), script_json_chunks(page.pop("blob")),
        title=title,
        summary=summary,
        families=page["families"],
        types=page["types"],
        modalities=page["modalities"],
        documents=page["documents"],
        geo=page["geo"],
        place_too=page["place_too"],
        csp=Markup(f"default-src 'none'; script-src {_csp_hash(vis_js)} {_csp_hash(app_js)} "
                   f"{_csp_hash(timeline_js)}; "
                   "style-src 'unsafe-inline'; img-src data:; font-src data:; "
                   "base-uri 'none'; form-action 'none'"),
        vis_css=Markup(vis_css),
        app_css=Markup(app_css),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        timeline_js=Markup(timeline_js),
        timeline_css=Markup(timeline_css),
    )
    return chunks, dict(counts)


def render_html(graph: rdflib.Graph, path: Path, *,
                title: str = "kg \u2014 who dealt with whom") -> dict[str, int]:
    """Write the interactive graph as one self-contained HTML file.

    The file is written atomically (temporary file, fsync, rename); the same
    graph always gives byte-identical output. Returns the counts of nodes and
    edges drawn. Raises :class:`kg.errors.OutputError` if ``path`` cannot be
    written.

    >>> import rdflib, tempfile
    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
    ... @base <https://w3id.org/kg-conflict/id/> .
    ... <entity/usa> a kgo:State . <entity/sdf> a kgo:ArmedGroup .
    ... <entity/usa> kgo:backs <entity/sdf> .
    ... ''')
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = Path(tmp) / "graph.html"
    ...     counts = render_html(g, out)
    ...     page = out.read_text(encoding="utf-8")
    >>> counts
    {'nodes': 2, 'edges': 1}
    >>> "kg \u2014 who dealt with whom" in page and "2 entities, 1 relation, 0 documents" in page
    True
    """
    import tempfile

    # the edges' evidence, written as it is read from the graph, is copied from here into the page
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        chunks, counts = _build_page(graph, title, spool)
        # the same crash-safe write as graph.ttl, piece by piece
        write_atomic(Path(path), (chunk.encode("utf-8") for chunk in chunks))
    return counts
