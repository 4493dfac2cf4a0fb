"""What pySHACL does with one value in Python: the value checks for the odd literals."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Callable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .terms import XSD, UnsupportedData

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
