r"""Read a query the way Oxigraph reads it, before Oxigraph runs it; keep the
processes that run queries off the network.

kg refuses ``SERVICE`` (Oxigraph would call the endpoint over HTTP), ``FROM``
/ ``FROM NAMED``, ``LOAD`` and updates. A check that reads the query with
another parser than the engine's can be fooled: rdflib ends a ``#`` comment
at a line feed only, Oxigraph at a carriage return too, so
``# x\rSERVICE <http://host/> {...}`` was a comment to the check and a call to
the engine. pyoxigraph gives no access to its parser, so :func:`check` reads
the query with Oxigraph's own lexical rules (its SPARQL grammar: white space
is space, tab, CR and LF; a comment runs from ``#`` to the next CR or LF;
strings and IRIs as in SPARQL 1.1), and then hands Oxigraph **the text it
checked, not the text it was given**:

* comments are dropped (their line ends stay), so whatever the engine would
  make of them, there is nothing left to make anything of;
* ``#`` and ``'`` inside an IRI are written ``\u0023`` and ``\u0027``, which
  Oxigraph reads back as the same IRI. ``<`` is an IRI or "less than"
  depending on the grammar around it; written so, an IRI cannot hold what
  would start a comment or a string if the engine read it as operators;
* a string that is not a well-formed SPARQL string (unterminated, a line
  break in a short string, a bad escape) and a backslash outside strings and
  IRIs are syntax errors here, before the engine can read them another way.

Keywords are then looked for in what is neither string, IRI, comment nor
variable, conservatively: Oxigraph matches keywords with no word boundary
(``SERVICEx:a {...}`` is ``SERVICE x:a {...}`` when ``x:`` is declared), so a
name whose prefix part contains ``service`` or ``from`` anywhere is refused.
Nesting deeper than :data:`MAX_DEPTH` (``{``, ``(``, ``[``, ``<<``) is
refused too: Oxigraph's recursive parser overflows its stack (a segfault) on
a few thousand levels, and takes exponential time on nested collections.

Second line: :func:`deny_network` installs a seccomp filter in a process that
runs queries (kg serve's query processes and the process ``kg query`` starts)
so that it cannot create any socket but a Unix one. Even a query that got
past the check cannot reach a server, or a DNS resolver, from there.

>>> check("SELECT * WHERE { ?s ?p ?o } # comment").text
'SELECT * WHERE { ?s ?p ?o } '
>>> check("ASK { <http://x/#a> ?p ?o }").text
'ASK { <http://x/\\u0023a> ?p ?o }'
>>> check("SELECT * WHERE { # x\rSERVICE <http://127.0.0.1/> { ?a ?b ?c }\n}")
Traceback (most recent call last):
...
kg.errors.QueryRefusedError: SERVICE is not allowed: kg never calls other endpoints
"""
from __future__ import annotations

import errno
import re
from dataclasses import dataclass

from kg.errors import QueryError, QueryRefusedError

#: Deepest nesting of ``{``, ``(``, ``[`` and ``<<`` a query may have.
MAX_DEPTH = 64

_HEX4, _HEX8 = r"[0-9A-Fa-f]{4}", r"[0-9A-Fa-f]{8}"
_UCHAR = rf"\\u{_HEX4}|\\U{_HEX8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
# Possessive repetitions: PEG's ``*`` never gives back what it took.
_STRINGS = (  # longest first, as Oxigraph tries them
    ("'''", re.compile(rf"'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''")),
    ('"""', re.compile(rf'"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+"""')),
    ("'", re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+'")),
    ('"', re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+"')),
)
#: Every IRI Oxigraph accepts matches (its IRIREF takes anything up to ``>``,
#: then only a valid IRI parses); some it would read as operators match too.
_IRI = re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>")
_WHITE = frozenset(" \t\r\n")
_PN_BASE = (r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
            r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_NAME_CHARS = rf"{_PN_BASE}_0-9\u00B7\u0300-\u036F\u203F-\u2040"
_VARIABLE = re.compile(rf"[?$][{_NAME_CHARS}]+")
#: A name: keywords, prefixed names, numbers, blank node labels (no backslash: see above).
_WORD = re.compile(rf"[{_NAME_CHARS}\-:.%]+")
_FORBIDDEN_IN_NAMES = (("service", "SERVICE is not allowed: kg never calls other endpoints"),
                       ("from", "FROM and FROM NAMED are not allowed: queries run over the store's "
                                "union graph (use GRAPH <...> { } to pick one document's graph)"))
_UPDATES = frozenset({"insert", "delete", "clear", "drop", "create", "add", "move", "copy", "with"})
_KINDS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class Checked:
    """A query that passed :func:`check`: the text to run and its form."""

    text: str  #: what the engine gets (comments dropped, ``#`` and ``'`` in IRIs escaped)
    kind: str  #: select, ask or graph (CONSTRUCT, DESCRIBE), by its first query keyword


def check(sparql: str) -> Checked:
    """Read ``sparql`` as Oxigraph does; refuse or return the text to run.

    :class:`~kg.errors.QueryRefusedError` for SERVICE, FROM, LOAD and updates;
    :class:`~kg.errors.QueryError` for an empty query, a malformed string, a
    stray backslash and nesting deeper than :data:`MAX_DEPTH`.
    """
    out: list[str] = []
    words: list[str] = []
    depth = deepest = 0
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c in _WHITE:
            out.append(c)
            i += 1
        elif c == "#":
            while i < n and sparql[i] not in "\r\n":
                i += 1
        elif c in "'\"":
            for opener, pattern in _STRINGS:
                if sparql.startswith(opener, i):
                    match = pattern.match(sparql, i)
                    if match is None:
                        raise QueryError(f"SPARQL syntax error: {_where(sparql, i)}: unterminated or "
                                         "malformed string (a line break in a '...' or \"...\" string, "
                                         "or a bad backslash escape)")
                    out.append(match.group())
                    i = match.end()
                    break
        elif c == "<" and (match := _IRI.match(sparql, i)) is not None:
            out.append(match.group().replace("#", "\\u0023").replace("'", "\\u0027"))
            i = match.end()
        elif c in "?$" and (match := _VARIABLE.match(sparql, i)) is not None:
            out.append(match.group())
            i = match.end()
        elif (match := _WORD.match(sparql, i)) is not None:
            words.append(match.group())
            out.append(match.group())
            i = match.end()
        elif c == "\\":
            if "service" in _unescape(sparql[i:i + 64]).lower():
                raise QueryRefusedError(_FORBIDDEN_IN_NAMES[0][1])
            raise QueryError(f"SPARQL syntax error: {_where(sparql, i)}: a backslash outside a string or "
                             "an IRI (kg does not accept escapes in names)")
        else:
            if c in _OPEN or sparql.startswith("<<", i):
                depth += 1
                deepest = max(deepest, depth)
            elif c in _CLOSE or sparql.startswith(">>", i):
                depth = max(0, depth - 1)
            step = 2 if sparql.startswith(("<<", ">>"), i) else 1
            out.append(sparql[i:i + step])
            i += step
    _refuse(words)
    if not "".join(out).strip():
        raise QueryError("the query is empty (nothing but white space and comments)")
    if deepest > MAX_DEPTH:
        raise QueryError(f"the query nests groups, parentheses or brackets {deepest} deep; kg accepts "
                         f"at most {MAX_DEPTH} (deeper ones can crash the SPARQL parser)")
    kind = next((_KINDS[w.lower()] for w in words if w.lower() in _KINDS), "select")
    return Checked("".join(out), kind)


def _refuse(words: list[str]) -> None:
    """Refuse updates, then SERVICE, then FROM, as found in the names of the query."""
    bare = {w.lower() for w in words if ":" not in w}
    if "load" in bare:
        raise QueryRefusedError("LOAD is not allowed: the store is read-only here")
    if bare & _UPDATES:
        raise QueryRefusedError("SPARQL Update is not allowed: the store is read-only here")
    for keyword, message in _FORBIDDEN_IN_NAMES:
        if any(keyword in w.split(":", 1)[0].lower() for w in words):
            raise QueryRefusedError(message)


def _unescape(text: str) -> str:
    return re.sub(rf"{_UCHAR}", lambda m: chr(int(m.group()[2:], 16)), text)


def _where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"


# --------------------------------------------------------------------------
# The second line: no network in a process that runs queries
# --------------------------------------------------------------------------

def deny_network() -> bool:
    """Forbid this process (all its threads) to create sockets other than Unix ones.

    A seccomp filter (through libseccomp): ``socket()`` for any other family,
    and ``io_uring_setup()``, fail with EACCES from now on, in this process
    and its children, and cannot be lifted. Returns False where seccomp is
    not available (not Linux, no libseccomp), True once installed.
    """
    import socket

    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):
        return False
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        try:
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "io_uring_setup")
        except (OSError, ValueError, RuntimeError):
            pass  # a libseccomp too old to know the call; the kernel may not have it either
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        rules.load()
    except (OSError, ValueError, RuntimeError, AttributeError):
        return False
    return True
