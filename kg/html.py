"""The interactive HTML view of a kg graph: who dealt with whom, with sources.

The RDF graph (see DESIGN.md, "The RDF contract") becomes a networkx
``MultiDiGraph`` (:func:`graph_to_networkx`): one node per actor or place, one
edge per relation triple with all its evidence merged. :func:`render_html`
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
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.errors import DataFileError
from kg.html_time import agreements as _agreements
from kg.html_time import evidence_when, histogram
from kg.outlines import outlines
from kg.rdf import write_atomic
from kg.resources import load_data
from kg.vocab import ENTITY_CLASSES, GEO, GEONAMES, KGO

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
    ``types`` (ontology class names), ``lat`` / ``long`` (floats or None) and
    ``geonames`` (the GeoNames IRI of its ``owl:sameAs``, or None).
    Each relation triple is one edge keyed by its relation name, with
    ``relation``, ``family``, ``symmetric``, ``asserted`` (False for a claim
    its sources only deny or leave unconfirmed, which is reified but not
    asserted), ``evidence`` (dicts with ``text``,
    ``doc``, ``begin``, ``end``, ``title``, ``publisher``, ``date`` (the
    document's), ``modality``, ``speaker``, ``speaker_iri``, and the
    sentence's own date: ``when``, ``until``, ``precision``, ``dated`` (its
    source), ``expr`` (:func:`kg.html_time.evidence_when`); sorted by
    document and offset; ``sources`` lists ``doc``, ``begin``, ``end`` and
    the date there of every document that prints the sentence, the first
    being ``doc``: the sentence's ``when`` is the earliest of their dates,
    its ``until`` the latest end), ``count`` (evidence sentences, a sentence
    several documents print counted once) and ``sources`` (distinct
    documents). A symmetric relation asserted both ways is one edge, from the
    smaller IRI. ``graph.graph["documents"]`` maps each document id to its
    ``id``, ``title``, ``publisher``, ``date`` and ``path``.

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
    asserted: set[tuple[str, str, str]] = set()
    for name in relations:
        for subject, obj in graph.subject_objects(KGO[name]):
            if isinstance(subject, URIRef) and isinstance(obj, URIRef):
                edges.setdefault(edge_key(subject, name, obj), set())
                asserted.add(edge_key(subject, name, obj))
    index = _Index(graph)
    for statement in graph.subjects(RDF.type, RDF.Statement):
        name = relation_of(index.value(statement, RDF.predicate))
        subject = index.value(statement, RDF.subject)
        obj = index.value(statement, RDF.object)
        if name and isinstance(subject, URIRef) and isinstance(obj, URIRef):
            evidence = edges.setdefault(edge_key(subject, name, obj), set())
            evidence.update(index.objects(statement, PROV.wasDerivedFrom))

    nodes = set(entity_types)
    for s, _name, o in edges:
        nodes.update((s, o))

    out = nx.MultiDiGraph()
    out.graph["documents"] = documents = {}
    for doc in sorted(graph.subjects(RDF.type, KGO.Document), key=str):
        info = index.document(doc)
        documents.setdefault(info["id"], info)
    for node in sorted(nodes):
        iri = URIRef(node)
        label = index.label(iri)
        aliases = {str(a) for a in index.objects(iri, SKOS.altLabel) if isinstance(a, Literal)}
        aliases.discard(label)
        types = entity_types.get(node, set())
        out.add_node(
            node,
            label=label,
            aliases=sorted(aliases),
            types=[cls for cls in ENTITY_CLASSES if cls in types],
            lat=_float(index.value(iri, GEO.lat)),
            long=_float(index.value(iri, GEO.long)),
            geonames=_geonames(index.objects(iri, OWL.sameAs)),
        )
    for (s, name, o) in sorted(edges):
        evidence = sorted(
            (index.evidence(ev) for ev in edges[(s, name, o)] if isinstance(ev, URIRef)),
            key=_evidence_sort_key,
        )
        out.add_edge(
            s,
            o,
            key=name,
            relation=name,
            family=relations[name].get("family"),
            symmetric=bool(relations[name].get("symmetric")),
            asserted=(s, name, o) in asserted,
            evidence=evidence,
            count=len(evidence),
            sources=len({src["doc"] for ev in evidence for src in ev["sources"] if src["doc"]}),
        )
        for ev in evidence:
            if ev["doc"] and ev["doc"] not in documents:
                documents[ev["doc"]] = {"id": ev["doc"], "title": ev["title"],
                                        "publisher": ev["publisher"], "date": ev["date"],
                                        "path": None}
    out.graph["documents"] = dict(sorted(documents.items()))
    return out


def _relations() -> dict[str, dict[str, Any]]:
    return load_data("relations")["relations"]


def _local_name(iri: Any) -> str:
    """The last segment of an IRI.

    >>> _local_name(URIRef("https://w3id.org/kg-conflict/ontology#asserted"))
    'asserted'
    """
    return re.split(r"[/#]", str(iri).rstrip("/#"))[-1]


_GEONAMES_IRI = re.compile(f"^{re.escape(str(GEONAMES))}[1-9][0-9]*/$")


def _geonames(values: list[Any]) -> str | None:
    """The GeoNames IRI among ``owl:sameAs`` values (the page links only to those)."""
    found = sorted(str(v) for v in values if isinstance(v, URIRef) and _GEONAMES_IRI.match(str(v)))
    return found[0] if found else None


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


class _Index:
    """Fast look-ups in an rdflib graph: one pass per predicate, then dicts.

    Where a subject has several values for a property, the smallest (by
    kind, then text) wins, so results do not depend on the store's order.
    """

    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self._maps: dict[Any, dict[Any, list[Any]]] = {}
        self._documents: dict[Any, dict[str, Any]] = {}

    def objects(self, subject: Any, predicate: Any) -> list[Any]:
        table = self._maps.get(predicate)
        if table is None:
            table = self._maps[predicate] = {}
            for s, o in self.graph.subject_objects(predicate):
                table.setdefault(s, []).append(o)
        return table.get(subject, [])

    def value(self, subject: Any, predicate: Any) -> Any:
        values = self.objects(subject, predicate)
        if len(values) > 1:
            return min(values, key=lambda v: (type(v).__name__, str(v)))
        return values[0] if values else None

    def label(self, iri: Any) -> str:
        """The canonical name of an entity, or its IRI's last segment."""
        labels = sorted(str(v) for v in self.objects(iri, RDFS.label) if isinstance(v, Literal))
        return labels[0] if labels else _local_name(iri)

    def document(self, doc: Any) -> dict[str, Any]:
        """Identifier, title, publisher, date and source path of a document node."""
        if doc not in self._documents:
            self._documents[doc] = {
                "id": _text(self.value(doc, DCTERMS.identifier)) or _local_name(doc),
                "title": _text(self.value(doc, DCTERMS.title)),
                "publisher": _text(self.value(doc, DCTERMS.publisher)),
                "date": _text(self.value(doc, DCTERMS.date)),
                "path": _text(self.value(doc, KGO.sourcePath)),
            }
        return self._documents[doc]

    def _occurrences(self, ev: URIRef) -> list[tuple[Any, dict[str, Any]]]:
        """``(document node, source)`` of each place a piece of evidence stands, sorted by
        document id and offsets (for evidence without ``kgo:occurrence``: its own); a
        source has ``doc``, ``begin``, ``end`` and the date there (:func:`kg.html_time.evidence_when`)."""
        found = []
        for node in self.objects(ev, KGO.occurrence) or [ev]:
            doc = self.value(node, DCTERMS.isPartOf)
            found.append((doc, {"doc": self.document(doc)["id"] if doc is not None else None,
                                "begin": _int(self.value(node, KGO.beginOffset)),
                                "end": _int(self.value(node, KGO.endOffset)), **evidence_when(self.value, node)}))
        return sorted(found, key=lambda o: (o[1]["doc"] or "", -1 if o[1]["begin"] is None else o[1]["begin"],
                                            -1 if o[1]["end"] is None else o[1]["end"]))

    def evidence(self, ev: URIRef) -> dict[str, Any]:
        occurrences = self._occurrences(ev)
        sources = [source for _, source in occurrences]
        doc, first = occurrences[0][0], sources[0]
        info = self.document(doc) if doc is not None else {
            "id": None, "title": None, "publisher": None, "date": None}
        # the sentence's date: its copies' earliest (with that copy's precision and source) to their latest end
        dated = [source for source in sources if source["when"]]
        when = dict(min(dated, key=lambda source: source["when"]) if dated else first)
        if dated:
            when["until"] = max(source["until"] or source["when"] for source in dated)
        modality = self.value(ev, KGO.modality)
        speaker = self.value(ev, KGO.attributedTo)
        return {
            **{key: when[key] for key in ("when", "until", "precision", "dated", "expr")},
            "text": _text(self.value(ev, KGO.text)) or "",
            "doc": first["doc"],
            "begin": first["begin"],
            "end": first["end"],
            "sources": sources,
            "title": info["title"],
            "publisher": info["publisher"],
            "date": info["date"],
            "modality": None if modality is None else (
                _local_name(modality) if isinstance(modality, URIRef) else str(modality)),
            "speaker": None if speaker is None else (
                self.label(speaker) if isinstance(speaker, URIRef) else str(speaker)),
            "speaker_iri": str(speaker) if isinstance(speaker, URIRef) else None,
        }


def _evidence_sort_key(ev: dict[str, Any]) -> tuple:
    return (
        ev["doc"] or "",
        ev["begin"] if ev["begin"] is not None else -1,
        ev["end"] if ev["end"] is not None else -1,
        ev["text"],
        tuple(str(ev[k]) for k in ("title", "publisher", "date", "modality", "speaker",
                                   "speaker_iri")),
    )


# --------------------------------------------------------------------------
# layouts, computed here so that the page is interactive at once


#: Canvas units (vis pixels at zoom 1) per typical edge of the network layout.
_UNIT = 170
#: Minimum distance between node centres in the geographic layout.
_GEO_GAP = 64
#: Beyond this many nodes a connected component gets a spiral layout ordered
#: by degree instead of a force-directed one (whose cost grows as n squared).
_FORCE_MAX_NODES = 5000
#: Beyond this many nodes, small labels are not drawn.
_BIG_GRAPH = 300


def _repulsion(x: Any, y: Any, k2: float, mass: Any, chunk: int = 64) -> tuple[Any, Any]:
    """Sum over j of ``(p_i - p_j) * k2 * mass_j / |p_i - p_j|**2`` for each i.

    Computed in float32 blocks of rows that stay in the CPU cache.
    """
    import numpy as np

    n = len(x)
    out_x = np.empty(n, np.float32)
    out_y = np.empty(n, np.float32)
    eps = np.float32(1e-6)
    weight = (mass * np.float32(k2)).astype(np.float32)
    for start in range(0, n, chunk):
        dx = np.subtract.outer(x[start:start + chunk], x)
        dy = np.subtract.outer(y[start:start + chunk], y)
        d2 = dx * dx
        d2 += dy * dy
        np.maximum(d2, eps, out=d2)
        np.divide(weight, d2, out=d2)
        out_x[start:start + chunk] = np.einsum("ij,ij->i", dx, d2)
        out_y[start:start + chunk] = np.einsum("ij,ij->i", dy, d2)
    return out_x, out_y


def _force_layout(n: int, edges: list[tuple[int, int]], seed: int) -> Any:
    """Force-directed positions of one connected component, as an (n, 2) array.

    Fruchterman–Reingold as in networkx's ``spring_layout`` (same forces
    and cooling), with the repulsion between two nodes weighted by the
    square roots of their degrees (as ForceAtlas2 does, more strongly) so
    that hubs keep apart. Vectorised in float32: 2,000 nodes take about a
    second. Seeded, so deterministic. Edges get a median length of 1.

    >>> pos = _force_layout(3, [(0, 1), (1, 2)], seed=1)
    >>> pos.shape, bool(abs(pos).max() < 5)
    ((3, 2), True)
    """
    import numpy as np

    if n == 1:
        return np.zeros((1, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    src = np.array([e[0] for e in edges], dtype=np.intp)
    dst = np.array([e[1] for e in edges], dtype=np.intp)
    mass = np.sqrt(np.bincount(src, minlength=n) + np.bincount(dst, minlength=n) + 1.0)
    mass = mass.astype(np.float32)
    k = math.sqrt(1.0 / n)
    # Each iteration costs ~n*n; small graphs get many, large ones fewer.
    iterations = max(15, min(300, int(2.2e8 / (n * n))))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        x, y = pos[:, 0].copy(), pos[:, 1].copy()
        disp_x, disp_y = _repulsion(x, y, k * k, mass)
        disp_x *= mass
        disp_y *= mass
        ex, ey = x[src] - x[dst], y[src] - y[dst]
        pull = np.sqrt(ex * ex + ey * ey) / np.float32(k)
        fx, fy = ex * pull, ey * pull
        disp_x -= np.bincount(src, fx, n).astype(np.float32)
        disp_x += np.bincount(dst, fx, n).astype(np.float32)
        disp_y -= np.bincount(src, fy, n).astype(np.float32)
        disp_y += np.bincount(dst, fy, n).astype(np.float32)
        length = np.sqrt(disp_x * disp_x + disp_y * disp_y)
        length = np.where(length < 0.01, np.float32(0.1), length)
        step = np.float32(temperature) / length
        pos[:, 0] += disp_x * step
        pos[:, 1] += disp_y * step
        temperature -= cooling
    out = pos.astype(np.float64)
    if edges:
        lengths = np.hypot(*(out[src] - out[dst]).T)
        median = float(np.median(lengths))
        if median > 1e-9:
            out /= median
    return out - out.mean(axis=0)


def _spiral_layout(n: int) -> Any:
    """A sunflower (phyllotaxis) spiral of n evenly spread points, first at the centre.

    >>> _spiral_layout(3).round(2).tolist()
    [[0.0, 0.0], [-0.44, 0.41], [0.07, -0.85]]
    """
    import numpy as np

    k = np.arange(n, dtype=np.float64)
    radius = 0.6 * np.sqrt(k)
    angle = k * (math.pi * (3 - math.sqrt(5)))
    return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))


def _node_size(degree: int) -> int:
    """vis node size (about its radius) for a number of relations.

    >>> _node_size(0), _node_size(4), _node_size(100)
    (12, 24, 48)
    """
    return min(48, 12 + round(6 * math.sqrt(degree)))


def _network_layout(nxg: networkx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Deterministic canvas positions: each connected component laid out, then packed.

    Components are laid out with :func:`_force_layout` (or a degree-ordered
    spiral beyond ``_FORCE_MAX_NODES`` nodes), scaled to ``_UNIT`` per edge,
    freed of overlapping nodes, and packed in columns, largest first.
    """
    import networkx as nx
    import numpy as np

    if not nxg.number_of_nodes():
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(nxg.nodes))
    simple.add_edges_from(sorted((u, v) for u, v in nxg.edges() if u != v))
    components = sorted((sorted(c) for c in nx.connected_components(simple)),
                        key=lambda c: (-len(c), c[0]))
    boxes = []
    for number, members in enumerate(components):
        index = {node: i for i, node in enumerate(members)}
        if len(members) > _FORCE_MAX_NODES:
            order = sorted(members, key=lambda m: (-simple.degree(m), m))
            spiral = _spiral_layout(len(members))
            pos = np.empty_like(spiral)
            for rank, node in enumerate(order):
                pos[index[node]] = spiral[rank]
        else:
            edges = sorted((index[u], index[v]) for u, v in simple.subgraph(members).edges())
            pos = _force_layout(len(members), edges, seed=_LAYOUT_SEED + number)
        pos = pos * _UNIT
        if 1 < len(members) <= _FORCE_MAX_NODES:
            radius = np.array([_node_size(nxg.degree(m)) + 22.0 for m in members])
            pos = _relax(pos, pos.copy(), np.full(len(members), 0.02), radius)
        if len(members) > 1:
            # wide rather than tall: the canvas is landscape
            spread = pos.max(axis=0) - pos.min(axis=0)
            if spread[1] > spread[0]:
                pos = pos[:, ::-1].copy()
        pos = pos - pos.min(axis=0) + _UNIT / 2
        boxes.append((members, pos, pos.max(axis=0) + _UNIT / 2))
    area = sum(float(size[0] * size[1]) for _m, _p, size in boxes)
    column_height = max(max(float(size[1]) for _m, _p, size in boxes), math.sqrt(area / 1.6))
    placed: dict[str, tuple[float, float]] = {}
    x = y = column_width = 0.0
    for members, pos, size in boxes:
        if y > 0 and y + size[1] > column_height:
            x, y, column_width = x + column_width, 0.0, 0.0
        for node, (px, py) in zip(members, pos):
            placed[node] = (x + px, y + py)
        y += float(size[1])
        column_width = max(column_width, float(size[0]))
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {node: (round(px - cx), round(py - cy)) for node, (px, py) in sorted(placed.items())}


def _nice_step(span: float) -> float:
    """A round graticule step giving a handful of lines over ``span`` degrees.

    >>> _nice_step(9.0), _nice_step(0.8), _nice_step(120)
    (2.0, 0.2, 30.0)
    """
    for step in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0):
        if span / step <= 7:
            return step
    return 60.0


def _degrees(value: float, positive: str, negative: str) -> str:
    """Format a graticule label.

    >>> _degrees(36.0, "N", "S"), _degrees(-2.5, "E", "W"), _degrees(0.0, "N", "S")
    ('36°N', '2.5°W', '0°')
    """
    text = f"{abs(value):g}\u00b0"
    return text if value == 0 else text + (positive if value > 0 else negative)


def _geo_layout(nxg: networkx.MultiDiGraph) -> dict[str, Any] | None:
    """Positions for the map view, or None when no entity has coordinates.

    Places sit at their coordinates (equirectangular projection, ``x`` east,
    ``y`` south, scaled to the canvas). The frame holds the central 80 % of
    places linearly; places far outside it (the United States on a map of
    Syria) keep their direction from the centre, their distance
    log-compressed.
    Other entities sit near the places they relate to (within three hops),
    the rest on a band at the right; overlaps are then relaxed.
    """
    import numpy as np

    ids = sorted(nxg.nodes)
    coords = {n: (nxg.nodes[n]["long"], nxg.nodes[n]["lat"]) for n in ids
              if nxg.nodes[n]["lat"] is not None and nxg.nodes[n]["long"] is not None
              and -90 <= nxg.nodes[n]["lat"] <= 90 and -180 <= nxg.nodes[n]["long"] <= 180}
    if not coords:
        return None
    lon = np.array([c[0] for c in coords.values()])
    lat = np.array([c[1] for c in coords.values()])
    q = (0.1, 0.9) if len(coords) >= 5 else (0.0, 1.0)
    lon_lo, lon_hi = (float(v) for v in np.quantile(lon, q))
    lat_lo, lat_hi = (float(v) for v in np.quantile(lat, q))
    for lo, hi, name in ((lon_lo, lon_hi, "lon"), (lat_lo, lat_hi, "lat")):
        mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.15, 0.75)
        if name == "lon":
            lon_lo, lon_hi = mid - half, mid + half
        else:
            lat_lo, lat_hi = max(-90.0, mid - half), min(90.0, mid + half)
    lon0, lat0 = (lon_lo + lon_hi) / 2, (lat_lo + lat_hi) / 2
    kx = max(0.2, math.cos(math.radians(lat0)))
    half_x, half_y = (lon_hi - lon_lo) / 2 * kx, (lat_hi - lat_lo) / 2
    width = max(1800.0, 150.0 * math.sqrt(len(ids)))
    scale = min(width / (2 * half_x), 0.62 * width / (2 * half_y))

    def project(long: float, lati: float) -> tuple[float, float]:
        u, v = (long - lon0) * kx / half_x, (lati - lat0) / half_y
        r = max(abs(u), abs(v))
        if r > 1:
            f = (1 + 0.15 * math.log(r)) / r
            u, v = u * f, v * f
        return u * half_x * scale, -v * half_y * scale

    index = {n: i for i, n in enumerate(ids)}
    anchor = np.zeros((len(ids), 2))
    tether = np.zeros(len(ids))
    placed: dict[str, tuple[float, float]] = {}
    for node, (long, lati) in coords.items():
        placed[node] = project(long, lati)
        tether[index[node]] = 0.5
    neighbours = {n: sorted(set(nxg.successors(n)) | set(nxg.predecessors(n)) - {n}) for n in ids}
    for _hop in range(3):
        found = {}
        for node in ids:
            if node not in placed:
                near = [placed[m] for m in neighbours[node] if m in placed]
                if near:
                    found[node] = (sum(p[0] for p in near) / len(near),
                                   sum(p[1] for p in near) / len(near))
        if not found:
            break
        placed.update(found)
    # Entities sharing an anchor start on a sunflower around it.
    groups: dict[tuple[int, int], list[str]] = {}
    for node in ids:
        if node in placed and node not in coords:
            groups.setdefault((round(placed[node][0]), round(placed[node][1])), []).append(node)
    golden = math.pi * (3 - math.sqrt(5))
    pos = np.zeros((len(ids), 2))
    for node, p in placed.items():
        pos[index[node]] = anchor[index[node]] = p
    for key, members in groups.items():
        members.sort(key=lambda m: (-nxg.degree(m), m))
        for k, node in enumerate(members, start=1):
            r = 0.8 * _GEO_GAP * math.sqrt(k)
            pos[index[node]] = (key[0] + r * math.cos(k * golden), key[1] + r * math.sin(k * golden))
            tether[index[node]] = 0.04
    movable = np.array([index[n] for n in ids if n in placed], dtype=np.intp)
    if len(movable) > 1:
        # deterministic tiny jitter so that coincident points can separate
        pos[movable] += 0.5 * np.column_stack((np.cos(movable * golden), np.sin(movable * golden)))
        pos[movable] = _relax(pos[movable], anchor[movable], tether[movable],
                              np.full(len(movable), _GEO_GAP / 2))
    # the band at the right for entities with no place near them
    rest = sorted((n for n in ids if n not in placed), key=lambda m: (-nxg.degree(m), m))
    xs = [float(pos[index[n]][0]) for n in placed]
    ys = [float(pos[index[n]][1]) for n in placed]
    band_x = max(xs) + 3 * _GEO_GAP
    top, bottom = min(ys), max(ys)
    per_column = max(1, int((bottom - top) // (1.3 * _GEO_GAP)) + 1)
    for k, node in enumerate(rest):
        pos[index[node]] = (band_x + (k // per_column) * 3.4 * _GEO_GAP,
                            top + (k % per_column) * 1.3 * _GEO_GAP)

    lines, labels = [], []
    (fx0, fy0), (fx1, fy1) = project(lon_lo, lat_hi), project(lon_hi, lat_lo)
    step = _nice_step(max(lon_hi - lon_lo, lat_hi - lat_lo))
    value = math.ceil(lon_lo / step) * step
    while value <= lon_hi + 1e-9:
        x = project(value, lat0)[0]
        lines.append([round(x), round(fy0), round(x), round(fy1)])
        labels.append([round(x) + 4, round(fy1) - 6, _degrees(round(value, 6), "E", "W")])
        value += step
    value = math.ceil(lat_lo / step) * step
    while value <= lat_hi + 1e-9:
        y = project(lon0, value)[1]
        lines.append([round(fx0), round(y), round(fx1), round(y)])
        labels.append([round(fx0) + 4, round(y) - 6, _degrees(round(value, 6), "N", "S")])
        value += step
    span_lon, span_lat = lon_hi - lon_lo, lat_hi - lat_lo
    box = (lon_lo - span_lon, lat_lo - span_lat, lon_hi + span_lon, lat_hi + span_lat)
    return {
        "outlines": outlines(project, box),
        "positions": {n: [round(float(pos[index[n]][0])), round(float(pos[index[n]][1]))]
                      for n in ids},
        "frame": [round(fx0), round(fy0), round(fx1), round(fy1)],
        "lines": lines,
        "labels": labels,
        "band": [round(band_x), round(top)] if rest else None,
        "placed": len(coords),
    }


def _relax(pos: Any, anchor: Any, tether: Any, radius: Any) -> Any:
    """Push apart nodes closer than the sum of their radii, pulling each to its anchor.

    ``tether`` is each node's pull back to ``anchor`` per step (0: free,
    1: pinned). Deterministic; about n*n work per step, fewer steps for
    large n.

    >>> import numpy as np
    >>> out = _relax(np.array([[0.0, 0.0], [1.0, 0.0]]), np.zeros((2, 2)), np.zeros(2), np.full(2, 10.0))
    >>> bool(out[1, 0] - out[0, 0] > 15)
    True
    """
    import numpy as np

    n = len(pos)
    iterations = max(5, min(40, int(3e7 / (n * n))))
    pos = pos.astype(np.float32)
    rad = radius.astype(np.float32)
    pull = tether.astype(np.float32)[:, None]
    target = anchor.astype(np.float32)
    for _ in range(iterations):
        x, y = pos[:, 0].copy(), pos[:, 1].copy()
        push_x = np.zeros(n, np.float64)
        push_y = np.zeros(n, np.float64)
        for start in range(0, n, 128):
            dx = np.subtract.outer(x[start:start + 128], x)
            dy = np.subtract.outer(y[start:start + 128], y)
            d2 = dx * dx
            d2 += dy * dy
            gap = np.add.outer(rad[start:start + 128], rad)
            rows, cols = np.nonzero(d2 < gap * gap)
            mine = rows + start
            keep = mine != cols
            rows, cols, mine = rows[keep], cols[keep], mine[keep]
            if not len(rows):
                continue
            d = np.sqrt(d2[rows, cols])
            w = (gap[rows, cols] - d) / np.maximum(d, np.float32(1e-3))
            push_x += np.bincount(mine, dx[rows, cols] * w, n)
            push_y += np.bincount(mine, dy[rows, cols] * w, n)
        pos[:, 0] += np.float32(0.25) * push_x.astype(np.float32)
        pos[:, 1] += np.float32(0.25) * push_y.astype(np.float32)
        pos += pull * (target - pos)
    return pos.astype(np.float64)


# --------------------------------------------------------------------------
# networkx -> page data

#: Claim modalities (kgo:modality), in the order the filter lists them.
_MODALITIES = (
    ("asserted", "asserted", "stated as fact (also claims with no modality recorded)"),
    ("reported", "reported", "reported by someone else"),
    ("planned", "planned", "announced or planned, not yet done"),
    ("unconfirmed", "unconfirmed", "unconfirmed or alleged"),
    ("denied", "denied", "denied"),
)


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
    lowered = text.lower()
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}):
        exact = name.isupper() and len(name) <= 4
        needle = name if exact else name.lower()
        if not exact and (len(lowered) != len(text) or len(needle) != len(name)):
            # lower() changed a length: let the regex engine fold the case
            pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
            spans.extend((m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE))
            continue
        haystack = text if exact else lowered
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle)
            if not (start and _word_char(text[start - 1])) and not (
                    end < len(text) and _word_char(text[end])):
                spans.append((start, end))
            start = haystack.find(needle, start + 1)
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


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def node_display(nxg: networkx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """How the page draws each node: its network-layout position (canvas
    pixels, y down), fill colour (``#rrggbb``), vis shape and size. For
    exports that carry the page's look (GEXF's ``viz``).
    """
    positions = _network_layout(nxg)
    out = {}
    for node in sorted(nxg.nodes):
        _cls, shape, color, _glyph, _label = _style(nxg.nodes[node]["types"])
        x, y = positions[node]
        out[node] = {"x": x, "y": y, "color": color, "shape": shape, "size": _node_size(nxg.degree(node))}
    return out


def _style(types: list[str]) -> tuple[str, str, str, str, str]:
    for style in _NODE_STYLES:
        if style[0] in types:
            return style
    return _OTHER_STYLE


@functools.lru_cache(maxsize=None)
def _darker(color: str, factor: float = 0.7) -> str:
    """A darker shade of a ``#rrggbb`` colour.

    >>> _darker("#ffffff")
    '#b2b2b2'
    """
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def _node_color(background: str, border: str) -> dict[str, Any]:
    return {"background": background, "border": border,
            "highlight": {"background": background, "border": "#000000"},
            "hover": {"background": background, "border": "#000000"}}


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
    """Everything the page needs: vis nodes and edges with precomputed positions,
    the evidence of every edge, documents, filters and legend rows."""
    nxg = graph_to_networkx(graph)
    data = load_data("relations")
    relations, families = data["relations"], data.get("families", {})
    if not isinstance(families, dict):
        raise DataFileError("relations.json: 'families' must be an object")
    positions = _network_layout(nxg)
    geo = _geo_layout(nxg)

    vis_nodes = []
    groups: dict[str, dict[str, Any]] = {}
    entities: dict[str, dict[str, Any]] = {}
    type_counts: dict[str, int] = {}
    for node in sorted(nxg.nodes):
        attrs = nxg.nodes[node]
        degree = nxg.degree(node)
        cls, shape, color, _glyph, type_label = _style(attrs["types"])
        type_counts[cls] = type_counts.get(cls, 0) + 1
        is_place_too = cls != "Place" and "Place" in attrs["types"]
        x, y = positions[node]
        # shape and colour come from the node's group (one per class)
        vis_node = {"id": node, "label": attrs["label"], "group": cls,
                    "size": _node_size(degree), "x": x, "y": y}
        if is_place_too:
            vis_node["color"] = _node_color(color, _PLACE_BORDER)
            vis_node["borderWidth"] = 3
        vis_nodes.append(vis_node)
        groups[cls] = {"shape": shape, "color": _node_color(color, _darker(color))}
        entities[node] = {
            "label": attrs["label"],
            "aliases": attrs["aliases"],
            "types": attrs["types"],
            "kinds": [_style([t])[4] for t in attrs["types"]] or ["Entity"],
            "lat": attrs["lat"],
            "long": attrs["long"],
            "geonames": attrs.get("geonames"),
            "edges": [],
        }

    # Parallel edges between one pair of nodes get distinct curvatures; the
    # others are straight (cheaper to draw and to hit with the mouse).
    ordered = sorted(nxg.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    by_pair: dict[tuple[str, str], list[int]] = {}
    for index, (u, v, _k, _d) in enumerate(ordered):
        by_pair.setdefault((min(u, v), max(u, v)), []).append(index)
    bend: dict[int, Any] = {}
    for (first, _second), indexes in by_pair.items():
        for j, index in enumerate(indexes):
            offset = j - (len(indexes) - 1) / 2
            if len(indexes) == 1 or offset == 0:
                bend[index] = False
                continue
            clockwise = offset >= 0
            if ordered[index][0] != first:
                clockwise = not clockwise
            bend[index] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                           "roundness": round(abs(offset) * 0.35, 3)}

    documents: dict[str, dict[str, Any]] = {
        doc_id: {**info, "edges": []} for doc_id, info in nxg.graph["documents"].items()}
    vis_edges = []
    edges_meta: dict[str, dict[str, Any]] = {}
    family_counts: dict[str, int] = {}
    relation_counts: dict[str, int] = {}
    modality_counts: dict[str, int] = {}
    all_evidence: list[dict[str, Any]] = []
    width = len(str(len(ordered)))
    for index, (u, v, name, attrs) in enumerate(ordered):
        edge_id = f"e{index + 1:0{width}d}"
        info = relations.get(name, {})
        family = attrs["family"] or "other"
        family_counts[family] = family_counts.get(family, 0) + 1
        relation_counts[name] = relation_counts.get(name, 0) + 1
        color = _safe_color(families.get(family, {}).get("color"))
        rel_label = str(info.get("label") or name.replace("_", " "))
        count = attrs["count"]
        vis_edge = {
            "id": edge_id,
            "from": u,
            "to": v,
            "label": rel_label + (f" \u00d7{count}" if count > 1 else ""),
            "color": color,
            "width": round(1.5 + 1.5 * math.log2(max(count, 1)), 2),
            "font": {"color": _darker(color, 0.8)},
        }
        if not attrs["symmetric"]:
            vis_edge["arrows"] = "to"
        if bend[index]:
            vis_edge["smooth"] = bend[index]
        vis_edges.append(vis_edge)
        names = [nxg.nodes[u]["label"], *nxg.nodes[u]["aliases"],
                 nxg.nodes[v]["label"], *nxg.nodes[v]["aliases"]]
        evidence = []
        for ev in attrs["evidence"]:
            marked = names
            speaker = ev["speaker_iri"]
            if speaker in nxg:
                marked = names + [nxg.nodes[speaker]["label"], *nxg.nodes[speaker]["aliases"]]
            elif ev["speaker"]:
                marked = names + [ev["speaker"]]
            item = {k: ev[k] for k in ("doc", "begin", "end", "modality", "speaker",
                                       "when", "until", "precision", "dated", "expr")}
            item["sources"] = [[src["doc"], src["begin"], src["end"]] for src in ev["sources"]]
            item["parts"] = _split_marks(ev["text"], marked)
            evidence.append(item)
            all_evidence.append(item)
            mode = ev["modality"] or "asserted"
            modality_counts[mode] = modality_counts.get(mode, 0) + 1
            for source in sorted({src["doc"] for src in ev["sources"] if src["doc"]}):
                doc = documents.setdefault(source, {
                    "id": source, "title": ev["title"] if source == ev["doc"] else None,
                    "publisher": ev["publisher"] if source == ev["doc"] else None,
                    "date": ev["date"] if source == ev["doc"] else None, "path": None, "edges": []})
                if edge_id not in doc["edges"]:
                    doc["edges"].append(edge_id)
        attrs["evidence"] = ()  # this page's own copy is made: the graph's goes (memory of a large graph)
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
        }
        entities[u]["edges"].append(edge_id)
        if v != u:
            entities[v]["edges"].append(edge_id)

    family_rows = []
    known = list(families) + sorted(set(family_counts) - set(families))
    for family in known:
        if family not in family_counts:
            continue
        spec = families.get(family, {})
        members = sorted(
            (n for n in relation_counts if (relations.get(n, {}).get("family") or "other") == family),
            key=lambda n: (-relation_counts[n], n))
        family_rows.append({
            "id": family,
            "label": str(spec.get("label") or family),
            "color": _safe_color(spec.get("color")),
            "count": family_counts[family],
            "relations": [{
                "id": n,
                "label": str(relations.get(n, {}).get("label") or n.replace("_", " ")),
                "arrow": "\u2194" if relations.get(n, {}).get("symmetric") else "\u2192",
                "count": relation_counts[n],
            } for n in members],
        })
    type_rows = [
        {"label": label, "glyph": glyph, "color": color, "count": type_counts[cls]}
        for cls, _shape, color, glyph, label in _NODE_STYLES + (_OTHER_STYLE,)
        if cls in type_counts
    ]
    known_modalities = [m[0] for m in _MODALITIES]
    modality_rows = [
        {"id": key, "label": label, "help": help_text, "count": modality_counts.get(key, 0)}
        for key, label, help_text in _MODALITIES
    ] + [
        {"id": key, "label": key, "help": "", "count": modality_counts[key]}
        for key in sorted(set(modality_counts) - set(known_modalities))
    ]
    document_rows = []
    for doc_id, doc in sorted(documents.items()):
        text = doc_id + (f" \u2014 {doc['title']}" if doc["title"] else "")
        if len(text) > 90:
            text = text[:89] + "\u2026"
        document_rows.append({"id": doc_id, "text": text, "count": len(doc["edges"])})
    pairs: dict[tuple[str, str], list] = {}
    for edge_id, meta in edges_meta.items():
        pairs.setdefault(tuple(sorted((meta["from"], meta["to"]))), []).append(
            (edge_id, {tuple(src) for ev in meta["evidence"] for src in ev["sources"]},
             {src[0] for ev in meta["evidence"] for src in ev["sources"]}))
    index = _Index(graph)
    return {
        "blob": {
            "nodes": vis_nodes,
            "edges": vis_edges,
            "options": _vis_options(groups, big=nxg.number_of_nodes() > _BIG_GRAPH),
            "entities": entities,
            "relations": edges_meta,
            "documents": documents,
            "geo": geo,
            "timeline": histogram(all_evidence),
            "agreements": _agreements(graph, index.value, index.label, pairs),
        },
        "counts": {"nodes": nxg.number_of_nodes(), "edges": nxg.number_of_edges()},
        "documents": document_rows,
        "families": family_rows,
        "types": type_rows,
        "modalities": modality_rows,
        "geo": geo is not None,
        "place_too": any(
            _style(e["types"])[0] != "Place" and "Place" in e["types"] for e in entities.values()
        ),
    }


def _vis_options(groups: dict[str, Any], big: bool) -> dict[str, Any]:
    # Positions come from Python: physics is off until the user asks for it.
    # On a big graph, labels too small to read are not drawn: the overview
    # stays legible and draws faster.
    threshold = 7 if big else 4
    return {
        "groups": groups,
        "autoResize": True,
        "layout": {"randomSeed": _LAYOUT_SEED, "improvedLayout": False},
        "physics": {
            "enabled": False,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.01,
                "springLength": 200,
                "springConstant": 0.05,
                "avoidOverlap": 0.5,
            },
            "minVelocity": 1,
            "stabilization": {"enabled": False},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "keyboard": False, "multiselect": False, "hideEdgesOnDrag": False},
        "nodes": {
            "font": {"size": 16, "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": threshold}},
        },
        "edges": {
            "font": {"size": 12, "align": "horizontal", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "arrows": {"to": {"scaleFactor": 0.7}},
            "scaling": {"label": {"drawThreshold": threshold}},
            "smooth": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
    }


# --------------------------------------------------------------------------
# page


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


def _build_page(graph: rdflib.Graph, title: str) -> tuple[Iterator[str], dict[str, int]]:
    """The page in pieces (:mod:`kg.html_stream`), and the counts of nodes and edges."""
    from markupsafe import Markup

    from kg.html_stream import render_chunks, script_json_chunks

    page = _page_data(graph)
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
    chunks, counts = _build_page(graph, title)
    # the same crash-safe write as graph.ttl, piece by piece
    write_atomic(Path(path), (chunk.encode("utf-8") for chunk in chunks))
    return counts
