"""The linked article: a parsed Doc with its mentions, and the token table the passes read.

:class:`LinkedDoc` is what linking gives relation extraction: every mention
of a canonical entity, the entity each token belongs to, and light
coreference for descriptions and pronouns (:meth:`LinkedDoc.resolve`).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import wraps

from kg.gazetteer import Gazetteer
from kg.parse_labels import (
    AUX_VERB,
    DETERMINER,
    DIRECT_OBJECT,
    NOUN,
    PASSIVE_SUBJECT,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PRONOUN,
    SUBJECT,
    UD_OBJECT,
    VERB,
)
from kg.records import Entity, Mention, Span


_MAX_ALIAS_TOKENS = 9


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

    def resolve(self, token, *, types: tuple[str, ...] | None = None, definite: bool = False,
                avoid: frozenset[str] = frozenset()) -> str | None:
        """Entity for a description or pronoun, by light coreference.

        A definite description ("the group", "the monitor", "the city"; with
        ``definite``, a noun whose phrase is definite elsewhere, as "city" in
        "the city centre") or a bare plural such as "jihadists" refers to the most recent earlier
        mention whose entity has a compatible type (and preferred tag); a
        pronoun to the most recent compatible actor. Entities in ``avoid``
        are passed over ("X killed one of its commanders": not X). Returns
        None when nothing compatible is near enough.
        """
        coref = self.lexicon["coreference"]
        lower = token.lower_
        spec = coref["pronouns"].get(lower) if token.pos_ == PRONOUN else None
        if spec is not None and types:
            spec = {**spec, "types": list(types)}  # "after it fell to IS": it is a place
        if spec is None:
            spec = coref["descriptions"].get(lower) or coref["descriptions"].get(token.lemma_.lower())
            if spec is None:
                return None
            has_det = definite or any(c.dep_ == DETERMINER and c.lower_ in lexicon_words(self, "definite_determiners") for c in token.children)
            has_poss = any(c.dep_ == POSSESSOR for c in token.children)
            if not (has_det or has_poss or spec.get("bare")):
                return None
            # "the al-Qaeda-linked group" is not al-Qaeda: a description never stands for a name in its own phrase
            avoid = avoid | {self.token_entity[t.i] for t in token.subtree if t.i < token.i and t.i in self.token_entity}
        if token.pos_ == PRONOUN and token.dep_ == POSSESSOR and not avoid:
            agent = self._agent_of_phrase(token, spec)
            if agent is not None:
                return agent  # "advances by the Syrian army in its push": its is the army's
        found = self._most_recent(token, spec, coref.get("max_sentences_back", 3), avoid)
        if found and lower in lexicon_words(self, "plural_pronouns") and self._closer_object(token, found):
            return None  # "the coalition arrested a jihadist ... while they were fleeing"
        return found

    def _agent_of_phrase(self, token, spec: dict) -> str | None:
        """The by-agent of the noun phrase a possessive pronoun sits in, if it has one."""
        types = set(spec.get("types", ()))
        cur = token.head
        for _ in range(4):
            if cur.pos_ in (VERB, AUX_VERB) or cur.head == cur:
                return None
            for prep in cur.children:
                if prep.dep_ == PREPOSITION and prep.lower_ == "by" and prep.i < token.i:
                    for pobj in prep.children:
                        entity = self.token_entity.get(pobj.i)
                        if pobj.dep_ == PREP_OBJECT and entity and (not types or set(self.types(entity)) & types):
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
            if tok.dep_ in (DIRECT_OBJECT, UD_OBJECT) and tok.pos_ == NOUN and tok.i not in self.token_entity:
                return True
        return False

    def _most_recent(self, token, spec: dict, max_back: int, avoid: frozenset[str] = frozenset()) -> str | None:
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
        not_kinds = set(spec.get("not_kinds", ()))
        avoid_tags = set(spec.get("avoid_tags", ()))
        candidates = []
        for mention in reversed(self.mentions):
            start_token, last_token = self._mention_tokens(mention)
            if start_token >= token.i or start_token < floor:
                continue
            if start_token <= token.i <= last_token:
                continue
            if mention.entity in avoid:
                continue
            entity_types = set(self.types(mention.entity))
            if types and not entity_types & types:
                continue
            info = self.info(mention.entity)
            if avoid_tags and info is not None and info.tags & avoid_tags:
                continue  # "the militants" are never the Peshmerga or a government's militia
            if not_kinds and info is not None and info.kind in not_kinds:
                continue  # "the facility" is no town or province
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
            if types == {"Place"}:
                # "Jordan shut the crossing after rebels seized it": a pronoun that must be a
                # place is the town or site of its sentence before a state, which mostly acts
                sites = [c for c in candidates if c[3] == nearest and "State" not in self.types(c[0])]
                if sites:
                    candidates = sites + [c for c in candidates if c not in sites]
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
            found = self._cache[key] = span is not None and span.root.dep_ in (SUBJECT, PASSIVE_SUBJECT)
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

    def __init__(self, doc, text: str | None = None, determiners: frozenset[str] = frozenset()):
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
        determiners = numpy.array([hash_string(d) for d in sorted(determiners)], dtype=numpy.uint64)
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


def lexicon_words(linked: LinkedDoc, key: str) -> frozenset[str]:
    """The words of the lexicon's list ``key`` (``ontology/lexicon.json``), made into a set once per article."""
    words = linked._cache.get(("lexicon", key))
    if words is None:
        words = linked._cache[("lexicon", key)] = frozenset(linked.lexicon[key])
    return words


def _table(linked: LinkedDoc) -> _TokenTable:
    table = linked._cache.get("table")
    if table is None:
        table = linked._cache["table"] = _TokenTable(linked.doc, linked._cache.get("text"),
                                                       lexicon_words(linked, "definite_determiners"))
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


def _named_kind(text: str, kinds: set[str]) -> bool:
    """Does a mention name a kind of place other than ``kinds`` ('Hama province' is no town)?"""
    last = text.lower().rsplit(" ", 1)[-1]
    named = {"province": "province", "governorate": "province", "countryside": "province",
             "district": "district", "region": "region", "city": "city", "town": "town", "village": "village"}.get(last)
    return named is not None and named not in kinds
