"""The classifier: the cause of one miss or one false positive (see :mod:`kg.diagnose`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

from kg.diagnose.causes import Diagnosed
from kg.diagnose.inputs import Evidence, GraphIndex, Source, overlap
from kg.diagnose.names import Folded, NameFinder, Occurrence
from kg.evaluate import Gold, Key, normalize_label
from kg.records import Span

#: Share of the evidence's visible characters ingest must mask for the sentence to count as lost.
LOST_SHARE = 0.5
#: A furniture headline has at most this many words.
HEADLINE_WORDS = 20
_PIECES = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


class Diagnoser:
    """Classifies the errors of one evaluation.

    ``sources`` maps a document id to its :class:`~kg.diagnose.inputs.Source`,
    or to None when it could not be read (see :func:`kg.diagnose.diagnose`).
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
            if entity not in occ.ids or not overlap(occ.span, sentence):
                continue
            covering = [m for m in mentions if overlap(m.span, occ.span)]
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
                    if overlap(occ.span, at) and entity not in occ.ids:
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
        return Diagnosed("FN", doc, triple, cause, detail + note, " ".join(sentence.split()), surface)

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
            names = [o for o in self.occurrences(source) if entity in o.ids and any(overlap(o.span, s) for s in region)]
            if names and all(source.masked_share(o.span) >= LOST_SHARE for o in names):
                return "lost_in_ingest", f"ingest masked {names[0].surface!r} ({entity})", quoted, names[0].surface
        sentences = sorted({s for r in region for s in source.sentences_in(r)}, key=lambda s: s.start)
        if not sentences:
            return "lost_in_ingest", "no sentence of the evidence was parsed", quoted, ""
        pair = self.index.between(doc, subject, obj)
        for triple in pair:
            for ev in triple.evidence:
                if ev.span is not None and any(overlap(ev.span, s) for s in sentences):
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
                    for ev in t.evidence if ev.span is not None and overlap(ev.span, s)]
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
        sentence = " ".join(evidence[0].text.split()) if evidence else ""
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
                if any(overlap(found, line) for found in self.folded(source).find_all(piece)):
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
        previous = line
        while previous.start > 0:
            previous = source.line(previous.start - 1)  # the line before (its line break is at start - 1)
            if source.text[previous.start:previous.end].strip():
                if not source.body[previous.start:previous.end].strip():
                    return "a headline-like line after masked furniture"
                return None
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
                if overlap(occ.span, sent) and occ.ids & ids:
                    return ""
        unlinked = [f"{occ.surface!r} ({', '.join(sorted(occ.ids))})" for sent in sentences
                    for occ in self.occurrences(source) if overlap(occ.span, sent)
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
