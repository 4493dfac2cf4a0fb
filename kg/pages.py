"""Pages of a named query walked a few entities at a time, in the order of its first sort keys.

Oxigraph evaluates every row of a query and sorts them all before it cuts
``LIMIT``/``OFFSET``: at a million triples page 1 of a listing costs as
much as the whole listing. A named query whose ``ORDER BY`` starts with
the sort key of one variable says how to walk it instead, by header lines::

    # page: s by subjectRank          (?s walked in the order of kgo:subjectRank)
    # page: modality in doubted-modalities   (?modality walked in the order of
                                       kg/queries/pages/doubted-modalities.rq)
    # page: doc by identifierRank, 128 at first   (128 ranks in the first run, not 8)
    # page: speaker by speakerRank, one at a time   (one rank a run)

``by`` names a rank of :mod:`kg.order` (the order graph of the store gives
each node the rank of its sort key, equal keys one rank); ``in`` names a
listing query of ``kg/queries/pages/`` whose rows are the variable's values
in order. The levels nest, the first outermost. The query is then run for a
few values of the walked variables at a time (a ``VALUES`` block where its
``# --param values here`` lines are, as parameters are), each run sorted by
the query's own ``ORDER BY``, and the runs are joined until the page is
full. Because the walk follows the query's first sort keys, and values of
equal keys are never split between runs (they have one rank), the rows are
exactly those of the whole listing, in its order: page 1 costs the runs of
its first few entities only.

A page is walked only when no parameter binds a walked variable or an
entity (then the query is fast by itself) and the store has the ranks; else
it is cut by ``LIMIT``/``OFFSET`` as before.

>>> levels("# title: T\\n# page: s by subjectRank\\n# page: d in event-dates\\nSELECT")
(Level(var='s', by='rank', source='subjectRank', first=8, single=False), Level(var='d', by='listing', source='event-dates', first=8, single=False))
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from rdflib.term import Node

from kg.errors import QueryError
from kg.sparql import VALUES_MARKER, Result
from kg.vocab import KGO, ORDER_GRAPH

PAGES_DIR = Path(__file__).resolve().parent / "queries" / "pages"
_LEVEL = re.compile(r"^#\s*page:\s*([A-Za-z_]\w*)\s+(by|in)\s+([A-Za-z][\w-]*)"
                    r"(?:\s*,\s*(?:(\d+)\s+at first|(one at a time)))?\s*$")
_LISTING = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: Where a query wants the page's values a second time, in a walk only (an OPTIONAL group, say).
PAGE_MARKER = re.compile(r"(?m)^[ \t]*# --page values here[ \t]*$")
_ONLY_PAGED = re.compile(r"#\s*only with --page\s*$")
_NOT_PAGED = re.compile(r"#\s*not with --page\s*$")
#: Units (ranks or listed values) of the first run, and the most of one run.
FIRST_RUN = 8
LARGEST_RUN = 4096


@dataclass(frozen=True)
class Level:
    """One walked variable: by a rank of the order graph, or in a listing query."""

    var: str
    by: str  #: ``rank`` or ``listing``
    source: str  #: the rank's ``kgo:`` property, or the listing's name
    first: int = 8  #: units (ranks or listed values) of the first run
    #: one unit a run, always: one value is a constant to Oxigraph, several a table it may join last
    single: bool = False


@dataclass(frozen=True)
class Walk:
    """What a page walk needs: the query (``# only with`` lines dropped, markers kept), its levels, the page."""

    sparql: str
    levels: tuple[Level, ...]
    limit: int
    offset: int = 0


def levels(text: str) -> tuple[Level, ...]:
    """The ``# page:`` lines of a query's header."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _LEVEL.match(stripped)
        if match is not None:
            var, kind, source, first, single = match.groups()
            found.append(Level(var, "rank" if kind == "by" else "listing", source,
                               1 if single else int(first or FIRST_RUN), bool(single)))
    return tuple(found)


def paged_text(sparql: str) -> str:
    """The query as a page walk runs it: without its lines marked ``# not with --page``.

    A query may say a thing two ways, one that Oxigraph plans well when a
    few entities are given (``FILTER (?relation IN (...))``) and one that it
    plans well for the whole listing (``VALUES ?relation { ... }``).
    """
    return "".join(line for line in sparql.splitlines(keepends=True) if not _NOT_PAGED.search(line))


def plain_text(sparql: str) -> str:
    """The query as it runs whole, or cut by LIMIT/OFFSET: without its lines marked ``# only with --page``.

    >>> plain_text("SELECT * {\\n ?s ?p ?o .\\n FILTER (?s IN (<x:a>))  # only with --page\\n}")
    'SELECT * {\\n ?s ?p ?o .\\n}'
    """
    return "".join(line for line in sparql.splitlines(keepends=True) if not _ONLY_PAGED.search(line))


def plan(sparql: str, header: str, bindings: Mapping[str, Node], limit: int | None, offset: int,
         entity_params: frozenset[str]) -> Walk | None:
    """The walk of one page of a named query, or None when it is to be cut by LIMIT/OFFSET."""
    walked = levels(header)
    if not walked or limit is None or not VALUES_MARKER.search(sparql):
        return None
    if any(name in entity_params for name in bindings) or any(level.var in bindings for level in walked):
        return None
    return Walk(paged_text(sparql), walked, limit, offset)


def run_walk(run: Callable[[str], Result], walk: Walk, bindings: Mapping[str, Node], *,
             first: int | None = None, largest: int = LARGEST_RUN) -> Result | None:
    """The page, from the runs of ``run`` (SPARQL text to a Result); None when the store has no ranks.

    ``first`` (else each level's own) and ``largest`` bound the units of a run.
    """
    state = _State(walk, bindings, run, first, largest)
    unit_lists = []
    for level in walk.levels:
        units = state.units(level)
        if units is None:
            return None
        unit_lists.append((level, units))
    state.descend(unit_lists, ())
    if state.columns is None:  # nothing to walk: one empty run gives the columns
        state.run_block((), [])
    rows = state.rows[:walk.limit]
    return Result(columns=state.columns, rows=rows)


class _State:
    """One walk's progress: rows kept, rows skipped, and how many rows a unit gave so far."""

    def __init__(self, walk: Walk, bindings: Mapping[str, Node], run: Callable[[str], Result],
                 first: int | None, largest: int):
        self.walk, self.bindings, self.run = walk, dict(bindings), run
        self.first, self.largest = first, largest
        self.rows: list[tuple] = []
        self.columns: list[str] | None = None
        self.skipped = 0
        self.units_done = 0
        self.rows_done = 0

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.walk.limit

    def units(self, level: Level):
        """A level's units: ``("rank", top)`` (ranks 0..top) or ``("values", [term, ...])``."""
        if level.by == "rank":
            top = self.run(f"SELECT (MAX(?rank) AS ?top) WHERE {{ GRAPH <{ORDER_GRAPH}> "
                           f"{{ ?node <{KGO[level.source]}> ?rank }} }}").rows
            if not top or top[0][0] is None:
                return None
            return ("rank", int(top[0][0]))
        if not _LISTING.match(level.source) or not (PAGES_DIR / f"{level.source}.rq").is_file():
            raise QueryError(f"no listing query {level.source!r} in {PAGES_DIR}")
        listed = self.run((PAGES_DIR / f"{level.source}.rq").read_text(encoding="utf-8"))
        return ("values", [row[0] for row in listed.rows if row[0] is not None])

    def descend(self, unit_lists, fixed: tuple) -> None:
        """Walk the outer levels one value at a time, the innermost in runs of several units."""
        (level, units), rest = unit_lists[0], unit_lists[1:]
        if rest:
            for value in _values(units):
                if self.full:
                    return
                self.descend(rest, fixed + (value,))
            return
        size, start, end = 1 if level.single else self.first or level.first, 0, _count(units)
        while start < end and not self.full:
            stop = min(end, start + size)
            values = self.chunk(level, units, start, stop)
            got = self.run_block(fixed, values) if values else 0
            self.units_done += stop - start
            self.rows_done += got
            start = stop
            size = 1 if level.single else self.next_size(size)

    def chunk(self, level: Level, units, start: int, stop: int) -> list:
        """The values of units ``start`` to ``stop``: the nodes of those ranks, or those listed values."""
        if units[0] == "values":
            return units[1][start:stop]
        ranks = " ".join(str(rank) for rank in range(start, stop))
        found = self.run(f"SELECT ?node WHERE {{ VALUES ?rank {{ {ranks} }} GRAPH <{ORDER_GRAPH}> "
                         f"{{ ?node <{KGO[level.source]}> ?rank }} }}").rows
        return sorted((row[0] for row in found), key=str)

    def next_size(self, size: int) -> int:
        """Units of the next run: enough for the rest of the page at the rows per unit seen so far."""
        needed = self.walk.offset + self.walk.limit - self.skipped - len(self.rows)
        if self.rows_done == 0:
            return min(self.largest, size * 4)
        rate = self.rows_done / self.units_done
        return max(1, min(self.largest, size * 8, math.ceil(needed / rate * 1.25)))

    def run_block(self, fixed: tuple, values: list) -> int:
        """Run the query for ``values`` of the innermost walked variable, the outer ones ``fixed`` (with the
        parameters); keep its page part.

        The parameters and outer values are one-row ``VALUES`` blocks each, which Oxigraph reads as
        constants; only the innermost variable has a block of several rows (two blocks of several rows
        make it join them last).
        """
        *outer, inner = self.walk.levels
        constants = {**self.bindings, **{level.var: value for level, value in zip(outer, fixed)}}
        block = " ".join([values_block([name], [(term,)]) for name, term in constants.items()]
                         + [values_block([inner.var], [(value,) for value in values])])
        text = VALUES_MARKER.sub(lambda m: m.group(0).replace("# --param values here", block), self.walk.sparql)
        text = PAGE_MARKER.sub(lambda m: m.group(0).replace("# --page values here", block), text)
        wanted = self.walk.offset + self.walk.limit - self.skipped - len(self.rows)
        result = self.run(f"{text.rstrip()}\nLIMIT {max(0, wanted)}\n")  # Oxigraph still sorts all, but converts fewer
        if self.columns is None:
            self.columns = result.columns
        got = result.rows
        skip = min(len(got), max(0, self.walk.offset - self.skipped))
        self.skipped += skip
        self.rows.extend(got[skip:])
        return len(got)


def _count(units) -> int:
    return units[1] + 1 if units[0] == "rank" else len(units[1])


def _values(units):
    if units[0] == "values":
        return list(units[1])
    raise QueryError("a level walked by rank must be the last one")


def values_block(names: list[str], rows: list[tuple]) -> str:
    """``VALUES (?a ?b) { (x y) ... }`` of rdflib terms, in Oxigraph's syntax.

    >>> from rdflib import URIRef
    >>> values_block(["s"], [(URIRef("http://x"),)])
    'VALUES (?s) { (<http://x>) }'
    """
    from kg.store.terms import to_oxigraph

    head = " ".join(f"?{name}" for name in names)
    body = " ".join("(" + " ".join(str(to_oxigraph(term)) for term in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"
