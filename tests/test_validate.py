"""SHACL validation (ontology/shapes.ttl, kg.validate, `kg validate`).

Each shape is shown to reject a small graph that breaks only that shape,
with that shape's message; a minimal graph following the contract passes,
and so does the graph built from the seeds.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

from kg.cli import cli
from kg.errors import KgError, ValidationError
from kg.rdf import TURTLE_PREFIXES
from kg.validate import ValidationReport, Violation, require_valid, validate_graph, validate_path

#: kg's prefixes as graph.ttl declares them (rdf, rdfs, xsd, skos, prov, dcterms, geo, kgo).
TURTLE_HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in TURTLE_PREFIXES)
KGO = Namespace("https://w3id.org/kg-conflict/ontology#")
KGR = Namespace("https://w3id.org/kg-conflict/id/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
TIME = Namespace("http://www.w3.org/2006/time#")
XSD_DATE = rdflib.XSD.date
REPO = Path(__file__).resolve().parents[1]

SDF, ISIS, RAQQA = KGR["entity/sdf"], KGR["entity/isis"], KGR["entity/raqqa"]
STATEMENT, CAPTURE = KGR["statement/truce"], KGR["statement/capture"]
EVIDENCE, OCCURRENCE, DOC = KGR["evidence/e1"], KGR["occurrence/d1/0-28"], KGR["document/d1"]
AGREEMENT = KGR["agreement/d1/0"]

#: The smallest graph that follows the whole contract: two relation triples
#: (one symmetric), their statements, one evidence sentence with its
#: occurrence in one document, a place with coordinates and its GeoNames link.
MINIMAL = TURTLE_HEADER + """
@prefix kgr: <https://w3id.org/kg-conflict/id/> .

kgr:entity\\/sdf a kgo:ArmedGroup ; rdfs:label "Syrian Democratic Forces" ; skos:altLabel "SDF" ;
    kgo:truce_with kgr:entity\\/isis ; kgo:captured kgr:entity\\/raqqa .
kgr:entity\\/isis a kgo:ArmedGroup ; rdfs:label "Islamic State" ; skos:altLabel "ISIS" .
kgr:entity\\/raqqa a kgo:Place ; rdfs:label "Raqqa" ; geo:lat 35.95 ; geo:long 39.01 ;
    owl:sameAs <https://sws.geonames.org/172955/> .

kgr:statement\\/truce a rdf:Statement ;
    rdf:subject kgr:entity\\/sdf ; rdf:predicate kgo:truce_with ; rdf:object kgr:entity\\/isis ;
    prov:wasDerivedFrom kgr:evidence\\/e1 ; kgo:evidenceCount 1 ; kgo:sourceCount 1 ;
    kgo:firstEvidenceDate "2017-10-15"^^xsd:date ; kgo:lastEvidenceDate "2017-10-15"^^xsd:date .
kgr:statement\\/capture a rdf:Statement ;
    rdf:subject kgr:entity\\/sdf ; rdf:predicate kgo:captured ; rdf:object kgr:entity\\/raqqa ;
    prov:wasDerivedFrom kgr:evidence\\/e1 ; kgo:evidenceCount 1 ; kgo:sourceCount 1 .

kgr:evidence\\/e1 a kgo:Evidence ;
    kgo:text "SDF and ISIS agreed a truce." ; kgo:modality kgo:asserted ;
    dcterms:isPartOf kgr:document\\/d1 ; kgo:occurrence kgr:occurrence\\/d1\\/0-28 .
kgr:occurrence\\/d1\\/0-28 a kgo:Occurrence ;
    kgo:text "SDF and ISIS agreed a truce." ; kgo:beginOffset 0 ; kgo:endOffset 28 ;
    dcterms:isPartOf kgr:document\\/d1 ;
    kgo:eventDate "2017-10-15"^^xsd:date ; kgo:datePrecision time:unitDay ; kgo:dateSource "stated" ;
    kgo:timeExpression "Sunday" .
kgr:document\\/d1 a kgo:Document ; dcterms:identifier "d1" ; kgo:sourcePath "d1.txt" ;
    dcterms:date "2017-10-18"^^xsd:date ; kgo:dateSource "date-line" .

kgr:agreement\\/d1\\/0 a kgo:Agreement ; rdfs:label "truce: SDF – Islamic State" ;
    kgo:agreementType "truce" ; kgo:party kgr:entity\\/sdf, kgr:entity\\/isis ;
    kgo:place kgr:entity\\/raqqa ; prov:wasDerivedFrom kgr:evidence\\/e1 ;
    dcterms:date "2017-10-15"^^xsd:date ; kgo:datePrecision time:unitDay ; kgo:dateSource "stated" .
"""


def minimal() -> rdflib.Graph:
    return rdflib.Graph().parse(data=MINIMAL, format="turtle")


def _remove(*triples):
    def change(g):
        for triple in triples:
            assert triple in g, triple
            g.remove(triple)
    return change


def _add(*triples):
    def change(g):
        for triple in triples:
            g.add(triple)
    return change


def _set(subject, predicate, value):
    def change(g):
        g.set((subject, predicate, value))
    return change


#: (id, change to the minimal graph, messages expected: each violation's
#: message starts with one of them and each is seen).
BROKEN: list[tuple[str, Callable[[rdflib.Graph], None], tuple[str, ...]]] = [
    ("unsourced relation triple", _add((ISIS, KGO.captured, RAQQA)),
     ("relation triple has no rdf:Statement reifying it (no source): "
      "kgr:entity/isis kgo:captured kgr:entity/raqqa",)),
    ("statement triple not asserted", _remove((SDF, KGO.captured, RAQQA)),
     ("rdf:Statement reifies a triple the graph does not assert: "
      "kgr:entity/sdf kgo:captured kgr:entity/raqqa",)),
    ("statement without evidence", _remove((CAPTURE, PROV.wasDerivedFrom, EVIDENCE)),
     ("rdf:Statement needs at least one prov:wasDerivedFrom, each a kgo:Evidence",)),
    ("statement derived from a non-evidence", _add((CAPTURE, PROV.wasDerivedFrom, DOC)),
     ("rdf:Statement needs at least one prov:wasDerivedFrom, each a kgo:Evidence",)),
    ("untyped statement", _remove((CAPTURE, RDF.type, RDF.Statement)),
     ("a node with rdf:subject, rdf:predicate or rdf:object must be typed rdf:Statement",)),
    ("statement with two objects", _add((STATEMENT, RDF.object, SDF)),
     ("rdf:Statement needs exactly one rdf:object",
      # the second object makes a second, unasserted triple
      "rdf:Statement reifies a triple the graph does not assert: kgr:entity/sdf kgo:truce_with kgr:entity/sdf")),
    ("evidence without text", _remove((EVIDENCE, KGO.text, Literal("SDF and ISIS agreed a truce."))),
     ("kgo:Evidence needs exactly one kgo:text, a non-empty xsd:string",)),
    ("evidence with empty text", _set(EVIDENCE, KGO.text, Literal("")),
     ("kgo:Evidence needs exactly one kgo:text, a non-empty xsd:string",)),
    ("occurrence without text", _remove((OCCURRENCE, KGO.text, Literal("SDF and ISIS agreed a truce."))),
     ("kgo:Occurrence needs exactly one kgo:text, a non-empty xsd:string",)),
    ("occurrence without offsets", _remove((OCCURRENCE, KGO.beginOffset, Literal(0)),
                                           (OCCURRENCE, KGO.endOffset, Literal(28))),
     ("kgo:Occurrence needs exactly one kgo:beginOffset, an xsd:integer >= 0",
      "kgo:Occurrence needs exactly one kgo:endOffset, an xsd:integer")),
    ("occurrence offset as string", _set(OCCURRENCE, KGO.beginOffset, Literal("0")),
     ("kgo:Occurrence needs exactly one kgo:beginOffset, an xsd:integer >= 0",
      # a string does not compare with the end offset either
      "kgo:beginOffset must be less than kgo:endOffset")),
    ("occurrence with begin > end", lambda g: (g.set((OCCURRENCE, KGO.beginOffset, Literal(28))),
                                               g.set((OCCURRENCE, KGO.endOffset, Literal(0)))),
     ("kgo:beginOffset must be less than kgo:endOffset",)),
    ("occurrence text length differs from offsets", _set(OCCURRENCE, KGO.endOffset, Literal(30)),
     ("kgo:text is 28 characters long but kgo:endOffset - kgo:beginOffset is 30",)),
    ("occurrence without document", _remove((OCCURRENCE, DCTERMS.isPartOf, DOC)),
     ("kgo:Occurrence needs exactly one dcterms:isPartOf, a kgo:Document",
      "kgo:Evidence is part of kgr:document/d1 but has no kgo:occurrence there")),
    ("occurrence in two documents", _add((OCCURRENCE, DCTERMS.isPartOf, KGR["document/d2"]),
                                         (KGR["document/d2"], RDF.type, KGO.Document),
                                         (KGR["document/d2"], DCTERMS.identifier, Literal("d2"))),
     ("kgo:Occurrence needs exactly one dcterms:isPartOf, a kgo:Document",
      "kgo:Evidence has a kgo:occurrence in kgr:document/d2 but is not dcterms:isPartOf it")),
    ("evidence without document", _remove((EVIDENCE, DCTERMS.isPartOf, DOC)),
     ("kgo:Evidence needs at least one dcterms:isPartOf, each a kgo:Document",
      "kgo:Evidence has a kgo:occurrence in kgr:document/d1 but is not dcterms:isPartOf it")),
    ("evidence without occurrence", _remove((EVIDENCE, KGO.occurrence, OCCURRENCE)),
     ("kgo:Evidence needs at least one kgo:occurrence, each a kgo:Occurrence",
      "kgo:Evidence is part of kgr:document/d1 but has no kgo:occurrence there")),
    ("evidence with offsets of its own", _add((EVIDENCE, KGO.occurrence, EVIDENCE)),
     ("kgo:Evidence needs at least one kgo:occurrence, each a kgo:Occurrence",)),
    ("document without identifier", _remove((DOC, DCTERMS.identifier, Literal("d1"))),
     ("kgo:Document needs exactly one dcterms:identifier, a non-empty literal",)),
    ("entity without label", _remove((ISIS, RDFS.label, Literal("Islamic State"))),
     ("entity needs exactly one rdfs:label",)),
    ("entity with two labels", _add((ISIS, RDFS.label, Literal("ISIS"))),
     ("entity needs exactly one rdfs:label",)),
    ("relation to an untyped node", _remove((ISIS, RDF.type, KGO.ArmedGroup)),
     ("a relation triple links this node, which is not an entity",
      # ISIS is also a party to the agreement
      "kgo:Agreement needs at least one kgo:party, each an actor")),
    ("latitude 95", _set(RAQQA, GEO.lat, Literal("95", datatype=rdflib.XSD.decimal)),
     ("geo:lat must be at most one number (xsd:decimal, xsd:double or xsd:float) in [-90, 90]",)),
    ("longitude 'abc'", _set(RAQQA, GEO.long, Literal("abc")),
     ("geo:long must be at most one number (xsd:decimal, xsd:double or xsd:float) in [-180, 180]",)),
    ("two latitudes", _add((RAQQA, GEO.lat, Literal("36.0", datatype=rdflib.XSD.decimal))),
     ("geo:lat must be at most one number",)),
    ("sameAs a literal", _set(RAQQA, OWL.sameAs, Literal("https://sws.geonames.org/172955/")),
     ("owl:sameAs must be one IRI, the place's GeoNames feature",)),
    ("two GeoNames links", _add((RAQQA, OWL.sameAs, URIRef("https://sws.geonames.org/163843/"))),
     ("owl:sameAs must be one IRI, the place's GeoNames feature",)),
    ("GeoNames link from an actor", _add((ISIS, OWL.sameAs, URIRef("https://sws.geonames.org/172955/"))),
     ("only a kgo:Place has owl:sameAs",)),
    ("bad modality", _set(EVIDENCE, KGO.modality, KGO.maybe),
     ("kgo:modality must be one of kgo:asserted, kgo:reported, kgo:denied, kgo:planned, kgo:unconfirmed",)),
    ("agreement of an unknown type", _set(AGREEMENT, KGO.agreementType, Literal("pact")),
     ("kgo:Agreement needs exactly one kgo:agreementType",)),
    ("agreement without evidence", _remove((AGREEMENT, PROV.wasDerivedFrom, EVIDENCE)),
     ("kgo:Agreement needs at least one prov:wasDerivedFrom, each a kgo:Evidence",)),
    ("agreement with a place as party", _add((AGREEMENT, KGO.party, RAQQA)),
     ("kgo:Agreement needs at least one kgo:party, each an actor",)),
    ("agreement in an actor", _set(AGREEMENT, KGO.place, ISIS),
     ("kgo:place of an agreement must be a kgo:Place",)),
    ("evidenceCount not an integer", _set(STATEMENT, KGO.evidenceCount, Literal("1")),
     ("kgo:evidenceCount must be one positive xsd:integer",)),
    # time: the date a sentence speaks of where it stands (its occurrence)
    ("occurrence with two dates", _add((OCCURRENCE, KGO.eventDate, Literal("2017-10-16", datatype=XSD_DATE))),
     ("kgo:Occurrence has at most one kgo:eventDate, an xsd:date",)),
    ("occurrence date as a string", _set(OCCURRENCE, KGO.eventDate, Literal("2017-10-15")),
     ("kgo:Occurrence has at most one kgo:eventDate, an xsd:date",)),
    ("unknown precision", _set(OCCURRENCE, KGO.datePrecision, TIME.unitHour),
     ("kgo:datePrecision is one of time:unitDay, time:unitWeek, time:unitMonth, time:unitYear",)),
    ("date without precision", _remove((OCCURRENCE, KGO.datePrecision, TIME.unitDay)),
     ("kgo:eventDate needs a kgo:datePrecision",)),
    ("precision without date", _remove((OCCURRENCE, KGO.eventDate, Literal("2017-10-15", datatype=XSD_DATE))),
     ("kgo:datePrecision without a date",)),
    ("unresolved with a date", _set(OCCURRENCE, KGO.dateSource, Literal("unresolved")),
     ('a kgo:eventDate is "stated" or "inherited"',)),
    ("occurrence date from the clock", _set(OCCURRENCE, KGO.dateSource, Literal("clock")),
     ("an occurrence's kgo:dateSource is", 'a kgo:eventDate is "stated" or "inherited"')),
    ("document date source unknown", _set(DOC, KGO.dateSource, Literal("clock")),
     ("a document's kgo:dateSource is one of",)),
    ("document with two dates", _add((DOC, DCTERMS.date, Literal("2017-10-19", datatype=XSD_DATE))),
     ("kgo:Document has at most one dcterms:date, an xsd:date",)),
    ("agreement with two dates", _add((AGREEMENT, DCTERMS.date, Literal("2017-10-19", datatype=XSD_DATE))),
     ("kgo:Agreement has at most one dcterms:date, an xsd:date",)),
    ("agreement date unresolved", _set(AGREEMENT, KGO.dateSource, Literal("unresolved")),
     ("an agreement's kgo:dateSource is",)),
    ("first evidence date after the last", _set(STATEMENT, KGO.firstEvidenceDate,
                                                Literal("2017-10-20", datatype=XSD_DATE)),
     ("kgo:firstEvidenceDate must not be after kgo:lastEvidenceDate",)),
    ("first evidence date without a last", _remove((STATEMENT, KGO.lastEvidenceDate,
                                                    Literal("2017-10-15", datatype=XSD_DATE))),
     ("a statement with evidence dates has exactly one kgo:lastEvidenceDate",)),
]


def test_minimal_graph_conforms():
    report = validate_graph(minimal())
    assert report.conforms, report.text
    assert report.violations == ()
    assert report.lines() == ["conforms"]


def test_one_sentence_in_two_documents_is_one_evidence_with_two_sources():
    """A syndicated copy: the evidence is part of both documents, with an occurrence in each,
    so there may be more sources than evidence sentences."""
    g = minimal()
    d2, there = KGR["document/d2"], KGR["occurrence/d2/5-33"]
    for triple in ((d2, RDF.type, KGO.Document), (d2, DCTERMS.identifier, Literal("d2")),
                   (EVIDENCE, DCTERMS.isPartOf, d2), (EVIDENCE, KGO.occurrence, there),
                   (there, RDF.type, KGO.Occurrence), (there, KGO.text, Literal("SDF and ISIS agreed a truce.")),
                   (there, KGO.beginOffset, Literal(5)), (there, KGO.endOffset, Literal(33)),
                   (there, DCTERMS.isPartOf, d2)):
        g.add(triple)
    g.set((STATEMENT, KGO.sourceCount, Literal(2)))
    report = validate_graph(g)
    assert report.conforms, report.text


def test_symmetric_relation_may_be_asserted_either_way():
    g = minimal()
    g.remove((SDF, KGO.truce_with, ISIS))
    g.add((ISIS, KGO.truce_with, SDF))
    assert validate_graph(g).conforms


def test_the_graph_is_not_modified():
    g = minimal()
    before = set(g)
    validate_graph(g)
    assert set(g) == before


@pytest.mark.parametrize("change, expected", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_each_shape_rejects_what_it_forbids(change, expected):
    g = minimal()
    change(g)
    report = validate_graph(g)
    assert not report.conforms
    assert report.violations, report.text
    for violation in report.violations:
        assert isinstance(violation, Violation)
        assert any(violation.message.startswith(e) for e in expected), (violation, expected)
    for e in expected:
        assert any(v.message.startswith(e) for v in report.violations), (e, report.violations)


def test_violations_name_focus_node_and_path():
    g = minimal()
    g.add((ISIS, RDFS.label, Literal("ISIS")))
    (violation,) = validate_graph(g).violations
    assert violation.focus == "kgr:entity/isis"
    assert violation.path == "rdfs:label"
    assert str(violation).startswith("kgr:entity/isis rdfs:label: entity needs exactly one rdfs:label")


def test_violations_are_sorted_and_distinct():
    g = minimal()
    g.remove((ISIS, RDFS.label, Literal("Islamic State")))
    g.remove((EVIDENCE, KGO.text, Literal("SDF and ISIS agreed a truce.")))
    g.set((RAQQA, GEO.long, Literal("abc")))  # breaks two constraints, one message
    report = validate_graph(g)
    assert list(report.violations) == sorted(set(report.violations))
    assert len(report.violations) == 3


def test_dataset_is_validated_as_union():
    ds = rdflib.Dataset()
    data = minimal()
    first = ds.graph(KGR["graph/a"])
    second = ds.graph(KGR["graph/b"])
    for i, triple in enumerate(sorted(data)):
        (first if i % 2 else second).add(triple)
    assert validate_graph(ds).conforms


def test_require_valid_raises_validation_error():
    g = minimal()
    for label in ("A", "B", "C", "D"):
        g.add((ISIS, RDFS.label, Literal(label)))
        g.add((SDF, RDFS.label, Literal(label)))
    g.add((RAQQA, RDFS.label, Literal("Ar-Raqqah")))
    g.add((EVIDENCE, KGO.modality, KGO.maybe))
    with pytest.raises(ValidationError) as info:
        require_valid(g, limit=2)
    assert isinstance(info.value, KgError)
    message = str(info.value)
    assert "4 violations" in message and "and 2 more" in message
    assert "\n" not in message
    assert isinstance(info.value.report, ValidationReport)
    assert require_valid(minimal()).conforms


def test_validate_path_reads_dir_or_file(tmp_path):
    (tmp_path / "graph.ttl").write_text(MINIMAL, encoding="utf-8")
    assert validate_path(tmp_path).conforms
    assert validate_path(tmp_path / "graph.ttl").conforms
    with pytest.raises(KgError, match="run `kg build` first"):
        validate_path(tmp_path / "missing")
    (tmp_path / "bad.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(KgError, match="not valid Turtle"):
        validate_path(tmp_path / "bad.ttl")


def test_unknown_shapes_file():
    with pytest.raises(KgError, match="no-such.ttl"):
        validate_graph(minimal(), shapes="no-such.ttl")


def test_shapes_from_a_path(tmp_path, monkeypatch):
    own = tmp_path / "mine.ttl"
    own.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<urn:s> a sh:NodeShape ; sh:targetClass kgo:ArmedGroup ;
    sh:property [ sh:path skos:altLabel ; sh:maxCount 0 ; sh:message "no aliases here" ] .
""", encoding="utf-8")
    report = validate_graph(minimal(), shapes=own)
    assert {v.message for v in report.violations} == {"no aliases here"}
    monkeypatch.chdir(tmp_path)
    assert validate_graph(minimal(), shapes="mine.ttl").violations == report.violations
    (tmp_path / "shapes.ttl").write_text("not turtle", encoding="utf-8")
    assert validate_graph(minimal(), shapes="shapes.ttl").conforms  # kg's own, not ./shapes.ttl
    result = CliRunner().invoke(cli, ["validate", "--shapes", str(own), str(tmp_path / "g.ttl")])
    assert result.exit_code == 1 and "no such file" in result.output


# --------------------------------------------------------------------------
# kg validate


def test_cli_validate_conforms(tmp_path):
    (tmp_path / "graph.ttl").write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == "conforms\n"


def test_cli_validate_one_line_per_violation(tmp_path):
    g = minimal()
    g.add((ISIS, RDFS.label, Literal("ISIS")))
    g.add((ISIS, KGO.captured, RAQQA))
    g.set((EVIDENCE, KGO.modality, KGO.maybe))
    g.serialize(tmp_path / "graph.ttl", format="turtle")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3, result.output
    assert lines == sorted(lines)
    assert any(line.startswith("kgr:entity/isis rdfs:label: entity needs") for line in lines)
    assert any("kgo:modality must be one of" in line for line in lines)
    assert any("no rdf:Statement reifying it" in line for line in lines)


def test_cli_validate_missing_graph(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "kg: error:" in result.output and "no such file" in result.output


# --------------------------------------------------------------------------
# the seeds


@pytest.mark.slow
def test_seeds_graph_conforms(seeds_dir):
    graph = rdflib.Graph().parse(seeds_dir / "graph.ttl", format="turtle")
    report = validate_graph(graph)
    assert report.conforms, "\n".join(report.lines())


@pytest.mark.slow
def test_cli_validate_seeds(seeds_dir):
    result = CliRunner().invoke(cli, ["validate", str(seeds_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == "conforms\n"


def test_a_claim_every_source_denies_is_reified_but_not_asserted():
    g = minimal()
    g.remove((SDF, KGO.captured, RAQQA))
    g.set((EVIDENCE, KGO.modality, KGO.denied))
    # the truce statement shares the evidence: assert nothing else is broken
    report = validate_graph(g)
    assert report.conforms, report.text
    g.set((EVIDENCE, KGO.modality, KGO.asserted))
    assert not validate_graph(g).conforms
