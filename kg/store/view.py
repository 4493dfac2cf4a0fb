"""A read-only rdflib-style view of a pyoxigraph store's default graph (:class:`GraphView`), for the page.

Split from :mod:`kg.store`, which re-exports it (``from kg.store import GraphView`` works as ever).
"""
from __future__ import annotations

from rdflib import URIRef

from kg.store.terms import _FromOxigraph, to_oxigraph

__all__ = ["GraphView"]


class GraphView:
    """A read-only rdflib-style view of a ``pyoxigraph.Store``'s default graph.

    The few look-ups :mod:`kg.html` makes (``triples``, ``subjects``,
    ``objects``, ``subject_objects``), answered by Oxigraph's indexes and
    returned as rdflib terms (the last 50,000 IRIs cached), without copying
    the graph into rdflib. Lighter than an oxrdflib-backed ``rdflib.Graph``
    for reading.

    >>> import pyoxigraph as ox
    >>> from rdflib import RDF
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode(str(RDF.type)),
    ...                   ox.NamedNode("https://example.org/C")))
    >>> view = GraphView(store)
    >>> list(view.subjects(RDF.type, URIRef("https://example.org/C"))), len(view)
    ([rdflib.term.URIRef('https://example.org/a')], 1)
    """

    def __init__(self, store):
        self.store = store
        # the IRIs met last (a whole store's would grow with it)
        self._convert = _FromOxigraph(limit=50000)

    def triples(self, pattern):
        """``(s, p, o)`` rdflib triples matching a pattern of rdflib terms or None."""
        import pyoxigraph as ox

        s, p, o = (None if term is None else to_oxigraph(term) for term in pattern)
        # IRIs of the pattern are what matched: given back as they are, not converted again.
        s0, p0, o0 = (term if isinstance(term, URIRef) else None for term in pattern)
        convert = self._convert
        for quad in self.store.quads_for_pattern(s, p, o, ox.DefaultGraph()):
            yield (s0 if s0 is not None else convert(quad.subject),
                   p0 if p0 is not None else convert(quad.predicate),
                   o0 if o0 is not None else convert(quad.object))

    def subjects(self, predicate=None, object=None):  # noqa: A002 (rdflib's name)
        for s, _, _ in self.triples((None, predicate, object)):
            yield s

    def objects(self, subject=None, predicate=None):
        for _, _, o in self.triples((subject, predicate, None)):
            yield o

    def subject_objects(self, predicate=None):
        for s, _, o in self.triples((None, predicate, None)):
            yield s, o

    def __iter__(self):
        return self.triples((None, None, None))

    def __len__(self) -> int:
        import pyoxigraph as ox

        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
