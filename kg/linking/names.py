"""Names: dictionary aliases, typing slips, acronyms and "also known as", spaCy's NER.

Each pass adds mentions to a :class:`~kg.linking.doc.LinkedDoc`; a token
belongs to at most one mention (``taken``).
"""
from __future__ import annotations

import re

from kg.gazetteer import Gazetteer
from kg.linking.doc import (
    LinkedDoc,
    _add,
    _first_words,
    _last_words,
    _per_mappings,
    _table,
    _windows,
    lexicon_words,
)
from kg.parse_labels import (
    ADJECTIVE,
    ADJ_MODIFIER,
    ADVERB_MODIFIER,
    APPOSITION,
    CASE_MARKER,
    COMPOUND,
    CONJUNCT,
    DETERMINER,
    DIRECT_OBJECT,
    NOUN,
    NOUN_MODIFIER,
    PARTICLE,
    PREPOSITION,
    PREP_OBJECT,
    PROPER_NOUN,
    SUBJECT,
    UD_OBJECT,
)
from kg.records import Entity, Mention
from kg.vocab import slug


_NER_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Place"}


def _match_aliases(linked: LinkedDoc, taken: set[int]) -> None:
    gaz = linked.gazetteer
    skip_until = -1
    keys = (gaz.aliases, gaz.acronyms)
    cardinals = frozenset(linked.lexicon["cardinal_modifiers"])
    doc = linked.doc
    for start, end, text in _windows(linked, taken, _first_words(*keys), _last_words(*keys)):
        if start < skip_until:
            continue
        entity_id = gaz.lookup(text)
        if entity_id is None:
            continue
        info = gaz.entities[entity_id]
        if start > 0 and doc[start - 1].lower_ in cardinals and (start - 1) not in taken and "Place" in info.types \
                and not doc[start].is_sent_start:
            start -= 1  # "northern Iraq": the place, named with the part of it meant
        _add(linked, info.entity, start, end, taken)
        skip_until = end


def _match_defined_acronyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'Syrian Democratic Forces (SDF)': the acronym names the same entity here."""
    table = _table(linked)
    n = len(table.starts)
    defined: dict[str, str] = {}
    also: dict[str, str] = {}
    for mention in list(linked.mentions):
        end = linked._mention_tokens(mention)[1] + 1  # mentions are whole tokens
        if end + 2 >= n:
            continue
        opening, acronym, closing = table.token_text(end), table.token_text(end + 1), table.token_text(end + 2)
        if opening == "(" and closing == ")" and acronym.isupper() and 2 <= len(acronym) <= 8:
            defined.setdefault(acronym, mention.entity)
        name = _also_known_as(linked, end)
        if name:
            also.setdefault(name, mention.entity)
    if not defined and not also:
        return
    for i in range(n):
        entity_id = defined.get(table.token_text(i))
        if entity_id and i not in taken:
            _add(linked, linked.entities[entity_id], i, i + 1, taken)
        elif entity_id and (minted := linked.token_entity.get(i)) not in (None, entity_id) \
                and minted not in linked.gazetteer.entities:
            _relink(linked, minted, entity_id)  # NER made a node of the acronym: it is the name defined
    for name, entity_id in also.items():
        words = name.split(" ")
        for i in range(n - len(words) + 1):
            if not all(table.token_text(i + k) == w for k, w in enumerate(words)):
                continue
            span = range(i, i + len(words))
            held = {linked.token_entity.get(k) for k in span}
            if held == {None}:
                _add(linked, linked.entities[entity_id], i, i + len(words), taken)
            elif len(held) == 1 and None not in held and (minted := held.pop()) not in linked.gazetteer.entities \
                    and minted != entity_id:
                _relink(linked, minted, entity_id)  # NER made a node of the second name: it is the first


def _relink(linked: LinkedDoc, old: str, new: str) -> None:
    """Every mention of entity ``old`` becomes one of ``new`` (a name defined as another's)."""
    linked.mentions[:] = [Mention(new, m.span, m.text, m.sentence) if m.entity == old else m for m in linked.mentions]
    for i, entity_id in list(linked.token_entity.items()):
        if entity_id == old:
            linked.token_entity[i] = new
    linked.surface.setdefault(new, set()).update(linked.surface.pop(old, ()))
    linked.entities.pop(old, None)


def _also_known_as(linked: LinkedDoc, end: int) -> str | None:
    """'The PMF, also known as Hashed': the capitalised name after the phrase, if not yet linked.

    Reads the tokens right after a mention ending before token ``end``:
    an optional comma or bracket, "also known as" / "known as" / "also
    called", then a run of capitalised words.
    """
    doc = linked.doc
    i = end
    if i < len(doc) and doc[i].text in (",", "("):
        i += 1
    if i >= len(doc) or doc[i].lower_ not in ("also", "known"):
        return None  # the phrases below start with one of these words
    for phrase in linked.lexicon["alias_phrases"]:
        words = phrase.split()
        if [t.lower_ for t in doc[i:i + len(words)]] == words:
            i += len(words)
            break
    else:
        return None
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    first = i
    while i < len(doc) and doc[i].text[:1].isupper() and doc[i].pos_ in (PROPER_NOUN, NOUN, ADJECTIVE) \
            and linked.token_entity.get(i) not in linked.gazetteer.entities:
        i += 1  # unlinked, or a node NER made
    if i == first or i - first > 5:
        return None
    return " ".join(t.text for t in doc[first:i])


def _match_ner(linked: LinkedDoc, taken: set[int]) -> None:
    """Named entities the dictionaries lack still become typed nodes.

    spaCy's small model often takes a title in ("the UN Spokesperson
    Stéphane Dujarric") or mistypes a place ("in Qandil" as an
    organisation, "the Dawr area" as a person): the name is cut out of the
    entity span and typed by what surrounds it (:func:`_ner_kind`). Words
    that are not names at all ("Kurd", "Supreme", a lower-case "militia")
    never become entities.
    """
    gaz = linked.gazetteer
    surnames = _surnames(linked)
    role_words = _role_words(linked.lexicon)
    honorifics = frozenset(linked.lexicon["roles"]["honorifics"])
    not_names = frozenset(linked.lexicon["not_names"])
    doc = linked.doc
    for ent in doc.ents:
        kind = _NER_TYPES.get(ent.label_)
        if kind is None:
            continue
        start, end = ent.start, ent.end
        # "Liwa Ahrar al-Jazira": take in capitalised name words NER left out
        while start > 0 and doc[start - 1].pos_ == PROPER_NOUN and doc[start - 1].dep_ == COMPOUND \
                and doc[start - 1].head.i in range(start, end) and (start - 1) not in taken \
                and doc[start - 1].lower_ not in role_words:
            start -= 1
        # "the UN Spokesperson Stéphane Dujarric": a title after a name the dictionaries
        # know; the person's name is what follows the title.
        last_taken = max((i for i in range(start, end) if i in taken), default=None)
        if last_taken is not None and last_taken + 1 < end and doc[last_taken + 1].lower_ in role_words:
            start = last_taken + 1
        while start < end and (doc[start].lower_ in lexicon_words(linked, "definite_determiners") or doc[start].is_punct or doc[start].is_space):
            start += 1
        # "Bahraini King Hamad": the demonym before a title or name is the person's state, not his name
        while end - start > 1 and doc[start].lower_ in gaz.demonyms and doc[start + 1].pos_ == PROPER_NOUN:
            start += 1
        titled = False
        while end - start > 1 and doc[start].lower_ in role_words and doc[start + 1].pos_ == PROPER_NOUN:
            start, titled = start + 1, True  # "Spokesperson Stéphane Dujarric": a person
        while (titled or kind == "Person") and end - start > 1 and doc[start].lower_ in honorifics \
                and doc[start + 1].pos_ == PROPER_NOUN:
            start += 1  # "Grand Ayatollah Mohammed al-Yaqoubi", "Sheikh Ahmed": the name follows
        # "the Kataib Nour al-Huda militia", "Russian de-escalation": trailing common words
        # and punctuation are not part of the name
        while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].dep_ == CASE_MARKER
                               or end - start > 1 and doc[end - 1].is_lower and doc[end - 1].pos_ != PROPER_NOUN):
            end -= 1
        if start >= end or any(i in taken for i in range(start, end)):
            continue
        text = " ".join(doc[start:end].text.split())
        if not _name_like(text) or text.lower() in gaz.demonyms \
                or all(t.lower_ in not_names or t.lower_ in role_words for t in doc[start:end]):
            continue
        entity_id = gaz.lookup(text)
        if entity_id is not None:
            entity = gaz.entities[entity_id].entity
        elif len(text.split()) == 1 and text.lower() in surnames and kind in ("Person", "Organization", "Place"):
            entity = linked.entities[surnames[text.lower()]]  # "Kalin" after "Ibrahim Kalin"
        else:
            kind = "Person" if titled else _ner_kind(linked, start, end, kind, text)
            entity = _new_entity(gaz, text, kind, country=linked.country)
            if kind == "Person":
                surnames.setdefault(text.split()[-1].lower(), entity.id)
        _add(linked, entity, start, end, taken)


@_per_mappings
def _misspelling_index(aliases) -> dict[str, str | None]:
    """One-edit variants of the single-word aliases of five letters or more -> entity id.

    The variants are the alias with one letter dropped or two neighbours
    swapped ("Deash" for "Daesh"); a variant two entities share maps to None.
    """
    index: dict[str, str | None] = {}
    for alias, entity_id in aliases.items():
        if " " in alias or len(alias) < 5 or not alias.isalpha():
            continue
        for variant in _one_edit(alias):
            if index.get(variant, entity_id) != entity_id:
                index[variant] = None
            else:
                index[variant] = entity_id
    return index


def _one_edit(word: str) -> set[str]:
    """The word with one letter dropped or two neighbouring letters swapped."""
    drops = {word[:i] + word[i + 1:] for i in range(len(word))}
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return drops | swaps


def _match_misspellings(linked: LinkedDoc, taken: set[int]) -> None:
    """'Deash' for 'Daesh': a capitalised word one typing slip from a known name is that name.

    A slip is one letter dropped, one doubled or added, or two neighbours
    swapped. Only proper nouns of five letters or more that no dictionary
    took, with the first letter of the name, and only when the slip leads
    to one entity.
    """
    gaz = linked.gazetteer
    index = _misspelling_index(gaz.aliases)
    for token in linked.doc:
        text = token.text
        if token.i in taken or len(text) < 5 or not text[:1].isupper() or not text.isalpha() \
                or token.pos_ != PROPER_NOUN or _inside_name(linked.doc, token.i):
            continue
        lower = token.lower_
        candidates = {index.get(lower)}  # a letter dropped or two swapped
        candidates |= {gaz.aliases.get(shorter) for shorter in _one_edit(lower) if len(shorter) >= 5}  # one added
        candidates.discard(None)
        candidates = {c for c in candidates if any(a[:1] == lower[:1] for a, e in gaz.aliases.items() if e == c)}
        if len(candidates) == 1:
            _add(linked, gaz.entities[candidates.pop()].entity, token.i, token.i + 1, taken)


def _settlement(linked: LinkedDoc, entity_id: str | None) -> bool:
    """Is the entity a town-like place (a dictionary settlement, or a place NER found)?"""
    if entity_id is None:
        return False
    info = linked.gazetteer.entities.get(entity_id)
    if info is None:
        entity = linked.entities.get(entity_id)
        return entity is not None and entity.types == ("Place",)
    return "State" not in info.types and info.kind in lexicon_words(linked, "settlement_kinds")


def _inside_name(doc, i: int) -> bool:
    """Is token ``i`` one word of a longer name ('Abu Omar al-Tunisi', 'Tunisi Brigade')?"""
    for j in (i - 1, i + 1):
        if 0 <= j < len(doc) and (doc[j].text == "-" or doc[j].pos_ == PROPER_NOUN and doc[j].text[:1].isupper()):
            return True
    return False


#: Road and base codes the tagger may take for common nouns ("the M5", "the T4 airbase").
_CODE_NAME = re.compile(r"^[A-Z]{1,3}-?[0-9]{1,3}$")


def _match_named_places(linked: LinkedDoc, taken: set[int]) -> None:
    """Capitalised names NER missed that their noun makes places.

    "the K-1 military base", "the Snuny subdistrict", "the areas of Zap and
    Hakurk": a run of proper nouns modifying a place noun, or named by a
    place container, is a place.
    """
    doc = linked.doc
    lex = linked.lexicon
    place_heads = frozenset(lex["place_head_nouns"])
    containers = frozenset(lex["place_container_nouns"])
    not_names = frozenset(lex["not_names"]) | _role_words(lex)
    gaz = linked.gazetteer
    i = 0
    while i < len(doc):
        tok = doc[i]
        if i in taken or not (tok.pos_ == PROPER_NOUN or _CODE_NAME.match(tok.text)) or not tok.text[:1].isupper() \
                or tok.lower_ in not_names \
                or tok.ent_type_ in ("TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY") \
                or tok.lower_ in lexicon_words(linked, "calendar_words") or tok.like_num:
            i += 1
            continue
        end = i
        while end < len(doc) and end not in taken and (doc[end].pos_ == PROPER_NOUN or _CODE_NAME.match(doc[end].text)) \
                and doc[end].text[:1].isupper() and doc[end].lower_ not in not_names:
            end += 1
        last = doc[end - 1]
        member = last
        while member.dep_ == CONJUNCT and member.head != member:
            member = member.head
        head = last.head
        sibling = linked.entity_at(member) if member.i < i else None
        if sibling is None:
            sibling = next((linked.entity_at(c) for c in last.conjuncts if linked.entity_at(c)), None)
        is_place = (_settlement(linked, sibling) and member.dep_ in (PREP_OBJECT, DIRECT_OBJECT, CONJUNCT, SUBJECT)) \
            or (last.dep_ in (COMPOUND, NOUN_MODIFIER) and head.i >= end and head.lower_ in place_heads
                    and all(t.i in range(i, end) or t.dep_ in (ADJ_MODIFIER, COMPOUND,
                                                               DETERMINER) for t in doc[end:head.i])) \
            or (member.dep_ == PREP_OBJECT and member.head.lower_ == "of" and member.head.head.lower_ in containers
                and member.head.head.pos_ == NOUN) \
            or (member.dep_ == PREP_OBJECT and member.head.lower_ == "of" and member.head.head.lemma_.lower()
                in lex["place_event_nouns"]) \
            or any(c.dep_ == APPOSITION and c.lower_ in place_heads for c in last.children) \
            or (member.dep_ == PREP_OBJECT and member.head.lower_ == "as" and member.head.head.lemma_ in ("know", "call")
                and member.head.head.head.lower_ in place_heads)  # "the highway known as the M5"
        text = " ".join(doc[i:end].text.split())
        taken_object = member.head if member.dep_ == APPOSITION and member.head.pos_ == NOUN else member
        if not is_place and taken_object.dep_ in (DIRECT_OBJECT, UD_OBJECT) and member.i == end - 1 \
                and taken_object.head.lemma_.lower() in lex["taking_verbs"] and not tok.ent_type_ \
                and gaz.geonames_place(text, linked.country) is not None:
            is_place = True  # "the Houthis seized (the capital) Sanaa": a town GeoNames knows, taken by a side
        if is_place and _name_like(text) and text.lower() not in gaz.demonyms:
            entity_id = gaz.lookup(text)
            entity = gaz.entities[entity_id].entity if entity_id else _new_entity(gaz, text, "Place",
                                                                                   country=linked.country)
            _add(linked, entity, i, end, taken)
        i = end


def _name_like(text: str) -> bool:
    """Has a capital letter and is not a number ('militia' and '2014' are no names)."""
    return any(c.isupper() for c in text) and not text.replace(",", "").replace(".", "").isdigit()


def _surnames(linked: LinkedDoc) -> dict[str, str]:
    """Last words of the names of persons mentioned so far, for 'Kalin' after 'Ibrahim Kalin'."""
    surnames: dict[str, str] = {}
    for info_id, names in linked.surface.items():
        entity = linked.entities.get(info_id)
        if entity is not None and "Person" in entity.types:
            for name in names:
                surnames.setdefault(name.split()[-1].lower(), info_id)
    return surnames


def _new_entity(gaz: Gazetteer, text: str, kind: str, *, country: str | None = None) -> Entity:
    """A node for a name the dictionaries lack, its id the name's slug.

    A place GeoNames knows gets its coordinates and id, and the slug of
    GeoNames' name, so that spellings of one place meet in one node; a
    country GeoNames knows is a State as well as a Place.
    """
    types: tuple[str, ...] = (kind,)
    lat = long = geonames_id = None
    key = text
    if kind == "Place":
        place = gaz.geonames_place(text, country)
        if place is not None:
            geonames_id, lat, long = place.geonames_id, place.lat, place.long
            key = place.name
            if place.kind == "country":
                types = ("State", "Place")
    entity_id = slug(key)
    if entity_id in gaz.entities:  # a slug clash with a dictionary id
        entity_id = f"ner_{entity_id}"
    return Entity(id=entity_id, label=text, types=types, lat=lat, long=long, geonames=geonames_id)


def _ner_kind(linked: LinkedDoc, start: int, end: int, kind: str, text: str) -> str:
    """The type of a name the dictionaries lack, from NER's guess and the words around it.

    A name followed by a place noun ("the Dawr area", "Baba Gurgur oil
    field"), named by a place container ("the areas of Zap and Hakurk") or
    the object of a locative preposition ("in Qandil") is a place whatever
    NER said; an organisation whose name holds a word for armed forces is
    an armed group.
    """
    lex = linked.lexicon
    doc = linked.doc
    root = doc[start:end].root
    place_heads = frozenset(lex["place_head_nouns"])
    if end < len(doc) and (doc[end].lower_ in place_heads or (
            doc[end].dep_ in (COMPOUND,
                              ADJ_MODIFIER) and doc[end].head.lower_ in place_heads and doc[end].head.i > end)):
        return "Place"
    if root.dep_ in (COMPOUND, NOUN_MODIFIER) and root.head.i >= end and root.head.lower_ in place_heads:
        return "Place"
    member = root
    while member.dep_ == CONJUNCT and member.head != member:
        member = member.head
    if member.dep_ == PREP_OBJECT and member.head.lower_ == "of" and \
            member.head.head.lower_ in lex["place_container_nouns"]:
        return "Place"  # "the village of Khirbet Nasser"
    if member.dep_ == PREP_OBJECT and member.head.lower_ == "of" and member.head.head.lower_ == "out" \
            and member.head.head.dep_ in (PREPOSITION, PARTICLE, ADVERB_MODIFIER):
        return "Place"  # "forced out of Kafr Nabudah"
    if member.dep_ in (DIRECT_OBJECT, UD_OBJECT) and member.head.lemma_.lower() in lex["taking_verbs"] and any(
            c.dep_ == PREPOSITION and c.lower_ == "from" for c in member.head.children):
        return "Place"  # "captured Al-Eis from the rebels": what is taken from a side is ground
    single = end - start == 1
    if member.dep_ == PREP_OBJECT and member.head.lower_ in lex["place_prepositions"] and (kind != "Person" or single):
        return "Place"
    if member is not root or root.conjuncts:  # "Latamneh and Kafr Zita": a town's conjunct
        for other in [member, *member.conjuncts]:
            if _settlement(linked, linked.entity_at(other)):
                return "Place"
    if kind == "Organization" and any(w in text.lower().split() for w in linked.lexicon["armed_name_words"]):
        return "ArmedGroup"
    for child in root.children:  # "Saraya Ansar al-Haqq, a little-known Shiite militia"
        if child.dep_ == APPOSITION and child.pos_ == NOUN:
            lemma = child.lemma_.lower()
            if lemma in lex["armed_group_nouns"]:
                return "ArmedGroup"
            if lemma in lex["organisation_nouns"]:
                return "Organization"
    return kind


def _role_words(lexicon: dict) -> frozenset[str]:
    roles = lexicon["roles"]
    words = [w for key in ("leader", "member", "titles_leader", "titles_member") for w in roles[key]]
    return frozenset(part for w in words for part in w.split())
