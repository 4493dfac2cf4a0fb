"""kg's one writer of Turtle, N-Triples, N-Quads and TriG, and of SPARQL results: Oxigraph's serializers.

Every RDF text kg writes in these syntaxes is written here, by pyoxigraph
(``pyoxigraph.serialize``), in the store subpackage, the one place that
imports pyoxigraph (``tests/test_rdf_runtime.py``): ``graph.ttl``
(:func:`turtle_chunks`), the N-Triples of a document's graph
(:func:`ntriples`), ``kg export -f trig|nq|nt`` (:func:`trig`,
:func:`nquads`, :func:`ntriples`) and the Turtle and N-Triples of a
CONSTRUCT or DESCRIBE result (:func:`graph_text`); and the SPARQL 1.1
results of SELECT and ASK queries as CSV, TSV, JSON and XML
(:func:`solutions`, :func:`boolean`: ``kg query -f``, ``kg serve``,
:func:`kg.query.format_result`), by pyoxigraph's result serializers
(``QuerySolutions.serialize``, ``QueryBoolean.serialize``). rdflib writes JSON-LD
and RDF/XML only (:func:`kg.export.jsonld_bytes`, :func:`kg.results.graph_text`):
pyoxigraph 0.5's JSON-LD writer gives expanded JSON-LD, not compacted with
a context; ``tests/test_rdf_runtime.py`` holds every other ``.serialize(``
of kg to that.

kg's own N-Triples writer (``kg.terms.ntriples``, Oxigraph's escaping
redone in Python) is gone: on the 500 document graphs of a build of
``benchmarks/corpus.py``'s documents it was 0.1-0.2 s faster than this one
(``benchmarks/bench_rdflib_store.py``), 0.3 % of the build
(docs/performance.md).

>>> from rdflib import Literal, URIRef
>>> print(ntriples([(URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal('say "x"'))]))
<https://example.org/a> <https://example.org/p> "say \\"x\\"" .
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Mapping, Sequence

from rdflib import RDF, BNode, Literal
from rdflib.term import Node

from kg import vocab
from kg.store.terms import oxigraph_terms
from kg.vocab import prefixes

__all__ = ["RESULT_FORMATS", "TURTLE_PREFIXES", "boolean", "graph_text", "nquads", "ntriples", "solutions", "trig",
           "turtle_bytes", "turtle_chunks"]

Triples = Iterable[tuple[Node, Node, Node]]


def _triples(triples: Triples):
    import pyoxigraph as ox

    convert, triple = oxigraph_terms(), ox.Triple
    for s, p, o in triples:
        yield triple(convert(s), convert(p), convert(o))


def ntriples(triples: Triples) -> str:
    """Triples (rdflib terms) as N-Triples lines in their order, no line break after the last: the
    form :meth:`kg.store.Store.replace_document` and the bulk loader read, by Oxigraph's writer."""
    import pyoxigraph as ox

    return ox.serialize(_triples(triples), format=ox.RdfFormat.N_TRIPLES).decode("utf-8").removesuffix("\n")


def nquads(graphs: Mapping[Node | None, Triples]) -> bytes:
    """N-Quads of ``{graph name (None: the default graph): triples}``, in that order, by Oxigraph's writer.

    >>> from rdflib import Literal, URIRef
    >>> print(nquads({URIRef("https://e.org/g"): [(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal(1))]}).decode(), end="")
    <https://e.org/a> <https://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <https://e.org/g> .
    """
    import pyoxigraph as ox

    return ox.serialize(_quads(graphs), format=ox.RdfFormat.N_QUADS)


def trig(graphs: Mapping[Node | None, Triples], namespaces: Mapping[str, str]) -> bytes:
    """TriG of ``{graph name (None: the default graph): triples}``, in that order, with the prefixes
    ``namespaces`` (name -> IRI), by Oxigraph's writer: the prefixes in the order given (one line
    each, then a blank line), the triples of the default graph first when it comes first, then
    each named graph in braces.

    >>> from rdflib import Literal, URIRef
    >>> trig({URIRef("https://e.org/g"): [(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal(1))]},
    ...      {"e": "https://e.org/", "a": "urn:a:"}).decode().splitlines()
    ['@prefix e: <https://e.org/> .', '@prefix a: <urn:a:> .', '', 'e:g {', '\\te:a e:p 1 .', '}']
    """
    import pyoxigraph as ox

    body = ox.serialize(_quads(graphs), format=ox.RdfFormat.TRIG,
                        prefixes={name: str(iri) for name, iri in namespaces.items()})
    # Oxigraph writes the prefixes first (one line each, in its own order); ours, in the order given.
    lines = body.split(b"\n")
    first = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    head = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in namespaces.items()).encode("utf-8")
    return head + b"\n" + b"\n".join(lines[first:])


def _quads(graphs: Mapping[Node | None, Triples]):
    import pyoxigraph as ox

    convert, quad = oxigraph_terms(), ox.Quad
    for name, triples in graphs.items():
        graph = ox.DefaultGraph() if name is None else convert(name)
        for s, p, o in triples:
            yield quad(convert(s), convert(p), convert(o), graph)


#: Oxigraph's writers of the graph formats of query results (:data:`kg.formats.REGISTRY`'s names).
GRAPH_TEXT_FORMATS = ("turtle", "ntriples")


def graph_text(triples: Triples, fmt: str, namespaces: Mapping[str, str]) -> str:
    """The Turtle or N-Triples (``fmt`` of :data:`GRAPH_TEXT_FORMATS`) of ``triples``, Turtle with the
    prefixes ``namespaces``, by Oxigraph's writer. The triples are sorted by their N-Triples forms
    (as rdflib's Turtle writer sorts subjects), blank nodes aside, which keep their order and are
    labelled ``b0``, ``b1``, ... as they come (rdflib gives a parsed graph's blank nodes random
    labels): the same triples in the same order give the same text.

    >>> from rdflib import Literal, URIRef
    >>> print(graph_text([(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal("x"))], "turtle", {"e": "https://e.org/"}), end="")
    @prefix e: <https://e.org/> .
    e:a e:p "x" .
    """
    import pyoxigraph as ox

    labels: dict = {}

    def label(term):
        return labels.setdefault(term, BNode(f"b{len(labels)}")) if isinstance(term, BNode) else term

    def key(triple):
        return tuple("_:" if isinstance(term, BNode) else term.n3() for term in triple)

    triples = [(label(s), p, label(o)) for s, p, o in sorted(triples, key=key)]
    if fmt == "ntriples":
        text = ox.serialize(_triples(triples), format=ox.RdfFormat.N_TRIPLES)
    elif fmt == "turtle":
        text = ox.serialize(_triples(triples), format=ox.RdfFormat.TURTLE,
                            prefixes={name: str(iri) for name, iri in namespaces.items()})
    else:
        raise ValueError(f"no Oxigraph writer of {fmt!r} here; one of {', '.join(GRAPH_TEXT_FORMATS)}")
    return text.decode("utf-8")


#: kg's names (:data:`kg.formats.REGISTRY`, kind ``results``) of the SPARQL 1.1 results formats Oxigraph writes.
RESULT_FORMATS = ("csv", "tsv", "json", "xml")
#: What XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF); Oxigraph's XML
#: results writer would write them as they are, which no XML parser reads.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _results_format(fmt: str) -> str:
    """The name of ``fmt`` in ``pyoxigraph.QueryResultsFormat``."""
    if fmt not in RESULT_FORMATS:
        raise ValueError(f"no Oxigraph writer of results as {fmt!r}; one of {', '.join(RESULT_FORMATS)}")
    return fmt.upper()


def solutions(columns: Sequence[str], rows: Iterable[Sequence[Node | None]], fmt: str) -> bytes:
    r"""SELECT solutions (``rows`` of rdflib terms, ``None`` unbound, in the order of ``columns``) as the
    SPARQL 1.1 results format ``fmt`` (of :data:`RESULT_FORMATS`), in their order, by Oxigraph's writer.

    kg's rows are rdflib terms, cut, paged and joined in Python after the query (``max_rows``,
    :mod:`kg.pages`), and pyoxigraph's ``QuerySolutions`` is made only by a query or a parser: the
    rows are handed to Oxigraph's TSV results parser, each term in Oxigraph's own N-Triples form
    (``str`` of the pyoxigraph term, which is TSV's), and the solutions it gives are written by
    ``QuerySolutions.serialize`` (docs/performance.md, "SPARQL results"). Blank nodes keep their
    labels. For XML, characters XML 1.0 cannot hold become spaces (Oxigraph would write them as
    they are).

    >>> from rdflib import Literal, URIRef
    >>> solutions(["s", "n"], [(URIRef("https://e.org/a"), Literal(3)), (None, Literal("x"))], "csv")
    b's,n\r\nhttps://e.org/a,3\r\n,x\r\n'
    >>> solutions(["n"], [(Literal(3),)], "json")
    b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"3","datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
    """
    import pyoxigraph as ox

    target = _results_format(fmt)  # checked before any work
    convert = oxigraph_terms()
    xml = fmt == "xml"

    def cell(term):
        if term is None:
            return ""
        if xml and isinstance(term, Literal) and _NOT_XML.search(str(term)):
            term = Literal(_NOT_XML.sub(" ", str(term)), lang=term.language, datatype=term.datatype)
        return str(convert(term))

    lines = ["\t".join(f"?{name}" for name in columns)]
    lines.extend("\t".join(cell(term) for term in row) for row in rows)
    answer = ox.parse_query_results(("\n".join(lines) + "\n").encode("utf-8"), ox.QueryResultsFormat.TSV)
    return answer.serialize(format=getattr(ox.QueryResultsFormat, target))


def boolean(value: bool, fmt: str) -> bytes:
    """The answer of an ASK query as ``fmt`` (of :data:`RESULT_FORMATS`), by Oxigraph's writer (CSV and
    TSV, which SPARQL 1.1 defines for SELECT only, are Oxigraph's ``true`` or ``false``).

    >>> boolean(True, "json"), boolean(False, "csv")
    (b'{"head":{},"boolean":true}', b'false')
    """
    import pyoxigraph as ox

    from kg.store.scratch import memory_store

    answer = memory_store().query("ASK {}" if value else "ASK { FILTER(false) }")
    return answer.serialize(format=getattr(ox.QueryResultsFormat, _results_format(fmt)))


#: The prefixes at the top of every ``graph.ttl``, in this order (names and IRIs, from :mod:`kg.vocab`).
TURTLE_PREFIXES = tuple(prefixes(vocab.TURTLE_PREFIXES).items())


def turtle_bytes(graph) -> bytes:
    r"""Serialise to Turtle, deterministically (same triples, same bytes).

    ``graph`` is an rdflib Graph or a ``pyoxigraph.Store`` (its default
    graph): the bytes :func:`turtle_chunks` gives, joined. Either way the
    triples go through an Oxigraph store, whose literals are canonical
    (``"39.0"^^xsd:decimal`` becomes ``"39"``).

    >>> from rdflib import RDF, RDFS, Literal
    >>> from kg.rdf import new_graph
    >>> from kg.vocab import KGO, KGR
    >>> g = new_graph()
    >>> _ = g.add((KGR["entity/raqqa"], RDFS.label, Literal("Raqqa")))
    >>> _ = g.add((KGR["entity/raqqa"], RDF.type, KGO.Place))
    >>> _ = g.add((KGR["entity/isis"], RDFS.label, Literal('Islamic "State"')))
    >>> turtle_bytes(g).decode().splitlines()[-5:]
    ['', '<https://w3id.org/kg-conflict/id/entity/isis> rdfs:label "Islamic \\"State\\"" .', '', '<https://w3id.org/kg-conflict/id/entity/raqqa> a kgo:Place ;', '\trdfs:label "Raqqa" .']
    """
    import pyoxigraph as ox

    from kg.store.scratch import oxigraph_copy

    return b"".join(turtle_chunks(graph if isinstance(graph, ox.Store) else oxigraph_copy(graph)))


#: Subjects written by one call of Oxigraph's Turtle writer in :func:`turtle_chunks`.
TURTLE_SUBJECTS_PER_CHUNK = 2000


def turtle_chunks(store, *, subjects_per_chunk: int = TURTLE_SUBJECTS_PER_CHUNK) -> Iterator[bytes]:
    r"""The Turtle of a ``pyoxigraph.Store``'s default graph, in chunks, subject by subject.

    Oxigraph's Turtle writer with the prefixes of :data:`TURTLE_PREFIXES`,
    then one block per subject, in the order of the subjects' N-Triples
    forms, ``rdf:type`` first within a block, then predicates and objects in
    order, a blank line between blocks. Oxigraph writes strings with escapes
    (never raw line breaks), so the line that ends a block is the only one
    ending in `` .``. Only the subjects' names are held (sorted), and the
    triples of ``subjects_per_chunk`` subjects at a time, read from the
    store's index: the store may be the on-disk one, far larger than memory
    would hold as triples. ``b"".join`` of the chunks does not depend on
    ``subjects_per_chunk``.

    >>> from rdflib import RDFS, Literal, URIRef
    >>> from kg.store.scratch import memory_store
    >>> from kg.store.terms import quad
    >>> store = memory_store()
    >>> for name in ("b", "a", "c"):
    ...     store.add(quad(URIRef("https://e.org/" + name), RDFS.label, Literal(name)))
    >>> b"".join(turtle_chunks(store, subjects_per_chunk=2)) == b"".join(turtle_chunks(store))
    True
    >>> b"".join(turtle_chunks(store)).decode().splitlines()[-3:]
    ['<https://e.org/b> rdfs:label "b" .', '', '<https://e.org/c> rdfs:label "c" .']
    """
    import pyoxigraph as ox

    rdf_type = ox.NamedNode(str(RDF.type))
    default = ox.DefaultGraph()
    prefixes = dict(TURTLE_PREFIXES)
    yield "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in TURTLE_PREFIXES).encode("utf-8")
    subjects = sorted(_subject_names(store))

    def key(triple):
        return (triple.predicate != rdf_type, str(triple.predicate), str(triple.object))

    held = None  # the blocks written last, given out once the next are: the last end without a blank line
    for start in range(0, len(subjects), subjects_per_chunk):
        triples = []
        for name in subjects[start:start + subjects_per_chunk]:
            subject = _subject_term(name)
            triples.extend(sorted((q.triple for q in store.quads_for_pattern(subject, None, None, default)), key=key))
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        # Oxigraph writes the prefixes first (one line each); ours were written above, in a fixed order.
        lines = body.split(b"\n")
        first = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
        blocks = b"\n".join(lines[first:]).replace(b" .\n", b" .\n\n")
        if held is None:
            held = b"\n" + blocks  # the blank line after the prefixes
        else:
            yield held
            held = blocks
    held = (held or b"").rstrip(b"\n")
    if held:
        yield held + b"\n"


def _subject_names(store) -> Iterator[str]:
    """The N-Triples forms of the distinct subjects of a store's default graph."""
    for row in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"):
        yield str(row[0])


def _subject_term(name: str):
    """The pyoxigraph term of an N-Triples subject (an IRI or a blank node)."""
    import pyoxigraph as ox

    return ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name[1:-1])
