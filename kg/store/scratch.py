"""In-memory Oxigraph stores for scratch work: a fragment to check, a graph to derive triples of.

The persistent store is :class:`kg.store.Store`; these are the small
throw-away ``pyoxigraph.Store`` objects that the SHACL checks
(:mod:`kg.validate`, :mod:`kg.shacl`), the derived triples of an rdflib
graph (:func:`kg.derived.add_derived`) and the Turtle writer of an rdflib
graph (:func:`kg.store.serialize.turtle_bytes`) work in. Like every call of
pyoxigraph in kg, they are made here, in the store subpackage
(``tests/test_rdf_runtime.py``).

>>> store = memory_store("<https://e.org/a> <https://e.org/p> \\"x\\" .")
>>> len(store), [str(t[2]) for t in rdflib_triples(store)]
(1, ['x'])
"""
from __future__ import annotations

from typing import Iterable, Iterator

from rdflib import Graph
from rdflib.term import Node

from kg.store.terms import _FromOxigraph, graph_name, oxigraph_terms

__all__ = ["copy_graphs", "load_ntriples", "memory_store", "oxigraph_copy", "rdflib_triples"]


def memory_store(text: str | bytes | None = None, *, graph=None):
    """A new in-memory ``pyoxigraph.Store``, holding the N-Triples ``text`` (in ``graph``, default: the
    default graph) when given. A syntax error is pyoxigraph's ``SyntaxError``."""
    import pyoxigraph as ox

    store = ox.Store()
    if text:
        load_ntriples(store, text, graph=graph)
    return store


def load_ntriples(store, text: str | bytes, *, graph=None) -> None:
    """Load N-Triples ``text`` (bytes as they are: the SHACL engine's may hold what UTF-8 refuses)
    into ``graph`` of ``store`` (a graph name for :func:`kg.store.terms.graph_name`)."""
    import pyoxigraph as ox

    data = text.encode("utf-8") if isinstance(text, str) else text
    if graph is None:
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
    else:
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph_name(graph))


def oxigraph_copy(graph: Graph):
    """The triples of an rdflib graph in a new in-memory ``pyoxigraph.Store`` (default graph).

    >>> from rdflib import Literal, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("https://example.org/raqqa"), URIRef("https://example.org/lat"), Literal("35.95", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    >>> len(oxigraph_copy(g))
    1
    """
    import pyoxigraph as ox

    store = memory_store()
    convert = oxigraph_terms()
    store.extend(ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in graph)
    return store


def copy_graphs(store, graphs: Iterable) -> object:
    """A new in-memory store whose default graph holds the triples of ``graphs`` of ``store``."""
    copy = memory_store()
    for name in graphs:
        name = graph_name(name)
        copy.extend(_default_quads(store.quads_for_pattern(None, None, None, name)))
    return copy


def _default_quads(quads):
    import pyoxigraph as ox

    return (ox.Quad(q.subject, q.predicate, q.object) for q in quads)


def rdflib_triples(store, graph=None) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of ``graph`` of a pyoxigraph store (default: its default graph) as rdflib terms."""
    convert = _FromOxigraph(limit=100_000)
    for found in store.quads_for_pattern(None, None, None, graph_name(graph)):
        yield convert(found.subject), convert(found.predicate), convert(found.object)
