"""kg's one writer of Turtle, N-Triples, N-Quads and TriG: Oxigraph's serializers.

Every RDF text kg writes in these syntaxes (``graph.ttl``, the N-Triples of
a document's graph, ``kg export -f trig|nq|nt``, the Turtle and N-Triples of
a CONSTRUCT or DESCRIBE result) is written here, by pyoxigraph
(``pyoxigraph.serialize``), in the store subpackage, the one place that
imports pyoxigraph (``tests/test_rdf_runtime.py``). JSON-LD is rdflib's
(:func:`kg.export.jsonld_bytes`: pyoxigraph 0.5 writes JSON-LD expanded, not
compacted with a context).
"""
from __future__ import annotations

from typing import Iterator

from rdflib import RDF

from kg import vocab
from kg.vocab import prefixes

__all__ = ["TURTLE_PREFIXES", "turtle_bytes", "turtle_chunks"]

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
