"""Interoperability of what kg writes: other parsers read it, and the same
input gives the same bytes (also under another PYTHONHASHSEED)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.export import FORMATS, export_bytes

pytestmark = pytest.mark.slow

pyoxigraph = pytest.importorskip("pyoxigraph")

REPO = Path(__file__).resolve().parents[1]
KGO = rdflib.Namespace("https://w3id.org/kg-conflict/ontology#")


@pytest.fixture(scope="module")
def seeds_graph(seeds_dir) -> rdflib.Graph:
    return rdflib.Graph().parse(seeds_dir / "graph.ttl", format="turtle")


def relation_edges(graph: rdflib.Graph) -> int:
    """Distinct relation triples, a symmetric one asserted both ways counted once."""
    from kg.resources import load_data

    relations = load_data("relations")["relations"]
    edges = set()
    for name, spec in relations.items():
        for s, o in graph.subject_objects(KGO[name]):
            if spec.get("symmetric") and str(o) < str(s):
                s, o = o, s
            edges.add((s, name, o))
    return len(edges)


def run_kg(*args: str, seed: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


# --------------------------------------------------------------------------
# graph.ttl


def test_turtle_parses_with_oxigraph(seeds_dir, seeds_graph):
    data = (seeds_dir / "graph.ttl").read_bytes()
    triples = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(seeds_graph) > 0
    assert len(set(map(str, triples))) == len(triples)


def test_rdflib_round_trip_is_isomorphic(seeds_graph, by_value):
    text = seeds_graph.serialize(format="turtle")
    again = rdflib.Graph().parse(data=text, format="turtle")
    assert len(again) == len(seeds_graph)
    assert by_value(again) == by_value(seeds_graph)  # rdflib writes "35"^^xsd:decimal as 35.0


def test_two_builds_same_bytes(seeds_dir, tmp_path):
    import kg

    kg.build([REPO / "seeds"], tmp_path / "again", html=False)
    assert (tmp_path / "again" / "graph.ttl").read_bytes() == (seeds_dir / "graph.ttl").read_bytes()


def test_build_same_bytes_under_another_hash_seed(seeds_dir, tmp_path):
    out = tmp_path / "seeded"
    done = run_kg("build", str(REPO / "seeds"), "--out", str(out), "--no-html", seed="123")
    assert done.returncode == 0, done.stderr
    assert (out / "graph.ttl").read_bytes() == (seeds_dir / "graph.ttl").read_bytes()


# --------------------------------------------------------------------------
# exports


@pytest.fixture(scope="module")
def exports(seeds_dir) -> dict[str, bytes]:
    return {fmt: export_bytes(seeds_dir, fmt) for fmt in FORMATS}


def test_trig_and_nquads_parse_with_rdflib_and_oxigraph(exports, seeds_graph):
    sizes = {}
    for fmt, rdflib_fmt, ox_fmt in (("trig", "trig", pyoxigraph.RdfFormat.TRIG),
                                    ("nq", "nquads", pyoxigraph.RdfFormat.N_QUADS)):
        ds = rdflib.Dataset()
        ds.parse(data=exports[fmt], format=rdflib_fmt)
        quads = list(pyoxigraph.parse(exports[fmt], format=ox_fmt))
        assert len(quads) == sum(1 for _ in ds.quads((None, None, None, None))), fmt
        names = {q.graph_name for q in quads if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)}
        documents = set(seeds_graph.subjects(rdflib.RDF.type, KGO.Document))
        assert len(names) == len(documents), fmt
        union = {(q.subject, q.predicate, q.object) for q in quads}
        assert len(union) == len(seeds_graph), fmt
        sizes[fmt] = len(quads)
    assert sizes["trig"] == sizes["nq"]


def test_jsonld_parses_with_rdflib(exports, seeds_graph):
    back = rdflib.Graph().parse(data=exports["jsonld"], format="json-ld")
    assert len(back) == len(seeds_graph)
    assert isomorphic(back, seeds_graph)


def test_ntriples_parse_with_oxigraph(exports, seeds_graph):
    triples = list(pyoxigraph.parse(exports["nt"], format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(triples) == len(seeds_graph)


GEXF = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}


def read_gexf(data: bytes) -> tuple[dict, list[dict]]:
    """Nodes (id -> attributes and viz) and edges of a GEXF 1.2 file, read as XML: a
    mixed graph (directed and undirected edges, as Gephi reads it) which networkx refuses."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    graph = root.find("g:graph", GEXF)
    titles = {a.get("id"): a.get("title") for a in graph.iterfind("g:attributes/g:attribute", GEXF)}

    def attrs(element):
        out = {titles[v.get("for")]: v.get("value") for v in element.iterfind("g:attvalues/g:attvalue", GEXF)}
        out["label"] = element.get("label")
        color = element.find("viz:color", GEXF)
        if color is not None:
            out["color"] = "#{:02x}{:02x}{:02x}".format(*(int(color.get(c)) for c in "rgb"))
        position = element.find("viz:position", GEXF)
        if position is not None:
            out["position"] = (float(position.get("x")), float(position.get("y")))
        for name in ("size", "thickness"):
            found = element.find(f"viz:{name}", GEXF)
            if found is not None:
                out[name] = float(found.get("value"))
        return out

    nodes = {n.get("id"): attrs(n) for n in graph.iterfind("g:nodes/g:node", GEXF)}
    edges = [{"source": e.get("source"), "target": e.get("target"),
              "type": e.get("type") or graph.get("defaultedgetype"), **attrs(e)}
             for e in graph.iterfind("g:edges/g:edge", GEXF)]
    return nodes, edges


def test_graphml_parses_with_networkx_and_gexf_as_gephi_reads_it(exports, seeds_graph):
    edges = relation_edges(seeds_graph)
    assert edges > 0
    graphml = nx.read_graphml(io.BytesIO(exports["graphml"]), force_multigraph=True)
    # every relation triple is an edge; claims only reified (denied, unconfirmed) are edges marked so
    assert sum(1 for _u, _v, d in graphml.edges(data=True) if d["asserted"]) == edges
    assert all(isinstance(d.get("label"), str) and d["label"] for _n, d in graphml.nodes(data=True))
    assert all(d["count"] >= 1 and d["sources"] >= 1 for _u, _v, d in graphml.edges(data=True))
    nodes, gexf_edges = read_gexf(exports["gexf"])
    assert set(graphml.nodes) == set(nodes)
    assert sum(1 for e in gexf_edges if e["asserted"] == "true") == edges
    assert len(gexf_edges) == graphml.number_of_edges()


def test_gexf_carries_the_pages_look_and_undirected_symmetric_relations(exports, seeds_dir):
    """viz positions, colours and sizes are the page's (its blob: network layout, node groups);
    symmetric relations (truce_with, ...) are undirected edges, the others directed."""
    import json
    import re

    nodes, edges = read_gexf(exports["gexf"])
    html = (seeds_dir / "graph.html").read_text(encoding="utf-8")
    blob = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)[1])
    groups = blob["options"]["groups"]
    assert len(blob["nodes"]) == len(nodes)
    for drawn in blob["nodes"]:
        node = nodes[drawn["id"]]
        assert node["position"] == (drawn["x"], -drawn["y"])  # Gephi's y is up
        assert node["size"] == drawn["size"]
        assert node["color"] == groups[drawn["group"]]["color"]["background"]
    symmetric = {r for r, spec in load_relations().items() if spec.get("symmetric")}
    colours = {e["id"]: e["color"] for e in blob["edges"]}
    assert {e["relation"] for e in edges if e["type"] == "undirected"} == \
        {e["relation"] for e in edges if e["relation"] in symmetric} != set()
    assert all(e["type"] == "directed" for e in edges if e["relation"] not in symmetric)
    assert sorted(e["color"] for e in edges) == sorted(colours.values())
    assert all(e["thickness"] >= 1.5 for e in edges)


def load_relations() -> dict:
    from kg.resources import load_data

    return load_data("relations")["relations"]


def test_exports_same_bytes_under_another_hash_seed(seeds_dir, exports, tmp_path):
    for fmt in FORMATS:
        out = tmp_path / f"graph.{fmt}"
        done = run_kg("export", "--format", fmt, "--out", str(out), str(seeds_dir), seed="7")
        assert done.returncode == 0, done.stderr
        assert out.read_bytes() == exports[fmt], fmt
