"""Result formats of queries: table, csv, tsv, json, xml (SPARQL 1.1 results), Turtle and other graph formats.

csv, tsv, json and xml are written by Oxigraph's result serializers, Turtle
and N-Triples by its RDF serializers (:mod:`kg.store.serialize`, the one
writer); the text table is kg's own.

Split from :mod:`kg.query`, which re-exports these names (``kg.query.format_result`` works as ever).

>>> from kg.sparql import Result
>>> format_result(Result(["x"], []), "csv").splitlines()
['x']
"""
from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import formats
from kg.errors import QueryError
from kg.sparql import PREFIXES, Result
from kg.vocab import XSD

#: ``kg query -f`` formats of solutions (the graph formats are :data:`GRAPH_FORMATS`), from :mod:`kg.formats`.
FORMATS = tuple(f.name for f in formats.plugins("query") if f.kind != "graph")
#: Widest cell of the ``table`` format; csv, tsv, json and xml are never cut.
TABLE_CELL = 80


class NotAcceptableError(QueryError):
    """None of the formats the client accepts fits the kind of result."""


#: Media types of the result formats (SPARQL 1.1 results; Turtle for graphs), from :mod:`kg.formats`.
MEDIA_TYPES = {f.name: f.media_type for f in formats.plugins("query")}
RESULT_FORMATS = tuple(formats.names("serve", "results"))
GRAPH_FORMATS = tuple(formats.names("query", "graph"))


def choose_format(result: Result, formats: list[str]) -> str:
    """The first of ``formats`` (a client's preferences) that fits ``result``.

    >>> choose_format(Result(["x"], []), ["turtle", "csv"])
    'csv'
    """
    fits = GRAPH_FORMATS if result.kind == "graph" else RESULT_FORMATS
    for fmt in formats:
        if fmt in fits:
            return fmt
    kind = "a graph (CONSTRUCT/DESCRIBE)" if result.kind == "graph" else "solutions"
    types = ", ".join(MEDIA_TYPES[f].split(";")[0] for f in fits)
    raise NotAcceptableError(f"the result is {kind}; acceptable types: {types}")


def render(result: Result, fmt: str) -> tuple[bytes, str, bool]:
    """Serialise ``result`` for HTTP: (body, media type, truncated)."""
    return result_bytes(result, fmt), MEDIA_TYPES[fmt], result.truncated


def format_result(result: Result, fmt: str) -> str:
    """Write ``result`` as table, csv, tsv, json, xml (or turtle/ntriples for graphs): :func:`result_bytes` as text.

    csv, tsv, json and xml are the SPARQL 1.1 result formats, as Oxigraph writes them.
    """
    return result_bytes(result, fmt).decode("utf-8")


def result_bytes(result: Result, fmt: str) -> bytes:
    """``result`` as ``fmt``: the SPARQL 1.1 results formats (csv, tsv, json, xml) by Oxigraph's writers
    (:func:`kg.store.serialize.solutions`, :func:`~kg.store.serialize.boolean`), the rows in their order;
    the graph formats by :func:`graph_text`; the text table."""
    if fmt in GRAPH_FORMATS:
        if result.kind != "graph":
            raise QueryError(f"{fmt} is for CONSTRUCT and DESCRIBE results; use table, csv, tsv, json or xml")
        return _graph_text(result, fmt).encode("utf-8")
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; available: {', '.join(FORMATS)}")
    if fmt == "table":
        return _table(result).encode("utf-8")
    from kg.store import serialize

    if result.kind == "ask":
        return serialize.boolean(bool(result.boolean), fmt)
    try:
        return serialize.solutions(result.columns, result.rows, fmt)
    except (ValueError, SyntaxError) as exc:
        raise QueryError(f"cannot write the result as {fmt}: {' '.join(str(exc).split())[:300]}") from None


def _graph_text(result: Result, fmt: str) -> str:
    from kg.rdf import new_graph

    graph = new_graph()
    for s, p, o in result.rows:
        graph.add((s, p, o))
    return graph_text(graph, fmt)


def graph_text(graph, fmt: str) -> str:
    """An rdflib graph as Turtle, N-Triples, RDF/XML or JSON-LD (``fmt`` of :data:`GRAPH_FORMATS`).

    Turtle and N-Triples are Oxigraph's (:func:`kg.store.serialize.graph_text`, kg's one writer of
    them, with the graph's prefixes), RDF/XML and JSON-LD rdflib's.
    """
    from kg.store.serialize import GRAPH_TEXT_FORMATS
    from kg.store.serialize import graph_text as oxigraph_text

    if fmt in GRAPH_TEXT_FORMATS:
        text = oxigraph_text(graph, fmt, {name: str(iri) for name, iri in graph.namespaces()})
    elif fmt == "rdfxml":
        text = graph.serialize(format="xml")
    elif fmt == "jsonld":
        text = graph.serialize(format="json-ld")
    else:
        raise QueryError(f"unknown graph format {fmt!r}; available: {', '.join(GRAPH_FORMATS)}")
    return text if text.endswith("\n") else text + "\n"


#: A prefixed name's local part that needs no escape (SPARQL 1.1 and Turtle
#: PN_LOCAL, ASCII); kg's query check refuses escapes in names.
_LOCAL_PLAIN = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_XSD = str(XSD)
_BARE = {_XSD + "integer": re.compile(r"^[+-]?\d+$"), _XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
         _XSD + "boolean": re.compile(r"^(?:true|false)$")}


def sparql_term(term: Node | None) -> str:
    """``term`` as SPARQL and Turtle write it, short: a prefixed name when one of
    :data:`PREFIXES` fits without an escape (``kgo:truce_with``), else the full
    ``<IRI>`` (``kgr:entity/sdf`` is neither SPARQL nor Turtle); a literal
    quoted, with its language or datatype; integers, decimals and booleans
    bare. Every value can be pasted back into a query.

    >>> sparql_term(URIRef("https://w3id.org/kg-conflict/id/entity/sdf"))
    '<https://w3id.org/kg-conflict/id/entity/sdf>'
    >>> sparql_term(URIRef("https://w3id.org/kg-conflict/ontology#truce_with"))
    'kgo:truce_with'
    >>> sparql_term(Literal("2017-10-15", datatype=URIRef(_XSD + "date"))), sparql_term(Literal(3))
    ('"2017-10-15"^^xsd:date', '3')
    >>> sparql_term(Literal('say "no"', lang="en"))
    '"say \\\\"no\\\\""@en'
    """
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, URIRef):
        return _prefixed(str(term)) or f"<{term}>"
    assert isinstance(term, Literal)
    text = str(term)
    datatype = str(term.datatype) if term.datatype is not None else None
    if datatype in _BARE and _BARE[datatype].match(text):
        return text
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "\\r").replace("\t", "\\t") + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if datatype and datatype != _XSD + "string":
        return f"{quoted}^^{_prefixed(datatype) or f'<{datatype}>'}"
    return quoted


def _prefixed(iri: str) -> str | None:
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return None
    local = iri[len(PREFIXES[best]):]
    if not local or _LOCAL_PLAIN.match(local):
        return f"{best}:{local}"
    return None  # a "/" or another character a prefixed name would have to escape: the full IRI


def _table(result: Result) -> str:
    if result.kind == "ask":
        return ("yes" if result.boolean else "no") + "\n"
    rows = [[_clip(term) for term in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    note = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    note += f"; cut at {result.max_rows})" if result.truncated else ")"
    return "\n".join(lines + [note]) + "\n"


def _clip(term: Node | None) -> str:
    """A table cell: :func:`sparql_term`; a long literal is cut inside its quotes
    (IRIs are never cut)."""
    text = sparql_term(term)
    if len(text) <= TABLE_CELL or not isinstance(term, Literal):
        return text
    value = " ".join(str(term).split())
    shortened = sparql_term(Literal(value[:TABLE_CELL - 3] + "…", lang=term.language, datatype=term.datatype))
    return shortened
