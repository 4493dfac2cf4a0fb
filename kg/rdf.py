"""The RDF graph: entities, relation triples, statements and their evidence.

Implements the contract of DESIGN.md. Every relation triple is asserted
directly and reified as one ``rdf:Statement`` whose ``prov:wasDerivedFrom``
points at ``kgo:Evidence`` nodes: one per sentence text (white space
normalised), with the documents it is part of and, for each, a
``kgo:Occurrence`` (its exact text there, character offsets, document). The
same triple seen again adds evidence to the same statement; the same sentence
in another document (a syndicated copy) adds a source to the same evidence.
IRIs are minted from content, never from counters or blank nodes, so output
is deterministic.

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
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.errors import OutputError
from kg.records import Agreement, Claim, Document, Entity, EventDate, Span
from kg.resources import load_data
from kg.store.scratch import oxigraph_copy  # noqa: F401 (kg.rdf's names, written in the store subpackage)
from kg.store.serialize import TURTLE_PREFIXES, TURTLE_SUBJECTS_PER_CHUNK, turtle_bytes, turtle_chunks  # noqa: F401
from kg import vocab
from kg.vocab import (BUILDER_PREFIXES, GEO, KGO, KGR, PRECISION_UNITS, TIME, agreement_iri, document_iri, entity_iri, evidence_iri,
                      geonames_iri, normalise_space, occurrence_iri, prefixes, statement_iri)

#: What :func:`clean_literal` blanks: control characters but tab, LF and CR;
#: lone surrogates; the non-characters U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Modalities under which the writer or a source puts the triple forward: the
#: triple is asserted. Denied and unconfirmed claims are only reified.
ASSERTING = frozenset({"asserted", "reported", "planned"})


def clean_literal(text: str) -> str:
    """Text safe for any RDF serialiser: no control chars or lone surrogates.

    >>> clean_literal("a\\x00b\\ud800c")
    'a b c'
    """
    return _ILLEGAL.sub(" ", text)


def new_graph(*extra: str) -> Graph:
    """An empty graph with kg's prefixes bound (for readable Turtle), and the prefixes ``extra`` of
    :data:`kg.vocab.NAMESPACES` after them.

    >>> str(dict(new_graph("sd").namespaces())["sd"])
    'http://www.w3.org/ns/sparql-service-description#'
    """
    graph = Graph(bind_namespaces="core")
    for name, namespace in prefixes((*BUILDER_PREFIXES, *extra)).items():
        graph.bind(name, namespace)
    return graph


class _Terms:
    """A namespace's terms as plain attributes: ``_KGO.text`` is ``KGO.text``, made once.

    Every rdflib namespace lookup builds (or looks up through Python code) a
    new term; the builder asks for the same few predicates for every claim.
    """

    def __init__(self, namespace):
        self._namespace = namespace
        self._made: dict[str, URIRef] = {}

    def __getitem__(self, name: str) -> URIRef:
        term = self._made.get(name)
        if term is None:
            term = self._made[name] = self._namespace[name]
        return term

    def __getattr__(self, name: str) -> URIRef:  # only for attributes not set yet
        if name.startswith("_"):
            raise AttributeError(name)
        term = self[name]
        setattr(self, name, term)  # from now on an ordinary attribute
        return term


_RDF, _RDFS, _XSD, _SKOS, _PROV, _DCTERMS, _OWL = (_Terms(ns) for ns in (RDF, RDFS, XSD, SKOS, PROV, DCTERMS, OWL))
_KGO, _GEO = _Terms(KGO), _Terms(GEO)

# IRIs and literals recur within a document (one evidence node per sentence,
# the same entities in claim after claim) and across documents; each is built
# once and reused (bounded caches: a long build does not grow them).
_document_iri = lru_cache(maxsize=1024)(document_iri)
_entity_iri = lru_cache(maxsize=4096)(entity_iri)
_evidence_iri = lru_cache(maxsize=1024)(evidence_iri)
_occurrence_iri = lru_cache(maxsize=1024)(occurrence_iri)


@lru_cache(maxsize=8192, typed=True)
def _literal(value: str | int, datatype: URIRef | None = None) -> Literal:
    """``Literal(value, datatype=datatype)``, reused."""
    return Literal(value, datatype=datatype)


def decimal_text(value: float) -> str:
    """A coordinate as a canonical ``xsd:decimal`` lexical form, to 6 places.

    Canonical as Oxigraph stores it (no trailing zeros, no trailing point), so
    the graph built in memory, the store and ``graph.ttl`` hold the same
    literal.

    >>> decimal_text(35.0), decimal_text(-0.5), decimal_text(39.0123456), decimal_text(-0.0000001)
    ('35', '-0.5', '39.012346', '0')
    """
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=4096)
def _entity_terms(entity: Entity) -> tuple[URIRef, tuple, str, tuple]:
    """What :meth:`GraphBuilder.add_entity` writes of an entity whatever its names.

    ``(node, type and label triples, cleaned label, coordinate and GeoNames triples)``.

    >>> place = Entity("raqqa", "Raqqa", ("Place",), lat=35.95, long=39.01, geonames=172955)
    >>> [t[1:] for t in _entity_terms(place)[3]][-1]
    (rdflib.term.URIRef('http://www.w3.org/2002/07/owl#sameAs'), rdflib.term.URIRef('https://sws.geonames.org/172955/'))
    """
    node = _entity_iri(entity.id)
    label = clean_literal(entity.label)
    head = tuple((node, _RDF.type, _KGO[kind]) for kind in entity.types) + ((node, _RDFS.label, _literal(label)),)
    tail = ()
    if entity.lat is not None and entity.long is not None:
        tail = ((node, _GEO.lat, _literal(decimal_text(entity.lat), _XSD.decimal)),
                (node, _GEO.long, _literal(decimal_text(entity.long), _XSD.decimal)))
    if entity.geonames is not None:
        tail += ((node, _OWL.sameAs, geonames_iri(entity.geonames)),)
    return node, head, label, tail


@lru_cache(maxsize=8192)
def _name(name: str) -> tuple[str, Literal | None]:
    """A name as an altLabel: its cleaned text and literal (None when blank)."""
    cleaned = clean_literal(name).strip()
    return cleaned, (_literal(cleaned) if cleaned else None)


class GraphBuilder:
    """Accumulates documents and claims into one rdflib graph."""

    def __init__(self, graph: Graph | None = None):
        self.graph = graph if graph is not None else new_graph()
        self.relations = load_data("relations")["relations"]

    def add_document(self, doc: Document) -> URIRef:
        """Describe a source document: identifier, path, title, publisher, date."""
        g = self.graph
        node = _document_iri(doc.id)
        g.add((node, _RDF.type, _KGO.Document))
        g.add((node, _DCTERMS.identifier, Literal(clean_literal(doc.id))))
        g.add((node, _KGO.sourcePath, Literal(clean_literal(doc.path))))
        if doc.sha256:
            g.add((node, _KGO.contentHash, Literal(doc.sha256)))
        if doc.title:
            g.add((node, _DCTERMS.title, Literal(clean_literal(doc.title))))
        if doc.publisher:
            g.add((node, _DCTERMS.publisher, Literal(clean_literal(doc.publisher))))
        if doc.date:
            g.add((node, _DCTERMS.date, _literal(doc.date, _XSD.date)))
            if doc.date_source:
                g.add((node, _KGO.dateSource, _literal(doc.date_source)))
        return node

    def add_entity(self, entity: Entity, names: Iterable[str] = ()) -> URIRef:
        """Type and label an entity; every other name seen becomes an altLabel."""
        add = self.graph.add
        node, head, label, tail = _entity_terms(entity)
        for triple in head:
            add(triple)
        for name in names:
            name, literal = _name(name)
            if literal is not None and name != label:
                add((node, _SKOS.altLabel, literal))
        for triple in tail:
            add(triple)
        return node

    def add_claims(self, claims: Iterable[Claim], entities: Mapping[str, Entity],
                   names: Mapping[str, Iterable[str]], *, dates: Mapping[Span, EventDate] | None = None) -> int:
        """Assert and reify each claim; returns how many claims were added.

        ``dates`` gives the date of each evidence sentence, by its span
        (:func:`kg.temporal.date_sentences`); a sentence it lacks is undated.
        """
        g = self.graph
        count = 0
        for claim in claims:
            spec = self.relations[claim.relation]
            subject, obj = claim.subject, claim.object
            if spec["symmetric"] and obj < subject:
                subject, obj = obj, subject
            s_node = self.add_entity(entities[subject], names.get(subject, ()))
            o_node = self.add_entity(entities[obj], names.get(obj, ()))
            predicate = _KGO[claim.relation]
            if claim.modality in ASSERTING:
                g.add((s_node, predicate, o_node))
            statement = statement_iri(subject, claim.relation, obj)
            g.add((statement, _RDF.type, _RDF.Statement))
            g.add((statement, _RDF.subject, s_node))
            g.add((statement, _RDF.predicate, predicate))
            g.add((statement, _RDF.object, o_node))
            evidence = self._add_evidence(claim, entities, names, dates.get(claim.sentence) if dates else None)
            g.add((statement, _PROV.wasDerivedFrom, evidence))
            count += 1
        return count

    def add_agreements(self, agreements: Iterable[Agreement], entities: Mapping[str, Entity],
                       names: Mapping[str, Iterable[str]], *, date: str | None = None,
                       dates: Mapping[Span, EventDate] | None = None) -> int:
        """One kgo:Agreement node per agreement, linked to parties, brokers, places, evidence.

        Its date is that of its evidence sentence (``dates``, by span), with
        its precision and source; without ``dates``, ``date`` (a plain date).
        """
        g = self.graph
        count = 0
        for agreement in agreements:
            node = agreement_iri(agreement.doc, agreement.anchor)
            g.add((node, _RDF.type, _KGO.Agreement))
            g.add((node, _KGO.agreementType, _literal(clean_literal(agreement.kind))))
            labels = []
            for prop, ids in ((_KGO.party, agreement.parties), (_KGO.broker, agreement.brokers),
                              (_KGO.place, agreement.places)):
                for entity_id in ids:
                    if entity_id in entities:
                        g.add((node, prop, self.add_entity(entities[entity_id], names.get(entity_id, ()))))
                        if prop == _KGO.party:
                            labels.append(entities[entity_id].label)
            g.add((node, _RDFS.label, Literal(clean_literal(f"{agreement.kind}: {' – '.join(labels) or '?'}"))))
            when = dates.get(agreement.sentence) if dates else None
            if when is not None and when.date:
                g.add((node, _DCTERMS.date, _literal(when.date, _XSD.date)))
                g.add((node, _KGO.datePrecision, PRECISION_UNITS[when.precision]))
                g.add((node, _KGO.dateSource, _literal(when.source)))
            elif date and dates is None:
                g.add((node, _DCTERMS.date, _literal(date, _XSD.date)))
            claim = Claim("", "", "", doc=agreement.doc, sentence=agreement.sentence, text=agreement.text,
                          rule=f"agreement:{agreement.kind}", modality=agreement.modality, speaker=agreement.speaker)
            g.add((node, _PROV.wasDerivedFrom, self._add_evidence(claim, entities, names, when)))
            count += 1
        return count

    def _add_evidence(self, claim: Claim, entities: Mapping[str, Entity],
                      names: Mapping[str, Iterable[str]], when: EventDate | None = None) -> URIRef:
        g = self.graph
        qualifier = ""
        if claim.modality != "asserted" or claim.speaker:
            qualifier = "-".join(x for x in (claim.modality, claim.speaker) if x)
        text = clean_literal(claim.text)
        # One piece of evidence per sentence text (white space normalised), whatever
        # documents it is in; where it stands in this one is its occurrence here.
        node = _evidence_iri(text, qualifier=qualifier)
        document = _document_iri(claim.doc)
        occurrence = _occurrence_iri(claim.doc, claim.sentence.start, claim.sentence.end)
        g.add((node, _RDF.type, _KGO.Evidence))
        g.add((node, _KGO.text, Literal(normalise_space(text))))
        g.add((node, _DCTERMS.isPartOf, document))
        g.add((node, _KGO.occurrence, occurrence))
        g.add((occurrence, _RDF.type, _KGO.Occurrence))
        g.add((occurrence, _KGO.text, Literal(text)))
        g.add((occurrence, _KGO.beginOffset, _literal(claim.sentence.start)))
        g.add((occurrence, _KGO.endOffset, _literal(claim.sentence.end)))
        g.add((occurrence, _DCTERMS.isPartOf, document))
        g.add((node, _KGO.modality, _KGO[claim.modality]))
        if claim.speaker and claim.speaker in entities:
            g.add((node, _KGO.attributedTo, self.add_entity(entities[claim.speaker], names.get(claim.speaker, ()))))
        if claim.rule:
            g.add((node, _KGO.extractedBy, _literal(clean_literal(claim.rule))))
        if when is not None:  # the date this copy speaks of: resolved against its own document's date
            if when.date:
                g.add((occurrence, _KGO.eventDate, _literal(when.date, _XSD.date)))
                g.add((occurrence, _KGO.datePrecision, PRECISION_UNITS[when.precision]))
            g.add((occurrence, _KGO.dateSource, _literal(when.source)))
            if when.expression:
                g.add((occurrence, _KGO.timeExpression, _literal(clean_literal(when.expression))))
        return node

    def finish(self) -> Graph:
        """Add the derived triples (evidence and source counts, first and last evidence
        dates: :mod:`kg.derived`); return the graph."""
        from kg.derived import add_derived

        return add_derived(self.graph)


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write bytes to ``path`` so that it is either the old file or the new one.

    ``data`` is bytes or an iterable of byte chunks, written one by one to a
    temporary file next to ``path`` that then replaces it: a large file is
    streamed, never held whole.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
    >>> write_atomic(p, b"ok"); p.read_bytes()
    b'ok'
    >>> write_atomic(p, iter([b"o", b"k!"])); p.read_bytes()
    b'ok!'
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
            for chunk in ((data,) if isinstance(data, (bytes, bytearray, memoryview)) else data):
                handle.write(chunk)
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
