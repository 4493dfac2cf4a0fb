r"""Documents too long to parse at once: split, parse part by part, offsets kept.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters by
default) and its parser needs about 1 GB of memory per 100,000 characters, so
a document whose body is longer than :func:`chunk_limit` is parsed as several
:class:`Part` records. A part is a :class:`~kg.records.Document` (same id,
path, title, hash...) whose ``text`` and ``body`` are one stretch
``[offset, offset + len)`` of the file's text, cut at a blank line when there
is one, else after a sentence, else at a line break, else at a space.
Whatever is read from a part has offsets into the part; :func:`to_file_offsets`
shifts them back, so evidence offsets are offsets into the file as for any
other document. The relation extractor needs no change. Parts end at a
paragraph or sentence end whenever one is in reach, so sentences stay whole;
what a document-wide resolver would link across a cut ("the group" five pages
later) is lost. News articles are far below the limit.

>>> text = "First paragraph. It ends here.\n\nSecond one, a bit longer than that.\n"
>>> split_spans(text, 40)
[(0, 32), (32, 68)]
>>> doc = Document(id="d", path="d.txt", text=text, body=text)
>>> [(p.offset, p.body.strip()) for p in split_document(doc, 40)]
[(0, 'First paragraph. It ends here.'), (32, 'Second one, a bit longer than that.')]
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from kg.records import Agreement, Claim, Document, Span

__all__ = ["MAX_CHUNK_CHARS", "Part", "chunk_limit", "is_last_part", "split_document",
           "split_documents", "split_spans", "to_file_offsets"]

#: Longest text given to spaCy at once, whatever ``nlp.max_length`` allows
#: (memory: about 1 GB per 100,000 characters for the parser).
MAX_CHUNK_CHARS = 100_000

_BLANK_LINE = re.compile(r"\n[ \t\f\r\u00a0]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*\s+")
_LINE_BREAK = re.compile(r"[\n\u2028\u2029]\s*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Part(Document):
    """One stretch of a document too long to parse at once.

    ``text`` and ``body`` are ``[offset, offset + len(text))`` of the whole
    document's; ``number`` counts from 0 to ``parts - 1``.
    """

    offset: int = 0
    number: int = 0
    parts: int = 1


def chunk_limit(nlp) -> int:
    """The longest body parsed in one piece with pipeline ``nlp``."""
    return max(1, min(MAX_CHUNK_CHARS, int(getattr(nlp, "max_length", MAX_CHUNK_CHARS))))


def split_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """Consecutive ``[start, end)`` spans covering ``text``, none longer than ``limit``.

    Each cut is the last blank line before the limit, else the last sentence
    end, line break or space (in the second half of the window, so that parts
    are not tiny), else exactly at the limit.

    >>> split_spans("aaaa bbbb cccc", 6)
    [(0, 5), (5, 10), (10, 14)]
    >>> split_spans("abcdefgh", 3)
    [(0, 3), (3, 6), (6, 8)]
    >>> split_spans("", 3)
    []
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    spans = []
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        cut = None
        for pattern in (_BLANK_LINE, _SENTENCE_END, _LINE_BREAK, _SPACE):
            floor = start + limit // 2 if pattern is not _BLANK_LINE else start + limit // 4
            cut = _last_cut(pattern, text, floor, end)
            if cut is not None:
                break
        if cut is None:
            cut = end
        if text[cut - 1] == "\r" and text[cut:cut + 1] == "\n" and cut - 1 > start:
            cut -= 1  # keep CRLF together
        spans.append((start, cut))
        start = cut
    if start < n:
        spans.append((start, n))
    return spans


def _last_cut(pattern: re.Pattern, text: str, floor: int, end: int) -> int | None:
    """End of the last match of ``pattern`` in ``text[floor:end]`` (not past ``end``)."""
    cut = None
    for match in pattern.finditer(text, floor, end):
        if match.end() > floor:
            cut = match.end()
    return cut


def split_document(document: Document, limit: int) -> list[Document]:
    """``[document]`` when its body fits in ``limit``, else its :class:`Part` records.

    Parts whose body is blank (masked page furniture) are left out, but a
    document always keeps at least one part, so it is still described.
    """
    if len(document.body) <= limit:
        return [document]
    spans = [(a, b) for a, b in split_spans(document.body, limit) if document.body[a:b].strip()]
    if not spans:
        spans = [(0, limit)]
    fields = {f.name: getattr(document, f.name) for f in dataclasses.fields(Document)}
    return [
        Part(**{**fields, "text": document.text[a:b], "body": document.body[a:b]},
             offset=a, number=i, parts=len(spans))
        for i, (a, b) in enumerate(spans)
    ]


def split_documents(documents: Iterable[Document], limit: int,
                    on_split: Callable[[Document, list[Document]], None] | None = None) -> Iterator[Document]:
    """Every document, or its parts when too long; lazily (a stream stays a stream).

    ``on_split(document, parts)``, when given, is called for each document
    split (or cut to its one part): the caller counts it in its own report,
    with :func:`split_warning`'s message. Nothing here writes into the caller's records.
    """
    for document in documents:
        parts = split_document(document, limit)
        if on_split is not None and (len(parts) > 1 or isinstance(parts[0], Part)):
            on_split(document, parts)
        yield from parts


def split_warning(document: Document, parts: list[Document], limit: int) -> str:
    """The warning naming a document parsed in parts.

    >>> split_warning(Document(id="a", path="a.txt", text="x" * 12, body="x" * 12), [None, None], 10)
    'a.txt: 12 characters, parsed in 2 parts of at most 10'
    """
    return (f"{document.path}: {len(document.body):,} characters, parsed in {len(parts)} "
            f"part{'s' if len(parts) > 1 else ''} of at most {limit:,}")


def is_last_part(document: Document) -> bool:
    """True for a whole document and for the last part of a split one."""
    return not isinstance(document, Part) or document.number == document.parts - 1


def to_file_offsets(document: Document, claims: list[Claim],
                    agreements: list[Agreement]) -> tuple[list[Claim], list[Agreement]]:
    """Claims and agreements read from ``document`` with offsets into the file.

    A no-op for a whole document; for a :class:`Part`, every sentence span and
    agreement anchor moves by the part's offset (the sentence text is the
    same: the part's text is the file's).
    """
    base = document.offset if isinstance(document, Part) else 0
    if not base:
        return claims, agreements
    return ([dataclasses.replace(c, sentence=_shift(c.sentence, base)) for c in claims],
            [dataclasses.replace(a, sentence=_shift(a.sentence, base), anchor=a.anchor + base)
             for a in agreements])


def _shift(span: Span, base: int) -> Span:
    return Span(span.start + base, span.end + base)
