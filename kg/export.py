"""Export a built graph to other RDF syntaxes and to graph-analysis tools.

``kg export --format FORMAT [DIR]`` reads what ``kg build`` wrote in ``DIR``
(``DIR/graph.ttl``, and ``DIR/store`` for the named graphs) and writes:

``trig`` / ``nq``
    RDF datasets, **one named graph per source document**,
    ``kgr:graph/<doc id>``. When ``DIR/store`` exists they are the store's
    document graphs (:mod:`kg.store`). Without a store they are derived from
    ``graph.ttl`` by :func:`split_by_document`: a document's graph holds its
    document node, its evidence, the ``rdf:Statement`` and other nodes (e.g.
    ``kgo:Agreement``) derived from that evidence with their asserted relation
    triples, and the descriptions (types, labels, coordinates) of the
    entities they involve. A triple supported by several documents is in
    each of their graphs. The **default graph** holds what belongs to no
    single document: the ``kgo:evidenceCount`` / ``kgo:sourceCount`` and
    ``kgo:firstEvidenceDate`` / ``kgo:lastEvidenceDate`` of every statement
    and the ``kgo:nameKey`` of every entity, which are computed over all
    documents, and any triple
    no document's evidence reaches. The union of all the graphs is exactly
    ``graph.ttl``. (Derived graphs give an entity every ``skos:altLabel`` of
    ``graph.ttl``; the store's graphs only the names seen in that document.)
``jsonld``
    ``graph.ttl`` as JSON-LD, compacted with a small ``@context``
    (:data:`JSONLD_CONTEXT`).
``nt``
    ``graph.ttl`` as N-Triples, one triple a line, sorted.
``neo4j``
    A folder with ``nodes.csv`` and ``relationships.csv`` in the CSV header
    format of ``neo4j-admin database import`` (:func:`neo4j_files`).
``graphml`` / ``gexf``
    The entity graph for Gephi, Cytoscape, yEd, ... (via networkx and
    :func:`kg.html_graph.graph_to_networkx`): nodes are entities (``label``,
    ``type``, ``types``, ``aliases``, ``lat`` / ``long`` and ``geonames``
    (the GeoNames IRI) when known), edges are relation triples
    (``relation``, ``family``, ``symmetric``, ``count`` = evidence
    sentences, ``sources`` = documents, ``documents``). Lists are joined
    into strings (``"; "``), as both formats only take scalars. GEXF also
    carries the page's positions, colours and sizes (its ``viz`` namespace),
    and symmetric relations are undirected edges there.

Every format is written deterministically (same input, same bytes) and
atomically. TriG, N-Quads and N-Triples are written by kg's one writer of
those syntaxes, Oxigraph's (:mod:`kg.store.serialize`); JSON-LD by rdflib,
whose writer compacts with a context (pyoxigraph's writes expanded JSON-LD).

>>> import rdflib
>>> g = rdflib.Graph().parse(format="turtle", data='''
... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
... <https://w3id.org/kg-conflict/id/entity/b> kgo:backs <https://w3id.org/kg-conflict/id/entity/a> .
... ''')
>>> print(ntriples_bytes(g).decode(), end="")
<https://w3id.org/kg-conflict/id/entity/b> <https://w3id.org/kg-conflict/ontology#backs> <https://w3id.org/kg-conflict/id/entity/a> .
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg import formats
from kg.errors import InputError, KgError
from kg.rdf import write_atomic
from kg.store.serialize import TURTLE_PREFIXES, nquads, ntriples, trig
from kg.resources import load_data
from kg.vocab import ENTITY_CLASSES, EXPORT_PREFIXES, KGO, KGR, NAMESPACES, safe_segment

__all__ = [
    "FORMATS", "JSONLD_CONTEXT", "export", "export_bytes", "named_graphs", "split_by_document",
    "neo4j_files", "trig_bytes", "nquads_bytes", "jsonld_bytes", "ntriples_bytes", "graphml_bytes", "gexf_bytes",
]

#: Format name -> file extension (``kg export -f``, from :mod:`kg.formats`; neo4j writes a folder).
FORMATS = {f.name: f.extension for f in formats.plugins("export") if f.extension}

#: Prefixes of every RDF export (Turtle, TriG, JSON-LD).
PREFIXES = {name: NAMESPACES[name] for name in EXPORT_PREFIXES}

#: The JSON-LD ``@context``: prefixes only, so every IRI compacts to
#: ``prefix:local`` and every value keeps its datatype.
JSONLD_CONTEXT = {name: str(namespace) for name, namespace in sorted(PREFIXES.items())}

#: Named graphs: graph IRI (``None`` for the default graph) -> triples.
NamedGraphs = dict


def graph_iri(doc_id: str) -> URIRef:
    """IRI of the named graph of one document (as in :mod:`kg.store`).

    >>> str(graph_iri("001_a2f9"))
    'https://w3id.org/kg-conflict/id/graph/001_a2f9'
    """
    return KGR[f"graph/{safe_segment(doc_id)}"]


def new_graph() -> Graph:
    """An empty graph with the export prefixes (``geo`` is WGS84 here)."""
    graph = Graph(bind_namespaces="none")
    for name, namespace in PREFIXES.items():
        graph.bind(name, namespace, override=True, replace=True)
    return graph


# --------------------------------------------------------------------------
# Reading DIR


def read_graph(directory: str | Path) -> Graph:
    """``DIR/graph.ttl`` (or a Turtle file) as an rdflib graph."""
    from kg.validate import read_graph as _read

    return _read(directory)


def named_graphs(directory: str | Path, graph: Graph | None = None) -> NamedGraphs:
    """Default and per-document named graphs of the build in ``directory``.

    From ``DIR/store`` when there is one (and :mod:`kg.store` can be
    imported), else derived from ``graph.ttl`` (:func:`split_by_document`).
    The default graph (key ``None``) holds the triples of ``graph.ttl`` that
    are in no document graph.
    """
    directory = Path(directory)
    if graph is None:
        graph = read_graph(directory)
    store_dir = directory / "store" if directory.is_dir() else None
    named = _store_graphs(store_dir) if store_dir is not None and store_dir.is_dir() else None
    if named is None:
        return split_by_document(graph)
    placed = set()
    for triples in named.values():
        placed.update(triples)
    default = new_graph()
    for triple in graph:
        if triple not in placed:
            default.add(triple)
    return {None: default, **dict(sorted(named.items()))}


def _store_graphs(store_dir: Path) -> dict[URIRef, Graph] | None:
    try:
        from kg.store import Store
    except ImportError:
        return None
    graphs: dict[URIRef, Graph] = {}
    with Store.open(store_dir, read_only=True, create=False, holder="kg export") as store:
        for s, p, o, g in store.quads():
            target = graphs.get(g)
            if target is None:
                target = graphs[g] = new_graph()
            target.add((s, p, o))
    return graphs


def split_by_document(graph: Graph) -> NamedGraphs:
    """Split ``graph`` into one named graph per ``kgo:Document`` (see module doc).

    Returns ``{None: default graph, graph IRI: document graph, ...}``, named
    graphs sorted by IRI. The union of all of them is ``graph``.

    >>> import rdflib
    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
    ... @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... @prefix prov: <http://www.w3.org/ns/prov#> .
    ... @prefix dcterms: <http://purl.org/dc/terms/> .
    ... @base <https://w3id.org/kg-conflict/id/> .
    ... <entity/a> a kgo:State ; rdfs:label "A" ; kgo:backs <entity/b> .
    ... <entity/b> a kgo:State ; rdfs:label "B" .
    ... <statement/1> a rdf:Statement ; rdf:subject <entity/a> ; rdf:predicate kgo:backs ;
    ...     rdf:object <entity/b> ; prov:wasDerivedFrom <evidence/d1/0-9> ; kgo:evidenceCount 1 .
    ... <evidence/d1/0-9> a kgo:Evidence ; kgo:text "A backs B" ; dcterms:isPartOf <document/d1> .
    ... <document/d1> a kgo:Document ; dcterms:identifier "d1" .
    ... ''')
    >>> graphs = split_by_document(g)
    >>> [str(k).rsplit("/", 2)[-2:] if k else None for k in graphs], [len(v) for v in graphs.values()]
    ([None, ['graph', 'd1']], [1, 15])
    """
    relations = _relation_properties(graph)
    entity_classes = {KGO[name] for name in ENTITY_CLASSES}

    def is_entity(node: Any) -> bool:
        return isinstance(node, URIRef) and any(
            (node, RDF.type, cls) in graph for cls in entity_classes)

    placed: set = set()
    named: dict[URIRef, Graph] = {}
    for document in sorted(set(graph.subjects(RDF.type, KGO.Document))):
        doc_id = graph.value(document, DCTERMS.identifier)
        iri = graph_iri(str(doc_id) if doc_id is not None else re.split(r"[/#]", str(document))[-1])
        target = named.get(iri)
        if target is None:
            target = named[iri] = new_graph()
        found: list = []
        found.extend((document, p, o) for p, o in graph.predicate_objects(document))
        entities: set = set()
        for evidence in set(graph.subjects(DCTERMS.isPartOf, document)):
            if (evidence, RDF.type, KGO.Occurrence) in graph:  # where a sentence stands in this document
                found.extend((evidence, p, o) for p, o in graph.predicate_objects(evidence))
                continue
            for p, o in graph.predicate_objects(evidence):
                # a sentence several documents print: only its links to this one
                if p == DCTERMS.isPartOf and o != document:
                    continue
                if p == KGO.occurrence and (o, DCTERMS.isPartOf, document) not in graph:
                    continue
                found.append((evidence, p, o))
                if is_entity(o):
                    entities.add(o)  # kgo:attributedTo
            for derived in set(graph.subjects(PROV.wasDerivedFrom, evidence)):
                found.append((derived, PROV.wasDerivedFrom, evidence))
                if (derived, RDF.type, RDF.Statement) in graph:
                    found.append((derived, RDF.type, RDF.Statement))
                    parts = []
                    for part in (RDF.subject, RDF.predicate, RDF.object):
                        values = list(graph.objects(derived, part))
                        found.extend((derived, part, value) for value in values)
                        parts.append(values[0] if len(values) == 1 else None)
                    s, p, o = parts
                    if s is not None and p is not None and o is not None:
                        if (s, p, o) in graph:
                            found.append((s, p, o))
                        if (o, p, s) in graph and _symmetric(p):  # asserted the other way
                            found.append((o, p, s))
                        entities.update(node for node in (s, o) if is_entity(node))
                else:  # kgo:Agreement and the like: all of it but other documents' evidence
                    for p, o in graph.predicate_objects(derived):
                        if p != PROV.wasDerivedFrom and p != KGO.nameKey:
                            found.append((derived, p, o))
                            if is_entity(o):
                                entities.add(o)
        for entity in entities:
            found.extend((entity, p, o) for p, o in graph.predicate_objects(entity)
                         if p not in relations and p != KGO.nameKey)  # name keys: derived, in the default graph
        for triple in found:
            target.add(triple)
        placed.update(found)
    default = new_graph()
    for triple in graph:
        if triple not in placed:
            default.add(triple)
    return {None: default, **dict(sorted(named.items()))}


def _relation_properties(graph: Graph) -> set:
    names = load_data("relations")["relations"]
    return {KGO[name] for name in names} | set(graph.subjects(RDFS.subPropertyOf, KGO.relation))


def _symmetric(predicate: Any) -> bool:
    kgo = str(KGO)
    if not str(predicate).startswith(kgo):
        return False
    spec = load_data("relations")["relations"].get(str(predicate)[len(kgo):])
    return bool(spec and spec.get("symmetric"))


# --------------------------------------------------------------------------
# Serialisers (all deterministic)


def trig_bytes(graphs: NamedGraphs) -> bytes:
    """TriG by Oxigraph's writer (:func:`kg.store.serialize.trig`) with ``graph.ttl``'s prefixes
    (:data:`kg.rdf.TURTLE_PREFIXES`: ``kgr:`` IRIs are written whole, their local names hold ``/``):
    the default graph's triples, then each named graph in IRI order; within a graph the triples are
    sorted (by their N-Triples forms), so the same graphs give the same bytes.
    """
    ordered = {}
    default = graphs.get(None)
    if default is not None and len(default):
        ordered[None] = _sorted_triples(default)
    for name in sorted(k for k in graphs if k is not None):
        ordered[name] = _sorted_triples(graphs[name])
    return trig(ordered, dict(TURTLE_PREFIXES))


def _sorted_triples(graph: Graph) -> list:
    return sorted(graph, key=lambda triple: tuple(term.n3() for term in triple))


def nquads_bytes(graphs: NamedGraphs) -> bytes:
    """N-Quads by Oxigraph's writer (:func:`kg.store.serialize.nquads`), one quad a line, sorted
    (default graph triples have no label)."""
    text = nquads(graphs).decode("utf-8")
    return "".join(line + "\n" for line in sorted(set(text.split("\n"))) if line).encode("utf-8")


def _nt_lines(graph: Graph) -> list[str]:
    """The N-Triples lines of ``graph`` by kg's one N-Triples writer (Oxigraph's, :func:`kg.store.ntriples`)."""
    text = ntriples(graph)
    return text.split("\n") if text else []


def ntriples_bytes(graph: Graph) -> bytes:
    """N-Triples, one triple a line, sorted and distinct."""
    return "".join(line + "\n" for line in sorted(set(_nt_lines(graph)))).encode("utf-8")


def jsonld_bytes(graph: Graph) -> bytes:
    """JSON-LD (rdflib's serialiser) with :data:`JSONLD_CONTEXT`, keys and arrays sorted."""
    copy = new_graph()
    copy += graph
    try:
        text = copy.serialize(format="json-ld", context=dict(JSONLD_CONTEXT), auto_compact=True)
    except Exception as exc:  # pragma: no cover - rdflib's plugin is part of rdflib
        raise KgError(f"cannot write JSON-LD: {exc}") from None
    data = _sorted_json(_compact_ids(json.loads(text)))
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _compact_ids(value: Any) -> Any:
    """Write ``@id`` IRIs as compact IRIs of the context (rdflib leaves them whole).

    >>> _compact_ids({"@id": "https://w3id.org/kg-conflict/id/entity/sdf", "x": [{"@id": "urn:x"}]})
    {'@id': 'kgr:entity/sdf', 'x': [{'@id': 'urn:x'}]}
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "@id" and isinstance(item, str):
                for prefix, namespace in _CONTEXT_LONGEST_FIRST:
                    if item.startswith(namespace) and len(item) > len(namespace):
                        item = f"{prefix}:{item[len(namespace):]}"
                        break
                out[key] = item
            elif key == "@context":
                out[key] = item
            else:
                out[key] = _compact_ids(item)
        return out
    if isinstance(value, list):
        return [_compact_ids(v) for v in value]
    return value


_CONTEXT_LONGEST_FIRST = sorted(JSONLD_CONTEXT.items(), key=lambda kv: -len(kv[1]))


def _sorted_json(value: Any, key: str | None = None) -> Any:
    """Sort every JSON array except ``@list`` ones (RDF lists keep their order)."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def entity_network(graph: Graph, *, viz: bool = False):
    """The entity graph with scalar attributes only, for GraphML and GEXF.

    A ``networkx.MultiDiGraph``; node ids are entity IRIs, edge keys
    ``e0``, ``e1``, ... in (subject, relation, object) order. With ``viz``,
    nodes and edges carry GEXF's ``viz`` attributes as the page draws them
    (position, colour and size of nodes; colour and thickness of edges), and
    edges of symmetric relations are ``type="undirected"``.
    """
    import networkx as nx

    from kg.html import graph_to_networkx, node_display

    source = graph_to_networkx(graph)
    display = node_display(source) if viz else {}
    families = load_data("relations").get("families", {}) if viz else {}
    out = nx.MultiDiGraph()
    for node in sorted(source.nodes):
        data = source.nodes[node]
        types = list(data.get("types") or [])
        attrs: dict[str, Any] = {
            "label": str(data.get("label") or node),
            "type": types[0] if types else "Entity",
            "types": "; ".join(types),
            "aliases": "; ".join(data.get("aliases") or []),
        }
        for axis in ("lat", "long"):
            if data.get(axis) is not None:
                attrs[axis] = float(data[axis])
        if data.get("geonames"):
            attrs["geonames"] = str(data["geonames"])
        if viz:
            look = display[node]
            # the page's canvas has y down, GEXF (Gephi) y up
            attrs["viz"] = {"position": {"x": float(look["x"]), "y": float(-look["y"]), "z": 0.0},
                            "color": _rgba(look["color"]), "size": float(look["size"])}
        out.add_node(node, **attrs)
    edges = sorted(source.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    for index, (u, v, _key, data) in enumerate(edges):
        docs = sorted({ev["doc"] for ev in data.get("evidence") or [] if ev.get("doc")})
        attrs = dict(
            id=f"e{index}",
            label=str(data["relation"]),
            relation=str(data["relation"]),
            family=str(data.get("family") or ""),
            symmetric=bool(data.get("symmetric")),
            asserted=bool(data.get("asserted", True)),
            count=int(data.get("count") or 0),
            sources=int(data.get("sources") or 0),
            documents="; ".join(docs),
        )
        if viz:
            color = (families.get(data.get("family") or "", {}) or {}).get("color") or "#757575"
            count = max(int(data.get("count") or 1), 1)
            attrs["viz"] = {"color": _rgba(color), "thickness": round(1.5 + 1.5 * math.log2(count), 2)}
            if data.get("symmetric"):
                attrs["type"] = "undirected"
        out.add_edge(u, v, key=f"e{index}", **attrs)
    return out


def _rgba(color: str) -> dict[str, Any]:
    """GEXF's viz colour of ``#rrggbb``.

    >>> _rgba("#3949ab")
    {'r': 57, 'g': 73, 'b': 171, 'a': 1.0}
    """
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        color = "#757575"
    return {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16), "a": 1.0}


def graphml_bytes(graph: Graph) -> bytes:
    """GraphML of :func:`entity_network`."""
    import networkx as nx

    network = entity_network(graph)
    for _u, _v, data in network.edges(data=True):
        del data["id"]  # GraphML takes the edge key as id
    buffer = io.BytesIO()
    nx.write_graphml(network, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def gexf_bytes(graph: Graph) -> bytes:
    """GEXF 1.2 of :func:`entity_network` with the page's positions, colours and
    sizes (``viz``), symmetric relations undirected (no modification date: stable bytes)."""
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(entity_network(graph, viz=True), buffer, encoding="utf-8", prettyprint=True)
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue(), count=1)


#: Neo4j's import headers (``neo4j-admin database import full --nodes=nodes.csv
#: --relationships=relationships.csv``): property name, ``:type``; arrays split on ``;``.
NEO4J_NODE_HEADER = ["id:ID", "label", ":LABEL", "types:string[]", "aliases:string[]", "lat:double",
                     "long:double", "geonames"]
NEO4J_RELATIONSHIP_HEADER = [":START_ID", ":END_ID", ":TYPE", "relation", "family", "symmetric:boolean",
                             "asserted:boolean", "count:int", "sources:int", "documents:string[]"]


def neo4j_files(graph: Graph) -> dict[str, bytes]:
    """``nodes.csv`` and ``relationships.csv`` of :func:`entity_network` for
    ``neo4j-admin database import``: entities with their classes as labels
    (``State;Place``), relation triples as relationships whose type is the
    relation in upper case (``TRUCE_WITH``; the ``relation`` property keeps
    kg's name). A symmetric relation is one relationship, in its stored order.
    """
    network = entity_network(graph)
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(NEO4J_NODE_HEADER)
    for node, data in network.nodes(data=True):
        labels = [t for t in data["types"].split("; ") if t] or ["Entity"]
        writer.writerow([node, data["label"], ";".join(labels), ";".join(labels),
                         ";".join(a.replace(";", ",") for a in data["aliases"].split("; ") if a),
                         data.get("lat", ""), data.get("long", ""), data.get("geonames", "")])
    relationships = io.StringIO()
    writer = csv.writer(relationships, lineterminator="\n")
    writer.writerow(NEO4J_RELATIONSHIP_HEADER)
    for u, v, data in network.edges(data=True):
        writer.writerow([u, v, data["relation"].upper(), data["relation"], data["family"],
                         str(data["symmetric"]).lower(), str(data["asserted"]).lower(), data["count"],
                         data["sources"], data["documents"].replace("; ", ";")])
    return {"nodes.csv": nodes.getvalue().encode("utf-8"),
            "relationships.csv": relationships.getvalue().encode("utf-8")}


# --------------------------------------------------------------------------
# Entry points


def export_bytes(directory: str | Path = "output", fmt: str = "trig") -> bytes:
    """The export of the build in ``directory`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise KgError(f"unknown export format {fmt!r}; one of: {', '.join(FORMATS)}")
    graph = read_graph(directory)
    if fmt in ("trig", "nq"):
        graphs = named_graphs(directory, graph) if Path(directory).is_dir() else split_by_document(graph)
        return trig_bytes(graphs) if fmt == "trig" else nquads_bytes(graphs)
    writer = {"jsonld": jsonld_bytes, "nt": ntriples_bytes, "graphml": graphml_bytes, "gexf": gexf_bytes}[fmt]
    return writer(graph)


def export(directory: str | Path = "output", fmt: str = "trig", *, out: str | Path | None = None) -> Path:
    """Write the export to ``out`` (default ``DIR/graph.<ext>``); returns its path.

    ``neo4j`` writes a folder (default ``DIR/neo4j``) holding ``nodes.csv``
    and ``relationships.csv``.
    """
    directory = Path(directory)
    base = directory if directory.is_dir() else directory.parent
    if fmt == "neo4j":
        folder = Path(out) if out is not None else base / "neo4j"
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{folder}: is a file; neo4j writes a folder (nodes.csv, relationships.csv)")
        files = neo4j_files(read_graph(directory))
        for name, data in files.items():
            write_atomic(folder / name, data)
        return folder
    if out is None:
        out = base / f"graph.{FORMATS.get(fmt, fmt)}"
    data = export_bytes(directory, fmt)
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give a file name with --out")
    write_atomic(out, data)
    return out
