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
  rules written for scraped news pages in general (:mod:`kg.furniture`):
  furniture inside the article blanks only its own lines, the article ends
  only where the rest of the page is furniture, and the headline stays in
  ``body``: headlines carry claims. ``Document.text_chars`` counts the page's
  readable characters, so that the share of them kept in ``body`` can be
  reported.

>>> page = "Search\n\nSDF and ISIS agree truce in Hasaka\n\n" \
...        "BEIRUT (Reuters) - The SDF and Islamic State agreed a truce on Friday " \
...        "in villages along the border, sources said.\n\nShare\nRelated articles\n" \
...        "Football: the cup final\nSome other story about markets\n"
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
from html.parser import HTMLParser
from pathlib import Path

from kg.furniture import analyse_page, find_furniture, visible_chars
from kg.pubdate import publication_date
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
    html_page = False
    if _looks_like_html(file_path, text):
        try:
            parsed = _read_html(text)
            html_page = True
        except (AssertionError, ValueError, IndexError) as exc:  # malformed beyond html.parser
            warnings.append(f"cannot parse as HTML ({exc}); read as plain text")
    if parsed is None:
        page = analyse_page(text)
        parsed = (mask(text, page.spans), page.title, page.publisher, page.date,
                  visible_chars(text) - page.repeated)
    body, title, publisher, date_line, text_chars = parsed
    published = publication_date(text, body=body, path=file_path, html=html_page, date_line=date_line)
    if not body.strip():
        warnings.append("no article text left after removing page furniture")
    return Document(
        id=_doc_id(file_path),
        path=shown,
        text=text,
        body=body,
        title=title,
        publisher=publisher,
        date=published.date,
        date_source=published.source,
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=tuple(warnings),
        replaced_chars=replaced,
        text_chars=text_chars,
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
        self.items: list[int] = []  # where each <li> starts
        self.stack: list[tuple[str, bool, bool]] = []
        self.skipping = 0
        self.uncounted = 0
        self.readable = 0  # visible characters of the page's text (see handle_starttag)
        self.in_title = 0
        self.in_h1 = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self.h1_done = False
        self.meta: dict[str, str] = {}

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.breaks.append(self._pos())
            if tag == "li":
                self.items.append(self._pos())
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"])
        if tag in _VOID_TAGS:
            return
        # Not counted as the page's text (Document.text_chars): code and metadata, and
        # page chrome the markup itself declares (navigation, footer, forms, hidden
        # elements, ARIA landmarks of that kind). Text dropped for a class or id that
        # looks like furniture is counted: it might have been the article.
        chrome = tag in _SKIP_TAGS or (tag not in _CONTAINER_TAGS and (
                "hidden" in values or values.get("aria-hidden") == "true"
                or values.get("role", "").lower() in _FURNITURE_ROLES))
        skip = chrome or tag in _SKIP_TAGS or (tag not in _CONTAINER_TAGS and (
                bool(_FURNITURE_ATTR.search(values.get("class", "")))
                or bool(_FURNITURE_ATTR.search(values.get("id", "")))))
        self.stack.append((tag, skip, chrome))
        self.skipping += skip
        self.uncounted += chrome
        self.in_title += tag == "title"
        self.in_h1 += tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.breaks.append(self._pos())
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            name, skip, chrome = self.stack.pop()
            self.skipping -= skip
            self.uncounted -= chrome
            self.in_title -= name == "title"
            if name == "h1":
                self.in_h1 -= 1
                self.h1_done = self.h1_done or bool("".join(self.h1).strip())
            if name == tag:
                break

    def _text(self, start: int, end: int, shown: str) -> None:
        if not self.skipping:
            self.keep.append((start, end))
        if not self.uncounted:
            self.readable += visible_chars(self.text[start:end])
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


def _read_html(text: str) -> tuple[str, str | None, str | None, str | None, int]:
    """``(body, title, publisher, date line, text_chars)`` of an HTML page."""
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
    # a list item's line starts right after the line break its <li> makes
    page = analyse_page(_block_view(body, breaks), items={p + 1 for p in scanner.items})
    body = mask(body, page.spans)

    def clean(parts: list[str]) -> str | None:
        s = " ".join("".join(parts).split())
        return s or None

    title = clean(scanner.title) or clean(scanner.h1) or page.title
    publisher = (" ".join(scanner.meta.get("og:site_name", "").split()) or None) or page.publisher
    # the page's own date line, if any; its markup's date is read by kg.pubdate (htmldate)
    return body, title, publisher, page.date, scanner.readable - page.repeated


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
