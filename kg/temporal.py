r"""When: the date a sentence speaks of, resolved against the publication date.

A small grammar of English news-style time expressions, with its words in
``ontology/temporal.json``:

* **explicit dates**: "August 28, 2017", "28 August 2017", "Sunday, October 15,
  2017", "2017-10-15", "17/10/2017" (day precision); "on Oct. 9", "15 March",
  "Monday, June 11" without a year: the last such day on or before
  publication (and, when a weekday is named, one on that weekday);
  "in March 2019", "Dec. 2019" (month); "in March", "since early October"
  (month: the last such month up to publication); "in 2014", "since
  mid-2015", "the summer of 2018" (year);
* **weekdays**: "on Sunday", "late Monday", "Sunday's attack": the last such
  day on or before publication; "last Sunday" strictly before it, "next
  Sunday" strictly after;
* in a clause that speaks of the future ("talks will resume on Monday", "a
  vote is expected in December", words in ``temporal.json``), a weekday, a
  month or a date without a year is the first one on or after publication;
* **relative expressions**: "today", "tonight", "yesterday", "last night",
  "tomorrow", "two days ago" (day); "last week", "three weeks ago", "earlier
  this week" (week); "last month", "earlier this month", "last October"
  (month); "last year", "this year" (year).

Each date has a precision, as ACLED's ``time_precision``: ``day``, ``week``,
``month`` or ``year``; the date written is the first day of that period (the
Monday of a week, the 1st of a month, 1 January of a year). What is not a
date stays undated: "the 1990s", "9/11", "Resolution 2254", "a 24-hour
truce", "2,000 troops", "the truce may hold", "the Sunday Times".

Which expression dates a sentence: of those that are neither a bound
("before 2011", "ahead of Sunday's vote") nor a modifier of a noun ("the
September 25 referendum", "its 2014 offensive": the date of that referendum
or offensive, not of the sentence), the finest, and the first of equals,
preferring those outside a relative clause or brackets ("the talks, which
began in March, resumed in June": June). In news the most precise date is
the news ("ISIS held the town from 2014 until it left on Sunday": Sunday);
the coarse ones are background. A weekday or relative
expression that modifies a noun ("Sunday's attack", "last week's talks") is
used when nothing else dates the sentence. A sentence with no expression
inherits the publication date (``source="inherited"``); an expression that
needs the publication date ("on Sunday") in a document without one is
``"unresolved"``: nothing takes the clock of the machine that builds.
Expressions anchored in the story rather than in the publication ("the next
day", "two days later") are not read: such a sentence inherits.

>>> date_sentence("The SDF captured Raqqa on Sunday, a monitor said.", "2017-10-18")
EventDate(date='2017-10-15', precision='day', source='stated', expression='Sunday')
>>> date_sentence("Rebels left the town in March 2019.", None)
EventDate(date='2019-03-01', precision='month', source='stated', expression='March 2019')
>>> date_sentence("The truce held.", "2017-10-18")
EventDate(date='2017-10-18', precision='day', source='inherited', expression=None)
>>> date_sentence("Fighters left yesterday.", None)
EventDate(date=None, precision=None, source='unresolved', expression='yesterday')
>>> date_sentence("The truce held.", None) is None
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

from kg.records import EventDate, Span
from kg.resources import load_data

__all__ = ["PRECISIONS", "SOURCES", "EventDate", "TimeExpression", "date_sentence", "date_sentences",
           "find_expressions", "period_end", "resolve"]

#: Precisions, finest first.
PRECISIONS = ("day", "week", "month", "year")
#: Where an evidence date comes from.
SOURCES = ("stated", "inherited", "unresolved")

_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """One time expression found in a sentence (offsets into the sentence).

    ``kind`` is ``date`` (year, month, day), ``month-day`` (no year),
    ``month-year``, ``month`` (alone), ``year``, ``weekday`` or ``relative``
    (``offset`` periods of ``unit`` from publication). ``attributive``: it
    modifies a noun; ``bound``: it only bounds the time ("before 2011").
    """

    start: int
    end: int
    text: str
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    unit: str | None = None
    offset: int = 0
    strict: bool = False  # weekday "last"/"next", month "last": strictly before or after publication
    attributive: bool = False
    bound: bool = False
    aside: bool = False  # in a relative clause or brackets: ", which seized it in 2014,"
    future: bool = False  # its clause speaks of the future ("will resume on Monday")


# --------------------------------------------------------------------------
# The grammar
# --------------------------------------------------------------------------

def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class _Grammar:
    months: dict
    weekdays: dict
    numbers: dict
    units: dict
    patterns: tuple
    gates: re.Pattern
    bounds: re.Pattern
    future: re.Pattern
    determiners: frozenset
    not_after_weekday: frozenset
    not_before_weekday: frozenset


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    data = load_data("temporal")
    months, weekdays = data["months"], data["weekdays"]
    numbers, units = data["numbers"], data["units"]
    mon = rf"(?P<mon>{_alternation(months)})\.?"
    wd = rf"(?P<wd>{_alternation(weekdays)})"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?P<year>(?:1[89]|20)\d\d)(?![\d.,]\d)(?!['’]?s\b)"
    lead = rf"(?:{wd.replace('?P<wd>', '?P<lwd>')},?\s+)?"
    year_words = _alternation(data["year_words"])
    month_words = _alternation(data["month_words"])
    number = rf"(?P<n>\d{{1,2}}|{_alternation(numbers)})"
    unit = rf"(?P<unit>{_alternation(units)})"
    b, e = r"(?<![\w/.-])", r"(?![\w/-]|\.\d)"
    patterns = (
        ("date-mdy", rf"{b}{lead}{mon}\s+{day},?\s+{year}{e}"),
        ("date-dmy", rf"{b}{lead}(?:the\s+)?{day}\s+(?:of\s+)?{mon},?\s+{year}{e}"),
        ("iso", rf"{b}{year}-(?P<m2>\d\d)-(?P<d2>\d\d)(?!\d)"),
        ("numeric", rf"{b}(?P<a>\d{{1,2}})(?P<sep>[/.])(?P<c>\d{{1,2}})(?P=sep){year}{e}"),
        ("numeric-ymd", rf"{b}{year}/(?P<m2>\d{{1,2}})/(?P<d2>\d{{1,2}}){e}"),
        ("month-year", rf"{b}{mon},?\s+(?:of\s+)?{year}{e}"),
        ("month-day", rf"{b}{lead}{mon}\s+{day}(?!\d|,?\s+(?:1[89]|20)\d\d)(?![\w:/.-]\w)"),
        ("day-month", rf"{b}{lead}(?:the\s+)?{day}\s+(?:of\s+)?{mon}(?!\w)(?!,?\s+(?:1[89]|20)\d\d)"),
        ("last-month", rf"{b}(?P<rel>last|this\s+past)\s+{mon}(?!\w)"),
        ("month", rf"{b}(?P<pre>{month_words})(?:\s+|-){mon}(?!\w)"),
        ("year", rf"{b}(?P<pre>{year_words})(?:\s+|-){year}{e}"),
        ("weekday", rf"{b}(?:(?P<rel>last|next|this)\s+)?{wd}(?P<poss>['’]s)?(?!\w)"),
        ("ago", rf"{b}{number}\s+{unit}\s+ago{e}"),
        ("this-unit", rf"{b}(?:(?:earlier|later)\s+(?:this|in\s+the)|this)\s+(?P<unit>week|month|year)"
                      rf"(?P<poss>['’]s)?{e}"),
        ("last-unit", rf"{b}(?P<rel>last|next)\s+(?P<unit>week|month|year)(?P<poss>['’]s)?{e}"),
        ("day-word", rf"{b}(?P<word>the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow"
                     rf"|last\s+night|this\s+(?:morning|afternoon|evening)|earlier\s+today|later\s+today)"
                     rf"(?P<poss>['’]s)?{e}"),
    )
    # What each pattern needs in the sentence: most sentences name no month, weekday or
    # number, and one quick test spares them the patterns' scans.
    needs = {"date-mdy": ("month", "digit"), "date-dmy": ("month", "digit"), "iso": ("digit",),
             "numeric": ("digit",), "numeric-ymd": ("digit",), "month-year": ("month", "digit"),
             "month-day": ("month", "digit"), "day-month": ("month", "digit"), "last-month": ("month",),
             "month": ("month",), "year": ("digit",), "weekday": ("weekday",), "ago": ("ago",),
             "this-unit": ("unit",), "last-unit": ("unit",), "day-word": ("dayword",)}
    compiled = tuple((kind, re.compile(p, re.IGNORECASE), needs[kind]) for kind, p in patterns)
    gates = re.compile("|".join((  # one pass over the lower-cased sentence: which of them it has
        rf"(?P<month>\b(?:{_alternation(months)})\b)",
        rf"(?P<weekday>\b(?:{_alternation(weekdays)}))",
        r"(?P<digit>\d)",
        r"(?P<ago>\bago\b)",
        r"(?P<unit>week|month|year)",
        r"(?P<dayword>yesterday|today|tonight|tomorrow|night|morning|afternoon|evening)",
    )))
    bounds = re.compile(rf"(?:^|\W)(?:{_alternation(data['bounds'])})\s*$", re.IGNORECASE)
    future = re.compile(rf"(?<!\w)(?:{_alternation(data['future'])})(?!\w)", re.IGNORECASE)
    return _Grammar(months, weekdays, numbers, units, compiled, gates, bounds, future,
                    frozenset(data["determiners"]), frozenset(data["not_after_weekday"]),
                    frozenset(data["not_before_weekday"]))


_DAY_WORDS = {"the day before yesterday": -2, "yesterday": -1, "last night": -1, "tomorrow": 1}
_FUNCTION_WORDS = frozenset({
    "and", "or", "but", "to", "at", "in", "on", "when", "as", "after", "before", "the", "a", "an", "that",
    "which", "by", "for", "with", "from", "of", "until", "while", "amid", "during", "since", "into", "is",
    "was", "were", "are", "be", "had", "has", "have", "will", "would", "said", "says", "saw",
})
_WORD_AFTER = re.compile(r"\s*([A-Za-z][\w-]*)")
_WORD_BEFORE = re.compile(r"([A-Za-z][\w-]*)\s*$")


def _capitalised(word: str | None) -> bool:
    return word is None or word[:1].isupper()


def _make(kind: str, m: re.Match, g: _Grammar) -> TimeExpression | None:
    """The expression a match stands for, or None when it is not one after all."""
    get = m.groupdict().get
    for name in ("mon", "wd", "lwd"):  # month and weekday names are capitalised in running text
        if not _capitalised(get(name)):
            return None
    month = g.months[get("mon").lower().rstrip(".")] if get("mon") else None
    lead = g.weekdays[get("lwd").lower()] if get("lwd") else None
    text = m.group(0)
    common = {"start": m.start(), "end": m.end(), "text": text}
    if kind in ("date-mdy", "date-dmy"):
        return TimeExpression(kind="date", year=int(get("year")), month=month, day=int(get("day")),
                              weekday=lead, **common)
    if kind == "iso" or kind == "numeric-ymd":
        return TimeExpression(kind="date", year=int(get("year")), month=int(get("m2")), day=int(get("d2")), **common)
    if kind == "numeric":
        a, c = int(get("a")), int(get("c"))
        if get("sep") == ".":
            day_, month_ = a, c  # 17.10.2017: day first, as where dots are written
        elif a > 12 >= c:
            day_, month_ = a, c
        elif c > 12 >= a:
            day_, month_ = c, a
        else:
            return None  # 05/06/2017: May 6 or 5 June
        return TimeExpression(kind="date", year=int(get("year")), month=month_, day=day_, **common)
    if kind == "month-year":
        return TimeExpression(kind="month-year", year=int(get("year")), month=month, **common)
    if kind in ("month-day", "day-month"):
        return TimeExpression(kind="month-day", month=month, day=int(get("day")), weekday=lead, **common)
    if kind == "last-month":
        return TimeExpression(kind="month", month=month, strict=True, **common)
    if kind == "month":
        return TimeExpression(kind="month", month=month, **common)
    if kind == "year":
        return TimeExpression(kind="year", year=int(get("year")), **common)
    if kind == "weekday":
        rel = (get("rel") or "").lower()
        return TimeExpression(kind="weekday", weekday=g.weekdays[get("wd").lower()],
                              offset={"last": -1, "next": 1}.get(rel, 0), strict=rel in ("last", "next"),
                              attributive=bool(get("poss")), **common)
    if kind == "ago":
        n = get("n").lower()
        count = int(n) if n.isdigit() else g.numbers[" ".join(n.split())]
        return TimeExpression(kind="relative", unit=g.units[get("unit").lower()], offset=-count, **common)
    if kind == "this-unit":
        return TimeExpression(kind="relative", unit=get("unit").lower(), offset=0,
                              attributive=bool(get("poss")), **common)
    if kind == "last-unit":
        return TimeExpression(kind="relative", unit=get("unit").lower(),
                              offset=-1 if get("rel").lower() == "last" else 1,
                              attributive=bool(get("poss")), **common)
    if kind == "day-word":
        word = " ".join(get("word").lower().split())
        return TimeExpression(kind="relative", unit="day", offset=_DAY_WORDS.get(word, 0),
                              attributive=bool(get("poss")), **common)
    raise AssertionError(kind)


_ASIDES = re.compile(r",\s*(?:which|who|whom|whose|where|when)\b[^,;()]*(?=[,;]|$)|\([^()]*\)")


def _asides(sentence: str) -> list[tuple[int, int]]:
    """Spans of relative clauses set off by commas, and of brackets."""
    return [m.span() for m in _ASIDES.finditer(sentence)]


def _context(expr: TimeExpression, sentence: str, g: _Grammar,
             asides: list[tuple[int, int]]) -> TimeExpression | None:
    """Mark a bound, a noun modifier, an aside; None when the words around say it is no date."""
    before = sentence[:expr.start]
    after = sentence[expr.end:]
    prev = _WORD_BEFORE.search(before)
    following = _WORD_AFTER.match(after)
    prev_word = prev.group(1).lower() if prev else ""
    next_word = following.group(1) if following else ""
    if expr.kind == "weekday":
        if next_word.lower() in g.not_after_weekday or prev_word in g.not_before_weekday:
            return None  # "the Sunday Times", "Bloody Sunday"
    bound = bool(g.bounds.search(before))
    modifies = (prev_word in g.determiners and bool(next_word) and next_word[:1].islower()
                and next_word.lower() not in _FUNCTION_WORDS)
    attributive = expr.attributive or modifies
    aside = any(a <= expr.start and expr.end <= b for a, b in asides)
    future = False
    if expr.kind in ("weekday", "month", "month-day") and not expr.strict:
        start = max(sentence.rfind(c, 0, expr.start) for c in ",;:(\u2014") + 1
        ends = [i for i in (sentence.find(c, expr.end) for c in ",;:)\u2014") if i >= 0]
        future = bool(g.future.search(sentence, start, min(ends, default=len(sentence))))
    if attributive == expr.attributive and not (bound or aside or future):
        return expr
    return TimeExpression(**{**{f: getattr(expr, f) for f in expr.__dataclass_fields__},
                             "attributive": attributive, "bound": bound, "aside": aside, "future": future})


def find_expressions(sentence: str) -> list[TimeExpression]:
    """Every time expression of ``sentence``, in reading order, without overlaps.

    Where matches overlap, the longest wins ("Monday, June 11" over "Monday").

    >>> [(e.kind, e.text) for e in find_expressions("On Monday, June 11, talks began; by 2019 they failed.")]
    [('month-day', 'Monday, June 11'), ('year', 'by 2019')]
    >>> find_expressions("the 1990s, 9/11, Resolution 2254 and a 24-hour truce")
    []
    """
    g = _grammar()
    text = _TAG.sub(lambda m: " " * len(m.group(0)), sentence) if "<" in sentence else sentence
    found = []
    present = {m.lastgroup for m in g.gates.finditer(text.lower())}
    if not present:
        return []
    for kind, pattern, needs in g.patterns:
        if not present.issuperset(needs):
            continue
        for m in pattern.finditer(text):
            expr = _make(kind, m, g)
            if expr is not None:
                found.append(expr)
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    out: list[TimeExpression] = []
    for expr in found:
        if out and expr.start < out[-1].end:
            if expr.end - expr.start > out[-1].end - out[-1].start:
                out[-1] = expr  # a longer one starting inside the previous: rare, take the longer
            continue
        out.append(expr)
    result = []
    asides = _asides(text) if out else []
    for expr in out:
        expr = _context(expr, text, g, asides)
        if expr is not None:
            result.append(expr)
    return result


# --------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------

def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_start(year: int, month: int, shift: int = 0) -> date:
    index = year * 12 + (month - 1) + shift
    return date(index // 12, index % 12 + 1, 1)


def resolve(expr: TimeExpression, published: date | None) -> tuple[date, str] | None:
    """``(first day, precision)`` of an expression, or None when it cannot be resolved.

    ``published`` anchors weekdays, relative expressions and dates without
    a year; without it only explicit dates with a year resolve.

    >>> [e] = find_expressions("on Sunday")
    >>> resolve(e, date(2018, 1, 2)), resolve(e, None)
    ((datetime.date(2017, 12, 31), 'day'), None)
    """
    kind = expr.kind
    if kind == "date":
        found = _valid(expr.year, expr.month, expr.day)
        return (found, "day") if found else None
    if kind == "month-year":
        return date(expr.year, expr.month, 1), "month"
    if kind == "year":
        return date(expr.year, 1, 1), "year"
    if published is None:
        return None
    if kind == "month-day":
        candidates = [d for d in (_valid(published.year + k, expr.month, expr.day) for k in (-1, 0, 1)) if d]
        if not candidates:
            return None
        if expr.weekday is not None:  # "Monday, June 11": the year when June 11 is a Monday, if near
            matching = [d for d in candidates if d.weekday() == expr.weekday]
            candidates = matching or candidates
        side = [d for d in candidates if (d >= published if expr.future else d <= published)]
        return min(side or candidates, key=lambda d: abs((d - published).days)), "day"
    if kind == "month":
        here = published.year * 12 + published.month - 1
        options = [_month_start(published.year + k, expr.month) for k in (-1, 0, 1)]
        index = {d: d.year * 12 + d.month - 1 for d in options}
        if expr.strict:  # "last October": the latest October before this month
            return max(d for d in options if index[d] < here), "month"
        if expr.future:
            return min(d for d in options if index[d] >= here), "month"
        return max(d for d in options if index[d] <= here), "month"
    if kind == "weekday":
        back = (published.weekday() - expr.weekday) % 7
        ahead = (expr.weekday - published.weekday()) % 7
        if expr.offset < 0:  # "last Sunday": strictly before
            return published - timedelta(days=back or 7), "day"
        if expr.offset > 0:  # "next Sunday": strictly after
            return published + timedelta(days=ahead or 7), "day"
        return (published + timedelta(days=ahead) if expr.future else published - timedelta(days=back)), "day"
    if kind == "relative":
        unit, n = expr.unit, expr.offset
        if unit == "day":
            return published + timedelta(days=n), "day"
        if unit == "week":
            monday = published - timedelta(days=published.weekday())
            return monday + timedelta(weeks=n), "week"
        if unit == "month":
            return _month_start(published.year, published.month, n), "month"
        if unit == "year":
            return date(published.year + n, 1, 1), "year"
    return None


def period_end(start: str, precision: str) -> str:
    """The last day of the period a date of that precision stands for (ISO).

    >>> period_end("2017-10-09", "week"), period_end("2016-02-01", "month"), period_end("2014-01-01", "year")
    ('2017-10-15', '2016-02-29', '2014-12-31')
    """
    first = date.fromisoformat(start)
    if precision == "week":
        return (first + timedelta(days=6)).isoformat()
    if precision == "month":
        return (_month_start(first.year, first.month, 1) - timedelta(days=1)).isoformat()
    if precision == "year":
        return date(first.year, 12, 31).isoformat()
    return start


_KIND_PRECISION = {"date": 0, "month-day": 0, "weekday": 0, "month-year": 2, "month": 2, "year": 3}
_UNIT_PRECISION = {"day": 0, "week": 1, "month": 2, "year": 3}


def _precision_rank(expr: TimeExpression) -> int:
    return _UNIT_PRECISION[expr.unit] if expr.kind == "relative" else _KIND_PRECISION[expr.kind]


def _choose(expressions: list[TimeExpression]) -> TimeExpression | None:
    """The expression that dates the sentence: the finest, then the first (see the module)."""
    usable = [e for e in expressions if not e.bound]
    own = [e for e in usable if not e.attributive]
    for group in ([e for e in own if not e.aside], own):
        if group:
            return min(group, key=_precision_rank)  # min keeps the first of equals
    return next((e for e in usable if e.kind in ("weekday", "relative")), None)


def date_sentence(sentence: str, published: str | None) -> EventDate | None:
    """The date ``sentence`` speaks of, against the ISO publication date (or None).

    None when the sentence has no time expression and the document no date.
    """
    anchor = date.fromisoformat(published) if published else None
    expr = _choose(find_expressions(sentence))
    if expr is not None:
        found = resolve(expr, anchor)
        text = " ".join(expr.text.split())
        if found is not None:
            return EventDate(found[0].isoformat(), found[1], "stated", text)
        if anchor is None:
            return EventDate(None, None, "unresolved", text)
    if published:
        return EventDate(published, "day", "inherited", None)
    return None


def date_sentences(sentences: Iterable[tuple[Span, str]], published: str | None) -> dict[Span, EventDate]:
    """:func:`date_sentence` of each ``(span, text)`` of one document, by span (each dated once).

    Sentences without a date (no expression, no publication date) are left out.

    >>> dates = date_sentences([(Span(0, 20), "IS left on Sunday."), (Span(21, 30), "It held.")], "2017-10-18")
    >>> [(span.start, d.date, d.source) for span, d in dates.items()]
    [(0, '2017-10-15', 'stated'), (21, '2017-10-18', 'inherited')]
    """
    out: dict[Span, EventDate] = {}
    for span, text in sentences:
        if span not in out:
            found = date_sentence(text, published)
            if found is not None:
                out[span] = found
    return out
