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
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import wraps

from kg.gazetteer import Gazetteer, normalize_name
from kg.records import Entity, Mention, Span
from kg.vocab import slug

_MAX_ALIAS_TOKENS = 9
_NER_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Place"}
_ARMED_WORDS = ("brigade", "brigades", "army", "front", "forces", "militia", "battalion", "battalions",
                "legion", "corps", "regiment", "division", "jaish", "liwa", "katiba", "faylaq", "units")
_DETERMINERS = {"the", "this", "these", "those", "that"}
#: Kinds of places whose unknown conjuncts are places too ("toward Azaz and Mare").
_SETTLEMENT_KINDS = frozenset({"city", "town", "village", "neighbourhood", "camp", "district", "province"})
_CALENDAR_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
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
    @property
    def text(self) -> str:
        """The text the Doc was parsed from (mention offsets index it)."""
        return _table(self).text

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

    def resolve(self, token, *, types: tuple[str, ...] | None = None, definite: bool = False) -> str | None:
        """Entity for a description or pronoun, by light coreference.

        A definite description ("the group", "the monitor", "the city"; with
        ``definite``, a noun whose phrase is definite elsewhere, as "city" in
        "the city centre") or a bare plural such as "jihadists" refers to the most recent earlier
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
            has_det = definite or any(c.dep_ == "det" and c.lower_ in _DETERMINERS for c in token.children)
            has_poss = any(c.dep_ == "poss" for c in token.children)
            if not (has_det or has_poss or spec.get("bare")):
                return None
        if token.pos_ == "PRON" and token.dep_ == "poss":
            agent = self._agent_of_phrase(token, spec)
            if agent is not None:
                return agent  # "advances by the Syrian army in its push": its is the army's
        found = self._most_recent(token, spec, coref.get("max_sentences_back", 3))
        if found and lower in ("they", "them", "their") and self._closer_object(token, found):
            return None  # "the coalition arrested a jihadist ... while they were fleeing"
        return found

    def _agent_of_phrase(self, token, spec: dict) -> str | None:
        """The by-agent of the noun phrase a possessive pronoun sits in, if it has one."""
        types = set(spec.get("types", ()))
        cur = token.head
        for _ in range(4):
            if cur.pos_ in ("VERB", "AUX") or cur.head == cur:
                return None
            for prep in cur.children:
                if prep.dep_ == "prep" and prep.lower_ == "by" and prep.i < token.i:
                    for pobj in prep.children:
                        entity = self.token_entity.get(pobj.i)
                        if pobj.dep_ == "pobj" and entity and (not types or set(self.types(entity)) & types):
                            return entity
            cur = cur.head
        return None

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
        sent_start = _table(self).sent_start
        sent_starts = self._cache.get("sent_starts")
        if sent_starts is None:
            sent_starts = self._cache["sent_starts"] = [s.start for s in self.doc.sents]
        here = sent_start[token.i]
        index = sent_starts.index(here)
        floor = sent_starts[max(0, index - max_back)]
        types = set(spec.get("types", ()))
        tags = set(spec.get("tags", ()))
        kinds = set(spec.get("kinds", ()))
        candidates = []
        for mention in reversed(self.mentions):
            start_token, last_token = self._mention_tokens(mention)
            if start_token >= token.i or start_token < floor:
                continue
            if start_token <= token.i <= last_token:
                continue
            entity_types = set(self.types(mention.entity))
            if types and not entity_types & types:
                continue
            info = self.info(mention.entity)
            if kinds and (info is None or info.kind not in kinds or _named_kind(mention.text, kinds)):
                continue
            candidates.append((mention.entity, info, self._is_subject(mention), sent_start[start_token]))
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

    def sentence_count(self) -> int:
        """How many of ``doc.sents`` hold a token that is not white space."""
        table = _table(self)
        return len({start for start, space in zip(table.sent_start, table.is_space) if not space})

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        """``doc[i].sent.start, doc[i].sent.end``, read from the token table."""
        table = _table(self)
        return table.sent_start[i], table.sent_end[i]

    def _mention_tokens(self, mention: Mention) -> tuple[int, int]:
        """Indexes of the first and last tokens of a mention."""
        return self._token_index(mention.span.start), self._token_index(mention.span.end - 1)

    def _is_subject(self, mention: Mention) -> bool:
        key = ("subject", mention.span)
        found = self._cache.get(key)
        if found is None:
            span = self.doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
            found = self._cache[key] = span is not None and span.root.dep_ in ("nsubj", "nsubjpass")
        return found

    def _token_index(self, char: int) -> int:
        """The token holding character ``char``, as ``doc.char_span(char, char + 1, "expand")`` finds it."""
        index = self._cache.get(char)
        if index is None:
            table = _table(self)
            index = bisect_right(table.starts, char) - 1
            if index < 0 or char >= table.ends[index]:  # white space between tokens: ask spaCy
                span = self.doc.char_span(char, char + 1, alignment_mode="expand")
                index = span.start if span is not None else 0
            self._cache[char] = index
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


def link(doc, gazetteer: Gazetteer, lexicon: dict, *, text: str | None = None) -> LinkedDoc:
    """Find and canonicalise the entity mentions of a parsed article.

    ``text`` is the text ``doc`` was parsed from (``doc.text``), when the
    caller has it: spaCy rebuilds ``doc.text`` token by token when asked.
    """
    linked = LinkedDoc(doc=doc, gazetteer=gazetteer, lexicon=lexicon)
    if text is not None:
        linked._cache["text"] = text
    taken: set[int] = set()
    _match_aliases(linked, taken)
    _match_defined_acronyms(linked, taken)
    _match_office_holders(linked, taken)
    _match_demonyms(linked, taken)
    linked.country = main_country(gazetteer, linked.mentions)
    _match_metonyms(linked, taken)
    _match_misspellings(linked, taken)
    _match_ner(linked, taken)
    _match_named_places(linked, taken)
    _match_defined_acronyms(linked, taken)  # acronyms and "also known as" names only NER found
    _drop_datelines(linked)
    _apply_capital_metonymy(linked)
    linked.mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return linked


# -- passes ---------------------------------------------------------------------

def _add(linked: LinkedDoc, entity: Entity, start: int, end: int, taken: set[int]) -> None:
    """Record a mention of ``entity`` over tokens ``[start, end)``.

    Reads the table: the same offsets, text and sentence as ``doc[start:end]``
    and its ``.sent`` would give.
    """
    table = _table(linked)
    begin, finish = table.starts[start], table.ends[end - 1]
    text = table.text[begin:finish]
    linked.mentions.append(Mention(
        entity=entity.id,
        span=Span(begin, finish),
        text=text,
        sentence=Span(table.starts[table.sent_start[start]], table.ends[table.sent_end[start] - 1]),
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
    """Per-token facts linking needs, read from the Doc once per article.

    Reading ``doc[i]``, ``span.text`` and ``token.sent`` for each of the up to
    nine windows starting at every token dominated linking time; plain lists
    (from one ``Doc.to_array``) answer the same questions in constant time:
    offsets and text of tokens and spans, their sentences, the first word of
    the windows starting at each token and the last word of those ending there.
    """

    __slots__ = ("text", "starts", "ends", "lower", "opens", "is_space", "sent_start", "sent_end", "word_ends",
                 "words", "word_starts", "ending_words")

    def __init__(self, doc, text: str | None = None):
        import numpy
        from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH, SENT_START
        from spacy.strings import hash_string

        text = self.text = doc.text if text is None else text
        idx, length, space, punct, orth, lower, sent = doc.to_array(
            [IDX, LENGTH, IS_SPACE, IS_PUNCT, ORTH, LOWER, SENT_START]).T
        idx, n, positions = idx.astype(numpy.int64), len(idx), numpy.arange(len(idx))
        ends = idx + length.astype(numpy.int64)
        space = space.astype(bool)
        self.starts, self.ends, self.is_space = idx.tolist(), ends.tolist(), space.tolist()
        self.lower = lower.tolist()  # string ids of the lower-cased tokens
        # A window may start here: not space, punctuation (but "'") or a determiner.
        determiners = numpy.array([hash_string(d) for d in _DETERMINERS], dtype=numpy.uint64)
        self.opens = (~(space | punct.astype(bool) & (orth != hash_string("'"))
                        | numpy.isin(lower, determiners))).tolist()
        # As ``Span.sent`` finds it, the sentence of a span (of its first token i)
        # runs from sent_start[i], the last sentence start at or before i (else
        # 0), to sent_end[i], the first after i (else the end).
        starting = sent == 1
        self.sent_start = numpy.maximum.accumulate(numpy.where(starting, positions, 0)).tolist()
        self.sent_end = _suffix_min(numpy.where(starting, positions, n))[1:].tolist() + [n]
        # The first word of a window from token i (as far as the first white
        # space, as ``\s`` finds it) ends with the first token k >= i followed by
        # white space: a gap (its trailing space), a space token or the end.
        # Tokens hold no white space unless they are all white space.
        followed = numpy.ones(n, dtype=bool)
        followed[:-1] = (idx[1:] != ends[:-1]) | space[1:]
        self.word_ends = ends[_suffix_min(numpy.where(followed, positions, n))].tolist() if n else []
        # ... and its lower-cased text, when the longest window from i is ASCII (else None).
        if text.isascii():
            ascii_windows = [True] * n
        else:
            others = numpy.array([m.start() for m in _NON_ASCII.finditer(text)] + [len(text)])
            longest = ends[numpy.minimum(positions + _MAX_ALIAS_TOKENS, n) - 1] if n else ends
            ascii_windows = (others[numpy.searchsorted(others, idx)] >= longest).tolist()
        self.words = [text[b:e].lower() if ok and e > b and start else None
                      for b, e, ok, start in zip(self.starts, self.word_ends, ascii_windows, self.opens)]
        # Likewise the word a window ending with token i ends with: from the
        # last token k <= i after white space (a gap, a space token or the
        # start) to token i, lower-cased.
        preceded = numpy.ones(n, dtype=bool)
        preceded[1:] = (idx[1:] != ends[:-1]) | space[:-1]
        self.word_starts = idx[numpy.maximum.accumulate(numpy.where(preceded, positions, 0))].tolist() if n else []
        self.ending_words = [None if blank else text[b:e].lower()
                             for b, e, blank in zip(self.word_starts, self.ends, self.is_space)]

    def token_text(self, i: int) -> str:
        """``doc[i].text``."""
        return self.text[self.starts[i]:self.ends[i]]


def _suffix_min(values):
    """``out[i] = min(values[i:])`` of a numpy array."""
    import numpy

    return numpy.minimum.accumulate(values[::-1])[::-1]


_WORD = re.compile(r"\s*\S+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _per_mappings(make):
    """Cache ``make(*mappings)`` by the mappings' identity (the dictionaries live as long as the process)."""
    cache: dict[tuple[int, ...], tuple[tuple, object]] = {}

    @wraps(make)
    def cached(*mappings):
        key = tuple(id(m) for m in mappings)
        hit = cache.get(key)
        if hit is None or any(a is not b for a, b in zip(hit[0], mappings)):
            hit = cache[key] = (mappings, make(*mappings))
        return hit[1]
    return cached


@_per_mappings
def _first_words(*mappings) -> dict[str, int]:
    """The first words of the keys of ``mappings`` (normalised names), lower-cased.

    Each with the most words a key starting with it has. A window whose text
    is ASCII and whose first word is not among them can match none of the
    keys, nor can one with more words than that (unless the word is "the",
    which :meth:`~kg.gazetteer.Gazetteer.lookup` drops): :func:`normalize_name`
    of ASCII text only folds case and collapses white space, so the key's
    words are the text's.
    """
    words: dict[str, int] = {}
    for mapping in mappings:
        for name in mapping:
            first, *rest = name.lower().split(" ")
            words[first] = max(words.get(first, 0), 1 + len(rest))
    return words


@_per_mappings
def _last_words(*mappings) -> frozenset[str]:
    """The last words of the keys of ``mappings``, lower-cased: an ASCII window must end with one.

    (The same reasoning as :func:`_first_words`; dropping a leading "the"
    leaves the last word alone.)
    """
    return frozenset(name.lower().split(" ")[-1] for mapping in mappings for name in mapping)


@_per_mappings
def _string_ids(mapping) -> frozenset[int]:
    """The spaCy string ids of the keys of ``mapping``: ``Doc.to_array(LOWER)`` values of those words."""
    from spacy.strings import get_string_id

    return frozenset(get_string_id(key) for key in mapping)


def _end_of_words(text: str, begin: int, count: int) -> int:
    """Where the ``count``-th white-space separated word from ``begin`` ends (else the text's end)."""
    position = begin
    for _ in range(count):
        match = _WORD.match(text, position)
        if match is None:
            return len(text)
        position = match.end()
    return position


def _table(linked: LinkedDoc) -> _TokenTable:
    table = linked._cache.get("table")
    if table is None:
        table = linked._cache["table"] = _TokenTable(linked.doc, linked._cache.get("text"))
    return table


def _windows(linked: LinkedDoc, taken: set[int], first_words: dict[str, int] | None = None,
             last_words: frozenset[str] | None = None):
    """Yield candidate token windows ``(start, end, text)``, longest first per start.

    ``text`` is ``doc[start:end].text``. ``taken`` may grow between two
    windows (the caller records matches): it is checked afresh after each.
    With ``first_words``, ASCII windows whose first word is not among them,
    or that have more words than any key starting with it, are left out;
    with ``last_words`` too, ASCII windows whose last word (when it starts
    in the window) is not among them (they cannot match; see :func:`_first_words`).
    """
    n = len(linked.doc)
    table = _table(linked)
    text, starts, ends, opens = table.text, table.starts, table.ends, table.opens
    is_space, sent_start, word_ends, words = table.is_space, table.sent_start, table.word_ends, table.words
    word_starts, ending_words = table.word_starts, table.ending_words
    candidates = range(n)
    if first_words is not None:
        # Leave out at once the starts the filter below leaves no window: an
        # ASCII first word that no key has, is not "the" and is one token.
        candidates = [i for i, word in enumerate(words) if opens[i] and (
            word is None or word in first_words or word == "the" or word_ends[i] > ends[i])]
    for start in candidates:
        if start in taken or not opens[start]:
            continue
        begin = starts[start]
        end = min(n, start + _MAX_ALIAS_TOKENS)
        word_end, word = len(text), None  # the first word of the windows: where it ends, lower-cased if ASCII
        if first_words is not None:
            word_end, word = word_ends[start], words[start]
            if word is not None:  # the windows are ASCII
                if word not in first_words and word != "the":
                    # Only windows ending inside the first word can match.
                    end = min(end, bisect_left(ends, word_end, start))
                elif word != "the":
                    # Nor can windows running past the words of the longest key.
                    end = min(end, bisect_right(ends, _end_of_words(text, begin, first_words[word]), start))
        checked = -1  # size of ``taken`` when [start, end) was last checked against it
        while end > start:
            if len(taken) != checked:
                # No window may hold a taken token: end at the first one.
                checked = len(taken)
                end = next((i for i in range(start, end) if i in taken), end)
                continue
            last = end - 1
            end -= 1
            if is_space[last] or sent_start[last] > start or text.find("\n", begin, ends[last]) != -1:
                continue
            if (last_words is not None and word is not None and word_starts[last] >= begin
                    and ending_words[last] not in last_words):
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


_ALSO_KNOWN = ("also known as", "known as", "also called", "or")


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
    for phrase in _ALSO_KNOWN[:3]:
        words = phrase.split()
        if [t.lower_ for t in doc[i:i + len(words)]] == words:
            i += len(words)
            break
    else:
        return None
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    first = i
    while i < len(doc) and doc[i].text[:1].isupper() and doc[i].pos_ in ("PROPN", "NOUN", "ADJ") \
            and linked.token_entity.get(i) not in linked.gazetteer.entities:
        i += 1  # unlinked, or a node NER made
    if i == first or i - first > 5:
        return None
    return " ".join(t.text for t in doc[first:i])


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
    ethnic = frozenset(linked.lexicon["ethnic_modifiers"])
    demonyms = _string_ids(gaz.demonyms)
    doc = linked.doc
    for token in [doc[i] for i, lower in enumerate(_table(linked).lower) if lower in demonyms]:
        entity_id = gaz.demonyms.get(token.lower_)
        if entity_id is None or token.i in taken:
            continue
        head = _force_head(token, force_nouns)
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
        elif token.i + 1 < len(linked.doc) and linked.doc[token.i + 1].text == "-" and token.dep_ in ("npadvmod", "amod", "compound"):
            # "Russian-backed": the state behind a hyphenated participle.
            _add(linked, gaz.entities[entity_id].entity, token.i, token.i + 1, taken)


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
    for token in doc:
        if token.i in taken or token.pos_ not in ("NOUN", "PROPN"):
            continue
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper():
            continue  # "the Iraqi premier Haider al-Abadi": a title before a name
        words = [c for c in token.lefts if c.dep_ == "compound" and c.i not in taken] + [token]
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
        if token.dep_ == "appos" and "Person" in linked.types(linked.token_entity.get(token.head.i, "")) or any(
                c.dep_ == "appos" and "Person" in linked.types(linked.token_entity.get(c.i, "")) for c in token.children):
            continue  # "Sergei Lavrov, Russia's foreign minister": the holder is named
        state = None
        for child in token.lefts:
            if child.dep_ == "amod" and gaz.demonyms.get(child.lower_):
                state, first = gaz.demonyms[child.lower_], child.i
            elif child.dep_ == "poss" and linked.token_entity.get(child.i) and \
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
        if any(c.dep_ in ("poss", "compound", "amod") and c.i in linked.token_entity for c in root.children) \
                or any(c.dep_ == "poss" and c.pos_ == "PRON" for c in root.children):
            continue  # "Iran ... its military": the possessor's forces, not the country's government
        if any(c.dep_ == "det" and c.lower_ in ("a", "an", "another", "any", "each", "every") for c in root.children) \
                or any(c.dep_ == "prep" and c.lower_ == "of" for c in root.children) \
                or any(c.dep_ == "amod" and c.i < start and "-" in doc[max(c.i - 1, 0):c.i + 1].text for c in root.children):
            continue  # "a Turkish-backed coalition of rebel factions" is not the coalition
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
    """Countries the sentence of a token names, directly or through its places."""
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
    return countries


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
    not_names = frozenset(linked.lexicon["not_names"])
    doc = linked.doc
    for ent in doc.ents:
        kind = _NER_TYPES.get(ent.label_)
        if kind is None:
            continue
        start, end = ent.start, ent.end
        # "Liwa Ahrar al-Jazira": take in capitalised name words NER left out
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound" \
                and doc[start - 1].head.i in range(start, end) and (start - 1) not in taken \
                and doc[start - 1].lower_ not in role_words:
            start -= 1
        # "the UN Spokesperson Stéphane Dujarric": a title after a name the dictionaries
        # know; the person's name is what follows the title.
        last_taken = max((i for i in range(start, end) if i in taken), default=None)
        if last_taken is not None and last_taken + 1 < end and doc[last_taken + 1].lower_ in role_words:
            start = last_taken + 1
        while start < end and (doc[start].lower_ in _DETERMINERS or doc[start].is_punct or doc[start].is_space):
            start += 1
        titled = False
        while end - start > 1 and doc[start].lower_ in role_words and doc[start + 1].pos_ == "PROPN":
            start, titled = start + 1, True  # "Spokesperson Stéphane Dujarric": a person
        # "the Kataib Nour al-Huda militia", "Russian de-escalation": trailing common words
        # and punctuation are not part of the name
        while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].dep_ == "case"
                               or end - start > 1 and doc[end - 1].is_lower and doc[end - 1].pos_ != "PROPN"):
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
                or token.pos_ != "PROPN" or _inside_name(linked.doc, token.i):
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
    return "State" not in info.types and info.kind in _SETTLEMENT_KINDS


def _inside_name(doc, i: int) -> bool:
    """Is token ``i`` one word of a longer name ('Abu Omar al-Tunisi', 'Tunisi Brigade')?"""
    for j in (i - 1, i + 1):
        if 0 <= j < len(doc) and (doc[j].text == "-" or doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper()):
            return True
    return False


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
        if i in taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.lower_ in not_names \
                or tok.ent_type_ in ("TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY") \
                or tok.lower_ in _CALENDAR_WORDS or tok.like_num:
            i += 1
            continue
        end = i
        while end < len(doc) and end not in taken and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper() \
                and doc[end].lower_ not in not_names:
            end += 1
        last = doc[end - 1]
        member = last
        while member.dep_ == "conj" and member.head != member:
            member = member.head
        head = last.head
        sibling = linked.entity_at(member) if member.i < i else None
        if sibling is None:
            sibling = next((linked.entity_at(c) for c in last.conjuncts if linked.entity_at(c)), None)
        is_place = (_settlement(linked, sibling) and member.dep_ in ("pobj", "dobj", "conj", "nsubj")) \
            or (last.dep_ in ("compound", "nmod") and head.i >= end and head.lower_ in place_heads
                    and all(t.i in range(i, end) or t.dep_ in ("amod", "compound", "det") for t in doc[end:head.i])) \
            or (member.dep_ == "pobj" and member.head.lower_ == "of" and member.head.head.lower_ in containers
                and member.head.head.pos_ == "NOUN") \
            or (member.dep_ == "pobj" and member.head.lower_ == "of" and member.head.head.lemma_.lower()
                in lex["place_event_nouns"]) \
            or any(c.dep_ == "appos" and c.lower_ in place_heads for c in last.children) \
            or (member.dep_ == "pobj" and member.head.lower_ == "as" and member.head.head.lemma_ in ("know", "call")
                and member.head.head.head.lower_ in place_heads)  # "the highway known as the M5"
        text = " ".join(doc[i:end].text.split())
        if is_place and _name_like(text) and text.lower() not in gaz.demonyms:
            entity_id = gaz.lookup(text)
            entity = gaz.entities[entity_id].entity if entity_id else _new_entity(gaz, text, "Place",
                                                                                   country=linked.country)
            _add(linked, entity, i, end, taken)
        i = end


def _named_kind(text: str, kinds: set[str]) -> bool:
    """Does a mention name a kind of place other than ``kinds`` ('Hama province' is no town)?"""
    last = text.lower().rsplit(" ", 1)[-1]
    named = {"province": "province", "governorate": "province", "countryside": "province",
             "district": "district", "region": "region", "city": "city", "town": "town", "village": "village"}.get(last)
    return named is not None and named not in kinds


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
            doc[end].dep_ in ("compound", "amod") and doc[end].head.lower_ in place_heads and doc[end].head.i > end)):
        return "Place"
    if root.dep_ in ("compound", "nmod") and root.head.i >= end and root.head.lower_ in place_heads:
        return "Place"
    member = root
    while member.dep_ == "conj" and member.head != member:
        member = member.head
    if member.dep_ == "pobj" and member.head.lower_ == "of" and \
            member.head.head.lower_ in lex["place_container_nouns"]:
        return "Place"  # "the village of Khirbet Nasser"
    single = end - start == 1
    if member.dep_ == "pobj" and member.head.lower_ in lex["place_prepositions"] and (kind != "Person" or single):
        return "Place"
    if member is not root or root.conjuncts:  # "Latamneh and Kafr Zita": a town's conjunct
        for other in [member, *member.conjuncts]:
            if _settlement(linked, linked.entity_at(other)):
                return "Place"
    if kind == "Organization" and any(w in text.lower().split() for w in _ARMED_WORDS):
        return "ArmedGroup"
    for child in root.children:  # "Saraya Ansar al-Haqq, a little-known Shiite militia"
        if child.dep_ == "appos" and child.pos_ == "NOUN":
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
