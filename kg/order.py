"""Sort ranks: where each name stands in the order ``ORDER BY`` puts names, for the pages of named queries.

Oxigraph sorts every row of a query before it cuts a page, and at a million
triples a listing has tens of thousands of rows. :mod:`kg.pages` instead
walks a listing a few entities at a time, in the order of the query's first
sort key. To know which entities come first without sorting them at query
time, each node gets, once per change of the store, the *rank* of its name:
an ``xsd:integer`` such that names in code-point order (the order of
SPARQL's ``ORDER BY`` on plain strings) have increasing ranks and equal names
the same rank.

Which nodes are ranked, and by what, is data: each
``kg/queries/build/order/NAME.rq`` selects ``?node`` and its sort keys (every
other variable, in order: ``?key ?key2``, plain strings) and says in its
header (``# rank: subjectRank``) the ontology property (``kgo:subjectRank``)
that holds the ranks. Ranking
itself is a sort of a few thousand strings, done here: SPARQL has no row
numbers, and counting the names before each one is quadratic.

The ranks live in the named graph :data:`~kg.vocab.ORDER_GRAPH`
(``kgr:order``) of the store only: not in its default graph, so not in
``graph.ttl``. They say nothing about the conflict, every rank after a new
name shifts when it comes, and other tools sort for themselves; a page
walk is a matter of kg's store. The store drops them in the same
transaction as every change of documents (:func:`kg.derived.clear_update`)
and writes them again right after (:meth:`kg.store.Store.commit`): a process
killed in between leaves no ranks, and queries page the slow way until the
next change.

A set of names that does not rank simply (a node with two names, a name
that is not a plain string) gets no ranks: pages of its queries are cut the
slow way, with the same rows.

>>> [rule.predicate for rule in order_rules()][:2]
['dealingRank', 'heldPlaceRank']
>>> dense_ranks({"a": ("Beta",), "b": ("Alpha",), "c": ("Beta",)})
{'a': 1, 'b': 0, 'c': 1}
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import DataFileError
from kg.vocab import KGO, ORDER_GRAPH

ORDER_DIR = Path(__file__).resolve().parent / "queries" / "build" / "order"
_RANK = re.compile(r"(?m)^#\s*rank:\s*([A-Za-z]\w*)\s*$")


@dataclass(frozen=True)
class OrderRule:
    """One file of ``kg/queries/build/order``: the ``kgo:`` property of its ranks and its query."""

    name: str
    predicate: str
    text: str


@lru_cache(maxsize=1)
def order_rules() -> tuple[OrderRule, ...]:
    """Every ranking query, by file name."""
    found = []
    for path in sorted(ORDER_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        match = _RANK.search(text)
        if match is None:
            raise DataFileError(f"{path}: a ranking query needs a '# rank: PROPERTY' line")
        found.append(OrderRule(path.stem, match.group(1), text))
    return tuple(found)


def dense_ranks(keys: dict) -> dict:
    """Each node's rank: the position of its key (a tuple of strings) among the distinct keys, in order.

    Python compares ``str`` by code points, as SPARQL's ``ORDER BY`` (and
    Oxigraph) compares plain string literals, and tuples key by key, as
    ``ORDER BY ?a ?b`` does.
    """
    position = {key: rank for rank, key in enumerate(sorted(set(keys.values())))}
    return {node: position[key] for node, key in keys.items()}


def rank_quads(ox_store) -> list:
    """The quads of the order graph for the default graph of ``ox_store`` (a ``pyoxigraph.Store``)."""
    from kg.store.terms import integer_literal, plain_string, quad, to_oxigraph

    graph = to_oxigraph(ORDER_GRAPH)
    quads = []
    for rule in order_rules():
        keys: dict = {}
        simple = True
        answer = ox_store.query(rule.text)
        names = [v.value for v in answer.variables]
        columns = [i for i, name in enumerate(names) if name != "node"]
        at = names.index("node")
        for solution in answer:
            node, key = solution[at], tuple(plain_string(solution[i]) for i in columns)
            if None in key:
                simple = False  # a key ORDER BY may not sort as a plain string
                break
            if keys.setdefault(node, key) != key:
                simple = False  # a node with two keys (two labels): no one rank
                break
        if not simple:
            continue
        predicate = to_oxigraph(KGO[rule.predicate])
        quads += [quad(node, predicate, integer_literal(rank), graph)
                  for node, rank in dense_ranks(keys).items()]
    return quads


def write_ranks(ox_store) -> None:
    """Replace the order graph of ``ox_store`` with the ranks of its default graph."""
    quads = rank_quads(ox_store)
    ox_store.update(f"DROP SILENT GRAPH <{ORDER_GRAPH}>")
    ox_store.extend(quads)
