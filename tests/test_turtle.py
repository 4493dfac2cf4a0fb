"""graph.ttl's writer (kg.rdf.turtle_bytes): layout, determinism, round trip."""
from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.rdf import TURTLE_PREFIXES, new_graph, oxigraph_copy, turtle_bytes
from kg.vocab import GEO, KGO, KGR

TRICKY = ["plain", 'a "quoted" word', "back\\slash", "two\nlines\r\n", "tab\there", "ends with .",
          " .\n", "Ḥasakah – Dayr az-Zawr", "emoji \U0001F600", "", "@prefix x: <y> ."]


def tricky_graph() -> Graph:
    g = new_graph()
    for i, text in enumerate(TRICKY):
        node = KGR[f"entity/e{i}"]
        g.add((node, RDF.type, KGO.Place if i % 2 else KGO.ArmedGroup))
        g.add((node, RDFS.label, Literal(text)))
        g.add((node, KGO.text, Literal(text, lang="ar")))
        g.add((node, GEO.lat, Literal(f"{i}.5", datatype=XSD.decimal)))
        g.add((node, KGO.backs, KGR[f"entity/e{(i + 1) % len(TRICKY)}"]))
        g.add((node, KGO.backs, KGR[f"entity/e{(i + 3) % len(TRICKY)}"]))
    return g


def test_layout_header_blocks_and_type_first():
    text = turtle_bytes(tricky_graph()).decode("utf-8")
    header, body = text.split("\n\n", 1)
    assert header.splitlines() == [f"@prefix {p}: <{iri}> ." for p, iri in TURTLE_PREFIXES]
    assert text.endswith(" .\n") and not text.endswith("\n\n")
    blocks = body.rstrip("\n").split("\n\n")
    assert len(blocks) == len(TRICKY)  # one block per subject
    subjects = [block.split(" ", 1)[0] for block in blocks]
    assert subjects == sorted(subjects)
    for block in blocks:
        assert block.split(" ", 2)[1] == "a"  # rdf:type first
        lines = block.split("\n")
        assert lines[-1].endswith(" .") and not any(line.endswith(" .") for line in lines[:-1])


def test_round_trip_is_isomorphic_and_strict_parsers_agree():
    g = tricky_graph()
    data = turtle_bytes(g)
    assert isomorphic(Graph().parse(data=data, format="turtle"), g)
    parsed = list(ox.parse(data, format=ox.RdfFormat.TURTLE))  # strict
    assert len(parsed) == len(g)


def test_same_triples_same_bytes_whatever_the_insertion_order():
    triples = list(tricky_graph())
    expected = turtle_bytes(tricky_graph())
    for seed in range(3):
        random.Random(seed).shuffle(triples)
        g = Graph()
        for triple in triples:
            g.add(triple)
        assert turtle_bytes(g) == expected


def test_rdflib_graph_and_oxigraph_store_give_the_same_bytes():
    g = tricky_graph()
    assert turtle_bytes(oxigraph_copy(g)) == turtle_bytes(g)


def test_empty_graph_is_the_header_alone():
    assert turtle_bytes(Graph()).decode().splitlines() == [
        f"@prefix {p}: <{iri}> ." for p, iri in TURTLE_PREFIXES]


@pytest.mark.parametrize("value", ["39.0", "39", "39.000"])
def test_decimals_are_written_canonically(value):
    g = Graph()
    g.add((URIRef("https://example.org/p"), GEO.lat, Literal(value, datatype=XSD.decimal)))
    (triple,) = Graph().parse(data=turtle_bytes(g), format="turtle")
    assert triple[2].toPython() == 39 and triple[2].datatype == XSD.decimal
