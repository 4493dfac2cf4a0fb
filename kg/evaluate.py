"""Scoring a built graph against hand-made gold triples (``kg evaluate``).

Implements the matching rules of ``../shared/eval/score.py`` so that the
project can measure itself without leaving the library:

* a predicted triple is a reified statement (``rdf:subject``,
  ``rdf:predicate``, ``rdf:object``); its relation is the local name of the
  predicate;
* it counts for a gold document only when that document's id (the file stem)
  occurs in an IRI or literal reached from the statement through
  ``prov:wasDerivedFrom`` (or ``dcterms:source`` / ``prov:hadPrimarySource``)
  and at most two further hops;
* its ends match gold entities by any of their names (``rdfs:label``,
  ``skos:altLabel``, ...; the IRI's local name when there is none), compared
  after :func:`normalize_label`;
* optional gold triples are neither rewarded nor penalised; symmetric
  relations match in either direction.

Also reported: relation triples with no sourced statement, statements whose
triple is not asserted, and gold entities split over several nodes.

>>> normalize_label("The U.S.-led Coalition")
'us led coalition'
>>> Scores(tp=3, fp=1, fn=2).f1
0.667
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from kg.errors import InputError

#: Hops followed from a statement: its source links, then two more.
_SOURCE_HOPS = 3
_DROPPED_PUNCTUATION = re.compile(r"[.'`\"()\[\],:;]")


def normalize_label(text: str) -> str:
    """The key under which a name matches a gold alias.

    Accents, case, quotes, brackets, most punctuation and a leading "the"
    are dropped; underscores and hyphens become spaces.

    >>> normalize_label("Hay'at Tahrir al-Sham") == normalize_label("Hayat Tahrir al Sham")
    True
    >>> normalize_label("the_syrian_gov")
    'syrian gov'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("\u2019", "'").replace("_", " ").replace("-", " ")
    text = _DROPPED_PUNCTUATION.sub("", text)
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def local_name(term) -> str:
    """The part of an IRI after its last ``#`` or ``/``.

    >>> local_name("https://w3id.org/kg-conflict/ontology#truce_with")
    'truce_with'
    """
    return re.split(r"[#/]", str(term).rstrip("/#"))[-1]


# -- gold --------------------------------------------------------------------------

Key = tuple[str, str, str]  # (relation, subject, object); symmetric ends sorted


@dataclass(frozen=True)
class Gold:
    """Gold triples per document, and the names that identify gold entities."""

    documents: tuple[str, ...]
    relations: frozenset[str]
    symmetric: frozenset[str]
    required: Mapping[str, frozenset[Key]]
    optional: Mapping[str, frozenset[Key]]
    names: Mapping[str, frozenset[str]]  # normalised name -> gold entity ids
    #: Each entity's names as the gold writes them (its aliases, then its id with spaces).
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    #: The evidence quotes of each document's triples, by triple key.
    evidence: Mapping[str, Mapping[Key, tuple[str, ...]]] = field(default_factory=lambda: MappingProxyType({}))

    def key(self, subject: str, relation: str, obj: str) -> Key:
        """Canonical form of a triple: symmetric relations ignore direction."""
        if relation in self.symmetric:
            subject, obj = sorted((subject, obj))
        return (relation, subject, obj)

    @property
    def entities(self) -> frozenset[str]:
        """Entities of the required triples (those whose splitting is reported)."""
        return frozenset(e for keys in self.required.values() for key in keys for e in key[1:])


def gold_from_dict(data: Mapping) -> Gold:
    """Read gold data of the ``seeds_gold.json`` form (see ``../shared/eval``).

    >>> g = gold_from_dict({"relations": {"fought": ""}, "symmetric": ["fought"],
    ...     "entities": {"isis": {"aliases": ["Daesh"]}, "sdf": {"aliases": []}},
    ...     "documents": {"d1": [{"s": "sdf", "p": "fought", "o": "isis"}]}})
    >>> sorted(g.required["d1"]), sorted(g.names["daesh"])
    ([('fought', 'isis', 'sdf')], ['isis'])
    """
    try:
        symmetric = frozenset(data["symmetric"])
        relations = frozenset(data["relations"])
        names: dict[str, set[str]] = defaultdict(set)
        aliases: dict[str, tuple[str, ...]] = {}
        for entity_id, entity in data["entities"].items():
            aliases[entity_id] = (*entity["aliases"], entity_id.replace("_", " "))
            for alias in aliases[entity_id]:
                names[normalize_label(alias)].add(entity_id)
        documents = tuple(data["documents"])
        required: dict[str, set[Key]] = {}
        optional: dict[str, set[Key]] = {}
        evidence: dict[str, dict[Key, list[str]]] = {}
        for doc, triples in data["documents"].items():
            required[doc], optional[doc], evidence[doc] = set(), set(), defaultdict(list)
            for triple in triples:
                key = (triple["p"], *sorted((triple["s"], triple["o"]))) if triple["p"] in symmetric \
                    else (triple["p"], triple["s"], triple["o"])
                (optional if triple.get("optional") else required)[doc].add(key)
                if isinstance(triple.get("evidence"), str) and triple["evidence"].strip():
                    evidence[doc][key].append(triple["evidence"])
            optional[doc] -= required[doc]
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"gold data is malformed: missing or bad field {exc}") from None
    return Gold(
        documents=documents,
        relations=relations,
        symmetric=symmetric,
        required=MappingProxyType({d: frozenset(k) for d, k in required.items()}),
        optional=MappingProxyType({d: frozenset(k) for d, k in optional.items()}),
        names=MappingProxyType({n: frozenset(ids) for n, ids in names.items()}),
        aliases=MappingProxyType(aliases),
        evidence=MappingProxyType({d: MappingProxyType({k: tuple(v) for k, v in e.items()})
                                   for d, e in evidence.items()}),
    )


def load_gold(path: str | Path) -> Gold:
    """Read a gold JSON file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read gold file: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: gold file is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: gold file must hold a JSON object")
    try:
        return gold_from_dict(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


# -- results -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Scores:
    """True positives, false positives, false negatives; P/R/F1 rounded to 3 places.

    >>> s = Scores(tp=1, fp=0, fn=1)
    >>> s.precision, s.recall, s.f1
    (1.0, 0.5, 0.667)
    >>> Scores().f1
    0.0
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def _p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def _r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def precision(self) -> float:
        return round(self._p, 3)

    @property
    def recall(self) -> float:
        return round(self._r, 3)

    @property
    def f1(self) -> float:
        p, r = self._p, self._r
        return round(2 * p * r / (p + r), 3) if p + r else 0.0

    def to_dict(self, *, counts_first: bool = True) -> dict:
        counts = {"tp": self.tp, "fp": self.fp, "fn": self.fn}
        rates = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        return {**counts, **rates} if counts_first else {**rates, **counts}


@dataclass(frozen=True, slots=True)
class FalsePositive:
    """A predicted triple matching no gold triple of its document (ends by name)."""

    doc: str
    s: str
    p: str
    o: str
    #: The subject and object nodes (IRIs) the names were read from.
    nodes: tuple[str, str] = field(default=("", ""), compare=False)


@dataclass(frozen=True, slots=True)
class FalseNegative:
    """A required gold triple no statement sourced to its document matched."""

    doc: str
    triple: Key  # (relation, subject, object)


@dataclass(frozen=True)
class Evaluation:
    """Everything ``kg evaluate`` reports about one graph."""

    graph: str
    overall: Scores
    per_document: Mapping[str, Scores]
    per_relation: Mapping[str, Scores]
    statements: int
    statements_not_asserted: int
    relation_triples_without_source: int
    entities_split_over_nodes: Mapping[str, int]
    false_positives: tuple[FalsePositive, ...] = field(default=())
    false_negatives: tuple[FalseNegative, ...] = field(default=())

    def to_dict(self) -> dict:
        """The result as plain JSON data, laid out as score.py's ``--json``."""
        return {
            "graph": self.graph,
            "overall": self.overall.to_dict(counts_first=False),
            "per_document": {d: s.to_dict() for d, s in self.per_document.items()},
            "per_relation": {r: s.to_dict() for r, s in self.per_relation.items()},
            "statements": self.statements,
            "statements_not_asserted": self.statements_not_asserted,
            "relation_triples_without_source": self.relation_triples_without_source,
            "entities_split_over_nodes": dict(self.entities_split_over_nodes),
            "errors": {
                "false_positives": [{"doc": e.doc, "s": e.s, "p": e.p, "o": e.o} for e in self.false_positives],
                "false_negatives": [{"doc": e.doc, "triple": list(e.triple)} for e in self.false_negatives],
            },
        }

    def overall_line(self) -> str:
        """``overall: P=… R=… F1=… (tp=… fp=… fn=…)``."""
        o = self.overall
        return (f"overall: P={o.precision:.3f} R={o.recall:.3f} F1={o.f1:.3f} "
                f"(tp={o.tp} fp={o.fp} fn={o.fn})")

    def report(self, *, errors: bool = False) -> str:
        """The text report: per-document and per-relation tables, then the totals.

        ``errors`` lists the false positives and misses as score.py's ``--errors`` does.
        """
        lines = self.table_lines()
        if errors:
            lines += [f"FP {e.doc}: {e.s} --{e.p}--> {e.o}" for e in self.false_positives]
            lines += [f"FN {e.doc}: {list(e.triple)}" for e in self.false_negatives]
        lines.append(self.overall_line())
        return "\n".join(lines)

    def table_lines(self) -> list[str]:
        """The report's lines before the error list and the overall line."""
        lines = [_row("document", None)]
        lines += [_row(doc, scores) for doc, scores in self.per_document.items()]
        lines += ["", _row("relation", None)]
        lines += [_row(rel, scores) for rel, scores in self.per_relation.items()]
        lines += ["", f"statements: {self.statements}, not asserted: {self.statements_not_asserted}, "
                      f"relation triples without a sourced statement: {self.relation_triples_without_source}"]
        if self.entities_split_over_nodes:
            lines.append(f"gold entities split over several nodes: {dict(self.entities_split_over_nodes)}")
        return lines


def _row(name: str, scores: Scores | None) -> str:
    if scores is None:
        return f"{name:32} {'tp':>4} {'fp':>4} {'fn':>4}  {'P':>5} {'R':>5} {'F1':>5}"
    return (f"{name:32} {scores.tp:4} {scores.fp:4} {scores.fn:4}  "
            f"{scores.precision:5.2f} {scores.recall:5.2f} {scores.f1:5.2f}")


# -- reading the graph ---------------------------------------------------------------

class ScoringView:
    """The parts of an rdflib graph the scorer looks at, with cached names."""

    def __init__(self, graph, gold: Gold):
        from rdflib import Literal

        from kg.vocab import DCTERMS, FOAF, PROV, RDF, RDFS, SCHEMA, SCHEMA_HTTP, SKOS

        self.g = graph
        self.gold = gold
        self.Literal = Literal
        #: Name properties read from the graph.
        self.labels = [RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA["name"], SCHEMA_HTTP["name"], FOAF["name"]]
        #: Links from a statement towards its evidence and source document.
        self.sources = [PROV.wasDerivedFrom, DCTERMS.source, PROV.hadPrimarySource]
        self.reification = {RDF.subject, RDF.predicate, RDF.object}
        self._names: dict = {}
        self._ids: dict = {}

    def names(self, node) -> frozenset[str]:
        """Normalised names of a node: its labels, else its IRI's local name."""
        if node not in self._names:
            found = {normalize_label(o) for p in self.labels for o in self.g.objects(node, p)
                     if isinstance(o, self.Literal)}
            self._names[node] = frozenset(found or {normalize_label(local_name(node))})
        return self._names[node]

    def gold_ids(self, node) -> frozenset[str]:
        """Gold entities any of the node's names denotes."""
        if node not in self._ids:
            ids: set[str] = set()
            for name in self.names(node):
                ids |= self.gold.names.get(name, frozenset())
            self._ids[node] = frozenset(ids)
        return self._ids[node]

    def documents(self, statement) -> set[str]:
        """Gold documents whose id appears near the statement's provenance."""
        frontier = [o for link in self.sources for o in self.g.objects(statement, link)]
        seen: set = set()
        texts: list[str] = []
        for _ in range(_SOURCE_HOPS):
            following = []
            for node in frontier:
                if node in seen:
                    continue
                seen.add(node)
                texts.append(str(node))
                if isinstance(node, self.Literal):
                    continue
                following += [o for p, o in self.g.predicate_objects(node) if p not in self.reification]
            frontier = following
        blob = "\n".join(texts)
        return {doc for doc in self.gold.documents if doc in blob}


def as_gold(gold: Gold | Mapping | str | Path) -> Gold:
    """A :class:`Gold` from itself, from gold data as loaded from JSON, or from a gold file's path."""
    if isinstance(gold, (str, Path)):
        return load_gold(gold)
    return gold if isinstance(gold, Gold) else gold_from_dict(gold)


def micro_average(evaluations) -> Scores:
    """The overall scores of several evaluations together (counts added up).

    >>> class E:
    ...     def __init__(self, tp, fp, fn): self.overall = Scores(tp, fp, fn)
    >>> micro_average([E(2, 1, 1), E(1, 0, 3)])
    Scores(tp=3, fp=1, fn=4)
    """
    found = [e.overall for e in evaluations]
    return Scores(sum(s.tp for s in found), sum(s.fp for s in found), sum(s.fn for s in found))


def parse_graph(graph) -> tuple[object, str]:
    """An rdflib graph and its name, from a graph or a file rdflib can parse."""
    from rdflib import Graph

    if isinstance(graph, Graph):
        return graph, str(getattr(graph, "identifier", "graph"))
    path = Path(graph)
    if not path.is_file():
        raise InputError(f"{path}: no such graph file")
    parsed = Graph()
    try:
        parsed.parse(path)
    except Exception as exc:  # rdflib raises many kinds of parser errors
        raise InputError(f"{path}: cannot parse graph: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    return parsed, str(graph)


# -- scoring -------------------------------------------------------------------------

def evaluate(gold: Gold | Mapping | str | Path, graph, *, name: str | None = None) -> Evaluation:
    """Score a graph (an rdflib ``Graph`` or a file rdflib can parse) against gold.

    ``gold`` is a :class:`Gold`, gold data as loaded from JSON, or a path to
    a gold JSON file. ``name`` is how the graph is named in the result
    (default: its path).
    """
    from rdflib import RDF, URIRef

    gold = as_gold(gold)
    g, label = parse_graph(graph)
    view = ScoringView(g, gold)

    predicted: dict[str, set] = defaultdict(set)  # doc -> {(subject node, relation, object node)}
    statements = not_asserted = 0
    sourced: set = set()
    for statement in set(g.subjects(RDF.subject, None)):
        s, p, o = g.value(statement, RDF.subject), g.value(statement, RDF.predicate), g.value(statement, RDF.object)
        if s is None or p is None or o is None:
            continue
        statements += 1
        if (s, p, o) not in g:
            not_asserted += 1
        docs = view.documents(statement)
        if docs:
            sourced.add((s, p, o))
        for doc in docs:
            predicted[doc].add((s, local_name(p), o))

    unsourced = sum(1 for s, p, o in g if isinstance(o, URIRef) and local_name(p) in gold.relations
                    and (s, p, o) not in sourced)

    per_document: dict[str, Scores] = {}
    per_relation: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    false_positives: list[FalsePositive] = []
    false_negatives: list[FalseNegative] = []
    nodes_of: dict[str, set] = defaultdict(set)
    for doc in gold.documents:
        required, optional = gold.required[doc], gold.optional[doc]
        matched: set[Key] = set()
        tp = fp = 0
        for s, rel, o in sorted(predicted[doc]):
            subjects, objects = view.gold_ids(s), view.gold_ids(o)
            for entity in subjects:
                nodes_of[entity].add(s)
            for entity in objects:
                nodes_of[entity].add(o)
            keys = {gold.key(a, rel, b) for a in subjects for b in objects}
            hits = keys & required
            if hits:
                if hits - matched:  # a triple earns one true positive, for gold not yet matched
                    matched |= hits
                    tp += 1
                    per_relation[rel][0] += 1
                continue
            if keys & optional:
                continue
            fp += 1
            per_relation[rel][1] += 1
            false_positives.append(FalsePositive(doc, min(view.names(s)), rel, min(view.names(o)), (str(s), str(o))))
        missed = sorted(required - matched)
        for key in missed:
            per_relation[key[0]][2] += 1
            false_negatives.append(FalseNegative(doc, key))
        per_document[doc] = Scores(tp, fp, len(missed))

    overall = Scores(sum(s.tp for s in per_document.values()), sum(s.fp for s in per_document.values()),
                     sum(s.fn for s in per_document.values()))
    gold_entities = gold.entities
    split = {e: len(nodes) for e, nodes in nodes_of.items() if e in gold_entities and len(nodes) > 1}
    return Evaluation(
        graph=name if name is not None else label,
        overall=overall,
        per_document=MappingProxyType(per_document),
        per_relation=MappingProxyType({r: Scores(*v) for r, v in sorted(per_relation.items())}),
        statements=statements,
        statements_not_asserted=not_asserted,
        relation_triples_without_source=unsourced,
        entities_split_over_nodes=MappingProxyType(split),
        false_positives=tuple(false_positives),
        false_negatives=tuple(false_negatives),
    )
