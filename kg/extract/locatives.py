"""Places inside places: located_in from locative phrases, possessives and appositions.

'Markada, in the southern countryside of Hasaka', 'Harasta, Arbin and
Zamalka in Eastern Ghouta', 'Sheikh Maqsoud, a district of Aleppo',
'Damascus is the capital of Syria', "Iraq's Anbar province", "Nineveh's
Sinjar district", 'Tikrit, Iraq', 'the M4, a highway in Idlib'. A place is
only put inside a larger one: the kinds of places.json rank them (a town
lies in a province, never a province in a town).
"""
from __future__ import annotations

from kg.extract.reader import Reader
from kg.extract.syntax import unique
from kg.linking import LinkedDoc
from kg.parse_labels import (
    ADJ_MODIFIER,
    AUX_VERB,
    COMPOUND,
    CONJUNCT,
    DETERMINER,
    DIRECT_OBJECT,
    NOUN,
    NOUN_MODIFIER,
    NUMERAL,
    PASSIVE_SUBJECT,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PROPER_NOUN,
    SINGULAR_NOUN,
    UD_OBJECT,
    VERB,
)

#: How large a kind of place is; a place lies only in a larger one.
_RANK = {"country": 6, "region": 5, "province": 4, "governorate": 4, "district": 3.5, "city": 3, "town": 2,
         "village": 1, "neighbourhood": 0.5, "camp": 1, "airbase": 1, "oilfield": 1, "dam": 1, "crossing": 1,
         "site": 0.25}
#: The last word of a mention that says which kind it names ("Hama province").
_NAMED_KIND = {"province": "province", "governorate": "province", "countryside": "province",
               "region": "region", "district": "district", "subdistrict": "town", "city": "city", "town": "town"}


def _locatives(reader: Reader, sent):
    """Yield located_in claims of one sentence."""
    linked = reader.linked
    seen: set[tuple[str, str]] = set()
    for claim in _phrases(reader, sent):
        if (claim[0], claim[2]) not in seen and _fits_inside(linked, claim[0], claim[2]):
            seen.add((claim[0], claim[2]))
            yield claim


def _phrases(reader: Reader, sent):
    linked = reader.linked
    for tok in reader.scan.tokens(reader.scan.locatives, sent.start, sent.end):
        if tok.head.lower_ == "capital" and (tok.dep_ == POSSESSOR or tok.lower_ == "of"):
            seat = reader.seat_named(tok.head)  # "the capital of Anbar province": Ramadi lies in Anbar
            if seat:
                yield seat, "located_in", linked.gazetteer.entities[seat].seat_of, "locative:seat", "asserted", None
                continue
        if tok.dep_ == POSSESSOR:
            outer = linked.entity_at(tok)
            inner = linked.entity_at(tok.head)
            if inner is None or inner == outer:  # "northern Hama's Mhardeh town"
                inner = next((linked.entity_at(c) for c in tok.head.children
                              if c.dep_ in (COMPOUND, NOUN_MODIFIER) and c.i > tok.i and linked.entity_at(c)), None)
            if outer and inner and inner != outer and linked.is_place(outer) and linked.is_place(inner):
                yield inner, "located_in", outer, "locative:possessive", "asserted", None
            continue
        if tok.dep_ != PREPOSITION or tok.lower_ not in reader.locative_or_of:
            continue
        head = tok.head
        places_in = [p for p in reader.nps([c for c in tok.children if c.dep_ == PREP_OBJECT]) if linked.is_place(p)]
        if head.pos_ not in (NOUN, PROPER_NOUN):
            if tok.lower_ in reader.locative_preps:
                # "heading towards Erbil and Sulaimani in the Kurdistan Region": the phrase
                # the parser hung from the verb follows the places it locates.
                for member in _just_before(linked, tok):
                    for outer in places_in:
                        yield member, "located_in", outer, "locative:adjacent", reader.modality(tok.head), None
            continue
        entity = linked.entity_at(head)
        if tok.lower_ == "of":
            # only "a district of Aleppo" said of a place, never "the town of Saraqib"
            if entity is not None or head.lower_ not in reader.place_containers:
                continue
            indefinite = head.tag_ == SINGULAR_NOUN and any(c.dep_ == DETERMINER and c.lower_ in ("a", "an")
                                                            for c in head.children)
            if not (indefinite or head.lemma_.lower() in reader.place_part_nouns):
                continue  # "the neighbourhoods of Tadamun and Hajar al-Aswad" names them
            members = reader.described(head)
        elif entity is not None:
            members = [entity] + [linked.entity_at(c) for c in head.conjuncts if linked.entity_at(c)]
        elif head.lower_ in reader.place_containers:
            if head.lemma_.lower() == "part":
                # "Hasawik, part of the Snuny subdistrict in Nineveh's Sinjar district": the
                # phrase the parser hung from "part" locates what "part" is of.
                wholes = reader.nps(reader.prep_objects(head, "of"))
                for whole in wholes:
                    for outer in places_in:
                        yield whole, "located_in", outer, "locative:part", reader.modality(head), None
            resolved = None
            if any(c.dep_ == DETERMINER and c.lower_ == "the" for c in head.children) and not any(
                    linked.entity_at(c) for c in head.children):
                resolved = linked.resolve(head, types=("Place",))  # "The district, in Nineveh province,"
            members = [resolved] if resolved and linked.is_place(resolved) and "State" not in linked.types(resolved) \
                else reader.described(head) or reader.np(head)
        else:
            continue
        modality = reader.modality(head)
        for member in unique(members):
            for outer in places_in:
                if member not in places_in:
                    yield member, "located_in", outer, "locative", modality, None
    yield from _comma_country(reader, sent)


def _just_before(linked: LinkedDoc, prep) -> list[str]:
    """Places of the mention (and its conjuncts) right before a preposition token."""
    if prep.i == 0:
        return []
    tok = prep.nbor(-1)
    if tok.text == "," and tok.i > 0:
        tok = tok.nbor(-1)  # "left the district, in the city of Daraa"
    entity = linked.entity_at(tok)
    if entity is None and tok.pos_ == NOUN and any(c.dep_ == DETERMINER and c.lower_ == "the" for c in tok.children):
        entity = linked.resolve(tok, types=("Place",))  # "the district": the one named before
        return [entity] if entity and linked.is_place(entity) and "State" not in linked.types(entity) else []
    if entity is None and tok.dep_ == CONJUNCT:  # "toward Azaz and Mare in ...", Mare unknown
        entity = linked.entity_at(tok.head)
        tok = tok.head
    if entity is None or not linked.is_place(entity):
        return []
    while tok.i > 0 and linked.entity_at(tok.nbor(-1)) == entity:
        tok = tok.nbor(-1)
    root = tok
    while linked.entity_at(root.head) == entity and root.head != root:
        root = root.head
    first = root
    while first.dep_ == CONJUNCT and first.head != first:
        first = first.head
    members = [linked.entity_at(m) for m in [first, *first.conjuncts]]
    return unique([m for m in members if m and linked.is_place(m)]) or [entity]


def _comma_country(reader: Reader, sent):
    """'Tikrit, Iraq,': a place, a comma and the country it lies in."""
    linked = reader.linked
    doc = sent.doc
    mentions = [m for m in linked.mentions if sent.start_char <= m.span.start < sent.end_char]
    for left, right in zip(mentions, mentions[1:]):
        if not (linked.is_place(left.entity) and "State" in linked.types(right.entity)):
            continue
        if linked.text[left.span.end:right.span.start].strip() != ",":
            continue
        after = linked._mention_tokens(right)[1] + 1
        following = doc[after].text if after < len(doc) else ""
        if doc[after - 1].dep_ in (POSSESSOR, COMPOUND, ADJ_MODIFIER,
                                   NOUN_MODIFIER) or following in ("'s", "\u2019s", "'", "-"):
            continue  # "the Golan Heights, Syria's official news agency said": Syria starts a new phrase
        if following in ("and", "or", "&") or (following == "," and after + 2 < len(doc)
                                                and doc[after + 2].lower_ in ("and", "or")):
            continue  # "Baghdad, Iran and Syria": a list
        info = linked.info(left.entity)
        if info is not None and info.country not in (None, right.entity):
            continue
        if info is not None and info.capital_of and right.entity in (
                info.capital_of, linked.gazetteer.entities[info.capital_of].context):
            continue  # "Tehran, Iran, September 18": a capital with its country dates a photo, says nothing
        yield left.entity, "located_in", right.entity, "locative:comma", "asserted", None


def _rank(linked: LinkedDoc, entity: str) -> float | None:
    info = linked.info(entity)
    if info is None:
        return None
    named = {_NAMED_KIND.get(name.lower().rsplit(" ", 1)[-1]) for name in linked.surface.get(entity, ())}
    ranks = [_RANK[k] for k in named if k in _RANK]
    if info.kind == "city" and ranks:  # a governorate and its capital are one entity: "Idlib province"
        return max(ranks + [_RANK["city"]])
    return _RANK.get(info.kind or "")


def _fits_inside(linked: LinkedDoc, inner: str, outer: str) -> bool:
    """Can place ``inner`` lie inside ``outer``? Countries lie in nothing; known kinds must nest."""
    if inner == outer or not (linked.is_place(inner) and linked.is_place(outer)) or _is_country(linked, inner):
        return False
    inner_rank, outer_rank = _rank(linked, inner), _rank(linked, outer)
    if inner_rank is not None and outer_rank is not None and inner_rank >= outer_rank:
        return False
    if outer_rank is None and inner_rank is not None and inner_rank >= _RANK["city"]:
        return False  # a city or province inside a name the dictionaries lack: unlikely
    info, outer_info = linked.info(inner), linked.info(outer)
    if info is not None and info.country and outer_info is not None:
        outer_country = outer if _is_country(linked, outer) else outer_info.country
        if outer_country and outer_country != info.country:
            return False
    return True


def _is_country(linked: LinkedDoc, entity: str) -> bool:
    types = linked.types(entity)
    return "State" in types


def _asset_presence(reader: Reader, sent):
    """'Iranian military targets inside of Syria', 'three locations of the militia group in Iraq':
    an actor's forces or sites in a place put the actor there (active_in).

    The place comes from a locative phrase on the noun, or on the verb the
    noun is the object of. Countries and capitals of the actor itself are
    not said (a state's forces in its own country tell nothing).
    """
    linked = reader.linked
    doc = sent.doc
    for tok in doc[sent.start:sent.end]:
        if tok.pos_ != NOUN or (tok.lemma_.lower() not in reader.asset_nouns and tok.lower_ not in reader.asset_nouns):
            continue
        # "the jihadist force in southern Damascus": a description read back to an earlier name
        # tells where that name's forces were only as much as the article said before
        described = linked.resolve(tok) if linked.entity_at(tok) is None else None
        owners = [e for e in reader.np(tok) if linked.is_actor(e) and not (linked.is_place(e) and "State" not in linked.types(e))
                  and e != described]
        owners += [e for p in reader.prep_objects(tok, "of") for e in reader.np(p) if linked.is_actor(e)]
        if not owners and tok.dep_ in (DIRECT_OBJECT, UD_OBJECT) and tok.head.lemma_.lower() in reader.keeping_verbs:
            # "the US has about 2,000 troops in Syria", "Iran maintains bases in Deir ez-Zor"
            owners = [reader.coerce(e, "Actor") for e in reader.nps(reader.subject_tokens(tok.head))]
            owners = [e for e in owners if linked.is_actor(e)]
        if not owners or any(c.dep_ == DETERMINER and c.lower_ == "no" for c in tok.children):
            continue  # "Russia has no troops in Deir ez-Zor"
        heads = [tok, *reader.prep_objects(tok, "of")]  # "locations of the group in Iraq"
        # "three locations ... in Iraq and two in Syria": a bare number conjoined stands for more of them
        heads += [c for c in tok.conjuncts if c.pos_ == NUMERAL and c.i > tok.i]
        holder = tok
        if holder.dep_ == PREP_OBJECT and holder.head.lower_ == "of" \
                and holder.head.head.dep_ in (DIRECT_OBJECT, PASSIVE_SUBJECT):
            holder = holder.head.head  # "dozens of Iranian targets inside of Syria"
        if holder.dep_ in (DIRECT_OBJECT, PASSIVE_SUBJECT) and holder.head.pos_ in (VERB, AUX_VERB):
            heads.append(holder.head)
        places = []
        for head in heads:
            for prep in head.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in reader.presence_preps:
                    # "fighters were killed in a Turkish drone strike": an attack is no place
                    objects = [p for p in prep.children if p.dep_ == PREP_OBJECT and not reader._attack_phrase(p)]
                    objects += [p for c in prep.children if c.dep_ == PREPOSITION and c.lower_ == "of"
                                for p in c.children if p.dep_ == PREP_OBJECT]  # "inside of Syria"
                    places += [e for e in reader.nps(objects) if linked.is_place(e)]
        modality = reader.modality(heads[-1])
        for owner in unique(owners):
            for place in unique(places):
                info = linked.info(place)
                if place == owner or (info is not None and info.capital_of == owner) \
                        or (info is not None and info.country == owner):
                    continue
                yield owner, "active_in", place, "presence:asset", modality, None
