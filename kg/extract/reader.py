"""Reading a linked article's parse: noun phrases, clause roles, modality.

:class:`Reader` holds one article (a :class:`~kg.linking.LinkedDoc`) and the
trigger lexicon, and answers the questions every extraction rule asks: which
entities a noun phrase denotes (with containers, coreference, appositions
and "known as" names), the logical subject and object of a verb in any
voice, the verb a nominal trigger hangs from, and how firmly a clause is
asserted. It holds no state beyond the article.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from kg.extract.triggers import Frame, Triggers
from kg.linking import LinkedDoc
from kg.records import Span

_SUBJ = frozenset({"nsubj", "csubj"})
_PASS_SUBJ = frozenset({"nsubjpass", "csubjpass"})
_OBJ = frozenset({"dobj", "obj"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "npadvmod", "nmod"})
_CLIMB_DEPS = frozenset({"dobj", "pobj", "attr", "oprd", "conj", "appos", "prep", "xcomp", "nsubjpass", "acomp"})
_CLIMB_PREPS = frozenset({"of", "in", "to", "into", "on", "at", "for", "with", "under"})
_DESCEND_PREPS = ("of", "from", "in", "inside", "within")
_LOCATIVE_PREPS = frozenset({"in", "inside", "within"})
_LOCATIVE_OR_OF = _LOCATIVE_PREPS | {"of"}
_RELATIVE = frozenset({"that", "which", "who", "whom", "whose"})
_REPORTERS = frozenset({"media", "monitor"})
_REPORTER_RELATIONS = frozenset({"member_of", "leads", "active_in", "accused", "appealed_to", None})
_PHRASE_ENDS = frozenset({"in", "at", "near", "during", "after", "before", "since", "under", "over", "from",
                          "to", "for", "amid", "across", "through", "over", "about", "regarding"})
_NOT_RECIPROCAL = frozenset({"alongside", "against", "with", "for", "beside", "behind"})
#: Dependencies a misparsed object may get when it stands right after its verb.
_MISPARSED_OBJECT = frozenset({"advmod", "npadvmod", "attr", "oprd", "dep", "nmod", "compound", "appos"})
_CLAUSE_DEPS = frozenset({"xcomp", "advcl", "acl", "relcl", "ccomp", "conj", "pcomp"})


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
        verb_tags = {t for t in set(tag) if strings[t].startswith("VB")}
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
                    or low in words.modifier_ids):
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
                  locative_ids=ids(_LOCATIVE_OR_OF), verbal_ids=ids(("VERB", "AUX")),
                  nominal_ids=ids(("NOUN", "PROPN")), poss_id=get_string_id("poss"),
                  prep_id=get_string_id("prep"), agent_id=get_string_id("agent"),
                  according_id=get_string_id("according"))


class Reader:
    """Reads frames off one linked article. Holds no state beyond the article."""

    def __init__(self, linked: LinkedDoc, triggers: Triggers):
        self.linked = linked
        self.t = triggers
        lex = triggers.lexicon
        self.place_containers = frozenset(lex["place_container_nouns"])
        self.containers = frozenset(lex["container_nouns"]) | self.place_containers
        self.relational_places = frozenset(lex["relational_place_nouns"])
        self.symbol_nouns = frozenset(lex["symbol_nouns"])
        self.force_nouns = frozenset(lex["force_nouns"]) | {"reinforcements", "fighters", "militiamen", "police"}
        self.where_preps = frozenset(lex["where_prepositions"])
        self.adjunct_preps = frozenset(lex["adjunct_prepositions"])
        self.participation_verbs = frozenset(lex["participation_verbs"])
        self.adjunct_relations = frozenset({"fought", "attacked", "deal_with", "truce_with"})
        self.accusation_verbs = frozenset(lex["accusation_verbs"])
        self.departure_verbs = frozenset(lex["departure_verbs"])
        self.holding_verbs = frozenset({"control", "hold", "occupy", "run", "administer", "dominate"})
        self.alignment_verbs = frozenset(lex["alignment_verbs"])
        self.speech_verbs = frozenset(lex["speech_verbs"])
        self.repel_verbs = frozenset(lex["repel_verbs"])
        self.asset_nouns = frozenset(lex["asset_nouns"])
        self.broker_verbs = frozenset(lex["agreements"]["broker_verbs"])
        self.armed_relations = frozenset(r for r, spec in triggers.relations.items()
                                         if spec.get("family") in ("hostility", "territory") and r != "accused")
        self.subunit_nouns = frozenset(lex["roles"]["subunits"])
        self.control_object = frozenset(lex["control_verbs_object"])
        self.recipient_verbs = frozenset(lex["recipient_verbs"])
        self.denial = frozenset(lex["denial_verbs"])
        self.irrealis = frozenset(lex["irrealis_verbs"])
        self.support_verbs = frozenset(lex["support_verbs"])
        self.report_nouns = frozenset(lex["report_nouns"])
        self.unconfirmed = frozenset(lex["unconfirmed_verbs"])
        roles = lex["roles"]
        self.leader_roles = frozenset(roles["leader"])
        self.member_roles = frozenset(roles["member"])
        self.leader_titles = tuple(sorted(roles["titles_leader"], key=len, reverse=True))
        self.member_titles = tuple(sorted(roles["titles_member"], key=len, reverse=True))
        self.honorifics = frozenset(roles.get("honorifics", ()))
        self.role_nouns = frozenset(roles["leader"]) | frozenset(roles["member"])
        self.liaison_roles = frozenset(roles.get("liaison", ()))
        self.subordinate_roles = frozenset(roles.get("subordinate", ()))
        self.conditional_leader_roles = frozenset(roles.get("leader_of", ()))
        self.scan = _Scan(linked.doc, triggers)
        self._generic_starts: list[tuple[int, int]] | None = None

    # -- entity resolution of noun phrases ------------------------------------------
    def np(self, tok, *, exclude: frozenset = frozenset(), depth: int = 0, want: str | None = None) -> list[str]:
        """Entities a noun-phrase head denotes (coordination not included)."""
        if tok is None or tok.i in exclude or depth > 5:
            return []
        linked = self.linked
        named = self.known_as(tok, exclude)
        if named:
            return named  # "Iran-backed militias known as the Popular Mobilization Forces"
        entity = linked.entity_at(tok)
        if entity is not None:
            if self._generic_mention(tok):
                # "a coalition of rebel factions, the National Liberation Front": the name says which
                for child in tok.children:
                    named = linked.entity_at(child) if child.dep_ == "appos" and child.i not in exclude else None
                    if named and named != entity and linked.is_actor(named):
                        return [named]
            return [entity, *linked.also.get(tok.i, ())]
        lower = tok.lower_
        if lower in _RELATIVE and tok.head.dep_ in ("relcl", "acl"):
            return self.np(tok.head.head, exclude=exclude, depth=depth + 1)
        if tok.pos_ == "PRON" and tok.dep_ in _SUBJ and tok.head.dep_ == "ccomp":
            # "the tribal leaders said they appealed...": the reporter's subject
            reporters = [c for c in tok.head.head.children if c.dep_ in _SUBJ]
            if reporters and tok.lower_ in ("they", "we", "he", "she", "it"):
                return self.np(reporters[0], exclude=exclude, depth=depth + 1)
        if tok.pos_ == "PRON":
            resolved = linked.resolve(tok, types=("Place",) if want == "Place" else None)
            return [resolved] if resolved else []
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns or tok.lemma_.lower() in self.asset_nouns) \
                and tok.pos_ == "NOUN":
            for child in tok.children:  # "drones launched by rebels", "rockets fired by the militia"
                if child.dep_ == "acl" and child.tag_ == "VBN" and child.i not in exclude:
                    agents = [p for c in child.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
                    found = [e for e in self.nps(agents, exclude=exclude) if self.linked.is_actor(e)]
                    if found:
                        return found
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns) and tok.pos_ == "NOUN" \
                and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children) and depth == 0:
            earlier = self._earlier_forces(tok)
            if earlier:
                return earlier  # "its fighter jets struck ... the jets also destroyed": the same jets
        if (lower in self.force_nouns or tok.lemma_.lower() in self.force_nouns) and tok.pos_ == "NOUN":
            # "its military", "its fighter jets", "Iraq's U.S.-backed government": the possessor's forces
            owners = [c for c in tok.children if c.dep_ == "poss" and c.i not in exclude]
            if owners:
                found = [e for e in self.np(owners[0], exclude=exclude, depth=depth + 1) if self.linked.is_actor(e)]
                if found:  # "Assad's forces": a ruler's forces are his government's
                    return [self.ruled(self.coerce(found[0], "Actor"))]
        if lower in self.containers or tok.lemma_.lower() in self.containers:
            found = self._container(tok, exclude, depth)
            if found:
                return found
        resolved = linked.resolve(tok)
        if resolved:
            return [resolved]
        if tok.pos_ == "NOUN":  # "his Turkish counterpart Mevlut Cavusoglu"
            for child in tok.children:
                if child.dep_ == "appos" and child.i not in exclude and linked.entity_at(child):
                    return [linked.entity_at(child)]
            if tok.lemma_.lower() in self.role_nouns:
                # "The UN envoy for Syria, Geir Pedersen, met ...": the person the role names
                for prep in tok.children:
                    if prep.dep_ == "prep":
                        for pobj in prep.children:
                            for appos in pobj.children:
                                person = linked.entity_at(appos) if appos.dep_ == "appos" else None
                                if person and "Person" in linked.types(person) and appos.i not in exclude:
                                    return [person]
        # A modifier that is an entity ("Hezbollah fighters" when not an alias), unless the
        # noun names a symbol, text or accord of it ("the Kurdistan flag", "the Idlib agreement").
        if tok.pos_ == "PROPN" or tok.pos_ == "NOUN" and tok.lemma_.lower() not in self.symbol_nouns \
                and tok.lower_ not in self.symbol_nouns:
            standing = tok.lemma_.lower() in self.asset_nouns or tok.lower_ in self.force_nouns
            for child in tok.children:
                if child.i in exclude:
                    continue
                entity = linked.entity_at(child)
                # "Iranian military targets": an adjective naming the actor, for its forces' things
                if entity and (child.dep_ == "compound" or child.dep_ == "amod" and standing and linked.is_actor(entity)):
                    return [entity]
        return []

    def introduce(self, entity_id: str) -> str:
        """Make a dictionary entity the text implies but does not name a node of the article.

        ("Assad's backers": the Syrian government.) The one place where
        extraction adds to the linker's entities.
        """
        linked = self.linked
        if entity_id not in linked.entities:
            linked.entities[entity_id] = linked.gazetteer.entities[entity_id].entity
        return entity_id

    def agreement_parties(self, noun) -> list[str]:
        """The parties of an agreement noun: its owner, its with-party, 'between' groups,
        or the subjects of the clause it governs ('Under a deal, X and Y exchanged prisoners')."""
        parties: list[str] = []
        for frame in self.t.nouns.get(noun.lemma_.lower(), ()) or self.t.nouns.get(noun.lower_, ()):
            if frame.rel in ("deal_with", "truce_with"):
                parties += self.owner(noun, frame)
                parties += self.nps(self.prep_objects(noun, "with"))
                break
        for group_a, group_b in _between(self, noun):
            parties += group_a + group_b
        if noun.dep_ in _OBJ and noun.head.lemma_.lower() in ("agree", "accept", "sign", "reach", "welcome", "approve"):
            parties += self.nps(self.subject_tokens(noun.head))
        if noun.dep_ == "pobj" and noun.head.lower_ == "to" and noun.head.head.lemma_.lower() in ("agree", "commit"):
            parties += self.nps(self.subject_tokens(noun.head.head))  # "agreed to a ceasefire"
        clause = self.adjunct_verb(noun, "deal_with")
        if clause is not None and noun.head.lower_ == "under":
            # "X handed over Manbij to the Syrian army under a deal": the one it was handed to is a party
            parties += self.nps(self.subject_tokens(clause)) + self.nps(self.prep_objects(clause, "to"))
            parties += self.nps([c for c in clause.children if c.dep_ in _OBJ])
        if noun.dep_ == "nsubj" and noun.head.lemma_.lower() in self.control_object:
            # "the deal allowed rebels to leave" (the parser may make them the clause's subject)
            allowed = [c for c in noun.head.children if c.dep_ in _OBJ] or [
                g for c in noun.head.children if c.dep_ in ("xcomp", "ccomp") for g in c.children if g.dep_ in _SUBJ]
            parties += self.nps(allowed)
        return _unique([e for e in parties if self.linked.is_actor(e)])

    def brokers_of(self, noun) -> list[str]:
        """Who brokered an agreement noun: 'a ceasefire brokered by Russia and Jordan',
        'the Russian-brokered deal', 'a deal mediated by Qatar'."""
        found: list[str] = []
        for child in noun.children:
            if child.dep_ == "acl" and child.lemma_.lower() in self.broker_verbs:
                agents = [p for c in child.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
                found += self.nps(agents)
            if child.dep_ in ("amod", "compound") and self.t.modifiers.get(child.lower_) == "mediated":
                for grand in child.children:
                    if grand.dep_ in ("npadvmod", "compound", "amod", "nmod"):
                        entity = self.linked.entity_at(grand) or self.linked.gazetteer.demonyms.get(grand.lower_)
                        if entity:
                            found.append(self.introduce(entity) if entity not in self.linked.entities else entity)
        return _unique([e for e in found if self.linked.is_actor(self.coerce(e, "Actor"))])

    def _earlier_forces(self, tok) -> list[str]:
        """The actor whose forces of the same kind the article named just before ('the jets')."""
        linked = self.linked
        lemma = tok.lemma_.lower()
        start = linked.sentence_bounds(tok.i)[0]
        floor = linked.sentence_bounds(max(0, start - 1))[0] if start else 0
        floor = linked.sentence_bounds(max(0, floor - 1))[0] if floor else 0
        for i in range(tok.i - 1, floor - 1, -1):
            other = tok.doc[i]
            if other.lemma_.lower() == lemma and other.pos_ == "NOUN":
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
            if child.dep_ in ("acl", "relcl") and child.lemma_ in ("know", "call", "name", "dub") and child.i not in exclude:
                for prep in child.children:
                    if prep.dep_ == "prep" and prep.lower_ == "as":
                        found = self.nps([p for p in prep.children if p.dep_ == "pobj"], exclude=exclude)
                        if found:
                            return found
                found = self.nps([c for c in child.children if c.dep_ in ("oprd", "attr", "dobj")], exclude=exclude)
                if found:
                    return found
        return []

    def _container(self, tok, exclude, depth) -> list[str]:
        linked = self.linked
        found: list[str] = []
        pronoun_owner = []
        for child in tok.children:
            if child.i in exclude or child.dep_ not in _MODIFIER_DEPS:
                continue
            if child.pos_ == "PRON":
                pronoun_owner.append(child)
                continue
            entity = linked.entity_at(child)
            if entity is None and self.t.modifiers.get(child.lower_) == "controls":
                # "ISIS-held areas": the actor behind the participle ("Iranian-backed militias" are not Iran).
                for grand in child.children:
                    if grand.dep_ in _MODIFIER_DEPS and linked.entity_at(grand):
                        entity = linked.entity_at(grand)
            if entity and entity not in found:
                found.append(entity)
        holders, found = found, []
        if len(holders) > 1 and tok.lower_ in self.place_containers:
            # "southern Idlib's Khan Sheikhoun town": the possessor only says where the town is
            named = [linked.entity_at(c) for c in tok.children if c.dep_ in ("compound", "nmod", "amod")]
            owners = {linked.entity_at(c) for c in tok.children if c.dep_ == "poss"}
            if any(n and n not in owners for n in named):
                holders = [h for h in holders if h not in owners or not linked.is_place(h)]
        if holders and tok.lower_ not in self.place_containers:
            return holders
        for child in tok.children:
            if child.dep_ == "amod" and child.lower_ in ("loyal", "affiliated", "allied", "linked", "aligned") \
                    and child.i not in exclude:
                # "fighters loyal to Hayat Tahrir al-Sham"
                sides = [e for p in child.children if p.dep_ == "prep" and p.lower_ in ("to", "with")
                         for e in self.nps([o for o in p.children if o.dep_ == "pobj"], exclude=exclude)]
                if sides and tok.lower_ not in self.place_containers:
                    return _unique([self.ruled(e) for e in sides])
        for child in tok.children:
            if child.dep_ == "acl" and child.lemma_ in self.holding_verbs and child.i not in exclude \
                    and tok.lower_ in self.place_containers:
                # "areas controlled by the Islamic State": with no name of its own, its holder
                agents = [p for c in child.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
                held_by = [e for e in self.nps(agents, exclude=exclude) if self.linked.is_actor(e)]
                if held_by:
                    holders = holders + [e for e in held_by if e not in holders]
        for child in tok.children:
            if child.dep_ == "acl" and child.lemma_ in ("carry", "transport") and child.i not in exclude:
                # "a convoy carrying Ahrar al-Sham fighters"
                found += self.nps([c for c in child.children if c.dep_ in _OBJ], exclude=exclude)
        for child in tok.children:
            if child.dep_ == "appos" and child.i not in exclude:
                for member in [child, *child.conjuncts]:
                    found += self.np(member, exclude=exclude, depth=depth + 1)
                if found:
                    return _unique(found)
        relational = tok.lemma_.lower() in self.relational_places  # "the capital of Anbar" is not Anbar
        place_noun = tok.lower_ in self.place_containers
        for prep_word in () if relational else _DESCEND_PREPS:
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ == prep_word:
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
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
                        return _unique(holders + found)
                    if found:
                        return _unique(found)
        if not found and tok.dep_ in _OBJ and tok.lower_ in self.place_containers:
            # "leave last pockets in Deir Ezzor": the locative hangs from the verb.
            for prep in tok.head.children:
                if prep.dep_ == "prep" and prep.lower_ in _LOCATIVE_PREPS and prep.i > tok.i:
                    found += self.nps([p for p in prep.children if p.dep_ == "pobj"], exclude=exclude)
            if found:
                return _unique(found)
        if found:
            return _unique(found)
        if holders:
            return holders  # "ISIS-held areas": no name, so the holder
        if tok.dep_ == "attr" and tok.head.lemma_ == "be":
            for subj in tok.head.children:
                if subj.dep_ in _SUBJ:
                    return self.np(subj, exclude=exclude, depth=depth + 1)
        if pronoun_owner and tok.lower_ not in self.place_containers:
            return self.np(pronoun_owner[0], exclude=exclude, depth=depth + 1)
        if tok.lower_ in self.place_containers and not holders:
            for child in tok.children:  # "the city centre": the city named before
                if child.dep_ == "compound" and child.i not in exclude and child.pos_ == "NOUN" \
                        and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
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
                if member.i < tok.i and tok.dep_ == "conj":
                    continue
                out += self.np(member, exclude=exclude, want=want)
                out += [e for e in self.hyphen_partners(member) if e not in out]
        return _unique(out)

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

    # -- clause structure ----------------------------------------------------------------
    @staticmethod
    def is_passive(verb) -> bool:
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
            return True
        return verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod", "advcl") and not any(
            c.dep_ in ("aux", "nsubj") for c in verb.children)

    def subject_tokens(self, verb, depth: int = 0) -> list:
        """Tokens naming the logical subject (agent) of a verb."""
        if depth > 4:
            return []
        if self.is_passive(verb):
            return [p for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        subjects = [c for c in verb.children if c.dep_ in _SUBJ]
        with_clause = verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "with" for c in verb.children) \
            or verb.dep_ == "pcomp" and verb.head.lower_ == "with"
        if subjects and with_clause:
            # "rebels reach agreement with government to leave Quneitra", parsed as a with-clause
            governor = verb.head if verb.dep_ == "advcl" else verb.head.head
            if self._leaving_side(governor, verb, subjects) == "subject":
                return self.subject_tokens(governor, depth + 1)
        if subjects:
            return subjects
        dep, head = verb.dep_, verb.head
        if head == verb:
            return []
        if dep == "conj":
            return self.subject_tokens(head, depth + 1)
        if dep in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
            if dep == "acl" and self._infinitive(verb):
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
        if dep == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
            governor = head.head
            if head.lower_ in ("of", "from", "for"):
                objects = [c for c in governor.children if c.dep_ in _OBJ]
                # "accused Turkey of shelling Kobani", "stopped them from leaving": the object acts
                return objects if objects else []
            return self.subject_tokens(governor, depth + 1)  # "announced ... after meeting Putin"
        if dep in ("xcomp", "advcl", "ccomp", "pcomp") or (dep == "acl" and head.pos_ in ("VERB", "AUX")):
            if head.pos_ not in ("VERB", "AUX"):
                # "decision to hasten": the noun's owner.
                return self._owner_tokens(head) if head.pos_ in ("NOUN", "PROPN") else []
            raised = [c for c in verb.children if c.lower_ in _RELATIVE and c.i < head.i]
            if dep == "xcomp" and raised:
                return raised  # "the YPG, which Ankara considers to be an offshoot of the PKK"
            if dep in ("xcomp", "advcl") and self._infinitive(verb) or dep == "xcomp":
                controller = self._object_controller(head, verb)
                if controller:
                    return controller
            found = self.subject_tokens(head, depth + 1)
            if not found and dep == "advcl" and verb.tag_ == "VBG" and self.is_passive(head) \
                    and head.dep_ in ("ccomp", "xcomp", "advcl") and head.head.pos_ in ("VERB", "AUX"):
                # "The PMF confirmed that the two were killed, blaming the strike on the US": the
                # participle hangs from the agentless passive; its subject is the one who confirmed
                return self.subject_tokens(head.head, depth + 1)
            return found
        return []

    @staticmethod
    def _infinitive(verb) -> bool:
        return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)

    def _object_controller(self, governor, verb=None) -> list:
        """'allowed Daesh fighters to leave', 'a deal with Daesh fighters to leave'.

        In a deal to leave, the side that leaves is the armed opposition or
        the jihadists when one side is and the other is not ("rebels reached
        an agreement with government forces to leave Quneitra").
        """
        objects = [c for c in governor.children if c.dep_ in _OBJ]
        if governor.lemma_ in self.control_object:
            objects += [p for c in governor.children if c.dep_ == "prep" and c.lower_ in ("to", "on")
                        for p in c.children if p.dep_ == "pobj"]
            return [o for o in objects if self.np(o)] or []
        for obj in objects:
            if self.np(obj):
                return []  # the object is itself an actor: subject control stays
            for prep in obj.children:
                if prep.dep_ == "prep" and prep.lower_ in ("with", "for"):
                    actors = [p for p in prep.children if p.dep_ == "pobj" and self._actor_np(p)]
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
            if verb.dep_ in ("acl", "amod", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
                return [verb.head]
            if verb.dep_ == "advcl" and verb.head.pos_ in ("VERB", "AUX"):
                # "Backed by Iranian forces, the army recaptured Palmyra"
                return self.subject_tokens(verb.head)
            if verb.dep_ == "conj":
                return self.object_tokens(verb.head)
            return []
        objects = [c for c in verb.children if c.dep_ in _OBJ]
        if objects:
            return objects
        # "Iraqi forces recaptured Mosul from the Islamic State": the parser may hang a name
        # right after the verb as an adverb; a linked name there is the object
        for child in verb.rights:
            if child.dep_ in ("prep", "agent", "punct", "cc", "conj", "ccomp", "advcl", "xcomp", "mark"):
                break
            if child.dep_ in _MISPARSED_OBJECT and self.linked.entity_at(child) is not None:
                return [child]
        return []

    def prep_objects(self, head, name: str) -> list:
        """Objects of preposition ``name`` ('out of' allowed) attached to ``head``."""
        words = name.split()
        out = []
        for child in head.children:
            if child.dep_ not in ("prep", "agent", "prt", "advmod", "dative") or child.lower_ != words[0]:
                continue
            if len(words) == 1:
                objects = [p for p in child.children if p.dep_ == "pobj"]
                # "agreed with the government to leave": the parser made the object a clause's subject
                objects += [s for p in child.children if p.dep_ == "pcomp" for s in p.children if s.dep_ in _SUBJ]
                if not objects and not any(p.dep_ in ("pcomp", "pobj") for p in child.children):
                    objects = self._dangling_object(child)
                elif objects and all(self._reporter(o) for o in objects):
                    # "fighting with the opposition, U.K.-based monitoring group X said": a source
                    # is never the party; the name right after the preposition is
                    objects = self._dangling_object(child) or objects
                out += objects
            else:
                out += [p for c in child.children if c.dep_ == "prep" and c.lower_ == words[1]
                        for p in c.children if p.dep_ == "pobj"]
                if child.dep_ == "prt":
                    out += [p for c in head.children if c.dep_ == "prep" and c.lower_ == words[1]
                            for p in c.children if p.dep_ == "pobj"]
        return out

    def _reporter(self, tok) -> bool:
        info = self.linked.info(self.linked.entity_at(tok) or "")
        return info is not None and bool(info.tags & _REPORTERS)

    def _dangling_object(self, prep) -> list:
        """A preposition the parser left without object ('fighting with the opposition, a
        monitor said', the noun hung elsewhere): the linked name right after it."""
        doc = prep.doc
        sent_end = self.linked.sentence_bounds(prep.i)[1]
        for tok in doc[prep.i + 1:min(sent_end, prep.i + 4)]:
            if tok.pos_ in ("DET", "ADJ", "NUM") or tok.is_space:
                continue
            if tok.pos_ in ("NOUN", "PROPN") and self.linked.entity_at(tok) is not None:
                return [tok]
            break
        return []

    # -- nouns -----------------------------------------------------------------------
    def support_verb(self, noun):
        """The verb a nominal trigger is the object of ('reached a truce')."""
        cur = noun
        for _ in range(6):
            dep, head = cur.dep_, cur.head
            if head == cur or dep not in _CLIMB_DEPS:
                return None
            if dep == "prep" and cur.lower_ not in _CLIMB_PREPS:
                return None
            if head.pos_ in ("VERB", "AUX") and head.dep_ == "prep":
                return None  # "following two days of fighting": a participle used as a preposition
            if head.pos_ in ("VERB", "AUX"):
                if dep in ("nsubjpass",):
                    return None
                return head
            cur = head
        return None

    @staticmethod
    def direct_support(noun):
        """The verb whose object the noun is: its negation is the noun's."""
        head = noun.head
        if noun.dep_ in _OBJ and head.pos_ in ("VERB", "AUX"):
            return head
        if noun.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("to", "on", "into") \
                and head.head.pos_ in ("VERB", "AUX"):
            return head.head
        if noun.dep_ == "nsubjpass" and head.pos_ in ("VERB", "AUX"):
            return head  # "a ceasefire with the YPG was never agreed"
        return None

    def _owner_tokens(self, noun) -> list:
        poss = [c for c in noun.children if c.dep_ == "poss"]
        if poss:
            return poss
        mods = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and self.linked.entity_at(c)]
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

    def owner(self, noun, frame: Frame) -> list[str]:
        linked = self.linked
        # "Russian airstrikes": the noun is itself part of the actor's mention.
        entity = linked.entity_at(noun)
        if entity is not None:
            return [entity]
        tokens = self._owner_tokens(noun)
        if tokens:
            return self.nps(tokens)
        head = noun.head
        if noun.dep_ == "nsubjpass" and head.lemma_.lower() in self.support_verbs and head.dep_ == "ccomp" \
                and not any(c.dep_ == "agent" for c in head.children) \
                and head.head.lemma_.lower() in self.speech_verbs:
            # "The SDF announced that a deal with the government was reached": the announcer is a party
            return self.nps(self.subject_tokens(head.head))
        verb = self.support_verb(noun)
        if verb is None and frame.rel in self.adjunct_relations:
            # "captured the town following two days of fighting with the opposition"
            verb = self.adjunct_verb(noun, frame.rel)
            return self.nps(self.subject_tokens(verb)) if verb is not None else []
        if verb is None or verb.lemma_ in self.recipient_verbs:
            return []
        if frame.rel in self.adjunct_relations and self.adjunct_verb(noun, frame.rel) == verb \
                and verb.lemma_.lower() not in self.participation_verbs:
            # "Kurdish forces, allied with the U.S. in the fight against the Islamic State"
            actors = self.subject_tokens(verb)
            if not actors and self.is_passive(verb) and verb.lemma_.lower() in self.alignment_verbs:
                actors = [c for c in verb.children if c.dep_ in _PASS_SUBJ]  # "forces allied with X in ..."
            return self.nps(actors)
        lemma = verb.lemma_.lower()
        if lemma in self.participation_verbs and self.is_passive(verb):
            # "Kataeb Hezbollah, which was involved in the attack on the US Embassy"
            return self.nps([c for c in verb.children if c.dep_ in _PASS_SUBJ])
        if lemma not in self.support_verbs and lemma not in frame.support and lemma not in self.participation_verbs:
            return []  # "Iran hosted talks between ...": the host is no party
        return self.nps(self.subject_tokens(verb))

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
            if cur.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in self.adjunct_preps \
                    and (head.lower_ != "under" or relation in ("deal_with", "truce_with")):
                return head.head if head.head.pos_ in ("VERB", "AUX") else None
            if cur.dep_ not in ("pobj", "prep") or (cur.dep_ == "prep" and cur.lower_ != "of"):
                return None
            cur = head
        return None

    def recipient(self, noun) -> list[str]:
        if noun.dep_ == "pobj" and noun.head.lower_ == "with" and noun.head.head.pos_ in ("VERB", "AUX"):
            # "With air support from the coalition, the SDF drove..."
            return self.nps(self.subject_tokens(noun.head.head))
        if noun.dep_ == "pobj" and noun.head.lower_ == "with" and noun.head.head.pos_ in ("NOUN", "PROPN"):
            # "Peshmerga forces, with the backing of coalition warplanes, broke through"
            return self.np(noun.head.head)
        verb = self.support_verb(noun)
        if verb is None or verb.lemma_ not in self.recipient_verbs:
            return []
        return self.nps(self.subject_tokens(verb))

    def described(self, noun) -> list[str]:
        """The entity a descriptive noun is said of (apposition or copula)."""
        linked = self.linked
        if noun.dep_ == "appos":
            return self.nps([noun.head])
        for child in noun.children:
            if child.dep_ == "appos" and linked.entity_at(child):
                return self.nps([child])
        if noun.dep_ in ("attr", "acomp") and noun.head.lemma_ == "be":
            return self.nps(self.subject_tokens(noun.head))
        if noun.lemma_.lower() in ("ally", "backer", "sponsor", "patron", "proxy", "partner"):
            # "their Syrian rebel allies": the allies are what the modifier names
            for child in noun.children:
                if child.dep_ in ("amod", "compound") and linked.entity_at(child) and linked.is_actor(linked.entity_at(child)):
                    return [linked.entity_at(child)]
        # "Markada town, last ISIS stronghold": apposition the parser missed.
        left = noun.left_edge
        if left.i >= 2 and left.nbor(-1).text == ",":
            previous = left.nbor(-2)
            entity = linked.entity_at(previous)
            if entity is None:
                entity = next(iter(self.np(previous)), None)
            if entity:
                return [entity]
        return []

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
        if role == "described":
            return self.described(trigger)
        if role == "poss":
            return [self.ruled(e) for e in self.nps([c for c in trigger.children if c.dep_ == "poss"])]
        if role == "self":
            entity = self.linked.entity_at(trigger)
            return [entity] if entity else []
        if role == "obj_parties":
            # "Jordan brokered an agreement between the rebels and the government"
            parties: list[str] = []
            for obj in self.object_tokens(trigger):
                for group_a, group_b in _between(self, obj):
                    parties += group_a + group_b
            return _unique(parties)
        if role.startswith("obj_prep:"):
            # "blamed the car bombing on the Islamic State": the phrase hangs from the object
            name = role[len("obj_prep:"):]
            holders = list(self.object_tokens(trigger))
            holders += [p for o in holders for q in o.children if q.dep_ == "prep" and q.lower_ == "of"
                        for p in q.children if p.dep_ == "pobj"]  # "a list of demands to the delegation"
            return self.nps([p for o in holders for p in self.prep_objects(o, name)], want=wanted)
        if role == "for_clause":
            return self.nps(self.for_clause_subjects(trigger), want=wanted)
        if role == "modifier":
            found = []
            for child in trigger.children:
                if child.dep_ in ("amod", "compound") and child.i < trigger.i:
                    found += [self.ruled(e) for e in self.nps([child])]
                    demonym = self.linked.gazetteer.demonyms.get(child.lower_)
                    if demonym and not found:
                        found.append(self.introduce(demonym))  # "a Syrian ally"
            return _unique(found)
        if role == "purpose":
            return self.purpose_objects(trigger, wanted)
        if role == "casualties":
            # "clashes in which 60 Turkish soldiers and scores of Syrian forces were killed"
            found: list[str] = []
            for clause in trigger.children:
                if clause.dep_ == "relcl" and clause.lemma_.lower() in ("kill", "wound", "injure", "die"):
                    found += self.nps([c for c in clause.children if c.dep_ in _PASS_SUBJ or c.dep_ in _SUBJ])
            return [e for e in found if self.linked.is_actor(e)] if len(set(found)) > 1 else []
        if role == "clause_place":
            # "regained control of Deir ez-Zor after a three-year Islamic State siege": the place the
            # clause the siege is an adjunct of acts on
            clause = self.adjunct_verb(trigger, "besieged")
            if clause is None:
                return []
            objects = self.object_tokens(clause) + [p for c in self.object_tokens(clause)
                                                     for p in self.prep_objects(c, "of")]
            return [e for e in self.nps(objects, want=wanted) if self.linked.is_place(e)]
        if role == "victims":
            # "30 pro-government fighters were killed in an Islamic State ambush": whom it hit
            prep = trigger.head
            if trigger.dep_ == "pobj" and prep.lower_ in ("in", "by") and prep.head.lemma_.lower() in (
                    "kill", "wound", "injure", "hit", "target") and self.is_passive(prep.head):
                return self.nps([c for c in prep.head.children if c.dep_ in _PASS_SUBJ], want=wanted)
            return []
        if role == "defended":
            # "to back the rebels against the offensive by Assad's forces": whom the attack was on
            prep = trigger.head
            if trigger.dep_ == "pobj" and prep.lower_ == "against" and prep.head.pos_ in ("VERB", "AUX"):
                return self.nps(self.object_tokens(prep.head), want=wanted)
            return []
        if role == "repeller":
            if any(c.dep_ == "prep" and c.lower_ in ("on", "against") for c in trigger.children):
                return []  # "repelled a rebel attack on the town": the town was the target
            verb = trigger.head if trigger.dep_ in _OBJ else None
            if verb is not None and verb.lemma_.lower() in self.repel_verbs:
                return self.nps(self.subject_tokens(verb), want=wanted)
            return []
        if role == "where":
            return self.where(trigger, is_noun=is_noun)
        if role == "under":
            return self.under_control(trigger)
        if role == "preceding":
            return self.preceding(trigger)
        if role == "subj_location":
            return self.subject_location(trigger)
        if role.startswith("prep:"):
            name = role[5:]
            tokens = self.prep_objects(trigger, name)
            own = self.linked.entity_at(trigger)
            if own is not None:
                # "the regime of Bashar al-Assad" is one alias: read the name inside it.
                return [e for e in (self.own_name(t) for t in tokens) if e and e != own]
            if not tokens and is_noun:
                verb = self.support_verb(trigger)
                if verb is not None and any(c.dep_ in _OBJ and c.i == trigger.i for c in verb.children):
                    tokens = self.prep_objects(verb, name)
                if not tokens:
                    tokens = self.reattached(trigger, verb, name)
            return self.nps(tokens)
        return []

    def for_clause_subjects(self, verb) -> list:
        """'called for both Israel and Iran to show restraint': the subjects of the for-clause."""
        out = []
        for clause in verb.children:
            if clause.dep_ in ("advcl", "ccomp", "xcomp") and any(
                    c.dep_ == "mark" and c.lower_ == "for" for c in clause.children):
                out += [c for c in clause.children if c.dep_ in _SUBJ]
        return out

    def purpose_objects(self, noun, wanted: str | None) -> list[str]:
        """'an operation to take back Saraqeb': what the purpose clause of an attack noun would capture."""
        found: list[str] = []
        for clause in noun.children:
            if clause.dep_ not in ("acl", "relcl") or not self._infinitive(clause):
                continue
            frames = self.t.verbs.get(clause.lemma_.lower(), ())
            if any(f.rel in ("captured", "attacked", "besieged") for f in frames):
                found += self.nps(self.object_tokens(clause), want=wanted)
        return [e for e in _unique(found) if self.linked.is_place(e)]

    def where(self, trigger, *, is_noun: bool) -> list[str]:
        """Places an event happens in: 'strikes around the areas of Zap and Hakurk',
        'operations against the PKK had begun across the border in Qandil and Sinjar'.

        Reads the locative phrases of the trigger and, for a noun, of the
        verb it is the subject or object of, through place nouns ("the
        border in Qandil", "the outskirts of Raqqa").
        """
        heads = [trigger]
        if is_noun and trigger.dep_ in ("nsubj", "dobj", "nsubjpass") and trigger.head.pos_ in ("VERB", "AUX"):
            heads.append(trigger.head)
        found: list[str] = []
        for head in heads:
            for prep in head.children:
                if prep.dep_ == "prep" and prep.lower_ in self.where_preps:
                    for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                        found += self._places_under(pobj, 0)
        linked = self.linked
        places = []
        for entity in _unique(found):
            info = linked.info(entity)
            if not linked.is_place(entity) or "State" in linked.types(entity):
                continue  # "strikes in Syria" locate, they do not target a country
            if info is not None and info.capital_of:
                continue  # "a strike in Baghdad on two figures": the seat of government locates the event
            places.append(entity)
        # "in Qandil and Sinjar in Iraqi Kurdistan": the region only locates the places attacked
        regions = {e for e in places if (linked.info(e) is not None and linked.info(e).kind in ("region", "province"))}
        if len(regions) < len(places):
            places = [e for e in places if e not in regions]
        return places

    def _places_under(self, tok, depth: int) -> list[str]:
        if depth > 3:
            return []
        places = [e for e in self.nps([tok]) if self.linked.is_place(e)]
        if places:
            return places
        if tok.lemma_.lower() in self.place_containers or tok.lemma_.lower() in self.relational_places:
            out: list[str] = []
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in self.where_preps | {"of"}:
                    for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                        out += self._places_under(pobj, depth + 1)
            return out
        return []

    def under_control(self, noun) -> list[str]:
        """'pockets of the province under rebel control': what is under the control."""
        prep = noun.head
        if noun.dep_ != "pobj" or prep.lower_ != "under":
            return []
        holder = prep.head
        if holder.pos_ in ("VERB", "AUX"):  # "Eastern Ghouta has been under siege", "came under attack"
            return self.nps(self.subject_tokens(holder))
        return [e for e in self.np(holder) if self.linked.is_place(e)]

    def own_name(self, tok) -> str | None:
        """Entity named by a token's own phrase, ignoring any larger mention."""
        doc = tok.doc
        return self.linked.gazetteer.lookup(doc[tok.left_edge.i:tok.i + 1].text)

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
            if tok.dep_ not in ("prep", "agent") or tok.lower_ != name:
                continue
            if tok.i == noun.right_edge.i + 1:
                # "against the offensive by government forces", the by-phrase hung from the verb
                out += [p for p in tok.children if p.dep_ == "pobj"]
                continue
            if tok.dep_ == "prep" and tok.head.pos_ not in ("NOUN", "PROPN"):
                continue
            cur, ok = tok.head, False
            for _ in range(8):
                if cur == clause_root or cur == noun:
                    ok = True
                    break
                if cur.pos_ in ("VERB", "AUX") or cur.head == cur:
                    break
                cur = cur.head
            if ok:
                out += [p for p in tok.children if p.dep_ == "pobj"]
        return out

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
            if subj.pos_ == "PRON":
                sents = list(self.linked.doc.sents)
                index = next(i for i, s in enumerate(sents) if s.start <= subj.i < s.end)
                if index == 0:
                    return []
                candidates = [t for t in sents[index - 1] if t.tag_ in ("NNS", "NNPS")
                              and t.lower_ in self.place_containers][-1:]
            for head in candidates:
                for prep in head.children:
                    if prep.dep_ == "prep" and prep.lower_ in _LOCATIVE_PREPS:
                        places = self.nps([p for p in prep.children if p.dep_ == "pobj"])
                        return [p for p in places if self.linked.is_place(p)]
        return []

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
        for _ in range(6):
            if cur != trigger and cur.lemma_.lower() in self.irrealis:
                return "negated"  # "urged the PKK to withdraw": a request, not a claim
            if any(c.dep_ == "neg" for c in cur.children) or any(
                    c.dep_ == "det" and c.lower_ == "no" for c in cur.children):
                lemma = cur.lemma_.lower()
                if lemma in self.unconfirmed:
                    return "unconfirmed"
                if lemma in self.denial:
                    return "asserted"  # "did not deny" leaves the claim standing
                return "negated"
            if cur != trigger and cur.lemma_.lower() in self.denial:
                return "denied"
            if cur.dep_ in ("acl", "relcl") and cur.head.lemma_.lower() in self.report_nouns:
                # "rejected reports that it had negotiated": up to the verb of 'reports'
                cur = cur.head
                if cur.dep_ in _OBJ and cur.head.lemma_.lower() in self.denial:
                    return "denied"
                break
            if cur.dep_ in ("pcomp", "pobj") and cur.head.dep_ == "prep" and cur.head.lower_ in ("of", "for") \
                    and cur.head.head.lemma_.lower() in self.accusation_verbs:
                return "unconfirmed"  # "accused Turkey of shelling Kobani": alleged, not asserted
            if cur.dep_ == "pcomp" and cur.head.dep_ == "prep" and cur.head.head.pos_ in ("VERB", "AUX"):
                cur = cur.head.head  # "does not admit to negotiating": up to the verb of the phrase
                continue
            if cur.dep_ not in ("xcomp", "ccomp", "pcomp") or cur.head == cur:
                break
            cur = cur.head
        return "asserted"

    def _force_phrase(self, tok) -> bool:
        """Does a noun phrase name forces ('thousands of troops', 'military police', 'U.S. troops')?"""
        for cur in (tok, *[p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                           for p in c.children if p.dep_ == "pobj"]):
            if cur.lemma_.lower() in self.force_nouns or cur.lower_ in self.force_nouns:
                return True
        return False

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
            if kind == "prep" and self.prep_objects(trigger, value):
                return True
            if kind in ("prep", "prt") and any(c.dep_ in ("prt", "prep", "advmod") and c.lower_ == value
                                               for c in trigger.children):
                return True
            if kind == "amod" and any(c.lower_ == value and c.dep_ == "amod" for o in [trigger, *trigger.children]
                                      if o == trigger or o.dep_ in _OBJ for c in o.children):
                return True  # the trigger's own adjective ("an affiliated force") or its object's
            if kind == "obj" and any(c.dep_ in _OBJ and (c.lower_ == value or c.lemma_.lower() == value or any(
                    p.lower_ == value for q in c.children if q.dep_ == "prep" and q.lower_ == "of"
                    for p in q.children if p.dep_ == "pobj")) for c in trigger.children):
                return True  # "handed over letters", "a list of demands"
            if kind == "obj_force" and any(self._force_phrase(o) for o in self.object_tokens(trigger)):
                return True
            if kind == "obj_place_noun" and any(o.lemma_.lower() in self.place_containers or
                                                o.lower_ in self.place_containers for o in self.object_tokens(trigger)):
                return True  # "captured Islamic State's last enclave": a place, not a captive
            if kind == "complement" and any(
                    c.dep_ in ("oprd", "xcomp", "acomp", "ccomp", "advcl", "amod") and c.lower_ == value
                    for c in [*trigger.children, *(g for o in trigger.children if o.dep_ in _OBJ for g in o.children)]):
                return True  # "held Turkey responsible" (the parser may hang it from the object)
        return False


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _between(reader: Reader, trigger) -> list[tuple[list[str], list[str]]]:
    """Parties of 'a deal between X (on one side) and Y and Z (on the other)'."""
    doc = trigger.doc
    between = [c for c in trigger.children if c.dep_ == "prep" and c.lower_ == "between"]
    if not between:
        return []
    start = between[0].i + 1
    sent_end = reader.linked.sentence_bounds(trigger.i)[1]
    groups: list[list[str]] = [[]]
    i = start
    while i < sent_end:
        tok = doc[i]
        if tok.text in (";", ":") or (tok.pos_ == "VERB" and tok.dep_ not in ("amod", "compound")):
            break

        if tok.lower_ == "side" and i + 1 < sent_end and groups[-1]:
            groups.append([])
        entity = reader.linked.entity_at(tok)
        if entity is None and tok.pos_ in ("NOUN", "PRON"):
            entity = reader.linked.resolve(tok)
        if entity and _located_by(tok):
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


def _located_by(tok) -> bool:
    """Is this token (part of) the object of a locative preposition?"""
    cur = tok
    while cur.dep_ in ("compound", "amod", "nmod", "conj", "flat") and cur.head != cur:
        cur = cur.head
    return cur.dep_ == "pobj" and cur.head.lower_ in _PHRASE_ENDS

