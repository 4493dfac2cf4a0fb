r"""Ingest: turn article files into :class:`~kg.records.Document` records.

Every offset downstream refers to ``Document.text``, the file's decoded text
exactly as stored (newlines are never translated, nothing is stripped except a
byte-order mark). ``Document.body`` is the same text, of the same length, with
page furniture (search boxes, share buttons, bylines, comment forms, "You may
also like" lists, a repeated copy of the article, HTML markup) replaced by
spaces; later stages read ``body`` and report offsets into ``text``.

Decisions worth knowing:

* invalid UTF-8 bytes are replaced by U+FFFD and reported as a warning; more
  than 30 % of them, or NUL bytes in the first 8 KiB of a file without a
  UTF-16/32 byte-order mark, make the file "binary" and it is refused;
* control characters (other than tab, newline and carriage return; a form
  feed is one), lone surrogates and the non-characters U+FFFE and U+FFFF
  become spaces, one for one, so offsets stay valid and evidence text, which
  cannot hold them in RDF, is the document's text at its offsets;
* plain-text pages are cleaned line by line (one line = one paragraph) with
  rules written for scraped news pages in general (:func:`find_furniture`);
  the headline stays in ``body``: headlines carry claims.

>>> page = "Search\n\nSDF and ISIS agree truce in Hasaka\n\n" \
...        "BEIRUT (Reuters) - The SDF and Islamic State agreed a truce on Friday " \
...        "in villages along the border, sources said.\n\nShare\nRelated articles\n" \
...        "Some other story about football.\n"
>>> body = mask(page, find_furniture(page))
>>> len(body) == len(page)
True
>>> print(" ".join(body.split()))
SDF and ISIS agree truce in Hasaka The SDF and Islamic State agreed a truce on Friday in villages along the border, sources said.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import html
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date as _date
from html.parser import HTMLParser
from pathlib import Path

from kg.records import Document, IngestError

__all__ = [
    "DEFAULT_SUFFIXES",
    "decode_bytes",
    "find_furniture",
    "iter_documents",
    "iter_paths",
    "mask",
    "read_document",
    "read_text",
]

#: File suffixes picked up when walking a directory (explicit files are
#: accepted whatever their suffix).
DEFAULT_SUFFIXES = (".txt", ".html", ".htm", ".md")

_SNIFF_BYTES = 8192
_MAX_BAD_RATIO = 0.30
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

# --------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------


def iter_paths(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    suffixes: Iterable[str] = DEFAULT_SUFFIXES,
) -> Iterator[Path | IngestError]:
    """Expand files and directories into the files to read, in a stable order.

    Directories are walked recursively, entries sorted by name, hidden files
    and folders (name starting with ".") skipped, symbolic links followed; a
    link leading back into a folder being walked is reported as an
    :class:`IngestError` instead of being followed forever. Inside directories
    only files ending in one of ``suffixes`` (case-insensitive) are taken;
    files named explicitly are taken whatever their suffix. A file reached
    twice (same device and inode) is yielded once. A missing path, a broken
    link and a directory without any usable file each give an IngestError.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp)
    ...     for name in ("b.txt", "a.html", "notes.csv", ".hidden.txt"):
    ...         _ = (root / name).write_text("x")
    ...     [p.name if isinstance(p, Path) else p.reason
    ...      for p in iter_paths([root, root / "notes.csv", root / "nope.txt"])]
    ['a.html', 'b.txt', 'notes.csv', 'no such file or directory']
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    wanted = tuple(s.lower() for s in suffixes)
    seen: set[tuple[int, int]] = set()
    for item in inputs:
        path = Path(item)
        shown = printable_path(path.as_posix())
        try:
            info = os.stat(path)
        except OSError as exc:
            yield IngestError(shown, _os_reason(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = False
            for entry in _walk(path, info, wanted):
                if isinstance(entry, IngestError):
                    found = True  # reported: "no usable file" would hide the real reason
                    yield entry
                    continue
                found = True
                file_path, key = entry
                if key not in seen:
                    seen.add(key)
                    yield file_path
            if not found:
                yield IngestError(
                    shown, f"directory has no usable file (looked for {', '.join(wanted)})"
                )
        elif stat.S_ISREG(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key not in seen:
                seen.add(key)
                yield path
        else:
            yield IngestError(shown, f"not a regular file or directory ({_file_kind(info.st_mode)})")


def _walk(
    top: Path, top_info: os.stat_result, wanted: tuple[str, ...]
) -> Iterator[tuple[Path, tuple[int, int]] | IngestError]:
    """Depth-first walk (iterative: deep trees cannot exhaust the stack)."""
    top_key = (top_info.st_dev, top_info.st_ino)
    listing = _list_dir(top)
    if isinstance(listing, IngestError):
        yield listing
        return
    stack: list[tuple[Path, frozenset[tuple[int, int]], Iterator[str]]] = [
        (top, frozenset({top_key}), iter(listing))
    ]
    while stack:
        folder, ancestors, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        path = folder / name
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ENOENT and not path.is_symlink():
                continue  # removed while the folder was being read
            yield IngestError(printable_path(path.as_posix()), _os_reason(path, exc))
            continue
        key = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode):
            if key in ancestors:
                yield IngestError(
                    printable_path(path.as_posix()),
                    "symbolic link loop: leads back to a folder being read",
                )
                continue
            listing = _list_dir(path)
            if isinstance(listing, IngestError):
                yield listing
                continue
            stack.append((path, ancestors | {key}, iter(listing)))
        elif name.lower().endswith(wanted):
            if stat.S_ISREG(info.st_mode):
                yield path, key
            else:  # never opened: reading a FIFO would block the build
                yield IngestError(printable_path(path.as_posix()),
                                  f"not a regular file ({_file_kind(info.st_mode)})")


def _list_dir(folder: Path) -> list[str] | IngestError:
    try:
        names = os.listdir(folder)
    except OSError as exc:
        return IngestError(printable_path(folder.as_posix()),
                           f"cannot list directory: {_os_reason(folder, exc)}")
    return sorted(n for n in names if not n.startswith("."))


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a special file"


def printable_path(shown: str) -> str:
    r"""A path fit for a one-line message.

    Control characters, line separators and bytes that are not UTF-8 (which
    ``os.fsdecode`` turns into lone surrogates) are written as backslash
    escapes; every other character is kept.

    >>> printable_path("new\nline\udcff\u2028caf\u00e9.txt")
    'new\\nline\\xff\\u2028café.txt'
    """
    if shown.isprintable():
        return shown
    out = []
    for c in shown:
        code = ord(c)
        if c.isprintable():
            out.append(c)
        elif 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif c in "\t\n\r":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}[c])
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _os_reason(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link" if path.is_symlink() else "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory, not a file"
    return exc.strerror or str(exc)


# --------------------------------------------------------------------------
# bytes -> text
# --------------------------------------------------------------------------

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32", codecs.utf_32_le_decode),
    (codecs.BOM_UTF32_BE, "UTF-32", codecs.utf_32_be_decode),
    (codecs.BOM_UTF8, "UTF-8", codecs.utf_8_decode),
    (codecs.BOM_UTF16_LE, "UTF-16", codecs.utf_16_le_decode),
    (codecs.BOM_UTF16_BE, "UTF-16", codecs.utf_16_be_decode),
)
# C0 and C1 controls except \t \n \r, DEL, lone surrogates and the non-characters
# U+FFFE, U+FFFF: everything RDF literals cannot hold (kg.rdf.clean_literal), so that
# evidence text is always the document's text at its offsets.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    r"""Decode a file's bytes to text, returning ``(text, warnings)``.

    UTF-8 (a byte-order mark is dropped), UTF-16 and UTF-32 with a byte-order
    mark. Newlines are kept exactly. Invalid bytes become U+FFFD and control
    characters become spaces (one for one), each with a warning. Raises
    ValueError for an empty or whitespace-only file and for a binary file.

    >>> decode_bytes("a\r\nb".encode("utf-8-sig"))
    ('a\r\nb', [])
    >>> decode_bytes(b"caf\xe9 \x07ok")
    ('caf\ufffd  ok', ['1 invalid UTF-8 byte replaced by U+FFFD', '1 control character replaced by a space'])
    >>> decode_bytes(b"  \n")
    Traceback (most recent call last):
    ...
    ValueError: empty file (whitespace only)
    """
    text, warnings, _replaced = _decode(data)
    return text, warnings


def _decode(data: bytes) -> tuple[str, list[str], int]:
    """:func:`decode_bytes`, also returning how many characters were replaced."""
    if not data:
        raise ValueError("empty file (0 bytes)")
    for bom, label, decode in _BOMS:
        if data.startswith(bom):
            skip = len(bom)
            break
    else:
        skip, label, decode = 0, "UTF-8", codecs.utf_8_decode
    if label == "UTF-8" and b"\x00" in data[:_SNIFF_BYTES]:
        raise ValueError("binary file (NUL bytes)")
    text, bad, marks = _decode_counting(data, skip, decode, label)
    warnings = []
    if bad:
        warnings.append(f"{bad} invalid {label} byte{'s' if bad > 1 else ''} replaced by U+FFFD")
    text, controls = _CONTROL.subn(" ", text)
    if controls > _MAX_BAD_RATIO * len(text):
        raise ValueError(f"binary file (more than {_MAX_BAD_RATIO:.0%} of its characters are "
                         "control characters)")
    if controls:
        warnings.append(
            f"{controls} control character{'s' if controls > 1 else ''} replaced by "
            f"{'spaces' if controls > 1 else 'a space'}"
        )
    if not text.strip():
        raise ValueError("empty file (whitespace only)")
    return text, warnings, marks + controls


class _Tally(threading.local):
    """Per-thread state of the ``kg-count`` codec error handler."""

    bad = marks = 0
    limit = 0.0
    label = "UTF-8"


_TALLY = _Tally()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _TALLY.bad += exc.end - exc.start
    _TALLY.marks += 1
    if _TALLY.bad > _TALLY.limit:
        raise ValueError(f"binary file (more than {_MAX_BAD_RATIO:.0%} of its bytes are not {_TALLY.label})")
    return "\ufffd", exc.end


codecs.register_error("kg-count", _count_and_replace)


def _decode_counting(data: bytes, skip: int, decode, label: str) -> tuple[str, int, int]:
    """Decode in one pass, replacing each invalid sequence by U+FFFD:
    ``(text, invalid bytes, U+FFFD inserted)``."""
    view = memoryview(data)[skip:]
    _TALLY.bad = _TALLY.marks = 0
    _TALLY.limit = _MAX_BAD_RATIO * max(len(view), 1)
    _TALLY.label = label
    text = decode(view, "kg-count", True)[0]
    return text, _TALLY.bad, _TALLY.marks


def read_text(path: str | os.PathLike[str]) -> tuple[str, list[str]]:
    r"""Read and decode a file (see :func:`decode_bytes`): ``(text, warnings)``.

    Raises OSError when the file cannot be read and ValueError when it is
    empty or binary.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "a.txt"
    ...     _ = p.write_bytes(b"IS left.\r\nSDF took Raqqa.")
    ...     read_text(p)
    ('IS left.\r\nSDF took Raqqa.', [])
    """
    return decode_bytes(Path(path).read_bytes())


# --------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------


def read_document(
    path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None
) -> Document | IngestError:
    r"""Read one article file into a :class:`Document`, or say why it cannot be.

    ``Document.path`` is the path as given, in POSIX form, or relative to
    ``root`` when given and the file lies under it; ``id`` is the file's stem
    when it is plain ASCII, else what is left of it plus a digest of the name
    (:func:`_doc_id`; a build makes ids unique with :func:`assign_ids`). HTML files
    (``.html``/``.htm``, or text opening with ``<!doctype html``/``<html``) keep
    the raw markup in ``text``; in ``body`` markup, scripts, styles and
    furniture are blanked and block-level tags become line breaks.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "deal 1.txt"
    ...     _ = p.write_text("Search\n\nIS fighters leave Raqqa under deal\n\n"
    ...         "(AFP) - Islamic State fighters left Raqqa overnight under a deal "
    ...         "with the SDF, a monitor said.\n")
    ...     doc = read_document(p, root=tmp)
    ...     empty = Path(tmp) / "empty.txt"
    ...     _ = empty.write_text("")
    ...     error = read_document(empty, root=tmp)
    >>> doc.id, doc.path, doc.title, doc.publisher
    ('deal_1_5fc71548', 'deal 1.txt', 'IS fighters leave Raqqa under deal', 'AFP')
    >>> doc.body.split("\n")[4][:30]
    '        Islamic State fighters'
    >>> str(error)
    'empty.txt: empty file (0 bytes)'
    """
    file_path = Path(path)
    shown = _shown_path(file_path, root)
    try:
        data = file_path.read_bytes()
    except OSError as exc:
        return IngestError(shown, f"cannot read file: {_os_reason(file_path, exc)}")
    try:
        text, warnings, replaced = _decode(data)
    except ValueError as exc:
        return IngestError(shown, str(exc))
    parsed = None
    if _looks_like_html(file_path, text):
        try:
            parsed = _read_html(text)
        except (AssertionError, ValueError, IndexError) as exc:  # malformed beyond html.parser
            warnings.append(f"cannot parse as HTML ({exc}); read as plain text")
    if parsed is None:
        page = _analyse(text)
        parsed = mask(text, page.spans), page.title, page.publisher, page.date
    body, title, publisher, date = parsed
    if not body.strip():
        warnings.append("no article text left after removing page furniture")
    return Document(
        id=_doc_id(file_path),
        path=shown,
        text=text,
        body=body,
        title=title,
        publisher=publisher,
        date=date,
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=tuple(warnings),
        replaced_chars=replaced,
    )


def iter_documents(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    suffixes: Iterable[str] = DEFAULT_SUFFIXES,
    root: str | os.PathLike[str] | None = None,
) -> Iterator[Document | IngestError]:
    """Read every file named by ``inputs`` (files or directories).

    Combines :func:`iter_paths` and :func:`read_document`; a file that cannot
    be read gives an :class:`IngestError` and iteration goes on.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("The SDF and IS agreed a truce.")
    ...     _ = (Path(tmp) / "b.txt").write_bytes(b"\\x00\\x01binary")
    ...     [str(d) if isinstance(d, IngestError) else d.id
    ...      for d in iter_documents([tmp, Path(tmp) / "c.txt"], root=tmp)]
    ['a', 'b.txt: binary file (NUL bytes)', 'c.txt: no such file or directory']
    """
    for item in iter_paths(inputs, suffixes=suffixes):
        if isinstance(item, IngestError):
            if root is not None:
                item = IngestError(_shown_path(Path(item.path), root), item.reason)
            yield item
            continue
        try:
            yield read_document(item, root=root)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
            yield IngestError(_shown_path(item, root), f"cannot ingest: {type(exc).__name__}: {exc}")


def _shown_path(path: Path, root: str | os.PathLike[str] | None) -> str:
    if root is not None:
        try:
            return printable_path(
                Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix())
        except ValueError:
            pass
    return printable_path(path.as_posix())


_ID_OK = re.compile(r"[A-Za-z0-9._-]+")
_ID_DIGEST = 8  # hex digits added to an id that needs telling apart


def _doc_id(path: Path) -> str:
    r"""A file's document id, from its name alone.

    A name of ASCII letters, digits, ``.``, ``_`` and ``-`` (not starting or
    ending with ``_``) keeps its stem as id. Any other name (spaces, other
    scripts, control characters) gets what is left of it in those characters,
    then a digest of the whole name, so that two such names never share an id:

    >>> _doc_id(Path("001_a2f90259e8779014.txt")), _doc_id(Path("report 1.txt"))
    ('001_a2f90259e8779014', 'report_1_51d7dcd8')
    >>> _doc_id(Path("مقال.txt")), _doc_id(Path("خبر.txt"))
    ('x_b163d8e7', 'x_1aed57ef')
    """
    from kg.vocab import safe_segment

    stem = path.stem or path.name or "document"
    if _ID_OK.fullmatch(stem) and safe_segment(stem) == stem:
        return stem
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_") or "x"
    return f"{readable}_{_digest(unicodedata.normalize('NFC', path.name))}"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:_ID_DIGEST]


def assign_ids(paths: list[Path], shown: list[str]) -> list[str]:
    """Document ids for the files of one build: unique, and stable for the same inputs.

    Each file gets :func:`_doc_id`; files whose ids would share a document
    graph (``a/x.txt`` and ``b/x.txt``, ``x.txt`` and ``x.html``, ``_x.txt``
    and ``x.txt``) each get a digest of their path (``shown``, as in
    ``Document.path``) added, so that every id names exactly one file.

    >>> assign_ids([Path("a/x.txt"), Path("b/x.txt"), Path("y.txt")], ["a/x.txt", "b/x.txt", "y.txt"])
    ['x_7df5d9df', 'x_7f19d835', 'y']
    """
    from kg.vocab import safe_segment

    ids = [_doc_id(path) for path in paths]
    keys = [safe_segment(i) for i in ids]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    ids = [f"{i}_{_digest(name)}" if counts[k] > 1 else i for i, k, name in zip(ids, keys, shown)]
    seen: dict[str, int] = {}
    out = []
    for doc_id in ids:  # a name made to look like another's digest: numbered, in input order
        key = safe_segment(doc_id)
        seen[key] = seen.get(key, 0) + 1
        out.append(doc_id if seen[key] == 1 else f"{doc_id}_{seen[key]}")
    return out


def _looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in _HTML_SUFFIXES:
        return True
    return text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    r"""Blank the ``[start, end)`` spans of ``text``: every character but
    ``\n`` and ``\r`` becomes a space, so the result has the same length and
    the same line structure.

    >>> mask("Share\r\nIS left.", [(0, 7)])
    '     \r\nIS left.'
    """
    out = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            if out[i] not in "\r\n":
                out[i] = " "
    return "".join(out)


# --------------------------------------------------------------------------
# furniture rules for plain-text pages
# --------------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_SENT_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                         "″": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'"})
_TRAIL = r"[\s:.…»>|*\-–—]*"

# A line starting one of these, after the article has begun, ends the article.
_TAIL_MARKERS = tuple(re.compile(r"(?i)(?:" + p + r")" + _TRAIL) for p in (
    r"you (?:may|might|could|will|would) (?:also )?(?:like|love|enjoy|be interested in)"
    r"(?: (?:these|this|reading))?(?: (?:stories|articles|posts|too))?",
    r"related(?: (?:articles?|stories|news|posts?|content|coverage|reading|links?|topics|videos?))?",
    r"read (?:more|next|also)(?: (?:stories|articles|news|on this topic))?",
    r"(?:see|also) (?:also|read)",
    r"more (?:from|on|in|about) [^.!?]{1,40}",
    r"more (?:stories|news|articles|headlines)(?: [^.!?]{1,30})?",
    r"comments?(?: about this (?:article|story|post))?(?: ?\(\d+\))?",
    r"total comments ?(?:\(\d*\)|\d*)",
    r"\d+ comments?",
    r"no comments?(?: yet)?",
    r"(?:leave|post|add|write|submit) (?:a |your )?(?:comment|reply|response)s?",
    r"(?:view|show|load|read|see) (?:all )?comments?(?: ?\(\d+\))?",
    r"join the (?:conversation|discussion|debate)",
    r"written by\b[^.!?]{0,60}",
    r"about the authors?",
    r"share this(?: (?:article|story|page|post|on|via)\b[^.!?]{0,40})?",
    r"recommended(?: (?:for you|stories|articles|reading|videos?|news))?",
    r"trending(?: (?:now|stories|news|topics|articles|today))?",
    r"most (?:read|popular|viewed|shared|commented|watched)"
    r"(?: (?:stories|articles|news|today|this week|now))?",
    r"(?:sign up|subscribe|register) (?:for|to) (?:our|the|my)\b[^.!?]{0,60}",
    r"(?:our )?(?:daily |weekly |free )?newsletters?(?: sign ?up)?",
    r"our standards\b.{0,80}",
    r"(?:latest|top|popular|other|editor'?s|more) (?:news|stories|articles|headlines|picks?)",
    r"don'?t miss(?: this)?",
    r"what to read next",
))

# Lines that are furniture wherever they are.
_FURNITURE_LINES = tuple(re.compile(r"(?i)(?:" + p + r")" + _TRAIL + r"[!?]?") for p in (
    r"search(?: (?:for|by) (?:a )?keywords?| this site| the site| news| here| articles)?",
    r"(?:hi,? |hello,? )?what are you (?:looking|searching) for",
    r"type (?:here )?(?:and|to) (?:press|hit) enter[^.]{0,40}",
    r"(?:press|hit) enter to search[^.]{0,40}",
    r"enter (?:your )?(?:search )?(?:keywords?|terms?|search)",
    r"connect with us|stay connected|like us on facebook",
    r"(?:follow|join|find) us(?: on [^.!?]{1,40})?",
    r"please fill (?:in |out )?(?:all )?the (?:required )?fields(?: below)?",
    r"\*?\s*code confirming note",
    r"required fields are marked[^.]{0,40}",
    r"your e-?mail address will not be published[^.]{0,60}",
    r"(?:name|e-?mail|website|comment|message)\s*\*",
    r"advertisement|advert|sponsored(?: content| links?)?|ad ?choices|skip to (?:main )?content"
    r"|skip to navigation|toggle navigation|menu|close|log ?in|sign ?in|sign ?up|subscribe(?: now)?"
    r"|register|home|loading|print(?: this (?:page|article))?|back to top|accept(?: all)? cookies",
    r"\d+\s*min(?:ute)?s?\s+read",
    r"(?:additional )?(?:reporting|writing|editing|compiled|translated|translation|produced|graphics)"
    r"(?: and editing)? by\b[^.!?]{0,200}",
    r"(?:photo(?:graph)?s?|image|picture|file photo)(?:\s+(?:courtesy(?: of)?|credits?|by|source)\b|\s*:)"
    r"[^.!?]{0,60}",
    r"(?:copyright|©|\(c\))[^\n]{0,120}",
    r"all rights reserved",
    r"(?:tags?|topics?|filed under|categories|category|keywords?)\s*:[^\n]{0,200}",
    r"(?:updated|published|posted|last updated|last modified)\b[^.!?]{0,60}",
    r"[^\n]{0,80}\bclick here\b[^\n]{0,80}",
    r"read (?:more|also|next)\s*:[^\n]{0,160}",
))

_TO_READ = re.compile(
    r"(?i)to read the (?:entire|full|whole|complete|original|rest of the) (?:article|story|report)"
    r"(?: (?:on|at|from|in|by|of))? (?P<pub>.+?),? click here" + _TRAIL
)
_DOMAIN = re.compile(r"(?i)(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,24}/?")
_BYLINE = re.compile(r"(?i)(?:(?:written|posted|reported|story|words|text)\s+)?by\s*:?\s+(?P<rest>.+)")
_WRITTEN_BY = re.compile(r"(?i)written by\s*:?\s*(?P<rest>.*?)" + _TRAIL)
# "BEIRUT (Reuters) - ", "DAMASCUS, Syria (AP) — ", "BEIRUT, Oct 15 (Reuters) -", "(Zaman Al Wasl)- "
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’\- ]*[A-Z.]"
    r"(?:,\s*[A-Z][\w.'’\- ]{0,30}?)?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*)?"
    r"\((?P<pub>[A-Z][\w.&'’ \-]{0,40}?)\)\s*[-–—:]+\s*"
)
# A photo credit closing a caption: "... in Raqqah. (Photo by Reuters)"
_CREDIT = re.compile(
    r"(?i)\((?:(?:file )?photo(?:graph)?s?|image|picture|pic|video)\s*(?:by|:|credits?:?|courtesy(?: of)?|via|/)"
    r"\s*[^()]{1,60}\)\s*$"
    r"|\((?:[A-Z][\w.&' -]{0,40}\s)(?:file )?(?:photo|image|picture)s?(?:\s*/\s*[^()]{1,40})?\)\s*$"
)
_SOCIAL_CORE = frozenset({
    "share", "shares", "tweet", "facebook", "twitter", "whatsapp", "telegram", "email", "e-mail",
    "linkedin", "reddit", "pinterest", "messenger", "print", "instagram", "youtube", "tiktok",
    "rss", "viber", "flipboard", "tumblr", "vk", "sms", "bluesky", "threads", "mastodon",
})
_SOCIAL_FILLER = frozenset({
    "on", "via", "this", "the", "article", "story", "page", "post", "to", "with", "friends",
    "a", "friend", "send", "it", "and", "us", "x", "copy", "link", "url", "mail", "google", "save",
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
class _Page:
    """What :func:`_analyse` finds in a plain-text page."""

    spans: tuple[tuple[int, int], ...]
    title: str | None
    publisher: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    lead: int  # leading whitespace before the first visible character
    text: str  # whitespace-collapsed content
    words: int
    kind: str  # blank | tail | furn | body | text
    publisher: str | None = None  # from "To read the entire article X click here"
    domain: bool = False
    date: str | None = None


def find_furniture(text: str) -> list[tuple[int, int]]:
    r"""Spans ``(start, end)`` of page furniture in a plain-text news page.

    One line is one paragraph. Furniture is: everything from a tail marker
    ("You may also like", "Related articles", "Total Comments (0)", "Written
    By", ...) after the article has begun to the end of the file; isolated
    furniture lines anywhere (search boxes, share buttons, counters, bylines,
    date lines, publisher lines, section labels of one to three words); a
    dateline prefix ("BEIRUT (Reuters) - "); a photo credit ending a caption;
    a paragraph repeating an earlier one. The spans are sorted and disjoint.

    >>> page = "World\nBy Jane Doe\nIS quits Raqqa\n" \
    ...        "BEIRUT (Reuters) - Islamic State fighters have left Raqqa under a deal, the SDF said.\n" \
    ...        "You may also like:\nOther news."
    >>> [page[a:b] for a, b in find_furniture(page)]
    ['World', 'By Jane Doe', 'BEIRUT (Reuters) - ', 'You may also like:\nOther news.']
    """
    return list(_analyse(text).spans)


def _analyse(text: str) -> _Page:
    lines = _split_lines(text)
    n = len(lines)
    first_body = next((i for i, ln in enumerate(lines) if ln.kind == "body"), None)
    anchor = first_body
    if anchor is None:
        anchor = next((i for i, ln in enumerate(lines) if ln.kind == "text"), None)
    cut = n
    if anchor is not None:
        cut = next((i for i in range(anchor + 1, n) if lines[i].kind == "tail"), n)
    furniture = {i for i in range(cut) if lines[i].kind in ("furn", "tail")}
    spans: list[tuple[int, int]] = []

    # the headline: first headline-like line before the first body paragraph
    limit = first_body if first_body is not None else cut
    title_idx = next(
        (i for i in range(limit) if lines[i].kind == "text" and _headline_like(lines[i].text)), None
    )

    # a paragraph repeating an earlier one (quotes and spaces normalised)
    seen: set[str] = set()
    for i in range(cut):
        if i in furniture or lines[i].kind not in ("body", "text"):
            continue
        key = lines[i].text.translate(_QUOTES)
        if key in seen:
            furniture.add(i)
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
    return _Page(tuple(_merge(spans)), title, publisher, date)


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
    if words <= 12 and any(p.fullmatch(st) for p in _TAIL_MARKERS):
        return _Line(a, b, lead, st, words, "tail", date=date or _find_iso(st))
    m = _TO_READ.fullmatch(st)
    if m:
        return _Line(a, b, lead, st, words, "furn", publisher=m["pub"].strip())
    if _DOMAIN.fullmatch(st):
        return _Line(a, b, lead, st, words, "furn", domain=True)
    if date:
        return _Line(a, b, lead, st, words, "furn", date=date)
    if (_is_byline(st) or _is_social(st) or _is_breadcrumb(st) or not any(c.isalpha() for c in st)
            or (words <= 30 and any(p.fullmatch(st) for p in _FURNITURE_LINES))):
        return _Line(a, b, lead, st, words, "furn", date=_find_iso(st) if words <= 20 else None)
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
        m = _WRITTEN_BY.fullmatch(ln.text) if ln.kind == "tail" else None
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


def _find_iso(s: str) -> str | None:
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


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "option",
})
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "nav", "footer",
    "aside", "form", "button", "select", "textarea", "iframe", "object", "canvas",
})
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                        "param", "source", "track", "wbr"})
_FURNITURE_ATTR = re.compile(
    r"(?i)(?:^|[\s_-])(?:share|sharing|social|related|comments?|newsletter|advert\w*|ads?|cookies?"
    r"|promo|sidebar|breadcrumbs?|menu|navbar|nav|footer|subscribe|signup|popup|modal|byline|tags)"
    r"(?:$|[\s_-])"
)
# never dropped for their class or id ("article has-comments" is still the article)
_CONTAINER_TAGS = frozenset({"html", "body", "main", "article", "h1"})
_FURNITURE_ROLES = frozenset({"navigation", "banner", "complementary", "contentinfo", "search"})


class _HtmlScanner(HTMLParser):
    """Finds the visible text runs, block boundaries and metadata of a page,
    as offsets into the raw text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.keep: list[tuple[int, int]] = []
        self.breaks: list[int] = []
        self.stack: list[tuple[str, bool]] = []
        self.skipping = 0
        self.in_title = 0
        self.in_h1 = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self.h1_done = False
        self.meta: dict[str, str] = {}
        self.time: str | None = None

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.breaks.append(self._pos())
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"])
        elif tag == "time" and values.get("datetime") and self.time is None:
            self.time = values["datetime"]
        if tag in _VOID_TAGS:
            return
        skip = tag in _SKIP_TAGS or (tag not in _CONTAINER_TAGS and (
                "hidden" in values or values.get("aria-hidden") == "true"
                or values.get("role", "").lower() in _FURNITURE_ROLES
                or bool(_FURNITURE_ATTR.search(values.get("class", "")))
                or bool(_FURNITURE_ATTR.search(values.get("id", "")))))
        self.stack.append((tag, skip))
        self.skipping += skip
        self.in_title += tag == "title"
        self.in_h1 += tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.breaks.append(self._pos())
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            name, skip = self.stack.pop()
            self.skipping -= skip
            self.in_title -= name == "title"
            if name == "h1":
                self.in_h1 -= 1
                self.h1_done = self.h1_done or bool("".join(self.h1).strip())
            if name == tag:
                break

    def _text(self, start: int, end: int, shown: str) -> None:
        if not self.skipping:
            self.keep.append((start, end))
        if self.in_title:
            self.title.append(shown)
        if self.in_h1 and not self.h1_done:
            self.h1.append(shown)

    def handle_data(self, data: str) -> None:
        start = self._pos()
        self._text(start, start + len(data), data)

    def handle_entityref(self, name: str) -> None:
        self._ref(f"&{name}")

    def handle_charref(self, name: str) -> None:
        self._ref(f"&#{name}")

    def _ref(self, raw: str) -> None:
        start = self._pos()
        end = start + len(raw)
        if self.text.startswith(";", end):
            end += 1
        self._text(start, end, html.unescape(self.text[start:end]))


def _read_html(text: str) -> tuple[str, str | None, str | None, str | None]:
    """``(body, title, publisher, date)`` of an HTML page."""
    scanner = _HtmlScanner(text)
    scanner.feed(text)
    scanner.close()
    chars = [c if c in "\r\n" else " " for c in text]
    for a, b in scanner.keep:
        chars[a:b] = text[a:b]
    breaks = set(scanner.breaks)
    for p in breaks:
        if p < len(chars):
            chars[p] = "\n"
    body = "".join(chars)
    page = _analyse(_block_view(body, breaks))
    body = mask(body, page.spans)

    def clean(parts: list[str]) -> str | None:
        s = " ".join("".join(parts).split())
        return s or None

    title = clean(scanner.title) or clean(scanner.h1) or page.title
    date = None
    for key in ("article:published_time", "datepublished", "date", "pubdate", "dc.date"):
        if scanner.meta.get(key):
            date = _find_iso(scanner.meta[key])
            if date:
                break
    date = date or (_find_iso(scanner.time) if scanner.time else None) or page.date
    publisher = (" ".join(scanner.meta.get("og:site_name", "").split()) or None) or page.publisher
    return body, title, publisher, date


def _block_view(body: str, breaks: set[int]) -> str:
    """One line per HTML block: soft line breaks inside a block become spaces,
    block boundaries and blank lines become newlines (same length as body)."""
    out = list(body)
    content = False
    for i, c in enumerate(out):
        if i in breaks:
            out[i] = "\n"
            content = False
        elif c == "\r":
            out[i] = " "
        elif c == "\n":
            if content:
                out[i] = " "
            content = False
        elif not c.isspace():
            content = True
    return "".join(out)
