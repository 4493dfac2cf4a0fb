"""A checked SPARQL query on a pyoxigraph store, its bindings and its result as rdflib terms.

Below :mod:`kg.store` (whose :meth:`~kg.store.Store.query` runs here) and
:mod:`kg.query` (named queries, parameters, child processes, formats; it
re-exports these names).

>>> from kg.store.scratch import memory_store
>>> execute(memory_store(), "SELECT ?x WHERE { BIND(1 AS ?x) }").rows
[(rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from rdflib import URIRef  # noqa: F401 (the doctest of bind_values)
from rdflib.term import Node

from kg import sparqlguard
from kg.errors import QueryError
from kg.vocab import SPARQL_PREFIXES, prefixes

#: Prefixes every query may use without declaring them.
PREFIXES = prefixes(SPARQL_PREFIXES)
#: Where a named query wants its parameters' VALUES block (else it is a trailing clause).
VALUES_MARKER = re.compile(r"(?m)^[ \t]*# --param values here[ \t]*$")


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """Append a trailing ``VALUES`` clause that pre-binds ``bindings``; or put
    that ``VALUES`` block where the query's ``# --param values here`` lines are.

    >>> bind_values("SELECT * { ?s ?p ?o }", {"s": URIRef("http://x")})
    'SELECT * { ?s ?p ?o }\\nVALUES (?s) { (<http://x>) }\\n'
    >>> bind_values("SELECT * {\\n  # --param values here\\n  ?s ?p ?o }", {"s": URIRef("http://x")})
    'SELECT * {\\n  VALUES (?s) { (<http://x>) }\\n  ?s ?p ?o }'
    """
    if not bindings:
        return sparql
    from kg.store.terms import to_oxigraph

    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(to_oxigraph(term)) for term in bindings.values())
    block = f"VALUES ({names}) {{ ({values}) }}"
    if VALUES_MARKER.search(sparql):
        return VALUES_MARKER.sub(lambda m: m.group(0).replace("# --param values here", block), sparql)
    return f"{sparql.rstrip()}\n{block}\n"


@dataclass
class Result:
    """What a query returned: column names and rows of rdflib terms.

    ``kind`` is ``select``, ``ask`` (see ``boolean``) or ``graph`` (CONSTRUCT
    and DESCRIBE: columns subject, predicate, object). ``truncated`` says the
    rows were cut at ``max_rows``.
    """

    columns: list[str]
    rows: list[tuple[Node | None, ...]]
    kind: str = "select"
    boolean: bool | None = None
    truncated: bool = False
    max_rows: int | None = None


def execute(ox_store, sparql: str, *, bindings: Mapping[str, Node] | None = None,
            max_rows: int | None = None) -> Result:
    """Check and run ``sparql`` on a pyoxigraph store, over the union graph.

    What runs is the text :func:`kg.sparqlguard.check` read (comments
    dropped), with ``bindings`` as a trailing ``VALUES`` clause.
    """
    from kg.store.terms import _FromOxigraph, result_kind

    checked = sparqlguard.check(bind_values(sparql, bindings or {}))
    try:
        answer = ox_store.query(checked.text, prefixes=PREFIXES)
        kind = result_kind(answer)
        if kind == "ask":
            return Result(columns=[], rows=[], kind="ask", boolean=bool(answer))
        convert = _FromOxigraph()
        rows: list[tuple] = []
        truncated = False
        if kind == "graph":
            columns = ["subject", "predicate", "object"]
            for triple in answer:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
        else:
            columns = [v.value for v in answer.variables]
            width = len(columns)
            for solution in answer:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(convert(solution[i]) for i in range(width)))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {_short(exc)}") from None
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"query failed: {_short(exc)}") from None
    return Result(columns=columns, rows=rows, kind=kind, truncated=truncated, max_rows=max_rows)
