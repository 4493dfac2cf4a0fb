"""Frame roles: the entity filling each role of a trigger, and where it happened.

A mixin of :class:`~kg.extract.reader.Reader`; it reads the attributes the
reader sets up and calls the other mixins through ``self``.
"""
from __future__ import annotations

from kg.extract.syntax import _OBJ, _PASS_SUBJ, _SUBJ, between_parties, of_objects, unique
from kg.extract.triggers import Frame
from kg.parse_labels import (
    ADJ_MODIFIER,
    ADPOSITION,
    ADVERBIAL_CLAUSE,
    ADVERB_MODIFIER,
    AUX_VERB,
    CLAUSAL_COMPLEMENT,
    CLAUSAL_MODIFIER,
    COMPOUND,
    CONJUNCT,
    DATIVE,
    DIRECT_OBJECT,
    MARKER,
    NOUN,
    OPEN_COMPLEMENT,
    PASSIVE_SUBJECT,
    PAST_PARTICIPLE,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PROPER_NOUN,
    RELATIVE_CLAUSE,
    SUBJECT,
    UD_OBJECT,
    VERB,
)


class FrameRoles:
    """Fills a frame's roles from the clause around its trigger and finds the
    places a clause happened in or a side controls."""

    # -- roles -----------------------------------------------------------------------
    def role(self, trigger, role: str, *, is_noun: bool, frame: Frame, wanted: str | None = None) -> list[str]:
        if role == "subj":
            return self.nps(self.subject_tokens(trigger), want=wanted)
        if role == "obj":
            return self.nps(self.object_tokens(trigger), want=wanted)
        if role == "owner":
            return self.owner(trigger, frame)
        if role == "recipient":
            return self.recipient(trigger)
        if role == "indirect_object":
            # "gave Baghdad military advisers": the indirect object, a noun phrase with no preposition
            return self.nps([c for c in trigger.children if c.dep_ == DATIVE and c.pos_ != ADPOSITION], want=wanted)
        if role == "described":
            return self.described(trigger)
        if role == "possessor":
            own = self.linked.entity_at(trigger)
            found = []
            for child in trigger.children:
                if child.dep_ != POSSESSOR:
                    continue
                if own is not None and self.linked.entity_at(child) == own:
                    named = self.own_name(child)  # "Iran's proxies" is one alias: its possessor is Iran
                    found += [self.ruled(self.introduce(named))] if named and named != own else []
                else:
                    found += [self.ruled(e) for e in self.nps([child])]
            return found
        if role == "self":
            entity = self.linked.entity_at(trigger)
            return [entity] if entity else []
        if role == "obj_parties":
            # "Jordan brokered an agreement between the rebels and the government"
            parties: list[str] = []
            for obj in self.object_tokens(trigger):
                for group_a, group_b in between_parties(self, obj):
                    parties += group_a + group_b
            return unique(parties)
        if role.startswith("obj_prep:"):
            # "blamed the car bombing on the Islamic State": the phrase hangs from the object
            name = role[len("obj_prep:"):]
            holders = list(self.object_tokens(trigger))
            holders += [c for o in holders for c in o.conjuncts if c not in holders]  # "the airport and a base from X"
            holders += of_objects(holders)  # "a list of demands to the delegation"
            return self.nps([p for o in holders for p in self.prep_objects(o, name)], want=wanted)
        if role == "for_clause":
            return self.nps(self.for_clause_subjects(trigger), want=wanted)
        if role == "provoker":
            return self.nps(self.provokers(trigger), want=wanted)
        if role == "modifier":
            found = []
            for child in trigger.children:
                if child.dep_ in (ADJ_MODIFIER, COMPOUND) and child.i < trigger.i:
                    for word in (child, *(c for c in child.conjuncts if c.i < trigger.i)):  # "Russian and Iranian help"
                        named = [self.ruled(e) for e in self.nps([word])]
                        demonym = self.linked.gazetteer.demonyms.get(word.lower_)
                        if demonym and not named:
                            named.append(self.introduce(demonym))  # "a Syrian ally"
                        found += named
            return unique(found)
        if role == "purpose":
            return self.purpose_objects(trigger, wanted)
        if role == "casualties":
            # "clashes in which 60 Turkish soldiers and scores of Syrian forces were killed"
            found: list[str] = []
            for clause in trigger.children:
                if clause.dep_ == RELATIVE_CLAUSE and clause.lemma_.lower() in self.casualty_verbs:
                    found += self.nps([c for c in clause.children if c.dep_ in _PASS_SUBJ or c.dep_ in _SUBJ])
            return [e for e in found if self.linked.is_actor(e)] if len(set(found)) > 1 else []
        if role == "taken_place":
            # "took control of Ras al-Ain after the SDF withdrew": a departure with no place of its
            # own, in a clause of time under a verb that takes or enters a place, leaves that place
            if trigger.dep_ != ADVERBIAL_CLAUSE or any(c.dep_ in _OBJ for c in trigger.children) \
                    or not any(c.dep_ == MARKER and c.lower_ in self.time_markers for c in trigger.children):
                return []
            clause = trigger.head
            if clause.lemma_.lower() not in self.taking_verbs and clause.lemma_.lower() not in self.entry_verbs:
                return []
            objects = self.object_tokens(clause) + [p for c in self.object_tokens(clause)
                                                     for p in self.prep_objects(c, "of")]
            return [e for e in self.nps(objects, want=wanted) if self.linked.is_place(e)]
        if role == "clause_place":
            # "regained control of Deir ez-Zor after a three-year Islamic State siege": the place the
            # clause the siege is an adjunct of acts on
            clause = self.adjunct_verb(trigger, "besieged")
            if clause is None:
                return []
            objects = self.object_tokens(clause) + [p for c in self.object_tokens(clause)
                                                     for p in self.prep_objects(c, "of")]
            if clause.lemma_.lower() in self.falling_verbs:
                objects = self.subject_tokens(clause)  # "Eastern Aleppo fell after a long siege"
            return [e for e in self.nps(objects, want=wanted) if self.linked.is_place(e)]
        if role == "victims":
            # "30 pro-government fighters were killed in an Islamic State ambush": whom it hit
            prep = trigger.head
            if trigger.dep_ == PREP_OBJECT and prep.lower_ in ("in", "by") and prep.head.lemma_.lower() in self.victim_verbs \
                    and self.is_passive(prep.head):
                # ("Two Hezbollah commanders killed in an Israeli strike": the noun the participle is on)
                return self.nps(self.object_tokens(prep.head), want=wanted)
            if trigger.dep_ == PREP_OBJECT and prep.lower_ in ("in", "by") and prep.head.lemma_.lower() in self.victim_verbs \
                    and self.headline_passive(prep.head):
                # a headline's "Soleimani killed in US airstrike"
                return self.nps([c for c in prep.head.children if c.dep_ == SUBJECT], want=wanted)
            if trigger.dep_ == PREP_OBJECT and prep.lower_ == "in" and prep.head.lemma_.lower() in self.death_verbs:
                # "two IS commanders died in a coalition air raid": whom it killed
                return self.nps(self.subject_tokens(prep.head), want=wanted)
            return []
        if role == "victims_clause":
            # "15 soldiers were killed when IS gunmen attacked a bus": whom the attack hit
            head = trigger.head
            if trigger.dep_ == ADVERBIAL_CLAUSE and any(c.dep_ in (MARKER, ADVERB_MODIFIER) and c.lower_ in ("when", "as")
                                                        for c in trigger.children) \
                    and head.lemma_.lower() in self.injury_verbs and self.is_passive(head):
                return self.nps([c for c in head.children if c.dep_ in _PASS_SUBJ], want=wanted)
            return []
        if role == "defended":
            # "to back the rebels against the offensive by Assad's forces": whom the attack was on
            prep = trigger.head
            if trigger.dep_ == PREP_OBJECT and prep.lower_ == "against" and prep.head.pos_ in (VERB, AUX_VERB):
                return self.nps(self.object_tokens(prep.head), want=wanted)
            return []
        if role == "repeller":
            if any(c.dep_ == PREPOSITION and c.lower_ in ("on", "against") for c in trigger.children):
                return []  # "repelled a rebel attack on the town": the town was the target
            carrier = self.compass_carrier(trigger)
            verb = carrier.head if carrier.dep_ in _OBJ else None
            if verb is not None and verb.lemma_.lower() in self.repel_verbs:
                return self.nps(self.subject_tokens(verb), want=wanted)
            return []
        if role == "where":
            return self.where(trigger, is_noun=is_noun)
        if role == "asset_place":
            return self.asset_place(trigger)
        if role == "under":
            return self.under_control(trigger)
        if role == "preceding":
            return self.preceding(trigger)
        if role == "subj_location":
            return self.subject_location(trigger)
        if role == "subj_place":
            return self.subject_place(trigger)
        if role == "complement_subject":
            # "Hezbollah helped the Syrian army recapture Qusayr": whom it helped is the clause's subject
            return self.nps([g for c in trigger.children if c.dep_ in (CLAUSAL_COMPLEMENT, OPEN_COMPLEMENT)
                             for g in c.children if g.dep_ in _SUBJ], want=wanted)
        if role == "relative_source":
            return self.relative_source(trigger)
        if role.startswith("prep:"):
            name = role[5:]
            tokens = self.prep_objects(trigger, name)
            own = self.linked.entity_at(trigger)
            if own is not None:
                # "the regime of Bashar al-Assad" is one alias: read the name inside it.
                return [e for e in (self.own_name(t) for t in tokens) if e and e != own]
            if not tokens and not is_noun:
                tokens = self.object_hung(trigger, name)  # "handed the crossing to the rebels"
            if not tokens and not is_noun:
                # "fought alongside the coalition against IS": the phrase hung from the partner
                tokens = [p for c in trigger.children if c.dep_ == PREPOSITION and c.lower_ in self.partner_preps
                          for q in c.children if q.dep_ == PREP_OBJECT for r in q.children
                          if r.dep_ == PREPOSITION and r.lower_ == name and name != c.lower_
                          for p in r.children if p.dep_ == PREP_OBJECT]
            if not tokens and is_noun:
                verb = self.support_verb(trigger)
                if verb is not None and any(c.dep_ in _OBJ and c.i == trigger.i for c in verb.children):
                    tokens = self.prep_objects(verb, name)
                if not tokens:
                    tokens = self.reattached(trigger, verb, name)
            return self.nps(tokens)
        return []

    def provokers(self, noun) -> list:
        """Who drew a reaction noun: 'Turkey struck Qandil, prompting complaints from Baghdad',
        'the raid drew condemnation from Damascus' (the subject of the provoking verb or,
        for a participle, of the clause it hangs from)."""
        verb = noun.head
        if noun.dep_ not in (DIRECT_OBJECT, UD_OBJECT) or verb.lemma_.lower() not in self.provoking_verbs:
            return []
        subjects = self.subject_tokens(verb)
        if not subjects and verb.dep_ in (ADVERBIAL_CLAUSE, OPEN_COMPLEMENT,
                                          CONJUNCT) and verb.head.pos_ in (VERB, AUX_VERB):
            subjects = self.subject_tokens(verb.head)
        # "Washington's decision to pull out sparked criticism": the decision's owner
        return [s for s in subjects if self.np(s)] or [c for s in subjects for c in s.children if c.dep_ == POSSESSOR]

    def for_clause_subjects(self, verb) -> list:
        """'called for both Israel and Iran to show restraint': the subjects of the for-clause."""
        out = []
        for clause in verb.children:
            if clause.dep_ in (ADVERBIAL_CLAUSE, CLAUSAL_COMPLEMENT, OPEN_COMPLEMENT) and any(
                    c.dep_ == MARKER and c.lower_ == "for" for c in clause.children):
                out += [c for c in clause.children if c.dep_ in _SUBJ]
        return out

    def purpose_objects(self, noun, wanted: str | None) -> list[str]:
        """'an operation to take back Saraqeb': what the purpose clause of an attack noun would capture."""
        found: list[str] = []
        for clause in noun.children:
            if clause.dep_ not in (CLAUSAL_MODIFIER, RELATIVE_CLAUSE) or not self._infinitive(clause):
                continue
            frames = self.t.verbs.get(clause.lemma_.lower(), ())
            if any(f.rel in ("captured", "attacked", "besieged") for f in frames):
                found += self.nps(self.object_tokens(clause), want=wanted)
        return [e for e in unique(found) if self.linked.is_place(e)]

    def asset_place(self, trigger) -> list[str]:
        """Where the assets a verb leaves are: 'withdrew from its positions in southern Syria',
        'left their bases in northern Syria' (the place of the positions or bases)."""
        held = list(self.object_tokens(trigger))
        held += [p for name in ("from", "out of") for p in self.prep_objects(trigger, name)]
        found: list[str] = []
        for tok in held:
            if tok.lemma_.lower() not in self.asset_nouns and tok.lower_ not in self.asset_nouns:
                continue
            for prep in tok.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in self.asset_location_preps:
                    for pobj in (c for c in prep.children if c.dep_ == PREP_OBJECT):
                        found += self._places_under(pobj, 0)
        return unique(found)

    def compass_carrier(self, noun):
        """The word that stands in the clause for an event noun the parser hung from a compass
        word ('repelled an IS attack southwest of Kirkuk' parsed as 'attack southwest'): that word."""
        head = noun.head
        if noun.dep_ == COMPOUND and head.i > noun.i and head.lower_ in self.compass_words:
            return head
        return noun

    def where(self, trigger, *, is_noun: bool) -> list[str]:
        """Places an event happens in: 'strikes around the areas of Zap and Hakurk',
        'operations against the PKK had begun across the border in Qandil and Sinjar'.

        Reads the locative phrases of the trigger and, for a noun, of the
        verb it is the subject or object of, through place nouns ("the
        border in Qandil", "the outskirts of Raqqa").
        """
        heads = [trigger]
        # "IS attacked a prison in Hasakah": where the site it hits is
        site_heads = [] if is_noun else [o for o in self.object_tokens(trigger) if self._site_phrase(o)]
        if is_noun and trigger.dep_ in (SUBJECT, DIRECT_OBJECT,
                                        PASSIVE_SUBJECT) and trigger.head.pos_ in (VERB, AUX_VERB):
            heads.append(trigger.head)
        if is_noun:  # "a bombing that killed dozens in Karrada", "the attack, which took place in Hit"
            clauses = [c for c in trigger.children
                       if c.dep_ in (RELATIVE_CLAUSE, CLAUSAL_MODIFIER) and c.pos_ in (VERB, AUX_VERB)]
            # the parser often hangs the place from the clause's object ("killed dozens in Baghdad")
            victims = [o for c in clauses for o in c.children if o.dep_ in _OBJ and self.linked.entity_at(o) is None]
            victims += of_objects(victims)  # "wounded scores of shoppers in Kirkuk"
            heads += clauses + victims
        found: list[str] = []
        sites: list[str] = [e for o in site_heads for prep in o.children
                            if prep.dep_ == PREPOSITION and prep.lower_ in self.where_preps and prep.lower_ != "on"
                            for p in prep.children if p.dep_ == PREP_OBJECT for e in self._places_under(p, 0)]
        found += sites
        if is_noun:  # "the Baghdad suicide bombing": a place naming the event says where it was
            found += [e for c in trigger.children if c.dep_ == COMPOUND and c.i < trigger.i
                      for e in [self.linked.entity_at(c)] if e and self.linked.is_place(e) and not self.linked.is_actor(e)]
        for head in heads:
            for prep in head.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in self.where_preps:
                    for pobj in (c for c in prep.children if c.dep_ == PREP_OBJECT):
                        found += self._places_under(pobj, 0)
                if prep.dep_ == PREPOSITION and prep.lower_ in ("against", "on"):
                    # "an operation against Kurdish militias in Afrin": where its target is
                    for pobj in (c for c in prep.children if c.dep_ == PREP_OBJECT):
                        located = [e for q in pobj.children if q.dep_ == PREPOSITION and q.lower_ in ("in", "inside")
                                   for p in q.children if p.dep_ == PREP_OBJECT for e in self._places_under(p, 0)]
                        found += located
                        if pobj.lemma_.lower() in self.site_nouns or pobj.lower_ in self.site_nouns:
                            sites += located  # "the attack on a mosque in Kirkuk": the place of the site hit
        linked = self.linked
        places = []
        for entity in unique(found):
            info = linked.info(entity)
            if not linked.is_place(entity) or "State" in linked.types(entity):
                continue  # "strikes in Syria" locate, they do not target a country
            if info is not None and info.capital_of and self._has_target(heads) and entity not in sites:
                continue  # "a strike in Baghdad on two figures": the seat of government locates the event
            places.append(entity)
        # "in Qandil and Sinjar in Iraqi Kurdistan": the region only locates the places attacked
        regions = {e for e in places if (linked.info(e) is not None and linked.info(e).kind in ("region", "province"))}
        if len(regions) < len(places):
            places = [e for e in places if e not in regions]
        return places

    def subject_place(self, verb) -> list[str]:
        """Where a verb's subject is, by a locative on it: 'rebels in Eastern Ghouta began
        leaving', 'fighters holed up in the old city withdrew' (they left that place)."""
        out: list[str] = []
        for subj in self.subject_tokens(verb):
            holders = [subj,
                       *(c for c in subj.children if c.dep_ in (CLAUSAL_MODIFIER,
                                                                RELATIVE_CLAUSE) and c.tag_ == PAST_PARTICIPLE)]
            for holder in holders:
                for prep in holder.children:
                    if prep.dep_ == PREPOSITION and prep.lower_ in self.locative_preps:
                        out += [e for p in prep.children if p.dep_ == PREP_OBJECT for e in self._places_under(p, 0)]
        return unique(out)

    def relative_source(self, verb) -> list[str]:
        """'took Kirkuk from the Peshmerga, who withdrew': the place the clause took from
        the side a relative clause says left."""
        head = verb.head
        if verb.dep_ != RELATIVE_CLAUSE or head.dep_ != PREP_OBJECT or head.head.lower_ != "from":
            return []
        taker = head.head.head
        if taker.pos_ in (NOUN,
                          PROPER_NOUN) and (taker.dep_ in _OBJ or taker.dep_ == PREP_OBJECT and taker.head.lower_ == "of"):
            objects = [taker]  # "recaptured Palmyra from IS": the parser hangs 'from' on the place
        elif taker.pos_ in (VERB, AUX_VERB):
            objects = self.object_tokens(taker)
        else:
            return []
        objects += of_objects(objects)  # "took control of Kirkuk's oil fields"
        return [e for e in self.nps(objects) if self.linked.is_place(e)]

    def _has_target(self, heads) -> bool:
        """Does an event name its target besides where it happened ('a strike on two figures',
        'a bombing that killed dozens')? Then a capital it happened in only locates it."""
        linked = self.linked
        for head in heads:
            for child in head.children:
                if child.dep_ == PREPOSITION and child.lower_ in self.target_preps \
                        and any(p.dep_ == PREP_OBJECT and p.ent_type_ not in ("DATE", "TIME") for p in child.children):
                    return True
                if head is not heads[0] and head.pos_ in (VERB, AUX_VERB) and child.dep_ in _OBJ \
                        and child is not heads[0] and any(linked.is_actor(e) for e in self.nps([child])):
                    return True  # "a strike that killed two commanders of Kataib Hezbollah"
        return False

    def _places_under(self, tok, depth: int) -> list[str]:
        if depth > 3:
            return []
        places = [e for e in self.nps([tok]) if self.linked.is_place(e)]
        if places:
            return places
        if tok.lemma_.lower() in self.place_containers or tok.lemma_.lower() in self.relational_places:
            out: list[str] = []
            for prep in tok.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in self.where_preps | {"of"}:
                    for pobj in (c for c in prep.children if c.dep_ == PREP_OBJECT):
                        out += self._places_under(pobj, depth + 1)
            return out
        return []

    def under_control(self, noun) -> list[str]:
        """'pockets of the province under rebel control': what is under the control."""
        prep = noun.head
        if noun.dep_ != PREP_OBJECT or prep.lower_ != "under":
            return []
        holder = prep.head
        if holder.pos_ in (VERB, AUX_VERB):  # "Eastern Ghouta has been under siege", "came under attack"
            return self.nps(self.subject_tokens(holder))
        return [e for e in self.np(holder) if self.linked.is_place(e)]
