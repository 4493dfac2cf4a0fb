"""SHACL validation set-at-a-time: SPARQL queries on Oxigraph.

pySHACL evaluates every constraint focus node by focus node, mostly through
rdflib's SPARQL engine; on a graph of 50,000 triples that takes tens of
seconds. This module compiles the shapes into a few dozen SPARQL queries,
each over the whole data graph, each returning the focus nodes (and value
nodes) that violate one shape, and runs them on a ``pyoxigraph.Store``.

It is a second engine for the verdict only: :mod:`kg.validate` runs it
first and, unless it finds that the graph conforms, runs pySHACL for the
authoritative report. So it must never say "conforms" where pySHACL would
not; where it cannot promise pySHACL's answer it raises :class:`Fallback`
instead of guessing:

* :class:`UnsupportedShapes`: the shapes use a construct this engine does not
  implement. Supported, as ``ontology/shapes.ttl`` uses them: targets
  ``sh:targetClass``, ``sh:targetSubjectsOf`` and ``sh:target`` with an
  ``sh:SPARQLTarget`` (``sh:select``); on node shapes ``sh:nodeKind``,
  ``sh:class``, ``sh:datatype``, ``sh:in``, ``sh:minInclusive``,
  ``sh:maxInclusive``, ``sh:minLength``, ``sh:or``, ``sh:sparql`` and
  ``sh:property``; on property shapes (``sh:path`` an IRI) the same plus
  ``sh:minCount``, ``sh:maxCount``, ``sh:lessThan`` and
  ``sh:lessThanOrEquals``; SPARQL constraints (``sh:select``, ``sh:prefixes``
  through ``sh:declare``, ``sh:message``) whose query is a plain group of
  triple patterns, ``FILTER``\\ s (with ``EXISTS`` groups) and ``BIND``\\ s.
  Anything else in the ``sh:`` namespace (another constraint component, a
  path expression, ``sh:deactivated``, a severity other than
  ``sh:Violation``, rules, functions, ...) is refused by name.
* :class:`UnsupportedData`: the data holds terms on which Oxigraph and rdflib
  (hence pySHACL) may disagree where it matters: a SPARQL constraint would
  apply an operator to values on which rdflib departs from the standard (it
  orders a string and a number, its ``STR`` of a blank node is the label, it
  calls an ill-typed number numeric, ...; a diagnostic query looks for such
  rows first), two rdflib literals would become one term in Oxigraph, or
  ``sh:lessThan`` would compare a blank node (pySHACL stops there).

How pySHACL's semantics are kept:

* The data graph is the graph plus the ontology mixed in the way pySHACL's
  ``ont_graph`` does it (:func:`inoculate`), with no inference.
* Targets and ``sh:class`` follow ``rdf:type/rdfs:subClassOf*``; a literal is
  never an instance of a class.
* Each value check is a SPARQL expression that never raises (a comparison
  that fails with a type error counts as a violation, as in SHACL; ``sh:in``
  compares with ``sameTerm``). It is exact for the terms on which both engines
  agree: IRIs, blank nodes, plain and language-tagged strings, canonical
  ``xsd:integer``, ``xsd:decimal`` (not integral: Oxigraph writes ``36.0`` as
  ``36``) and ``xsd:boolean``. Every other literal ("odd": ill-typed,
  non-canonical, other datatypes, upper-case language tags) is handed to
  Python, which repeats pySHACL's own test on the rdflib term pySHACL would
  see.
* A SPARQL constraint is inlined in one query with its shape's targets, in
  the same group, so that its ``FILTER``\\ s see ``$this`` bound, as with
  pySHACL's pre-binding; patterns of several triples inside ``EXISTS`` are
  nested one triple per ``EXISTS`` (same meaning, and Oxigraph then looks
  each triple up instead of joining whole predicate tables per row).
* The queries run on a few threads: Oxigraph evaluates without the GIL.

>>> import pyoxigraph as ox
>>> from rdflib import Graph
>>> shapes = compile_shapes(Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> .
... @prefix ex: <https://example.org/> .
... ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
...     sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a person needs a name" ] .
... '''))
>>> store = ox.Store()
>>> store.load(b'<https://example.org/ann> a <https://example.org/Person> .', format=ox.RdfFormat.TURTLE)
>>> [str(result) for result in validate_store(store, shapes)]
['<https://example.org/ann> <https://example.org/name>: a person needs a name']
"""
from __future__ import annotations

from .compiler import CompiledShapes, compile_shapes
from .loading import inoculate, load_rdflib
from .run import validate_store
from .terms import Fallback, Result, UnsupportedData, UnsupportedShapes

__all__ = [
    "CompiledShapes", "Fallback", "Result", "UnsupportedData", "UnsupportedShapes",
    "compile_shapes", "inoculate", "load_rdflib", "validate_store",
]

# The public classes are named as kg.shacl's (in reprs, tracebacks and pickles), wherever they are defined.
for _public in (CompiledShapes, Fallback, Result, UnsupportedData, UnsupportedShapes):
    _public.__module__ = __name__
del _public
