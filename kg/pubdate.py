r"""The publication date of a document, and how it was found.

Tried in this order; the first that gives a date wins (its name is the
document's ``kgo:dateSource``):

``html-meta``
    an HTML page's markup: meta tags (``article:published_time``,
    ``DC.date``, ...), JSON-LD ``datePublished``, ``<time datetime>``, read
    by the PyPI library htmldate (markup only: its search of the free text
    is left to the rules below), preferring the publication date to the
    modification date;
``iso-line``
    a line near the top that starts with an ISO date after "date",
    "published" or "posted" (``date 2019-10-17``);
``date-line``
    a line that is only a date, maybe with a weekday, a time and "Updated",
    "Published" ("Sunday, October 15, 2017", "Updated Dec 14, 2016",
    "2:11 a.m., October 17, 2017"), as :mod:`kg.furniture` finds them;
``dateline``
    a dateline with a full date ("WASHINGTON, Dec. 14, 2016 (AP) -");
``file-name``
    a date in the file's name (``2019-10-17_report.txt``, ``report-20191017.html``);
``text-weekday``
    the article's lead names a weekday ("officials said Thursday") and the
    latest full date of the text (a photo caption's "Damascus, May 10, 2018")
    falls on that weekday; or the lead gives a weekday with a day and month
    ("on Monday, June 11") and the year is the first, from the latest year
    the text mentions, in which that day is that weekday. A date that
    disagrees with the lead's weekday (an old file photo's) is not taken.

Nothing else: a page that prints no date gets none (never the clock's).

>>> publication_date("Sunday, October 15, 2017\n\nTitle\n\nText of the story here.", path="a.txt")
PublicationDate(date='2017-10-15', source='date-line')
>>> publication_date(" date 2019-12-31 Reuters, WASHINGTON\n\nThe US struck on Sunday.", path="b.txt")
PublicationDate(date='2019-12-31', source='iso-line')
>>> publication_date("No date here at all.", path="2018-06-11_story.txt").source
'file-name'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

__all__ = ["SOURCES", "PublicationDate", "html_meta_date", "iso_date_line", "publication_date"]

#: The values of a document's ``kgo:dateSource``, in the order they are tried.
SOURCES = ("html-meta", "iso-line", "date-line", "dateline", "file-name", "text-weekday")

#: Lines of the page read for an ISO date line, the dateline and the lead.
_TOP_LINES = 6
_LEAD_PARAGRAPHS = 3
_LEAD_WORDS = 12
#: How many years after the latest year a text mentions a weekday-and-day may fall.
_YEARS_AHEAD = 7
_ISO_LINE = re.compile(r"[ \t]*(?:date|dated|published|posted)[ \t]*:?[ \t]*((?:19|20)\d\d-\d\d-\d\d)(?![\d:-])",
                       re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([-_.]?)(\d\d)\2(\d\d)(?!\d)")
_AFTER_DATELINE = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?[-\u2013\u2014:]")
_HTMLDATE_RANGE = ("1990-01-01", "2099-12-31")  # given: htmldate's default upper bound is today


@dataclass(frozen=True, slots=True)
class PublicationDate:
    """A document's date (ISO) and how it was found (one of :data:`SOURCES`)."""

    date: str | None
    source: str | None


_NONE = PublicationDate(None, None)


def html_meta_date(markup: str) -> str | None:
    """The publication date an HTML page's markup gives (htmldate), or None.

    >>> html_meta_date('<html><head><meta property="article:published_time" content="2017-10-15T11:03:00Z">'
    ...                '</head><body><p>x</p></body></html>')
    '2017-10-15'
    """
    from htmldate import find_date  # a declared dependency: missing, it must fail loudly

    try:
        found = find_date(markup, extensive_search=False, original_date=True, outputformat="%Y-%m-%d",
                          min_date=_HTMLDATE_RANGE[0], max_date=_HTMLDATE_RANGE[1])
    except Exception:  # noqa: BLE001 - markup htmldate cannot read: the text rules still run
        return None
    return found if found and _valid_iso(found) else None


def _valid_iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _lines(text: str) -> list[tuple[int, str]]:
    """``(offset, line)`` of the non-blank lines."""
    out, start = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            out.append((start, line.rstrip("\r\n")))
        start += len(line)
    return out


def iso_date_line(text: str) -> PublicationDate | None:
    """The date of an ISO date line near the top of a plain-text page.

    >>> iso_date_line("Headline\\n date: 2020-02-27 AMMAN (Reuters) - Rebels said ...")
    PublicationDate(date='2020-02-27', source='iso-line')
    """
    for _, line in _lines(text)[:_TOP_LINES]:
        m = _ISO_LINE.match(line)
        if m and _valid_iso(m.group(1)):
            return PublicationDate(m.group(1), "iso-line")
    return None


def _dateline(paragraphs: list[str]) -> str | None:
    from kg.temporal import find_expressions

    for line in paragraphs[:_LEAD_PARAGRAPHS]:
        stripped = line.lstrip()
        found = [e for e in find_expressions(stripped[:80]) if e.kind == "date"]
        if not found or found[0].start > 60:
            continue
        head = stripped[:found[0].start]
        if head.strip() and head.split(",")[0].strip().isupper() and _AFTER_DATELINE.match(stripped, found[0].end):
            iso = _iso(found[0])
            if iso:
                return iso
    return None


def _iso(expr) -> str | None:
    try:
        return date(expr.year, expr.month, expr.day).isoformat()
    except (TypeError, ValueError):
        return None


def _file_date(path: str | PurePath | None) -> str | None:
    if path is None:
        return None
    for m in _FILE_DATE.finditer(PurePath(path).name):
        iso = f"{m.group(1)}-{m.group(3)}-{m.group(4)}"
        if _valid_iso(iso):
            return iso
    return None


def _text_weekday(paragraphs: list[str]) -> str | None:
    """A date the lead's weekday agrees with (see the module), or None."""
    from kg.temporal import find_expressions

    lead = [p for p in paragraphs if len(p.split()) >= _LEAD_WORDS][:_LEAD_PARAGRAPHS]
    lead_exprs = [e for p in lead for e in find_expressions(p) if not e.bound]
    weekday = next((e.weekday for e in lead_exprs if e.kind == "weekday" and not e.strict), None)
    dated = next((e for e in lead_exprs if e.kind == "month-day" and e.weekday is not None), None)
    if weekday is None and dated is None:
        return None  # the lead names no weekday: nothing to check a date against
    exprs = [e for p in paragraphs for e in find_expressions(p)]
    full = sorted(filter(None, (_iso(e) for e in exprs if e.kind == "date")))
    if weekday is not None and full and date.fromisoformat(full[-1]).weekday() == weekday:
        return full[-1]
    years = [e.year for e in exprs if e.year is not None]
    if dated is None or not years:
        return None
    for year in range(max(years), max(years) + _YEARS_AHEAD + 1):
        try:
            day = date(year, dated.month, dated.day)
        except ValueError:
            continue
        if day.weekday() == dated.weekday:
            return day.isoformat()
    return None


_COMPUTE = "compute"  # publication_date(date_line=...) not given: analyse the page here


def publication_date(text: str, *, body: str | None = None, path: str | PurePath | None = None,
                     html: bool = False, date_line: str | None = _COMPUTE) -> PublicationDate:
    """The publication date of a document and its source (see the module).

    ``text`` is the file's text (an HTML page's markup when ``html``),
    ``body`` the readable text with page furniture blanked (the same text
    when not given), ``date_line`` the date of a date line that
    :func:`kg.furniture.analyse_page` found, or None when it found none
    (the page is analysed here when it is not given).
    """
    if html:
        found = html_meta_date(text)
        if found:
            return PublicationDate(found, "html-meta")
    else:
        iso = iso_date_line(text)
        if iso is not None:
            return iso
    if date_line is _COMPUTE:
        from kg.furniture import analyse_page

        date_line = None if html else analyse_page(text).date
    if date_line:
        return PublicationDate(date_line, "date-line")
    paragraphs = [line.strip() for _, line in _lines(body if body is not None else text)]
    found = _dateline(paragraphs)
    if found:
        return PublicationDate(found, "dateline")
    found = _file_date(path)
    if found:
        return PublicationDate(found, "file-name")
    found = _text_weekday(paragraphs)
    if found:
        return PublicationDate(found, "text-weekday")
    return _NONE
