"""Derived triples: what the documents imply together, computed by SPARQL rules kept as data.

Some triples belong to no single document: they are computed over all of
them, such as the evidence and source counts of a statement. Each kind is a
*rule*, a SPARQL Update in ``kg/queries/build/derived/NAME.ru`` that reads
the union of the document graphs (the default graph) and inserts what it
derives into the named graph :data:`~kg.vocab.DERIVED_GRAPH`
(``kgr:derived``), and nowhere else. Adding a derived triple means adding a
file; no code changes.

:func:`refresh_update` is the one SPARQL Update that brings every derived
triple up to date:

1. the derived triples leave the default graph (those a document graph also
   holds stay) and the derived graph is dropped;
2. every rule runs, in the order of the file names, on the union of the
   documents: rules read documents, never each other's output;
3. the derived graph is added to the default graph.

The store (:mod:`kg.store`) runs it in the same transaction as the document
changes of a build or a removal, so the store's default graph, what
``graph.ttl`` is written from, always holds the derived triples of exactly
the documents it holds: those a build from nothing would compute.
:func:`derive` runs it on an in-memory ``pyoxigraph.Store`` and
:func:`add_derived` on an rdflib graph of document triples.

>>> [rule.name for rule in rules()][:1]
['counts']
>>> refresh_update().count("DROP SILENT GRAPH <https://w3id.org/kg-conflict/id/derived>")
1
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from kg.errors import DataFileError
from kg.vocab import DERIVED_GRAPH, DOCUMENT_GRAPHS, NAMESPACES, ORDER_GRAPH

RULES_DIR = Path(__file__).resolve().parent / "queries" / "build" / "derived"


#: A ``PREFIX name: <iri>`` declaration.
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One rule file: its name, the prefixes it declares at its top, and its operations."""

    name: str
    prefixes: tuple[tuple[str, str], ...]
    body: str


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """Every rule, by file name.

    A rule's ``PREFIX`` lines stand at its top (comments and blank lines
    around them are fine); the rules' updates are joined into one with the
    prefixes first, since Oxigraph reads a prologue only at the start of an
    update.
    """
    found = []
    for path in sorted(RULES_DIR.glob("*.ru")):
        lines = path.read_text(encoding="utf-8").splitlines()
        prefixes = []
        start = 0
        for start, line in enumerate(lines):
            match = _PREFIX.match(line)
            if match:
                prefixes.append((match.group(1) or "", match.group(2)))
            elif line.strip() and not line.lstrip().startswith("#"):
                break
        else:
            start = len(lines)
        body = "\n".join(lines[start:]).strip()
        while body.endswith(";"):
            body = body[:-1].rstrip()
        if f"<{DERIVED_GRAPH}>" not in body:
            raise DataFileError(f"{path}: a derived-triple rule must insert into GRAPH <{DERIVED_GRAPH}>")
        if re.search(r"^\s*PREFIX\s", body, re.IGNORECASE | re.MULTILINE):
            raise DataFileError(f"{path}: PREFIX lines go at the top of a rule")
        found.append(Rule(path.stem, tuple(prefixes), body))
    return tuple(found)


def prologue() -> str:
    """The ``PREFIX`` lines of every rule, once each (two rules giving one prefix two IRIs is an error,
    and so is a rule giving one of :data:`kg.vocab.NAMESPACES` another IRI than kg's)."""
    seen: dict[str, tuple[str, str]] = {}
    for rule in rules():
        for name, iri in rule.prefixes:
            if name in NAMESPACES and iri != str(NAMESPACES[name]):
                raise DataFileError(f"derived-triple rule {rule.name} gives the prefix {name}: the IRI {iri}, "
                                    f"not kg's {NAMESPACES[name]} (kg/vocab.py)")
            if name in seen and seen[name][0] != iri:
                raise DataFileError(f"derived-triple rules {seen[name][1]} and {rule.name} give the prefix "
                                    f"{name}: two IRIs ({seen[name][0]}, {iri})")
            seen.setdefault(name, (iri, rule.name))
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, (iri, _) in sorted(seen.items()))


def clear_update() -> str:
    """SPARQL Update taking every derived triple out of the default graph and dropping the derived graph
    and the sort ranks of :mod:`kg.order` (whoever changes the documents writes those again after)."""
    derived = f"<{DERIVED_GRAPH}>"
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {derived} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{DOCUMENT_GRAPHS}\")) }} }} ;\n"
            f"DROP SILENT GRAPH {derived} ;\nDROP SILENT GRAPH <{ORDER_GRAPH}>")


def refresh_update(changes: Iterable[str] = ()) -> str:
    """The SPARQL Update that recomputes every derived triple (see the module doc).

    ``changes`` are operations (without prefixes) that change the document
    graphs, run after the derived triples are cleared and before the rules:
    one transaction then changes documents and keeps the derived triples in
    step.
    """
    parts = [clear_update(), *changes, *(rule.body for rule in rules()), f"ADD SILENT <{DERIVED_GRAPH}> TO DEFAULT"]
    return prologue() + " ;\n".join(parts)


def derive(store) -> None:
    """Recompute the derived triples of a ``pyoxigraph.Store`` whose default graph holds documents' triples."""
    store.update(refresh_update())


def add_derived(graph):
    """Add the derived triples to an rdflib graph of document triples (none derived yet); returns it.

    >>> from kg.rdf import new_graph
    >>> len(add_derived(new_graph()))
    0
    """
    from kg.store.scratch import oxigraph_copy, rdflib_triples

    store = oxigraph_copy(graph)
    derive(store)
    for triple in rdflib_triples(store, DERIVED_GRAPH):
        graph.add(triple)
    return graph
