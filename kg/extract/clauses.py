"""Clause structure: subjects and objects in any voice, support verbs, owners.

A mixin of :class:`~kg.extract.reader.Reader`; it reads the attributes the
reader sets up and calls the other mixins through ``self``.
"""
from __future__ import annotations

from kg.extract.syntax import (
    _CLIMB_DEPS,
    _MISPARSED_OBJECT,
    _OBJ,
    _PASS_SUBJ,
    _SUBJ,
    of_objects,
    unique,
)
from kg.extract.triggers import Frame
from kg.parse_labels import (
    ADJ_MODIFIER,
    ADVERBIAL_CLAUSE,
    ADVERB_MODIFIER,
    AGENT,
    APPOSITION,
    AUXILIARY,
    AUX_VERB,
    CLAUSAL_COMPLEMENT,
    CLAUSAL_MODIFIER,
    COMPOUND,
    CONJUNCT,
    COORDINATOR,
    DATIVE,
    DETERMINER,
    DIRECT_OBJECT,
    GERUND,
    MARKER,
    NOUN,
    NOUN_ADVERBIAL,
    NOUN_MODIFIER,
    OPEN_COMPLEMENT,
    PARTICLE,
    PASSIVE_AUXILIARY,
    PASSIVE_SUBJECT,
    PAST_PARTICIPLE,
    PAST_TENSE,
    POSSESSOR,
    PREPOSITION,
    PREP_COMPLEMENT,
    PREP_OBJECT,
    PRESENT_NON3SG,
    PRONOUN,
    PROPER_NOUN,
    PUNCTUATION,
    RELATIVE_CLAUSE,
    ROOT,
    SUBJECT,
    UNCLASSIFIED,
    VERB,
)


class Clauses:
    """The logical subject and object of a verb in any voice, the verb a nominal
    trigger hangs from, a noun's owner and recipients."""

    # -- clause structure ----------------------------------------------------------------
    @staticmethod
    def headline_passive(verb) -> bool:
        """A headline's participle with a subject, no auxiliary and no object ('Soleimani killed in
        airstrike'; the tagger may take it for a past tense)."""
        return verb.dep_ == ROOT and verb.tag_ in (PAST_PARTICIPLE, PAST_TENSE) \
            and any(c.dep_ == SUBJECT for c in verb.children) \
            and not any(c.dep_ in (AUXILIARY, PASSIVE_AUXILIARY, DIRECT_OBJECT) for c in verb.children)

    @staticmethod
    def is_passive(verb) -> bool:
        if any(c.dep_ in (PASSIVE_AUXILIARY, PASSIVE_SUBJECT) for c in verb.children):
            return True
        return verb.tag_ == PAST_PARTICIPLE and verb.dep_ in (CLAUSAL_MODIFIER, ADJ_MODIFIER,
                                                              ADVERBIAL_CLAUSE) and not any(
            c.dep_ in (AUXILIARY, SUBJECT) for c in verb.children)

    def subject_tokens(self, verb, depth: int = 0) -> list:
        """Tokens naming the logical subject (agent) of a verb."""
        if depth > 4:
            return []
        if self.is_passive(verb):
            return [p for c in verb.children if c.dep_ == AGENT for p in c.children if p.dep_ == PREP_OBJECT]
        subjects = [c for c in verb.children if c.dep_ in _SUBJ]
        with_clause = verb.dep_ == ADVERBIAL_CLAUSE and any(c.dep_ == MARKER and c.lower_ == "with" for c in verb.children) \
            or verb.dep_ == PREP_COMPLEMENT and verb.head.lower_ == "with"
        if subjects and with_clause:
            # "rebels reach agreement with government to leave Quneitra", parsed as a with-clause
            governor = verb.head if verb.dep_ == ADVERBIAL_CLAUSE else verb.head.head
            if self._leaving_side(governor, verb, subjects) == "subject":
                return self.subject_tokens(governor, depth + 1)
        if subjects:
            if verb.tag_ == PRESENT_NON3SG:
                # a headline's "Russia, Turkey agree Idlib ceasefire": with a plural verb, two names
                # the parser took for an apposition are coordinated subjects
                linked = self.linked
                subjects = subjects + [a for s in subjects for a in s.children
                                       if a.dep_ == APPOSITION and a.pos_ == PROPER_NOUN and a.i > s.i
                                       and linked.entity_at(a) is not None and linked.entity_at(a) != linked.entity_at(s)]
                # "US, Russia hold talks": the first name hung from the verb as an adverbial noun
                first = min(t.i for t in subjects)
                # ("Iraqi army, Peshmerga launch ...": or left unclassified)
                subjects = [c for c in verb.children if (c.dep_ == NOUN_ADVERBIAL and c.pos_ == PROPER_NOUN
                                                         or c.dep_ == UNCLASSIFIED and c.pos_ in (NOUN, PROPER_NOUN))
                            and c.i < first and c.nbor(1).lower_ == "," and linked.entity_at(c) is not None
                            and linked.is_actor(linked.entity_at(c))] + subjects
            return subjects
        dep, head = verb.dep_, verb.head
        if head == verb:
            # a headline's "US strikes militia": the name before the verb parsed as its compound
            return [c for c in verb.children if c.dep_ == COMPOUND and c.i < verb.i
                    and self.linked.entity_at(c) is not None and self.linked.is_actor(self.linked.entity_at(c))]
        if dep == CONJUNCT:
            return self.subject_tokens(head, depth + 1)
        if dep in (CLAUSAL_MODIFIER, RELATIVE_CLAUSE) and head.pos_ in (NOUN, PROPER_NOUN, PRONOUN):
            if dep == CLAUSAL_MODIFIER and self._infinitive(verb):
                if self.np(head):
                    return [head]
                owner = self._owner_tokens(head)
                if not owner and verb.lemma_.lower() in self.departure_verbs:
                    # "reached an agreement with Russian officers to leave Douma": the rebel side leaves
                    partners = self.prep_objects(head, "with")
                    support = self.support_verb(head)
                    if partners and support is not None:
                        side = self._leaving_side(support, verb, partners)
                        if side == "subject":
                            return self.subject_tokens(support, depth + 1)
                        if side == "partner":
                            return partners
                return owner
            return [head]
        if dep == PREP_COMPLEMENT and head.dep_ == PREPOSITION and head.head.pos_ in (VERB, AUX_VERB):
            governor = head.head
            if head.lower_ in self.object_agent_preps:
                objects = [c for c in governor.children if c.dep_ in _OBJ]
                # "accused Turkey of shelling Kobani", "stopped them from leaving": the object acts
                return objects if objects else []
            return self.subject_tokens(governor, depth + 1)  # "announced ... after meeting Putin"
        if dep in (OPEN_COMPLEMENT, ADVERBIAL_CLAUSE, CLAUSAL_COMPLEMENT,
                   PREP_COMPLEMENT) or (dep == CLAUSAL_MODIFIER and head.pos_ in (VERB, AUX_VERB)):
            if head.pos_ not in (VERB, AUX_VERB):
                # "decision to hasten": the noun's owner.
                return self._owner_tokens(head) if head.pos_ in (NOUN, PROPER_NOUN) else []
            raised = [c for c in verb.children if c.lower_ in self.relative_pronouns and c.i < head.i]
            if dep == OPEN_COMPLEMENT and raised:
                return raised  # "the YPG, which Ankara considers to be an offshoot of the PKK"
            if dep in (OPEN_COMPLEMENT, ADVERBIAL_CLAUSE) and self._infinitive(verb) or dep == OPEN_COMPLEMENT:
                controller = self._object_controller(head, verb)
                if controller:
                    return controller
            found = self.subject_tokens(head, depth + 1)
            if not found and dep == ADVERBIAL_CLAUSE and verb.tag_ == GERUND and self.is_passive(head) \
                    and head.dep_ in (CLAUSAL_COMPLEMENT, OPEN_COMPLEMENT,
                                      ADVERBIAL_CLAUSE) and head.head.pos_ in (VERB, AUX_VERB):
                # "The PMF confirmed that the two were killed, blaming the strike on the US": the
                # participle hangs from the agentless passive; its subject is the one who confirmed
                return self.subject_tokens(head.head, depth + 1)
            return found
        return []

    @staticmethod
    def _infinitive(verb) -> bool:
        return any(c.dep_ == AUXILIARY and c.lower_ == "to" for c in verb.children)

    def _object_controller(self, governor, verb=None) -> list:
        """'allowed Daesh fighters to leave', 'a deal with Daesh fighters to leave'.

        In a deal to leave, the side that leaves is the armed opposition or
        the jihadists when one side is and the other is not ("rebels reached
        an agreement with government forces to leave Quneitra").
        """
        objects = [c for c in governor.children if c.dep_ in _OBJ]
        if governor.lemma_ in self.control_object:
            objects += [p for c in governor.children if c.dep_ == PREPOSITION and c.lower_ in ("to", "on")
                        for p in c.children if p.dep_ == PREP_OBJECT]
            return [o for o in objects if self.np(o)] or []
        for obj in objects:
            if self.np(obj):
                return []  # the object is itself an actor: subject control stays
            for prep in obj.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in ("with", "for"):
                    actors = [p for p in prep.children if p.dep_ == PREP_OBJECT and self._actor_np(p)]
                    if actors and verb is not None and self._leaving_side(governor, verb, actors) == "subject":
                        return []
                    if actors:
                        return actors
        return []

    def _leaving_side(self, governor, verb, partners) -> str | None:
        """Who leaves under a deal: 'subject', 'partner' or None (no telling)."""
        if verb.lemma_.lower() not in self.departure_verbs:
            return None

        def insurgent(entities) -> bool:
            for entity in entities:
                info = self.linked.info(entity)
                if info is not None and info.tags & {"rebel", "jihadist"}:
                    return True
            return False
        subjects = self.nps(self.subject_tokens(governor))
        partner_entities = self.nps(partners)
        if insurgent(subjects) and not insurgent(partner_entities):
            return "subject"
        if insurgent(partner_entities) and not insurgent(subjects):
            return "partner"
        return None

    def _actor_np(self, tok) -> bool:
        return any(self.linked.is_actor(e) for e in self.np(tok))

    def object_tokens(self, verb) -> list:
        """Tokens naming the logical object (patient) of a verb."""
        if self.is_passive(verb):
            subjects = [c for c in verb.children if c.dep_ in _PASS_SUBJ]
            if subjects:
                return subjects
            if verb.dep_ in (CLAUSAL_MODIFIER, ADJ_MODIFIER, RELATIVE_CLAUSE) and verb.head.pos_ in (NOUN, PROPER_NOUN):
                return [verb.head]
            if verb.dep_ == ADVERBIAL_CLAUSE and verb.head.pos_ in (VERB, AUX_VERB):
                # "Backed by Iranian forces, the army recaptured Palmyra"
                return self.subject_tokens(verb.head)
            if verb.dep_ == CONJUNCT:
                return self.object_tokens(verb.head)
            return []
        objects = [c for c in verb.children if c.dep_ in _OBJ]
        if objects:
            return objects
        # "Iraqi forces recaptured Mosul from the Islamic State": the parser may hang a name
        # right after the verb as an adverb; a linked name there is the object
        for child in verb.rights:
            if child.dep_ in (PREPOSITION, AGENT, PUNCTUATION, COORDINATOR, CONJUNCT, CLAUSAL_COMPLEMENT,
                              ADVERBIAL_CLAUSE, OPEN_COMPLEMENT, MARKER):
                break
            if child.dep_ in _MISPARSED_OBJECT and self.linked.entity_at(child) is not None:
                return [child]
        return []

    def object_hung(self, verb, name: str) -> list:
        """The objects of a ``name`` phrase the parser hung from a transfer verb's place object
        instead of from the verb (``transfer_verbs``): 'handed the Bab al-Hawa crossing to the
        rebels', 'surrendered control of the dam to Syrian troops'. Only actors, after a place."""
        if verb.lemma_.lower() not in self.transfer_verbs:
            return []
        holders = list(self.object_tokens(verb))
        holders += of_objects(holders)
        found = []
        for holder in holders:
            entity = self.linked.entity_at(holder)
            if entity is None or not self.linked.is_place(entity) or self.linked.is_actor(entity):
                continue
            found += [p for p in self.prep_objects(holder, name)
                      if any(self.linked.is_actor(e) for e in self.nps([p]))]
        return found

    def prep_objects(self, head, name: str) -> list:
        """Objects of preposition ``name`` ('out of' allowed) attached to ``head``."""
        words = name.split()
        out = []
        for child in head.children:
            if child.dep_ not in (PREPOSITION, AGENT, PARTICLE, ADVERB_MODIFIER, DATIVE) or child.lower_ != words[0]:
                continue
            if len(words) == 1:
                objects = [p for p in child.children if p.dep_ == PREP_OBJECT]
                # "agreed with the government to leave": the parser made the object a clause's subject
                objects += [s for p in child.children if p.dep_ == PREP_COMPLEMENT for s in p.children if s.dep_ in _SUBJ]
                if not objects and not any(p.dep_ in (PREP_COMPLEMENT, PREP_OBJECT) for p in child.children):
                    objects = self._dangling_object(child)
                elif objects and all(self._reporter(o) for o in objects):
                    # "fighting with the opposition, U.K.-based monitoring group X said": a source
                    # is never the party; the name right after the preposition is
                    objects = self._dangling_object(child) or objects
                out += objects
            else:
                out += [p for c in child.children if c.dep_ == PREPOSITION and c.lower_ == words[1]
                        for p in c.children if p.dep_ == PREP_OBJECT]
                if child.dep_ == PARTICLE:
                    out += [p for c in head.children if c.dep_ == PREPOSITION and c.lower_ == words[1]
                            for p in c.children if p.dep_ == PREP_OBJECT]
        return out

    # -- nouns -----------------------------------------------------------------------
    def support_verb(self, noun):
        """The verb a nominal trigger is the object of ('reached a truce')."""
        cur = noun
        for _ in range(6):
            dep, head = cur.dep_, cur.head
            if head == cur or dep not in _CLIMB_DEPS:
                return None
            if dep == PREPOSITION and cur.lower_ not in self.climb_preps:
                return None
            if dep == PREPOSITION and head.lemma_.lower() in self.reaction_nouns:
                return None  # "struck X in retaliation for the bombing": the bombing is another side's
            if head.pos_ in (VERB, AUX_VERB) and head.dep_ == PREPOSITION:
                return None  # "following two days of fighting": a participle used as a preposition
            if head.pos_ in (VERB, AUX_VERB):
                if dep in (PASSIVE_SUBJECT,):
                    return None
                return head
            cur = head
        return None

    def direct_support(self, noun):
        """The verb whose object the noun is: its negation is the noun's ('denied any role in
        the attack': through a noun of involvement, lexicon involvement_nouns)."""
        head = noun.head
        if noun.dep_ == PREP_OBJECT and head.lower_ in ("in",
                                                        "for") and head.head.lemma_.lower() in self.involvement_nouns:
            noun, head = head.head, head.head.head
        if noun.dep_ in _OBJ and head.pos_ in (VERB, AUX_VERB):
            return head
        if noun.dep_ == PREP_OBJECT and head.dep_ == PREPOSITION and head.lower_ in self.support_preps \
                and head.head.pos_ in (VERB, AUX_VERB):
            return head.head
        if noun.dep_ == PASSIVE_SUBJECT and head.pos_ in (VERB, AUX_VERB):
            return head  # "a ceasefire with the YPG was never agreed"
        return None

    def _owner_tokens(self, noun) -> list:
        poss = [c for c in noun.children if c.dep_ == POSSESSOR]
        if poss:
            return poss
        mods = [c for c in noun.children if c.dep_ in (COMPOUND, ADJ_MODIFIER,
                                                       NOUN_MODIFIER) and self.linked.entity_at(c)]
        # "the Baghdad suicide bombing": a town naming an event says where it was, not whose
        mods = [c for c in mods if not (c.dep_ == COMPOUND and self._town(self.linked.entity_at(c)))]
        if mods:
            # "the Russia-Turkey agreement": the names hyphenated to a modifier own it too
            doc = noun.doc
            for mod in list(mods):
                i = mod.i
                while i >= 2 and doc[i - 1].text == "-" and self.linked.entity_at(doc[i - 2]) \
                        and doc[i - 2] not in mods:
                    mods.append(doc[i - 2])
                    i -= 2
            return mods
        return []

    def _leaders(self, noun) -> list[str]:
        """'the US-led invasion of Iraq': who leads an event owns it too."""
        return self.nps([c.nbor(-2) for c in noun.children
                         if c.dep_ == ADJ_MODIFIER and c.lower_ in self.leading_participles and c.i >= 2
                         and c.nbor(-1).text == "-" and self.linked.entity_at(c.nbor(-2))])

    def _town(self, entity: str) -> bool:
        """Is an entity a place that is no state (a city, a town, a province)?"""
        types = self.linked.types(entity)
        return "Place" in types and "State" not in types

    def owner(self, noun, frame: Frame) -> list[str]:
        owners = self._owner(noun, frame)
        # "joined the US-led campaign against IS": the joiners and the leader
        return owners + [e for e in self._leaders(noun) if e not in owners]

    def _owner(self, noun, frame: Frame) -> list[str]:
        linked = self.linked
        # "Russian airstrikes": the noun is itself part of the actor's mention.
        entity = linked.entity_at(noun)
        if entity is not None:
            return [entity]
        tokens = self._owner_tokens(noun)
        named = self.nps(tokens) if tokens else []
        if named and not all(linked.is_place(e) and not linked.is_actor(e) and self.coerce(e, "Actor") == e
                             for e in named):
            return named
        if tokens and not named:
            return []
        # "Russia and Turkey agree Idlib ceasefire": a place modifier says where, the verb says whose
        head = noun.head
        if noun.dep_ == PASSIVE_SUBJECT and head.lemma_.lower() in self.support_verbs and head.dep_ == CLAUSAL_COMPLEMENT \
                and not any(c.dep_ == AGENT for c in head.children) \
                and head.head.lemma_.lower() in self.speech_verbs:
            # "The SDF announced that a deal with the government was reached": the announcer is a party
            return self.nps(self.subject_tokens(head.head))
        verb = self.support_verb(noun)
        if verb is None and frame.rel == "besieged":
            clause = self.adjunct_verb(noun, frame.rel)
            if clause is not None and clause.lemma_.lower() in self.falling_verbs:
                # "Aleppo fell to government forces after a months-long siege": the takers' siege
                return self.nps(self.prep_objects(clause, "to"))
        if verb is None and frame.rel in self.adjunct_relations:
            # "captured the town following two days of fighting with the opposition"; not
            # "summoned the ambassador after the attack on Erbil": a clause of war only
            verb = self.adjunct_verb(noun, frame.rel)
            if verb is None or (frame.rel in ("attacked", "fought") and verb.lemma_.lower() not in self.armed_verbs):
                return []
            if self.headline_passive(verb):
                return []  # "Soleimani killed in Baghdad airstrike": the subject is the victim
            if verb.lemma_.lower() in self.falling_verbs:
                # "Ramadi fell to IS after a three-day offensive": the takers' offensive
                return self.nps(self.prep_objects(verb, "to"))
            return self.nps(self.subject_tokens(verb))
        if verb is not None and frame.rel in ("attacked", "fought") and self.headline_passive(verb) \
                and verb.lemma_.lower() in self.victim_verbs:
            return []
        if verb is None and frame.rel == "attacked" and self._definite_bare(noun):
            return self._earlier_attackers(noun)  # "launched air strikes on Mosul. ... the raids had killed"
        if verb is None or verb.lemma_ in self.recipient_verbs:
            return []
        if frame.rel in self.adjunct_relations and self.adjunct_verb(noun, frame.rel) == verb \
                and verb.lemma_.lower() not in self.participation_verbs:
            lemma = verb.lemma_.lower()
            if frame.rel in ("attacked", "fought") and lemma not in self.armed_verbs \
                    and lemma not in self.alignment_verbs and lemma not in self.support_verbs:
                return []  # "the UN accused all sides in the battle for Aleppo": no fighter
            # "Kurdish forces, allied with the U.S. in the fight against the Islamic State"
            actors = self.subject_tokens(verb)
            if not actors and self.is_passive(verb) and (verb.lemma_.lower() in self.alignment_verbs
                                                         or frame.rel in ("deal_with", "truce_with")):
                # "forces allied with X in ...", "rebels were bussed out under a deal with X"
                actors = [c for c in verb.children if c.dep_ in _PASS_SUBJ]
            if not actors and frame.rel in ("deal_with", "truce_with") and verb.dep_ == OPEN_COMPLEMENT \
                    and self.is_passive(verb.head):
                actors = [c for c in verb.head.children if c.dep_ in _PASS_SUBJ]  # "were allowed to leave under a deal"
            return self.nps(actors)
        lemma = verb.lemma_.lower()
        if lemma in self.participation_verbs and self.is_passive(verb):
            # "Kataeb Hezbollah, which was involved in the attack on the US Embassy"
            return self.nps([c for c in verb.children if c.dep_ in _PASS_SUBJ])
        if lemma not in self.support_verbs and lemma not in frame.support and lemma not in self.participation_verbs:
            return []  # "Iran hosted talks between ...": the host is no party
        if lemma in self.broker_verbs and any(c.dep_ == PREPOSITION and c.lower_ == "between" for c in noun.children):
            return []  # "Russia and Turkey brokered a ceasefire between ...": the brokers are no party
        parties = self.nps(self.subject_tokens(verb))
        if lemma in self.participation_verbs and noun.dep_ == PREP_OBJECT and noun.head.lower_ == "in" \
                and noun.head.head == verb:
            # "joined Turkish troops in the assault on al-Bab": those joined take part too
            parties = unique(parties + [e for e in self.nps(self.object_tokens(verb)) if self.linked.is_actor(e)])
        return parties

    def _definite_bare(self, noun) -> bool:
        """Is a noun 'the N' with nothing else before it ('the raids'; not 'the Russian raids')?"""
        lefts = [c for c in noun.lefts if c.dep_ != PUNCTUATION]
        return bool(lefts) and all(c.dep_ == DETERMINER and c.lower_ == "the" for c in lefts) \
            and noun.lemma_.lower() in self.attack_nouns

    def _earlier_attackers(self, noun) -> list[str]:
        """The side behind the attacks named in the sentence before ('The coalition launched air
        strikes on Mosul. It said the raids had killed ...': the coalition's raids)."""
        linked = self.linked
        start = linked.sentence_bounds(noun.i)[0]
        if not start:
            return []
        floor = linked.sentence_bounds(start - 1)[0]
        for i in range(start - 1, floor - 1, -1):
            other = noun.doc[i]
            if other.pos_ == VERB and any(f.rel == "attacked" for f in self.t.verbs.get(other.lemma_.lower(), ())):
                # "Russian jets bombed Idlib. The strikes killed 12 rebels": the bombers' strikes
                found = [e for e in self.nps(self.subject_tokens(other)) if linked.is_actor(e)]
                if found:
                    return found[:1]
                continue
            if other.pos_ != NOUN or other.lemma_.lower() not in self.attack_nouns:
                continue
            frames = [f for f in self.t.noun_frames(other.lower_, other.lemma_.lower()) if f.rel == "attacked"]
            if not frames or self._definite_bare(other):
                continue
            found = [e for e in self.owner(other, frames[0]) if linked.is_actor(e)]
            if found:
                return found[:1]
        return []

    def adjunct_verb(self, noun, relation: str | None = None):
        """The clause a noun phrase of time or circumstance belongs to ('after clashes with X').

        "Under" introduces the terms a clause acts on ("under the deal, X and Y ...") for
        agreements only: what comes "under attack" is its object, not its author.
        """
        cur = noun
        for _ in range(5):
            head = cur.head
            if head == cur:
                return None
            if cur.dep_ == PREP_OBJECT and head.dep_ == PREPOSITION and head.lower_ in self.adjunct_preps \
                    and (head.lower_ != "under" or relation in ("deal_with", "truce_with")):
                return head.head if head.head.pos_ in (VERB, AUX_VERB) else None
            if cur.dep_ not in (PREP_OBJECT, PREPOSITION) or (cur.dep_ == PREPOSITION and cur.lower_ != "of"):
                return None
            cur = head
        return None

    def recipient(self, noun) -> list[str]:
        if noun.dep_ == PREP_OBJECT and noun.head.lower_ == "with" and noun.head.head.pos_ in (VERB, AUX_VERB):
            # "With air support from the coalition, the SDF drove..."
            return self.nps(self.subject_tokens(noun.head.head))
        if noun.dep_ == PREP_OBJECT and noun.head.lower_ == "with" and noun.head.head.pos_ in (NOUN, PROPER_NOUN):
            holder = noun.head.head
            if holder.dep_ in _OBJ and holder.head.pos_ in (VERB, AUX_VERB) and not self._actor_np(holder):
                # "recaptured Aleppo with Russian help": the parser hung the phrase from the object
                return self.nps(self.subject_tokens(holder.head))
            # "Peshmerga forces, with the backing of coalition warplanes, broke through"
            return self.np(holder)
        verb = self.support_verb(noun)
        if verb is None or verb.lemma_ not in self.recipient_verbs:
            return []
        return self.nps(self.subject_tokens(verb))

    def reattached(self, noun, verb, name: str) -> list:
        """Objects of preposition ``name`` the parser attached one noun too far.

        "strikes by the coalition on ISIS-held areas": 'on' belongs to
        'strikes' but hangs from 'coalition'. Looks right of the trigger,
        within the clause of its support verb, at prepositions whose head is
        a noun of that clause.
        """
        clause_root = verb if verb is not None else noun
        sent_end = self.linked.sentence_bounds(noun.i)[1]
        out = []
        for tok in self.scan.tokens(self.scan.prepositions, noun.i + 1, min(sent_end, noun.i + 16)):
            if tok.dep_ not in (PREPOSITION, AGENT) or tok.lower_ != name:
                continue
            if tok.i == noun.right_edge.i + 1:
                # "against the offensive by government forces", the by-phrase hung from the verb
                out += [p for p in tok.children if p.dep_ == PREP_OBJECT]
                continue
            if tok.dep_ == PREPOSITION and tok.head.pos_ not in (NOUN, PROPER_NOUN):
                continue
            if tok.head.lemma_.lower() in self.relational_places and tok.head.lemma_.lower() != "capital":
                continue  # "deployed along the border with Turkey": the border's, not the deal's
            cur, ok = tok.head, False
            for _ in range(8):
                if cur == clause_root or cur == noun:
                    ok = True
                    break
                if cur.pos_ in (VERB, AUX_VERB) or cur.head == cur:
                    break
                cur = cur.head
            if ok:
                out += [p for p in tok.children if p.dep_ == PREP_OBJECT]
        return out

    def _force_phrase(self, tok) -> bool:
        """Does a noun phrase name forces ('thousands of troops', 'military police', 'U.S. troops')?"""
        for cur in (tok, *[p for c in tok.children if c.dep_ == PREPOSITION and c.lower_ == "of"
                           for p in c.children if p.dep_ == PREP_OBJECT]):
            if cur.lemma_.lower() in self.force_nouns or cur.lower_ in self.force_nouns:
                return True
        return False

    @staticmethod
    def _names_any(tok, words: frozenset[str]) -> bool:
        """Does a noun phrase or a noun coordinated with it have one of ``words`` as its head
        (lemma or form): 'anti-tank missiles', 'drones and ammunition'?"""
        return any(cur.lemma_.lower() in words or cur.lower_ in words for cur in (tok, *tok.conjuncts))

    def _materiel_phrase(self, tok) -> bool:
        """What one side gives another to fight with: weapons, money, military advisers (not 'food')."""
        return self._names_any(tok, self.materiel_nouns)

    def _weapon_phrase(self, tok) -> bool:
        """Weapons ('barrel bombs', 'mortars and rockets'), not 'leaflets'."""
        return self._names_any(tok, self.weapon_nouns)

    def _attack_phrase(self, tok) -> bool:
        """Is a noun phrase an attack or a weapon ('air strikes', 'the bombing campaign',
        'artillery', 'Russian jets'), not an actor ('IS destroyed the shrine')?"""
        lemma = tok.lemma_.lower()
        if tok.pos_ != NOUN:
            return False
        return any(word in self.attack_nouns or word in self.weapon_nouns for word in (lemma, tok.lower_))

    def _combatant_phrase(self, tok) -> bool:
        """Does a noun phrase name fighters: an armed group or a state's forces by name, or a
        noun such as 'militants', 'jihadists', 'troops' (not 'the ambassador', 'civilians')?"""
        if tok.lemma_.lower() in self.combatant_nouns or tok.lower_ in self.combatant_nouns:
            return True
        if tok.lemma_.lower() in self.group_member_nouns or tok.lower_ in self.group_member_nouns:
            # "suspected IS members", "operatives of the Nusra Front": members of an armed group
            named = [self.linked.entity_at(c) for c in tok.children if c.dep_ in (COMPOUND, ADJ_MODIFIER, NOUN_MODIFIER)]
            named += [e for o in of_objects([tok]) for e in self.nps([o])]
            return any(e is not None and "ArmedGroup" in self.linked.types(e) for e in named)
        if tok.dep_ in _OBJ and any(c.dep_ == PREPOSITION and c.lower_ == "of" for c in tok.children):
            # "thousands of suspected IS members": the quantity's of-phrase names them
            return any(self._combatant_phrase(o) for o in of_objects([tok]) if o.i != tok.i)
        entity = self.linked.entity_at(tok)
        if entity is None or tok.pos_ == NOUN:
            return False  # "Iran's ambassador" names Iran, but no fighter
        types = self.linked.types(entity)
        return "ArmedGroup" in types or "State" in types

    def _asset_phrase(self, tok) -> bool:
        """Is a noun phrase an actor's asset with no place name of its own ('a Syrian army
        base', 'two Iraqi police checkpoints'; not 'the K-1 military base')?"""
        if not (tok.lemma_.lower() in self.asset_nouns or tok.lower_ in self.force_nouns):
            return False
        linked = self.linked
        for child in tok.children:
            entity = linked.entity_at(child) if child.dep_ in (COMPOUND, NOUN_MODIFIER, ADJ_MODIFIER,
                                                               APPOSITION) else None
            if entity and linked.is_place(entity) and "State" not in linked.types(entity):
                return False
        if any(c.dep_ == DETERMINER and c.lower_ == "the" for c in tok.children):
            named = linked.resolve(tok)  # "seized the base": the airbase named before
            if named and linked.is_place(named) and "State" not in linked.types(named):
                return False
        return True

    def _site_phrase(self, tok) -> bool:
        """Does a noun phrase name a site of an actor ('a Russian observation post')?"""
        return tok.lemma_.lower() in self.site_nouns or " ".join(
            [c.lower_ for c in tok.lefts if c.dep_ == COMPOUND] + [tok.lower_]) in self.site_nouns
