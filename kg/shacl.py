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

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Callable, Iterable, NamedTuple

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

#: rdflib's XSD namespace warns when tools inspect the module (pytest's doctest finder).
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

__all__ = [
    "CompiledShapes", "Fallback", "Result", "UnsupportedData", "UnsupportedShapes",
    "compile_shapes", "inoculate", "load_rdflib", "validate_store",
]


class Fallback(Exception):
    """This engine cannot promise pySHACL's verdict here: run pySHACL."""


class UnsupportedShapes(Fallback):
    """The shapes use a construct this engine does not implement (named in the message)."""


class UnsupportedData(Fallback):
    """The data holds terms on which this engine and pySHACL may disagree."""


class Result(NamedTuple):
    """One validation result: rdflib terms, as pySHACL would report them.

    ``path`` is the property path (``None`` for a node shape, unless a SPARQL
    constraint binds ``?path``), ``value`` the value node (``None`` for
    counts), ``shape`` the source shape, ``component`` the source constraint
    component, ``messages`` the shape's messages (SPARQL ones with their
    ``{?var}`` filled in) or a generic one.
    """

    focus: object
    path: object
    value: object
    shape: object
    component: URIRef
    messages: tuple[str, ...]

    def __str__(self) -> str:
        where = " ".join(_n3(t) for t in (self.focus, self.path) if t is not None)
        return f"{where}: {'; '.join(self.messages)}"


def _n3(term) -> str:
    return term.n3() if hasattr(term, "n3") else str(term)


# --------------------------------------------------------------------------
# SPARQL text

_TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_KG = "urn:x-kg-shacl:"


def _iri(term) -> str:
    """An IRI as SPARQL text."""
    text = str(term)
    if not isinstance(term, URIRef) or _BAD_IRI.search(text):
        raise UnsupportedShapes(f"{term!r} is not an IRI kg's SHACL engine can write in SPARQL")
    return f"<{text}>"


def _string(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"')
                  .replace("\n", "\\n").replace("\r", "\\r")) + '"'


def _constant(term) -> str:
    """An IRI, a string (plain or with a lower-case language tag) or a canonical number."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        if term.datatype is None:
            if term.language is None:
                return _string(str(term))
            if term.language == term.language.lower() and re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", term.language):
                return f"{_string(str(term))}@{term.language}"
        elif _canonical(term):
            return f"{_string(str(term))}^^{_iri(term.datatype)}"
    raise UnsupportedShapes(f"the value {term.n3()} (kg's SHACL engine compares IRIs, strings and "
                            f"canonical xsd:integer, xsd:decimal or xsd:boolean literals only)")


_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,16})\.[0-9]{0,16}[1-9]")


def _canonical(literal: Literal) -> bool:
    """A typed literal that reads the same in rdflib and in Oxigraph (lexical form and value)."""
    text = str(literal)
    if literal.datatype == XSD.integer:
        return bool(_INTEGER.fullmatch(text)) and text != "-0"
    if literal.datatype == XSD.decimal:
        return bool(_DECIMAL.fullmatch(text))
    if literal.datatype == XSD.boolean:
        return text in ("true", "false")
    return False


def _odd(var: str, odd_graph: str | None) -> str:
    """SPARQL: ``var`` is a literal Oxigraph and rdflib may read differently.

    Plain strings, language-tagged strings, canonical integers, non-integral
    decimals and booleans are not odd; everything else among literals is
    (``from_oxigraph`` writes an integral decimal ``36`` as ``36.0``).
    """
    if not odd_graph:
        extra = ""
    elif re.fullmatch(r"\?\w+", var):
        extra = f" || EXISTS {{ GRAPH <{odd_graph}> {{ ?kg_odd <{odd_graph}> {var} }} }}"
    else:  # an expression: compare with each listed literal
        extra = (f" || EXISTS {{ GRAPH <{odd_graph}> {{ ?kg_odd <{odd_graph}> ?kg_oddv }} "
                 f"FILTER(sameTerm(?kg_oddv, {var})) }}")
    return (  # strings first: most literals are, and Oxigraph evaluates all of a || chain
        f"COALESCE(isLiteral({var}) && (DATATYPE({var}) != <{XSD.string}> && ("
        f"DATATYPE({var}) NOT IN (<{RDF.langString}>, <{XSD.integer}>, <{XSD.decimal}>, <{XSD.boolean}>)"
        f" || (DATATYPE({var}) = <{XSD.integer}> && !isNumeric({var}))"
        f" || (DATATYPE({var}) = <{XSD.decimal}> && (!isNumeric({var}) || !CONTAINS(STR({var}), \".\")))"
        f" || (DATATYPE({var}) = <{XSD.boolean}> && !(STR({var}) IN (\"true\", \"false\")))"
        f"){extra}), true)"
    )


# --------------------------------------------------------------------------
# A reader for the SPARQL of SPARQL-based constraints and targets

_TOKEN = re.compile(r"""
  (?P<ws>\s+|\#[^\n]*)
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<string>(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*)?)
| (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
| (?P<number>\d+\.\d*[eE][+-]?\d+|\.\d+[eE][+-]?\d+|\d+[eE][+-]?\d+|\d*\.\d+|\d+)
| (?P<bnode>_:[A-Za-z0-9_\u00C0-\uFFFF](?:[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\uFFFF])?)
| (?P<pname>(?:[A-Za-z\u00C0-\uFFFF](?:[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\uFFFF])?)?
            :(?:[A-Za-z0-9_:\u00C0-\uFFFF](?:[A-Za-z0-9_\-.:\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_\-:\u00B7\u00C0-\uFFFF])?)?)
| (?P<name>[A-Za-z_][A-Za-z0-9_]*)
| (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,=<>!*/+\-^|?])
""", re.X)

#: Tokens of a FILTER that read terms only as terms (never their value or
#: lexical form), on which Oxigraph and rdflib agree for any data.
_ROBUST_NAMES = {"NOT", "EXISTS", "IN", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "BOUND"}
#: Keywords a target query may use without reading literal values.
_ROBUST_TARGET = _ROBUST_NAMES | {"SELECT", "DISTINCT", "REDUCED", "WHERE", "FILTER", "UNION", "OPTIONAL", "A"}


class _Tok(NamedTuple):
    kind: str
    text: str


def _tokens(text: str, prefixes: dict[str, str]) -> list[_Tok]:
    """Tokens, with prefixed names (``prefixes`` and the query's prologue) expanded to IRIs."""
    prefixes = dict(prefixes)
    raw: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise UnsupportedShapes(f"SPARQL that kg's SHACL engine cannot read near {text[pos:pos + 30]!r}")
        pos = match.end()
        if match.lastgroup != "ws":
            raw.append(_Tok(match.lastgroup, match.group()))
    out: list[_Tok] = []
    i = 0
    while i < len(raw):  # the prologue
        word = raw[i].text.upper() if raw[i].kind == "name" else ""
        if word == "BASE":
            raise UnsupportedShapes("BASE in a SPARQL query of the shapes")
        if word != "PREFIX":
            break
        if i + 2 >= len(raw) or raw[i + 1].kind != "pname" or not raw[i + 1].text.endswith(":") \
                or raw[i + 2].kind != "iri":
            raise UnsupportedShapes("a PREFIX declaration kg's SHACL engine cannot read")
        prefixes[raw[i + 1].text[:-1]] = raw[i + 2].text[1:-1]
        i += 3
    for tok in raw[i:]:
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in prefixes:
                raise UnsupportedShapes(f"undeclared prefix {prefix!r} in a SPARQL query of the shapes")
            iri = prefixes[prefix] + local
            if _BAD_IRI.search(iri):
                raise UnsupportedShapes(f"the IRI {iri!r} in a SPARQL query of the shapes")
            tok = _Tok("iri", f"<{iri}>")
        elif tok.kind == "var":
            tok = _Tok("var", "?" + tok.text[1:])
        elif tok.kind == "name" and tok.text == "a":
            tok = _Tok("iri", f"<{RDF.type}>")
        elif tok.kind == "string":
            tok = _Tok("literal", tok.text)
        if out and out[-1].text == "^^" and len(out) > 1 and out[-2].kind == "literal" and tok.kind == "iri":
            out[-2:] = [_Tok("literal", f"{out[-2].text}^^{tok.text}")]
            continue
        out.append(tok)
    return out


@dataclass
class _Group:
    #: elements: ("triple", (s, p, o)) with each term a _Tok; ("filter", expr); ("bind", expr, var)
    elements: list = field(default_factory=list)


class _Query(NamedTuple):
    projection: list          # ("var", name) or ("as", expression node, name)
    names: list[str]          # projected variable names
    group: _Group
    literal_patterns: bool    # literals in triple patterns (matched by term equality)
    predicates: frozenset | None  # predicate IRIs of all triple patterns (None: a variable predicate)
    variables: frozenset      # variables of triple patterns (in any group)


class _Reader:
    """Recursive descent over the restricted SELECT form a SPARQL constraint may take."""

    def __init__(self, tokens: list[_Tok]):
        self.toks = tokens
        self.i = 0
        self.literal_patterns = False
        self.predicates: set[str] | None = set()
        self.variables: set[str] = set()

    def peek(self, k: int = 0) -> _Tok | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def word(self, k: int = 0) -> str:
        tok = self.peek(k)
        return tok.text.upper() if tok is not None and tok.kind == "name" else ""

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text.upper() != text):
            found = "the end" if tok is None else repr(tok.text)
            raise UnsupportedShapes(f"SPARQL that kg's SHACL engine cannot read: expected {text or 'more'}, "
                                    f"found {found}")
        self.i += 1
        return tok

    def query(self) -> _Query:
        self.take("SELECT")
        if self.word() in ("DISTINCT", "REDUCED"):
            self.i += 1
        projection, names = [], []
        while self.peek() is not None and self.peek().text != "{" and self.word() != "WHERE":
            tok = self.peek()
            if tok.kind == "var":
                self.i += 1
                projection.append(("var", tok.text[1:]))
                names.append(tok.text[1:])
            elif tok.text == "(":
                self.take("(")
                expr = self.expression(stop={"AS"})
                self.take("AS")
                var = self.take()
                self.take(")")
                if var.kind != "var":
                    raise UnsupportedShapes("a SELECT expression kg's SHACL engine cannot read")
                projection.append(("as", expr, var.text[1:]))
                names.append(var.text[1:])
            else:
                raise UnsupportedShapes(f"SELECT {tok.text} in a SPARQL constraint (name the variables)")
        if self.word() == "WHERE":
            self.i += 1
        group = self.group()
        if self.peek() is not None:
            raise UnsupportedShapes(f"{self.peek().text} after the WHERE clause of a SPARQL constraint")
        predicates = None if self.predicates is None else frozenset(self.predicates)
        return _Query(projection, names, group, self.literal_patterns, predicates, frozenset(self.variables))

    def group(self) -> _Group:
        self.take("{")
        group = _Group()
        while True:
            tok = self.peek()
            if tok is None:
                self.take("}")
            if tok.text == "}":
                self.i += 1
                return group
            word = self.word()
            if tok.text == ".":
                self.i += 1
            elif word == "FILTER":
                self.i += 1
                group.elements.append(("filter", self.constraint()))
            elif word == "BIND":
                self.i += 1
                self.take("(")
                expr = self.expression(stop={"AS"})
                self.take("AS")
                var = self.take()
                self.take(")")
                if var.kind != "var" or var.text[1:] in ("this", "value", "shapesGraph", "currentShape"):
                    raise UnsupportedShapes(f"BIND ... AS {var.text} in a SPARQL constraint")
                group.elements.append(("bind", expr, var))
            elif word in ("OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "VALUES", "SELECT") \
                    or tok.text in ("{", "[", "("):
                raise UnsupportedShapes(f"{tok.text} in a SPARQL constraint (kg's SHACL engine inlines "
                                        f"plain groups of triples, FILTERs and BINDs only)")
            else:
                self.triples(group)

    def term(self, position: str) -> _Tok:
        tok = self.take()
        if tok.kind in ("var", "iri", "bnode"):
            return tok
        if position == "object":
            if tok.kind == "literal" or tok.kind == "number" or \
                    (tok.kind == "name" and tok.text.lower() in ("true", "false")):
                self.literal_patterns = True
                return _Tok("literal", tok.text)
            if tok.text in ("+", "-") and self.peek() is not None and self.peek().kind == "number":
                self.literal_patterns = True
                return _Tok("literal", tok.text + self.take().text)
        raise UnsupportedShapes(f"{tok.text!r} as a {position} in a SPARQL constraint "
                                f"(no paths, lists or [] in kg's SHACL engine)")

    def triples(self, group: _Group) -> None:
        subject = self.term("subject")
        while True:
            predicate = self.term("predicate")
            if predicate.kind == "var":
                self.predicates = None
            elif predicate.kind != "iri":
                raise UnsupportedShapes(f"{predicate.text} as a predicate in a SPARQL constraint")
            elif self.predicates is not None:
                self.predicates.add(predicate.text[1:-1])
            while True:
                triple = (subject, predicate, self.term("object"))
                self.variables |= _vars_of(triple)
                group.elements.append(("triple", triple))
                if self.peek() is None or self.peek().text != ",":
                    break
                self.i += 1
            if self.peek() is None or self.peek().text != ";":
                break
            while self.peek() is not None and self.peek().text == ";":
                self.i += 1
            if self.peek() is None or self.peek().text in (".", "}") or self.word() in ("FILTER", "BIND"):
                break

    def constraint(self):
        """The expression after FILTER: bracketted, a function call or (NOT) EXISTS."""
        tok = self.peek()
        if tok is None:
            self.take("(")
        if tok.text == "(":
            self.i += 1
            expr = self.expression(stop={")"})
            self.take(")")
            return expr
        if self.word() == "EXISTS" or (self.word() == "NOT" and self.word(1) == "EXISTS"):
            negated = self.word() == "NOT"
            self.i += 2 if negated else 1
            return ("exists", negated, self.group())
        if tok.kind in ("name", "iri") and self.peek(1) is not None and self.peek(1).text == "(":
            start = self.i
            self.i += 2
            depth = 1
            while depth:
                depth += {"(": 1, ")": -1}.get(self.take().text, 0)
            return _Expr(self.toks[start:self.i], self).parse()
        raise UnsupportedShapes(f"FILTER {tok.text} in a SPARQL constraint")

    def expression(self, stop: set[str]):
        """An expression up to one of ``stop`` at bracket depth 0 (not consumed), as a tree."""
        start, depth = self.i, 0
        while True:
            tok = self.peek()
            if tok is None:
                raise UnsupportedShapes("an unfinished expression in a SPARQL constraint")
            upper = tok.text.upper() if tok.kind in ("name", "punct") else None
            if depth == 0 and upper in stop:
                return _Expr(self.toks[start:self.i], self).parse()
            if tok.text == "{":  # an EXISTS group: skip it here, _Expr reads it
                depth_braces = 0
                while True:
                    t = self.take().text
                    depth_braces += {"{": 1, "}": -1}.get(t, 0)
                    if depth_braces == 0:
                        break
                continue
            depth += {"(": 1, ")": -1}.get(tok.text, 0)
            if depth < 0:
                raise UnsupportedShapes("unbalanced brackets in a SPARQL expression of the shapes")
            self.i += 1


#: Functions a SPARQL constraint may call (rdflib and Oxigraph agree on them,
#: on the arguments the diagnostics below allow).
_FUNCTIONS = {"ISNUMERIC", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "BOUND", "SAMETERM", "STR", "STRLEN",
              "LANG", "DATATYPE"}
_BOOLEAN_FUNCTIONS = {"ISNUMERIC", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "BOUND", "SAMETERM"}


class _Expr:
    """A SPARQL expression (tokens) as a tree of tuples:

    ``("var", name)``, ``("const", text)``, ``("exists", negated, group)``,
    ``("or", [..])``, ``("and", [..])``, ``("not", x)``, ``("sign", op, x)``,
    ``("rel", op, x, y)``, ``("in", negated, x, [..])``, ``("arith", op, x, y)``,
    ``("call", NAME, [..])``.
    """

    def __init__(self, tokens: list[_Tok], reader: _Reader):
        self.toks = tokens
        self.i = 0
        self.reader = reader

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind in ("punct", "name") and tok.text.upper() in texts

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise UnsupportedShapes("an unfinished expression in a SPARQL constraint")
        self.i += 1
        return tok

    def parse(self):
        node = self.disjunction()
        if self.peek() is not None:
            raise UnsupportedShapes(f"{self.peek().text!r} in a SPARQL expression kg's SHACL engine cannot read")
        return node

    def disjunction(self):
        items = [self.conjunction()]
        while self.at("||"):
            self.i += 1
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else ("or", items)

    def conjunction(self):
        items = [self.relation()]
        while self.at("&&"):
            self.i += 1
            items.append(self.relation())
        return items[0] if len(items) == 1 else ("and", items)

    def relation(self):
        left = self.additive()
        if self.at("=", "!=", "<", ">", "<=", ">="):
            return ("rel", self.take().text, left, self.additive())
        if self.at("IN") or (self.at("NOT") and self.i + 1 < len(self.toks)
                             and self.toks[self.i + 1].text.upper() == "IN"):
            negated = self.take().text.upper() == "NOT"
            if negated:
                self.i += 1
            return ("in", negated, left, self.arguments())
        return left

    def additive(self):
        node = self.multiplicative()
        while self.at("+", "-"):
            node = ("arith", self.take().text, node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.unary()
        while self.at("*", "/"):
            node = ("arith", self.take().text, node, self.unary())
        return node

    def unary(self):
        if self.at("!"):
            self.i += 1
            return ("not", self.primary())
        if self.at("+", "-"):
            return ("sign", self.take().text, self.primary())
        return self.primary()

    def arguments(self) -> list:
        if not self.at("("):
            raise UnsupportedShapes("a SPARQL argument list kg's SHACL engine cannot read")
        self.i += 1
        args = []
        if self.at(")"):
            self.i += 1
            return args
        while True:
            args.append(self.disjunction())
            if self.at(")"):
                self.i += 1
                return args
            if not self.at(","):
                raise UnsupportedShapes("a SPARQL argument list kg's SHACL engine cannot read")
            self.i += 1

    def primary(self):
        tok = self.take()
        upper = tok.text.upper()
        if tok.text == "(":
            node = self.disjunction()
            if not self.at(")"):
                raise UnsupportedShapes("unbalanced brackets in a SPARQL expression of the shapes")
            self.i += 1
            return node
        if tok.kind == "var":
            return ("var", tok.text[1:])
        if tok.kind in ("iri", "literal", "number") or (tok.kind == "name" and upper in ("TRUE", "FALSE")):
            if tok.kind == "iri" and self.at("("):
                raise UnsupportedShapes(f"the function {tok.text} in a SPARQL constraint")
            if tok.kind == "literal" and "^^" in tok.text and not tok.text.endswith(f"^^<{XSD.string}>"):
                raise UnsupportedShapes(f"the typed literal {tok.text} in a SPARQL constraint")
            return ("const", tok.text)
        if tok.kind == "name" and upper in ("EXISTS", "NOT"):
            negated = upper == "NOT"
            if negated and self.take().text.upper() != "EXISTS":
                raise UnsupportedShapes("NOT without EXISTS or IN in a SPARQL constraint")
            sub = _Reader(self.toks)
            sub.i = self.i
            sub.predicates = self.reader.predicates
            sub.variables = self.reader.variables
            group = sub.group()
            self.i = sub.i
            self.reader.predicates = sub.predicates
            self.reader.literal_patterns |= sub.literal_patterns
            return ("exists", negated, group)
        if tok.kind == "name" and self.at("("):
            if upper not in _FUNCTIONS:
                raise UnsupportedShapes(f"the SPARQL function {tok.text} in a SPARQL constraint "
                                        f"(kg's SHACL engine allows {', '.join(sorted(_FUNCTIONS))})")
            return ("call", upper, self.arguments())
        raise UnsupportedShapes(f"{tok.text!r} in a SPARQL expression kg's SHACL engine cannot read")


def _read_query(text: str, prefixes: dict[str, str]) -> _Query:
    tokens = _tokens(text, prefixes)
    for tok in tokens:
        if tok.kind == "var" and tok.text[1:] in ("shapesGraph", "currentShape"):
            raise UnsupportedShapes(f"${tok.text[1:]} in a SPARQL constraint")
    return _Reader(tokens).query()


def _text(tokens: Iterable) -> str:
    return " ".join(t.text if isinstance(t, _Tok) else t for t in tokens)


def _vars_of(triple) -> set[str]:
    return {t.text[1:] for t in triple if t.kind == "var"}


def _write_group(group: _Group, bound: set[str], nest: bool, skip_filters: bool = False,
                 upto: int | None = None) -> str:
    """A group as SPARQL text; inside EXISTS (``nest``), its triples one per nested EXISTS.

    ``skip_filters`` and ``upto`` (an element index) give the rows a BIND or
    the FILTERs of the group see, for the diagnostics.
    """
    elements = group.elements if upto is None else group.elements[:upto]
    if skip_filters:
        elements = [e for e in elements if e[0] != "filter"]
    triples = [e[1] for e in elements if e[0] == "triple"]
    others = [e for e in elements if e[0] != "triple"]
    local = set(bound)
    for triple in triples:
        local |= _vars_of(triple)
    if not (nest and len(triples) > 1 and all(e[0] == "filter" for e in others)
            and not any(t.kind == "bnode" for triple in triples for t in triple)):
        return "{ " + " ".join(_write_element(e, local) for e in elements) + " }"
    rest = " ".join(_write_element(e, local) for e in others)
    ordered, known, left = [], set(bound), list(triples)
    while left:  # most bound variables first, then a constant predicate
        best = max(left, key=lambda t: (len(_vars_of(t) & known) - len(_vars_of(t) - known), t[1].kind == "iri"))
        left.remove(best)
        ordered.append(best)
        known |= _vars_of(best)
    text = f"{_text(ordered[-1])} . {rest}"
    for triple in reversed(ordered[:-1]):
        text = f"{_text(triple)} . FILTER EXISTS {{ {text} }}"
    return f"{{ {text} }}"


def _write_element(element, bound: set[str]) -> str:
    if element[0] == "triple":
        return f"{_text(element[1])} ."
    if element[0] == "filter":
        return f"FILTER ( {_write(element[1], bound)} )"
    return f"BIND ( {_write(element[1], bound)} AS {element[2].text} )"


def _write(node, bound: set[str] = frozenset()) -> str:
    """An expression tree as SPARQL text (fully bracketted)."""
    kind = node[0]
    if kind == "var":
        return f"?{node[1]}"
    if kind == "const":
        return node[1]
    if kind == "exists":
        return ("NOT EXISTS " if node[1] else "EXISTS ") + _write_group(node[2], bound, True)
    if kind in ("or", "and"):
        return "(" + (" || " if kind == "or" else " && ").join(_write(x, bound) for x in node[1]) + ")"
    if kind == "not":
        return f"(!{_write(node[1], bound)})"
    if kind == "sign":
        return f"({node[1]}{_write(node[2], bound)})"
    if kind in ("rel", "arith"):
        return f"({_write(node[2], bound)} {node[1]} {_write(node[3], bound)})"
    if kind == "in":
        members = ", ".join(_write(x, bound) for x in node[3])
        return f"({_write(node[2], bound)} {'NOT IN' if node[1] else 'IN'} ({members}))"
    return f"{node[1]}(" + ", ".join(_write(x, bound) for x in node[2]) + ")"


# Diagnostics. rdflib's SPARQL (pySHACL's engine) departs from the standard
# where Oxigraph follows it: it orders a string and a number instead of
# failing, takes the effective boolean value of a language-tagged string or a
# date, gives the label as STR of a blank node, divides decimals with 28 digits
# (Oxigraph 18) and keeps their lexical form (3.0, not 3), calls an ill-typed
# number numeric, fails with a Python exception on arithmetic with dates, and
# in a && or || chain reads the operands in order, so that an error before a
# false (&&) or a true (||) operand spreads where the standard absorbs it.
# Errors otherwise spread the same way in both. The methods below give SPARQL
# conditions, true on a row where the two engines might answer differently; a
# SPARQL constraint runs in Oxigraph only when no row of the data meets one.

_EBV_TYPES = f"(<{XSD.boolean}>, <{XSD.string}>, <{XSD.integer}>, <{XSD.decimal}>, <{XSD.double}>, <{XSD.float}>)"
_ARITH_TYPES = f"(<{XSD.string}>, <{RDF.langString}>, <{XSD.integer}>, <{XSD.decimal}>, <{XSD.double}>, " \
               f"<{XSD.float}>, <{XSD.boolean}>)"
_ERROR = f"<{_KG}error>"


def _booleanish(node) -> bool:
    kind = node[0]
    return kind in ("rel", "in", "and", "or", "not", "exists") or \
        (kind == "call" and node[1] in _BOOLEAN_FUNCTIONS) or \
        (kind == "const" and node[1].lower() in ("true", "false"))


def _is_iri(node) -> bool:
    return node[0] == "const" and node[1].startswith("<")


class _Diagnostics:
    """``clean``: variables known to hold neither odd literals nor blank nodes (checked on the data)."""

    def __init__(self, odd_graph: str | None, clean: frozenset = frozenset()):
        self.odd_graph = odd_graph
        self.clean = clean

    def odd(self, node) -> str:
        """``node`` is an odd literal (false if it is an error: errors spread alike)."""
        if node[0] != "var" or node[1] in self.clean:
            return "false"  # constants are checked when read, computed values are well-formed
        x = _write(node)
        return f"(COALESCE(isLiteral({x}), false) && {_odd(x, self.odd_graph)})"

    def blank(self, node) -> str:
        if node[0] == "var" and node[1] not in self.clean:
            return f"isBlank({_write(node)})"
        return "false"

    def string(self, node) -> str:
        x = _write(node)
        return f"(isLiteral({x}) && DATATYPE({x}) = <{XSD.string}> && !{self.odd(node)})"

    def failing(self, node) -> str:
        """``node`` is an error, or a value without an effective boolean value."""
        x = _write(node)
        text = f"sameTerm(COALESCE({x}, {_ERROR}), {_ERROR})"
        if not _booleanish(node):
            text += f" || COALESCE(!isLiteral({x}) || !(DATATYPE({x}) IN {_EBV_TYPES}), false)"
        return f"({text})"

    def risks(self, node, exact: bool = True) -> list[str]:
        """Conditions under which ``node`` may differ; ``exact``: an error and false differ here."""
        kind = node[0]
        if kind in ("var", "const"):
            return []
        if kind == "exists":
            inner = self.group(node[2], None)
            return [f"EXISTS {inner}"] if inner else []
        if kind == "and" and not exact:
            out, before = [], []
            for item in node[1]:
                found = self.prune(self.risks(item, False) + self.ebv(item))
                if before:  # read only when the operands before it are true
                    guard = " && ".join(f"COALESCE({_write(b)}, true)" for b in before)
                    found = [f"({guard} && {r})" for r in found]
                out += found
                before.append(item)
            return out
        if kind in ("and", "or"):
            return [r for x in node[1] for r in self.risks(x) + self.ebv(x) + [self.failing(x)]]
        if kind == "not":
            return self.risks(node[1]) + self.ebv(node[1])
        if kind == "sign":
            return self.risks(node[2]) + [self.odd(node[2])]
        if kind == "arith":
            return self.risks(node[2]) + self.risks(node[3]) + \
                ["true" if node[1] == "/" else f"({self.odd(node[2])} || {self.odd(node[3])})"]
        if kind == "rel":
            found = self.risks(node[2]) + self.risks(node[3])
            if node[1] in ("=", "!="):
                return found + self.equality(node[2], node[3])
            x, y = _write(node[2]), _write(node[3])
            return found + [f"!COALESCE((isNumeric({x}) && isNumeric({y})) || "
                            f"({self.string(node[2])} && {self.string(node[3])})"
                            f" || (isLiteral({x}) != isLiteral({y})), true)"]
        if kind == "in":
            return [r for x in (node[2], *node[3]) for r in self.risks(x)] + \
                [r for m in node[3] for r in self.equality(node[2], m)]
        name, args = node[1], node[2]
        if name == "BOUND":
            if len(args) != 1 or args[0][0] != "var":
                raise UnsupportedShapes("BOUND of something else than a variable in a SPARQL constraint")
            return []
        found = [r for x in args for r in self.risks(x)]
        if name in ("ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "SAMETERM"):
            return found
        if len(args) != 1:
            raise UnsupportedShapes(f"{name} with {len(args)} arguments in a SPARQL constraint")
        x = _write(args[0])
        if name == "STR":
            return found + [f"(COALESCE({self.blank(args[0])} || (isLiteral({x}) && !(DATATYPE({x}) IN "
                            f"(<{XSD.string}>, <{RDF.langString}>, <{XSD.integer}>, <{XSD.boolean}>))), false) "
                            f"|| {self.odd(args[0])})"]
        return found + [self.odd(args[0])]  # ISNUMERIC, STRLEN, LANG, DATATYPE

    def equality(self, left, right) -> list[str]:
        if _is_iri(left) or _is_iri(right):
            return []  # a term and an IRI: equal or not, the same in both engines
        return [f"({self.odd(left)} || {self.odd(right)})"]

    def ebv(self, node) -> list[str]:
        """The effective boolean value of ``node`` is read."""
        if _booleanish(node):
            return []
        x = _write(node)
        return [f"(COALESCE(isLiteral({x}) && !(DATATYPE({x}) IN {_EBV_TYPES}), false) || {self.odd(node)})"]

    def eager(self, node) -> list[str]:
        """rdflib computes every operand, and fails with a Python error on arithmetic with dates."""
        found = []
        if node[0] == "exists":
            return found
        if node[0] == "arith":
            for operand in node[2:4]:
                x = _write(operand)
                found.append(f"COALESCE(isLiteral({x}) && !(DATATYPE({x}) IN {_ARITH_TYPES}), false)")
        for child in node[1:]:
            for item in (child if isinstance(child, list) else [child]):
                if isinstance(item, tuple):
                    found += self.eager(item)
        return found

    @staticmethod
    def prune(conditions: list[str]) -> list[str]:
        """Drop the conditions that are false whatever the row (written from clean variables)."""
        out = []
        for condition in conditions:
            simple = condition
            while True:
                before = simple
                for a, b in (("(false || false)", "false"), ("(false)", "false"), ("COALESCE(false, false)", "false")):
                    simple = simple.replace(a, b)
                simple = re.sub(r"\([^()]*&& false\)", "false", simple)
                if simple == before:
                    break
            if simple.strip() != "false":
                out.append(condition)
        return out

    def group(self, group: _Group, head: str | None, extra=()) -> str | None:
        """A group pattern with a solution where the engines may differ on ``group``; None if never.

        The FILTERs and the ``extra`` (SELECT) expressions are read on all
        rows of the group, a BIND on the rows made by the elements before it
        (FILTERs aside): one branch for each BIND followed by triples, one
        for the rest.
        """
        head = head or ""
        branches = []
        kinds = [e[0] for e in group.elements if e[0] != "filter"]
        # BINDs after all triples see the rows of the end of the group: one branch for all
        merged = "bind" not in kinds or "triple" not in kinds[kinds.index("bind"):]
        found = []
        for k, element in enumerate(group.elements):
            if element[0] == "bind":
                risks = self.prune(self.risks(element[1]) + self.eager(element[1]))
                if merged:
                    found += risks
                elif risks:
                    rows = _write_group(group, set(), False, skip_filters=True, upto=k)
                    branches.append(f"{{ {head} {rows[1:-1]} FILTER ({' || '.join(risks)}) }}")
        for element in group.elements:
            if element[0] == "filter":
                found += self.risks(element[1], False) + self.ebv(element[1]) + self.eager(element[1])
        for expression in extra:
            found += self.risks(expression) + self.eager(expression)
        found = self.prune(found)
        if found:
            rows = _write_group(group, set(), False, skip_filters=True)
            branches.append(f"{{ {head} {rows[1:-1]} FILTER ({' || '.join(found)}) }}")
        return "{ " + " UNION ".join(branches) + " }" if branches else None


def _read_target(text: str, prefixes: dict[str, str]) -> tuple[str, bool]:
    """A SPARQL target's query as a subquery text, and whether it reads literal values."""
    tokens = _tokens(text, prefixes)
    if not tokens or tokens[0].text.upper() != "SELECT":
        raise UnsupportedShapes("a sh:SPARQLTarget whose sh:select is not a SELECT query")
    projection = []
    for tok in tokens[1:]:
        if tok.text == "{" or tok.text.upper() == "WHERE":
            break
        projection.append(tok.text)
    if "?this" not in projection and "*" not in projection:
        raise UnsupportedShapes("a sh:SPARQLTarget that does not select ?this")
    sensitive = False
    for k, tok in enumerate(tokens):
        if tok.kind in ("var", "iri") or tok.text in ("{", "}", "(", ")", ",", ".", ";", "&&", "||", "!", "*"):
            continue
        if tok.kind == "name" and tok.text.upper() in _ROBUST_TARGET:
            continue
        neighbours = tokens[k - 1:k] + tokens[k + 1:k + 2]
        if tok.text in ("=", "!=") and any(t.kind == "iri" for t in neighbours):
            continue
        sensitive = True
    return _text(tokens), sensitive


# --------------------------------------------------------------------------
# Shapes

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


# --------------------------------------------------------------------------
# What pySHACL does with one value in Python (for the odd literals)

def _py_nodekind(kind, v) -> bool:
    if isinstance(v, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if isinstance(v, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def _py_class(cls, v) -> bool:
    if isinstance(v, Literal):  # only literals are handed to Python
        return False
    raise UnsupportedData("sh:class of a non-literal in Python")


def _actual_datatype(value_node: Literal, rule) -> bool:
    value = value_node.value
    if rule in (XSD.string, RDF.langString):
        return isinstance(value, (str, bytes))
    if rule == XSD.integer:
        return isinstance(value, int)
    if rule == XSD.float:
        return isinstance(value, float)
    if rule == XSD.decimal:
        return isinstance(value, Decimal)
    if rule == XSD.boolean:
        return isinstance(value, bool)
    if rule == XSD.date:
        return isinstance(value, datetime.date)
    if rule == XSD.time:
        return isinstance(value, datetime.time)
    if rule == XSD.dateTime:
        return isinstance(value, datetime.datetime)
    return True


def _py_datatype(rule, v) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        return False if getattr(v, "ill_typed", None) is True else _actual_datatype(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    if rule == RDF.langString and v.language:
        return _actual_datatype(v, rule)
    return False


def _compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL's ``rdfutil.compare.compare_literal``."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (datetime.datetime, datetime.time):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _py_range(bound: Literal, v, accept: Callable[[int], bool]) -> bool:
    if not isinstance(v, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return accept(_compare_literal(v, bound))
    except (TypeError, NotImplementedError):
        return False


def _py_min_length(length: int, v) -> bool:
    if length == 0:
        return True
    if isinstance(v, BNode):
        return False
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return len(str(v.value)) >= length
    return len(str(v)) >= length


def _py_or(members, v) -> bool:
    return any(all(test.python(v) for test in member) for member in members)


_PYTHON: dict = {
    SH.nodeKind: _py_nodekind,
    SH["class"]: _py_class,
    SH.datatype: _py_datatype,
    SH["in"]: lambda members, v: v in members,
    SH.minInclusive: lambda bound, v: _py_range(bound, v, lambda c: c >= 0),
    SH.maxInclusive: lambda bound, v: _py_range(bound, v, lambda c: c <= 0),
    SH.minLength: _py_min_length,
    SH["or"]: _py_or,
}


def _py_pair(param, value, other) -> bool:
    """pySHACL's sh:lessThan / sh:lessThanOrEquals test of one pair (after the blank node checks)."""
    def plain(node):
        if isinstance(node, URIRef):
            return str(node), True
        if isinstance(node, Literal) and isinstance(node.value, str):
            return node.value, True
        return node, False

    (a, a_string), (b, b_string) = plain(value), plain(other)
    if a_string != b_string:
        return False
    return a < b if param == SH.lessThan else a <= b


# --------------------------------------------------------------------------
# Running the shapes

#: The rdflib view of a pyoxigraph term (what pySHACL sees).
View = Callable[[object], object]


def _plain_view(term):
    """A pyoxigraph term as rdflib term, lexical forms unchanged."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise UnsupportedData(f"the RDF term {term!r}")


class _Run:
    """One validation: plans one job (query + reading its rows) per check, runs them on a few threads."""

    def __init__(self, store, default_graph, odd_graph, view: View):
        self.store = store
        self.default_graph = default_graph
        self.odd_graph = odd_graph
        self.view = view
        self.jobs: list[Callable[[], list[Result]]] = []
        self.queries = 0
        self.counter = 0

    def select(self, query: str):
        self.queries += 1
        try:
            return self.store.query(query, default_graph=self.default_graph)
        except SyntaxError as exc:  # a construct Oxigraph does not read
            raise UnsupportedShapes(f"SPARQL Oxigraph cannot run: {exc}") from None

    def ask(self, query: str) -> bool:
        return bool(self.select(query))

    def result(self, shape: _Shape, focus, component, value=None, path=None, messages=None) -> Result:
        path = path if path is not None else shape.path
        return Result(self.view(focus), path, None if value is None else self.view(value),
                      shape.node, component, messages or shape.messages or (_generic(component),))

    def run(self, threads: int) -> set[Result]:
        results: set[Result] = set()
        if threads <= 1 or len(self.jobs) < 2:
            for job in self.jobs:
                results.update(job())
            return results
        from concurrent.futures import ThreadPoolExecutor

        jobs = sorted(self.jobs, key=lambda job: getattr(job, "cost", 1), reverse=True)  # long ones first
        with ThreadPoolExecutor(threads) as pool:
            for found in pool.map(lambda job: job(), jobs):
                results.update(found)
        return results

    def plan(self, job: Callable[[], list[Result]], cost: int = 1) -> None:
        job.cost = cost
        self.jobs.append(job)

    # ----------------------------------------------------------------------
    # planning

    def shape(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        """Plan the checks of ``shape`` on the nodes ``focus`` binds."""
        if shape.values:
            self.plan(lambda: self.values(shape, focus), 2)
        if shape.path is not None:
            if shape.min_count or shape.max_count is not None:
                self.plan(lambda: self.counts(shape, focus), 1)
            for param, other in shape.pairs:
                self.plan(lambda param=param, other=other: self.pair(shape, focus, param, other), 3)
        for constraint in shape.sparql:
            self.plan(lambda constraint=constraint: self.sparql(shape, focus, constraint), 4)
        for prop in shape.properties:
            if shape.path is not None:
                self.counter += 1
                self.shape(prop, _values_of(focus, shape.path, self.counter))
            else:
                self.shape(prop, focus)

    def targets(self, shape: _Shape) -> Callable[[str], str]:
        """The focus nodes of a shape's targets, as a SPARQL pattern binding a variable."""
        patterns = list(shape.targets)
        for text in shape.sparql_targets:
            patterns.append(lambda v, t=text: f"{{ SELECT DISTINCT (?this AS {v}) WHERE {{ {{ {t} }} }} }}")

            def unbound(t=text) -> list[Result]:
                if self.ask(f"ASK {{ {{ {t} }} FILTER(!BOUND(?this)) }}"):
                    raise UnsupportedData(f"the SPARQL target of {shape.node.n3()} leaves ?this unbound")
                return []

            self.plan(unbound, 0)

        def focus(var: str) -> str:
            union = " UNION ".join("{ " + p("?kg_f") + " }" for p in patterns)
            return f"{{ SELECT DISTINCT (?kg_f AS {var}) WHERE {{ {union} }} }}"

        return focus

    # ----------------------------------------------------------------------
    # jobs

    def values(self, shape: _Shape, focus) -> list[Result]:
        reach = f"?this {_iri(shape.path)} ?v ." if shape.path is not None else "BIND(?this AS ?v)"
        oks = [f"BIND(COALESCE({t.ok('?v')}, false) AS ?kg_ok{i})" for i, t in enumerate(shape.values)]
        routes = " || ".join([_odd("?v", self.odd_graph)] + [t.route("?v") for t in shape.values])
        failed = " || ".join(f"!?kg_ok{i}" for i in range(len(shape.values)))
        query = (f"SELECT DISTINCT ?this ?v ?kg_route {' '.join(f'?kg_ok{i}' for i in range(len(shape.values)))} "
                 f"WHERE {{ {focus('?this')} {reach} BIND(COALESCE({routes}, true) AS ?kg_route) {' '.join(oks)} "
                 f"FILTER(?kg_route || {failed}) }}")
        found = []
        for row in self.select(query):
            this, value = row["this"], row["v"]
            if _true(row["kg_route"]):
                python_value = self.view(value)
                passed = [test.python(python_value) for test in shape.values]
            else:
                passed = [_true(row[f"kg_ok{i}"]) for i in range(len(shape.values))]
            for test, ok in zip(shape.values, passed):
                if not ok:
                    found.append(self.result(shape, this, _COMPONENT[test.param], value))
        return found

    def counts(self, shape: _Shape, focus) -> list[Result]:
        low, high = shape.min_count or 0, shape.max_count
        path = _iri(shape.path)
        if low == 1 and high is None:
            query = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} FILTER NOT EXISTS {{ ?this {path} ?kg_v }} }}"
            return [self.result(shape, row["this"], SH.MinCountConstraintComponent) for row in self.select(query)]
        tests = ([f"COUNT(DISTINCT ?v) < {low}"] if low else []) + \
                ([f"COUNT(DISTINCT ?v) > {high}"] if high is not None else [])
        values = f"OPTIONAL {{ ?this {path} ?v }}" if low else f"?this {path} ?v ."
        query = (f"SELECT ?this (COUNT(DISTINCT ?v) AS ?kg_n) WHERE {{ {focus('?this')} {values} }} "
                 f"GROUP BY ?this HAVING ({' || '.join(tests)})")
        found = []
        for row in self.select(query):
            n = int(row["kg_n"].value)
            if n < low:
                found.append(self.result(shape, row["this"], SH.MinCountConstraintComponent))
            if high is not None and n > high:
                found.append(self.result(shape, row["this"], SH.MaxCountConstraintComponent))
        return found

    def pair(self, shape: _Shape, focus, param, other) -> list[Result]:
        path, other_iri = _iri(shape.path), _iri(other)
        name = param[len(str(SH)):]
        op = "<" if param == SH.lessThan else "<="
        stringish = "(isIRI({x}) || (isLiteral({x}) && DATATYPE({x}) IN (<%s>, <%s>)))" % (XSD.string, RDF.langString)
        sv, sw = stringish.format(x="?v"), stringish.format(x="?w")
        ok = (f"COALESCE((isNumeric(?v) && isNumeric(?w) && ?v {op} ?w) || "
              f"({sv} && {sw} && STR(?v) {op} STR(?w)), false)")
        route = (f"COALESCE({_odd('?v', self.odd_graph)} || {_odd('?w', self.odd_graph)} || "
                 f"(isLiteral(?v) && !isNumeric(?v) && !{sv}) || (isLiteral(?w) && !isNumeric(?w) && !{sw}), true)")
        query = (f"SELECT DISTINCT ?this ?v ?w ?kg_blank ?kg_route WHERE {{ {focus('?this')} ?this {path} ?v . "
                 f"OPTIONAL {{ ?this {other_iri} ?w }} "
                 f"BIND(COALESCE(isBlank(?v), false) || COALESCE(isBlank(?w), false) AS ?kg_blank) "
                 f"BIND(IF(BOUND(?w), {route}, false) AS ?kg_route) "
                 f"FILTER(?kg_blank || (BOUND(?w) && (?kg_route || !({ok})))) }}")
        rows = list(self.select(query))
        if any(_true(row["kg_blank"]) for row in rows):
            raise UnsupportedData(f"sh:{name} would compare a blank node (pySHACL stops there)")
        found = []
        for row in rows:
            if _true(row["kg_route"]):
                try:
                    passed = _py_pair(param, self.view(row["v"]), self.view(row["w"]))
                except Exception as exc:  # pySHACL would stop here too
                    raise UnsupportedData(f"sh:{name} cannot compare {row['v']} and {row['w']}: {exc}") from None
                if passed:
                    continue
            found.append(self.result(shape, row["this"], _COMPONENT[param], row["v"]))
        return found

    def sparql(self, shape: _Shape, focus, constraint: _SparqlConstraint) -> list[Result]:
        query = constraint.query
        what = f"the SPARQL constraint {constraint.node.n3()}"
        if query.literal_patterns:
            self.guard(query.predicates, what)
        extra = [p[1] for p in query.projection if p[0] == "as"]
        clean = query.variables if self.census(query.predicates) else frozenset()
        diagnostic = _Diagnostics(self.odd_graph, clean).group(query.group, focus("?this"), extra)
        if diagnostic is not None and self.ask(f"ASK {diagnostic}"):
            raise UnsupportedData(f"{what} would apply an operator to values on which rdflib (pySHACL's "
                                  f"SPARQL) and Oxigraph differ")
        body = _write_group(query.group, {"this"}, False)
        projection = " ".join(f"?{p[1]}" if p[0] == "var" else f"({_write(p[1])} AS ?{p[2]})"
                              for p in query.projection)
        text = f"SELECT DISTINCT {projection} WHERE {{ {focus('?this')} {body[1:-1]} }}"
        found = []
        for row in self.select(text):
            bound = {name: row[name] for name in query.names if row[name] is not None}
            this = bound.get("this")
            if "failure" in bound:
                found.append(self.result(shape, this, SH.SPARQLConstraintComponent, None if shape.path else this,
                                         messages=self.messages(shape, constraint, {})))
                continue
            value = bound.get("value", None if shape.path is not None else this)
            path = bound.get("path")
            found.append(self.result(shape, this, SH.SPARQLConstraintComponent, value,
                                     path=self.view(path) if path is not None else None,
                                     messages=self.messages(shape, constraint, bound)))
        return found

    def messages(self, shape: _Shape, constraint: _SparqlConstraint, bound: dict) -> tuple[str, ...]:
        texts = []
        for message in list(constraint.messages) + [m for m in shape.messages if m not in constraint.messages]:
            for name, term in bound.items():
                message = re.sub(r"\{[?$]%s\}" % re.escape(name), lambda _m, t=term: str(self.view(t)), message)
            texts.append(message)
        return tuple(texts) or (_generic(SH.SPARQLConstraintComponent),)

    def census(self, predicates) -> bool:
        """True if no triple of ``predicates`` (``None``: all) has a blank node or an odd literal."""
        odd = f"(isBlank(?kg_s) || isBlank(?kg_o) || {_odd('?kg_o', self.odd_graph)})"
        if predicates is None:
            return not self.ask(f"ASK {{ ?kg_s ?kg_p ?kg_o . FILTER {odd} }}")
        values = " ".join(f"<{p}>" for p in sorted(predicates))
        return not predicates or not self.ask(f"ASK {{ VALUES ?kg_p {{ {values} }} ?kg_s ?kg_p ?kg_o . FILTER {odd} }}")

    def guard(self, predicates, what: str) -> list[Result]:
        """Refuse when a query matching literal constants may meet odd literals (``None``: any predicate).

        rdflib matches literals by lexical form, Oxigraph by canonical form:
        they agree on the safe literals only.
        """
        odd = _odd("?kg_o", self.odd_graph)
        if predicates is None:
            query = f"ASK {{ ?kg_s ?kg_p ?kg_o . FILTER {odd} }}"
        elif predicates:
            values = " ".join(f"<{p}>" for p in sorted(predicates))
            query = f"ASK {{ VALUES ?kg_p {{ {values} }} ?kg_s ?kg_p ?kg_o . FILTER {odd} }}"
        else:
            return []
        if self.ask(query):
            raise UnsupportedData(f"{what} matches literals and the data has odd literals there")
        return []


def _values_of(focus: Callable[[str], str], path: URIRef, counter: int) -> Callable[[str], str]:
    """The values of ``path`` at the nodes ``focus`` binds, as a pattern binding a variable."""
    parent = f"?kg_p{counter}"

    def nested(var: str) -> str:
        inner = f"{focus(parent)} {parent} {_iri(path)} {parent}_v"
        return f"{{ SELECT DISTINCT ({parent}_v AS {var}) WHERE {{ {inner} }} }}"

    return nested


def _true(term) -> bool:
    return term is not None and term.value == "true"


def _generic(component: URIRef) -> str:
    return f"{component[len(str(SH)):]} failed"


def validate_store(store, shapes: CompiledShapes, *, default_graph=None, odd_graph: str | None = None,
                   view: View | None = None, threads: int | None = None) -> list[Result]:
    """Run compiled ``shapes`` over a ``pyoxigraph.Store``: the results, sorted (empty: conforms).

    ``default_graph`` is the data graph as ``Store.query`` takes it (default:
    the store's default graph; a list is their union); it must already hold the
    ontology, if any. ``view`` turns store terms into the rdflib terms pySHACL
    would see (default: same lexical forms); ``odd_graph`` names a graph whose
    objects are to be treated as odd literals (see :func:`load_rdflib`). The
    queries run on ``threads`` threads (Oxigraph evaluates without the GIL;
    default: the CPUs, at most 4).
    Raises :class:`Fallback` where pySHACL's answer cannot be promised.
    """
    run = _Run(store, default_graph, odd_graph, view or _plain_view)
    for shape in shapes.roots:
        run.shape(shape, run.targets(shape))
    if threads is None:
        import os

        threads = min(4, os.cpu_count() or 1)
    results = run.run(threads)
    return sorted(results, key=lambda r: tuple(_n3(t) if t is not None else "" for t in r))


# --------------------------------------------------------------------------
# Data: an rdflib graph in Oxigraph, the ontology mixed in as pySHACL does

def load_rdflib(graph: Graph, *extra: Graph):
    """An in-memory ``pyoxigraph.Store`` holding ``graph`` (and ``extra``) in its default graph.

    Returns ``(store, odd_graph, view)`` for :func:`validate_store`: literals
    whose lexical form Oxigraph would change (``"36.0"^^xsd:decimal`` becomes
    ``36``; ``"x"^^xsd:string`` becomes ``"x"``), or which it may read
    differently, are listed in the named graph ``odd_graph``, and ``view``
    gives back the rdflib literal pySHACL sees. Raises
    :class:`UnsupportedData` if two distinct rdflib terms would become one in
    Oxigraph, or a term cannot be written as N-Triples.

    >>> from rdflib import Graph
    >>> store, odd, view = load_rdflib(Graph().parse(format="turtle", data='''
    ...     <https://example.org/a> <https://example.org/p> 36.0 .'''))
    >>> [view(row["o"]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
    [rdflib.term.Literal('36.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))]
    """
    import queue
    import threading

    import pyoxigraph as ox

    store = ox.Store()
    chunks: queue.Queue = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def loader() -> None:  # Oxigraph parses one chunk while Python writes the next
        while (chunk := chunks.get()) is not None:
            if not failure:
                try:
                    store.load(chunk.encode("utf-8", "surrogatepass"), format=ox.RdfFormat.N_TRIPLES)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                    failure.append(exc)

    thread = threading.Thread(target=loader, name="kg-shacl-load", daemon=True)
    thread.start()
    lines: list[str] = []
    blank_lines: list[str] = []  # blank node labels are per load: these go in one chunk
    odd: dict[Literal, None] = {}
    try:
        for g in (graph, *extra):
            triples = ((s, p, o) for s, p, o, _ in g.quads((None, None, None, None))) \
                if getattr(g, "context_aware", False) else g.triples((None, None, None))
            for s, p, o in triples:
                blank = False
                if type(s) is URIRef:
                    ts = f"<{s}>"
                else:
                    ts, blank = _nt_node(s), True
                tp = f"<{p}>" if type(p) is URIRef else _nt_node(p)
                kind = type(o)
                if kind is URIRef:
                    to = f"<{o}>"
                elif kind is Literal or isinstance(o, Literal):
                    to = _nt_literal(o)
                    if not _safe_literal(o):
                        odd[o] = None
                else:
                    to, blank = _nt_node(o), True
                if blank:
                    blank_lines.append(f"{ts} {tp} {to} .\n")
                    continue
                lines.append(f"{ts} {tp} {to} .\n")
                if len(lines) >= 8192:
                    chunks.put("".join(lines))
                    lines = []
        chunks.put("".join(lines))
        chunks.put("".join(blank_lines))
    finally:
        chunks.put(None)
        thread.join()
    if failure:
        raise UnsupportedData(f"the graph cannot be loaded into Oxigraph as it is: {failure[0]}")
    odd_graph = None
    mapping: dict = {}
    if odd:  # what Oxigraph made of them: learnt from a scratch graph
        odd_list = list(odd)
        scratch = ox.NamedNode(f"{_KG}scratch")
        text = "".join(f"<{_KG}odd/{i}> <{scratch.value}> {_nt_literal(lit)} .\n" for i, lit in enumerate(odd_list))
        store.load(text.encode("utf-8", "surrogatepass"), format=ox.RdfFormat.N_TRIPLES, to_graph=scratch)
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
            texts = {_nt_literal(_plain_view(literal)) for literal in hidden}
            for g in (graph, *extra):
                for o in g.objects(None, None):
                    if isinstance(o, Literal) and _safe_literal(o) and _nt_literal(o) in texts:
                        raise UnsupportedData(f"distinct rdflib literals that Oxigraph stores as one: {o.n3()}")
        if hidden:
            odd_graph = f"{_KG}odd"
            store.extend(ox.Quad(ox.NamedNode(f"{_KG}odd/{i}"), ox.NamedNode(odd_graph), literal,
                                 ox.NamedNode(odd_graph)) for i, literal in enumerate(hidden))

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


def _nt_node(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise UnsupportedData(f"the RDF term {term!r} in subject or predicate position")


def _nt_literal(literal: Literal) -> str:
    text = str(literal)
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = _string(text)
    else:
        text = f'"{text}"'
    if literal.language:
        return f"{text}@{literal.language}"
    if literal.datatype is not None:
        return f"{text}^^<{literal.datatype}>"
    return text


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


def ntriples(graph: Graph) -> bytes:
    """``graph`` as N-Triples bytes (for loading into Oxigraph)."""
    return "".join(f"{_nt_node(s)} {_nt_node(p)} {_nt_literal(o) if isinstance(o, Literal) else _nt_node(o)} .\n"
                   for s, p, o in graph).encode("utf-8")

