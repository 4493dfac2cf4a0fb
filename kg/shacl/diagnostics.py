"""Where rdflib (pySHACL's SPARQL) and Oxigraph may answer a SPARQL constraint differently."""
from __future__ import annotations

import re

from rdflib.namespace import RDF

from .sparql import _BOOLEAN_FUNCTIONS, _Group, _write, _write_group
from .terms import _KG, XSD, UnsupportedShapes, _odd

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
