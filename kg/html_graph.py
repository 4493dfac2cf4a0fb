"""kg's RDF graph as a networkx multigraph of entities and relations (the page's and GEXF's source).

See :func:`graph_to_networkx`; :mod:`kg.html` lays it out and writes the page.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.html_time import evidence_when
from kg.resources import load_data
from kg.vocab import ENTITY_CLASSES, GEO, GEONAMES, KGO

if TYPE_CHECKING:  # pragma: no cover - typing only
    import networkx
    import rdflib

__all__ = ["edge_evidence", "graph_to_networkx", "page_summary"]


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
    relations = _relations()
    index = _Index(graph)
    asserted = _asserted(graph, relations)
    edges: dict[tuple[str, str, str], set[Any]] = {key: set() for key in asserted}
    for key, evidence in _statements(index, relations, graph.subjects(RDF.type, RDF.Statement)):
        edges.setdefault(key, set()).update(evidence)
    out, documents = _with_nodes(graph, index, edges)
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


def page_summary(graph: rdflib.Graph) -> tuple[networkx.MultiDiGraph, _Index]:
    """What the page's layout needs, without the evidence: the nodes of
    :func:`graph_to_networkx` and its edges with ``relation``, ``family``,
    ``symmetric`` and ``asserted`` (no ``evidence``, ``count`` or ``sources``:
    :func:`edge_evidence` gives them edge by edge), and the documents; with
    the look-ups it made (one subject at a time, nothing kept that grows
    with the evidence), for :func:`edge_evidence`.

    >>> import rdflib
    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
    ... @base <https://w3id.org/kg-conflict/id/> .
    ... <entity/sdf> a kgo:ArmedGroup . <entity/raqqa> a kgo:Place .
    ... <entity/sdf> kgo:captured <entity/raqqa> .
    ... ''')
    >>> nxg, index = page_summary(g)
    >>> [(u.rsplit("/", 1)[1], k, "evidence" in d) for u, _v, k, d in nxg.edges(keys=True, data=True)]
    [('sdf', 'captured', False)]
    """
    relations = _relations()
    index = _Index(graph, per_subject=True)
    asserted = _asserted(graph, relations)
    edges = dict.fromkeys(asserted, ())
    for key in _statement_edges(graph, index, relations):
        edges.setdefault(key, ())
    out, documents = _with_nodes(graph, index, edges)
    for (s, name, o) in sorted(edges):
        out.add_edge(s, o, key=name, relation=name, family=relations[name].get("family"),
                     symmetric=bool(relations[name].get("symmetric")), asserted=(s, name, o) in asserted)
    out.graph["documents"] = dict(sorted(documents.items()))
    return out, index


def edge_evidence(graph: rdflib.Graph, index: _Index,
                  edges: Iterable[tuple[str, str, str]]) -> Iterator[list[dict[str, Any]]]:
    """The evidence of each edge ``(u, v, relation)`` of :func:`page_summary`, in the
    order given (grouped by ``u``), as :func:`graph_to_networkx` gives it.

    The statements are looked up one node at a time (those whose subject or
    object is ``u``, from the store's indexes), so what is held is one
    node's evidence, never the graph's.
    """
    relations = _relations()
    pending: dict[tuple[str, str, str], set[Any]] = {}
    current = None
    for u, v, name in edges:
        if u != current:
            current, node = u, URIRef(u)
            statements = {st for st in (*graph.subjects(RDF.subject, node), *graph.subjects(RDF.object, node))
                          if RDF.Statement in index.objects(st, RDF.type)}
            pending = {}
            for key, evidence in _statements(index, relations, sorted(statements, key=str)):
                if key[0] == u:
                    pending.setdefault(key, set()).update(evidence)
        found = pending.pop((u, name, v), ())
        yield sorted((index.evidence(ev) for ev in found if isinstance(ev, URIRef)), key=_evidence_sort_key)


def _statement_edges(graph: rdflib.Graph, index: _Index,
                     relations: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """The edge keys of the reified statements: on a store (:class:`kg.store.GraphView`),
    the distinct ones computed by the store (``kg/queries/build/page-edges.rq``)."""
    from kg.store import GraphView

    if not isinstance(graph, GraphView):
        for key, _evidence in _statements(index, relations, graph.subjects(RDF.type, RDF.Statement)):
            yield key
        return
    from kg.resources import load_build_sparql

    store = graph.store

    kgo = str(KGO)
    for row in store.query(load_build_sparql("page-edges")):
        predicate = row["predicate"].value
        name = predicate[len(kgo):] if predicate.startswith(kgo) else None
        if name in relations:
            yield _edge_key(relations, row["subject"].value, name, row["object"].value)


def _edge_key(relations: dict[str, dict[str, Any]], subject: Any, name: str, obj: Any) -> tuple[str, str, str]:
    s, o = str(subject), str(obj)
    if relations[name].get("symmetric") and o < s:
        s, o = o, s
    return (s, name, o)


def _asserted(graph: rdflib.Graph, relations: dict[str, dict[str, Any]]) -> set[tuple[str, str, str]]:
    """The edge keys of the relation triples (a symmetric one from the smaller IRI)."""
    found = set()
    for name in relations:
        for subject, obj in graph.subject_objects(KGO[name]):
            if isinstance(subject, URIRef) and isinstance(obj, URIRef):
                found.add(_edge_key(relations, subject, name, obj))
    return found


def _statements(index: _Index, relations: dict[str, dict[str, Any]],
                statements: Iterable[Any]) -> Iterator[tuple[tuple[str, str, str], list[Any]]]:
    """``(edge key, evidence nodes)`` of each reified statement of a relation."""
    kgo = str(KGO)
    for statement in statements:
        predicate = index.value(statement, RDF.predicate)
        name = str(predicate)[len(kgo):] if isinstance(predicate, URIRef) and str(predicate).startswith(kgo) else None
        subject = index.value(statement, RDF.subject)
        obj = index.value(statement, RDF.object)
        if name in relations and isinstance(subject, URIRef) and isinstance(obj, URIRef):
            yield _edge_key(relations, subject, name, obj), index.objects(statement, PROV.wasDerivedFrom)


def _with_nodes(graph: rdflib.Graph, index: _Index,
                edges: Iterable[tuple[str, str, str]]) -> tuple[networkx.MultiDiGraph, dict[str, dict[str, Any]]]:
    """A multigraph with a node per entity and per end of an edge, and the documents by id."""
    import networkx as nx

    entity_types: dict[str, set[str]] = {}
    for cls in ENTITY_CLASSES:
        for subject in graph.subjects(RDF.type, KGO[cls]):
            if isinstance(subject, URIRef):
                entity_types.setdefault(str(subject), set()).add(cls)
    nodes = set(entity_types)
    for s, _name, o in edges:
        nodes.update((s, o))
    out = nx.MultiDiGraph()
    documents: dict[str, dict[str, Any]] = {}
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
    return out, documents


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


#: Look-ups an :class:`_Index` with ``per_subject`` keeps (then forgets them all).
_RECENT = 20000


class _Index:
    """Fast look-ups in an rdflib graph: one pass per predicate, then dicts; or, with
    ``per_subject``, one look-up per subject and predicate (the store's index), the
    last few thousand kept, so that nothing it holds grows with the graph but the
    documents.

    Where a subject has several values for a property, the smallest (by
    kind, then text) wins, so results do not depend on the store's order.
    """

    def __init__(self, graph: rdflib.Graph, *, per_subject: bool = False):
        self.graph = graph
        self.per_subject = per_subject
        self._maps: dict[Any, dict[Any, list[Any]]] = {}
        self._recent: dict[tuple[Any, Any], list[Any]] = {}
        self._documents: dict[Any, dict[str, Any]] = {}

    def objects(self, subject: Any, predicate: Any) -> list[Any]:
        if self.per_subject:
            found = self._recent.get((subject, predicate))
            if found is None:
                if len(self._recent) >= _RECENT:
                    self._recent.clear()
                found = [o for _s, _p, o in self.graph.triples((subject, predicate, None))]
                self._recent[(subject, predicate)] = found
            return found
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

