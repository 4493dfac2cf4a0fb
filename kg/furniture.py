r"""Page furniture in news pages: which lines are not the article.

:func:`analyse_page` reads a page as lines (one line = one paragraph; an HTML
page is first turned into one line per block by :mod:`kg.ingest`) and returns
the spans to blank, with the title, publisher and date the page gives. The
rules are written for scraped news pages in general, not for one site:

* **Furniture lines** are blanked wherever they are, and only they: search
  boxes, share bars ("Share on Facebook Twitter WhatsApp"), "ADVERTISEMENT"
  and "Story continues below advertisement", "Click here to subscribe",
  bylines, date lines, photo credits ("Photo: AFP/Getty Images"), a bare link
  or an embedded tweet's signature, "Read more: ..." and "RELATED: ..." lines,
  section labels of one to three words.
* **Marker lines** ("Related", "Read more", "You may also like", "Comments
  (3)", "Written By", "Share this article", "Sign up for our newsletter" ...)
  are furniture lines too. Inside the article, a list marker ("Related", "Read
  more", "See also") also blanks the headlines and links directly under it:
  they belong to it. A marker never ends the article by itself.
* **The tail**: the article ends at a marker only when everything from that
  marker to the end of the page is furniture: a list of headlines, links or
  labels (a one-paragraph teaser may follow each of them once the list has
  two entries), comment headers and forms, an author box or a newsletter
  promotion with one paragraph of blurb, never two paragraphs in a row; and
  the tail must hold more furniture lines than paragraphs. A page that goes on
  with article text after a marker keeps that text.
* A **dateline** prefix ("BEIRUT (Reuters) - "), a **photo credit** closing a
  caption ("... in Raqqa. (Photo by Reuters)", "... forces [Reuters]") and a
  paragraph **repeating** an earlier one are blanked too. The headline stays:
  headlines carry claims.

>>> page = ("Syria truce holds\nThe SDF and IS agreed a truce on Friday in villages near Hasaka, "
...         "a monitor said.\nRELATED:\nTurkey warns Kurdish forces\nBoth sides pulled back from the "
...         "front line near the border overnight, residents said.\nYou may also like\n"
...         "Football: a cup final\nMarkets close higher\n")
>>> [page[a:b] for a, b in find_furniture(page)]
['RELATED:', 'Turkey warns Kurdish forces', 'You may also like\nFootball: a cup final\nMarkets close higher\n']
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date as _date

__all__ = ["Page", "analyse_page", "find_furniture", "find_iso_date", "visible_chars"]

_NEWLINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_SENT_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                         "″": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'"})
_LEAD = r"[\s:|*•·\-–—]*"
_TRAIL = r"[\s:.…»>|*\-–—]*"

# Marker lines (whole line, at most 12 words). "list": headlines, links, labels
# or comments follow it; "box": an author box or a promotion, whose one
# paragraph of blurb may follow it directly.
_MARKERS = tuple((role, re.compile(r"(?i)" + _LEAD + r"(?:" + p + r")" + _TRAIL)) for role, p in (
    ("list", r"you (?:may|might|could|will|would) (?:also )?(?:like|love|enjoy|be interested in)"
             r"(?: (?:these|this|reading))?(?: (?:stories|articles|posts|too))?"),
    ("list", r"related(?: (?:articles?|stories|story|news|posts?|content|coverage|reading|links?|topics"
             r"|videos?))?"),
    ("list", r"read (?:more|next|also)(?: (?:stories|articles|news|on this topic))?"),
    ("list", r"(?:see|also) (?:also|read)"),
    ("list", r"more (?:from|on|in|about) [^.!?]{1,40}"),
    ("list", r"more (?:stories|news|articles|headlines)(?: [^.!?]{1,30})?"),
    ("list", r"recommended(?: (?:for you|stories|articles|reading|videos?|news))?"),
    ("list", r"trending(?: (?:now|stories|news|topics|articles|today))?"),
    ("list", r"most (?:read|popular|viewed|shared|commented|watched)"
             r"(?: (?:stories|articles|news|today|this week|now))?"),
    ("list", r"(?:latest|top|popular|other|editor'?s|more) (?:news|stories|articles|headlines|picks?)"),
    ("list", r"don'?t miss(?: this)?"),
    ("list", r"what to read next"),
    # comment sections: a header or counter, then names, dates and comments
    ("list", r"comments?(?: about this (?:article|story|post))?(?: ?\(\d+\))?"),
    ("list", r"total comments ?(?:\(\d*\)|\d*)"),
    ("list", r"\d+ comments?"),
    ("list", r"no comments?(?: yet)?"),
    ("list", r"(?:leave|post|add|write|submit) (?:a |your )?(?:comment|reply|response)s?"),
    ("list", r"(?:view|show|load|read|see) (?:all )?comments?(?: ?\(\d+\))?"),
    ("list", r"join the (?:conversation|discussion|debate)"),
    ("box", r"written by\b[^.!?]{0,60}"),
    ("box", r"about the authors?"),
    ("box", r"share this(?: (?:article|story|page|post|on|via)\b[^.!?]{0,40})?"),
    ("box", r"(?:sign up|subscribe|register) (?:for|to) (?:our|the|my)\b[^.!?]{0,60}"),
    ("box", r"(?:our )?(?:daily |weekly |free )?newsletters?(?: sign ?up)?"),
    ("box", r"our standards\b.{0,80}"),
))

# Lines that are furniture wherever they are (whole line, at most 30 words).
_FURNITURE_LINES = tuple(re.compile(r"(?i)" + _LEAD + r"(?:" + p + r")" + _TRAIL + r"[!?]?") for p in (
    r"search(?: (?:for|by) (?:a )?keywords?| this site| the site| news| here| articles)?",
    r"(?:hi,? |hello,? )?what are you (?:looking|searching) for",
    r"type (?:here )?(?:and|to) (?:press|hit) enter[^.]{0,40}",
    r"(?:press|hit) enter to search[^.]{0,40}",
    r"enter (?:your )?(?:search )?(?:keywords?|terms?|search)",
    r"connect with us|stay connected|like us on facebook",
    r"(?:follow|join|find) us(?: on [^.!?]{1,40})?",
    # comment forms
    r"please fill (?:in |out )?(?:all )?the (?:required )?fields(?: below)?",
    r"required fields are marked[^.]{0,40}",
    r"your e-?mail address will not be published[^.]{0,60}",
    r"(?:name|e-?mail|website|comment|message)\s*\*",
    r"(?:enter |type )?(?:the )?(?:security|verification|confirmation|captcha) (?:code|image|question)"
    r"[^.]{0,40}",
    # advertising, navigation, interstitials
    r"advertisement|advert|sponsored(?: content| links?)?|ad ?choices|skip to (?:main )?content"
    r"|skip to navigation|toggle navigation|menu|close|log ?in|sign ?in|sign ?up|subscribe(?: now)?"
    r"|register|home|loading|print(?: this (?:page|article))?|back to top|accept(?: all)? cookies",
    r"(?:advertisement\W*)?(?:(?:the )?(?:story|article|content|text) )?(?:continues?|continue reading"
    r"|scroll (?:down )?to (?:continue|read more))\b(?: (?:below|after|with|reading))?[^.!?]{0,40}",
    r"listen to (?:this|the) (?:article|story)[^.!?]{0,30}",
    r"\d+\s*min(?:ute)?s?\s+(?:read|listen)",
    r"(?:(?:image|photo|picture|slide)\s*)?\d+\s*(?:of|/)\s*\d+",
    r"(?:additional )?(?:reporting|writing|editing|compiled|translated|translation|produced|graphics)"
    r"(?: and editing)? by\b[^.!?]{0,200}",
    # photo credits and captions' labels
    r"(?:photo(?:graph)?s?|image|picture|file photo)(?:\s+(?:courtesy(?: of)?|credits?|by|source|copyright)\b"
    r"|\s*:)[^.!?]{0,60}",
    r"(?:photo |image |picture )?credits?\s*:[^\n]{0,80}",
    r"(?:[^.!?\n]{0,50}\b)?(?:via )?getty images[^.!?\n]{0,30}",
    r"(?:copyright|©|\(c\))[^\n]{0,120}",
    r"all rights reserved",
    r"(?:tags?|topics?|filed under|categories|category|keywords?)\s*:[^\n]{0,200}",
    r"(?:updated|published|posted|last updated|last modified)\b[^.!?]{0,60}",
    r"[^\n]{0,80}\bclick here\b[^\n]{0,80}",
    # a pointer to another article, on one line: "Read more: ...", "RELATED: ..."
    r"(?:related(?: (?:articles?|stories|story|news|coverage|content|reading|videos?))?|see also"
    r"|also (?:read|see|watch)|read (?:more|also|next)|more (?:on|about) this(?: story| topic)?"
    r"|watch|listen|video|recommended|trending|most read)\s*[:|»›>]+\s*\S[^\n]{0,200}",
    r"(?-i:RELATED|READ MORE|READ ALSO|ALSO READ|SEE ALSO)\s+\S[^\n]{0,200}",
    # a bare link, an embedded post's signature: "— Jane Doe (@jdoe) June 11, 2018"
    r"(?:https?://|www\.|pic\.twitter\.com/)\S+",
    r"[—–-]\s*[^()\n]{1,60}\(@\w{1,30}\)[^\n]{0,40}",
    # a widget: "Beta V.1.0 - Powered by automated translation"
    r"(?![^\n]*[.!?…][\"'”’»)\]]*$)[^\n]{0,40}\bpowered by\b[^\n]{1,60}",
))

_TO_READ = re.compile(
    r"(?i)to read the (?:entire|full|whole|complete|original|rest of the) (?:article|story|report)"
    r"(?: (?:on|at|from|in|by|of))? (?P<pub>.+?),? click here" + _TRAIL
)
_DOMAIN = re.compile(r"(?i)(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,24}/?")
_BYLINE = re.compile(r"(?i)(?:(?:written|posted|reported|story|words|text)\s+)?by\s*:?\s+(?P<rest>.+)")
_WRITTEN_BY = re.compile(r"(?i)written by\s*:?\s*(?P<rest>.*?)" + _TRAIL)
_BULLET = re.compile(r"[-–—•·*▪►]\s")
# "BEIRUT (Reuters) - ", "DAMASCUS, Syria (AP) — ", "BEIRUT, Oct 15 (Reuters) -", "(Zaman Al Wasl)- "
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’\- ]*[A-Z.]"
    r"(?:,\s*[A-Z][\w.'’\- ]{0,30}?)?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*)?"
    r"\((?P<pub>[A-Z][\w.&'’ \-]{0,40}?)\)\s*[-–—:]+\s*"
)
# A photo credit closing a caption: "... in Raqqah. (Photo by Reuters)", "... forces [Reuters]",
# "... during protests. File"
_CREDIT = re.compile(
    r"(?i)\((?:(?:file )?photo(?:graph)?s?|image|picture|pic|video)"
    r"\s*(?:by|:|credits?:?|courtesy(?: of)?|via|/)\s*[^()]{1,60}\)\s*$"
    r"|\((?:[A-Z][\w.&' -]{0,40}\s)(?:file )?(?:photo|image|picture)s?(?:\s*/\s*[^()]{1,40})?\)\s*$"
    r"|\s\[(?:(?:file )?(?:photo|image|picture)\s*:\s*)?(?-i:[A-Z])[\w.&'’/ -]{0,40}\]\s*$"
    r"|(?<=[.!?\"”’])\s+(?:file(?: photo| picture| image)?"
    r"|(?:photo|image|picture)\s*:\s*[^.!?]{1,40})\s*$"
)
_SOCIAL_CORE = frozenset({
    "share", "shares", "tweet", "facebook", "twitter", "whatsapp", "telegram", "email", "e-mail",
    "linkedin", "reddit", "pinterest", "messenger", "print", "instagram", "youtube", "tiktok",
    "rss", "viber", "flipboard", "tumblr", "vk", "sms", "bluesky", "threads", "mastodon", "pin",
})
_SOCIAL_FILLER = frozenset({
    "on", "via", "this", "the", "article", "story", "page", "post", "to", "with", "friends",
    "a", "friend", "send", "it", "and", "us", "x", "copy", "link", "url", "mail", "google", "save",
    "comment", "comments", "more", "or",
})
_SECTION_WORDS = frozenset({
    "world", "news", "business", "politics", "economy", "sport", "sports", "entertainment",
    "culture", "opinion", "opinions", "analysis", "features", "feature", "video", "videos",
    "photos", "home", "middle east", "africa", "europe", "asia", "americas", "us", "uk", "tech",
    "technology", "science", "health", "lifestyle", "travel", "social media", "latest",
    "breaking news", "top stories", "local", "national", "international", "region", "media",
    "arts", "environment", "education", "life", "style", "food", "weather", "markets",
    "investigations", "editorial", "comment", "comments", "blogs", "podcasts", "live", "more",
    "menu", "search", "share", "world news", "middle east news",
})
_NAME_PARTICLES = frozenset({"al", "el", "de", "of", "the", "and", "&", "der", "van", "von",
                             "da", "du", "la", "le", "bin", "ibn", "in", "for"})

# dates
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATE_PATTERNS = (
    re.compile(rf"(?i)\b{_WEEKDAY}{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(rf"(?i)\b{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+"
               r"(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>\d\d)-(?P<day>\d\d)"
               r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?!\d)"),
)
_TIME = re.compile(r"(?i)\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?\s?m\.?)?")
_DATE_WORDS = frozenset({
    "updated", "published", "posted", "last", "modified", "on", "at", "ago", "hour", "hours",
    "minute", "minutes", "min", "mins", "day", "days", "am", "pm", "a", "m", "p", "date", "time",
    "local", "gmt", "utc",
})


@dataclass(frozen=True, slots=True)
class Page:
    """What :func:`analyse_page` finds in a page.

    ``spans`` are the sorted, disjoint ``(start, end)`` ranges to blank;
    ``repeated`` counts the visible (non-space) characters of paragraphs
    blanked because they repeat an earlier one: a page printing its article
    twice has lost nothing.
    """

    spans: tuple[tuple[int, int], ...]
    title: str | None
    publisher: str | None
    date: str | None
    repeated: int = 0


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    lead: int  # leading whitespace before the first visible character
    text: str  # whitespace-collapsed content
    words: int
    kind: str  # blank | marker | furn | body | text
    publisher: str | None = None  # from "To read the entire article X click here"
    domain: bool = False
    date: str | None = None
    role: str | None = None  # of a marker: "list" or "box"


def visible_chars(text: str) -> int:
    """Characters of ``text`` that are not whitespace.

    >>> visible_chars(" IS left\\n Raqqa. ")
    12
    """
    return len(text) - sum(map(str.isspace, text))


def find_furniture(text: str) -> list[tuple[int, int]]:
    r"""Spans ``(start, end)`` of page furniture in a plain-text news page
    (the rules are in the module's docstring). The spans are sorted and
    disjoint.

    >>> page = "World\nBy Jane Doe\nIS quits Raqqa\n" \
    ...        "BEIRUT (Reuters) - Islamic State fighters have left Raqqa under a deal, the SDF said.\n" \
    ...        "You may also like:\nOther news\nMore news"
    >>> [page[a:b] for a, b in find_furniture(page)]
    ['World', 'By Jane Doe', 'BEIRUT (Reuters) - ', 'You may also like:\nOther news\nMore news']
    """
    return list(analyse_page(text).spans)


def analyse_page(text: str, *, items: Collection[int] = ()) -> Page:
    """Furniture spans, title, publisher and date of a page, one paragraph a line.

    ``items`` are offsets where a line that is a list item starts (HTML
    ``<li>``): such a line is a list entry whatever its punctuation.
    """
    lines = _split_lines(text)
    n = len(lines)
    first_body = next((i for i, ln in enumerate(lines) if ln.kind == "body"), None)
    anchor = first_body
    if anchor is None:
        anchor = next((i for i, ln in enumerate(lines) if ln.kind == "text"), None)
    entry = [_is_entry(ln, items) for ln in lines]
    cut = n if anchor is None else _tail_start(lines, entry, anchor)
    furniture = {i for i in range(cut) if lines[i].kind in ("furn", "marker")}
    spans: list[tuple[int, int]] = []

    # the headline: first headline-like line before the first body paragraph
    limit = first_body if first_body is not None else cut
    title_idx = next(
        (i for i in range(limit) if lines[i].kind == "text" and _headline_like(lines[i].text)), None
    )

    # inside the article, a list marker takes the headlines and links directly under it
    if anchor is not None:
        for m in range(anchor + 1, cut):
            if lines[m].role != "list":
                continue
            for i in range(m + 1, cut):
                if lines[i].kind in ("blank", "furn"):
                    continue
                if not entry[i] or i == title_idx:
                    break
                furniture.add(i)

    # a paragraph repeating an earlier one (quotes and spaces normalised)
    seen: set[str] = set()
    repeated = 0
    for i in range(cut):
        if i in furniture or lines[i].kind not in ("body", "text"):
            continue
        key = lines[i].text.translate(_QUOTES)
        if key in seen:
            furniture.add(i)
            repeated += visible_chars(lines[i].text)
        else:
            seen.add(key)

    # section labels and lone name lines: 1-3 words, no digits, no full stop
    labels: set[int] = set()
    for i in range(cut):
        ln = lines[i]
        if i in furniture or i == title_idx or ln.kind != "text":
            continue
        if ln.words <= 3 and not any(c.isdigit() for c in ln.text) and not _SENT_END.search(ln.text):
            furniture.add(i)
            labels.add(i)

    # dateline prefix on the first paragraphs after the headline
    dateline_pub = None
    after = title_idx + 1 if title_idx is not None else 0
    candidates = [i for i in range(after, cut)
                  if i not in furniture and lines[i].kind in ("body", "text")][:2]
    for i in candidates:
        ln = lines[i]
        m = _DATELINE.match(text, ln.start + ln.lead, ln.end)
        if m and len(m["pub"].split()) <= 6 and m.end() < ln.end:
            spans.append((m.start(), m.end()))
            dateline_pub = " ".join(m["pub"].split())
            break

    # a photo credit closing a caption
    for i in range(cut):
        ln = lines[i]
        if i not in furniture and ln.kind in ("body", "text"):
            m = _CREDIT.search(text, ln.start, ln.end)
            if m:
                spans.append((m.start(), m.end()))

    spans.extend((lines[i].start, lines[i].end) for i in furniture)
    if cut < n:
        spans.append((lines[cut].start, len(text)))

    title = lines[title_idx].text if title_idx is not None else None
    body_lines = [i for i in range(cut) if lines[i].kind == "body" and i not in furniture]
    publisher = (
        dateline_pub
        or next((ln.publisher for ln in lines if ln.publisher), None)
        or _written_by(lines)
        or next((ln.text for ln in lines if ln.domain), None)
        or _footer_name(lines, body_lines[-1] + 1 if body_lines else cut, cut, labels)
        or next((lines[i].text for i in range(limit)
                 if re.fullmatch(r"[A-Z]{2,6}", lines[i].text)
                 and lines[i].text.lower() not in _SECTION_WORDS), None)
    )
    date = (next((lines[i].date for i in range(limit) if lines[i].date), None)
            or next((lines[i].date for i in range(cut) if lines[i].date), None))
    return Page(tuple(_merge(spans)), title, publisher, date, repeated)


def _is_entry(ln: _Line, items: Collection[int]) -> bool:
    """A line that can be an entry of a list: a headline, a link, a label, a bullet."""
    if ln.kind not in ("body", "text"):
        return False
    if ln.start in items or _BULLET.match(ln.text):
        return True
    return ln.kind == "text" and ln.words <= 25 and not _SENT_END.search(ln.text)


def _tail_start(lines: list[_Line], entry: list[bool], anchor: int) -> int:
    """Index of the line where the article ends (``len(lines)``: it runs to the end).

    The page is cut into segments, each from a marker line after the anchor
    to the next one. The article ends at the first marker from which every
    segment is furniture (:func:`_segment`) and the lines that are furniture
    outnumber the paragraphs.
    """
    n = len(lines)
    markers = [i for i in range(anchor + 1, n) if lines[i].kind == "marker"]
    bounds = markers[1:] + [n]
    start = n
    furniture = paragraphs = 0
    for m, stop in reversed(list(zip(markers, bounds))):
        found = _segment(lines, entry, m, stop)
        if found is None:
            break
        furniture += found[0]
        paragraphs += found[1]
        if furniture > paragraphs:
            start = m
    return start


def _segment(lines: list[_Line], entry: list[bool], m: int, stop: int) -> tuple[int, int] | None:
    """``(furniture lines, paragraphs)`` of the segment ``[m, stop)`` if it can be
    page furniture, else None.

    It cannot be when two paragraphs follow each other; nor, under a list
    marker, when a paragraph comes right after the marker (the article goes
    on) or when paragraphs come with fewer than two entries (a headline and a
    paragraph are more likely a sub-heading and its text than a list).
    """
    role = lines[m].role
    furniture, paragraphs, entries = 1, 0, 0
    previous = "marker"
    for i in range(m + 1, stop):
        ln = lines[i]
        if ln.kind == "blank":
            continue
        if ln.kind == "furn" or entry[i]:
            furniture += 1
            entries += entry[i]
            previous = "entry"
            continue
        if previous == "paragraph" or (role == "list" and previous == "marker"):
            return None
        paragraphs += 1
        previous = "paragraph"
    if role == "list" and paragraphs and entries < 2:
        return None
    return furniture, paragraphs


def _split_lines(text: str) -> list[_Line]:
    bounds = []
    start = 0
    for m in _NEWLINE.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    out = []
    for a, b in bounds:
        raw = text[a:b]
        lead = len(raw) - len(raw.lstrip())
        out.append(_classify(a, b, lead, " ".join(raw.split())))
    return out


def _classify(a: int, b: int, lead: int, st: str) -> _Line:
    words = len(st.split())
    if not st:
        return _Line(a, b, lead, st, 0, "blank")
    date = _date_line(st)
    if words <= 12:
        role = next((role for role, p in _MARKERS if p.fullmatch(st)), None)
        if role:
            return _Line(a, b, lead, st, words, "marker", date=date or find_iso_date(st), role=role)
    m = _TO_READ.fullmatch(st)
    if m:
        return _Line(a, b, lead, st, words, "furn", publisher=m["pub"].strip())
    if _DOMAIN.fullmatch(st):
        return _Line(a, b, lead, st, words, "furn", domain=True)
    if date:
        return _Line(a, b, lead, st, words, "furn", date=date)
    if (_is_byline(st) or _is_social(st) or _is_breadcrumb(st) or not any(c.isalpha() for c in st)
            or (words <= 30 and any(p.fullmatch(st) for p in _FURNITURE_LINES))):
        return _Line(a, b, lead, st, words, "furn", date=find_iso_date(st) if words <= 20 else None)
    core = _CREDIT.sub("", st).rstrip()
    if words >= 12 and _SENT_END.search(core):
        return _Line(a, b, lead, st, words, "body")
    return _Line(a, b, lead, st, words, "text")


def _headline_like(st: str) -> bool:
    words = st.split()
    if not 3 <= len(words) <= 25:
        return False
    end = st.rstrip("\"'”’)]»")
    if end.endswith((".", ":", ";", ",")):
        return False
    first = next((c for c in st if c.isalpha()), "")
    return first.isupper() and st.lower() not in _SECTION_WORDS


def _is_byline(st: str) -> bool:
    m = _BYLINE.fullmatch(st)
    if not m:
        return False
    rest = m["rest"]
    words = rest.split()
    if len(words) > 12 or not rest[0].isupper():
        return False
    if _SENT_END.search(rest) and not re.search(r"\b[A-Z]\.$", rest):
        return False
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    named = [w for w in alpha if w[0].isupper() or w.lower() in _NAME_PARTICLES]
    return len(named) * 4 >= len(alpha) * 3


def _is_breadcrumb(st: str) -> bool:
    """Navigation such as "Home | News | Middle East" or "World › Syria"."""
    items = [x for x in re.split(r"\s*[|›»>/·•]\s*", st) if x]
    return len(items) >= 2 and all(
        len(x.split()) <= 3 and not _SENT_END.search(x) and not any(c.isdigit() for c in x)
        for x in items
    )


def _is_social(st: str) -> bool:
    tokens = re.findall(r"[\w'-]+", st.lower())
    tokens = [t for t in tokens if not t.isdigit()]
    return (bool(tokens) and any(t in _SOCIAL_CORE for t in tokens)
            and all(t in _SOCIAL_CORE or t in _SOCIAL_FILLER for t in tokens))


def _name_like(st: str) -> bool:
    """A short line that can be a publisher's or agency's name."""
    words = st.split()
    if not 1 <= len(words) <= 5 or any(c.isdigit() for c in st) or _SENT_END.search(st):
        return False
    if st.lower() in _SECTION_WORDS or _is_social(st) or not st[0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words)


def _written_by(lines: list[_Line]) -> str | None:
    """The name in a "Written By" block: on its line, the next or the previous one."""
    for i, ln in enumerate(lines):
        m = _WRITTEN_BY.fullmatch(ln.text) if ln.kind == "marker" else None
        if not m:
            continue
        if m["rest"] and _name_like(m["rest"]):
            return m["rest"]
        nxt = next((x for x in lines[i + 1:] if x.kind != "blank"), None)
        if nxt is not None and _name_like(nxt.text):
            return nxt.text
        prev = next((x for x in reversed(lines[:i]) if x.kind != "blank"), None)
        if prev is not None and prev.kind != "body" and _name_like(prev.text):
            return prev.text
    return None


def _footer_name(lines: list[_Line], start: int, cut: int, labels: set[int]) -> str | None:
    """A lone name line between the last body paragraph and the tail."""
    for i in range(start, cut):
        if (i in labels or lines[i].kind == "text") and _name_like(lines[i].text):
            return lines[i].text
    return None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _find_date(s: str) -> tuple[str, int, int] | None:
    """The first valid English or ISO date in ``s``: ``(iso, start, end)``."""
    best = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(s):
            mon = m["mon"]
            month = int(mon) if mon.isdigit() else _MONTHS[mon[:3].lower()]
            try:
                iso = _date(int(m["year"]), month, int(m["day"])).isoformat()
            except ValueError:
                continue
            if best is None or m.start() < best[1]:
                best = (iso, m.start(), m.end())
            break
    return best


def find_iso_date(s: str) -> str | None:
    """The first valid date in ``s``, as ISO 8601.

    >>> find_iso_date("Sun Oct 15, 2017 11:03AM"), find_iso_date("no date")
    ('2017-10-15', None)
    """
    found = _find_date(s)
    return found[0] if found else None


def _date_line(st: str) -> str | None:
    """ISO date if the line is only a date (with weekday, time, "Updated" ...)."""
    if len(st.split()) > 14:
        return None
    found = _find_date(st)
    if not found:
        return None
    iso, a, b = found
    rest = _TIME.sub(" ", st[:a] + " " + st[b:])
    for token in re.findall(r"[^\W\d_]+|\d+", rest):
        if not (token.isdigit() and len(token) <= 2 or token.lower() in _DATE_WORDS
                or re.fullmatch(r"[A-Z]{2,5}", token)):
            return None
    return iso
