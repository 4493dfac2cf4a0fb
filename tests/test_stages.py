"""One unit test per pipeline stage on small texts: nlp, linking, relations, rdf."""
from __future__ import annotations

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import PROV

from kg.errors import ModelError
from kg.linking import link
from kg.nlp import load_pipeline, resolve_model_name
from kg.derived import add_derived
from kg.rdf import GraphBuilder, clean_literal, turtle_bytes
from kg.records import Claim, Document, Entity, Span
from kg.extract import extract_claims, load_triggers
from kg.resources import load_data
from kg.vocab import KGO, entity_iri


def _linked(nlp, gaz, text):
    return link(nlp(text), gaz, load_data("lexicon"))


def _claims(nlp, gaz, text):
    doc = Document(id="t", path="t.txt", text=text, body=text)
    return {(c.subject, c.relation, c.object) for c in
            extract_claims(_linked(nlp, gaz, text), doc, triggers=load_triggers())}


def test_model_name_resolution(monkeypatch):
    monkeypatch.setenv("KG_SPACY_MODEL", "some_model")
    assert resolve_model_name() == "some_model"
    assert resolve_model_name("explicit") == "explicit"


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ModelError, match="no_such_pipeline"):
        load_pipeline("no_such_pipeline")


@pytest.mark.slow
def test_pipeline_reads_IS_as_a_name_and_breaks_at_newlines(nlp):
    doc = nlp("Last year, IS fighters left Raqqa\nThe SDF took Tabqa.")
    assert doc[3].text == "IS" and doc[3].pos_ in ("PROPN", "NOUN")
    assert [s.text.strip() for s in doc.sents][1] == "The SDF took Tabqa."
    assert [t.text for t in nlp("U.S.-backed forces")][:3] == ["U.S.", "-", "backed"]


@pytest.mark.slow
def test_linking_canonicalises_aliases_demonyms_and_metonyms(nlp, gaz):
    linked = _linked(nlp, gaz, "Daesh and the Islamic State group fought ISIL. Turkish jets struck Afrin. "
                               "The regime said Damascus was calm. Syria denied it.")
    by_text = {m.text: m.entity for m in linked.mentions}
    assert by_text["Daesh"] == by_text["Islamic State group"] == by_text["ISIL"] == "isis"
    assert by_text["Turkish jets"] == "turkey"
    assert by_text["regime"] == "syrian_gov"
    assert linked.country == "syria"


@pytest.mark.slow
def test_linking_mints_nodes_for_unknown_names(nlp, gaz):
    linked = _linked(nlp, gaz, "Commander Jamal Haddad of the Northern Falcons Brigade met reporters in Hama.")
    assert any(e.label == "Jamal Haddad" and e.types == ("Person",) for e in linked.entities.values())


@pytest.mark.slow
def test_relations_from_verbs_nouns_and_modifiers(nlp, gaz):
    claims = _claims(nlp, gaz, "The U.S.-backed SDF reached a ceasefire with Islamic State in Deir Ezzor. "
                               "Government forces recaptured Palmyra.")
    assert ("usa", "backs", "sdf") in claims
    assert ("sdf", "truce_with", "isis") in claims
    assert ("syrian_gov", "captured", "palmyra") in claims


@pytest.mark.slow
def test_negated_claims_are_not_asserted(nlp, gaz):
    claims = _claims(nlp, gaz, "Hezbollah did not attack the Nusra Front.")
    assert not any(rel == "attacked" for _, rel, _ in claims)


def test_rdf_reifies_and_counts_evidence():
    text = "SDF fought ISIS. SDF fought ISIS again."
    doc = Document(id="d", path="d.txt", text=text, body=text)
    ents = {"sdf": Entity("sdf", "SDF", ("ArmedGroup",)), "isis": Entity("isis", "Islamic State", ("ArmedGroup",))}
    claims = [Claim("sdf", "fought", "isis", doc="d", sentence=Span(0, 16), text=text[0:16]),
              Claim("isis", "fought", "sdf", doc="d", sentence=Span(17, 39), text=text[17:39])]
    builder = GraphBuilder()
    builder.add_document(doc)
    builder.add_claims(claims, ents, {})
    graph = add_derived(builder.graph)
    statements = list(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) == 1  # symmetric: one statement, both directions merged
    assert len(list(graph.objects(statements[0], PROV.wasDerivedFrom))) == 2
    assert int(graph.value(statements[0], KGO.evidenceCount)) == 2
    assert int(graph.value(statements[0], KGO.sourceCount)) == 1
    assert (entity_iri("isis"), KGO.fought, entity_iri("sdf")) in graph
    reparsed = Graph().parse(data=turtle_bytes(graph), format="turtle")
    assert len(reparsed) == len(graph)


def test_clean_literal_drops_what_turtle_cannot_carry():
    assert clean_literal("a\x01b\udc80") == "a b "


@pytest.mark.slow
def test_extraction_returns_the_entities_it_introduces_and_leaves_the_linkers_record(nlp, gaz):
    """'Iran-backed' introduces Iran (with the name seen) and "Assad's backers" the Syrian government:
    both come back in the Reading, and the LinkedDoc the linker made is as it was."""
    import copy

    from kg.extract import read_article

    text = "Iran-backed militias attacked the SDF near Raqqa. Assad's backers struck rebels in Idlib."
    linked = _linked(nlp, gaz, text)
    before = (copy.deepcopy(linked.entities), copy.deepcopy(linked.surface), dict(linked.token_entity),
              list(linked.mentions), dict(linked._cache).keys())
    reading = read_article(linked, Document(id="t", path="t.txt", text=text, body=text), triggers=load_triggers())
    assert (linked.entities, linked.surface, linked.token_entity, linked.mentions) == before[:4]
    assert linked._cache.keys() == before[4]
    introduced = set(reading.entities) - set(linked.entities)
    assert "iran" in introduced and "iran" not in linked.surface and "Iran" in reading.names["iran"]
    assert {c.subject for c in reading.claims} & introduced
    assert all(reading.entities[e] == linked.entities[e] for e in linked.entities)


def test_chunking_reports_splits_through_its_caller():
    from kg.chunking import split_documents, split_warning

    long = Document(id="long", path="long.txt", text="A b c. " * 40, body="A b c. " * 40)
    short = Document(id="short", path="short.txt", text="A b.", body="A b.")
    seen = []
    parts = list(split_documents([short, long], 100, lambda document, pieces: seen.append((document, pieces))))
    assert [d.id for d, _ in seen] == ["long"] and len(seen[0][1]) == len(parts) - 1 > 1
    assert split_warning(long, seen[0][1], 100).startswith("long.txt: 280 characters, parsed in")
