"""RDF terms between rdflib and pyoxigraph.

The lowest layer of kg's RDF code, in the store subpackage, the one place
that imports pyoxigraph (``tests/test_rdf_runtime.py``): kg builds its
triples with rdflib terms (:mod:`kg.rdf`), and :mod:`kg.store` (the
persistent store, :mod:`kg.store.scratch`, the writers of
:mod:`kg.store.serialize`), :mod:`kg.derived`, :mod:`kg.sparql`,
:mod:`kg.order`, :mod:`kg.validate` and :mod:`kg.shacl` convert them here.
This module imports none of them; :mod:`kg.store` re-exports its names.
"""
from __future__ import annotations

from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.vocab import XSD

__all__ = ["from_oxigraph", "graph_name", "integer_literal", "lexical_view", "oxigraph_terms", "plain_string", "quad",
           "result_kind", "to_oxigraph"]

_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_XSD_INTEGER = str(XSD.integer)


def to_oxigraph(term: Node):
    """An rdflib term as a pyoxigraph term.

    >>> to_oxigraph(Literal("39.5", datatype=URIRef(_XSD_DECIMAL)))
    <Literal value=39.5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
    """
    import pyoxigraph as ox

    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
    except ValueError as exc:
        raise StoreError(f"cannot store the RDF term {term.n3()[:200]}: {exc}") from None
    raise StoreError(f"cannot store the RDF term {term!r:.200}")


@lru_cache(maxsize=20_000)
def _named_node(iri: str):
    """The pyoxigraph IRI ``iri``, made (and checked by Oxigraph) once: IRIs repeat across documents."""
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def oxigraph_terms():
    """A function giving :func:`to_oxigraph` of an rdflib term, faster for the terms a graph is made
    of (IRIs made once, plain and typed literals without a detour); anything else, and every error,
    is :func:`to_oxigraph`'s. What :func:`kg.store.serialize.ntriples` writes a fragment with.

    >>> convert = oxigraph_terms()
    >>> convert(URIRef("https://example.org/a")) == to_oxigraph(URIRef("https://example.org/a"))
    True
    """
    import pyoxigraph as ox

    literal, string = ox.Literal, _XSD_STRING

    def convert(term: Node):
        kind = type(term)
        try:
            if kind is URIRef:
                return _named_node(str(term))
            if kind is Literal and not term.language:
                datatype = term.datatype
                if datatype is None or str(datatype) == string:
                    return literal(str(term))
                return literal(str(term), datatype=_named_node(str(datatype)))
        except Exception:  # noqa: BLE001 - a bad IRI, a lone surrogate: to_oxigraph says why
            pass
        return to_oxigraph(term)

    return convert


class _FromOxigraph:
    """Converts pyoxigraph terms to rdflib terms, caching IRIs (they repeat); with a
    ``limit``, the cache is emptied when it holds that many (a reader of a whole store)."""

    def __init__(self, limit: int | None = None) -> None:
        import pyoxigraph as ox

        self._iris: dict[str, URIRef] = {}
        self._limit = limit
        self._named, self._literal, self._blank = ox.NamedNode, ox.Literal, ox.BlankNode

    def __call__(self, term) -> Node | None:
        kind = type(term)
        if kind is self._named:
            value = term.value
            iri = self._iris.get(value)
            if iri is None:
                if self._limit is not None and len(self._iris) >= self._limit:
                    self._iris.clear()
                iri = self._iris[value] = URIRef(value)
            return iri
        if kind is self._literal:
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            # Oxigraph keeps decimals canonical ("39", not "39.0"), as kg writes them.
            return Literal(term.value, datatype=self(term.datatype))
        if term is None:
            return None
        if kind is self._blank:
            return BNode(term.value)
        return Literal(str(term))  # RDF 1.2 triple terms: not used by kg


def from_oxigraph(term) -> Node | None:
    """A pyoxigraph term as an rdflib term (``None`` stays ``None``).

    >>> import pyoxigraph as ox
    >>> from_oxigraph(ox.Literal("x"))
    rdflib.term.Literal('x')
    """
    return _FromOxigraph()(term)


def lexical_view(term) -> Node | None:
    """A pyoxigraph term as an rdflib term, its lexical form unchanged; ``None`` for any other
    kind of term (RDF 1.2 triple terms). What the SHACL engine hands to pySHACL's view.

    >>> import pyoxigraph as ox
    >>> lexical_view(ox.Literal("36", datatype=ox.NamedNode(_XSD_DECIMAL)))
    rdflib.term.Literal('36', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return None


def plain_string(term) -> str | None:
    """The text of a pyoxigraph literal that is a plain string (``xsd:string``, no language); else ``None``.

    >>> import pyoxigraph as ox
    >>> plain_string(ox.Literal("Raqqa")), plain_string(ox.Literal("Raqqa", language="en"))
    ('Raqqa', None)
    """
    import pyoxigraph as ox

    if isinstance(term, ox.Literal) and term.language is None and term.datatype.value == _XSD_STRING:
        return term.value
    return None


def quad(subject, predicate, object, graph=None):  # noqa: A002 (RDF's name)
    """A pyoxigraph quad; each term a pyoxigraph term or an rdflib one (converted); ``graph``
    ``None``: the default graph.

    >>> quad(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal(1), URIRef("https://e.org/g")).graph_name
    <NamedNode value=https://e.org/g>
    """
    import pyoxigraph as ox

    def term(value):
        return to_oxigraph(value) if isinstance(value, Node) else value

    if graph is None:
        return ox.Quad(term(subject), term(predicate), term(object))
    return ox.Quad(term(subject), term(predicate), term(object), term(graph))


def graph_name(name=None):
    """A pyoxigraph graph name: ``None`` is the default graph, a string or rdflib IRI a named graph.

    >>> graph_name(), graph_name("https://e.org/g")
    (<DefaultGraph>, <NamedNode value=https://e.org/g>)
    """
    import pyoxigraph as ox

    if name is None:
        return ox.DefaultGraph()
    if isinstance(name, (str, URIRef)):
        return ox.NamedNode(str(name))
    return name


def result_kind(answer) -> str:
    """What a pyoxigraph query returned: ``ask`` (a boolean), ``graph`` (triples) or ``select`` (solutions)."""
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    return "graph" if isinstance(answer, ox.QueryTriples) else "select"


def integer_literal(value: int):
    """The pyoxigraph literal ``value`` as an ``xsd:integer``.

    >>> integer_literal(3).value, integer_literal(3).datatype.value
    ('3', 'http://www.w3.org/2001/XMLSchema#integer')
    """
    import pyoxigraph as ox

    return ox.Literal(str(value), datatype=ox.NamedNode(_XSD_INTEGER))
