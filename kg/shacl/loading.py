"""Data for the engine: an rdflib graph in Oxigraph, and the ontology mixed in as pySHACL does."""
from __future__ import annotations

from itertools import chain

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.store.terms import graph_name, lexical_view, oxigraph_terms
from kg.store.terms import quad as oxigraph_quad

from .terms import _KG, UnsupportedData, _canonical


def load_rdflib(graph: Graph, *extra: Graph):
    """An in-memory ``pyoxigraph.Store`` holding ``graph`` (and ``extra``) in its default graph.

    Returns ``(store, odd_graph, view)`` for :func:`validate_store`: literals
    whose lexical form Oxigraph would change (``"36.0"^^xsd:decimal`` becomes
    ``36``; ``"x"^^xsd:string`` becomes ``"x"``), or which it may read
    differently, are listed in the named graph ``odd_graph``, and ``view``
    gives back the rdflib literal pySHACL sees. Raises
    :class:`UnsupportedData` if two distinct rdflib terms would become one in
    Oxigraph, or a term is not one pyoxigraph takes (terms are converted by
    :func:`kg.store.terms.oxigraph_terms` and added as they are, no text between).

    >>> from rdflib import Graph
    >>> store, odd, view = load_rdflib(Graph().parse(format="turtle", data='''
    ...     <https://example.org/a> <https://example.org/p> 36.0 .'''))
    >>> [view(row["o"]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
    [rdflib.term.Literal('36.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))]
    """
    from kg.store.scratch import memory_store

    store = memory_store()
    convert = oxigraph_terms()
    odd: dict[Literal, None] = {}
    try:
        store.extend(_quads((graph, *extra), convert, odd))
    except UnsupportedData:
        raise
    except Exception as exc:  # noqa: BLE001 - a bad IRI, a lone surrogate: pyoxigraph's message says which
        raise UnsupportedData(f"the graph cannot be loaded into Oxigraph as it is: {exc}") from None
    odd_graph = None
    mapping: dict = {}
    if odd:  # what Oxigraph made of them: learnt from a scratch graph
        odd_list = list(odd)
        scratch = graph_name(f"{_KG}scratch")
        store.extend(oxigraph_quad(URIRef(f"{_KG}odd/{i}"), URIRef(scratch.value), convert(lit), scratch)
                     for i, lit in enumerate(odd_list))
        hidden = []  # odd in rdflib, but their Oxigraph form looks safe: listed in odd_graph
        for quad in store.quads_for_pattern(None, None, None, scratch):
            original = odd_list[int(quad.subject.value.rsplit("/", 1)[1])]
            if quad.object in mapping:
                raise UnsupportedData(f"distinct rdflib literals that Oxigraph stores as one: {original.n3()}")
            mapping[quad.object] = original
            if _safe_literal(_plain_view(quad.object)):
                hidden.append(quad.object)
        store.remove_graph(scratch)
        if hidden:  # the Oxigraph form of one may also be that of a safe literal of the graph
            texts = {_plain_view(literal) for literal in hidden}
            for g in (graph, *extra):
                for o in g.objects(None, None):
                    if isinstance(o, Literal) and _safe_literal(o) and o in texts:
                        raise UnsupportedData(f"distinct rdflib literals that Oxigraph stores as one: {o.n3()}")
        if hidden:
            odd_graph = f"{_KG}odd"
            store.extend(oxigraph_quad(URIRef(f"{_KG}odd/{i}"), URIRef(odd_graph), literal, URIRef(odd_graph))
                         for i, literal in enumerate(hidden))

    def view(term):
        found = mapping.get(term)
        return found if found is not None else _plain_view(term)

    return store, odd_graph, view


def _safe_literal(literal: Literal) -> bool:
    """A literal Oxigraph stores unchanged and reads as rdflib does."""
    if literal.datatype is None:
        lang = literal.language
        return lang is None or lang == lang.lower()
    return _canonical(literal)


def _quads(graphs, convert, odd: dict):
    """The triples of ``graphs`` as pyoxigraph quads of the default graph (``convert``: rdflib to
    pyoxigraph terms, :func:`kg.store.terms.oxigraph_terms`); literals Oxigraph may store otherwise
    than rdflib reads them are put in ``odd``."""
    quad = oxigraph_quad
    for g in graphs:
        triples = ((s, p, o) for s, p, o, _ in g.quads((None, None, None, None))) \
            if getattr(g, "context_aware", False) else g.triples((None, None, None))
        for s, p, o in triples:
            if isinstance(s, Literal) or isinstance(p, (Literal, BNode)):
                raise UnsupportedData(f"the RDF term {(p if isinstance(s, URIRef) else s)!r} in subject or "
                                      "predicate position")
            if isinstance(o, Literal) and not _safe_literal(o):
                odd[o] = None
            yield quad(convert(s), convert(p), convert(o))


def _plain_view(term):
    """A pyoxigraph term as rdflib term, lexical forms unchanged (:func:`kg.store.terms.lexical_view`)."""
    found = lexical_view(term)
    if found is None:
        raise UnsupportedData(f"the RDF term {term!r}")
    return found


# pySHACL's mixing of an ontology into the data graph (rdfutil.inoculate), ported
# so that the fast path does not import pySHACL; tests compare the two.

_OWL_PROPERTIES = [OWL[n] for n in (
    "allValuesFrom annotatedProperty annotatedSource annotatedTarget assertionProperty cardinality "
    "complementOf datatypeComplementOf differentFrom disjointUnionOf disjointWith distinctMembers "
    "equivalentClass equivalentProperty hasKey hasSelf hasValue intersectionOf inverseOf maxCardinality "
    "maxQualifiedCardinality members minCardinality minQualifiedCardinality onClass onDataRange onDatatype "
    "onProperties onProperty oneOf propertyChainAxiom propertyDisjointWith qualifiedCardinality sameAs "
    "someValuesFrom sourceIndividual targetIndividual targetValue unionOf withRestrictions "
    "backwardCompatibleWith deprecated incompatibleWith priorVersion versionInfo bottomDataProperty "
    "topDataProperty bottomObjectProperty topObjectProperty imports versionIRI").split()]
_OWL_CLASSES = [OWL[n] for n in (
    "AllDifferent AllDisjointClasses AllDisjointProperties Annotation AnnotationProperty AsymmetricProperty "
    "Axiom Class DataRange DatatypeProperty DeprecatedClass DeprecatedProperty FunctionalProperty "
    "InverseFunctionalProperty IrreflexiveProperty NamedIndividual NegativePropertyAssertion ObjectProperty "
    "Ontology OntologyProperty ReflexiveProperty Restriction SymmetricProperty TransitiveProperty").split()]
_RDFS_PROPERTIES = [RDFS[n] for n in
                    "comment domain isDefinedBy label member range seeAlso subClassOf subPropertyOf".split()]
_RDFS_CLASSES = [RDFS[n] for n in "Class Container ContainerMembershipProperty Datatype Literal Resource".split()]


def inoculate(ontology: Graph) -> Graph:
    """The triples pySHACL adds to the data graph for ``ont_graph=ontology``.

    Its RDFS and OWL axioms: classes, properties, named individuals, with the
    blank nodes they use copied (a port of ``pyshacl.rdfutil.inoculate``).

    >>> from rdflib import Graph
    >>> len(inoculate(Graph().parse(format="turtle", data='''
    ...     @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...     <https://example.org/C> a owl:Class ; <https://example.org/note> "not copied" .''')))
    1
    """
    target = Graph()
    bnodes: dict = {}
    named: dict = {}

    def blank(node):
        if node not in bnodes:
            bnodes[node] = _clone_bnode(ontology, node, target)
        return bnodes[node]

    for cls in chain(_RDFS_CLASSES, _OWL_CLASSES):
        for s in list(ontology.subjects(RDF.type, cls)):
            if isinstance(s, BNode):
                target.add((blank(s), RDF.type, cls))
            else:
                if cls == OWL.NamedIndividual:
                    if s not in named:
                        named[s] = _clone_node(ontology, s, target, deep=True)
                    new = named[s]
                else:
                    new = _clone_node(ontology, s, target)
                target.add((new, RDF.type, cls))
    for prop in chain(_RDFS_PROPERTIES, _OWL_PROPERTIES):
        for s, o in list(ontology.subject_objects(prop)):
            new = blank(s) if isinstance(s, BNode) else s
            target.add((new, prop, blank(o) if isinstance(o, BNode) else o))
    for individual in named:
        for s, p in list(ontology.subject_predicates(individual)):
            if isinstance(p, (Literal, BNode)):
                continue
            target.add((blank(s) if isinstance(s, BNode) else s, p, individual))
    return target


def _clone_list(graph, node, target, recursion=0, deep=False):
    cloned = BNode() if isinstance(node, BNode) else URIRef(str(node))
    items = Collection(target, cloned)
    for item in graph.items(node):
        items.append(_clone_node(graph, item, target, recursion + 1, deep))
    return cloned


def _clone_bnode(graph, node, target, recursion=0):
    cloned = BNode()
    if recursion >= 10:
        return cloned
    predicates = set(graph.predicates(node))
    if not predicates:
        return cloned
    if RDF.first in predicates:
        return _clone_list(graph, node, target, recursion)
    for p in predicates:
        new_p = _clone_node(graph, p, target, recursion + 1)
        for o in list(graph.objects(node, p)):
            if p is OWL.sameAs and o is node:
                new_o = _clone_node(graph, o, target, recursion + 1, False)
            else:
                new_o = _clone_node(graph, o, target, recursion + 1)
            target.add((cloned, new_p, new_o))
    return cloned


def _clone_node(graph, node, target, recursion=0, deep=False):
    if isinstance(node, Literal):
        return Literal(str(node), node.language, node.datatype)
    if isinstance(node, BNode):
        return _clone_bnode(graph, node, target, recursion + 1)
    new = URIRef(str(node))
    if deep:
        if recursion >= 10:
            return new
        predicates = set(graph.predicates(node))
        if not predicates:
            return new
        if RDF.first in predicates:
            return _clone_list(graph, node, target, recursion)
        for p in predicates:
            new_p = _clone_node(graph, p, target, recursion + 1)
            for o in list(graph.objects(node, p)):
                new_o = _clone_node(graph, o, target, recursion + 1, deep=not (p is OWL.sameAs and o is node))
                target.add((new, new_p, new_o))
    return new
