"""A reader and writer for the SPARQL of SPARQL-based constraints and targets.

The restricted SELECT form a SPARQL constraint may take is read into a tree
(:func:`_read_query`) and written back (:func:`_write_group`, :func:`_write`)
for inlining into the engine's own queries; a SPARQL target is read as a
subquery (:func:`_read_target`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from rdflib.namespace import RDF

from .terms import _BAD_IRI, XSD, UnsupportedShapes

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
#: on the arguments the diagnostics (diagnostics.py) allow).
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
