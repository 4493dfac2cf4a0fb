"""Reading a linked article's parse: noun phrases, clause roles, modality.

:class:`Reader` holds one article (a :class:`~kg.linking.LinkedDoc`) and the
trigger lexicon, and answers the questions every extraction rule asks: which
entities a noun phrase denotes (with containers, coreference, appositions
and "known as" names), the logical subject and object of a verb in any
voice, the verb a nominal trigger hangs from, and how firmly a clause is
asserted. It holds no state beyond the article.

The questions are grouped in mixins: :mod:`kg.extract.phrases` (noun
phrases), :mod:`kg.extract.clauses` (clause structure) and
:mod:`kg.extract.frame_roles` (a frame's roles and places); this module
sets up the word lists they read and the per-sentence token scan.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from types import SimpleNamespace

from kg.extract.clauses import Clauses
from kg.extract.frame_roles import FrameRoles
from kg.extract.phrases import NounPhrases
from kg.extract.syntax import _OBJ, _REPORTER_RELATIONS, _REPORTERS
from kg.extract.triggers import Frame, Triggers
from kg.linking import LinkedDoc
from kg.parse_labels import (
    ADJ_COMPLEMENT,
    ADJ_MODIFIER,
    ADVERBIAL_CLAUSE,
    ADVERB_MODIFIER,
    AGENT,
    AUXILIARY,
    AUX_VERB,
    CLAUSAL_COMPLEMENT,
    CLAUSAL_MODIFIER,
    DETERMINER,
    GERUND,
    INFINITIVE_TO,
    MODAL,
    MARKER,
    NEGATION,
    NOUN,
    NUMBER_MODIFIER,
    OBJECT_PREDICATE,
    OPEN_COMPLEMENT,
    PARTICLE,
    PASSIVE_AUXILIARY,
    PAST_PARTICIPLE,
    PAST_TENSE,
    POSSESSOR,
    PREPOSITION,
    PREP_COMPLEMENT,
    PREP_OBJECT,
    PRESENT_3SG,
    PRESENT_NON3SG,
    PROPER_NOUN,
    RELATIVE_CLAUSE,
    ROOT,
    SUPERLATIVE,
    VERB,
    VERB_TAG_PREFIX,
)
from kg.records import Span


class _Scan:
    """The tokens of an article that the loops over a sentence act on.

    Those loops (trigger words, agreement nouns, locative prepositions,
    "according to") read ``pos_``, ``lower_`` or ``lemma_`` of every token,
    making a Token and looking strings up each time, to reject most of them
    at once. Here one ``Doc.to_array`` gives the string ids of every token,
    integer tests against the ids of the words looked for (:class:`_Words`)
    sort them out, and each loop is given only the tokens its own first test
    would let through. It still applies that test: what it does is unchanged.
    """

    def __init__(self, doc, triggers: Triggers):
        from spacy.attrs import DEP, IDX, IS_SPACE, LEMMA, LENGTH, LOWER, POS, TAG

        self.doc = doc
        pos, tag, dep, lower, lemma, space, self.idx, self.length = doc.to_array(
            [POS, TAG, DEP, LOWER, LEMMA, IS_SPACE, IDX, LENGTH]).T.tolist()
        strings = doc.vocab.strings
        words = _words(triggers)
        verb_tags = {t for t in set(tag) if strings[t].startswith(VERB_TAG_PREFIX)}
        verbs, nouns, agreement_nouns = words.verbs, triggers.nouns, words.agreement_nouns
        #: Token indexes, in order, for each loop (see :meth:`tokens`) ...
        self.triggers: list[int] = []  # _sentence_claims: verb, noun and modifier triggers
        self.agreement_nouns: list[int] = []  # extract_agreements
        self.locatives: list[int] = []  # _locatives: possessives and locative prepositions
        self.according: list[int] = []  # attribution._according_to
        self.prepositions: list[int] = []  # Reader.reattached: prepositions and agents
        self.words: list[int] = []  # ... and the tokens that are not white space
        for i, (p, t, d, low, lem, blank) in enumerate(zip(pos, tag, dep, lower, lemma, space)):
            # Integer tests (string ids); the lemma's string only for verbs and nouns.
            verbal, nominal = p in words.verbal_ids or t in verb_tags, p in words.nominal_ids
            lem = strings[lem].lower() if verbal or nominal else ""
            if (verbal and lem in verbs or nominal and (low in words.noun_ids or lem in nouns)
                    or low in words.modifier_ids or nominal and d == words.root_id and lem in verbs):
                self.triggers.append(i)
            if nominal and (low in words.agreement_ids or lem in agreement_nouns):
                self.agreement_nouns.append(i)
            if d == words.poss_id or d == words.prep_id and low in words.locative_ids:
                self.locatives.append(i)
            if low == words.according_id:
                self.according.append(i)
            if d == words.prep_id or d == words.agent_id:
                self.prepositions.append(i)
            if not blank:
                self.words.append(i)

    def tokens(self, which: list[int], start: int, end: int) -> list:
        """The tokens ``doc[start:end]`` listed in ``which``, one of the lists above."""
        doc = self.doc
        return [doc[i] for i in which[bisect_left(which, start):bisect_left(which, end)]]

    def extent(self, sent) -> Span | None:
        """From the first to the last non-space token of ``sent``, in characters; None if blank."""
        words = self.words
        low, high = bisect_left(words, sent.start), bisect_left(words, sent.end)
        if low == high:
            return None
        first, last = words[low], words[high - 1]
        return Span(self.idx[first], self.idx[last] + self.length[last])


@dataclass(frozen=True)
class _Words:
    """What :class:`_Scan` looks for, for one trigger lexicon.

    ``*_ids`` hold string ids (``Doc.to_array`` values): of parts of speech,
    dependency labels and lower-cased words.
    """

    verbs: frozenset[str]  # verb keys and the lemmas they continue with a particle ("pull" of "pull out")
    noun_ids: frozenset[int]
    modifier_ids: frozenset[int]
    agreement_nouns: dict
    agreement_ids: frozenset[int]
    locative_ids: frozenset[int]
    verbal_ids: frozenset[int]  # VERB, AUX
    nominal_ids: frozenset[int]  # NOUN, PROPN
    root_id: int  # ROOT: a headline's verb the tagger takes for a noun
    poss_id: int
    prep_id: int
    agent_id: int
    according_id: int


@lru_cache(maxsize=8)
def _words(triggers: Triggers) -> _Words:
    """The :class:`_Words` of ``triggers`` (made once per lexicon; lexicons hash by identity)."""
    from spacy.strings import get_string_id

    def ids(words):
        return frozenset(get_string_id(word) for word in words)

    verbs = triggers.verbs
    agreement_nouns = triggers.lexicon["agreements"]["nouns"]
    return _Words(verbs=frozenset(verbs) | {key[:i] for key in verbs for i, c in enumerate(key) if c == " "},
                  noun_ids=ids(triggers.nouns), modifier_ids=ids(triggers.modifiers),
                  agreement_nouns=agreement_nouns, agreement_ids=ids(agreement_nouns),
                  locative_ids=ids(frozenset(triggers.lexicon["locative_prepositions"]) | {"of"}), verbal_ids=ids((VERB, AUX_VERB)),
                  nominal_ids=ids((NOUN, PROPER_NOUN)), root_id=get_string_id(ROOT), poss_id=get_string_id(POSSESSOR),
                  prep_id=get_string_id(PREPOSITION), agent_id=get_string_id(AGENT),
                  according_id=get_string_id("according"))


def _verbs_with(triggers: Triggers, relations, *, table=None) -> frozenset[str]:
    """The trigger words (verbs, or the words of ``table``) with a frame of one of ``relations``."""
    table = triggers.verbs if table is None else table
    return frozenset(word for word, frames in table.items() if any(f.rel in relations for f in frames))


@lru_cache(maxsize=8)
def _word_lists(triggers: Triggers) -> dict:
    """The word sets a :class:`Reader` reads off the lexicon, made once per lexicon."""
    w = SimpleNamespace()
    lex = triggers.lexicon
    w.place_containers = frozenset(lex["place_container_nouns"])
    w.containers = frozenset(lex["container_nouns"]) | w.place_containers
    w.relational_places = frozenset(lex["relational_place_nouns"])
    w.symbol_nouns = frozenset(lex["symbol_nouns"])
    w.force_nouns = frozenset(lex["force_nouns"]) | frozenset(lex["fighter_nouns"])
    w.combatant_nouns = frozenset(lex["combatant_nouns"])
    w.group_member_nouns = frozenset(lex["group_member_nouns"])
    w.attack_nouns = _verbs_with(triggers, {"attacked"}, table=triggers.nouns)
    w.involvement_nouns = frozenset(lex["involvement_nouns"])
    w.falling_verbs = frozenset(lex["falling_verbs"])
    w.weapon_nouns = frozenset(lex["weapon_nouns"])
    w.materiel_nouns = frozenset(lex["materiel_nouns"]) | w.weapon_nouns
    w.where_preps = frozenset(lex["where_prepositions"])
    w.adjunct_preps = frozenset(lex["adjunct_prepositions"])
    w.participation_verbs = frozenset(lex["participation_verbs"])
    w.adjunct_relations = frozenset({"fought", "attacked", "deal_with", "truce_with"})
    w.accusation_verbs = frozenset(lex["accusation_verbs"])
    w.departure_verbs = frozenset(lex["departure_verbs"])
    w.holding_verbs = frozenset(lex["holding_verbs"])
    w.owning_verbs = frozenset(lex["owning_verbs"])
    w.keeping_verbs = frozenset(lex["keeping_verbs"])
    w.provoking_verbs = frozenset(lex["provoking_verbs"])
    w.government_nouns = frozenset(lex["government_nouns"])
    w.hostile_verbs = _verbs_with(triggers, {"attacked", "fought", "besieged"})
    w.relinquish_verbs = frozenset(lex["relinquish_verbs"])
    w.support_verb_triggers = _verbs_with(triggers, {"backs", "allied_with"})
    w.alignment_verbs = frozenset(lex["alignment_verbs"])
    w.speech_verbs = frozenset(lex["speech_verbs"])
    w.repel_verbs = frozenset(lex["repel_verbs"])
    w.asset_nouns = frozenset(lex["asset_nouns"])
    w.asset_location_preps = frozenset(lex["asset_location_prepositions"])
    w.site_nouns = frozenset(lex["site_nouns"])
    w.hosting_verbs = frozenset(lex["hosting_verbs"])
    w.broker_verbs = frozenset(lex["agreements"]["broker_verbs"])
    w.armed_relations = frozenset(r for r, spec in triggers.relations.items()
                                     if spec.get("family") in ("hostility", "territory") and r != "accused")
    w.armed_verbs = _verbs_with(triggers, w.armed_relations)
    w.subunit_nouns = frozenset(lex["roles"]["subunits"])
    w.control_object = frozenset(lex["control_verbs_object"])
    w.recipient_verbs = frozenset(lex["recipient_verbs"])
    w.transfer_verbs = frozenset(lex["transfer_verbs"])
    w.reaction_nouns = frozenset(lex["reaction_nouns"])
    w.denial = frozenset(lex["denial_verbs"])
    w.irrealis = frozenset(lex["irrealis_verbs"])
    w.negating_prepositions = frozenset(lex["negating_prepositions"])
    w.obligation_auxiliaries = frozenset(lex["obligation_auxiliaries"])
    w.counterpart_nouns = frozenset(lex["counterpart_nouns"])
    w.taking_verbs = frozenset(lex["taking_verbs"])
    w.time_markers = frozenset(lex["time_markers"])
    w.entry_verbs = frozenset(lex["entry_verbs"])
    w.inclusion_preps = frozenset(lex["inclusion_prepositions"])
    w.conditional_markers = frozenset(lex["conditional_markers"])
    w.pending_markers = frozenset(lex["pending_markers"])
    w.plural_pronouns = frozenset(lex["plural_pronouns"])
    w.support_verbs = frozenset(lex["support_verbs"])
    w.report_nouns = frozenset(lex["report_nouns"])
    w.unconfirmed = frozenset(lex["unconfirmed_verbs"])
    roles = lex["roles"]
    w.leader_roles = frozenset(roles["leader"])
    w.member_roles = frozenset(roles["member"])
    w.leader_titles = tuple(sorted(roles["titles_leader"], key=len, reverse=True))
    w.member_titles = tuple(sorted(roles["titles_member"], key=len, reverse=True))
    w.honorifics = frozenset(roles.get("honorifics", ()))
    w.role_nouns = frozenset(roles["leader"]) | frozenset(roles["member"])
    w.liaison_roles = frozenset(roles.get("liaison", ()))
    w.subordinate_roles = frozenset(roles.get("subordinate", ()))
    w.conditional_leader_roles = frozenset(roles.get("leader_of", ()))
    w.agreement_place_preps = frozenset(lex["agreement_place_prepositions"])
    w.object_agent_preps = frozenset(lex["object_agent_prepositions"])
    w.support_preps = frozenset(lex["support_prepositions"])
    w.casualty_verbs = frozenset(lex["casualty_verbs"])
    w.injury_verbs = frozenset(lex["injury_verbs"])
    w.victim_verbs = frozenset(lex["victim_verbs"])
    w.death_verbs = frozenset(lex["death_verbs"])
    w.partner_preps = frozenset(lex["partner_prepositions"])
    w.target_preps = frozenset(lex["target_prepositions"])
    w.place_part_nouns = frozenset(lex["place_part_nouns"])
    w.presence_preps = frozenset(lex["presence_prepositions"])
    w.ally_nouns = frozenset(lex["ally_nouns"])
    w.acceptance_verbs = frozenset(lex["acceptance_verbs"])
    w.reported_subject_pronouns = frozenset(lex["reported_subject_pronouns"])
    w.naming_verbs = frozenset(lex["naming_verbs"])
    w.affiliation_adjectives = frozenset(lex["affiliation_adjectives"])
    w.partitive_words = frozenset(lex["partitive_words"])
    w.source_preps = frozenset(lex["source_prepositions"])
    w.realised_ranks = frozenset(lex["realised_ranks"])
    w.present_be_forms = frozenset(lex["present_be_forms"])
    w.non_state_tags = frozenset(lex["non_state_tags"])
    w.subunit_preps = frozenset(lex["subunit_prepositions"])
    w.role_organisation_preps = frozenset(lex["role_organisation_prepositions"])
    w.liaison_preps = frozenset(lex["liaison_prepositions"])
    w.indefinite_determiners = frozenset(lex["indefinite_determiners"])
    w.climb_preps = frozenset(lex["climb_prepositions"])
    w.descend_preps = tuple(lex["descend_prepositions"])  # tried in this order
    w.locative_preps = frozenset(lex["locative_prepositions"])
    w.locative_or_of = w.locative_preps | {"of"}
    w.relative_pronouns = frozenset(lex["relative_pronouns"])
    w.relative_adverbs = frozenset(lex["relative_adverbs"])
    w.compass_words = frozenset(lex["compass_words"])
    w.setting_preps = frozenset(lex["setting_prepositions"])
    w.leading_participles = frozenset(lex["leading_participles"])
    w.non_reciprocal_preps = frozenset(lex["non_reciprocal_prepositions"])
    return dict(vars(w))


class Reader(NounPhrases, Clauses, FrameRoles):
    """Reads frames off one linked article. Holds no state beyond the article."""

    def __init__(self, linked: LinkedDoc, triggers: Triggers):
        # Extraction never writes into the linker's record: it reads a copy, to whose entities and
        # names it adds what it introduces (introduce, modifiers); read_article returns them.
        self.linked = replace(linked, entities=dict(linked.entities), _cache=dict(linked._cache),
                              surface={entity: set(names) for entity, names in linked.surface.items()})
        self.t = triggers
        vars(self).update(_word_lists(triggers))
        self.scan = _Scan(linked.doc, triggers)
        self._generic_starts: list[tuple[int, int]] | None = None

    def introduce(self, entity_id: str) -> str:
        """Make a dictionary entity the text implies but does not name a node of the article.

        ("Assad's backers": the Syrian government.) The one place where
        extraction adds an entity (to its own copy of the linker's entities).
        """
        linked = self.linked
        if entity_id not in linked.entities:
            linked.entities[entity_id] = linked.gazetteer.entities[entity_id].entity
        return entity_id

    # -- type checks --------------------------------------------------------------------
    def coerce(self, entity: str, wanted: str | None, relation: str | None = None) -> str:
        """A capital where an actor is wanted is its state ("accused Ankara"); a political
        body that fights is its armed wing ("fighting with the opposition": the rebels)."""
        if relation in self.armed_relations:
            info = self.linked.info(entity)
            if info is not None and info.armed_wing in self.linked.gazetteer.entities:
                return self.introduce(info.armed_wing)
        if wanted in ("Actor", "Person") and not self.linked.is_actor(entity):
            info = self.linked.info(entity)
            if info is not None and info.capital_of in self.linked.gazetteer.entities:
                return self.introduce(info.capital_of)
            if info is not None and info.government in self.linked.gazetteer.entities:
                return self.introduce(info.government)  # "UN calls on Kurdistan": its government
        return entity

    def fits(self, entity: str, wanted: str | None, relation: str | None = None) -> bool:
        if relation not in _REPORTER_RELATIONS:
            info = self.linked.info(entity)
            if info is not None and info.tags & _REPORTERS:
                return False  # news agencies and monitors report events; they are not parties
        if wanted in (None, "Entity"):
            return bool(self.linked.types(entity))
        if wanted == "Actor":
            return self.linked.is_actor(entity)
        return wanted in self.linked.types(entity)

    # -- modality ------------------------------------------------------------------------
    def modality(self, trigger) -> str:
        """'asserted', or why not: 'negated', 'denied', 'unconfirmed'.

        Negation and denial reach a trigger through its own ``neg`` or a
        chain of complement clauses ("did not agree to leave", "denied
        reaching a deal"), never from a verb whose argument merely contains
        the trigger.
        """
        cur = trigger
        if _purpose_infinitive(trigger, self.realised_ranks) and trigger.head.lemma_.lower() not in self.t.nouns \
                and trigger.head.lower_ not in self.t.nouns:
            # "activities to push X out of Iraq": an aim, not an event; but "a campaign to
            # drive X out" and "a deal to leave P" say what the campaign or the deal is
            return "negated"
        if any(c.dep_ == AUXILIARY and c.lower_ in self.obligation_auxiliaries for c in trigger.children):
            return "negated"  # "Iran must leave Syria", "the rebels should withdraw": a demand, not an event
        prev = trigger
        for _ in range(6):
            if cur != trigger and cur.lemma_.lower() in self.irrealis and not _finite_report(prev):
                return "negated"  # "urged the PKK to withdraw": a request, not a claim
            if any(c.dep_ == NEGATION for c in cur.children) or any(
                    c.dep_ == DETERMINER and c.lower_ == "no" for c in cur.children) or any(
                    c.dep_ == ADVERB_MODIFIER and any(g.dep_ == NEGATION for g in c.children) for c in cur.children):
                # ... or "no longer controls": the negation hangs from the adverb
                lemma = cur.lemma_.lower()
                if lemma in self.unconfirmed:
                    return "unconfirmed"
                if lemma in self.denial:
                    return "asserted"  # "did not deny" leaves the claim standing
                return "negated"
            if cur != trigger and cur.lemma_.lower() in self.denial:
                return "denied"
            if cur.dep_ in (CLAUSAL_MODIFIER, RELATIVE_CLAUSE) and cur.head.lemma_.lower() in self.report_nouns:
                # "rejected reports that it had negotiated": up to the verb of 'reports'
                cur = cur.head
                if cur.dep_ in _OBJ and cur.head.lemma_.lower() in self.denial:
                    return "denied"
                break
            if cur.dep_ in (PREP_COMPLEMENT,
                            PREP_OBJECT) and cur.head.dep_ == PREPOSITION and cur.head.lower_ in ("of", "for") \
                    and cur.head.head.lemma_.lower() in self.accusation_verbs:
                return "unconfirmed"  # "accused Turkey of shelling Kobani": alleged, not asserted
            if cur.dep_ in (ADVERBIAL_CLAUSE, CLAUSAL_COMPLEMENT) and cur.pos_ in (VERB, AUX_VERB) \
                    and self._unrealised_clause(cur):
                return "negated"  # "will not stop until the YPG leaves Manbij", "if they do not leave"
            if cur.dep_ in (PREP_COMPLEMENT, PREP_OBJECT) and cur.head.dep_ == PREPOSITION \
                    and cur.head.lower_ in self.negating_prepositions:
                return "negated"  # "held talks without reaching a deal", "ended without an agreement"
            if cur.dep_ == PREP_COMPLEMENT and cur.head.dep_ == PREPOSITION and cur.head.head.pos_ in (VERB, AUX_VERB):
                cur = cur.head.head  # "does not admit to negotiating": up to the verb of the phrase
                continue
            if cur.dep_ not in (OPEN_COMPLEMENT, CLAUSAL_COMPLEMENT, PREP_COMPLEMENT) or cur.head == cur:
                break
            prev, cur = cur, cur.head
        return "asserted"

    def _unrealised_clause(self, verb) -> bool:
        """An adverbial clause of condition ('if', 'unless') or, in the present tense, of a time
        still to come ('until the YPG leaves', 'before IS withdraws'), not one that happened
        ('fought until IS withdrew')."""
        markers = {c.lower_ for c in verb.children if c.dep_ == MARKER}
        if markers & self.conditional_markers:
            return True
        return bool(markers & self.pending_markers) and _present(verb, self.present_be_forms)

    def requirements_met(self, trigger, frame: Frame) -> bool:
        if frame.forbids and self._any_met(trigger, frame.forbids):
            return False
        if not frame.requires:
            return True
        return self._any_met(trigger, frame.requires)

    def _any_met(self, trigger, requirements) -> bool:
        for req in requirements:
            kind, _, value = req.partition(":")
            if kind == "passive" and self.is_passive(trigger):
                return True
            if kind == "preposition" and (self.prep_objects(trigger, value) or self.object_hung(trigger, value)):
                return True
            if kind in ("preposition", "particle") and any(c.dep_ in (PARTICLE, PREPOSITION, ADVERB_MODIFIER) and c.lower_ == value
                                               for c in trigger.children):
                return True
            if kind == "adjective" and any(c.lower_ == value and c.dep_ == ADJ_MODIFIER for o in [trigger, *trigger.children]
                                      if o == trigger or o.dep_ in _OBJ for c in o.children):
                return True  # the trigger's own adjective ("an affiliated force") or its object's
            if kind == "obj" and any(c.dep_ in _OBJ and (c.lower_ == value or c.lemma_.lower() == value or any(
                    p.lower_ == value for q in c.children if q.dep_ == PREPOSITION and q.lower_ == "of"
                    for p in q.children if p.dep_ == PREP_OBJECT)) for c in trigger.children):
                return True  # "handed over letters", "a list of demands"
            if kind == "obj_force" and any(self._force_phrase(o) for o in self.object_tokens(trigger)):
                return True
            if kind == "obj_materiel" and any(self._materiel_phrase(o) for o in self.object_tokens(trigger)):
                return True  # "shipped anti-tank missiles to the rebels": arms, money, advisers go to a side
            if kind == "obj_weapon" and any(self._weapon_phrase(o) for o in self.object_tokens(trigger)):
                return True  # "dropped barrel bombs on the town", not "dropped leaflets"
            if kind == "with_materiel" and any(self._materiel_phrase(o) for o in self.prep_objects(trigger, "with")):
                return True  # "supplied the army with drones"
            if kind == "tense" and value == "present" and _present(trigger, self.present_be_forms):
                return True
            if kind == "subj_attack" and any(
                    self._attack_phrase(tok) for tok in self.subject_tokens(trigger)):
                return True  # "coalition air strikes destroyed much of Raqqa"
            if kind == "no_obj" and not any(c.dep_ in _OBJ for c in trigger.children):
                return True  # "Russian military police deployed to Tal Rifaat": no one was deployed by them
            if kind == "in_event" and any(
                    c.dep_ == PREPOSITION and c.lower_ == "in" and any(
                        p.dep_ == PREP_OBJECT and (p.lemma_.lower() in self.t.nouns or p.lower_ in self.t.nouns)
                        for p in c.children) for c in trigger.children):
                return True  # "joined Turkish troops in the assault": a part in an event, no membership
            if kind == "purpose" and _purpose_infinitive(trigger, self.realised_ranks):
                return True  # "a campaign to drive IS from Hajin" attacks; it has taken nothing yet
            if kind == "obj_combatant" and any(self._combatant_phrase(o) for o in self.object_tokens(trigger)):
                return True  # "drove the militants out of P": fighters expelled, not diplomats
            if kind == "obj_asset" and any(self._asset_phrase(o) for o in self.object_tokens(trigger)):
                return True
            if kind == "obj_site" and any(self._site_phrase(o) for o in self.object_tokens(trigger)):
                return True
            if kind == "obj_place_noun" and any(o.lemma_.lower() in self.place_containers or
                                                o.lower_ in self.place_containers for o in self.object_tokens(trigger)):
                return True  # "captured Islamic State's last enclave": a place, not a captive
            if kind == "complement" and any(
                    c.dep_ in (OBJECT_PREDICATE, OPEN_COMPLEMENT, ADJ_COMPLEMENT, CLAUSAL_COMPLEMENT,
                               ADVERBIAL_CLAUSE, ADJ_MODIFIER) and c.lower_ == value
                    for c in [*trigger.children, *(g for o in trigger.children if o.dep_ in _OBJ for g in o.children)]):
                return True  # "held Turkey responsible" (the parser may hang it from the object)
        return False


def _finite_report(clause) -> bool:
    """'warned that air strikes had damaged the dam': a finite clause in the past or present
    under a verb of warning reports what happened; 'warned X to stop', 'demanded that W stop'
    (an infinitive, a bare subjunctive) and 'warned that IS could attack' (a modal) do not."""
    if clause.dep_ != CLAUSAL_COMPLEMENT:
        return False
    tags = {clause.tag_} | {c.tag_ for c in clause.children if c.dep_ in (AUXILIARY, PASSIVE_AUXILIARY)}
    return MODAL not in tags and bool(tags & {PAST_TENSE, PRESENT_3SG, PRESENT_NON3SG})


def _purpose_infinitive(verb, realised_ranks: frozenset[str]) -> bool:
    """'activities to push X out', 'a plan to retake P': an infinitive saying what a noun
    is for, not what happened."""
    if not (verb.pos_ == VERB and verb.dep_ in (CLAUSAL_MODIFIER,
                                                RELATIVE_CLAUSE) and verb.head.pos_ in (NOUN, PROPER_NOUN)
            and any(c.dep_ == AUXILIARY and c.tag_ == INFINITIVE_TO for c in verb.children)):
        return False
    # "the first big city to fall to Daesh", "the last town to be retaken": it happened
    return not any(c.dep_ in (ADJ_MODIFIER, NUMBER_MODIFIER) and (c.tag_ == SUPERLATIVE or c.lower_ in realised_ranks)
                   for c in verb.head.children)


def _present(verb, be_forms: frozenset[str]) -> bool:
    """Is a verb in the present tense ('occupies', 'are occupying', 'is occupied by')?"""
    if verb.tag_ in (PRESENT_3SG, PRESENT_NON3SG):
        return True
    return verb.tag_ in (GERUND, PAST_PARTICIPLE) and any(
        c.dep_ in (AUXILIARY,
                   PASSIVE_AUXILIARY) and c.lower_ in be_forms for c in verb.children)
