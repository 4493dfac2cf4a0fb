"""The OWL ontology (ontology/kg.ttl) is valid Turtle and matches relations.json.

Fast: parses one small file with rdflib and pyoxigraph, no spaCy.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

ROOT = Path(__file__).parents[1]
TTL = ROOT / "ontology" / "kg.ttl"
RELATIONS_JSON = ROOT / "ontology" / "relations.json"

KGO = Namespace("https://w3id.org/kg-conflict/ontology#")
ONTOLOGY = URIRef("https://w3id.org/kg-conflict/ontology")

ENTITY_CLASSES = ("State", "ArmedGroup", "Organization", "Coalition", "Person", "Place")
OTHER_CLASSES = ("Actor", "Entity", "Document", "Evidence", "Event", "Agreement", "Modality")
MODALITIES = ("asserted", "reported", "denied", "planned", "unconfirmed")
#: relations.json's class names -> ontology classes
CLASS_OF = {"Actor": KGO.Actor, "Place": KGO.Place, "Entity": KGO.Entity}
#: PLOVER event types (manual draft 0.8 and its CAMEO conversion table)
PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
    "DEMAND", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE",
    "SANCTION", "COERCE", "ASSAULT",
}


@cache
def graph() -> Graph:
    return Graph().parse(TTL, format="turtle")


@cache
def relations() -> dict[str, dict]:
    return json.loads(RELATIONS_JSON.read_text(encoding="utf-8"))["relations"]


def the(subject, predicate):
    """The single object of (subject, predicate); fails on none or several."""
    values = sorted(graph().objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: expected one value, got {values}"
    return values[0]


def english(subject, predicate) -> str:
    value = the(subject, predicate)
    assert isinstance(value, Literal) and value.language == "en", (
        f"{subject} {predicate}: expected an @en literal, got {value!r}"
    )
    return str(value)


# --- syntax -------------------------------------------------------------------


def test_rdflib_and_pyoxigraph_read_the_same_triples():
    quads = list(pyoxigraph.parse(path=str(TTL), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(set(quads)), "the file states some triple twice"
    assert len(quads) == len(graph()) > 0


# --- header -------------------------------------------------------------------


def test_exactly_one_ontology_with_version():
    ontologies = list(graph().subjects(RDF.type, OWL.Ontology))
    assert ontologies == [ONTOLOGY]
    version = the(ONTOLOGY, OWL.versionInfo)
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(version))
    assert str(the(ONTOLOGY, OWL.versionIRI)).endswith("/" + str(version))
    assert english(ONTOLOGY, RDFS.label)
    assert not list(graph().objects(ONTOLOGY, OWL.imports))


# --- classes ------------------------------------------------------------------


@pytest.mark.parametrize("name", ENTITY_CLASSES + OTHER_CLASSES)
def test_class_is_declared_and_labelled(name):
    cls = KGO[name]
    assert (cls, RDF.type, OWL.Class) in graph()
    assert english(cls, RDFS.label)
    assert english(cls, SKOS.definition)


@pytest.mark.parametrize("name", ("State", "ArmedGroup", "Organization", "Coalition", "Person"))
def test_actor_classes_are_actors(name):
    assert (KGO[name], RDFS.subClassOf, KGO.Actor) in graph()


def test_entity_is_the_union_of_actor_and_place():
    union = the(the(KGO.Entity, OWL.equivalentClass), OWL.unionOf)
    assert set(Collection(graph(), union)) == {KGO.Actor, KGO.Place}
    assert (KGO.Actor, RDFS.subClassOf, KGO.Entity) in graph()
    assert (KGO.Place, RDFS.subClassOf, KGO.Entity) in graph()


def test_agreement_is_an_event():
    assert (KGO.Agreement, RDFS.subClassOf, KGO.Event) in graph()


@pytest.mark.parametrize("name", MODALITIES)
def test_modality_individual(name):
    individual = KGO[name]
    assert (individual, RDF.type, KGO.Modality) in graph()
    assert (individual, RDF.type, OWL.NamedIndividual) in graph()
    assert english(individual, RDFS.label) == name
    assert english(individual, SKOS.definition)


def test_modality_is_exactly_the_five_individuals():
    one_of = the(the(KGO.Modality, OWL.equivalentClass), OWL.oneOf)
    assert set(Collection(graph(), one_of)) == {KGO[m] for m in MODALITIES}
    assert set(graph().subjects(RDF.type, KGO.Modality)) == {KGO[m] for m in MODALITIES}


# --- relations ----------------------------------------------------------------


def test_superproperty():
    assert (KGO.relation, RDF.type, OWL.ObjectProperty) in graph()
    assert english(KGO.relation, RDFS.label) == "related to"


@pytest.mark.parametrize("name", sorted(relations()))
def test_relation_matches_relations_json(name):
    spec = relations()[name]
    prop = KGO[name]
    g = graph()
    assert (prop, RDF.type, OWL.ObjectProperty) in g
    assert (prop, RDFS.subPropertyOf, KGO.relation) in g
    assert english(prop, RDFS.label) == spec["label"]
    assert english(prop, SKOS.definition) == spec["definition"]
    assert the(prop, RDFS.domain) == CLASS_OF[spec["domain"]]
    assert the(prop, RDFS.range) == CLASS_OF[spec["range"]]
    assert ((prop, RDF.type, OWL.SymmetricProperty) in g) == spec["symmetric"]
    assert str(the(prop, KGO.family)) == spec["family"]


@pytest.mark.parametrize("name", sorted(relations()))
def test_relation_alignment_codes_are_well_formed(name):
    prop = KGO[name]
    for code in graph().objects(prop, KGO.cameoCode):
        assert re.fullmatch(r"(0[1-9]|1\d|20)\d{0,2}", str(code)), code
    for category in graph().objects(prop, KGO.ploverCategory):
        assert str(category) in PLOVER_TYPES, category


def test_no_relation_outside_relations_json():
    declared = {
        str(p).removeprefix(str(KGO))
        for p in graph().subjects(RDFS.subPropertyOf, KGO.relation)
    }
    assert declared == set(relations())
    families = {str(f) for f in graph().objects(None, KGO.family)}
    known = set(json.loads(RELATIONS_JSON.read_text(encoding="utf-8"))["families"])
    assert families <= known


# --- evidence, provenance and agreement properties ----------------------------


@pytest.mark.parametrize(
    "name, kind, domain, range_",
    [
        ("text", OWL.DatatypeProperty, PROV.Entity, None),
        ("beginOffset", OWL.DatatypeProperty, KGO.Occurrence, None),
        ("endOffset", OWL.DatatypeProperty, KGO.Occurrence, None),
        ("occurrence", OWL.ObjectProperty, KGO.Evidence, KGO.Occurrence),
        ("sourcePath", OWL.DatatypeProperty, KGO.Document, None),
        ("contentHash", OWL.DatatypeProperty, KGO.Document, None),
        ("evidenceCount", OWL.DatatypeProperty, RDF.Statement, None),
        ("sourceCount", OWL.DatatypeProperty, RDF.Statement, None),
        ("extractedBy", OWL.DatatypeProperty, KGO.Evidence, None),
        ("attributedTo", OWL.ObjectProperty, KGO.Evidence, KGO.Actor),
        ("modality", OWL.ObjectProperty, KGO.Evidence, KGO.Modality),
        ("party", OWL.ObjectProperty, KGO.Agreement, KGO.Actor),
        ("broker", OWL.ObjectProperty, KGO.Agreement, KGO.Actor),
        ("place", OWL.ObjectProperty, KGO.Agreement, KGO.Place),
        ("agreementType", OWL.DatatypeProperty, KGO.Agreement, None),
        ("eventDate", OWL.DatatypeProperty, KGO.Occurrence, None),
        ("timeExpression", OWL.DatatypeProperty, KGO.Occurrence, None),
        ("firstEvidenceDate", OWL.DatatypeProperty, RDF.Statement, None),
        ("lastEvidenceDate", OWL.DatatypeProperty, RDF.Statement, None),
    ],
)
def test_evidence_and_event_property(name, kind, domain, range_):
    prop = KGO[name]
    assert (prop, RDF.type, kind) in graph()
    assert english(prop, RDFS.label)
    assert english(prop, RDFS.comment)
    assert the(prop, RDFS.domain) == domain
    if range_ is not None:
        assert the(prop, RDFS.range) == range_
    else:
        assert str(the(prop, RDFS.range)).startswith("http://www.w3.org/2001/XMLSchema#")
    assert (prop, RDFS.subPropertyOf, KGO.relation) not in graph()


def test_every_kgo_term_is_labelled():
    """Every term the file defines (anything typed in the kgo namespace) has a label."""
    terms = {s for s in graph().subjects(RDF.type, None) if str(s).startswith(str(KGO))}
    assert terms
    unlabelled = sorted(t for t in terms if not list(graph().objects(t, RDFS.label)))
    assert not unlabelled
