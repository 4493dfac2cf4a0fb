"""Error analysis: why each miss and each false positive happened (``kg evaluate --errors``).

:func:`diagnose` scores a graph against gold (:func:`kg.evaluate.evaluate`,
the rules of ``../shared/eval/score.py``), then gives every error exactly one
cause, so that the counts per cause say where the work is.

For a **miss** (a gold triple no statement matched) the gold evidence is
found again in the source file (whitespace-, case- and quote-insensitive;
pieces joined by "..." are found one by one) and the file is read again the
way ``kg build`` reads it: ingest (:func:`kg.ingest.read_document`, which
masks page furniture), the spaCy pipeline and the linker
(:func:`kg.engines.link_batch`). The first of these that holds is the cause:

1. ``lost_in_ingest``: ingest masked most of the evidence, or every mention
   of one of the two gold entities in it;
2. ``wrong_relation``: the graph has a triple between the two entities read
   from the evidence sentence, with another relation or the other direction;
3. ``not_linked``: no sentence of the evidence has both entities linked, but
   one names both (by a gold alias or a name of the entity's graph node) and
   one of the names is not linked, or linked to an entity that is not the
   gold one;
4. ``no_frame`` / ``wrong_relation``: a sentence has both entities linked;
   the graph has no triple between them in that document (no frame fired),
   or only with another relation or direction;
5. ``no_shared_sentence``: no sentence of the evidence names both (it spans
   sentences, or one entity is only implied: coreference or inference). A
   triple between the two read from another sentence is named as a hint,
   not counted as a relation error: this evidence could not give the triple.

``no_source`` says the source file was not found (nothing re-read).

A **false positive** is read from its evidence sentences in the graph:
``furniture`` when every one of them is page furniture ingest let through (a
caption whose credit ingest masked, a headline-like line right after masked
furniture; a line a gold evidence quotes is never furniture);
``wrong_relation`` when the gold relates the pair otherwise; ``mislinked``
when an end matches no gold entity, or is named nowhere in the sentence while
the sentence names a gold entity that nothing links (the end came from
coreference); ``spurious_frame`` otherwise.

An entity "is" a gold entity when one of its names (its graph node's labels,
else its label and the names it has in the document) normalises to a gold
alias, as the scorer matches nodes.

>>> sorted(MISS_CAUSES) == sorted(['lost_in_ingest', 'not_linked', 'no_frame', 'wrong_relation',
...                                'no_shared_sentence', 'no_source'])
True
>>> Folded("The U.S.-backed  \u201cSDF\u201d").lower
'the us backed sdf'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from kg.errors import InputError
from kg.evaluate import (Evaluation, Gold, Key, ScoringView, as_gold, evaluate, local_name, micro_average,
                         normalize_label, parse_graph)
from kg.records import Mention, Span

#: Causes of a miss, in the order they are tried.
MISS_CAUSES = MappingProxyType({
    "lost_in_ingest": "sentence lost in ingest",
    "not_linked": "gold entity mentioned but not linked, or linked to another entity",
    "no_frame": "both entities linked in one sentence, but no frame fired",
    "wrong_relation": "wrong relation or wrong direction",
    "no_shared_sentence": "no sentence with both entities (coreference or inference)",
    "no_source": "source text not found: not diagnosed",
})
#: Causes of a false positive, in the order they are tried.
FALSE_POSITIVE_CAUSES = MappingProxyType({
    "furniture": "read from page furniture",
    "wrong_relation": "wrong relation or wrong direction: gold relates the pair otherwise",
    "mislinked": "an end matches no gold entity, or the wrong one",
    "spurious_frame": "a frame fired where gold reads no relation",
})
#: Share of the evidence's visible characters ingest must mask for the sentence to count as lost.
LOST_SHARE = 0.5
#: Longest excerpt of a sentence shown in the report.
EXCERPT_CHARS = 160
#: A furniture headline has at most this many words.
HEADLINE_WORDS = 20

_KGO = "https://w3id.org/kg-conflict/ontology#"
_DCTERMS = "http://purl.org/dc/terms/"
_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
           "http://www.w3.org/2004/02/skos/core#prefLabel")
_DROPPED = frozenset(".'`\u2019\u2018\u02bc")  # dropped as the scorer drops them ("U.S." is "US")
_PIECES = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


# -- records -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Diagnosed:
    """One error and its cause."""

    kind: str  #: "FN" (a miss) or "FP" (a false positive)
    doc: str
    triple: tuple[str, str, str]  #: (subject, relation, object): gold ids (FN) or node names (FP)
    cause: str  #: a key of :data:`MISS_CAUSES` or :data:`FALSE_POSITIVE_CAUSES`
    detail: str  #: what was seen, in a few words
    sentence: str = ""  #: the sentence concerned, whitespace collapsed
    surface: str = ""  #: the name not linked or mislinked, when that is the cause

    def to_dict(self) -> dict:
        return {"kind": self.kind, "doc": self.doc, "triple": list(self.triple), "cause": self.cause,
                "detail": self.detail, "sentence": self.sentence, "surface": self.surface}

    def lines(self) -> list[str]:
        s, p, o = self.triple
        out = [f"{self.kind} [{self.cause}] {self.doc}: {s} --{p}--> {o}", f"    {self.detail}"]
        if self.sentence:
            out.append(f"    \u00ab{excerpt(self.sentence)}\u00bb")
        return out


@dataclass(frozen=True)
class ErrorAnalysis:
    """A graph's evaluation and the cause of each of its errors."""

    evaluation: Evaluation
    errors: tuple[Diagnosed, ...]
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"false_negatives": {cause: n}, "false_positives": {cause: n}}``, every cause listed."""
        found = Counter((e.kind, e.cause) for e in self.errors)
        return {"false_negatives": {c: found["FN", c] for c in MISS_CAUSES},
                "false_positives": {c: found["FP", c] for c in FALSE_POSITIVE_CAUSES}}

    def to_dict(self) -> dict:
        """The evaluation as ``kg evaluate --json`` gives it, with ``diagnosis`` added."""
        return {**self.evaluation.to_dict(), "diagnosis": {
            "counts": self.counts(), "errors": [e.to_dict() for e in self.errors],
            "warnings": list(self.warnings)}}

    def count_lines(self) -> list[str]:
        counts = self.counts()
        lines = [f"misses by cause (fn={self.evaluation.overall.fn}):"]
        lines += [f"  {c:20} {n:4}  {MISS_CAUSES[c]}" for c, n in counts["false_negatives"].items()]
        lines.append(f"false positives by cause (fp={self.evaluation.overall.fp}):")
        lines += [f"  {c:20} {n:4}  {FALSE_POSITIVE_CAUSES[c]}" for c, n in counts["false_positives"].items()]
        return lines

    def report(self) -> str:
        """The score tables, the counts per cause, each error with its cause, the overall line."""
        lines = self.evaluation.table_lines() + [""] + self.count_lines() + [""]
        lines += [f"note: {w}" for w in self.warnings]
        for error in self.errors:
            lines += error.lines()
        lines.append(self.evaluation.overall_line())
        return "\n".join(lines)


def part_names(golds: Sequence[str | Path]) -> list[str]:
    """Short names for parts: the gold files' folders when distinct, else their stems, else numbers.

    >>> part_names(["eval/c/gold.json", "eval/d/gold.json"]), part_names(["a.json", "b/a.json"])
    (['c', 'd'], ['part1', 'part2'])
    """
    for names in ([Path(g).resolve().parent.name for g in golds], [Path(g).stem for g in golds]):
        if len(set(names)) == len(names):
            return names
    return [f"part{i + 1}" for i in range(len(golds))]


def _evaluation(result: Evaluation | ErrorAnalysis) -> Evaluation:
    return result.evaluation if isinstance(result, ErrorAnalysis) else result


def parts_report(results: Sequence[Evaluation | ErrorAnalysis], names: Sequence[str]) -> str:
    """Several parts: each one's report under its name; with error analyses, the
    counts per cause side by side and summed; last, the micro-averaged scores."""
    lines: list[str] = []
    for name, result in zip(names, results):
        lines += [f"== {name}: {_evaluation(result).graph} ==", result.report(), ""]
    if results and all(isinstance(r, ErrorAnalysis) for r in results):
        width = max([5, *(len(n) for n in names)])
        lines.append(f"{'errors by cause':32}" + "".join(f" {n:>{width}}" for n in names) + f" {'all':>5}")
        counts = [r.counts() for r in results]
        for kind, label, causes in (("false_negatives", "FN", MISS_CAUSES),
                                    ("false_positives", "FP", FALSE_POSITIVE_CAUSES)):
            for cause in causes:
                row = [c[kind][cause] for c in counts]
                lines.append(f"{label + ' ' + cause:32}" + "".join(f" {n:>{width}}" for n in row)
                             + f" {sum(row):>5}")
        lines.append("")
    o = micro_average([_evaluation(r) for r in results])
    lines.append(f"micro-averaged over {len(results)} parts: P={o.precision:.3f} R={o.recall:.3f} "
                 f"F1={o.f1:.3f} (tp={o.tp} fp={o.fp} fn={o.fn})")
    return "\n".join(lines)


def parts_dict(results: Sequence[Evaluation | ErrorAnalysis], names: Sequence[str]) -> dict:
    """Several parts as JSON data: each part's result by name and the micro-averaged scores."""
    return {"parts": {name: r.to_dict() for name, r in zip(names, results)},
            "overall": micro_average([_evaluation(r) for r in results]).to_dict(counts_first=False)}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` with white space collapsed, cut in the middle past ``limit`` characters.

    >>> excerpt("a  b\\n c")
    'a b c'
    >>> excerpt("x" * 10 + "y" * 10, 9)
    'xxxx\u2026yyyy'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "\u2026" + text[len(text) - half:]


# -- text folding and name finding ------------------------------------------------------

class Folded:
    """A text folded for matching (accents, case, quotes, punctuation and white
    space ignored), with the offset in the original of each folded character.

    ``cased`` keeps capitals (acronyms match only in capitals); ``lower`` is it in lower case.

    >>> f = Folded("Hay\u2019at  Tahrir-al-Sham")
    >>> f.lower, f.span(0, 5)
    ('hayat tahrir al sham', Span(start=0, end=6))
    """

    def __init__(self, text: str):
        cased: list[str] = []
        lower: list[str] = []
        where: list[int] = []
        space = True
        for i, ch in enumerate(text):
            chars = ch if ch.isascii() else "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            for c in chars:
                if c in _DROPPED:
                    continue
                if c.isalnum():
                    low = c.lower()
                    cased.append(c)
                    lower.append(low if len(low) == 1 else c)
                    where.append(i)
                    space = False
                elif not space:
                    cased.append(" ")
                    lower.append(" ")
                    where.append(i)
                    space = True
        if cased and cased[-1] == " ":
            cased.pop(), lower.pop(), where.pop()
        self.cased = "".join(cased)
        self.lower = "".join(lower)
        self.where = where

    def span(self, start: int, end: int) -> Span:
        """The original text's span of folded characters ``[start, end)``."""
        return Span(self.where[start], self.where[end - 1] + 1)

    def find_all(self, phrase: str) -> list[Span]:
        """Every place ``phrase`` occurs (folded, between word boundaries).

        >>> Folded("The SDF \u2018took\u2019 Raqqa.  The SDF left").find_all("sdf 'took' raqqa")
        [Span(start=4, end=20)]
        """
        key = Folded(phrase).lower
        if not key:
            return []
        return [self.span(m.start(), m.end())
                for m in re.finditer(r"(?<!\w)" + re.escape(key) + r"(?!\w)", self.lower)]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name of one or more gold entities found in a document's text."""

    span: Span
    surface: str
    ids: frozenset[str]


class NameFinder:
    """Finds, in a text, every name of a set of entities, longest first.

    ``names`` maps a name to the entity ids it denotes. Short all-capital
    names (acronyms: "IS", "US") match only in capitals; other names match
    in any case, with a plural "s" or "es".

    >>> finder = NameFinder({"Islamic State": {"isis"}, "IS": {"isis"}, "Raqqa": {"raqqa"}})
    >>> [(o.surface, sorted(o.ids)) for o in finder.find("IS is in raqqa; the Islamic States")]
    [('IS', ['isis']), ('raqqa', ['raqqa']), ('Islamic States', ['isis'])]
    """

    def __init__(self, names: Mapping[str, Iterable[str]]):
        from kg.gazetteer import is_acronym

        self.cased: dict[str, set[str]] = defaultdict(set)
        self.lower: dict[str, set[str]] = defaultdict(set)
        for name, ids in names.items():
            folded = Folded(name)
            if is_acronym(name.strip()):
                if folded.cased:
                    self.cased[folded.cased].update(ids)
            elif folded.lower:
                self.lower[folded.lower].update(ids)
        self._cased = self._pattern(self.cased, "")
        self._lower = self._pattern(self.lower, "(?:e?s)?")

    @staticmethod
    def _pattern(keys: Mapping[str, set[str]], plural: str) -> re.Pattern | None:
        if not keys:
            return None
        alternatives = "|".join(re.escape(k) for k in sorted(keys, key=lambda k: (-len(k), k)))
        return re.compile(rf"(?<!\w)(?P<name>{alternatives}){plural}(?!\w)")

    def find(self, text: str, folded: Folded | None = None) -> list[Occurrence]:
        """The occurrences in ``text``, longest first where they overlap, in text order."""
        folded = folded or Folded(text)
        found = []
        for pattern, source, keys in ((self._cased, folded.cased, self.cased),
                                      (self._lower, folded.lower, self.lower)):
            if pattern is None:
                continue
            for m in pattern.finditer(source):
                found.append((m.start(), m.end(), frozenset(keys[m["name"]])))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out: list[Occurrence] = []
        reach = -1
        for start, end, ids in found:
            if start < reach:
                continue
            span = folded.span(start, end)
            out.append(Occurrence(span, text[span.start:span.end], ids))
            reach = end
        return out


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
        return [s for s in self.sentences if _overlap(s, span)]

    def mentions_in(self, span: Span) -> list[Mention]:
        return [m for m in self.mentions if _overlap(m.span, span)]

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


def _overlap(a: Span, b: Span) -> bool:
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

        self.graph = graph
        self.view = ScoringView(graph, gold)
        self.gold = gold
        g = graph
        rdf_s, rdf_p, rdf_o = (URIRef(_RDF + n) for n in ("subject", "predicate", "object"))
        derived, part_of = URIRef(_PROV_DERIVED), URIRef(_DCTERMS + "isPartOf")
        identifier, path, content = URIRef(_DCTERMS + "identifier"), URIRef(_KGO + "sourcePath"), \
            URIRef(_KGO + "contentHash")
        text, begin, end, rule = (URIRef(_KGO + n) for n in ("text", "beginOffset", "endOffset", "extractedBy"))
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
                    doc_node = g.value(ev, part_of)
                    owner = g.value(doc_node, identifier) if doc_node is not None else None
                    if owner is not None and str(owner) != doc or owner is None and doc not in str(ev):
                        continue
                    a, b = g.value(ev, begin), g.value(ev, end)
                    span = Span(int(a), int(b)) if a is not None and b is not None else None
                    bucket.append(Evidence(str(g.value(ev, text) or ""), span, str(g.value(ev, rule) or "")))
        self.predicted: dict[str, tuple[Predicted, ...]] = {
            doc: tuple(Predicted(s, rel, o, self.view.gold_ids(URIRef(s)), self.view.gold_ids(URIRef(o)),
                                 tuple(evs)) for (s, rel, o), evs in sorted(triples.items()))
            for doc, triples in gathered.items()}
        labels = [URIRef(i) for i in _LABELS]
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


# -- the classifier -------------------------------------------------------------------------

class Diagnoser:
    """Classifies the errors of one evaluation; sources are read once each, on demand.

    ``sources`` maps a document id to its :class:`Source` (or None when it
    cannot be read); by default :func:`read_source` reads the file
    :func:`find_source` finds.
    """

    def __init__(self, gold: Gold, index: GraphIndex, sources: Mapping[str, Source | None]):
        self.gold = gold
        self.index = index
        self.sources = sources
        self.names = index.gold_names()
        self.finder = NameFinder(self.names)
        self._finders: dict[str, NameFinder] = {}
        self._occurrences: dict[str, list[Occurrence]] = {}
        self._folded: dict[str, Folded] = {}
        self._ids: dict[tuple[str, str], frozenset[str]] = {}

    # -- shared ----------------------------------------------------------
    def folded(self, source: Source) -> Folded:
        if source.doc not in self._folded:
            self._folded[source.doc] = Folded(source.text)
        return self._folded[source.doc]

    def occurrences(self, source: Source) -> list[Occurrence]:
        if source.doc not in self._occurrences:
            self._occurrences[source.doc] = self.finder.find(source.text, self.folded(source))
        return self._occurrences[source.doc]

    def entity_ids(self, source: Source, entity_id: str) -> frozenset[str]:
        """Gold entities a linked kg entity is, by its node's names, label and names in the document."""
        key = (source.doc, entity_id)
        if key not in self._ids:
            names = set(source.names.get(entity_id, ())) | self.index.node_names_of(entity_id)
            ids: set[str] = set()
            for name in names:
                ids |= self.gold.names.get(normalize_label(name), frozenset())
            self._ids[key] = frozenset(ids)
        return self._ids[key]

    def state(self, source: Source, entity: str, sentence: Span) -> "_InSentence":
        """How a gold entity appears in a sentence: the kg entities that are it
        there, and the first of its names that is not linked, or linked to an
        entity that is not it, or only in part."""
        mentions = source.mentions_in(sentence)
        linked: dict[str, str] = {}
        for m in mentions:
            if entity in self.entity_ids(source, m.entity):
                linked.setdefault(m.entity, m.text)
        problem = None
        for occ in self.occurrences(source):
            if entity not in occ.ids or not _overlap(occ.span, sentence):
                continue
            covering = [m for m in mentions if _overlap(m.span, occ.span)]
            if not covering:
                problem = (occ.surface, f"{entity} named {occ.surface!r}, not linked")
                break
            m = covering[0]
            others = self.entity_ids(source, m.entity)
            larger = m.span.start <= occ.span.start and m.span.end >= occ.span.end and m.span != occ.span
            if larger and others and entity not in others:
                continue  # part of another gold entity's name
            to = f"gold {', '.join(sorted(others))}" if others else "no gold entity"
            if entity not in others:
                problem = (occ.surface, f"{entity} named {occ.surface!r}, linked as {m.text!r} to {m.entity} ({to})")
                break
            if m.text != occ.surface and not larger and problem is None:
                problem = (occ.surface, f"{entity} named {occ.surface!r}, only {m.text!r} linked, to {m.entity} "
                                        f"({to})")
        return _InSentence(MappingProxyType(linked), problem)

    def nested(self, source: Source, entity: str, region: Sequence[Span]) -> str:
        """Where a name of ``entity`` stands inside another entity's name in ``region`` ("" if nowhere)."""
        if entity not in self._finders:
            self._finders[entity] = NameFinder({n: {entity} for n, ids in self.names.items() if entity in ids})
        for span in region:
            for inner in self._finders[entity].find(source.text[span.start:span.end]):
                at = Span(span.start + inner.span.start, span.start + inner.span.end)
                for occ in self.occurrences(source):
                    if _overlap(occ.span, at) and entity not in occ.ids:
                        return f"{entity} named only inside {occ.surface!r} ({', '.join(sorted(occ.ids))})"
        return ""

    # -- misses ----------------------------------------------------------
    def miss(self, doc: str, key: Key) -> Diagnosed:
        relation, subject, obj = key
        triple = (subject, relation, obj)
        source = self.sources.get(doc)
        if source is None:
            return Diagnosed("FN", doc, triple, "no_source", "source file not found or not readable")
        regions, note = self._regions(source, self.gold.evidence.get(doc, {}).get(key, ()))
        results = [self._miss_in(source, doc, key, region) for region in regions]
        # where the evidence occurs more than once, the occurrence the pipeline got furthest with
        cause, detail, sentence, surface = max(results, key=lambda r: _PROGRESS[r[0]])
        return Diagnosed("FN", doc, triple, cause, detail + note, sentence, surface)

    def _regions(self, source: Source, quotes: Sequence[str]) -> tuple[list[list[Span]], str]:
        """Each place the evidence occurs (a list of spans, one per "..." piece)."""
        folded = self.folded(source)
        regions: list[list[Span]] = []
        for quote in quotes:
            pieces = [p for p in _PIECES.split(quote) if Folded(p).lower]
            found = [folded.find_all(p) for p in pieces]
            if found and all(found):
                if len(pieces) == 1:
                    regions += [[span] for span in found[0]]
                else:
                    regions.append([spans[0] for spans in found])
        if regions:
            return regions, ""
        return [[Span(0, len(source.text))]], " (evidence not found in the text: whole document read)"

    def _miss_in(self, source: Source, doc: str, key: Key, region: list[Span]) -> tuple[str, str, str, str]:
        relation, subject, obj = key
        quoted = " ... ".join(source.text[s.start:s.end] for s in region)
        total = sum(s.end - s.start for s in region)
        share = sum(source.masked_share(s) * (s.end - s.start) for s in region) / max(1, total)
        if share >= LOST_SHARE:
            return "lost_in_ingest", f"ingest masked {share:.0%} of the evidence", quoted, ""
        for entity in (subject, obj):
            names = [o for o in self.occurrences(source) if entity in o.ids and any(_overlap(o.span, s) for s in region)]
            if names and all(source.masked_share(o.span) >= LOST_SHARE for o in names):
                return "lost_in_ingest", f"ingest masked {names[0].surface!r} ({entity})", quoted, names[0].surface
        sentences = sorted({s for r in region for s in source.sentences_in(r)}, key=lambda s: s.start)
        if not sentences:
            return "lost_in_ingest", "no sentence of the evidence was parsed", quoted, ""
        pair = self.index.between(doc, subject, obj)
        for triple in pair:
            for ev in triple.evidence:
                if ev.span is not None and any(_overlap(ev.span, s) for s in sentences):
                    return ("wrong_relation", f"graph has {triple.names(self.index.view)} from this sentence"
                            f"{_rule(ev)}, gold {subject} --{relation}--> {obj}", ev.text, "")
        states = [(s, self.state(source, subject, s), self.state(source, obj, s)) for s in sentences]
        both = [(s, a, b) for s, a, b in states if any(x != y for x in a.linked for y in b.linked)]
        if both:
            s, a, b = both[0]
            text = source.text[s.start:s.end]
            x, y = next((x, y) for x in a.linked for y in b.linked if x != y)
            if pair:
                return ("wrong_relation", f"both linked ({a.linked[x]!r}, {b.linked[y]!r}); graph has "
                        f"{'; '.join(t.names(self.index.view) for t in pair[:3])}", text, "")
            read = [f"{t.names(self.index.view)}{_rule(ev)}" for t in self.index.predicted.get(doc, ())
                    for ev in t.evidence if ev.span is not None and _overlap(ev.span, s)]
            also = f"; graph read from it: {'; '.join(read[:3])}" if read else "; graph read nothing from it"
            return "no_frame", f"{subject} {a.linked[x]!r} and {obj} {b.linked[y]!r} linked{also}", text, ""
        named = [(s, a, b) for s, a, b in states if a.named and b.named]
        if named:
            s, a, b = named[0]
            why = [x.problem for x in (a, b) if x.problem and not x.linked]
            if not why:  # both ends are one and the same kg entity
                shared, surface = next(iter((a.linked or b.linked).items()))
                why = [x.problem for x in (a, b) if x.problem]
                why.insert(0, (why[0][0] if why else surface,
                               f"{subject} and {obj} both only as {surface!r} ({shared})"))
            return "not_linked", "; ".join(w[1] for w in why), source.text[s.start:s.end], why[0][0]
        absent = [e for e, i in ((subject, 1), (obj, 2)) if not any(x[i].named for x in states)]
        if absent:
            why = "; ".join(self.nested(source, e, region) or f"{e} not named in the evidence" for e in absent)
        else:
            where = lambda i: [n + 1 for n, x in enumerate(states) if x[i].named]  # noqa: E731
            why = f"evidence spans {len(sentences)} sentences: {subject} in {where(1)}, {obj} in {where(2)}"
        if pair:
            why += f"; graph relates them elsewhere: {'; '.join(t.names(self.index.view) for t in pair[:3])}"
        return "no_shared_sentence", why, quoted, ""

    # -- false positives -------------------------------------------------
    def false_positive(self, doc: str, s_node: str, relation: str, o_node: str,
                       names: tuple[str, str]) -> Diagnosed:
        triple = (names[0], relation, names[1])
        found = [t for t in self.index.predicted.get(doc, ())
                 if (t.subject, t.relation, t.object) == (s_node, relation, o_node)]
        predicted = found[0] if found else None
        evidence = predicted.evidence if predicted else ()
        sentence = evidence[0].text if evidence else ""
        rule = _rule(evidence[0]) if evidence else ""
        source = self.sources.get(doc)
        spans = self._fp_spans(source, evidence)
        if source is not None and spans:
            reasons = [self._furniture(source, doc, span) for span in spans]
            if all(reasons):
                return Diagnosed("FP", doc, triple, "furniture", reasons[0] + rule, sentence)
        s_ids = predicted.subject_ids if predicted else frozenset()
        o_ids = predicted.object_ids if predicted else frozenset()
        keys = self.gold.required.get(doc, frozenset()) | self.gold.optional.get(doc, frozenset())
        related = sorted(k for k in keys
                         if (k[1] in s_ids and k[2] in o_ids) or (k[1] in o_ids and k[2] in s_ids))
        if related:
            held = "; ".join(f"{k[1]} --{k[0]}--> {k[2]}" for k in related)
            return Diagnosed("FP", doc, triple, "wrong_relation", f"gold has {held}{rule}", sentence)
        for name, ids in ((names[0], s_ids), (names[1], o_ids)):
            if not ids:
                return Diagnosed("FP", doc, triple, "mislinked", f"{name!r} matches no gold entity{rule}",
                                 sentence, name)
        if source is not None and spans:
            for node, name, ids in ((s_node, names[0], s_ids), (o_node, names[1], o_ids)):
                unnamed = self._coreference(source, spans, node, ids)
                if unnamed:
                    return Diagnosed("FP", doc, triple, "mislinked", f"{name!r} (gold {', '.join(sorted(ids))}) "
                                     f"{unnamed}{rule}", sentence, name)
        return Diagnosed("FP", doc, triple, "spurious_frame", f"gold has no relation between the two{rule}",
                         sentence)

    def _fp_spans(self, source: Source | None, evidence: Sequence[Evidence]) -> list[Span]:
        if source is None:
            return []
        spans = []
        for ev in evidence:
            if ev.span is not None and ev.span.end <= len(source.text):
                spans.append(ev.span)
            elif ev.text:
                spans += self.folded(source).find_all(ev.text)[:1]
        return spans

    def _furniture(self, source: Source, doc: str, span: Span) -> str | None:
        """Why the sentence at ``span`` is page furniture, or None when it is not.

        A line a gold evidence of the document quotes is article text. Else
        the line is furniture when ingest masked a credit at its end (a photo
        caption), or when it is a short line without a full stop, not the
        title, after the article has begun, that follows masked furniture
        (a masked label before it on the line, or a masked line above it).
        """
        line = source.line(span.start)
        for quote in (q for quotes in self.gold.evidence.get(doc, {}).values() for q in quotes):
            for piece in _PIECES.split(quote):
                if any(_overlap(found, line) for found in self.folded(source).find_all(piece)):
                    return None
        visible = [i for i in range(line.start, line.end) if not source.text[i].isspace()]
        masked = [i for i in visible if source.body[i].isspace()]
        kept = [i for i in visible if not source.body[i].isspace()]
        if not kept:
            return None
        if masked and masked[-1] == visible[-1] and kept[0] < masked[0]:
            return "a caption: ingest masked its credit, not the caption"
        shown = " ".join(source.body[line.start:line.end].split())
        if (len(shown.split()) > HEADLINE_WORDS or _SENTENCE_END.search(shown)
                or shown == " ".join((source.title or "").split()) or not self._after_article_start(source, line)):
            return None
        if masked and masked[0] < kept[0]:
            return "a headline-like line after a masked label"
        above = source.text.rfind("\n", 0, max(0, line.start - 1))
        while above >= 0:
            previous = source.line(above)
            if source.text[previous.start:previous.end].strip():
                if not source.body[previous.start:previous.end].strip():
                    return "a headline-like line after masked furniture"
                return None
            above = source.text.rfind("\n", 0, max(0, previous.start - 1))
        return None

    @staticmethod
    def _after_article_start(source: Source, line: Span) -> bool:
        """Is there a body paragraph (a kept line of 12 words or more ending a sentence) before ``line``?"""
        for shown in source.body[:line.start].split("\n"):
            if len(shown.split()) >= 12 and _SENTENCE_END.search(shown.rstrip()):
                return True
        return False

    def _coreference(self, source: Source, spans: Sequence[Span], node: str, ids: frozenset[str]) -> str:
        """"" when a sentence at ``spans`` names the node's entity (a mention of
        it, or a name of one of its gold entities ``ids``); else why not, with
        the gold names there that nothing links."""
        sentences = [s for span in spans for s in source.sentences_in(span)]
        if not sentences:
            return ""
        entity_id = node.rsplit("/", 1)[-1]
        for sent in sentences:
            for m in source.mentions_in(sent):
                if m.entity == entity_id or self.entity_ids(source, m.entity) & ids:
                    return ""
            for occ in self.occurrences(source):
                if _overlap(occ.span, sent) and occ.ids & ids:
                    return ""
        unlinked = [f"{occ.surface!r} ({', '.join(sorted(occ.ids))})" for sent in sentences
                    for occ in self.occurrences(source) if _overlap(occ.span, sent)
                    and not any(self.entity_ids(source, m.entity) & occ.ids for m in source.mentions_in(occ.span))]
        why = "not named in the sentence (resolved from another)"
        return why + (f"; not linked there: {', '.join(unlinked[:3])}" if unlinked else "")


@dataclass(frozen=True, slots=True)
class _InSentence:
    linked: Mapping[str, str]  # kg entity id -> the name it has in the sentence
    problem: tuple[str, str] | None  # (surface, detail): a name of the entity badly linked

    @property
    def named(self) -> bool:
        return bool(self.linked) or self.problem is not None


_PROGRESS = {"no_source": 0, "lost_in_ingest": 1, "no_shared_sentence": 2, "not_linked": 3, "no_frame": 4,
             "wrong_relation": 5}


def _rule(evidence: Evidence) -> str:
    return f" [rule {evidence.rule}]" if evidence.rule else ""


# -- entry point -----------------------------------------------------------------------------------

def diagnose(gold: Gold | Mapping | str | Path, graph, *, texts: Sequence[str | Path] = (),
             model: str | None = None, sources: Mapping[str, Source | None] | None = None,
             name: str | None = None) -> ErrorAnalysis:
    """Evaluate ``graph`` against ``gold`` and give each error its cause.

    ``graph`` is an rdflib graph or a file; ``texts`` are folders holding the
    source files by document stem (searched before the graph's recorded
    paths). ``sources`` gives the :class:`Source` of documents directly
    (tests); others are read with :func:`read_source` using the spaCy
    pipeline ``model``. Errors come in the order of the causes, then by document.
    """
    gold_path = Path(gold) if isinstance(gold, (str, Path)) else None
    gold = as_gold(gold)
    g, label = parse_graph(graph)
    graph_path = Path(graph) if isinstance(graph, (str, Path)) else None
    evaluation = evaluate(gold, g, name=name if name is not None else label)
    index = GraphIndex(g, gold)
    warnings: list[str] = []
    wanted = sorted({e.doc for e in evaluation.false_negatives} | {e.doc for e in evaluation.false_positives})
    found: dict[str, Source | None] = dict(sources or {})
    for doc in wanted:
        if doc in found:
            continue
        path = find_source(doc, index, texts=texts, graph_path=graph_path, gold_path=gold_path)
        if path is None:
            warnings.append(f"{doc}: source file not found (give --texts DIR)")
            found[doc] = None
            continue
        try:
            found[doc] = read_source(path, model=model)
        except InputError as exc:
            warnings.append(str(exc))
            found[doc] = None
            continue
        recorded = index.paths.get(doc, ("", ""))[1]
        if recorded and hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
            warnings.append(f"{path}: changed since the graph was built; the diagnosis reads it as it is now")
    diagnoser = Diagnoser(gold, index, found)
    errors = [diagnoser.miss(e.doc, e.triple) for e in evaluation.false_negatives]
    errors += [diagnoser.false_positive(e.doc, e.nodes[0], e.p, e.nodes[1], (e.s, e.o))
               for e in evaluation.false_positives]
    order = {**{("FN", c): i for i, c in enumerate(MISS_CAUSES)},
             **{("FP", c): len(MISS_CAUSES) + i for i, c in enumerate(FALSE_POSITIVE_CAUSES)}}
    errors.sort(key=lambda e: (order[e.kind, e.cause], e.doc, e.triple))
    return ErrorAnalysis(evaluation, tuple(errors), tuple(warnings))
