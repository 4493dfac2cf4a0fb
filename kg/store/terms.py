"""RDF terms between rdflib and pyoxigraph, and kg's N-Triples writer.

The lowest layer of kg's RDF code, in the store subpackage, the one place
that imports pyoxigraph (``tests/test_rdf_runtime.py``): :mod:`kg.rdf` (the
graph builder), :mod:`kg.derived`, :mod:`kg.sparql`, :mod:`kg.validate` and
:mod:`kg.store` convert terms through these functions, and this module
imports none of them. :mod:`kg.store` re-exports the names.

The N-Triples writer (:func:`ntriples`) is kg's own, not ``pyoxigraph.serialize``:
on the 500 document graphs of a build of ``benchmarks/corpus.py``'s documents
(96,519 triples, ``benchmarks/bench_rdflib_store.py``) it took 199 ms against
378 ms for ``pyoxigraph.serialize`` of the terms :func:`to_oxigraph` makes
(1.9x; the same bytes) and 338 ms for rdflib's (docs/performance.md). It is
held to Oxigraph's output by ``tests/test_fast_paths.py``. ``kg export``'s
N-Triples and N-Quads use it too.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.vocab import XSD

__all__ = ["from_oxigraph", "graph_name", "lexical_view", "ntriples", "integer_literal", "plain_string", "quad", "result_kind",
           "to_oxigraph"]

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


def ntriples(triples: Graph | Iterable[tuple[Node, Node, Node]]) -> str:
    """Triples as N-Triples lines, the form :meth:`Store.replace_document` writes.

    Each term is written as Oxigraph writes it (``str(to_oxigraph(term))``).

    >>> print(ntriples([(URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x"))]))
    <https://example.org/a> <https://example.org/p> "x" .
    """
    return "\n".join(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in triples)


#: How Oxigraph escapes characters in an N-Triples string; others are written as they are.
_NT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_NT_ESCAPES.update({c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF) if c not in _NT_ESCAPES})
#: Characters of a string that need a look: escaped ones and lone surrogates (Oxigraph refuses those).
_NT_SPECIAL = re.compile('[\x00-\x1f"\\\\\x7f\ufffe\uffff\ud800-\udfff]')
_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=20_000)
def _iri_text(iri: URIRef) -> str:
    """An IRI's N-Triples form, checked by Oxigraph once (IRIs repeat across documents)."""
    return str(to_oxigraph(iri))


def _nt_term(term: Node) -> str:
    """``str(to_oxigraph(term))``, the N-Triples form of a term, mostly without pyoxigraph.

    An IRI goes through Oxigraph (which checks it) the first time it is seen
    and is remembered; a literal without a language tag is escaped here
    exactly as Oxigraph would. Anything else (blank nodes, language tags,
    lone surrogates, a bad datatype IRI) goes through :func:`to_oxigraph`,
    errors included. ``tests/test_fast_paths.py`` holds this to Oxigraph's output.
    """
    if isinstance(term, URIRef):
        return _iri_text(term)
    if isinstance(term, Literal) and not term.language:
        value, datatype = str(term), term.datatype
        try:
            suffix = "" if datatype is None or str(datatype) == _XSD_STRING else _iri_text(datatype)
        except Exception:  # noqa: BLE001 - StoreError, or rdflib's own when it cannot show the IRI
            suffix = None  # a bad datatype IRI: to_oxigraph(term) below says why, naming the literal
        special = _NT_SPECIAL.search(value)
        if suffix is not None and (special is None or _SURROGATE.search(value, special.start()) is None):
            if special is not None:
                value = value.translate(_NT_ESCAPES)
            return f'"{value}"^^{suffix}' if suffix else f'"{value}"'
    return str(to_oxigraph(term))


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
