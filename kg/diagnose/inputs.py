"""What the diagnosis reads: the source documents, read again as ``kg build`` reads them, and the graph."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from kg.errors import InputError
from kg.evaluate import Gold, ScoringView, local_name
from kg.records import Mention, Span


# -- the source document, read again -------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A source document as ``kg build`` reads it: file text, ingest's body, sentences, mentions.

    Offsets are into ``text`` (the decoded file). ``names`` maps each linked
    entity id to its label and the names the document gives it.
    """

    doc: str
    path: str
    text: str
    body: str
    sentences: tuple[Span, ...]
    mentions: tuple[Mention, ...]
    names: Mapping[str, frozenset[str]]
    title: str | None = None

    def masked_share(self, span: Span) -> float:
        """Share of the visible characters of ``span`` that ingest blanked."""
        visible = [i for i in range(span.start, span.end) if not self.text[i].isspace()]
        if not visible:
            return 0.0
        return sum(1 for i in visible if self.body[i].isspace()) / len(visible)

    def sentences_in(self, span: Span) -> list[Span]:
        return [s for s in self.sentences if overlap(s, span)]

    def mentions_in(self, span: Span) -> list[Mention]:
        return [m for m in self.mentions if overlap(m.span, span)]

    def line(self, offset: int) -> Span:
        """The line holding ``offset``."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return Span(start, len(self.text) if end < 0 else end)


def read_source(path: str | Path, *, model: str | None = None) -> Source:
    """Read, mask, parse and link one file as ``kg build`` does.

    Raises :class:`~kg.errors.InputError` when ingest rejects the file.
    """
    from kg.chunking import Part, split_document
    from kg.engines import extractor_info, link_batch
    from kg.ingest import read_document
    from kg.records import IngestError

    document = read_document(path)
    if isinstance(document, IngestError):
        raise InputError(str(document))
    parts = split_document(document, extractor_info(model).chunk_limit)
    sentences: list[Span] = []
    mentions: list[Mention] = []
    names: dict[str, set[str]] = defaultdict(set)
    for part, linked in zip(parts, link_batch(parts, model)):
        base = part.offset if isinstance(part, Part) else 0
        for sent in linked.doc.sents:
            if part.body[sent.start_char:sent.end_char].strip():
                sentences.append(Span(base + sent.start_char, base + sent.end_char))
        for m in linked.mentions:
            mentions.append(Mention(m.entity, _shift(m.span, base), m.text, _shift(m.sentence, base)))
        for entity_id, entity in linked.entities.items():
            names[entity_id].add(entity.label)
        for entity_id, seen in linked.surface.items():
            names[entity_id].update(seen)
    return Source(document.id, document.path, document.text, document.body, tuple(sentences), tuple(mentions),
                  MappingProxyType({e: frozenset(n) for e, n in names.items()}), document.title)


def _shift(span: Span, base: int) -> Span:
    return Span(span.start + base, span.end + base) if base else span


def overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


# -- the graph, indexed for diagnosis ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence sentence of a statement, in one document."""

    text: str
    span: Span | None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Predicted:
    """A triple the graph sources to a document, its ends' gold entities and its evidence there."""

    subject: str  #: node IRI
    relation: str
    object: str
    subject_ids: frozenset[str]
    object_ids: frozenset[str]
    evidence: tuple[Evidence, ...]

    def names(self, view: ScoringView) -> str:
        from rdflib import URIRef

        return f"{min(view.names(URIRef(self.subject)))} --{self.relation}--> {min(view.names(URIRef(self.object)))}"


class GraphIndex:
    """What the diagnosis reads from a graph: per document, its triples with
    evidence (by the scorer's rules of attribution), its file path and hash;
    the raw names of nodes."""

    def __init__(self, graph, gold: Gold):
        from rdflib import Literal, URIRef

        from kg.vocab import DCTERMS, KGO, PROV, RDF, RDFS, SKOS

        self.graph = graph
        self.view = ScoringView(graph, gold)
        self.gold = gold
        g = graph
        rdf_s, rdf_p, rdf_o = RDF.subject, RDF.predicate, RDF.object
        derived, part_of = PROV.wasDerivedFrom, DCTERMS.isPartOf
        identifier, path, content = DCTERMS.identifier, KGO.sourcePath, KGO.contentHash
        text, begin, end, rule, occurrence = (KGO[n] for n in ("text", "beginOffset", "endOffset",
                                                               "extractedBy", "occurrence"))
        self.paths: dict[str, tuple[str, str]] = {}  # doc id -> (sourcePath, contentHash)
        for node, doc in g.subject_objects(identifier):
            if isinstance(doc, Literal) and (node, path, None) in g:
                self.paths[str(doc)] = (str(g.value(node, path)), str(g.value(node, content) or ""))
        gathered: dict[str, dict[tuple, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
        self.nodes: set = set()
        for st in sorted(set(g.subjects(rdf_s, None))):
            s, p, o = g.value(st, rdf_s), g.value(st, rdf_p), g.value(st, rdf_o)
            if s is None or p is None or o is None:
                continue
            self.nodes.update((s, o))
            for doc in sorted(self.view.documents(st)):
                bucket = gathered[doc][(str(s), local_name(p), str(o))]
                for ev in sorted(g.objects(st, derived)):
                    # where the sentence stands in each document (kgo:occurrence), or on the evidence itself
                    for place in sorted(g.objects(ev, occurrence)) or [ev]:
                        doc_node = g.value(place, part_of)
                        owner = g.value(doc_node, identifier) if doc_node is not None else None
                        if owner is not None and str(owner) != doc or owner is None and doc not in str(place):
                            continue
                        a, b = g.value(place, begin), g.value(place, end)
                        span = Span(int(a), int(b)) if a is not None and b is not None else None
                        said = g.value(place, text) or g.value(ev, text) or ""
                        bucket.append(Evidence(str(said), span, str(g.value(ev, rule) or "")))
        self.predicted: dict[str, tuple[Predicted, ...]] = {
            doc: tuple(Predicted(s, rel, o, self.view.gold_ids(URIRef(s)), self.view.gold_ids(URIRef(o)),
                                 tuple(evs)) for (s, rel, o), evs in sorted(triples.items()))
            for doc, triples in gathered.items()}
        labels = [RDFS.label, SKOS.altLabel, SKOS.prefLabel]
        #: Raw names of the statements' nodes, by node.
        self.labels: dict = {n: frozenset(str(v) for p in labels for v in g.objects(n, p) if isinstance(v, Literal))
                             for n in self.nodes}

    def node_names_of(self, entity_id: str) -> frozenset[str]:
        """Raw names of the graph node of a kg entity id (empty when the graph has none)."""
        from kg.vocab import entity_iri

        return self.labels.get(entity_iri(entity_id), frozenset())

    def gold_names(self) -> dict[str, set[str]]:
        """Every name that identifies a gold entity: gold aliases and names of nodes that match one."""
        names: dict[str, set[str]] = defaultdict(set)
        for entity, aliases in self.gold.aliases.items():
            for alias in aliases:
                names[alias].add(entity)
        for node, raw in self.labels.items():
            ids = self.view.gold_ids(node)
            for name in raw:
                names[name].update(ids)
        return names

    def between(self, doc: str, a: str, b: str) -> list[Predicted]:
        """The document's triples between gold entities ``a`` and ``b``, either way round."""
        return [t for t in self.predicted.get(doc, ())
                if (a in t.subject_ids and b in t.object_ids) or (b in t.subject_ids and a in t.object_ids)]


# -- finding the source file -------------------------------------------------------------------

def find_source(doc: str, index: GraphIndex, *, texts: Sequence[str | Path] = (),
                graph_path: Path | None = None, gold_path: Path | None = None) -> Path | None:
    """The file of document ``doc``: in a ``texts`` folder (by its stem), at the
    graph's ``kgo:sourcePath`` (as given, or from the graph's folder and the
    two above it), or in a ``texts`` folder beside the gold file."""
    from kg.ingest import DEFAULT_SUFFIXES

    def by_stem(folder: Path) -> Path | None:
        for suffix in DEFAULT_SUFFIXES:
            if (folder / f"{doc}{suffix}").is_file():
                return folder / f"{doc}{suffix}"
        return None

    for folder in texts:
        found = by_stem(Path(folder))
        if found:
            return found
    recorded = index.paths.get(doc, ("", ""))[0]
    if recorded:
        bases = [Path.cwd()]
        if graph_path is not None:
            bases += list(Path(graph_path).resolve().parents)[:3]
        for base in bases:
            candidate = base / recorded
            if candidate.is_file():
                return candidate
    if gold_path is not None:
        return by_stem(Path(gold_path).resolve().parent / "texts")
    return None
