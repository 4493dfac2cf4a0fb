"""Noun phrases: which entities a phrase denotes.

A mixin of :class:`~kg.extract.reader.Reader`; it reads the attributes the
reader sets up and calls the other mixins through ``self``.
"""
from __future__ import annotations

from kg.extract.syntax import (
    _MODIFIER_DEPS,
    _OBJ,
    _REPORTERS,
    _SUBJ,
    between_parties,
    unique,
)
from kg.parse_labels import (
    ADJECTIVE,
    ADJ_COMPLEMENT,
    ADJ_MODIFIER,
    ADVERB_MODIFIER,
    AGENT,
    APPOSITION,
    ATTRIBUTE,
    AUX_VERB,
    BASE_VERB,
    CLAUSAL_COMPLEMENT,
    CLAUSAL_MODIFIER,
    COMPOUND,
    CONJUNCT,
    DETERMINER,
    DETERMINER_WORD,
    DIRECT_OBJECT,
    GERUND,
    NOUN,
    NOUN_ADVERBIAL,
    NOUN_MODIFIER,
    NUMBER_MODIFIER,
    NUMERAL,
    OBJECT_PREDICATE,
    OPEN_COMPLEMENT,
    PAST_PARTICIPLE,
    PLURAL_NOUN,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PRONOUN,
    PROPER_NOUN,
    PROPER_PLURAL,
    RELATIVE_CLAUSE,
    SUBJECT,
    VERB,
)


class NounPhrases:
    """Entity resolution of noun phrases: containers, coreference, appositions,
    'known as' names, generic mentions and the parties of agreement nouns."""

    # -- entity resolution of noun phrases ------------------------------------------
    def np(self, tok, *, exclude: frozenset = frozenset(), depth: int = 0, want: str | None = None) -> list[str]:
        """Entities a noun-phrase head denotes (coordination not included)."""
        if tok is None or tok.i in exclude or depth > 5:
            return []
        linked = self.linked
        named = self.known_as(tok, exclude)
        if named:
            return named  # "Iran-backed militias known as the Popular Mobilization Forces"
        if tok.pos_ == PRONOUN and tok.dep_ == POSSESSOR and tok.lower_ in ("its", "their") and depth < 3:
            controlled = self._controlled_owner(tok, exclude, depth)
            if controlled:
                return controlled  # "accused Ankara of violating Iraqi sovereignty with its raids"
        entity = linked.entity_at(tok)
        if entity is not None:
            if self._generic_mention(tok):
                # "a coalition of rebel factions, the National Liberation Front": the name says which
                for child in tok.children:
                    named = linked.entity_at(child) if child.dep_ == APPOSITION and child.i not in exclude else None
                    if named and named != entity and linked.is_actor(named):
                        return [named]
                # "rebels from the Free Syrian Army", "fighters of Ahrar al-Sham": the group named
                for prep in tok.children:
                    if prep.dep_ == PREPOSITION and prep.lower_ in ("from", "of") and prep.i not in exclude:
                        named = [linked.entity_at(p) for p in prep.children if p.dep_ == PREP_OBJECT]
                        named = [e for e in named if e and e != entity and "ArmedGroup" in linked.types(e)]
                        if named:
                            return named
            return [entity, *linked.also.get(tok.i, ())]
        lower = tok.lower_
        if lower in self.relative_pronouns and tok.head.dep_ in (RELATIVE_CLAUSE, CLAUSAL_MODIFIER):
            return self.np(tok.head.head, exclude=exclude, depth=depth + 1)
        if lower in self.relative_pronouns and tok.dep_ == PREP_OBJECT and tok.head.dep_ == PREPOSITION \
                and tok.head.head.dep_ in (RELATIVE_CLAUSE, CLAUSAL_MODIFIER) and tok.i < tok.head.head.i:
            # "the Nusra Front, which it had negotiated with": a preposition left at the clause's end
            return self.np(tok.head.head.head, exclude=exclude, depth=depth + 1)
        if lower == "whose" and tok.head.head.dep_ in (RELATIVE_CLAUSE,
                                                       CLAUSAL_MODIFIER) and tok.head.head.head != tok.head.head:
            return self.np(tok.head.head.head, exclude=exclude, depth=depth + 1)  # "Israel, whose forces occupy"
        if tok.pos_ == PRONOUN and tok.dep_ in _SUBJ and tok.head.dep_ == CLAUSAL_COMPLEMENT:
            # "the tribal leaders said they appealed...": the reporter's subject
            reporters = [c for c in tok.head.head.children if c.dep_ in _SUBJ]
            if reporters and tok.lower_ in self.reported_subject_pronouns:
                found = self.np(reporters[0], exclude=exclude, depth=depth + 1)
                if found:
                    return found
        if tok.pos_ == PRONOUN:
            if want == "Place" and lower in self.plural_pronouns:
                return []  # "abducted nuns from Maaloula and later freed them": people, not the town
            resolved = linked.resolve(tok, types=("Place",) if want == "Place" else None,
                                      avoid=self._attackers_of(tok, exclude) if tok.dep_ == POSSESSOR else frozenset())
            return [resolved] if resolved else []
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns or tok.lemma_.lower() in self.asset_nouns) \
                and tok.pos_ == NOUN:
            for child in tok.children:  # "drones launched by rebels", "rockets fired by the militia"
                if child.dep_ == CLAUSAL_MODIFIER and child.tag_ == PAST_PARTICIPLE and child.i not in exclude \
                        and child.lemma_.lower() not in self.relinquish_verbs \
                        and child.lemma_.lower() not in self.support_verb_triggers:
                    # not "positions vacated by X", nor "fighters supported by X" (X backs them)
                    agents = [p for c in child.children if c.dep_ == AGENT for p in c.children if p.dep_ == PREP_OBJECT]
                    found = [e for e in self.nps(agents, exclude=exclude) if self.linked.is_actor(e)]
                    if found:
                        return found
                if child.dep_ == CLAUSAL_MODIFIER and child.lemma_.lower() in self.hosting_verbs and child.i not in exclude \
                        and child.tag_ == GERUND and (tok.lemma_.lower() in self.site_nouns or lower in self.site_nouns):
                    # "two bases hosting US troops": the forces a site hosts are what an attack on it hits
                    guests = [o for o in child.children if o.dep_ in _OBJ]
                    found = [e for e in self.nps(guests, exclude=exclude) if self.linked.is_actor(e)]
                    if found:
                        return found
                if child.dep_ == CLAUSAL_MODIFIER and child.lemma_ in self.owning_verbs and child.i not in exclude:
                    # "depots belonging to Iranian-backed militias": the owner's
                    owners = [p for c in child.children if c.dep_ == PREPOSITION and c.lower_ == "to"
                              for p in c.children if p.dep_ == PREP_OBJECT]
                    found = [e for e in self.nps(owners, exclude=exclude) if self.linked.is_actor(e)]
                    if found:
                        return found
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns) and tok.pos_ == NOUN \
                and any(c.dep_ == DETERMINER and c.lower_ == "the" for c in tok.children) and depth == 0:
            earlier = self._earlier_forces(tok)
            if earlier:
                return earlier  # "its fighter jets struck ... the jets also destroyed": the same jets
        if depth == 0 and tok.pos_ == NOUN and tok.dep_ in _SUBJ and self._definite_bare(tok):
            earlier = self._earlier_attackers(tok)
            if earlier:
                return earlier  # "launched air strikes on Mosul. It said the raids had killed ...": its raids
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns) and tok.pos_ == NOUN \
                and tok.dep_ in _SUBJ and tok.head.dep_ == CONJUNCT and depth == 0 \
                and not any(c.dep_ in (DETERMINER, POSSESSOR, COMPOUND, ADJ_MODIFIER, NOUN_MODIFIER) and (
                    c.dep_ == DETERMINER or linked.entity_at(c)) for c in tok.children):
            # "The U.S. began airstrikes in 2014, and ground troops moved in the following year":
            # bare forces in a clause joined to one whose subject is a state are that state's
            first = [s for s in tok.head.head.children if s.dep_ in _SUBJ]
            states = [e for e in self.nps(first, exclude=exclude | {tok.i}) if "State" in linked.types(e)]
            if len(states) == 1:
                return states
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns or tok.lemma_.lower() in self.combatant_nouns) \
                and tok.pos_ == NOUN and not any(c.dep_ == POSSESSOR for c in tok.children):
            # "air strikes from the US-led coalition", "strikes by Russia", "fighters of Ahrar
            # al-Sham", "militants from the Islamic State": whose they are
            sources = [p for c in tok.children if c.dep_ in (PREPOSITION, AGENT) and c.lower_ in self.source_preps
                       and c.i not in exclude for p in c.children if p.dep_ == PREP_OBJECT]
            found = [e for e in self.nps(sources, exclude=exclude) if self.linked.is_actor(e)]
            if found:
                return [self.ruled(self.coerce(found[0], "Actor"))]
            verb = self.adjunct_verb(tok) if depth == 0 and tok.lemma_.lower() in self.attack_nouns and any(
                c.dep_ == CLAUSAL_MODIFIER and c.tag_ == PAST_PARTICIPLE and c.i not in exclude for c in tok.children) else None
            if verb is not None and (verb.lemma_.lower() in self.hostile_verbs or verb.lemma_.lower() in self.falling_verbs):
                # "captured the town after a weeks-long offensive backed by Russia": the clause's own;
                # "Aleppo fell to government forces after a siege backed by Russia": the takers'
                takers = self.prep_objects(verb, "to") if verb.lemma_.lower() in self.falling_verbs \
                    else self.subject_tokens(verb)
                found = [e for e in self.nps(takers, exclude=exclude | {tok.i}) if self.linked.is_actor(e)]
                if found:
                    return found
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns) and tok.pos_ == NOUN:
            # "its military", "its fighter jets", "Iraq's U.S.-backed government": the possessor's forces
            owners = [c for c in tok.children if c.dep_ == POSSESSOR and c.i not in exclude]
            if owners:
                found = [e for e in self.np(owners[0], exclude=exclude, depth=depth + 1) if self.linked.is_actor(e)]
                if found:  # "Assad's forces": a ruler's forces are his government's
                    return [self.ruled(self.coerce(found[0], "Actor"))]
        if tok.dep_ == APPOSITION and tok.pos_ == NOUN and tok.head.i not in exclude and (
                tok.lemma_.lower() in self.place_containers or lower in self.place_containers):
            head = linked.entity_at(tok.head)
            if head and linked.is_place(head):
                return [head]  # "Jisr al-Shughur, a town controlled by HTS": the town is the place named
        if tok.pos_ == NUMERAL and tok.dep_ not in (NUMBER_MODIFIER, COMPOUND):
            # "killed one of its commanders", "three of its officials": the people counted
            counted = [p for c in tok.children if c.dep_ == PREPOSITION and c.lower_ == "of"
                       for p in c.children if p.dep_ == PREP_OBJECT]
            if counted:
                return self.np(counted[0], exclude=exclude, depth=depth + 1, want=want)
        seat = self.seat_named(tok)
        if seat:
            return [seat]  # "the capital of Anbar province fell": Ramadi
        if lower in self.containers or tok.lemma_.lower() in self.containers:
            found = self._container(tok, exclude, depth)
            if found:
                return found
        # "the SDF pushed the group back": an object's description is not its own clause's subject
        own_subjects = frozenset(e for c in tok.head.children if c.dep_ in _SUBJ and tok.dep_ in _OBJ
                                 for e in [linked.entity_at(c)] if e)
        resolved = linked.resolve(tok, avoid=own_subjects)
        if resolved:
            return [resolved]
        if tok.dep_ == APPOSITION and tok.pos_ == NOUN and tok.head.i not in exclude \
                and tok.lemma_.lower() not in self.role_nouns:
            # "the Manbij Military Council, a local force allied to the SDF": the apposition
            # describes the name it stands beside
            heads = [linked.entity_at(tok.head)] if linked.entity_at(tok.head) else [
                e for c in tok.head.children if c.dep_ == PREPOSITION and c.lower_ == "of"  # "officials of X, a party ..."
                for p in c.children if p.dep_ == PREP_OBJECT and p.i < tok.i for e in [linked.entity_at(p)] if e]
            heads = [h for h in heads if linked.is_actor(h) and "Person" not in linked.types(h)]
            if len(heads) == 1:
                return heads
        if tok.pos_ == NOUN:  # "his Turkish counterpart Mevlut Cavusoglu"
            for child in tok.children:
                if child.dep_ == APPOSITION and child.i not in exclude and linked.entity_at(child):
                    return [linked.entity_at(child)]
            if tok.lemma_.lower() in self.counterpart_nouns or lower in self.counterpart_nouns:
                # "held talks with his Turkish counterpart": unnamed, the counterpart stands for the state
                states = [linked.gazetteer.demonyms.get(c.lower_) for c in tok.children if c.dep_ == ADJ_MODIFIER]
                states = [e for e in states if e is not None]
                if len(states) == 1:
                    return [self.introduce(states[0])]
            if tok.lemma_.lower() in self.member_roles and self._unnamed_members(tok, exclude):
                # "killed a senior commander of the Quds Force", "two officials of the PKK": members
                # of an armed group no name singles out stand for it, as "a Quds Force commander" does
                groups = [e for o in self.prep_objects(tok, "of") if o.i not in exclude
                          for e in self.np(o, exclude=exclude, depth=depth + 1) if "ArmedGroup" in linked.types(e)]
                if len(groups) == 1:
                    return groups
            if tok.lemma_.lower() in self.role_nouns:
                # "The UN envoy for Syria, Geir Pedersen, met ...": the person the role names
                for prep in tok.children:
                    if prep.dep_ == PREPOSITION:
                        for pobj in prep.children:
                            for appos in pobj.children:
                                person = linked.entity_at(appos) if appos.dep_ == APPOSITION else None
                                if person and "Person" in linked.types(person) and appos.i not in exclude:
                                    return [person]
        # A modifier that is an entity ("Hezbollah fighters" when not an alias), unless the
        # noun names a symbol, text or accord of it ("the Kurdistan flag", "the Idlib agreement").
        if tok.pos_ == PROPER_NOUN or tok.pos_ == NOUN and tok.lemma_.lower() not in self.symbol_nouns \
                and tok.lower_ not in self.symbol_nouns:
            standing = tok.lemma_.lower() in self.asset_nouns or tok.lower_ in self.force_nouns
            for child in tok.children:
                if child.i in exclude:
                    continue
                entity = linked.entity_at(child)
                # "Iranian military targets": an adjective naming the actor, for its forces' things
                if entity and (child.dep_ == COMPOUND or child.dep_ == ADJ_MODIFIER and standing and linked.is_actor(entity)):
                    # "the Abadi government", "Assad forces": a ruler's forces are his government's
                    return [self.ruled(entity) if standing and child.dep_ == COMPOUND else entity]

        return []

    def _unnamed_members(self, tok, exclude) -> bool:
        """Is a role noun one or more unnamed people: indefinite ('a commander'), counted ('two
        officials') or a bare plural, with no name beside it ('a commander, Abu X')?"""
        if any(c.dep_ in (APPOSITION, COMPOUND) and self.linked.entity_at(c) for c in tok.children):
            return False
        determiners = [c.lower_ for c in tok.children if c.dep_ == DETERMINER]
        if determiners:
            return all(d in self.indefinite_determiners for d in determiners)
        return tok.tag_ == PLURAL_NOUN or any(c.dep_ == NUMBER_MODIFIER for c in tok.children)

    def agreement_parties(self, noun) -> list[str]:
        """The parties of an agreement noun: its owner, its with-party, 'between' groups,
        or the subjects of the clause it governs ('Under a deal, X and Y exchanged prisoners')."""
        parties: list[str] = []
        for frame in self.t.noun_frames(noun.lower_, noun.lemma_.lower()):
            if frame.rel in ("deal_with", "truce_with"):
                parties += self.owner(noun, frame)
                parties += self.nps(self.prep_objects(noun, "with"))
                break
        for group_a, group_b in between_parties(self, noun):
            parties += group_a + group_b
        if noun.dep_ in _OBJ and noun.head.lemma_.lower() in self.acceptance_verbs:
            parties += self.nps(self.subject_tokens(noun.head))
        if noun.dep_ == PREP_OBJECT and noun.head.lower_ == "to" and noun.head.head.lemma_.lower() in ("agree", "commit"):
            parties += self.nps(self.subject_tokens(noun.head.head))  # "agreed to a ceasefire"
        clause = self.adjunct_verb(noun, "deal_with")
        if clause is not None and noun.head.lower_ == "under":
            # "X handed over Manbij to the Syrian army under a deal": the one it was handed to is a party
            parties += self.nps(self.subject_tokens(clause)) + self.nps(self.prep_objects(clause, "to"))
            parties += self.nps([c for c in clause.children if c.dep_ in _OBJ])
        if noun.dep_ == SUBJECT and noun.head.lemma_.lower() in self.control_object:
            # "the deal allowed rebels to leave" (the parser may make them the clause's subject)
            allowed = [c for c in noun.head.children if c.dep_ in _OBJ] or [
                g for c in noun.head.children if c.dep_ in (OPEN_COMPLEMENT,
                                                            CLAUSAL_COMPLEMENT) for g in c.children if g.dep_ in _SUBJ]
            parties += self.nps(allowed)
        linked = self.linked  # a news agency or a monitor reporting the deal is never a party to it
        return unique([e for e in parties if linked.is_actor(e)
                       and not (linked.info(e) is not None and linked.info(e).tags & _REPORTERS)])

    def brokers_of(self, noun) -> list[str]:
        """Who brokered an agreement noun: 'a ceasefire brokered by Russia and Jordan',
        'the Russian-brokered deal', 'a deal mediated by Qatar'."""
        found: list[str] = []
        for child in noun.children:
            if child.dep_ == CLAUSAL_MODIFIER and child.lemma_.lower() in self.broker_verbs:
                agents = [p for c in child.children if c.dep_ == AGENT for p in c.children if p.dep_ == PREP_OBJECT]
                found += self.nps(agents)
            if child.dep_ in (ADJ_MODIFIER, COMPOUND) and self.t.modifiers.get(child.lower_) == "mediated":
                for grand in child.children:
                    if grand.dep_ in (NOUN_ADVERBIAL, COMPOUND, ADJ_MODIFIER, NOUN_MODIFIER):
                        entity = self.linked.entity_at(grand) or self.linked.gazetteer.demonyms.get(grand.lower_)
                        if entity:
                            found.append(self.introduce(entity) if entity not in self.linked.entities else entity)
        return unique([e for e in found if self.linked.is_actor(self.coerce(e, "Actor"))])

    def _earlier_forces(self, tok) -> list[str]:
        """The actor whose forces of the same kind the article named just before ('the jets')."""
        linked = self.linked
        lemma = tok.lemma_.lower()
        start = linked.sentence_bounds(tok.i)[0]
        floor = linked.sentence_bounds(max(0, start - 1))[0] if start else 0
        floor = linked.sentence_bounds(max(0, floor - 1))[0] if floor else 0
        for i in range(tok.i - 1, floor - 1, -1):
            other = tok.doc[i]
            if other.lemma_.lower() == lemma and other.pos_ == NOUN:
                found = [e for e in self.np(other, depth=1) if linked.is_actor(e)]
                if found:
                    return found[:1]
        return []

    def _generic_mention(self, tok) -> bool:
        """Is the mention covering ``tok`` a generic phrase ('rebel factions', 'the regime')?"""
        if self._generic_starts is None:
            from kg.gazetteer import normalize_name

            linked = self.linked
            metonyms = linked.gazetteer.metonyms
            self._generic_starts = [(m.span.start, m.span.end) for m in linked.mentions
                                    if normalize_name(m.text) in metonyms]
        return any(start <= tok.idx < end for start, end in self._generic_starts)

    def known_as(self, tok, exclude: frozenset = frozenset()) -> list[str]:
        """'militias known as the Popular Mobilization Forces', 'a group called X': the name given."""
        for child in tok.children:
            if child.dep_ in (CLAUSAL_MODIFIER,
                              RELATIVE_CLAUSE) and child.lemma_ in self.naming_verbs and child.i not in exclude:
                for prep in child.children:
                    if prep.dep_ == PREPOSITION and prep.lower_ == "as":
                        found = self.nps([p for p in prep.children if p.dep_ == PREP_OBJECT], exclude=exclude)
                        if found:
                            return found
                found = self.nps([c for c in child.children if c.dep_ in (OBJECT_PREDICATE, ATTRIBUTE, DIRECT_OBJECT)],
                                 exclude=exclude)
                if found:
                    return found
        return []

    def seat_named(self, tok) -> str | None:
        """The city 'the capital of P' or "P's provincial capital" names, for a province P
        with a known capital (places.json ``seat_of``), else None."""
        if tok.lower_ != "capital" or tok.pos_ != NOUN:
            return None
        linked = self.linked
        owners = [p for c in tok.children if c.dep_ == PREPOSITION and c.lower_ == "of" for p in c.children
                  if p.dep_ == PREP_OBJECT] + [c for c in tok.children if c.dep_ == POSSESSOR]
        for owner in owners:
            province = linked.entity_at(owner)
            info = linked.info(province) if province else None
            seat = linked.gazetteer.seat(province) if info is not None and info.kind == "province" else None
            if seat:
                return self.introduce(seat)
        return None

    def _attackers_of(self, pronoun, exclude) -> frozenset[str]:
        """The subject of a hostile verb whose object holds a possessive pronoun: 'an Israeli
        strike killed one of its commanders' does not say Israel's commander."""
        owned = pronoun.head.lemma_.lower()
        if owned not in self.role_nouns and owned not in self.site_nouns and pronoun.head.lower_ not in self.role_nouns:
            return frozenset()  # "pressed their offensive", "struck with its jets": the agent's own
        cur = pronoun.head
        for _ in range(7):
            if cur.pos_ in (VERB, AUX_VERB) and cur.dep_ != CLAUSAL_MODIFIER or cur.head == cur:
                break  # through "a car carrying three of its officials" up to the verb of the clause
            if cur.dep_ in _SUBJ:
                return frozenset()  # the pronoun is in the subject
            cur = cur.head
        if cur.pos_ != VERB or cur.lemma_.lower() not in self.hostile_verbs:
            return frozenset()
        return frozenset(self.coerce(e,
                                     "Actor") for e in self.nps(self.subject_tokens(cur),
                                                                exclude=exclude | {pronoun.i}))

    def _controlled_owner(self, pronoun, exclude, depth) -> list[str]:
        """A possessive pronoun in a clause with no subject of its own ('accused Ankara of
        violating ... with its raids') stands for the clause's understood subject."""
        verb = pronoun.head
        for _ in range(4):
            if verb.pos_ in (VERB, AUX_VERB) or verb.head == verb:
                break
            verb = verb.head
        if verb.tag_ not in (GERUND, BASE_VERB) or any(c.dep_ in _SUBJ for c in verb.children):
            return []
        found = [self.coerce(e, "Actor") for e in self.nps(self.subject_tokens(verb), exclude=exclude | {pronoun.i})]
        found = [e for e in found if self.linked.is_actor(e)]
        return found[:1]

    def _container(self, tok, exclude, depth) -> list[str]:
        linked = self.linked
        found: list[str] = []
        pronoun_owner = []
        for child in tok.children:
            if child.i in exclude or child.dep_ not in _MODIFIER_DEPS:
                continue
            if child.pos_ == PRONOUN:
                pronoun_owner.append(child)
                continue
            entity = linked.entity_at(child)
            if entity is None and child.dep_ == COMPOUND and child.pos_ == NOUN:
                # "a rebel drone base": the name modifies the compound before the head
                entity = next((linked.entity_at(g) for g in child.children if g.dep_ in (COMPOUND, ADJ_MODIFIER)
                               and g.i not in exclude and linked.entity_at(g) and linked.is_actor(linked.entity_at(g))), None)
            if entity is None and child.dep_ == POSSESSOR:
                entity = linked.resolve(child)  # "the group's hideouts": the group named before
                if entity is not None and linked.is_place(entity):
                    entity = None  # "the country's north" is part of it, read below
            if entity is None and self.t.modifiers.get(child.lower_) == "controls":
                # "ISIS-held areas": the actor behind the participle ("Iranian-backed militias" are not Iran).
                for grand in child.children:
                    if grand.dep_ in _MODIFIER_DEPS and linked.entity_at(grand):
                        entity = linked.entity_at(grand)
            if entity and entity not in found:
                found.append(entity)
            if entity and child.dep_ == NOUN_MODIFIER and linked.is_actor(entity):
                # "Hamas and Islamic Jihad fighters": each coordinated name's
                found += [e for c in child.conjuncts if c.i not in exclude
                          for e in [linked.entity_at(c)] if e and linked.is_actor(e) and e not in found]
        holders, found = found, []
        if len(holders) > 1 and tok.lower_ in self.place_containers:
            # "southern Idlib's Khan Sheikhoun town": the possessor only says where the town is
            named = [linked.entity_at(c) for c in tok.children if c.dep_ in (COMPOUND, NOUN_MODIFIER, ADJ_MODIFIER)]
            owners = {linked.entity_at(c) for c in tok.children if c.dep_ == POSSESSOR}
            if any(n and n not in owners for n in named):
                holders = [h for h in holders if h not in owners or not linked.is_place(h)]
        if holders and tok.lower_ not in self.place_containers:
            return holders
        for child in tok.children:
            if child.dep_ == ADJ_MODIFIER and child.lower_ in self.affiliation_adjectives \
                    and child.i not in exclude:
                # "fighters loyal to Hayat Tahrir al-Sham"
                sides = [e for p in child.children if p.dep_ == PREPOSITION and p.lower_ in ("to", "with")
                         for e in self.nps([o for o in p.children if o.dep_ == PREP_OBJECT], exclude=exclude)]
                if sides and tok.lower_ not in self.place_containers:
                    return unique([self.ruled(e) for e in sides])
        for child in tok.children:
            if child.dep_ == CLAUSAL_MODIFIER and child.lemma_ in self.holding_verbs and child.i not in exclude \
                    and tok.lower_ in self.place_containers:
                # "areas controlled by the Islamic State": with no name of its own, its holder
                agents = [p for c in child.children if c.dep_ == AGENT for p in c.children if p.dep_ == PREP_OBJECT]
                held_by = [e for e in self.nps(agents, exclude=exclude) if self.linked.is_actor(e)]
                if held_by:
                    holders = holders + [e for e in held_by if e not in holders]
        for child in tok.children:
            if child.dep_ == CLAUSAL_MODIFIER and child.lemma_ in ("carry", "transport") and child.i not in exclude:
                # "a convoy carrying Ahrar al-Sham fighters"
                found += self.nps([c for c in child.children if c.dep_ in _OBJ], exclude=exclude)
        for child in tok.children:
            if child.dep_ == APPOSITION and child.i not in exclude:
                for member in [child, *child.conjuncts]:
                    found += self.np(member, exclude=exclude, depth=depth + 1)
                if found:
                    return unique(found)
        relational = tok.lemma_.lower() in self.relational_places  # "the capital of Anbar" is not Anbar
        place_noun = tok.lower_ in self.place_containers
        for prep_word in () if relational else self.descend_preps:
            for child in tok.children:
                if child.dep_ == PREPOSITION and child.lower_ == prep_word:
                    for pobj in child.children:
                        if pobj.dep_ == PREP_OBJECT:
                            for member in [pobj, *pobj.conjuncts]:
                                members = self.np(member, exclude=exclude, depth=depth + 1)
                                if prep_word != "of" and not place_noun:
                                    # "the militia group in Iraq" is no part of Iraq
                                    members = [m for m in members if not linked.is_place(m)]
                                elif prep_word != "of":
                                    # "a region in Syria" is never Syria itself
                                    members = [m for m in members if "State" not in linked.types(m)]
                                found += members
                    if found and prep_word != "of" and holders:
                        # "rebel towns in Idlib": the holders, and where their towns lie
                        return unique(holders + found)
                    if found:
                        return unique(found)
        if not found and tok.dep_ in _OBJ and tok.lower_ in self.place_containers:
            # "leave last pockets in Deir Ezzor": the locative hangs from the verb.
            for prep in tok.head.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in self.locative_preps and prep.i > tok.i:
                    found += self.nps([p for p in prep.children if p.dep_ == PREP_OBJECT], exclude=exclude)
            if found:
                return unique(found)
            verb = tok.head
            if verb.dep_ == RELATIVE_CLAUSE and any(c.lower_ in self.relative_adverbs for c in verb.children
                                                     if c.dep_ == ADVERB_MODIFIER and c.i < verb.i):
                # "Deir ez-Zor, where IS still holds several neighbourhoods": parts of the place the
                # relative clause is on
                place = linked.entity_at(verb.head)
                if place and linked.is_place(place) and verb.head.i not in exclude:
                    return [place]
        if found:
            return unique(found)
        if holders:
            return holders  # "ISIS-held areas": no name, so the holder
        if tok.dep_ == ATTRIBUTE and tok.head.lemma_ == "be":
            for subj in tok.head.children:
                if subj.dep_ in _SUBJ:
                    return self.np(subj, exclude=exclude, depth=depth + 1)
        if pronoun_owner and tok.lower_ not in self.place_containers:
            return self.np(pronoun_owner[0], exclude=exclude, depth=depth + 1)
        if tok.lower_ in self.place_containers and not holders:
            for child in tok.children:  # "the city centre": the city named before
                if child.dep_ == COMPOUND and child.i not in exclude and child.pos_ == NOUN \
                        and any(c.dep_ == DETERMINER and c.lower_ == "the" for c in tok.children):
                    resolved = linked.resolve(child, types=("Place",), definite=True)
                    if resolved:
                        return [resolved]
        if pronoun_owner:  # "its last segments", "its outskirts": parts of a place
            resolved = linked.resolve(pronoun_owner[0], types=("Place",))
            return [resolved] if resolved and "State" not in linked.types(resolved) else []
        return []

    def nps(self, tokens, *, exclude: frozenset = frozenset(), want: str | None = None) -> list[str]:
        """Entities of several heads, each expanded over its coordination."""
        out: list[str] = []
        for tok in tokens:
            for member in [tok, *tok.conjuncts]:
                if member.i < tok.i and tok.dep_ == CONJUNCT:
                    continue
                out += self.np(member, exclude=exclude, want=want)
                out += [e for e in self.hyphen_partners(member) if e not in out]
                # "large parts of Anbar, including Fallujah and parts of Ramadi": the members named
                listed = [p for c in member.children if c.dep_ == PREPOSITION and c.lower_ in self.inclusion_preps
                          for p in c.children if p.dep_ == PREP_OBJECT and p.i not in exclude]
                if listed:
                    out += self.nps(listed, exclude=exclude, want=want)
        return unique(out)

    def hyphen_partners(self, tok) -> list[str]:
        """'Iraq-Kurdistan', 'the Russia-Turkey agreement': actors joined to a name by hyphens."""
        linked = self.linked
        own = linked.entity_at(tok)
        if own is None:
            return []
        doc = tok.doc
        found: list[str] = []
        i = tok.i
        while i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_:
            other = linked.entity_at(doc[i - 2])
            if other is None or other == own:
                break
            found.append(other)
            i -= 2
        return [e for e in found if self.linked.is_actor(self.coerce(e, "Actor"))]

    def _reporter(self, tok) -> bool:
        info = self.linked.info(self.linked.entity_at(tok) or "")
        return info is not None and bool(info.tags & _REPORTERS)

    def _dangling_object(self, prep) -> list:
        """A preposition the parser left without object ('fighting with the opposition, a
        monitor said', the noun hung elsewhere): the linked name right after it."""
        doc = prep.doc
        sent_end = self.linked.sentence_bounds(prep.i)[1]
        for tok in doc[prep.i + 1:min(sent_end, prep.i + 4)]:
            if tok.pos_ in (DETERMINER_WORD, ADJECTIVE, NUMERAL) or tok.is_space:
                continue
            if tok.pos_ in (NOUN, PROPER_NOUN) and self.linked.entity_at(tok) is not None:
                return [tok]
            break
        return []

    def described(self, noun) -> list[str]:
        """The entity a descriptive noun is said of (apposition or copula)."""
        linked = self.linked
        if noun.dep_ == PREP_OBJECT and noun.head.lower_ == "of" and noun.head.head.dep_ in (APPOSITION, ATTRIBUTE) \
                and (noun.head.head.pos_ == NUMERAL or noun.head.head.lower_ in self.partitive_words):
            return self.described(noun.head.head)  # "Kataib Hezbollah, one of the factions of the PMF"
        if noun.dep_ == APPOSITION:
            # "Russia and Iran, the main backers of Assad": a plural apposition describes each
            if noun.tag_ in (PLURAL_NOUN, PROPER_PLURAL):
                return self.nps([noun.head, *noun.head.conjuncts])
            return self.np(noun.head)  # "Russia, a key ally of Damascus, and Turkey": Russia alone
        for child in noun.children:
            if child.dep_ == APPOSITION and linked.entity_at(child):
                return self.nps([child])
        if noun.dep_ in (ATTRIBUTE, ADJ_COMPLEMENT) and noun.head.lemma_ == "be":
            return self.nps(self.subject_tokens(noun.head))
        if noun.lemma_.lower() in self.ally_nouns:
            # "their Syrian rebel allies": the allies are what the modifier names
            for child in noun.children:
                if child.dep_ in (ADJ_MODIFIER,
                                  COMPOUND) and linked.entity_at(child) and linked.is_actor(linked.entity_at(child)):
                    return [linked.entity_at(child)]
                demonym = linked.gazetteer.demonyms.get(child.lower_) if child.dep_ == ADJ_MODIFIER else None
                if demonym and noun.tag_ == PLURAL_NOUN and noun.lemma_.lower() in self.t.lexicon["client_nouns"] \
                        and any(c.dep_ == POSSESSOR for c in noun.children):
                    return []  # "Turkey and its Syrian proxies": Syrian factions, not the Syrian state
                if demonym:  # "its Russian ally"
                    return [self.introduce(demonym)]
        # "Markada town, last ISIS stronghold": apposition the parser missed.
        left = noun.left_edge
        if left.i >= 2 and left.nbor(-1).text == "," and not any(
                a.lower_ == "according" for a in left.nbor(-2).ancestors):
            # not "According to the Observatory, 15 members of the forces were killed": a source
            previous = left.nbor(-2)
            entity = linked.entity_at(previous)
            if entity is None:
                entity = next(iter(self.np(previous)), None)
            if entity and noun.tag_ in (PLURAL_NOUN, PROPER_PLURAL):  # "Russia and Iran, the main backers of ..."
                return unique([entity, *(e for c in previous.conjuncts for e in self.np(c))])
            if entity:
                return [entity]
        return []

    def own_name(self, tok) -> str | None:
        """Entity named by a token's own phrase, ignoring any larger mention."""
        doc = tok.doc
        return self.linked.gazetteer.lookup(doc[tok.left_edge.i:tok.i + 1].text)

    def ruled(self, entity: str) -> str:
        """"Assad's backers": a ruler's name in the possessive stands for his government."""
        info = self.linked.info(entity)
        if info and info.affiliation and info.affiliation[0] == "leads" and "Person" in info.types:
            target = info.affiliation[1]
            self.introduce(target)
            return target
        return entity

    def preceding(self, trigger) -> list[str]:
        """"the city, located in Syria": the noun phrase before the comma."""
        left = trigger.left_edge
        if left.i >= 2 and left.nbor(-1).text == ",":
            return self.np(left.nbor(-2))
        return []

    def subject_location(self, verb) -> list[str]:
        """'They include Yarmuk': where the things 'they' stand for lie."""
        for subj in (c for c in verb.children if c.dep_ in _SUBJ):
            candidates = [subj]
            if subj.pos_ == PRONOUN:
                sents = list(self.linked.doc.sents)
                index = next(i for i, s in enumerate(sents) if s.start <= subj.i < s.end)
                if index == 0:
                    return []
                candidates = [t for t in sents[index - 1] if t.tag_ in (PLURAL_NOUN, PROPER_PLURAL)
                              and t.lower_ in self.place_containers][-1:]
            for head in candidates:
                for prep in head.children:
                    if prep.dep_ == PREPOSITION and prep.lower_ in self.locative_preps:
                        places = self.nps([p for p in prep.children if p.dep_ == PREP_OBJECT])
                        return [p for p in places if self.linked.is_place(p)]
        return []
