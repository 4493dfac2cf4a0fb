"""Who makes a claim, and how firmly: speaker and modality of a trigger.

A claim is *reported* when a speech verb governs it ("Bali said the fighters
left", "according to the Observatory"), *planned* when it lies in the future
or is only intended ("will secure", "plans to attack"), *unconfirmed* when
its confirmation is negated ("has not confirmed any deal") and *denied*
under a denial ("denied reaching a deal"). Otherwise it is *asserted*.
Plain negation ("did not attack") is no claim at all and is dropped by the
extractor.
"""
from __future__ import annotations

from kg.parse_labels import (
    ADVERBIAL_CLAUSE,
    AUXILIARY,
    AUX_VERB,
    CLAUSAL_COMPLEMENT,
    CONJUNCT,
    OPEN_COMPLEMENT,
    PARATAXIS,
    PREP_COMPLEMENT,
    VERB,
)

MODALITIES = ("asserted", "reported", "denied", "planned", "unconfirmed")
_CHAIN = frozenset({CLAUSAL_COMPLEMENT, OPEN_COMPLEMENT, ADVERBIAL_CLAUSE, CONJUNCT, PARATAXIS, PREP_COMPLEMENT})


def clause_verb(trigger):
    """The verb of the clause a trigger belongs to (itself when a verb)."""
    cur = trigger
    for _ in range(8):
        if cur.pos_ in (VERB, AUX_VERB):
            return cur
        if cur.head == cur:
            return cur
        cur = cur.head
    return cur


def modality_and_speaker(reader, trigger, base: str) -> tuple[str, str | None]:
    """Refine the modality ``base`` of a trigger and find who said it.

    ``reader`` is the relation extractor's reader (entity resolution);
    ``base`` is 'asserted', 'negated', 'denied' or 'unconfirmed' from the
    negation analysis.
    """
    lex = reader.t.lexicon
    speech = frozenset(lex["speech_verbs"])
    intent = frozenset(lex["intent_verbs"])
    future = frozenset(lex["future_auxiliaries"])
    verb = clause_verb(trigger)
    modality = base
    speaker = None
    cur = verb
    for _ in range(6):
        if modality == "asserted":
            if any(c.dep_ == AUXILIARY and c.lower_ in future for c in cur.children) or \
                    (cur != verb and cur.lemma_.lower() in intent):
                modality = "planned"
        if cur.dep_ not in _CHAIN or cur.head == cur:
            break
        head = cur.head
        if head.lemma_.lower() in speech and cur.dep_ in (CLAUSAL_COMPLEMENT, PARATAXIS, OPEN_COMPLEMENT, CONJUNCT):
            speaker = _subject_entity(reader, head)
            if modality in ("asserted",):
                modality = "reported"
            break
        cur = head
    if speaker is None:
        speaker = _according_to(reader, *reader.linked.sentence_bounds(trigger.i))
        if speaker is not None and modality == "asserted":
            modality = "reported"
    return modality, speaker


def _subject_entity(reader, verb) -> str | None:
    for tok in reader.subject_tokens(verb):
        for entity in reader.nps([tok]):
            return entity
    return None


def _according_to(reader, start: int, end: int) -> str | None:
    """Who the sentence of tokens ``[start, end)`` is "according to"."""
    for tok in reader.scan.tokens(reader.scan.according, start, end):
        if tok.lower_ == "according":
            for prep in tok.children:
                if prep.lower_ == "to":
                    for pobj in prep.children:
                        found = reader.nps([pobj])
                        if found:
                            return found[0]
    return None
