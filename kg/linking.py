"""Entity linking: find the actors and places a parsed article names.

:func:`link` turns a spaCy ``Doc`` of one article into a :class:`LinkedDoc`:
every dictionary alias, acronym defined in the text, demonym standing for a
state's forces ("Iraqi air force"), government metonym ("the regime"), capital
standing for its state ("Washington said") and unknown named entity from
spaCy's NER becomes a :class:`~kg.records.Mention` of a canonical entity.
Definite descriptions ("the group", "the monitor") and pronouns are resolved
lazily, on request of the relation extractor, to the most recent compatible
entity (:meth:`LinkedDoc.resolve`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from kg.gazetteer import Gazetteer, normalize_name
from kg.records import Entity, Mention, Span
from kg.vocab import slug

_MAX_ALIAS_TOKENS = 9
_NER_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Place"}
_ARMED_WORDS = ("brigade", "brigades", "army", "front", "forces", "militia", "battalion", "battalions",
                "legion", "corps", "regiment", "division", "jaish", "liwa", "katiba", "faylaq", "units")
_DETERMINERS = {"the", "this", "these", "those", "that"}
# Syntactic positions in which a capital city names its state ("Washington said").
_ACTOR_DEPS = {"nsubj", "nsubjpass", "poss"}
_ACTOR_PREPS = {"by", "with", "between", "against"}


@dataclass
class LinkedDoc:
    """A parsed article with its entity mentions.

    ``token_entity`` maps every token inside a mention to its entity id.
    ``entities`` holds every entity the article mentions, dictionary or new.
    """

    doc: object  # spacy.tokens.Doc
    gazetteer: Gazetteer
    lexicon: dict
    mentions: list[Mention] = field(default_factory=list)
    token_entity: dict[int, str] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    surface: dict[str, set[str]] = field(default_factory=dict)  # entity id -> names seen
    country: str | None = None
    also: dict[int, list[str]] = field(default_factory=dict)  # head token -> coordinated entities
    _cache: dict = field(default_factory=dict, repr=False, compare=False)  # per-article lookups

    # -- queries used by relation extraction ---------------------------------
    def entity_at(self, token) -> str | None:
        """Entity id of the mention covering ``token``, if any."""
        return self.token_entity.get(token.i)

    def types(self, entity_id: str) -> tuple[str, ...]:
        entity = self.entities.get(entity_id)
        return entity.types if entity else ()

    def is_place(self, entity_id: str) -> bool:
        return "Place" in self.types(entity_id)

    def is_actor(self, entity_id: str) -> bool:
        return any(t != "Place" for t in self.types(entity_id))

    def info(self, entity_id: str):
        return self.gazetteer.entities.get(entity_id)

    def resolve(self, token, *, types: tuple[str, ...] | None = None) -> str | None:
        """Entity for a description or pronoun, by light coreference.

        A definite description ("the group", "the monitor", "the city") or a
        bare plural such as "jihadists" refers to the most recent earlier
        mention whose entity has a compatible type (and preferred tag); a
        pronoun to the most recent compatible actor. Returns None when
        nothing compatible is near enough.
        """
        coref = self.lexicon["coreference"]
        lower = token.lower_
        spec = coref["pronouns"].get(lower) if token.pos_ == "PRON" else None
        if spec is not None and types:
            spec = {**spec, "types": list(types)}  # "after it fell to IS": it is a place
        if spec is None:
            spec = coref["descriptions"].get(lower) or coref["descriptions"].get(token.lemma_.lower())
            if spec is None:
                return None
            has_det = any(c.dep_ == "det" and c.lower_ in _DETERMINERS for c in token.children)
            has_poss = any(c.dep_ == "poss" for c in token.children)
            if not (has_det or has_poss or spec.get("bare")):
                return None
        found = self._most_recent(token, spec, coref.get("max_sentences_back", 3))
        if found and lower in ("they", "them", "their") and self._closer_object(token, found):
            return None  # "the coalition arrested a jihadist ... while they were fleeing"
        return found

    def _closer_object(self, token, entity_id: str) -> bool:
        """Is there an unlinked object noun between the antecedent and the pronoun?"""
        last = max((m for m in self.mentions if m.entity == entity_id and m.span.end <= token.idx),
                   key=lambda m: m.span.end, default=None)
        if last is None:
            return False
        for tok in self.doc[self._token_index(last.span.end - 1) + 1:token.i]:
            if tok.dep_ in ("dobj", "obj") and tok.pos_ == "NOUN" and tok.i not in self.token_entity:
                return True
        return False

    def _most_recent(self, token, spec: dict, max_back: int) -> str | None:
        sent_starts = self._cache.get("sent_starts")
        if sent_starts is None:
            sent_starts = self._cache["sent_starts"] = [s.start for s in self.doc.sents]
        here = token.sent.start
        index = sent_starts.index(here)
        floor = sent_starts[max(0, index - max_back)]
        types = set(spec.get("types", ()))
        tags = set(spec.get("tags", ()))
        kinds = set(spec.get("kinds", ()))
        candidates = []
        for mention in reversed(self.mentions):
            start_token = self._token_index(mention.span.start)
            if start_token >= token.i or start_token < floor:
                continue
            if token.i in range(start_token, self._token_index(mention.span.end - 1) + 1):
                continue
            entity_types = set(self.types(mention.entity))
            if types and not entity_types & types:
                continue
            info = self.info(mention.entity)
            if kinds and (info is None or info.kind not in kinds):
                continue
            candidates.append((mention.entity, info, self._is_subject(mention), self._sentence_of(start_token)))
        # Prefer the subject of the nearest sentence holding a candidate ("HTS took
        # Atarib after clashes with rebels. The group later seized Sarmada").
        if candidates:
            nearest = candidates[0][3]
            subjects = [c for c in candidates if c[3] == nearest and c[2]]
            if subjects:
                candidates = subjects + [c for c in candidates if c not in subjects]
        if tags:
            for entity_id, info, _, _ in candidates:
                if info is not None and info.tags & tags:
                    return entity_id
            return None
        return candidates[0][0] if candidates else None

    def _sentence_of(self, token_index: int) -> int:
        return self.doc[token_index].sent.start

    def _is_subject(self, mention: Mention) -> bool:
        span = self.doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        return span is not None and span.root.dep_ in ("nsubj", "nsubjpass")

    def _token_index(self, char: int) -> int:
        index = self._cache.get(char)
        if index is None:
            span = self.doc.char_span(char, char + 1, alignment_mode="expand")
            index = self._cache[char] = span.start if span is not None else 0
        return index


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


def link(doc, gazetteer: Gazetteer, lexicon: dict) -> LinkedDoc:
    """Find and canonicalise the entity mentions of a parsed article."""
    linked = LinkedDoc(doc=doc, gazetteer=gazetteer, lexicon=lexicon)
    taken: set[int] = set()
    _match_aliases(linked, taken)
    _match_defined_acronyms(linked, taken)
    _match_demonyms(linked, taken)
    linked.country = main_country(gazetteer, linked.mentions)
    _match_metonyms(linked, taken)
    _match_ner(linked, taken)
    _match_defined_acronyms(linked, taken)  # acronyms of names only NER found
    _apply_capital_metonymy(linked)
    linked.mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return linked


# -- passes ---------------------------------------------------------------------

def _add(linked: LinkedDoc, entity: Entity, start: int, end: int, taken: set[int]) -> None:
    """Record a mention of ``entity`` over tokens ``[start, end)``."""
    doc = linked.doc
    span = doc[start:end]
    text = span.text
    linked.mentions.append(Mention(
        entity=entity.id,
        span=Span(span.start_char, span.end_char),
        text=text,
        sentence=Span(span.sent.start_char, span.sent.end_char),
    ))
    linked.entities.setdefault(entity.id, entity)
    linked.surface.setdefault(entity.id, set()).add(_clean_surface(text))
    for i in range(start, end):
        linked.token_entity[i] = entity.id
        taken.add(i)


def _clean_surface(text: str) -> str:
    text = " ".join(text.split())
    return text[4:] if text.lower().startswith("the ") else text


class _TokenTable:
    """Per-token facts ``_windows`` needs, read from the Doc once per article.

    Reading ``doc[i]``, ``span.text`` and ``token.sent`` for each of the up to
    nine windows starting at every token dominated linking time; plain lists
    (from one ``Doc.to_array``) answer the same questions in constant time.
    """

    __slots__ = ("text", "starts", "ends", "opens", "is_space", "sent_start")

    def __init__(self, doc):
        from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH, SENT_START
        from spacy.strings import hash_string

        self.text = doc.text
        rows = doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT, ORTH, LOWER, SENT_START]).tolist()
        determiners = {hash_string(d) for d in _DETERMINERS}
        apostrophe = hash_string("'")
        self.starts = [r[0] for r in rows]
        self.ends = [r[0] + r[1] for r in rows]
        self.is_space = [bool(r[2]) for r in rows]
        # A window may start here: not space, punctuation (but "'") or a determiner.
        self.opens = [not (r[2] or r[3] and r[4] != apostrophe or r[5] in determiners) for r in rows]
        self.sent_start = []
        current = 0
        for i, r in enumerate(rows):
            if r[6] == 1:
                current = i
            self.sent_start.append(current)


_SPACE = re.compile(r"\s")
#: First words of normalised dictionary keys, per key mapping (see ``_first_words``).
_FIRST_WORDS: dict[int, tuple[object, frozenset[str]]] = {}


def _first_words(*mappings) -> frozenset[str]:
    """The first words of the keys of ``mappings`` (normalised names), lower-cased.

    A window whose text is ASCII and whose first word is not among them can
    match none of the keys: :func:`normalize_name` of ASCII text only folds
    case and collapses white space, so the key's first word is the text's.
    """
    key = tuple(id(m) for m in mappings)
    cached = _FIRST_WORDS.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], mappings)):
        words = frozenset(k.lower().split(" ")[0] for m in mappings for k in m)
        cached = _FIRST_WORDS[key] = (mappings, words)
    return cached[1]


def _table(linked: LinkedDoc) -> _TokenTable:
    table = linked._cache.get("table")
    if table is None:
        table = linked._cache["table"] = _TokenTable(linked.doc)
    return table


def _windows(linked: LinkedDoc, taken: set[int], first_words: frozenset[str] | None = None):
    """Yield candidate token windows ``(start, end, text)``, longest first per start.

    ``text`` is ``doc[start:end].text``. ``taken`` may grow between two
    windows (the caller records matches): it is checked afresh after each.
    With ``first_words``, ASCII windows whose first word is not among them
    are left out (they cannot match; see :func:`_first_words`).
    """
    n = len(linked.doc)
    table = _table(linked)
    text, starts, ends, opens = table.text, table.starts, table.ends, table.opens
    is_space, sent_start = table.is_space, table.sent_start
    for start in range(n):
        if start in taken or not opens[start]:
            continue
        begin = starts[start]
        end = min(n, start + _MAX_ALIAS_TOKENS)
        word_end = len(text)  # where the first word of the windows ends
        if first_words is not None:
            space = _SPACE.search(text, begin)
            word_end = space.start() if space is not None else len(text)
            if word_end > begin and text[begin:ends[end - 1]].isascii():
                word = text[begin:word_end].lower()
                if word not in first_words and word != "the":
                    # Only windows ending inside the first word can match.
                    end = min(end, bisect_left(ends, word_end, start))
        while end > start:
            # No window may hold a taken token: end at the first one.
            limit = next((i for i in range(start, end) if i in taken), end)
            if limit < end:
                end = limit
                continue
            last = end - 1
            end -= 1
            if is_space[last] or sent_start[last] > start or text.find("\n", begin, ends[last]) != -1:
                continue
            window = text[begin:ends[last]]
            if first_words is not None and ends[last] <= word_end and word_end > begin and window.isascii():
                first = window.lower()
                if first not in first_words and first != "the":
                    continue
            size = len(taken)
            yield start, last + 1, window
            if len(taken) != size and start in taken:
                break


def _match_aliases(linked: LinkedDoc, taken: set[int]) -> None:
    gaz = linked.gazetteer
    skip_until = -1
    for start, end, text in _windows(linked, taken, _first_words(gaz.aliases, gaz.acronyms)):
        if start < skip_until:
            continue
        entity_id = gaz.lookup(text)
        if entity_id is None:
            continue
        _add(linked, gaz.entities[entity_id].entity, start, end, taken)
        skip_until = end


def _match_defined_acronyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'Syrian Democratic Forces (SDF)': the acronym names the same entity here."""
    doc = linked.doc
    defined: dict[str, str] = {}
    for mention in list(linked.mentions):
        span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        if span is None or span.end + 2 >= len(doc):
            continue
        opening, acronym, closing = doc[span.end], doc[span.end + 1], doc[span.end + 2]
        if opening.text == "(" and closing.text == ")" and acronym.text.isupper() and 2 <= len(acronym.text) <= 8:
            defined.setdefault(acronym.text, mention.entity)
    if not defined:
        return
    for token in doc:
        entity_id = defined.get(token.text)
        if entity_id and token.i not in taken:
            _add(linked, linked.entities[entity_id], token.i, token.i + 1, taken)


def _force_head(token, force_nouns: set[str]):
    """The noun a demonym modifies when that noun denotes forces ("air force")."""
    head = token.head
    if head == token or token.dep_ not in ("amod", "compound", "npadvmod", "nmod"):
        return None
    words = [c.lower_ for c in head.lefts if c.dep_ == "compound" and c.i > token.i] + [head.lower_]
    if " ".join(words) in force_nouns or head.lower_ in force_nouns or head.lemma_.lower() in force_nouns:
        return head
    return None


def _match_demonyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'Iraqi air force' and 'Russian airstrikes' stand for Iraq and Russia."""
    gaz = linked.gazetteer
    force_nouns = set(linked.lexicon["force_nouns"])
    for token in linked.doc:
        entity_id = gaz.demonyms.get(token.lower_)
        if entity_id is None or token.i in taken:
            continue
        head = _force_head(token, force_nouns)
        if head is not None and head.i > token.i and any(i in taken for i in range(token.i, head.i + 1)):
            # "Syrian and Russian warplanes" where "Russian warplanes" is an alias
            _add(linked, gaz.entities[entity_id].entity, token.i, token.i + 1, taken)
            linked.also.setdefault(head.i, []).append(entity_id)
        elif head is not None and head.i > token.i:
            _add(linked, gaz.entities[entity_id].entity, token.i, head.i + 1, taken)
            # "Syrian and Russian warplanes": each coordinated demonym is a party too
            for conj in token.conjuncts:
                other = gaz.demonyms.get(conj.lower_)
                if other and other != entity_id:
                    linked.entities.setdefault(other, gaz.entities[other].entity)
                    linked.surface.setdefault(other, set()).add(conj.text)
                    linked.also.setdefault(head.i, []).append(other)
        elif token.i + 1 < len(linked.doc) and linked.doc[token.i + 1].text == "-" and token.dep_ in ("npadvmod", "amod", "compound"):
            # "Russian-backed": the state behind a hyphenated participle.
            _add(linked, gaz.entities[entity_id].entity, token.i, token.i + 1, taken)


def _match_metonyms(linked: LinkedDoc, taken: set[int]) -> None:
    """'the regime', 'government forces': the government of the article's country."""
    gaz = linked.gazetteer
    doc = linked.doc
    for start, end, text in _windows(linked, taken, _first_words(gaz.metonyms)):
        candidates = gaz.metonyms.get(normalize_name(text))
        if not candidates:
            continue
        root = doc[start:end].root
        # "the regime of Bashar al-Assad": the regime its ruler leads.
        ruler = _ruler_of(linked, root)
        if ruler is not None:
            _add(linked, gaz.entities[ruler].entity, start, end, taken)
            continue
        if any(c.dep_ in ("poss", "compound", "amod") and c.i in linked.token_entity for c in root.children):
            continue
        for entity_id in candidates:
            context = gaz.entities[entity_id].context
            if context is None or context == linked.country:
                _add(linked, gaz.entities[entity_id].entity, start, end, taken)
                break


def _ruler_of(linked: LinkedDoc, token) -> str | None:
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for pobj in prep.children:
                person = linked.token_entity.get(pobj.i)
                info = linked.gazetteer.entities.get(person) if person else None
                if info and info.affiliation and info.affiliation[0] == "leads":
                    return info.affiliation[1]
    return None


def _match_ner(linked: LinkedDoc, taken: set[int]) -> None:
    """Named entities the dictionaries lack still become typed nodes."""
    gaz = linked.gazetteer
    surnames: dict[str, str] = {}
    for info_id, names in linked.surface.items():
        info = gaz.entities.get(info_id)
        if info and "Person" in info.types:
            for name in names:
                surnames.setdefault(name.split()[-1].lower(), info_id)
    role_words = _role_words(linked.lexicon)
    for ent in linked.doc.ents:
        kind = _NER_TYPES.get(ent.label_)
        if kind is None:
            continue
        start, end = ent.start, ent.end
        doc = linked.doc
        # "Liwa Ahrar al-Jazira": take in capitalised name words NER left out
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound" \
                and doc[start - 1].head.i in range(start, end) and (start - 1) not in taken \
                and doc[start - 1].lower_ not in role_words:
            start -= 1
        while start < end and (linked.doc[start].lower_ in _DETERMINERS or linked.doc[start].is_punct):
            start += 1
        # "the Kataib Nour al-Huda militia": a trailing common noun is not part of the name
        while end - start > 1 and doc[end - 1].is_lower and doc[end - 1].pos_ == "NOUN":
            end -= 1
        while end > start and (linked.doc[end - 1].is_punct or linked.doc[end - 1].is_space
                               or linked.doc[end - 1].dep_ == "case"):
            end -= 1
        if start >= end or any(i in taken for i in range(start, end)):
            continue
        text = " ".join(linked.doc[start:end].text.split())
        if not any(c.isalpha() for c in text) or text.isdigit():
            continue
        entity_id = gaz.lookup(text)
        if entity_id is not None:
            entity = gaz.entities[entity_id].entity
        elif kind == "Person" and len(text.split()) == 1 and text.lower() in surnames:
            entity = linked.entities[surnames[text.lower()]]
        else:
            if kind == "Organization" and any(w in text.lower().split() for w in _ARMED_WORDS):
                kind = "ArmedGroup"
            root = linked.doc[start:end].root
            if root.dep_ == "pobj" and root.head.lower_ == "of" and \
                    root.head.head.lower_ in linked.lexicon["place_container_nouns"]:
                kind = "Place"  # "the village of Khirbet Nasser"
            entity = Entity(id=f"{slug(text)}", label=text, types=(kind,))
            if entity.id in gaz.entities:  # a slug clash with a dictionary id
                entity = Entity(id=f"ner_{entity.id}", label=text, types=(kind,))
            if kind == "Person":
                surnames.setdefault(text.split()[-1].lower(), entity.id)
        _add(linked, entity, start, end, taken)


def _role_words(lexicon: dict) -> frozenset[str]:
    roles = lexicon["roles"]
    words = [w for key in ("leader", "member", "titles_leader", "titles_member") for w in roles[key]]
    return frozenset(part for w in words for part in w.split())


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
        if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ == "be":
            continue  # "Damascus is the capital of Syria": the city itself
        acting = root.dep_ in _ACTOR_DEPS or (
            root.dep_ == "pobj" and root.head.lower_ in _ACTOR_PREPS) or (
            root.dep_ == "pobj" and root.head.dep_ == "agent")
        if not acting:
            continue
        state = gaz.entities[info.capital_of].entity
        linked.mentions[index] = Mention(state.id, mention.span, mention.text, mention.sentence)
        linked.entities.setdefault(state.id, state)
        linked.surface.setdefault(state.id, set()).add(_clean_surface(mention.text))
        for i in range(span.start, span.end):
            linked.token_entity[i] = state.id
