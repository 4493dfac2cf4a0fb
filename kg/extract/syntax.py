"""Shared vocabulary of the reader: dependency-label sets, small token tests, the
parties of a "between" phrase.
"""
from __future__ import annotations

from itertools import combinations

from kg.parse_labels import (
    ADJ_COMPLEMENT,
    ADJ_MODIFIER,
    ADVERBIAL_CLAUSE,
    ADVERB_MODIFIER,
    APPOSITION,
    ATTRIBUTE,
    CLAUSAL_COMPLEMENT,
    CLAUSAL_MODIFIER,
    CLAUSAL_PASSIVE_SUBJECT,
    CLAUSAL_SUBJECT,
    COMPOUND,
    CONJUNCT,
    DIRECT_OBJECT,
    FLAT,
    NOUN,
    NOUN_ADVERBIAL,
    NOUN_MODIFIER,
    OBJECT_PREDICATE,
    OPEN_COMPLEMENT,
    PASSIVE_SUBJECT,
    POSSESSOR,
    PREPOSITION,
    PREP_COMPLEMENT,
    PREP_OBJECT,
    PRONOUN,
    RELATIVE_CLAUSE,
    SUBJECT,
    UD_OBJECT,
    UNCLASSIFIED,
    VERB,
)

_SUBJ = frozenset({SUBJECT, CLAUSAL_SUBJECT})
_PASS_SUBJ = frozenset({PASSIVE_SUBJECT, CLAUSAL_PASSIVE_SUBJECT})
_OBJ = frozenset({DIRECT_OBJECT, UD_OBJECT})
_MODIFIER_DEPS = frozenset({COMPOUND, ADJ_MODIFIER, POSSESSOR, NOUN_ADVERBIAL, NOUN_MODIFIER})
_CLIMB_DEPS = frozenset({DIRECT_OBJECT, PREP_OBJECT, ATTRIBUTE, OBJECT_PREDICATE, CONJUNCT, APPOSITION, PREPOSITION,
                         OPEN_COMPLEMENT, PASSIVE_SUBJECT, ADJ_COMPLEMENT})
_REPORTERS = frozenset({"media", "monitor"})
_REPORTER_RELATIONS = frozenset({"member_of", "leads", "active_in", "accused", "appealed_to", None})
#: Dependencies a misparsed object may get when it stands right after its verb.
_MISPARSED_OBJECT = frozenset({ADVERB_MODIFIER, NOUN_ADVERBIAL, ATTRIBUTE, OBJECT_PREDICATE, UNCLASSIFIED,
                               NOUN_MODIFIER, COMPOUND, APPOSITION})
_CLAUSE_DEPS = frozenset({OPEN_COMPLEMENT, ADVERBIAL_CLAUSE, CLAUSAL_MODIFIER, RELATIVE_CLAUSE, CLAUSAL_COMPLEMENT,
                          CONJUNCT, PREP_COMPLEMENT})


def unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def between_parties(reader, trigger) -> list[tuple[list[str], list[str]]]:
    """Parties of 'a deal between X (on one side) and Y and Z (on the other)'."""
    doc = trigger.doc
    between = [c for c in trigger.children if c.dep_ == PREPOSITION and c.lower_ == "between"]
    if not between:
        return []
    start = between[0].i + 1
    sent_end = reader.linked.sentence_bounds(trigger.i)[1]
    groups: list[list[str]] = [[]]
    i = start
    while i < sent_end:
        tok = doc[i]
        if tok.text in (";", ":") or (tok.pos_ == VERB and tok.dep_ not in (ADJ_MODIFIER, COMPOUND)):
            break

        if tok.lower_ == "side" and i + 1 < sent_end and groups[-1]:
            groups.append([])
        entity = reader.linked.entity_at(tok)
        if entity is None and tok.pos_ in (NOUN, PRONOUN):
            entity = reader.linked.resolve(tok)
        if entity and located_by(tok, reader.setting_preps):
            entity = None  # "talks between X and Y in Tehran": Tehran is where, not who
        if entity:
            entity = reader.coerce(entity, "Actor")
        if entity and entity not in groups[-1] and reader.linked.is_actor(entity):
            groups[-1].append(entity)
        i += 1
    groups = [g for g in groups if g]
    if len(groups) >= 2:
        return [(groups[0], sum(groups[1:], []))]
    if groups and len(groups[0]) >= 2:
        members = groups[0]
        return [([a], [b]) for a, b in combinations(members, 2)]
    return []


def located_by(tok, setting_preps: frozenset[str]) -> bool:
    """Is this token (part of) the object of a preposition of ``setting_preps`` (where, when: lexicon
    setting_prepositions)?"""
    cur = tok
    while cur.dep_ in (COMPOUND, ADJ_MODIFIER, NOUN_MODIFIER, CONJUNCT, FLAT) and cur.head != cur:
        cur = cur.head
    return cur.dep_ == PREP_OBJECT and cur.head.lower_ in setting_preps


def of_objects(tokens) -> list:
    """The objects of the 'of' phrases hung from ``tokens`` ('scores of shoppers', 'control of Kirkuk')."""
    return [p for tok in tokens for q in tok.children if q.dep_ == PREPOSITION and q.lower_ == "of"
            for p in q.children if p.dep_ == PREP_OBJECT]
