"""Relation extraction: (actor, relation, actor-or-place) claims from a parse.

Triggers (verbs, nouns, hyphenated modifiers) and the frames they evoke are
data (``ontology/triggers.json``); this module knows how English realises
the roles of a frame in a dependency parse: active and passive voice,
control ("allowed Daesh to leave"), relative clauses, participles,
coordination, nominal triggers with their possessor or support verb ("the
SDF reached a truce with ISIS"), container nouns ("the towns of al-Hajeen
and al-Baghouz", "a Daesh position"), appositions and titles ("SDF
spokesman Mostafa Bali") and locative phrases ("Markada ... in the southern
countryside of Hasaka").

:func:`extract_claims` and :func:`read_article` are plain functions over a
:class:`~kg.linking.LinkedDoc`; they yield :class:`~kg.records.Claim` (and
:class:`~kg.records.Agreement`) records. The package keeps one concern per
module: the trigger lexicon (:mod:`kg.extract.triggers`), reading the parse
(:mod:`kg.extract.reader`), hyphenated modifiers (:mod:`kg.extract.modifiers`),
people's roles (:mod:`kg.extract.roles`) and locatives
(:mod:`kg.extract.locatives`).
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import NamedTuple

from kg.extract.agreements import brokered, extract_agreements
from kg.extract.attribution import MODALITIES, modality_and_speaker
from kg.extract.locatives import _asset_presence, _locatives
from kg.extract.modifiers import _modifier
from kg.extract.reader import Reader
from kg.extract.roles import _person_roles, _possessive_members, _rulers_named
from kg.extract.syntax import between_parties, unique
from kg.extract.triggers import Frame, Triggers, load_triggers
from kg.linking import LinkedDoc
from kg.parse_labels import (
    AUX_VERB,
    DIRECT_OBJECT,
    NEGATION,
    NOUN,
    PARTICLE,
    PREPOSITION,
    PROPER_NOUN,
    ROOT,
    SUBJECT,
    VERB,
    VERB_TAG_PREFIX,
)
from kg.records import Agreement, Claim, Document, Entity

#: Relations whose object, a ruler, also stands for the state he leads.
_RULER_STANDS_FOR_STATE = frozenset({"backs", "allied_with"})
#: Particles that make a verb of another sense: "take down a flag" is no capture.
_NEW_SENSE_PARTICLES = (" down", " up", " off", " away", " apart")

__all__ = ["Frame", "Reading", "Triggers", "extract_claims", "load_triggers", "read_article"]


def _verb_key(token) -> str:
    particles = [c.lower_ for c in token.children if c.dep_ == PARTICLE]
    lemma = token.lemma_.lower()
    return f"{lemma} {particles[0]}" if particles else lemma


def extract_claims(linked: LinkedDoc, document: Document, *, triggers: Triggers | None = None,
                   keep_modalities: frozenset[str] = frozenset(MODALITIES)) -> Iterator[Claim]:
    """Yield the relation claims of one linked article, sentence by sentence.

    Each claim carries its modality (asserted, reported, denied, planned,
    unconfirmed) and speaker when one is named. Plainly negated claims ("did
    not attack") are dropped; the others are yielded when their modality is
    in ``keep_modalities``. Self-loops and ends of the wrong type (a place
    that "captured" something) never come out.
    """
    for item in _read(Reader(linked, triggers or load_triggers()), document, keep_modalities, agreements=False):
        yield item


class Reading(NamedTuple):
    """What :func:`read_article` read in one article.

    ``entities`` and ``names`` are the article's entities and the names seen
    for each: the linker's (``LinkedDoc.entities``, ``LinkedDoc.surface``,
    which extraction leaves as they are) with those extraction introduced
    ("Assad's backers": the Syrian government; "Iran-backed": Iran).
    """

    claims: list[Claim]
    agreements: list[Agreement]
    entities: dict[str, Entity]
    names: dict[str, set[str]]


def read_article(linked: LinkedDoc, document: Document, *, triggers: Triggers | None = None,
                 keep_modalities: frozenset[str] = frozenset(MODALITIES)) -> Reading:
    """All claims and agreement events of one linked article, in text order, with its entities."""
    claims, agreements = [], []
    reader = Reader(linked, triggers or load_triggers())
    for item in _read(reader, document, keep_modalities, agreements=True):
        (claims if isinstance(item, Claim) else agreements).append(item)
    return Reading(claims, agreements, reader.linked.entities, reader.linked.surface)


def _read(reader, document, keep_modalities, *, agreements: bool):
    linked = reader.linked
    seen: set[tuple] = set()
    for sent in linked.doc.sents:
        span = reader.scan.extent(sent)
        if span is None:
            continue
        text = span.slice(document.text)
        sentence_claims = []
        for subject, rel, obj, rule, base, trigger in _sentence_claims(reader, sent):
            if base == "negated":
                continue
            modality, speaker = base, None
            if trigger is not None:
                modality, speaker = modality_and_speaker(reader, trigger, base)
            if modality not in keep_modalities:
                continue
            key = (subject, rel, obj, span, modality, speaker)
            if key in seen:
                continue
            seen.add(key)
            claim = Claim(subject=subject, relation=rel, object=obj, doc=document.id, sentence=span,
                          text=text, rule=rule, modality=modality, speaker=speaker)
            sentence_claims.append(claim)
            yield claim
        if agreements:
            for agreement in extract_agreements(reader, sentence_claims, sent, doc_id=document.id,
                                                span=span, text=text):
                if agreement.modality in keep_modalities:
                    yield agreement


def _sentence_claims(reader: Reader, sent) -> Iterator[tuple]:
    t = reader.t
    for tok in reader.scan.tokens(reader.scan.triggers, sent.start, sent.end):
        if tok.pos_ in (VERB, AUX_VERB) or tok.tag_.startswith(VERB_TAG_PREFIX):
            key = _verb_key(tok)
            frames = t.verbs.get(key)
            if frames is None and not key.endswith(_NEW_SENSE_PARTICLES):
                frames = t.verbs.get(tok.lemma_.lower())  # "pushed back": the bare verb's frames
            if frames:
                yield from _apply(reader, tok, frames, is_noun=False)
        elif tok.dep_ == ROOT and tok.pos_ == NOUN and any(c.dep_ == SUBJECT for c in tok.children) \
                and any(c.dep_ == DIRECT_OBJECT for c in tok.children):
            # a headline's "Peshmerga, Iraqi army launch joint offensive": a verb tagged as a noun
            frames = t.verbs.get(tok.lemma_.lower())
            if frames:
                yield from _apply(reader, tok, frames, is_noun=False)
                continue
        if tok.pos_ in (NOUN, PROPER_NOUN):
            frames = t.noun_frames(tok.lower_, tok.lemma_.lower())
            if frames:
                yield from _apply(reader, tok, frames, is_noun=True)
        if tok.lower_ in t.modifiers:
            yield from _modifier(reader, tok)
    yield from _person_roles(reader, sent)
    yield from _possessive_members(reader, sent)
    yield from _rulers_named(reader, sent)
    yield from _locatives(reader, sent)
    yield from _asset_presence(reader, sent)
    yield from brokered(reader, sent)


def _apply(reader: Reader, trigger, frames, *, is_noun: bool):
    relations = reader.t.relations
    modality = reader.modality(trigger)
    support = reader.support_verb(trigger) if is_noun else None
    direct = reader.direct_support(trigger) if is_noun else None
    if direct is not None and modality == "asserted":
        if direct.lemma_.lower() in reader.denial:  # "denied any role in the attack"; "did not deny" stands
            modality = "asserted" if any(c.dep_ == NEGATION for c in direct.children) else "denied"
        else:
            modality = reader.modality(direct)
    for frame in frames:
        if frame.support and (support is None or support.lemma_.lower() not in frame.support):
            continue
        if not reader.requirements_met(trigger, frame):
            continue
        spec = relations[frame.rel]
        s_type = frame.s_type or spec["domain"]
        o_type = frame.o_type or spec["range"]
        subjects = _first(reader, trigger, frame.s, is_noun, frame, s_type)
        objects = _first(reader, trigger, frame.o, is_noun, frame, o_type)
        not_types = set(frame.o_not_type) | set(spec.get("range_not", ()))
        if not_types:  # "drove IS out of Sinjar" captures a town, not "out of Iraq" a state
            objects = [o for o in objects if not set(reader.linked.types(o)) & not_types]
        rule = f"{'noun' if is_noun else 'verb'}:{trigger.lemma_.lower()}:{frame.rel}"
        if frame.reciprocal and spec["symmetric"]:
            parties = between_parties(reader, trigger)
            for group_a, group_b in parties:
                for a in group_a:
                    for b in group_b:
                        if a != b and reader.fits(a, s_type, frame.rel) and reader.fits(b, o_type, frame.rel):
                            yield a, frame.rel, b, rule + ":between", modality, trigger
            if not objects and len(subjects) > 1 and not parties and not any(
                    c.dep_ == PREPOSITION and c.lower_ == "between" for c in trigger.children) and not any(
                    c.dep_ == PREPOSITION and c.lower_ in reader.non_reciprocal_preps and (c.lower_ != "for" or any(
                        reader.linked.is_actor(e) for e in reader.nps(reader.prep_objects(trigger, "for"))))
                    and (c.lower_ != "against" or spec["family"] == "hostility")
                    for c in trigger.children):
                # "fought for the regime" is one side, "for control of" is not; "worked together
                # against IS" still pairs the partners
                for a, b in combinations(subjects, 2):
                    yield a, frame.rel, b, rule + ":reciprocal", modality, trigger
        for s in subjects:
            rel = frame.rel
            if rel == "appealed_to" and _own_side(reader, s, objects):
                continue  # "Abadi ordered Iraqi forces to ...": a leader's orders to his own side are no appeal
            if rel == "located_in" and "State" in reader.linked.types(s):
                rel = "active_in"  # "the Turkish observation post located in Morek": forces, not a place
            if rel == "member_of":
                # "pledged allegiance to al-Qaeda leader Ayman al-Zawahiri": one joins the group he leads;
                # nobody is a member of a person
                objects = [reader.ruled(o) if "Person" in reader.linked.types(o) else o for o in objects]
                objects = [o for o in objects if "Person" not in reader.linked.types(o)]
            for o in objects:
                if s != o:
                    yield s, rel, o, rule, modality, trigger
                if rel in _RULER_STANDS_FOR_STATE:
                    state = reader.ruled(o)
                    if state not in (o, s):
                        # "has been supporting President Bashar al-Assad": his government too
                        yield s, rel, state, rule + ":ruled", modality, trigger


def _own_side(reader: Reader, subject: str, objects: list[str]) -> bool:
    info = reader.linked.info(subject)
    return info is not None and info.affiliation is not None and info.affiliation[1] in objects


def _first(reader, trigger, roles, is_noun, frame, wanted) -> list[str]:
    for role in roles:
        found = [reader.coerce(e, wanted, frame.rel)
                 for e in reader.role(trigger, role, is_noun=is_noun, frame=frame, wanted=wanted)]
        found = unique([e for e in found if e and reader.fits(e, wanted, frame.rel)])
        if found:
            return found
    return []
