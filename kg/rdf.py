"""The RDF graph: entities, relation triples, statements and their evidence.

Implements the contract of DESIGN.md. Every relation triple is asserted
directly and reified as one ``rdf:Statement`` whose ``prov:wasDerivedFrom``
points at ``kgo:Evidence`` nodes (sentence text, offsets, document). The same
triple seen again adds evidence to the same statement. IRIs are minted from
content, never from counters or blank nodes, so output is deterministic.

>>> from kg.records import Agreement, Claim, Document, Entity, Span
>>> doc = Document(id="d1", path="d1.txt", text="SDF and ISIS agreed a truce.", body="SDF and ISIS agreed a truce.")
>>> claim = Claim("sdf", "truce_with", "isis", doc="d1", sentence=Span(0, 28), text=doc.text)
>>> ents = {"sdf": Entity("sdf", "Syrian Democratic Forces", ("ArmedGroup",)),
...         "isis": Entity("isis", "Islamic State", ("ArmedGroup",))}
>>> g = GraphBuilder()
>>> node = g.add_document(doc)
>>> g.add_claims([claim], ents, {"sdf": {"SDF"}, "isis": {"ISIS"}})
1
>>> len(list(g.graph.subjects(RDF.type, RDF.Statement)))
1
"""
from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.errors import OutputError
from kg.records import Agreement, Claim, Document, Entity
from kg.resources import load_data
from kg.vocab import GEO, KGO, KGR, agreement_iri, document_iri, entity_iri, evidence_iri, statement_iri

_ILLEGAL = {c: " " for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
#: Modalities under which the writer or a source puts the triple forward: the
#: triple is asserted. Denied and unconfirmed claims are only reified.
ASSERTING = frozenset({"asserted", "reported", "planned"})


def clean_literal(text: str) -> str:
    """Text safe for any RDF serialiser: no control chars or lone surrogates.

    >>> clean_literal("a\\x00b\\ud800c")
    'a b c'
    """
    text = text.translate(_ILLEGAL)
    return "".join(" " if 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" else c for c in text)


def new_graph() -> Graph:
    """An empty graph with kg's prefixes bound (for readable Turtle)."""
    graph = Graph(bind_namespaces="core")
    graph.bind("kgo", KGO)
    graph.bind("kgr", KGR)
    graph.bind("geo", GEO)
    graph.bind("prov", PROV)
    graph.bind("dcterms", DCTERMS)
    graph.bind("skos", SKOS)
    graph.bind("owl", OWL)
    return graph


class GraphBuilder:
    """Accumulates documents and claims into one rdflib graph."""

    def __init__(self, graph: Graph | None = None):
        self.graph = graph if graph is not None else new_graph()
        self.relations = load_data("relations")["relations"]

    def add_document(self, doc: Document) -> URIRef:
        """Describe a source document: identifier, path, title, publisher, date."""
        g = self.graph
        node = document_iri(doc.id)
        g.add((node, RDF.type, KGO.Document))
        g.add((node, DCTERMS.identifier, Literal(clean_literal(doc.id))))
        g.add((node, KGO.sourcePath, Literal(clean_literal(doc.path))))
        if doc.sha256:
            g.add((node, KGO.contentHash, Literal(doc.sha256)))
        if doc.title:
            g.add((node, DCTERMS.title, Literal(clean_literal(doc.title))))
        if doc.publisher:
            g.add((node, DCTERMS.publisher, Literal(clean_literal(doc.publisher))))
        if doc.date:
            g.add((node, DCTERMS.date, Literal(doc.date, datatype=XSD.date)))
        return node

    def add_entity(self, entity: Entity, names: Iterable[str] = ()) -> URIRef:
        """Type and label an entity; every other name seen becomes an altLabel."""
        g = self.graph
        node = entity_iri(entity.id)
        for kind in entity.types:
            g.add((node, RDF.type, KGO[kind]))
        label = clean_literal(entity.label)
        g.add((node, RDFS.label, Literal(label)))
        for name in names:
            name = clean_literal(name).strip()
            if name and name != label:
                g.add((node, SKOS.altLabel, Literal(name)))
        if entity.lat is not None and entity.long is not None:
            g.add((node, GEO.lat, Literal(str(round(float(entity.lat), 6)), datatype=XSD.decimal)))
            g.add((node, GEO.long, Literal(str(round(float(entity.long), 6)), datatype=XSD.decimal)))
        return node

    def add_claims(self, claims: Iterable[Claim], entities: Mapping[str, Entity],
                   names: Mapping[str, Iterable[str]]) -> int:
        """Assert and reify each claim; returns how many claims were added."""
        g = self.graph
        count = 0
        for claim in claims:
            spec = self.relations[claim.relation]
            subject, obj = claim.subject, claim.object
            if spec["symmetric"] and obj < subject:
                subject, obj = obj, subject
            s_node = self.add_entity(entities[subject], names.get(subject, ()))
            o_node = self.add_entity(entities[obj], names.get(obj, ()))
            predicate = KGO[claim.relation]
            if claim.modality in ASSERTING:
                g.add((s_node, predicate, o_node))
            statement = statement_iri(subject, claim.relation, obj)
            g.add((statement, RDF.type, RDF.Statement))
            g.add((statement, RDF.subject, s_node))
            g.add((statement, RDF.predicate, predicate))
            g.add((statement, RDF.object, o_node))
            evidence = self._add_evidence(claim, entities, names)
            g.add((statement, PROV.wasDerivedFrom, evidence))
            count += 1
        return count

    def add_agreements(self, agreements: Iterable[Agreement], entities: Mapping[str, Entity],
                       names: Mapping[str, Iterable[str]], *, date: str | None = None) -> int:
        """One kgo:Agreement node per agreement, linked to parties, brokers, places, evidence."""
        g = self.graph
        count = 0
        for agreement in agreements:
            node = agreement_iri(agreement.doc, agreement.anchor)
            g.add((node, RDF.type, KGO.Agreement))
            g.add((node, KGO.agreementType, Literal(clean_literal(agreement.kind))))
            labels = []
            for prop, ids in ((KGO.party, agreement.parties), (KGO.broker, agreement.brokers),
                              (KGO.place, agreement.places)):
                for entity_id in ids:
                    if entity_id in entities:
                        g.add((node, prop, self.add_entity(entities[entity_id], names.get(entity_id, ()))))
                        if prop == KGO.party:
                            labels.append(entities[entity_id].label)
            g.add((node, RDFS.label, Literal(clean_literal(f"{agreement.kind}: {' – '.join(labels) or '?'}"))))
            if date:
                g.add((node, DCTERMS.date, Literal(date, datatype=XSD.date)))
            claim = Claim("", "", "", doc=agreement.doc, sentence=agreement.sentence, text=agreement.text,
                          rule=f"agreement:{agreement.kind}", modality=agreement.modality, speaker=agreement.speaker)
            g.add((node, PROV.wasDerivedFrom, self._add_evidence(claim, entities, names)))
            count += 1
        return count

    def _add_evidence(self, claim: Claim, entities: Mapping[str, Entity],
                      names: Mapping[str, Iterable[str]]) -> URIRef:
        g = self.graph
        qualifier = ""
        if claim.modality != "asserted" or claim.speaker:
            qualifier = "-".join(x for x in (claim.modality, claim.speaker) if x)
        node = evidence_iri(claim.doc, claim.sentence.start, claim.sentence.end, qualifier=qualifier)
        g.add((node, RDF.type, KGO.Evidence))
        g.add((node, KGO.text, Literal(clean_literal(claim.text))))
        g.add((node, KGO.beginOffset, Literal(claim.sentence.start)))
        g.add((node, KGO.endOffset, Literal(claim.sentence.end)))
        g.add((node, DCTERMS.isPartOf, document_iri(claim.doc)))
        g.add((node, KGO.modality, KGO[claim.modality]))
        if claim.speaker and claim.speaker in entities:
            g.add((node, KGO.attributedTo, self.add_entity(entities[claim.speaker], names.get(claim.speaker, ()))))
        if claim.rule:
            g.add((node, KGO.extractedBy, Literal(clean_literal(claim.rule))))
        return node

    def finish(self) -> Graph:
        """Write evidence and source counts on every statement; return the graph."""
        return add_counts(self.graph)


def add_counts(graph: Graph) -> Graph:
    """Set ``kgo:evidenceCount`` and ``kgo:sourceCount`` on every statement.

    Counted from the graph itself (distinct evidence nodes, distinct
    documents), so a union of per-document graphs gets the right figures.
    """
    evidence: dict = defaultdict(set)
    for statement, node in graph.subject_objects(PROV.wasDerivedFrom):
        evidence[statement].add(node)
    for statement, nodes in evidence.items():
        if (statement, RDF.type, RDF.Statement) not in graph:
            continue
        docs = {doc for node in nodes for doc in graph.objects(node, DCTERMS.isPartOf)}
        graph.set((statement, KGO.evidenceCount, Literal(len(nodes))))
        graph.set((statement, KGO.sourceCount, Literal(len(docs))))
    return graph


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` so that it is either the old file or the new one.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
    >>> write_atomic(p, b"ok"); p.read_bytes()
    b'ok'
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot write output: {exc.strerror or exc}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:  # also KeyboardInterrupt: never leave the temporary file
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write output: {exc.strerror or exc}") from None
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def turtle_bytes(graph: Graph) -> bytes:
    """Serialise to Turtle, deterministically (same graph, same bytes)."""
    return graph.serialize(format="turtle", encoding="utf-8")
