"""The one registry of kg's output formats, read by export, query, serve and the CLI's choices.

In the manner of rdflib's plugin registry (``rdflib.plugin.get(name, kind)``,
``rdflib.plugin.plugins(kind=...)``): each :class:`Format` is registered once,
by name, with the uses it serves (``query``: ``kg query -f``; ``serve``: the
SPARQL endpoint's content negotiation; ``export``: ``kg export -f``), its
kind (``results`` for SELECT and ASK solutions, ``graph`` for RDF graphs,
``table`` for the text table, ``files`` for other file sets), media type,
file extension and the other media types a client may ask for it by. The
registry is a constant: adding a format is adding a line here.

>>> names("query")
['table', 'csv', 'tsv', 'json', 'xml', 'turtle', 'ntriples', 'rdfxml', 'jsonld']
>>> names("export")
['jsonld', 'trig', 'nq', 'nt', 'graphml', 'gexf', 'neo4j']
>>> get("turtle").media_type, get("jsonld").extension
('text/turtle; charset=utf-8', 'jsonld')
>>> media_map("serve")["application/json"]
['json', 'jsonld']
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.errors import KgError

__all__ = ["Format", "REGISTRY", "get", "media_map", "names", "plugins"]


@dataclass(frozen=True, slots=True)
class Format:
    """One output format."""

    name: str  #: what ``-f`` takes
    kind: str  #: ``results``, ``graph``, ``table`` or ``files``
    uses: frozenset[str]  #: ``query``, ``serve``, ``export``
    media_type: str | None = None
    extension: str | None = None  #: of ``kg export``'s default file name
    accept: tuple[str, ...] = ()  #: media types a client may ask for it by (the first is ``media_type``'s)


_QUERY = frozenset({"query", "serve"})

#: Every format, in the order the CLI lists them.
REGISTRY: tuple[Format, ...] = (
    Format("table", "table", frozenset({"query"}), "text/plain; charset=utf-8"),
    Format("csv", "results", _QUERY, "text/csv; charset=utf-8", accept=("text/csv",)),
    Format("tsv", "results", _QUERY, "text/tab-separated-values; charset=utf-8",
           accept=("text/tab-separated-values",)),
    Format("json", "results", _QUERY, "application/sparql-results+json",
           accept=("application/sparql-results+json", "application/json")),
    Format("xml", "results", _QUERY, "application/sparql-results+xml",
           accept=("application/sparql-results+xml", "application/xml", "text/xml")),
    # Turtle is N3 (SPARQLWrapper's N3 asks for these)
    Format("turtle", "graph", _QUERY, "text/turtle; charset=utf-8",
           accept=("text/turtle", "application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                   "application/n3")),
    Format("ntriples", "graph", _QUERY, "application/n-triples", accept=("application/n-triples",)),
    Format("rdfxml", "graph", _QUERY, "application/rdf+xml",
           accept=("application/rdf+xml", "application/xml", "text/xml")),
    Format("jsonld", "graph", _QUERY | {"export"}, "application/ld+json", "jsonld",
           accept=("application/ld+json", "application/x-json+ld", "application/json")),
    Format("trig", "graph", frozenset({"export"}), "application/trig", "trig"),
    Format("nq", "graph", frozenset({"export"}), "application/n-quads", "nq"),
    Format("nt", "graph", frozenset({"export"}), "application/n-triples", "nt"),
    Format("graphml", "files", frozenset({"export"}), "application/graphml+xml", "graphml"),
    Format("gexf", "files", frozenset({"export"}), "application/gexf+xml", "gexf"),
    Format("neo4j", "files", frozenset({"export"})),  # a folder: nodes.csv and relationships.csv
)


def plugins(use: str | None = None, kind: str | None = None) -> list[Format]:
    """The formats of one use and/or kind, in registry order."""
    return [f for f in REGISTRY if (use is None or use in f.uses) and (kind is None or f.kind == kind)]


def names(use: str | None = None, kind: str | None = None) -> list[str]:
    """The names of :func:`plugins`."""
    return [f.name for f in plugins(use, kind)]


def get(name: str, use: str | None = None) -> Format:
    """The format called ``name`` (of ``use``); :class:`kg.errors.KgError` naming the others otherwise."""
    for candidate in plugins(use):
        if candidate.name == name:
            return candidate
    raise KgError(f"unknown format {name!r}; one of: {', '.join(names(use))}")


def media_map(use: str) -> dict[str, list[str]]:
    """Media type -> the formats of ``use`` it stands for, best first (content negotiation)."""
    found: dict[str, list[str]] = {}
    for candidate in plugins(use):
        for media in candidate.accept:
            found.setdefault(media, []).append(candidate.name)
    return found
