"""Result formats of queries: table, csv, tsv, json, xml (SPARQL 1.1 results), Turtle and other graph formats.

Split from :mod:`kg.query`, which re-exports these names (``kg.query.format_result`` works as ever).

>>> from kg.sparql import Result
>>> format_result(Result(["x"], []), "csv").splitlines()
['x']
"""
from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

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
    return format_result(result, fmt).encode("utf-8"), MEDIA_TYPES[fmt], result.truncated


def format_result(result: Result, fmt: str) -> str:
    """Write ``result`` as table, csv, tsv, json, xml (or turtle/ntriples for graphs).

    csv, tsv, json and xml follow the SPARQL 1.1 result formats.
    """
    if fmt in GRAPH_FORMATS:
        if result.kind != "graph":
            raise QueryError(f"{fmt} is for CONSTRUCT and DESCRIBE results; use table, csv, tsv, json or xml")
        return _graph_text(result, fmt)
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; available: {', '.join(FORMATS)}")
    return {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[fmt](result)


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


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


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


def _csv(result: Result) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.columns)
        writer.writerows([_plain(t) for t in row] for row in result.rows)
    return out.getvalue()


def _tsv(result: Result) -> str:
    from kg.store.terms import to_oxigraph

    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{c}" for c in result.columns)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(to_oxigraph(t)) for t in row))
    return "\n".join(lines) + "\n"


def _json_term(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def _json(result: Result) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
    bindings = [{c: _json_term(t) for c, t in zip(result.columns, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{xml_escape(str(term))}</bnode>"
    attr = ""
    if isinstance(term, Literal) and term.language:
        attr = f" xml:lang={quoteattr(term.language)}"
    elif isinstance(term, Literal) and term.datatype is not None:
        attr = f" datatype={quoteattr(str(term.datatype))}"
    from kg.rdf import clean_literal

    return f"<literal{attr}>{xml_escape(clean_literal(str(term)))}</literal>"


def _xml(result: Result) -> str:
    head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
    if result.kind == "ask":
        return head + f"<head/>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n"
    parts = [head, "<head>\n"]
    parts += [f" <variable name={quoteattr(c)}/>\n" for c in result.columns]
    parts.append("</head>\n<results>\n")
    for row in result.rows:
        parts.append(" <result>\n")
        for column, term in zip(result.columns, row):
            if term is not None:
                parts.append(f"  <binding name={quoteattr(column)}>{_xml_term(term)}</binding>\n")
        parts.append(" </result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)
