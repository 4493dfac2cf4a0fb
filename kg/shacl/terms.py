"""The engine's errors and results, and rdflib terms written as SPARQL text."""
from __future__ import annotations

import re
from typing import NamedTuple

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.vocab import XSD



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
