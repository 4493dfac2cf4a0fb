"""The gate: sentences in which nothing can be a mention are not parsed.

A claim needs two ends, and every end is a mention the linker finds (a
dictionary name, an acronym, a demonym, a metonym such as "the regime", a
capitalised name NER may type) or a pronoun or definite description that
light coreference resolves ("it", "the group"). A sentence with none of
those holds no claim, gives no antecedent, names no country, defines no
acronym and adds no name to an entity. Before the spaCy pipeline runs, a
cheap first pass (spaCy's tokenizer with kg's adjustments, spaCy's
rule-based ``Sentencizer`` and kg's line-break rule, :func:`kg.nlp.line_starts`)
reads each sentence and decides (:class:`Decision`) whether a word in it
may be a mention. A sentence without one is blanked with spaces before
``nlp.pipe``, as page furniture already is (:func:`kg.ingest.mask`: line
breaks kept), so offsets stay file offsets. A text the gate leaves whole is
handed to the pipeline as the tokenized Doc of the first pass (nothing is
tokenized twice).

What may be a mention is data: the last word of every alias, acronym and
metonym and every demonym of ``ontology/actors.json`` and ``places.json``
(as the gazetteer holds them: a name ends with one of them), and the parts
of that word between hyphens or other signs (the tokenizer may end the
name with one of them: "al-Sham" is "al", "-", "Sham"), the pronouns
and descriptions of the lexicon's ``coreference`` (and their plurals), and
any word with a capital letter, except the first word of a sentence when it
is one of spaCy's English stop words with an initial capital ("The",
"After", "However").

>>> import spacy
>>> nlp = spacy.blank("en")
>>> screen = Screen(words=frozenset({"it"}), stop_words=frozenset({"the", "after"}))
>>> gated = gate_text(nlp, "The SDF took Raqqa. After that, more came.\\nIt ended.", screen)
>>> gated.text
'The SDF took Raqqa.                       \\nIt ended.'
>>> [(d.parse, d.reason, d.words) for d in gated.decisions]
[(True, 'SDF', 4), (False, '', 4), (True, 'It', 2)]
>>> gated.words(), gated.words("parse")
(10, 6)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.gazetteer import normalize_name
from kg.ingest import mask

__all__ = ["Decision", "Gated", "Screen", "gate_text", "load_screen", "sentence_starts"]

#: Where the tokenizer may cut a word of a name: its last token is one of the parts.
_PARTS = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Screen:
    """What the gate looks for."""

    words: frozenset[str]  #: lower-cased words that may be (the last word of) a mention
    stop_words: frozenset[str]  #: a sentence's first word, capitalised, is no name if it is one of these


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's decision on one sentence, ``[start, end)`` of the text."""

    start: int
    end: int
    parse: bool  #: read by the pipeline (else blanked)
    reason: str  #: the first word that may be a mention ('' when blanked)
    words: int  #: its tokens that are neither white space nor punctuation


@dataclass(frozen=True, slots=True)
class Gated:
    """A text as the pipeline reads it, and the decisions that made it."""

    text: str  #: the input with blanked sentences: same length, same line breaks
    decisions: tuple[Decision, ...]
    doc: object = None  #: the first pass's Doc of ``text`` (tokens only) when nothing was blanked

    def words(self, which: str = "all") -> int:
        """Words of the text (``all``) or of the sentences parsed (``parse``)."""
        return sum(d.words for d in self.decisions if which == "all" or d.parse)

    @property
    def blanked(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if not d.parse)


def load_screen(gazetteer, lexicon: dict) -> Screen:
    """The :class:`Screen` of kg's dictionaries (a :class:`~kg.gazetteer.Gazetteer`) and lexicon."""
    from spacy.lang.en.stop_words import STOP_WORDS

    coreference = lexicon["coreference"]
    words: set[str] = set()
    names = [*gazetteer.aliases, *gazetteer.metonyms, *gazetteer.demonyms, *map(normalize_name, gazetteer.acronyms)]
    for name in names:
        last = name.split(" ")[-1]
        words.add(last)
        words.update(part for part in _PARTS.split(last) if part)  # "al-sham": the tokenizer may end it with "sham"
    words.update(coreference["pronouns"])
    for description in coreference["descriptions"]:
        words.update(_noun_forms(description))
    return Screen(words=frozenset(words), stop_words=frozenset(STOP_WORDS))


def _noun_forms(word: str) -> tuple[str, ...]:
    """A description as the lexicon has it and its plurals (its keys are words or lemmas).

    >>> _noun_forms("authority")
    ('authority', 'authoritys', 'authorityes', 'authorities')
    """
    forms = (word, word + "s", word + "es")
    return forms + ((word[:-1] + "ies",) if word.endswith("y") else ())


def sentence_starts(doc) -> list[bool]:
    """Per token of a tokenized ``doc``, does a sentence start there? spaCy's rule-based
    sentencizer and kg's line-break rule decide; ``doc`` is left as it is."""
    from spacy.pipeline import Sentencizer

    from kg.nlp import line_starts

    starts = list(Sentencizer().predict([doc])[0]) if len(doc) else []
    for i in line_starts(doc):
        starts[i] = True
    return starts


def gate_text(nlp, text: str, screen: Screen) -> Gated:
    """The decision on each sentence of ``text`` and the text it gives (see the module)."""
    import numpy
    from spacy.attrs import IS_PUNCT, IS_SPACE

    doc = nlp.make_doc(text)
    if not len(doc):
        return Gated(text, (), doc)
    space, punct = doc.to_array([IS_SPACE, IS_PUNCT]).astype(bool).T
    visible = ~space
    counts = numpy.concatenate(([0], numpy.cumsum(visible & ~punct)))
    bounds = [i for i, start in enumerate(sentence_starts(doc)) if start] + [len(doc)]
    decisions = []
    for begin, end in zip(bounds, bounds[1:]):
        words = int(counts[end] - counts[begin])
        if not words:
            continue
        shown = visible[begin:end].nonzero()[0]
        first, last = doc[begin + int(shown[0])], doc[begin + int(shown[-1])]
        reason = _possible_mention((t for t in doc[begin:end] if not (t.is_space or t.is_punct)), screen)
        decisions.append(Decision(first.idx, last.idx + len(last), reason is not None, reason or "", words))
    blanks = [(d.start, d.end) for d in decisions if not d.parse]
    if not blanks:
        return Gated(text, tuple(decisions), doc)
    return Gated(mask(text, blanks), tuple(decisions))


def _possible_mention(words, screen: Screen) -> str | None:
    """The first of the words (tokens, in order) that may be (part of) a mention, or None."""
    for position, token in enumerate(words):
        text = token.text
        key = normalize_name(text)
        if key in screen.words:
            return text
        if not text.islower() and any(c.isupper() for c in text):
            if position == 0 and key in screen.stop_words and text[:1].isupper() and text[1:].islower():
                continue  # "The", "After": capitalised because it comes first
            return text
    return None
