"""The dictionaries' names as a spaCy component, and the linking pass that reads its spans.

``kg_dictionary_names`` (a factory registered with ``Language.factory`` by
:func:`add_dictionary_names`) runs in the pipeline after the parse: two
``PhraseMatcher`` objects find every name of ``ontology/actors.json`` and
``places.json`` (the names by ``LOWER``, the acronyms by ``ORTH``, which keeps
"IS" apart from "is"; in a text that is not ASCII, the names also over its
tokens as the gazetteer folds them: "Raqqā", "Russia’s"), and each candidate
whose text the gazetteer knows (:meth:`~kg.gazetteer.Gazetteer.lookup`) goes to
``doc.spans["kg_dictionary"]`` with the canonical entity id as ``kb_id_``.

:func:`match_dictionary_names`, the first pass of linking, picks among them
as the window matcher (:func:`kg.linking.names._match_aliases`) picks among
its token windows: a start at a time, the longest candidate first, no token
already taken, within one sentence and one line, at most
``_MAX_ALIAS_TOKENS`` tokens, and "northern Iraq" for a place after a
cardinal modifier. A Doc parsed without the component (a pipeline not built
by :func:`kg.engines.load_resources`) is read by the window matcher, which
gives the same mentions (``benchmarks/bench_linking.py`` compares them on a
corpus, the seeds and the construction texts; ``tests/test_linking_component.py``).
"""
from __future__ import annotations

from kg.gazetteer import Gazetteer, load_gazetteer, normalize_name
from kg.linking.doc import _MAX_ALIAS_TOKENS, LinkedDoc, _add, _table

COMPONENT = "kg_dictionary_names"
SPANS_KEY = "kg_dictionary"
DICTIONARIES = ("actors", "places")


class DictionaryNames:
    """The component: the dictionary's names in a Doc, as spans labelled with their entity id."""

    def __init__(self, nlp, gazetteer: Gazetteer):
        from spacy.matcher import PhraseMatcher

        self.gazetteer = gazetteer
        self.names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.acronyms = PhraseMatcher(nlp.vocab, attr="ORTH")
        # The normalised names (lower case, accents and quotes folded) and the names as written,
        # tokenised as in running text ("U.S. special forces").
        names = set(gazetteer.aliases)
        for info in gazetteer.entities.values():
            names.update(alias for alias in (info.label, *info.aliases) if alias not in gazetteer.acronyms)
        self.names.add("NAME", list(nlp.tokenizer.pipe(sorted(names))))
        self.acronyms.add("ACRONYM", list(nlp.tokenizer.pipe(sorted(gazetteer.acronyms))))

    def __call__(self, doc):
        from spacy.tokens import Doc, Span

        lookup = self.gazetteer.lookup
        spans = []
        found = self.names(doc) + self.acronyms(doc)
        if not doc.text.isascii():
            # As the gazetteer reads a name, token by token: "Raqqā", "Russia’s", "al–Sham".
            words = [text if text.isascii() else normalize_name(text) or text for text in (t.text for t in doc)]
            folded = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
            found += self.names(folded)
        for start, end in sorted({(start, end) for _, start, end in found}):
            entity_id = lookup(doc[start:end].text)
            if entity_id is not None:
                spans.append(Span(doc, start, end, kb_id=entity_id))
        doc.spans[SPANS_KEY] = spans
        return doc


def _make(nlp, name: str, dictionaries: list[str]) -> DictionaryNames:
    return DictionaryNames(nlp, load_gazetteer(tuple(dictionaries)))


def add_dictionary_names(nlp, dictionaries: tuple[str, ...] = DICTIONARIES) -> None:
    """Add the component to ``nlp`` (last), registering its factory once per process; no-op when there."""
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, default_config={"dictionaries": list(DICTIONARIES)}, func=_make)
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, config={"dictionaries": list(dictionaries)}, last=True)


def match_dictionary_names(linked: LinkedDoc, taken: set[int]) -> None:
    """Mentions of the dictionary's names, from the component's spans (else by the window matcher)."""
    doc = linked.doc
    if SPANS_KEY not in doc.spans:
        from kg.linking.names import _match_aliases

        _match_aliases(linked, taken)
        return
    gaz = linked.gazetteer
    table = _table(linked)
    text, starts, ends, opens = table.text, table.starts, table.ends, table.opens
    is_space, sent_start = table.is_space, table.sent_start
    by_start: dict[int, list[tuple[int, str]]] = {}
    for span in doc.spans[SPANS_KEY]:
        by_start.setdefault(span.start, []).append((span.end, span.kb_id_))
    cardinals = frozenset(linked.lexicon["cardinal_modifiers"])
    skip_until = -1
    for start in sorted(by_start):
        if start < skip_until or start in taken or not opens[start]:
            continue
        for end, _ in sorted(by_start[start], reverse=True):
            last = end - 1
            if end - start > _MAX_ALIAS_TOKENS or any(i in taken for i in range(start, end)) or is_space[last] \
                    or sent_start[last] > start or text.find("\n", starts[start], ends[last]) != -1:
                continue
            entity_id = gaz.lookup(text[starts[start]:ends[last]])  # the text as parsed (doc.text may differ)
            if entity_id is None:
                continue
            info = gaz.entities[entity_id]
            first = start
            if first > 0 and doc[first - 1].lower_ in cardinals and (first - 1) not in taken \
                    and "Place" in info.types and not doc[first].is_sent_start:
                first -= 1  # "northern Iraq": the place, named with the part of it meant
            _add(linked, info.entity, first, end, taken)
            skip_until = end
            break
