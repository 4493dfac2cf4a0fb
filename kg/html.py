"""The interactive HTML view of a kg graph: who dealt with whom, with sources.

The RDF graph (see DESIGN.md, "The RDF contract") becomes a networkx
``MultiDiGraph`` (:func:`graph_to_networkx`): one node per actor or place, one
edge per relation triple with all its evidence merged. :func:`render_html`
lays that graph out with pyvis / vis-network and writes ONE self-contained
HTML file: vis-network's JavaScript and CSS are inlined from the copy that
ships inside the pyvis package, so the page works from ``file://`` with no
network at all.

Article text is hostile input. Every piece of data goes into the page as a
single JSON blob inside ``<script type="application/json">`` with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped; the page's own script builds the
evidence panel and the tooltips with ``textContent`` only, and a
Content-Security-Policy allows no network access and only the two inline
scripts of the page (by hash).

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
import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.errors import DataFileError, OutputError
from kg.resources import load_data
from kg.vocab import ENTITY_CLASSES, GEO, KGO

if TYPE_CHECKING:  # pragma: no cover - typing only
    import networkx
    import rdflib

__all__ = ["graph_to_networkx", "render_html"]

#: Display of each entity class, in order of precedence for an entity with
#: several classes (a country is a State first): class, vis shape, colour,
#: legend glyph, legend label.
_NODE_STYLES = (
    ("State", "diamond", "#3949ab", "\u25c6", "State"),
    ("ArmedGroup", "dot", "#d32f2f", "\u25cf", "Armed group"),
    ("Coalition", "hexagon", "#8d6e63", "\u2b22", "Coalition"),
    ("Organization", "triangle", "#00897b", "\u25b2", "Organization"),
    ("Person", "star", "#f9a825", "\u2605", "Person"),
    ("Place", "square", "#43a047", "\u25a0", "Place"),
)
_OTHER_STYLE = ("Other", "dot", "#90a4ae", "\u25cf", "Other")
_PLACE_BORDER = "#1b5e20"
_FALLBACK_COLOR = "#757575"
_LAYOUT_SEED = 20171015

_VIS_DIR = ("lib", "vis-9.1.2")


# --------------------------------------------------------------------------
# RDF -> networkx


def graph_to_networkx(graph: rdflib.Graph) -> networkx.MultiDiGraph:
    """Turn kg's RDF graph into a networkx multigraph of entities and relations.

    Nodes are entity IRIs with attributes ``label``, ``aliases`` (sorted),
    ``types`` (ontology class names) and ``lat`` / ``long`` (floats or None).
    Each relation triple is one edge keyed by its relation name, with
    ``relation``, ``family``, ``symmetric``, ``evidence`` (dicts with ``text``,
    ``doc``, ``begin``, ``end``, ``title``, ``publisher``, ``date``,
    ``modality``, ``speaker``, sorted by document and offset), ``count``
    (evidence sentences) and ``sources`` (distinct documents). A symmetric
    relation asserted both ways is one edge, from the smaller IRI.

    >>> import rdflib
    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
    ... @base <https://w3id.org/kg-conflict/id/> .
    ... @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... @prefix prov: <http://www.w3.org/ns/prov#> .
    ... @prefix dcterms: <http://purl.org/dc/terms/> .
    ... <entity/isis> a kgo:ArmedGroup ; rdfs:label "Islamic State" ; skos:altLabel "ISIS" .
    ... <entity/sdf> a kgo:ArmedGroup ; rdfs:label "SDF" .
    ... <entity/sdf> kgo:truce_with <entity/isis> .
    ... <entity/isis> kgo:truce_with <entity/sdf> .
    ... <statement/1> a rdf:Statement ; rdf:subject <entity/sdf> ;
    ...     rdf:predicate kgo:truce_with ; rdf:object <entity/isis> ;
    ...     prov:wasDerivedFrom <evidence/d1/0-20> .
    ... <evidence/d1/0-20> a kgo:Evidence ; kgo:text "SDF and ISIS agreed." ;
    ...     kgo:beginOffset 0 ; kgo:endOffset 20 ; dcterms:isPartOf <document/d1> .
    ... <document/d1> a kgo:Document ; dcterms:identifier "d1" .
    ... ''')
    >>> nxg = graph_to_networkx(g)
    >>> nxg.number_of_nodes(), nxg.number_of_edges()
    (2, 1)
    >>> (u, v, data), = nxg.edges(data=True)
    >>> u.rsplit("/", 1)[1], data["relation"], data["family"], data["symmetric"], data["count"]
    ('isis', 'truce_with', 'agreement', True, 1)
    >>> data["evidence"][0]["text"], data["evidence"][0]["doc"], data["evidence"][0]["begin"]
    ('SDF and ISIS agreed.', 'd1', 0)
    >>> nxg.nodes[u]["aliases"], nxg.nodes[u]["types"]
    (['ISIS'], ['ArmedGroup'])
    """
    import networkx as nx

    relations = _relations()
    kgo = str(KGO)

    def relation_of(predicate: Any) -> str | None:
        if isinstance(predicate, URIRef) and str(predicate).startswith(kgo):
            name = str(predicate)[len(kgo):]
            if name in relations:
                return name
        return None

    def edge_key(subject: URIRef, name: str, obj: URIRef) -> tuple[str, str, str]:
        s, o = str(subject), str(obj)
        if relations[name].get("symmetric") and o < s:
            s, o = o, s
        return (s, name, o)

    entity_types: dict[str, set[str]] = {}
    for cls in ENTITY_CLASSES:
        for subject in graph.subjects(RDF.type, KGO[cls]):
            if isinstance(subject, URIRef):
                entity_types.setdefault(str(subject), set()).add(cls)

    edges: dict[tuple[str, str, str], set[Any]] = {}
    for name in relations:
        for subject, obj in graph.subject_objects(KGO[name]):
            if isinstance(subject, URIRef) and isinstance(obj, URIRef):
                edges.setdefault(edge_key(subject, name, obj), set())
    for statement in graph.subjects(RDF.type, RDF.Statement):
        name = relation_of(graph.value(statement, RDF.predicate))
        subject = graph.value(statement, RDF.subject)
        obj = graph.value(statement, RDF.object)
        if name and isinstance(subject, URIRef) and isinstance(obj, URIRef):
            evidence = edges.setdefault(edge_key(subject, name, obj), set())
            evidence.update(graph.objects(statement, PROV.wasDerivedFrom))

    nodes = set(entity_types)
    for s, _name, o in edges:
        nodes.update((s, o))

    out = nx.MultiDiGraph()
    for node in sorted(nodes):
        iri = URIRef(node)
        label = _label(graph, iri)
        aliases = {str(a) for a in graph.objects(iri, SKOS.altLabel) if isinstance(a, Literal)}
        aliases.discard(label)
        types = entity_types.get(node, set())
        out.add_node(
            node,
            label=label,
            aliases=sorted(aliases),
            types=[cls for cls in ENTITY_CLASSES if cls in types],
            lat=_float(graph.value(iri, GEO.lat)),
            long=_float(graph.value(iri, GEO.long)),
        )
    for (s, name, o) in sorted(edges):
        evidence = sorted(
            (_evidence(graph, ev) for ev in edges[(s, name, o)] if isinstance(ev, URIRef)),
            key=_evidence_sort_key,
        )
        out.add_edge(
            s,
            o,
            key=name,
            relation=name,
            family=relations[name].get("family"),
            symmetric=bool(relations[name].get("symmetric")),
            evidence=evidence,
            count=len(evidence),
            sources=len({ev["doc"] for ev in evidence if ev["doc"]}),
        )
    return out


def _relations() -> dict[str, dict[str, Any]]:
    return load_data("relations")["relations"]


def _label(graph: rdflib.Graph, iri: URIRef) -> str:
    """The canonical name of an entity, or its IRI's last segment."""
    labels = sorted(str(v) for v in graph.objects(iri, RDFS.label) if isinstance(v, Literal))
    return labels[0] if labels else _local_name(iri)


def _local_name(iri: Any) -> str:
    """The last segment of an IRI.

    >>> _local_name(URIRef("https://w3id.org/kg-conflict/ontology#asserted"))
    'asserted'
    """
    return re.split(r"[/#]", str(iri).rstrip("/#"))[-1]


def _float(value: Any) -> float | None:
    try:
        number = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _evidence(graph: rdflib.Graph, ev: URIRef) -> dict[str, Any]:
    doc = graph.value(ev, DCTERMS.isPartOf)
    doc_id = None
    title = publisher = date = None
    if doc is not None:
        doc_id = _text(graph.value(doc, DCTERMS.identifier)) or _local_name(doc)
        title = _text(graph.value(doc, DCTERMS.title))
        publisher = _text(graph.value(doc, DCTERMS.publisher))
        date = _text(graph.value(doc, DCTERMS.date))
    modality = graph.value(ev, KGO.modality)
    speaker = graph.value(ev, KGO.attributedTo)
    return {
        "text": _text(graph.value(ev, KGO.text)) or "",
        "doc": doc_id,
        "begin": _int(graph.value(ev, KGO.beginOffset)),
        "end": _int(graph.value(ev, KGO.endOffset)),
        "title": title,
        "publisher": publisher,
        "date": date,
        "modality": None if modality is None else (
            _local_name(modality) if isinstance(modality, URIRef) else str(modality)),
        "speaker": None if speaker is None else (
            _label(graph, speaker) if isinstance(speaker, URIRef) else str(speaker)),
    }


def _evidence_sort_key(ev: dict[str, Any]) -> tuple:
    return (
        ev["doc"] or "",
        ev["begin"] if ev["begin"] is not None else -1,
        ev["end"] if ev["end"] is not None else -1,
        ev["text"],
        json.dumps(ev, sort_keys=True),
    )


# --------------------------------------------------------------------------
# networkx -> page data


def _split_marks(text: str, names: list[str]) -> list[str]:
    """Split ``text`` into plain and highlighted parts, alternately.

    Even indexes are plain text, odd ones are names to ``<mark>``; joined
    they give back ``text``. Whole words only; short all-capital names
    ("IS", "SDF") match case-sensitively so that "is" is not marked.

    >>> _split_marks("IS and the SDF: this is ISIS.", ["IS", "SDF", "ISIS"])
    ['', 'IS', ' and the ', 'SDF', ': this is ', 'ISIS', '.']
    >>> _split_marks("No names here", ["SDF"])
    ['No names here']
    """
    spans: list[tuple[int, int]] = []
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}):
        flags = 0 if (name.isupper() and len(name) <= 4) else re.IGNORECASE
        pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
        spans.extend((m.start(), m.end()) for m in re.finditer(pattern, text, flags))
    spans.sort(key=lambda span: (span[0], -span[1]))
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        parts.extend((text[pos:start], text[start:end]))
        pos = end
    parts.append(text[pos:])
    return parts


def _style(types: list[str]) -> tuple[str, str, str, str, str]:
    for style in _NODE_STYLES:
        if style[0] in types:
            return style
    return _OTHER_STYLE


def _darker(color: str, factor: float = 0.7) -> str:
    """A darker shade of a ``#rrggbb`` colour.

    >>> _darker("#ffffff")
    '#b2b2b2'
    """
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def _safe_color(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    return _FALLBACK_COLOR


def _plural(n: int, word: str) -> str:
    """Count and noun.

    >>> _plural(1, "entity"), _plural(2, "entity"), _plural(0, "document")
    ('1 entity', '2 entities', '0 documents')
    """
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _page_data(graph: rdflib.Graph) -> dict[str, Any]:
    """Everything the page needs, built through a pyvis Network."""
    from pyvis.network import Network

    nxg = graph_to_networkx(graph)
    data = load_data("relations")
    relations, families = data["relations"], data.get("families", {})
    if not isinstance(families, dict):
        raise DataFileError("relations.json: 'families' must be an object")

    net = Network(directed=True, height="100%", width="100%", cdn_resources="local")
    entities: dict[str, dict[str, Any]] = {}
    for node in sorted(nxg.nodes):
        attrs = nxg.nodes[node]
        degree = nxg.degree(node)
        cls, shape, color, _glyph, type_label = _style(attrs["types"])
        is_place_too = cls != "Place" and "Place" in attrs["types"]
        border = _PLACE_BORDER if is_place_too else _darker(color)
        net.add_node(
            node,
            label=attrs["label"],
            shape=shape,
            color={
                "background": color,
                "border": border,
                "highlight": {"background": color, "border": "#000000"},
                "hover": {"background": color, "border": "#000000"},
            },
            borderWidth=3 if is_place_too else 1,
            size=min(48, 12 + round(6 * math.sqrt(degree))),
        )
        kinds = [_style([t])[4] for t in attrs["types"]] or ["Entity"]
        tip = [attrs["label"], " / ".join(kinds)]
        if attrs["aliases"]:
            tip.append("Also: " + ", ".join(attrs["aliases"]))
        tip.append(f"{_plural(degree, 'relation')} \u2014 click for the evidence")
        entities[node] = {
            "label": attrs["label"],
            "aliases": attrs["aliases"],
            "types": attrs["types"],
            "kinds": kinds,
            "lat": attrs["lat"],
            "long": attrs["long"],
            "tip": "\n".join(tip),
            "edges": [],
        }

    # Parallel edges between one pair of nodes get distinct curvatures.
    ordered = sorted(nxg.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    by_pair: dict[tuple[str, str], list[int]] = {}
    for index, (u, v, _k, _d) in enumerate(ordered):
        by_pair.setdefault((min(u, v), max(u, v)), []).append(index)
    bend: dict[int, tuple[str, float]] = {}
    for (first, _second), indexes in by_pair.items():
        for j, index in enumerate(indexes):
            offset = j - (len(indexes) - 1) / 2
            clockwise = offset >= 0
            if ordered[index][0] != first:
                clockwise = not clockwise
            bend[index] = ("curvedCW" if clockwise else "curvedCCW", round(abs(offset) * 0.35, 3))

    edges_meta: dict[str, dict[str, Any]] = {}
    family_counts: dict[str, int] = {}
    documents: set[str] = {
        _text(graph.value(d, DCTERMS.identifier)) or _local_name(d)
        for d in graph.subjects(RDF.type, KGO.Document)
    }
    width = len(str(len(ordered)))
    for index, (u, v, name, attrs) in enumerate(ordered):
        edge_id = f"e{index + 1:0{width}d}"
        info = relations.get(name, {})
        family = attrs["family"] or "other"
        family_counts[family] = family_counts.get(family, 0) + 1
        color = _safe_color(families.get(family, {}).get("color"))
        rel_label = str(info.get("label") or name.replace("_", " "))
        count = attrs["count"]
        smooth_type, roundness = bend[index]
        net.add_edge(
            u,
            v,
            id=edge_id,
            label=rel_label + (f" \u00d7{count}" if count > 1 else ""),
            color={"color": color, "highlight": color, "hover": color},
            width=round(1.5 + 1.5 * math.log2(max(count, 1)), 2),
            arrows={"to": {"enabled": not attrs["symmetric"], "scaleFactor": 0.7}},
            smooth={"enabled": True, "type": smooth_type, "roundness": roundness},
            font={"color": _darker(color, 0.8)},
        )
        names = [nxg.nodes[u]["label"], *nxg.nodes[u]["aliases"],
                 nxg.nodes[v]["label"], *nxg.nodes[v]["aliases"]]
        evidence = []
        for ev in attrs["evidence"]:
            item = {k: ev[k] for k in ("doc", "begin", "end", "title", "publisher",
                                       "date", "modality", "speaker")}
            item["parts"] = _split_marks(ev["text"], names)
            evidence.append(item)
            if ev["doc"]:
                documents.add(ev["doc"])
        joiner = " \u2194 " if attrs["symmetric"] else " \u2192 "
        tip = (f"{nxg.nodes[u]['label']}{joiner}{rel_label}{joiner}{nxg.nodes[v]['label']}\n"
               f"{_plural(count, 'evidence sentence')}, {_plural(attrs['sources'], 'document')}"
               " \u2014 click to read")
        edges_meta[edge_id] = {
            "from": u,
            "to": v,
            "relation": name,
            "label": rel_label,
            "family": family,
            "symmetric": attrs["symmetric"],
            "count": count,
            "sources": attrs["sources"],
            "evidence": evidence,
            "tip": tip,
        }
        entities[u]["edges"].append(edge_id)
        if v != u:
            entities[v]["edges"].append(edge_id)

    net.set_options(json.dumps(_vis_options()))
    vis_nodes, vis_edges, _heading, _height, _width, options = net.get_network_data()

    family_rows = []
    known = list(families) + sorted(set(family_counts) - set(families))
    for family in known:
        if family in family_counts:
            spec = families.get(family, {})
            family_rows.append({
                "id": family,
                "label": str(spec.get("label") or family),
                "color": _safe_color(spec.get("color")),
                "count": family_counts[family],
            })
    used_types = {t for e in entities.values() for t in e["types"]}
    type_rows = [
        {"label": label, "glyph": glyph, "color": color, "shape": shape}
        for cls, shape, color, glyph, label in _NODE_STYLES + (_OTHER_STYLE,)
        if cls in used_types or (cls == "Other" and any(not e["types"] for e in entities.values()))
    ]
    return {
        "blob": {
            "nodes": sorted(vis_nodes, key=lambda n: n["id"]),
            "edges": sorted(vis_edges, key=lambda e: e["id"]),
            "options": json.loads(options),
            "entities": entities,
            "relations": edges_meta,
        },
        "counts": {"nodes": nxg.number_of_nodes(), "edges": nxg.number_of_edges()},
        "documents": len(documents),
        "families": family_rows,
        "types": type_rows,
        "place_too": any(
            _style(e["types"])[0] != "Place" and "Place" in e["types"] for e in entities.values()
        ),
    }


def _vis_options() -> dict[str, Any]:
    # No string value may contain a space: pyvis's set_options strips them.
    return {
        "autoResize": True,
        "layout": {"randomSeed": _LAYOUT_SEED, "improvedLayout": True},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.01,
                "springLength": 200,
                "springConstant": 0.05,
                "avoidOverlap": 0.5,
            },
            "minVelocity": 1,
            "stabilization": {"enabled": True, "iterations": 800, "updateInterval": 25, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "keyboard": False, "multiselect": False},
        "nodes": {
            "font": {"size": 16, "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"},
        },
        "edges": {
            "font": {"size": 12, "align": "horizontal", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
    }


# --------------------------------------------------------------------------
# page


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (and still valid JSON).

    >>> _script_json({"t": "</script><b>&\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    >>> json.loads(_script_json({"t": "</script>"}))
    {'t': '</script>'}
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _vis_assets() -> tuple[str, str]:
    import pyvis

    folder = Path(pyvis.__file__).resolve().parent.joinpath(*_VIS_DIR)
    try:
        js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"vis-network is missing from the pyvis package ({folder}): {exc}") from None
    if "</script" in js.lower() or "</style" in css.lower():
        raise DataFileError(f"{folder}: vis-network cannot be inlined safely")
    return js, css


def _build_page(graph: rdflib.Graph, title: str) -> tuple[str, dict[str, int]]:
    import jinja2
    from markupsafe import Markup

    page = _page_data(graph)
    counts = page["counts"]
    summary = ", ".join((
        _plural(counts["nodes"], "entity"),
        _plural(counts["edges"], "relation"),
        _plural(page["documents"], "document"),
    ))
    vis_js, vis_css = _vis_assets()
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    html = env.from_string(_TEMPLATE).render(
        title=title,
        summary=summary,
        families=page["families"],
        types=page["types"],
        place_too=page["place_too"],
        csp=Markup(f"default-src 'none'; script-src {_csp_hash(vis_js)} {_csp_hash(_APP_JS)}; "
                   "style-src 'unsafe-inline'; img-src data:; font-src data:; "
                   "base-uri 'none'; form-action 'none'"),
        vis_css=Markup(vis_css),
        app_css=Markup(_APP_CSS),
        vis_js=Markup(vis_js),
        app_js=Markup(_APP_JS),
        data=Markup(_script_json(page["blob"])),
    )
    return html, dict(counts)


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
    html, counts = _build_page(graph, title)
    _write_atomic(Path(path), html.encode("utf-8"))
    return counts


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once, or leave it untouched."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg">
<title>{{ title }} \u2014 {{ summary }}</title>
<style>{{ vis_css }}</style>
<style>{{ app_css }}</style>
</head>
<body>
<header id="kg-header">
  <div class="kg-title"><h1>{{ title }}</h1><span id="kg-counts">{{ summary }}</span></div>
  <label class="kg-search">Actor <input id="kg-filter" type="search" autocomplete="off" \
spellcheck="false" placeholder="name or alias, e.g. ISIS" aria-label="Filter actors by name or alias"></label>
  <fieldset id="kg-families"><legend>Relations</legend>
{%- for f in families %}
    <label class="kg-family"><input type="checkbox" checked data-family="{{ f.id }}" value="{{ f.id }}">\
<span class="kg-line" style="background:{{ f.color }}"></span>{{ f.label }} <span class="kg-n">({{ f.count }})</span></label>
{%- endfor %}
  </fieldset>
  <button id="kg-fit" type="button" title="Show the whole graph">Fit view</button>
  <span id="kg-status" role="status"></span>
</header>
<main>
  <div id="kg-graph" aria-label="Graph of actors and places"></div>
  <div id="kg-side">
  <section id="kg-legend" aria-label="Legend">
    <p class="kg-hint">Click a line or a node to read the evidence.</p>
    <h2>Entities</h2>
{%- for t in types %}
    <div><span class="kg-glyph" style="color:{{ t.color }}">{{ t.glyph }}</span> {{ t.label }}</div>
{%- endfor %}
{%- if place_too %}
    <div><span class="kg-ring"></span> also a place (country)</div>
{%- endif %}
    <h2>Relations</h2>
{%- for f in families %}
    <div><span class="kg-line" style="background:{{ f.color }}"></span>{{ f.label }}</div>
{%- endfor %}
    <p class="kg-note">→ one-way · no arrow: mutual<br>×N: evidence sentences (also line width)<br>node size: number of relations</p>
  </section>
  <section id="kg-panel" hidden aria-live="polite">
    <button id="kg-close" type="button" aria-label="Close">×</button>
    <div id="kg-panel-body"></div>
  </section>
  </div>
</main>
<script type="application/json" id="kg-data">{{ data }}</script>
<script>{{ vis_js }}</script>
<script>{{ app_js }}</script>
</body>
</html>
"""

_APP_CSS = r"""
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1b1b;background:#f4f4f4}
#kg-header{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1.2rem;padding:.5rem 1rem;background:#fff;border-bottom:1px solid #d8d8d8}
.kg-title{display:flex;flex-direction:column}
.kg-title h1{font-size:1.1rem;margin:0}
#kg-counts,#kg-status,.kg-n{color:#5f5f5f;font-size:.9em}
.kg-search input{margin-left:.3rem;padding:.25rem .5rem;min-width:15rem;border:1px solid #b5b5b5;border-radius:4px;font:inherit}
#kg-fit{padding:.2rem .6rem;border:1px solid #b5b5b5;border-radius:4px;background:#fafafa;font:inherit;cursor:pointer}
#kg-families{display:flex;flex-wrap:wrap;align-items:center;gap:.2rem .8rem;border:0;margin:0;padding:0}
#kg-families legend{float:left;margin-right:.4rem;font-weight:600}
.kg-family{white-space:nowrap;cursor:pointer}
.kg-line{display:inline-block;width:1.4em;height:.3em;border-radius:2px;vertical-align:middle;margin:0 .35em 0 .2em}
main{flex:1;display:flex;position:relative;min-height:0}
#kg-graph{flex:1;min-width:0;background:#fff}
#kg-side{width:min(420px,40vw);overflow:auto;background:#fff;border-left:1px solid #d8d8d8}
#kg-legend{padding:.6rem 1rem;font-size:13px;line-height:1.6}
#kg-legend h2{font-size:.9rem;margin:.6rem 0 .1rem}
.kg-hint{margin:0 0 .3rem;color:#333}
.kg-glyph{display:inline-block;width:1.2em;text-align:center;font-size:1.1em}
.kg-ring{display:inline-block;width:.85em;height:.85em;margin:0 .2em;border:3px solid #1b5e20;vertical-align:middle}
.kg-note{margin-top:.5rem;color:#5f5f5f;font-size:.92em}
#kg-panel{padding:.6rem 1rem 1rem;position:relative}
#kg-legend[hidden],#kg-panel[hidden]{display:none}
#kg-close{position:absolute;right:.4rem;top:.3rem;border:0;background:none;font-size:1.5rem;line-height:1;cursor:pointer;color:#555}
#kg-panel h2{font-size:1.05rem;margin:.2rem 1.6rem .3rem 0}
#kg-panel h3{font-size:.95rem;margin:.9rem 0 .3rem}
.kg-kind{margin:0;color:#5f5f5f;font-size:.85em;text-transform:uppercase;letter-spacing:.04em}
.kg-rel-name{font-weight:600}
.kg-meta{margin:.2rem 0;color:#444}
.kg-evidence{padding-left:1.3rem;margin:.3rem 0}
.kg-evidence li{margin-bottom:.7rem}
.kg-sentence{margin:0;padding:.35rem .55rem;background:#f6f6f6;border-left:3px solid #9e9e9e;white-space:pre-wrap;overflow-wrap:anywhere}
.kg-source{margin:.2rem 0 0;font-size:.85em;color:#555}
.kg-source>span+span::before{content:" · "}
.kg-source code{background:#eee;padding:0 .2em;border-radius:3px}
mark{background:#fff176;padding:0 .1em;border-radius:2px}
.kg-rel-link{display:block;width:100%;text-align:left;margin:.8rem 0 .2rem;padding:.25rem .4rem;border:1px solid #d0d0d0;border-radius:4px;background:#fafafa;font:inherit;font-weight:600;cursor:pointer}
.kg-rel-link:hover{background:#eef3ff}
.kg-tip{white-space:pre-line;max-width:22rem}
div.vis-tooltip{font:13px/1.4 system-ui,sans-serif;padding:.3rem .5rem;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.25)}
"""

# The page's script. It reads the JSON blob, never writes data through
# innerHTML (text goes in with textContent), and exposes a few helpers on
# window for tests and for use from the browser console.
_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var entities = data.entities, relations = data.relations;
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  var legend = document.getElementById("kg-legend");
  var side = document.getElementById("kg-side");
  var filterBox = document.getElementById("kg-filter");
  var statusLine = document.getElementById("kg-status");
  var familyBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-family]"));

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function tooltip(text) { return el("div", "kg-tip", text); }
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function plural(n, word) {
    if (n === 1) { return n + " " + word; }
    return n + " " + (/y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s");
  }

  var searchKeys = {};
  Object.keys(entities).forEach(function (id) {
    var e = entities[id];
    searchKeys[id] = fold([e.label].concat(e.aliases).join("\n"));
  });

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n, {title: tooltip(entities[n.id].tip)});
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return Object.assign({}, e, {title: tooltip(relations[e.id].tip)});
  }));
  var network = new vis.Network(document.getElementById("kg-graph"),
                                {nodes: nodes, edges: edges}, data.options);

  function fitView() { network.fit({maxZoomLevel: 1.5, animation: false}); }
  document.getElementById("kg-fit").addEventListener("click", fitView);
  var ready = false;
  function finishLayout() {
    if (ready) { return; }
    ready = true;
    network.setOptions({physics: {enabled: false}});
    fitView();
    window.kgReady = true;
    document.body.setAttribute("data-ready", "true");
    showStatus();
  }
  network.on("stabilizationProgress", function (p) {
    statusLine.textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", finishLayout);
  network.once("stabilized", finishLayout);
  if (!data.nodes.length) { finishLayout(); }

  // ---- evidence panel (DOM built with textContent only) ----
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function openPanel() { legend.hidden = true; panel.hidden = false; side.scrollTop = 0; }
  function closePanel() {
    panel.hidden = true; legend.hidden = false; clear(panelBody); network.unselectAll();
  }

  function relationTitle(rel, tag) {
    var h = el(tag);
    h.appendChild(document.createTextNode(entities[rel.from].label + " "));
    var name = el("span", "kg-rel-name", (rel.symmetric ? "\u2194 " : "\u2192 ") + rel.label +
                  (rel.symmetric ? " \u2194" : " \u2192"));
    name.style.color = familyColor(rel.family);
    h.appendChild(name);
    h.appendChild(document.createTextNode(" " + entities[rel.to].label));
    return h;
  }
  function familyColor(family) {
    var box = familyBoxes.filter(function (b) { return b.value === family; })[0];
    var line = box && box.parentNode.querySelector(".kg-line");
    return line ? line.style.backgroundColor : "#555";
  }
  function familyLabel(family) {
    var box = familyBoxes.filter(function (b) { return b.value === family; })[0];
    return box ? box.parentNode.textContent.replace(/\s*\(\d+\)\s*$/, "").trim() : family;
  }
  function evidenceList(rel) {
    var list = el("ol", "kg-evidence");
    rel.evidence.forEach(function (ev) {
      var item = el("li");
      var quote = el("blockquote", "kg-sentence");
      ev.parts.forEach(function (part, i) {
        if (!part) { return; }
        quote.appendChild(i % 2 ? el("mark", null, part) : document.createTextNode(part));
      });
      item.appendChild(quote);
      var source = el("p", "kg-source");
      var bits = [];
      if (ev.doc) {
        var doc = el("span"); doc.appendChild(el("code", null, ev.doc));
        if (ev.begin !== null && ev.end !== null) {
          doc.appendChild(document.createTextNode(" chars " + ev.begin + "\u2013" + ev.end));
        }
        bits.push(doc);
      }
      if (ev.title) { var cite = el("span"); cite.appendChild(el("cite", null, ev.title)); bits.push(cite); }
      if (ev.publisher) { bits.push(el("span", "kg-publisher", ev.publisher)); }
      if (ev.date) { var d = el("span"); d.appendChild(el("time", null, ev.date)); bits.push(d); }
      if (ev.modality) { bits.push(el("span", "kg-modality", ev.modality)); }
      if (ev.speaker) { bits.push(el("span", "kg-speaker", "according to " + ev.speaker)); }
      bits.forEach(function (b) { source.appendChild(b); });
      if (bits.length) { item.appendChild(source); }
      list.appendChild(item);
    });
    if (!rel.evidence.length) { list.appendChild(el("li", null, "No evidence recorded.")); }
    return list;
  }
  function showEdge(id) {
    var rel = relations[id];
    if (!rel) { return false; }
    clear(panelBody);
    panelBody.appendChild(el("p", "kg-kind", "Relation \u00b7 " + familyLabel(rel.family)));
    panelBody.appendChild(relationTitle(rel, "h2"));
    panelBody.appendChild(el("p", "kg-meta", plural(rel.count, "evidence sentence") + " from " +
                             plural(rel.sources, "document")));
    panelBody.appendChild(evidenceList(rel));
    openPanel();
    return true;
  }
  function showNode(id) {
    var ent = entities[id];
    if (!ent) { return false; }
    clear(panelBody);
    panelBody.appendChild(el("p", "kg-kind", ent.kinds.join(" \u00b7 ")));
    panelBody.appendChild(el("h2", null, ent.label));
    if (ent.aliases.length) {
      panelBody.appendChild(el("p", "kg-meta", "Also known as: " + ent.aliases.join(", ")));
    }
    if (ent.lat !== null && ent.long !== null) {
      panelBody.appendChild(el("p", "kg-meta", "Coordinates: " + ent.lat + ", " + ent.long));
    }
    panelBody.appendChild(el("p", "kg-meta", plural(ent.edges.length, "relation")));
    ent.edges.forEach(function (eid) {
      var rel = relations[eid];
      var section = el("section", "kg-rel");
      var link = relationTitle(rel, "button");
      link.className = "kg-rel-link";
      link.type = "button";
      link.setAttribute("data-edge", eid);
      link.addEventListener("click", function () { selectEdge(eid); });
      section.appendChild(link);
      section.appendChild(evidenceList(rel));
      panelBody.appendChild(section);
    });
    openPanel();
    return true;
  }
  function selectEdge(id) {
    if (!relations[id]) { return false; }
    network.selectEdges([id]);
    return showEdge(id);
  }
  function selectNode(id) {
    if (!entities[id]) { return false; }
    network.selectNodes([id]);
    return showNode(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { selectNode(params.nodes[0]); }
    else if (params.edges.length) { selectEdge(params.edges[0]); }
    else { closePanel(); }
  });
  document.getElementById("kg-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { closePanel(); }
  });

  // ---- filters: relation families and actor name ----
  function visibleCounts() {
    return {
      nodes: nodes.get({filter: function (n) { return !n.hidden; }}).length,
      edges: edges.get({filter: function (e) { return !e.hidden; }}).length
    };
  }
  function showStatus() {
    var c = visibleCounts();
    statusLine.textContent = "Showing " + c.nodes + " of " + data.nodes.length + " entities, " +
      c.edges + " of " + data.edges.length + " relations";
  }
  function applyFilters() {
    var enabled = {};
    familyBoxes.forEach(function (box) { enabled[box.value] = box.checked; });
    var query = fold(filterBox.value.trim());
    var matched = null;
    if (query) {
      matched = {};
      Object.keys(searchKeys).forEach(function (id) {
        if (searchKeys[id].indexOf(query) !== -1) { matched[id] = true; }
      });
    }
    var shown = {};
    var edgeUpdates = data.edges.map(function (e) {
      var rel = relations[e.id];
      var visible = enabled[rel.family] !== false;
      if (visible && matched) { visible = Boolean(matched[rel.from] || matched[rel.to]); }
      if (visible) { shown[rel.from] = true; shown[rel.to] = true; }
      return {id: e.id, hidden: !visible};
    });
    var nodeUpdates = data.nodes.map(function (n) {
      return {id: n.id, hidden: matched ? !(matched[n.id] || shown[n.id]) : false};
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    showStatus();
    return visibleCounts();
  }
  familyBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  filterBox.addEventListener("input", applyFilters);

  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;
  window.kgSelectEdge = selectEdge;
  window.kgSelectNode = selectNode;
  window.kgVisibleCounts = visibleCounts;
  window.kgApplyFilters = applyFilters;
  showStatus();
}());
"""
