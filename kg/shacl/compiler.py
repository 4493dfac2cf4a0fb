"""Shapes compiled from a shapes graph: what each shape checks, as SPARQL for the safe terms."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from .checks import _PYTHON
from .sparql import _Query, _read_query, _read_target
from .terms import _TYPE_PATH, XSD, UnsupportedShapes, _constant, _iri

_SUPPORTED_PREDICATES = {SH[name] for name in (
    "targetClass", "targetSubjectsOf", "target", "select", "prefixes", "declare", "prefix", "namespace",
    "message", "property", "path", "minCount", "maxCount", "nodeKind", "class", "datatype",
    "minInclusive", "maxInclusive", "minLength", "in", "lessThan", "lessThanOrEquals", "or", "sparql",
    "name", "description", "order", "group", "severity")}
_SUPPORTED_TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLTarget, SH.SPARQLConstraint, SH.PropertyGroup}
_VALUE_PARAMS = (SH.nodeKind, SH["class"], SH.datatype, SH["in"], SH.minInclusive, SH.maxInclusive,
                 SH.minLength, SH["or"])
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPONENT = {
    SH.nodeKind: SH.NodeKindConstraintComponent, SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent, SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}


@dataclass(frozen=True)
class _ValueTest:
    """One value-node constraint: SPARQL for the safe terms, Python for the odd ones."""

    param: URIRef
    arg: object                     # the parameter's value (the members' tests for sh:or)
    ok: Callable[[str], str]        # SPARQL on a variable, never an error for safe terms
    route: Callable[[str], str] = lambda v: "false"   # SPARQL: hand this safe term to Python too

    def python(self, value) -> bool:
        return _PYTHON[self.param](self.arg, value)


@dataclass
class _Shape:
    node: object
    path: URIRef | None
    messages: tuple[str, ...]
    values: list[_ValueTest]
    min_count: int | None = None
    max_count: int | None = None
    pairs: list[tuple[URIRef, URIRef]] = field(default_factory=list)   # (sh:lessThan..., other path)
    sparql: list = field(default_factory=list)                       # _SparqlConstraint
    properties: list = field(default_factory=list)                   # _Shape
    targets: list = field(default_factory=list)          # Callable[[var], SPARQL pattern binding var]
    sparql_targets: list[str] = field(default_factory=list)  # queries of SPARQL targets


@dataclass(frozen=True)
class _SparqlConstraint:
    node: object
    query: _Query
    messages: tuple[str, ...]


@dataclass
class CompiledShapes:
    """Shapes compiled by :func:`compile_shapes`: the shapes with targets, ready to run."""

    roots: list[_Shape]


def compile_shapes(graph: Graph) -> CompiledShapes:
    """Compile a shapes graph, or raise :class:`UnsupportedShapes` naming what is not supported.

    >>> from rdflib import Graph
    >>> compile_shapes(Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:s> sh:targetNode <urn:x> ; sh:closed true .'''))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.shacl.UnsupportedShapes: sh:closed, sh:targetNode (kg's SHACL engine supports the constraints of ...
    """
    return _Compiler(graph).compile()


class _Compiler:
    def __init__(self, graph: Graph):
        self.g = graph
        self.shapes: dict = {}

    def compile(self) -> CompiledShapes:
        g = self.g
        unknown = set()
        for s, p, o in g:
            if isinstance(p, URIRef) and p.startswith(str(SH)) and p not in _SUPPORTED_PREDICATES:
                unknown.add(p)
            if p == RDF.type and isinstance(o, URIRef) and o.startswith(str(SH)) and o not in _SUPPORTED_TYPES:
                unknown.add(o)
            if p == SH.severity and o != SH.Violation:
                raise UnsupportedShapes(f"sh:severity {o.n3()} (only sh:Violation is supported)")
        if unknown:
            names = ", ".join(sorted(f"sh:{term[len(str(SH)):]}" for term in unknown))
            raise UnsupportedShapes(f"{names} (kg's SHACL engine supports the constraints of ontology/shapes.ttl only)")
        nodes = self._discover()
        classes = {RDFS.Class, OWL.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        for node in nodes:
            if set(g.objects(node, RDF.type)) & classes:
                raise UnsupportedShapes(f"the shape {node.n3()} is also a class (an implicit class target)")
        roots = []
        for node, path in nodes.items():
            shape = self._shape(node, path)
            if shape.targets or shape.sparql_targets:
                roots.append(shape)
        return CompiledShapes(roots)

    def _discover(self) -> dict:
        """Shapes as pySHACL finds them: node -> path (None for a node shape)."""
        g = self.g
        found: dict = {}
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
        for s in node_shapes:
            if list(g.objects(s, SH.path)):
                raise UnsupportedShapes(f"the node shape {s.n3()} has an sh:path")
            found[s] = None
        for s in set(g.subjects(RDF.type, SH.PropertyShape)):
            found[s] = self._path(s, required=True)
        implied = set()
        for p in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.property, SH.node):
            implied |= set(g.subjects(p, None))
        for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
            implied |= set(g.objects(None, p))
        for p in (SH["and"], SH["or"], SH.xone):
            for lst in g.objects(None, p):
                members = list(g.items(lst))
                if not members:
                    raise UnsupportedShapes(f"an empty or broken list as sh:{p[len(str(SH)):]}")
                implied |= set(members)
        for s in implied:
            if s not in found:
                found[s] = self._path(s, required=False)
        return found

    def _path(self, node, required: bool):
        paths = list(self.g.objects(node, SH.path))
        if len(paths) > 1 or (required and not paths):
            raise UnsupportedShapes(f"the shape {node.n3()} needs exactly one sh:path")
        if paths and not isinstance(paths[0], URIRef):
            raise UnsupportedShapes(f"the property path of {node.n3()} (kg's SHACL engine supports "
                                    f"a predicate IRI as sh:path only)")
        return paths[0] if paths else None

    def _one(self, node, param, kind=None):
        values = list(self.g.objects(node, param))
        if len(values) != 1 or (kind is not None and not isinstance(values[0], kind)):
            what = kind.__name__ if kind else "value"
            raise UnsupportedShapes(f"sh:{param[len(str(SH)):]} of {node.n3()} must be one {what}")
        return values[0]

    def _count(self, node, param) -> int | None:
        if (node, param, None) not in self.g:
            return None
        value = self._one(node, param, Literal)
        if value.datatype != XSD.integer or not isinstance(value.value, int) or value.value < 0:
            raise UnsupportedShapes(f"sh:{param[len(str(SH)):]} of {node.n3()} must be a non-negative xsd:integer")
        return value.value

    def _messages(self, node) -> tuple[str, ...]:
        return tuple(sorted(str(m) for m in self.g.objects(node, SH.message) if isinstance(m, Literal)))

    def _shape(self, node, path, stack=()) -> _Shape:
        if node in stack:
            raise UnsupportedShapes(f"the shape {node.n3()} refers to itself")
        g = self.g
        shape = _Shape(node, path, self._messages(node), self._value_tests(node))
        if path is not None:
            shape.min_count = self._count(node, SH.minCount)
            shape.max_count = self._count(node, SH.maxCount)
            for param in (SH.lessThan, SH.lessThanOrEquals):
                for other in g.objects(node, param):
                    if not isinstance(other, URIRef):
                        raise UnsupportedShapes(f"sh:{param[len(str(SH)):]} of {node.n3()} must be an IRI")
                    _iri(other)
                    shape.pairs.append((param, other))
        else:
            for param in (SH.minCount, SH.maxCount, SH.lessThan, SH.lessThanOrEquals):
                if (node, param, None) in g:
                    raise UnsupportedShapes(f"sh:{param[len(str(SH)):]} on the node shape {node.n3()}")
        for constraint in g.objects(node, SH.sparql):
            shape.sparql.append(self._sparql(constraint, path))
        for prop in g.objects(node, SH.property):
            prop_path = self._path(prop, required=False)
            if prop_path is None:
                raise UnsupportedShapes(f"sh:property {prop.n3()} of {node.n3()} has no sh:path")
            shape.properties.append(self._shape(prop, prop_path, stack + (node,)))
        self._targets(node, shape)
        return shape

    def _value_tests(self, node) -> list[_ValueTest]:
        g = self.g
        tests = []
        if (node, SH.nodeKind, None) in g:
            kind = self._one(node, SH.nodeKind)
            if kind not in _NODE_KINDS:
                raise UnsupportedShapes(f"sh:nodeKind {kind.n3()}")
            tests.append(_ValueTest(SH.nodeKind, kind, lambda v, k=_NODE_KINDS[kind]: k.replace("{v}", v)))
        for cls in g.objects(node, SH["class"]):
            tests.append(_ValueTest(SH["class"], cls, lambda v, c=_iri(cls):
                                    f"(!isLiteral({v}) && EXISTS {{ {v} {_TYPE_PATH} {c} }})"))
        if (node, SH.datatype, None) in g:
            dt = self._one(node, SH.datatype, URIRef)
            if dt == RDFS.Literal:
                ok = lambda v: f"isLiteral({v})"  # noqa: E731
            elif dt == RDFS.Datatype:
                ok = lambda v: f"(isLiteral({v}) && !(DATATYPE({v}) IN (<{XSD.string}>, <{RDF.langString}>)))"  # noqa
            elif dt == RDF.langString:
                ok = lambda v: f'(isLiteral({v}) && LANG({v}) != "")'  # noqa: E731
            else:
                ok = lambda v, d=_iri(dt): f"(isLiteral({v}) && DATATYPE({v}) = {d})"  # noqa: E731
            tests.append(_ValueTest(SH.datatype, dt, ok))
        if (node, SH["in"], None) in g:
            lst = self._one(node, SH["in"])
            members = list(g.items(lst))
            if not members and lst != RDF.nil:
                raise UnsupportedShapes(f"sh:in of {node.n3()} is not a list")
            constants = [_constant(m) for m in members]
            tests.append(_ValueTest(SH["in"], frozenset(members), lambda v, cs=tuple(constants):
                                    "(" + (" || ".join(f"sameTerm({v}, {c})" for c in cs) or "false") + ")"))
        for param, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<=")):
            for bound in g.objects(node, param):
                if not (isinstance(bound, Literal) and bound.datatype in (XSD.integer, XSD.decimal)):
                    raise UnsupportedShapes(f"sh:{param[len(str(SH)):]} {bound.n3()} (numbers only)")
                tests.append(_ValueTest(
                    param, bound,
                    lambda v, op=op, b=_constant(bound): f"(isNumeric({v}) && COALESCE({v} {op} {b}, false))",
                    lambda v: f"(isLiteral({v}) && DATATYPE({v}) = <{XSD.boolean}>)"))
        if (node, SH.minLength, None) in g:
            length = self._one(node, SH.minLength, Literal)
            if length.datatype != XSD.integer or not isinstance(length.value, int) or length.value < 0:
                raise UnsupportedShapes(f"sh:minLength of {node.n3()} must be a non-negative xsd:integer")
            n = length.value
            tests.append(_ValueTest(SH.minLength, n, lambda v, n=n:
                                    "true" if n == 0 else f"(!isBlank({v}) && STRLEN(STR({v})) >= {n})"))
        for lst in g.objects(node, SH["or"]):
            members = []
            for member in dict.fromkeys(g.items(lst)):
                allowed = {SH.nodeKind, SH["class"], SH.datatype, SH["in"], SH.minInclusive, SH.maxInclusive,
                           SH.minLength, SH["or"], SH.message, SH.name, SH.description, SH.order, SH.group,
                           SH.severity, RDF.type}
                extra = {p for p in g.predicates(member, None) if p.startswith(str(SH))} - allowed
                if extra or (member, SH.path, None) in g:
                    raise UnsupportedShapes(f"a member of sh:or with {', '.join(sorted(extra)) or 'sh:path'}")
                members.append(self._value_tests(member))
            members = tuple(tuple(m) for m in members)

            def ok(v, members=members):
                return "(" + (" || ".join("(" + (" && ".join(t.ok(v) for t in member) or "true") + ")"
                                          for member in members) or "false") + ")"

            def route(v, members=members):
                return "(" + (" || ".join(t.route(v) for member in members for t in member) or "false") + ")"

            tests.append(_ValueTest(SH["or"], members, ok, route))
        return tests

    def _prefixes(self, node) -> dict[str, str]:
        """pySHACL's prefixes of a SPARQL constraint or target (SPARQLQueryHelper.collect_prefixes)."""
        g = self.g
        prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        global_declares = {d for o in ontologies for d in g.objects(o, SH.declare)}
        for value in g.objects(node, SH.prefixes):
            own = set(g.objects(value, SH.declare))
            declares = own if own and value in ontologies else global_declares | own
            seen: dict[str, str] = {}
            for declare in declares:
                names = list(g.objects(declare, SH.prefix))
                spaces = list(g.objects(declare, SH.namespace))
                if isinstance(declare, Literal) or len(names) != 1 or len(spaces) != 1 \
                        or not isinstance(names[0], Literal) or not isinstance(spaces[0], Literal):
                    raise UnsupportedShapes("an sh:declare without exactly one sh:prefix and one sh:namespace")
                name, space = str(names[0]), str(spaces[0])
                if seen.get(name, space) != space:
                    raise UnsupportedShapes(f"the prefix {name!r} declared twice")
                seen[name] = space
            prefixes.update(seen)
        return prefixes

    def _select(self, node) -> str:
        selects = list(self.g.objects(node, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal) or not isinstance(selects[0].value, str):
            raise UnsupportedShapes(f"{node.n3()} needs exactly one sh:select string")
        return str(selects[0])

    def _sparql(self, node, path) -> _SparqlConstraint:
        text = self._select(node)
        if (node, SH.deactivated, None) in self.g:
            raise UnsupportedShapes("sh:deactivated")
        if path is not None:  # as pySHACL substitutes it
            text = re.sub(r"([\s{}()])[$?]PATH", lambda m: m.group(1) + _iri(path), text)
        elif re.search(r"[$?]PATH\b", text):
            raise UnsupportedShapes(f"$PATH in the SPARQL constraint {node.n3()} of a node shape")
        query = _read_query(text, self._prefixes(node))
        if "this" not in query.names:
            raise UnsupportedShapes(f"a SPARQL constraint ({node.n3()}) that does not select $this")
        messages = tuple(str(m) for m in self.g.objects(node, SH.message))
        return _SparqlConstraint(node, query, messages)

    def _targets(self, node, shape: _Shape) -> None:
        g = self.g
        for cls in g.objects(node, SH.targetClass):
            shape.targets.append(lambda v, c=_iri(cls): f"{v} {_TYPE_PATH} {c} .")
        for prop in g.objects(node, SH.targetSubjectsOf):
            shape.targets.append(lambda v, p=_iri(prop): f"{v} {p} ?kg_any .")
        for target in g.objects(node, SH.target):
            types = set(g.objects(target, RDF.type))
            if not ((target, SH.select, None) in g or SH.SPARQLTarget in types):
                raise UnsupportedShapes(f"the target {target.n3()} (SPARQL targets with sh:select only)")
            text, sensitive = _read_target(self._select(target), self._prefixes(target))
            if sensitive:
                raise UnsupportedShapes(f"the SPARQL target of {node.n3()} reads literal values (kg's SHACL "
                                        f"engine runs targets made of patterns, EXISTS and IRI tests only)")
            shape.sparql_targets.append(text)
