"""`kg export`: TriG / N-Quads (one named graph per document), JSON-LD,
N-Triples, GraphML and GEXF, all deterministic."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.cli import cli
from kg.errors import KgError
from kg.rdf import TURTLE_PREFIXES
from kg.export import (
    FORMATS,
    JSONLD_CONTEXT,
    export,
    export_bytes,
    graph_iri,
    named_graphs,
    split_by_document,
)

#: kg's prefixes as graph.ttl declares them (rdf, rdfs, xsd, skos, prov, dcterms, geo, kgo).
TURTLE_HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in TURTLE_PREFIXES)
KGO = Namespace("https://w3id.org/kg-conflict/ontology#")
KGR = Namespace("https://w3id.org/kg-conflict/id/")
REPO = Path(__file__).resolve().parents[1]

#: Two documents: "USA backs SDF" is read in both; the truce (a symmetric
#: relation), with a speaker and an agreement, in d1 only; the capture of
#: Raqqa (which has coordinates) in d2 only.
SMALL = TURTLE_HEADER + """
@base <https://w3id.org/kg-conflict/id/> .

<entity/usa> a kgo:State, kgo:Place ; rdfs:label "United States" ; skos:altLabel "US", "U.S." ;
    geo:lat 39.5 ; geo:long -98.35 ; kgo:backs <entity/sdf> .
<entity/sdf> a kgo:ArmedGroup ; rdfs:label "Syrian Democratic Forces" ; skos:altLabel "SDF" ;
    kgo:truce_with <entity/isis> ; kgo:captured <entity/raqqa> .
<entity/isis> a kgo:ArmedGroup ; rdfs:label "Islamic State" ; skos:altLabel "ISIS" .
<entity/raqqa> a kgo:Place ; rdfs:label "Raqqa" ; geo:lat 35.95 ; geo:long 39.01 .
<entity/bali> a kgo:Person ; rdfs:label "Mostafa Bali" .

<statement/backs> a rdf:Statement ; rdf:subject <entity/usa> ; rdf:predicate kgo:backs ;
    rdf:object <entity/sdf> ; prov:wasDerivedFrom <evidence/d1/0-16>, <evidence/d2/0-16> ;
    kgo:evidenceCount 2 ; kgo:sourceCount 2 .
<statement/truce> a rdf:Statement ; rdf:subject <entity/sdf> ; rdf:predicate kgo:truce_with ;
    rdf:object <entity/isis> ; prov:wasDerivedFrom <evidence/d1/17-45> ;
    kgo:evidenceCount 1 ; kgo:sourceCount 1 .
<statement/capture> a rdf:Statement ; rdf:subject <entity/sdf> ; rdf:predicate kgo:captured ;
    rdf:object <entity/raqqa> ; prov:wasDerivedFrom <evidence/d2/17-37> ;
    kgo:evidenceCount 1 ; kgo:sourceCount 1 .

<evidence/d1/0-16> a kgo:Evidence ; kgo:text "The US backs SDF" ; kgo:beginOffset 0 ; kgo:endOffset 16 ;
    kgo:modality kgo:asserted ; dcterms:isPartOf <document/d1> .
<evidence/d1/17-45> a kgo:Evidence ; kgo:text "SDF and ISIS agreed a truce." ; kgo:beginOffset 17 ;
    kgo:endOffset 45 ; kgo:modality kgo:reported ; kgo:attributedTo <entity/bali> ;
    dcterms:isPartOf <document/d1> .
<evidence/d2/0-16> a kgo:Evidence ; kgo:text "The US backs SDF" ; kgo:beginOffset 0 ; kgo:endOffset 16 ;
    kgo:modality kgo:asserted ; dcterms:isPartOf <document/d2> .
<evidence/d2/17-37> a kgo:Evidence ; kgo:text "SDF took Raqqa\\nagain" ; kgo:beginOffset 17 ;
    kgo:endOffset 37 ; kgo:modality kgo:asserted ; dcterms:isPartOf <document/d2> .

<agreement/d1/17> a kgo:Agreement ; rdfs:label "truce: SDF – Islamic State" ; kgo:agreementType "truce" ;
    kgo:party <entity/sdf>, <entity/isis> ; prov:wasDerivedFrom <evidence/d1/17-45> .

<document/d1> a kgo:Document ; dcterms:identifier "d1" ; dcterms:title "Truce \\"reached\\"" ;
    dcterms:date "2017-10-15"^^xsd:date .
<document/d2> a kgo:Document ; dcterms:identifier "d2" ; dcterms:publisher "Agence « Ω »" .
"""


@pytest.fixture
def build_dir(tmp_path) -> Path:
    """A folder as `kg build` leaves it, without a store."""
    (tmp_path / "graph.ttl").write_text(SMALL, encoding="utf-8")
    return tmp_path


def small_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=SMALL, format="turtle")


def dataset(data: bytes, fmt: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data=data, format=fmt)
    return ds


def named(ds: rdflib.Dataset) -> dict[str, set]:
    """Named graphs of a dataset (non-empty ones, by IRI) as sets of triples."""
    out = {}
    for graph in ds.graphs():
        if graph.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID and len(graph):
            out[str(graph.identifier)] = set(graph)
    return out


# --------------------------------------------------------------------------
# named graphs


def test_graph_iri_is_the_stores():
    store = pytest.importorskip("kg.store")
    assert graph_iri("001_a2f9 copy") == store.document_graph("001_a2f9 copy")


def test_split_by_document_partitions_the_graph():
    g = small_graph()
    graphs = split_by_document(g)
    assert list(graphs) == [None, graph_iri("d1"), graph_iri("d2")]
    union = set()
    for triples in graphs.values():
        union |= set(triples)
    assert union == set(g)
    # The default graph holds the cross-document counts, nothing else.
    assert {p for _s, p, _o in graphs[None]} == {KGO.evidenceCount, KGO.sourceCount}


def test_document_graph_is_self_contained():
    graphs = split_by_document(small_graph())
    d1, d2 = graphs[graph_iri("d1")], graphs[graph_iri("d2")]
    usa, sdf, isis, raqqa, bali = (KGR[f"entity/{n}"] for n in ("usa", "sdf", "isis", "raqqa", "bali"))
    # the triple read in both documents is in both graphs, with its own evidence only
    for graph, doc in ((d1, "d1"), (d2, "d2")):
        assert (usa, KGO.backs, sdf) in graph
        assert set(graph.objects(KGR["statement/backs"], PROV.wasDerivedFrom)) == {KGR[f"evidence/{doc}/0-16"]}
        assert (usa, RDFS_LABEL, Literal("United States")) in graph
        assert (KGR[f"document/{doc}"], DCTERMS.identifier, Literal(doc)) in graph
    assert (sdf, KGO.truce_with, isis) in d1 and (sdf, KGO.truce_with, isis) not in d2
    assert (sdf, KGO.captured, raqqa) in d2 and (sdf, KGO.captured, raqqa) not in d1
    # the speaker and the agreement of d1
    assert (bali, RDF.type, KGO.Person) in d1 and (bali, RDF.type, KGO.Person) not in d2
    assert (KGR["agreement/d1/17"], KGO.party, isis) in d1
    # coordinates and names come with the entity
    assert (raqqa, GEO_LAT, None) in d2 and (isis, SKOS.altLabel, Literal("ISIS")) in d1
    # a relation triple is only in the graphs of documents that support it
    assert (sdf, KGO.captured, raqqa) not in d1
    assert not any(p == KGO.evidenceCount for _s, p, _o in d1)


RDFS_LABEL = rdflib.RDFS.label
GEO_LAT = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#").lat


def test_symmetric_relation_asserted_the_other_way_goes_with_its_statement():
    g = small_graph()
    sdf, isis = KGR["entity/sdf"], KGR["entity/isis"]
    g.remove((sdf, KGO.truce_with, isis))
    g.add((isis, KGO.truce_with, sdf))
    graphs = split_by_document(g)
    assert (isis, KGO.truce_with, sdf) in graphs[graph_iri("d1")]
    assert not len(set(graphs[None]) - {t for t in graphs[None] if t[1] in (KGO.evidenceCount, KGO.sourceCount)})


def test_trig_has_one_named_graph_per_document(build_dir):
    data = export_bytes(build_dir, "trig")
    ds = dataset(data, "trig")
    graphs = named(ds)
    assert sorted(graphs) == [str(graph_iri("d1")), str(graph_iri("d2"))]
    expected = split_by_document(small_graph())
    for name, triples in graphs.items():
        assert triples == set(expected[rdflib.URIRef(name)])
    default = set(ds.default_graph)
    assert default == set(expected[None])
    union = default.union(*graphs.values())
    assert union == set(small_graph())
    assert data.decode().count("@prefix kgo:") == 1


def test_nquads_match_trig(build_dir):
    trig = dataset(export_bytes(build_dir, "trig"), "trig")
    nq_bytes = export_bytes(build_dir, "nq")
    nq = dataset(nq_bytes, "nquads")
    assert named(nq) == named(trig)
    assert set(nq.default_graph) == set(trig.default_graph)
    lines = nq_bytes.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_named_graphs_fall_back_to_graph_ttl_without_store(build_dir):
    assert not (build_dir / "store").exists()
    graphs = named_graphs(build_dir)
    assert [k for k in graphs if k is not None] == [graph_iri("d1"), graph_iri("d2")]


# --------------------------------------------------------------------------
# single-graph formats


def test_ntriples_sorted_and_complete(build_dir):
    data = export_bytes(build_dir, "nt")
    lines = data.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(small_graph())
    assert isomorphic(rdflib.Graph().parse(data=data, format="nt"), small_graph())


def test_jsonld_round_trip_and_context(build_dir):
    data = export_bytes(build_dir, "jsonld")
    doc = json.loads(data)
    assert doc["@context"] == JSONLD_CONTEXT
    for prefix in ("kgo", "kgr", "prov", "dcterms", "rdfs", "skos", "geo"):
        assert prefix in doc["@context"]
    ids = {node["@id"] for node in doc["@graph"]}
    assert "kgr:entity/sdf" in ids and "kgr:document/d1" in ids
    back = rdflib.Graph().parse(data=data, format="json-ld")
    assert isomorphic(back, small_graph())


def test_graphml_entity_graph(build_dir):
    data = export_bytes(build_dir, "graphml")
    g = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    usa, sdf = str(KGR["entity/usa"]), str(KGR["entity/sdf"])
    # every typed entity, the speaker too
    assert set(g.nodes) == {str(KGR[f"entity/{n}"]) for n in ("usa", "sdf", "isis", "raqqa", "bali")}
    assert g.number_of_edges() == 3
    node = g.nodes[usa]
    assert node["label"] == "United States" and node["type"] == "State"
    assert node["types"] == "State; Place"
    assert node["aliases"] == "U.S.; US"
    assert node["lat"] == pytest.approx(39.5) and node["long"] == pytest.approx(-98.35)
    (edge,) = g.get_edge_data(usa, sdf).values()
    assert edge["relation"] == "backs" and edge["family"] == "support"
    assert edge["count"] == 2 and edge["sources"] == 2 and edge["documents"] == "d1; d2"
    assert edge["symmetric"] is False


def test_gexf_entity_graph(build_dir):
    data = export_bytes(build_dir, "gexf")
    assert b"lastmodifieddate" not in data
    import xml.etree.ElementTree as ET

    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    graph = ET.fromstring(data).find("g:graph", ns)
    assert graph.get("defaultedgetype") == "directed"
    nodes = {n.get("id"): n for n in graph.iterfind("g:nodes/g:node", ns)}
    assert len(nodes) == 5
    usa = nodes[str(KGR["entity/usa"])]
    assert usa.get("label") == "United States"
    assert usa.find("viz:color", ns).attrib == {"r": "57", "g": "73", "b": "171", "a": "1.0"}  # a State
    assert usa.find("viz:position", ns) is not None and float(usa.find("viz:size", ns).get("value")) > 0
    titles = {a.get("id"): a.get("title") for a in graph.iterfind("g:attributes[@class='edge']/g:attribute", ns)}
    kinds = {}
    for edge in graph.iterfind("g:edges/g:edge", ns):
        values = {titles[v.get("for")]: v.get("value") for v in edge.iterfind("g:attvalues/g:attvalue", ns)}
        kinds[values["relation"]] = edge.get("type", "directed")
    assert kinds == {"backs": "directed", "captured": "directed", "truce_with": "undirected"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_deterministic_bytes(build_dir, fmt):
    assert export_bytes(build_dir, fmt) == export_bytes(build_dir, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_graph_parsed_in_another_order_same_bytes(build_dir, tmp_path_factory, fmt):
    other = tmp_path_factory.mktemp("reordered")
    g = small_graph()
    g.serialize(other / "graph.ttl", format="nt", encoding="utf-8")  # same triples, other text and order
    (other / "graph.ttl").write_bytes(b"\n".join(reversed((other / "graph.ttl").read_bytes().splitlines())))
    assert export_bytes(other, fmt) == export_bytes(build_dir, fmt)


# --------------------------------------------------------------------------
# files and the command line


def test_export_writes_default_file(build_dir):
    path = export(build_dir, "nt")
    assert path == build_dir / "graph.nt"
    assert path.read_bytes() == export_bytes(build_dir, "nt")
    assert not [p for p in build_dir.iterdir() if p.name.endswith(".tmp")]


def test_export_to_folder_is_an_error(build_dir):
    with pytest.raises(KgError, match="is a folder"):
        export(build_dir, "nt", out=build_dir)


def test_unknown_format():
    with pytest.raises(KgError, match="unknown export format"):
        export_bytes(".", "rdfxml")


def test_missing_build(tmp_path):
    with pytest.raises(KgError, match="run `kg build` first"):
        export_bytes(tmp_path, "nt")


def test_cli_export_default_out(build_dir):
    result = CliRunner().invoke(cli, ["export", "--format", "trig", str(build_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {build_dir / 'graph.trig'}\n"
    assert (build_dir / "graph.trig").read_bytes() == export_bytes(build_dir, "trig")


def test_cli_export_out_file_and_stdout(build_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports") / "sub" / "g.gexf"
    result = CliRunner().invoke(cli, ["export", "-f", "gexf", "--out", str(out), str(build_dir)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == export_bytes(build_dir, "gexf")
    result = CliRunner().invoke(cli, ["export", "-f", "nt", "-o", "-", str(build_dir)])
    assert result.exit_code == 0
    assert result.stdout_bytes == export_bytes(build_dir, "nt")


def test_cli_export_errors(tmp_path):
    result = CliRunner().invoke(cli, ["export", "-f", "nt", str(tmp_path / "none")])
    assert result.exit_code == 1 and "kg: error:" in result.output
    result = CliRunner().invoke(cli, ["export", "-f", "xml", str(tmp_path)])
    assert result.exit_code == 2


# --------------------------------------------------------------------------
# the seeds (with the store kg build writes)


@pytest.mark.slow
def test_seeds_trig_named_graphs_are_the_stores(seeds_dir, by_value):
    store_mod = pytest.importorskip("kg.store")
    if not (seeds_dir / "store").is_dir():
        pytest.skip("this kg build writes no store")
    ds = dataset(export_bytes(seeds_dir, "trig"), "trig")
    graphs = named(ds)
    stored: dict[str, set] = {}
    with store_mod.Store.open(seeds_dir / "store", read_only=True, create=False) as store:
        for s, p, o, g in store.quads():
            stored.setdefault(str(g), set()).add((s, p, o))
    # rdflib's TriG writer puts "35"^^xsd:decimal as 35.0: the same value
    assert {name: by_value(triples) for name, triples in graphs.items()} == {
        name: by_value(triples) for name, triples in stored.items()}
    graph = rdflib.Graph().parse(seeds_dir / "graph.ttl")
    assert by_value(set(ds.default_graph).union(*graphs.values())) == by_value(graph)
    # Deriving the graphs from graph.ttl alone gives the same, but for the
    # alternative names (graph.ttl does not say which document used which).
    derived = split_by_document(graph)
    for name, triples in graphs.items():
        extra = by_value(derived[rdflib.URIRef(name)]) ^ by_value(triples)
        assert {p for _s, p, _o in extra} <= {SKOS.altLabel}, name
        assert by_value(triples) <= by_value(derived[rdflib.URIRef(name)])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_seeds_exports_deterministic(seeds_dir, fmt):
    assert export_bytes(seeds_dir, fmt) == export_bytes(seeds_dir, fmt)


def test_neo4j_csv_has_the_headers_neo4j_admin_import_reads(build_dir, tmp_path):
    """nodes.csv / relationships.csv: an :ID column, :LABEL, typed properties (name:type,
    arrays split on ';'), and :START_ID, :END_ID, :TYPE naming those ids."""
    from kg.export import export

    folder = export(build_dir, "neo4j", out=tmp_path / "neo")
    with open(folder / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.reader(f))
    with open(folder / "relationships.csv", newline="", encoding="utf-8") as f:
        rels = list(csv.reader(f))
    types = {"int", "long", "float", "double", "boolean", "string", "string[]", "int[]", "ID", "LABEL",
             "START_ID", "END_ID", "TYPE"}
    for header in (nodes[0], rels[0]):
        for column in header:
            name, _, kind = column.rpartition(":") if ":" in column else (column, "", "string")
            assert kind in types, column
            assert name or kind in ("LABEL", "START_ID", "END_ID", "TYPE"), column
    assert nodes[0][:3] == ["id:ID", "label", ":LABEL"]
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    ids = {row[0] for row in nodes[1:]}
    assert len(ids) == len(nodes) - 1 == 5
    usa = next(dict(zip(nodes[0], row)) for row in nodes[1:] if row[0] == str(KGR["entity/usa"]))
    assert usa[":LABEL"] == "State;Place" and usa["aliases:string[]"] == "U.S.;US"
    assert float(usa["lat:double"]) == pytest.approx(39.5)
    assert all(row[0] in ids and row[1] in ids for row in rels[1:])
    by_type = {row[2]: dict(zip(rels[0], row)) for row in rels[1:]}
    assert sorted(by_type) == ["BACKS", "CAPTURED", "TRUCE_WITH"]
    assert by_type["BACKS"]["count:int"] == "2" and by_type["BACKS"]["documents:string[]"] == "d1;d2"
    assert by_type["TRUCE_WITH"]["symmetric:boolean"] == "true"
    again = export(build_dir, "neo4j", out=tmp_path / "neo2")
    assert (again / "nodes.csv").read_bytes() == (folder / "nodes.csv").read_bytes()
    result = CliRunner().invoke(cli, ["export", "-f", "neo4j", "-o", "-", str(build_dir)])
    assert result.exit_code == 2 and "folder" in result.output
