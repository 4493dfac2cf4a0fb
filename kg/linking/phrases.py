"""Phrases that stand for an actor: demonyms with force nouns, offices, metonyms, capitals.

"Iraqi air force" and "Russian airstrikes" are their states, "the regime"
is the Syrian government in an article about Syria, "the Iraqi premier" the
one premier the article names, "Washington said" the United States; a
dateline ("BAGHDAD --") is no mention at all.
"""
from __future__ import annotations

from collections import Counter

from kg.gazetteer import Gazetteer, normalize_name
from kg.linking.doc import (
    LinkedDoc,
    _add,
    _clean_surface,
    _first_words,
    _last_words,
    _string_ids,
    _table,
    _windows,
    lexicon_words,
)
from kg.parse_labels import (
    ADJECTIVE,
    ADJ_MODIFIER,
    AGENT,
    APPOSITION,
    COMPOUND,
    DETERMINER,
    NOUN,
    NOUN_ADVERBIAL,
    NOUN_MODIFIER,
    PASSIVE_SUBJECT,
    PLURAL_NOUN,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PRONOUN,
    PROPER_NOUN,
    SUBJECT,
)
from kg.records import Mention


# Syntactic positions in which a capital city names its state ("Washington said").
_ACTOR_DEPS = {SUBJECT, PASSIVE_SUBJECT, POSSESSOR}



def main_country(gazetteer: Gazetteer, mentions: list[Mention]) -> str | None:
    """The country an article is mainly about: its most mentioned country.

    Entities with a ``context`` (the Syrian government) count for that
    country. Ties go to the country mentioned first.
    """
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for mention in mentions:
        info = gazetteer.entities.get(mention.entity)
        if info is None:
            continue
        country = None
        if "State" in info.types and "Place" in info.types:
            country = info.entity.id
        elif info.context:
            country = info.context
        elif info.country:
            country = info.country
        elif info.capital_of:
            capital_of = gazetteer.entities.get(info.capital_of)
            country = capital_of.context if capital_of else None
        if country:
            counts[country] += 1
            first.setdefault(country, mention.span.start)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], first[c]))


def _force_head(token, force_nouns: set[str]):
    """The noun a demonym modifies when that noun denotes forces ("air force")."""
    head = token.head
    if head == token or token.dep_ not in (ADJ_MODIFIER, COMPOUND, NOUN_ADVERBIAL, NOUN_MODIFIER):
        return None
    for _ in range(3):
        words = [c.lower_ for c in head.lefts if c.dep_ == COMPOUND and c.i > token.i] + [head.lower_]
        if " ".join(words) in force_nouns or head.lower_ in force_nouns or head.lemma_.lower() in force_nouns:
            return head
        # "Iraqi counter-terrorism troops": the demonym hangs from a modifier of the force noun
        if head.dep_ not in (COMPOUND, ADJ_MODIFIER) or head.head.i <= head.i or head.pos_ not in (NOUN, ADJECTIVE):
            return None
        head = head.head
    return None


def _match_demonyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'Iraqi air force' and 'Russian airstrikes' stand for Iraq and Russia."""
    gaz = linked.gazetteer
    force_nouns = set(linked.lexicon["force_nouns"])
    ethnic = frozenset(linked.lexicon["ethnic_modifiers"])
    clients = frozenset(linked.lexicon["client_nouns"])
    demonyms = _string_ids(gaz.demonyms)
    doc = linked.doc
    for token in [doc[i] for i, lower in enumerate(_table(linked).lower) if lower in demonyms]:
        entity_id = gaz.demonyms.get(token.lower_)
        if entity_id is None or token.i in taken:
            continue
        head = _force_head(token, force_nouns)
        if head is not None and head.lemma_.lower() in clients and head.tag_ == PLURAL_NOUN \
                and any(c.dep_ == POSSESSOR for c in head.children):
            continue  # "Turkish troops and their Syrian proxies": Syrians, not the Syrian state's
        if head is not None and any(t.lower_ in ethnic for t in linked.doc[token.i + 1:head.i]):
            continue  # "Syrian Kurdish forces": Kurdish forces of Syria, not the Syrian state's
        if head is not None and head.i > token.i and any(i in taken for i in range(token.i, head.i + 1)):
            # "Syrian and Russian warplanes" where "Russian warplanes" is an alias
            _add(linked, gaz.entities[entity_id].entity, token.i, token.i + 1, taken)
            linked.also.setdefault(head.i, []).append(entity_id)
        elif head is not None and head.i > token.i:
            # "Iranian-militias": the phrase may itself name an entity (spelt with a space)
            phrase = gaz.lookup(" ".join(linked.doc[token.i:head.i + 1].text.replace("-", " ").split()))
            _add(linked, gaz.entities[phrase or entity_id].entity, token.i, head.i + 1, taken)
            if phrase:
                continue
            # "Syrian and Russian warplanes": each coordinated demonym is a party too
            for conj in token.conjuncts:
                other = gaz.demonyms.get(conj.lower_)
                if other and other != entity_id:
                    linked.entities.setdefault(other, gaz.entities[other].entity)
                    linked.surface.setdefault(other, set()).add(conj.text)
                    linked.also.setdefault(head.i, []).append(other)
        elif token.i + 1 < len(linked.doc) and linked.doc[token.i + 1].text == "-" \
                and token.dep_ in (NOUN_ADVERBIAL, ADJ_MODIFIER, COMPOUND):
            # "Russian-backed": the state behind a hyphenated participle.
            _add(linked, gaz.entities[entity_id].entity, token.i, token.i + 1, taken)


def _coordinated_parties(linked: LinkedDoc) -> None:
    """'the Peshmerga and Iraqi forces', 'US and Iraqi troops': a name the parser hangs from
    the forces of a coordinated demonym is a party to those forces too."""
    doc = linked.doc
    entity_at = linked.token_entity
    for i, named in list(entity_at.items()):
        tok = doc[i]
        if tok.dep_ not in (NOUN_MODIFIER, COMPOUND) or tok.head.i == tok.i:
            continue
        forces = entity_at.get(tok.head.i)
        if forces is None or forces == named or not linked.is_actor(named) or not linked.is_actor(forces):
            continue
        if any(entity_at.get(c.i) == forces for c in tok.conjuncts):
            also = linked.also.setdefault(tok.head.i, [])
            if named not in also:
                also.append(named)


def _match_office_holders(linked: LinkedDoc, taken: set[int]) -> None:
    """'the Iraqi premier', "Iraq's prime minister": an office named without its holder.

    When the article names one person the dictionaries know to hold that
    office (a leader's title, the leader of that state), the phrase is that
    person; a member's office ("the Turkish foreign minister") or an
    unknown holder stands for the state, as "Iraqi officials" does.
    """
    gaz = linked.gazetteer
    roles = linked.lexicon["roles"]
    leader_titles = sorted((t for t in roles["titles_leader"] + ["premier"]), key=len, reverse=True)
    member_titles = sorted(roles["titles_member"], key=len, reverse=True)
    doc = linked.doc
    persons = {m.entity for m in linked.mentions if "Person" in linked.types(m.entity)}
    # only a token that ends some title can end an office's phrase
    ends = _string_ids({title.split()[-1] for title in leader_titles + member_titles})
    for token in [doc[i] for i, lower in enumerate(_table(linked).lower) if lower in ends]:
        if token.i in taken or token.pos_ not in (NOUN, PROPER_NOUN):
            continue
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == PROPER_NOUN and nxt.text[:1].isupper():
            continue  # "the Iraqi premier Haider al-Abadi": a title before a name
        words = [c for c in token.lefts if c.dep_ == COMPOUND and c.i not in taken] + [token]
        phrase = " ".join(t.lower_ for t in words)
        title, rel = None, None
        for candidates, relation in ((leader_titles, "leads"), (member_titles, "member_of")):
            for t in candidates:
                if phrase == t or phrase.endswith(" " + t):
                    title, rel = t, relation
                    break
            if title:
                break
        if title is None or " " not in title and token.lower_ != title:
            continue
        if token.dep_ == APPOSITION and "Person" in linked.types(linked.token_entity.get(token.head.i, "")) or any(
                c.dep_ == APPOSITION and "Person" in linked.types(linked.token_entity.get(c.i, "")) for c in token.children):
            continue  # "Sergei Lavrov, Russia's foreign minister": the holder is named
        state = None
        for child in token.lefts:
            if child.dep_ == ADJ_MODIFIER and gaz.demonyms.get(child.lower_):
                state, first = gaz.demonyms[child.lower_], child.i
            elif child.dep_ == POSSESSOR and linked.token_entity.get(child.i) and \
                    "State" in linked.types(linked.token_entity[child.i]):
                state, first = linked.token_entity[child.i], words[0].i
        if state is None:
            continue
        holders = [p for p in persons if (info := gaz.entities.get(p)) and info.affiliation == (rel, state)]
        start = min(first, words[0].i)
        if rel == "leads" and len(holders) == 1:
            _add(linked, gaz.entities[holders[0]].entity, start, token.i + 1, taken)
        else:
            _add(linked, gaz.entities[state].entity, start, token.i + 1, taken)


def _match_metonyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'the regime', 'government forces': the government of the article's country."""
    gaz = linked.gazetteer
    doc = linked.doc
    for start, end, text in _windows(linked, taken, _first_words(gaz.metonyms), _last_words(gaz.metonyms)):
        candidates = gaz.metonyms.get(normalize_name(text))
        if not candidates:
            continue
        root = doc[start:end].root
        # "the regime of Bashar al-Assad": the regime its ruler leads.
        ruler = _ruler_of(linked, root)
        if ruler is not None:
            _add(linked, gaz.entities[ruler].entity, start, end, taken)
            continue
        if any(c.dep_ in (POSSESSOR, COMPOUND, ADJ_MODIFIER) and c.i in linked.token_entity for c in root.children) \
                or any(c.dep_ == POSSESSOR and c.pos_ == PRONOUN for c in root.children):
            continue  # "Iran ... its military": the possessor's forces, not the country's government
        if any(c.dep_ == DETERMINER and c.lower_ in lexicon_words(linked, "quantifying_determiners")
                   for c in root.children) \
                or any(c.dep_ == PREPOSITION and c.lower_ == "of" for c in root.children):
            continue  # "a coalition of rebel factions" is not the coalition
        if any(c.dep_ == ADJ_MODIFIER and c.i < start and "-" in doc[max(c.i - 1, 0):c.i + 1].text
               for c in root.children):
            # "Turkish-backed coalition forces" are another coalition's; "US-backed Kurdish
            # fighters" and "Russian-backed government forces" are still the metonym's forces
            candidates = [e for e in candidates if "Coalition" not in gaz.entities[e].entity.types]
        local = _sentence_countries(linked, start)
        for entity_id in candidates:
            contexts = gaz.entities[entity_id].contexts
            if not contexts or linked.country in contexts:
                _add(linked, gaz.entities[entity_id].entity, start, end, taken)
                break
        else:
            # "Kurdish forces ... into northeastern Syria" in an article mostly about the US:
            # the country the sentence itself names decides
            for entity_id in candidates:
                if set(gaz.entities[entity_id].contexts) & local:
                    _add(linked, gaz.entities[entity_id].entity, start, end, taken)
                    break


def _sentence_countries(linked: LinkedDoc, token_index: int) -> set[str]:
    """Countries the sentence of a token names, directly, through its places or through actors of one country."""
    sent_start, sent_end = linked.sentence_bounds(token_index)
    table = _table(linked)
    begin, end = table.starts[sent_start], table.ends[sent_end - 1]
    countries: set[str] = set()
    for mention in linked.mentions:
        if begin <= mention.span.start < end:
            info = linked.gazetteer.entities.get(mention.entity)
            if info is None:
                continue
            if info.kind == "country":
                countries.add(info.entity.id)
            elif info.country:
                countries.add(info.country)
            elif len(info.contexts) == 1:
                countries.add(info.contexts[0])  # "the Syrian government and rebel groups": Syria's
    gaz = linked.gazetteer
    for token in linked.doc[sent_start:sent_end]:
        # "the US armed Syrian Kurdish fighters": a country's adjective names it too
        info = gaz.entities.get(gaz.demonyms.get(token.lower_, ""))
        if info is not None and info.kind == "country":
            countries.add(info.entity.id)
        elif info is not None and "State" in info.types and len(info.contexts) == 1:
            countries.add(info.contexts[0])  # "Syrian": the Syrian government's country
    return countries


def _ruler_of(linked: LinkedDoc, token) -> str | None:
    for prep in token.children:
        if prep.dep_ == PREPOSITION and prep.lower_ == "of":
            for pobj in prep.children:
                person = linked.token_entity.get(pobj.i)
                info = linked.gazetteer.entities.get(person) if person else None
                if info and info.affiliation and info.affiliation[0] == "leads":
                    return info.affiliation[1]
    return None


_DATELINE_DASHES = frozenset({"--", "\u2013", "\u2014", "\u2022"})


_DATELINE_MARKS = _DATELINE_DASHES | {"-", "(", ":", "/", ","}


def _drop_datelines(linked: LinkedDoc) -> None:
    """'BAGHDAD -- The capital ... fell': a dateline names where the story was filed, no party to it.

    A place mention that opens a sentence, written in capitals or followed
    by a dash, bullet or bracket ("ERBIL (Kurdistan 24) –", "AMMAN/ISTANBUL
    (Reuters) -") is no mention.
    """
    table = _table(linked)
    doc = linked.doc
    kept = []
    dateline_end = -1  # the token after the last dateline place: "ERBIL, Iraq (Reuters) -"
    for mention in linked.mentions:
        first, last = linked._mention_tokens(mention)
        start = table.sent_start[first]
        while start < first and (doc[start].is_space or doc[start].is_punct):
            start += 1
        nxt = doc[last + 1].text if last + 1 < len(doc) else ""
        dateline = first == start and linked.is_place(mention.entity) and (
            mention.text.isupper() and nxt in _DATELINE_MARKS or nxt in _DATELINE_DASHES)
        if not dateline and dateline_end >= 0 and first == dateline_end + 1 and linked.is_place(mention.entity) \
                and any(t.text in _DATELINE_MARKS for t in doc[last + 1:last + 4]):
            dateline = True  # the country after the city
        if dateline:
            dateline_end = last + 1 if nxt in (",", "/") else -1
            for i in range(first, last + 1):
                linked.token_entity.pop(i, None)
            continue
        kept.append(mention)
    linked.mentions[:] = kept


def _possesses_place(linked: LinkedDoc, head) -> bool:
    """Is a possessed noun a part of a place: a place noun, or a place named in its phrase?"""
    lexicon = linked.lexicon
    lemma = head.lemma_.lower()
    if lemma in lexicon["place_container_nouns"] or lemma in lexicon["place_head_nouns"]:
        return True
    gazetteer = linked.gazetteer
    for tok in (head, *(c for c in head.children if c.dep_ in (COMPOUND, NOUN_MODIFIER))):
        entity = linked.token_entity.get(tok.i)
        info = gazetteer.entities.get(entity) if entity else None
        if info is not None and "Place" in info.entity.types and not info.capital_of \
                and "State" not in info.entity.types:
            return True
    return False


def _apply_capital_metonymy(linked: LinkedDoc) -> None:
    """'Washington said', 'led by Washington': a capital acting is its state."""
    gaz = linked.gazetteer
    doc = linked.doc
    for index, mention in enumerate(linked.mentions):
        info = gaz.entities.get(mention.entity)
        if info is None or not info.capital_of or info.capital_of not in gaz.entities:
            continue
        span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        root = span.root
        if root.dep_ in (SUBJECT, PASSIVE_SUBJECT) and root.head.lemma_ == "be":
            continue  # "Damascus is the capital of Syria": the city itself
        if root.dep_ == POSSESSOR and _possesses_place(linked, root.head):
            continue  # "Baghdad's Karrada district", "Damascus's southern suburbs": the city itself
        acting = root.dep_ in _ACTOR_DEPS or (
            root.dep_ == PREP_OBJECT and root.head.lower_ in lexicon_words(linked, "actor_prepositions")) or (
            root.dep_ == PREP_OBJECT and root.head.dep_ == AGENT)
        if not acting:
            continue
        state = gaz.entities[info.capital_of].entity
        linked.mentions[index] = Mention(state.id, mention.span, mention.text, mention.sentence)
        linked.entities.setdefault(state.id, state)
        linked.surface.setdefault(state.id, set()).add(_clean_surface(mention.text))
        for i in range(span.start, span.end):
            linked.token_entity[i] = state.id
