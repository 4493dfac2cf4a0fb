"""Finding names and quotes in a text, whatever its case, accents, quotes, punctuation and spacing."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from kg.records import Span

_DROPPED = frozenset(".'`\u2019\u2018\u02bc")  # dropped as the scorer drops them ("U.S." is "US")


class Folded:
    """A text folded for matching (accents, case, quotes, punctuation and white
    space ignored), with the offset in the original of each folded character.

    ``cased`` keeps capitals (acronyms match only in capitals); ``lower`` is it in lower case.

    >>> f = Folded("Hay\u2019at  Tahrir-al-Sham")
    >>> f.lower, f.span(0, 5)
    ('hayat tahrir al sham', Span(start=0, end=6))
    """

    def __init__(self, text: str):
        cased: list[str] = []
        lower: list[str] = []
        where: list[int] = []
        space = True
        for i, ch in enumerate(text):
            chars = ch if ch.isascii() else "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            for c in chars:
                if c in _DROPPED:
                    continue
                if c.isalnum():
                    low = c.lower()
                    cased.append(c)
                    lower.append(low if len(low) == 1 else c)
                    where.append(i)
                    space = False
                elif not space:
                    cased.append(" ")
                    lower.append(" ")
                    where.append(i)
                    space = True
        if cased and cased[-1] == " ":
            cased.pop(), lower.pop(), where.pop()
        self.cased = "".join(cased)
        self.lower = "".join(lower)
        self.where = where

    def span(self, start: int, end: int) -> Span:
        """The original text's span of folded characters ``[start, end)``."""
        return Span(self.where[start], self.where[end - 1] + 1)

    def find_all(self, phrase: str) -> list[Span]:
        """Every place ``phrase`` occurs (folded, between word boundaries).

        >>> Folded("The SDF \u2018took\u2019 Raqqa.  The SDF left").find_all("sdf 'took' raqqa")
        [Span(start=4, end=20)]
        """
        key = Folded(phrase).lower
        if not key:
            return []
        return [self.span(m.start(), m.end())
                for m in re.finditer(r"(?<!\w)" + re.escape(key) + r"(?!\w)", self.lower)]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A name of one or more gold entities found in a document's text."""

    span: Span
    surface: str
    ids: frozenset[str]


class NameFinder:
    """Finds, in a text, every name of a set of entities, longest first.

    ``names`` maps a name to the entity ids it denotes. Short all-capital
    names (acronyms: "IS", "US") match only in capitals; other names match
    in any case, with a plural "s" or "es".

    >>> finder = NameFinder({"Islamic State": {"isis"}, "IS": {"isis"}, "Raqqa": {"raqqa"}})
    >>> [(o.surface, sorted(o.ids)) for o in finder.find("IS is in raqqa; the Islamic States")]
    [('IS', ['isis']), ('raqqa', ['raqqa']), ('Islamic States', ['isis'])]
    """

    def __init__(self, names: Mapping[str, Iterable[str]]):
        from kg.gazetteer import is_acronym

        self.cased: dict[str, set[str]] = defaultdict(set)
        self.lower: dict[str, set[str]] = defaultdict(set)
        for name, ids in names.items():
            folded = Folded(name)
            if is_acronym(name.strip()):
                if folded.cased:
                    self.cased[folded.cased].update(ids)
            elif folded.lower:
                self.lower[folded.lower].update(ids)
        self._cased = self._pattern(self.cased, "")
        self._lower = self._pattern(self.lower, "(?:e?s)?")

    @staticmethod
    def _pattern(keys: Mapping[str, set[str]], plural: str) -> re.Pattern | None:
        if not keys:
            return None
        alternatives = "|".join(re.escape(k) for k in sorted(keys, key=lambda k: (-len(k), k)))
        return re.compile(rf"(?<!\w)(?P<name>{alternatives}){plural}(?!\w)")

    def find(self, text: str, folded: Folded | None = None) -> list[Occurrence]:
        """The occurrences in ``text``, longest first where they overlap, in text order."""
        folded = folded or Folded(text)
        found = []
        for pattern, source, keys in ((self._cased, folded.cased, self.cased),
                                      (self._lower, folded.lower, self.lower)):
            if pattern is None:
                continue
            for m in pattern.finditer(source):
                found.append((m.start(), m.end(), frozenset(keys[m["name"]])))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out: list[Occurrence] = []
        reach = -1
        for start, end, ids in found:
            if start < reach:
                continue
            span = folded.span(start, end)
            if text[span.end:span.end + 1] == "." and span.end - span.start > 1 and text[span.end - 2] == ".":
                span = Span(span.start, span.end + 1)  # an abbreviation keeps its last full stop: "U.S."
            out.append(Occurrence(span, text[span.start:span.end], ids))
            reach = end
        return out
