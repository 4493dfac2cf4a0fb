"""Checks of the entity dictionaries ``ontology/actors.json`` and ``ontology/places.json``.

Plain JSON checks (no spaCy): schema, unique ids and aliases, references between
entries, coordinates, the fixed ids the gold data uses, and coverage of every
gold alias of ``tests/data/seeds_gold.json`` (a copy of ``../shared/eval/seeds_gold.json``).
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

ONTOLOGY = Path(__file__).parents[1] / "ontology"
GOLD_COPY = Path(__file__).parent / "data" / "seeds_gold.json"
SHARED_GOLD = Path(__file__).parents[2] / "shared" / "eval" / "seeds_gold.json"

TYPES = {"State", "ArmedGroup", "Organization", "Coalition", "Person", "Place"}
KINDS = {"country", "province", "region", "city", "town", "village", "neighbourhood", "camp", "border", "river",
         "dam", "airbase", "oilfield", "crossing", "site"}
TAGS = {"jihadist", "kurdish", "rebel", "pro_government", "media", "monitor", "government", "state_forces", "militia"}
RELATIONS = {"leads", "member_of"}
KEYS = {"id", "label", "types", "aliases", "tags", "demonyms", "metonyms", "context", "affiliation", "capital_of",
        "kind", "country", "lat", "long", "geonames", "government", "armed_wing", "seat_of"}
ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

FIXED_IDS = """isis sdf usa coalition france syrian_gov iraq russia iran turkey israel jordan lebanon hezbollah knc un
raqqa_council sohr syrian_opposition abadi assad bali alloush dillon mattis rahman khalaf hajji mistura mahmud syria
deir_ezzor hasaka raqqa mayadin markada hajeen albu_hasan shafah sousa baghouz tel_jayyer abu_hamdha deshaisha
albu_kamal damascus yarmuk tadamun hajar_aswad leb_syr_border""".split()

# Gold aliases that must NOT be dictionary aliases: generic words resolved by
# coreference or metonymy rules, demonyms, capitals (linked through capital_of)
# and cardinal-direction variants (the linker strips the adjective).
GENERIC_GOLD_ALIASES = {
    "jihadists", "coalition", "government", "regime", "monitor", "observatory", "opposition",
    "french", "russian", "iraqi", "iranian", "turkish",
    "washington", "moscow", "baghdad", "tehran", "ankara",
    "northeastern syria", "eastern syria", "northern syria", "southern damascus",
}
# Bare words that no entity may list as a plain alias.
FORBIDDEN_ALIASES = GENERIC_GOLD_ALIASES - {"washington", "moscow", "baghdad", "tehran", "ankara",
                                            "northeastern syria", "eastern syria", "northern syria",
                                            "southern damascus"} | {"syrian", "kurdish", "rebels", "army", "forces"}
CARDINALS = ("north", "south", "east", "west", "northern", "southern", "eastern", "western", "northeastern",
             "northwestern", "southeastern", "southwestern", "north-eastern", "north-western", "south-eastern",
             "south-western", "central")


def norm(text: str) -> str:
    """Case-, accent-, quote-, dash- and space-insensitive key, without a leading 'the'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text[4:] if text.startswith("the ") else text


def load(name: str) -> dict:
    return json.loads((ONTOLOGY / f"{name}.json").read_text(encoding="utf-8"))


ACTORS = load("actors")
PLACES = load("places")
ENTRIES = [("actors", e) for e in ACTORS["entities"]] + [("places", e) for e in PLACES["entities"]]
BY_ID = {e["id"]: e for _, e in ENTRIES}


def names(entry: dict) -> list[str]:
    return [entry["label"], *entry["aliases"]]


def test_top_level():
    for data in (ACTORS, PLACES):
        assert isinstance(data["about"], str) and data["about"]
        assert isinstance(data["entities"], list) and data["entities"]
    assert set(ACTORS) == {"about", "norm_exceptions", "entities"}
    assert set(PLACES) == {"about", "entities"}
    assert ACTORS["norm_exceptions"].get("IS") == "isis"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in ACTORS["norm_exceptions"].items())


@pytest.mark.parametrize("source,entry", ENTRIES, ids=[e["id"] for _, e in ENTRIES])
def test_entry_schema(source, entry):
    assert set(entry) <= KEYS, set(entry) - KEYS
    assert ID.match(entry["id"]), entry["id"]
    assert isinstance(entry["label"], str) and entry["label"].strip() == entry["label"] != ""
    assert entry["types"] and set(entry["types"]) <= TYPES and len(set(entry["types"])) == len(entry["types"])
    assert isinstance(entry["aliases"], list)
    for alias in entry["aliases"]:
        assert isinstance(alias, str) and alias.strip() == alias != "", alias
        assert "  " not in alias, alias
    for key in ("tags", "demonyms", "metonyms"):
        value = entry.get(key, [])
        assert isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    assert set(entry.get("tags", ())) <= TAGS
    if entry.get("metonyms"):
        contexts = entry.get("context")
        contexts = [contexts] if isinstance(contexts, str) else contexts
        assert contexts and all(c in BY_ID and "Place" in BY_ID[c]["types"] for c in contexts), contexts
    else:
        assert entry.get("context") is None
    affiliation = entry.get("affiliation")
    if affiliation is not None:
        assert entry["types"] == ["Person"]
        assert set(affiliation) == {"relation", "object"} and affiliation["relation"] in RELATIONS
        assert affiliation["object"] in BY_ID and affiliation["object"] != entry["id"]
        assert "Person" not in BY_ID[affiliation["object"]]["types"]
    if source == "places":
        assert "Place" in entry["types"]
        assert entry.get("kind") in KINDS
        assert (entry["kind"] == "country") == ("State" in entry["types"]), entry["id"]
        if entry.get("capital_of") is not None:
            target = BY_ID.get(entry["capital_of"])
            assert target is not None and {"State", "Organization"} & set(target["types"]), entry["capital_of"]
        if entry.get("seat_of") is not None:  # a province's capital city lies in a province
            target = BY_ID.get(entry["seat_of"])
            assert target is not None and target.get("kind") == "province", entry["seat_of"]
            assert entry["kind"] in ("city", "town"), entry["id"]
        if entry.get("country") is not None:
            # A place's country, when given, names a State entity (a country place); countries have none.
            assert "State" not in entry["types"], f"{entry['id']}: a country has no country"
            target = BY_ID.get(entry["country"])
            assert target is not None and "State" in target["types"] and "Place" in target["types"], entry["country"]
        assert ("lat" in entry) == ("long" in entry)
        if "lat" in entry:
            assert isinstance(entry["lat"], (int, float)) and not isinstance(entry["lat"], bool)
            assert isinstance(entry["long"], (int, float)) and not isinstance(entry["long"], bool)
            assert -90 <= entry["lat"] <= 90 and -180 <= entry["long"] <= 180
    else:
        assert "Place" not in entry["types"]
        for key in ("kind", "country", "lat", "long", "capital_of", "seat_of"):
            assert key not in entry, f"{entry['id']}: {key} is for places"
    if "Person" in entry["types"]:
        assert entry["types"] == ["Person"]


def test_ids_unique_across_files():
    ids = [e["id"] for _, e in ENTRIES]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates


def test_fixed_ids_exist():
    assert not [i for i in FIXED_IDS if i not in BY_ID]


def test_fixed_entity_shapes():
    assert BY_ID["syrian_gov"]["types"] == ["State"]
    for state in ("syria", "iraq", "usa", "france", "russia", "iran", "turkey", "israel", "jordan", "lebanon"):
        assert BY_ID[state]["types"] == ["State", "Place"], state
    assert BY_ID["damascus"]["capital_of"] == "syrian_gov"
    assert {p["capital_of"]: p["id"] for _, p in ENTRIES if p.get("capital_of")}.keys() >= {
        "usa", "russia", "iraq", "turkey", "iran", "syrian_gov"}
    assert "Syrian" not in BY_ID["syria"].get("demonyms", [])
    assert BY_ID["leb_syr_border"]["kind"] == "border"
    assert BY_ID["assad"]["affiliation"] == {"relation": "leads", "object": "syrian_gov"}
    assert BY_ID["bali"]["affiliation"] == {"relation": "member_of", "object": "sdf"}


def test_no_alias_shared_by_two_entities():
    owner: dict[str, str] = {}
    clashes = []
    for _, entry in ENTRIES:
        for name in {norm(n) for n in names(entry)}:
            if name in owner and owner[name] != entry["id"]:
                clashes.append((name, owner[name], entry["id"]))
            owner.setdefault(name, entry["id"])
    assert not clashes


def test_demonyms_and_metonyms_do_not_clash_with_aliases():
    aliases = {norm(n) for _, e in ENTRIES for n in names(e)}
    demonyms = [norm(d) for _, e in ENTRIES for d in e.get("demonyms", ())]
    assert len(demonyms) == len(set(demonyms))
    assert not set(demonyms) & aliases
    pairs = [(norm(m), c) for _, e in ENTRIES for m in e.get("metonyms", ())
             for c in ([e["context"]] if isinstance(e["context"], str) else e["context"])]
    assert len(pairs) == len(set(pairs)), "a metonym appears twice for the same context"
    assert not {m for m, _ in pairs} & aliases


def test_no_generic_word_is_an_alias():
    aliases = {norm(n) for _, e in ENTRIES for n in names(e)}
    assert not FORBIDDEN_ALIASES & aliases


def _covered(entity_id: str, alias: str) -> bool:
    entry = BY_ID[entity_id]
    key = norm(alias)
    if key in {norm(n) for n in names(entry)}:
        return True
    if key in {norm(m) for m in entry.get("metonyms", ())}:
        return True
    if key in {norm(d) for d in entry.get("demonyms", ())}:
        return True
    capitals = [e for _, e in ENTRIES if e.get("capital_of") == entity_id]
    if any(key in {norm(n) for n in names(c)} for c in capitals):
        return True
    first, _, rest = key.partition(" ")
    return first in CARDINALS and norm(rest) in {norm(n) for n in names(entry)}


def test_gold_aliases_covered():
    if not GOLD_COPY.is_file():
        pytest.skip("tests/data/seeds_gold.json is absent")
    gold = json.loads(GOLD_COPY.read_text(encoding="utf-8"))
    missing = []
    for entity_id, spec in gold["entities"].items():
        assert entity_id in BY_ID, entity_id
        gold_type = spec["type"]
        assert gold_type in BY_ID[entity_id]["types"], (entity_id, gold_type)
        for alias in spec["aliases"]:
            if norm(alias) in GENERIC_GOLD_ALIASES:
                continue
            entry = BY_ID[entity_id]
            # Context-dependent phrases ('government troops') may be metonyms instead of aliases.
            known = {norm(n) for n in names(entry)} | {norm(m) for m in entry.get("metonyms", ())}
            if norm(alias) not in known and not _misspelling_of(alias, entity_id):
                missing.append((entity_id, alias))
    assert not missing, f"gold aliases missing from the dictionaries: {missing}"


def _misspelling_of(alias: str, entity_id: str) -> bool:
    """Does the linker read the alias as a typing slip of one of the entity's names ('Deash')?"""
    from kg.gazetteer import load_gazetteer
    from kg.linking.names import _misspelling_index, _one_edit

    gaz = load_gazetteer()
    lower = alias.lower()
    return _misspelling_index(gaz.aliases).get(lower) == entity_id or any(
        gaz.aliases.get(shorter) == entity_id for shorter in _one_edit(lower))


def test_generic_gold_aliases_reach_their_entity_another_way():
    """Generic gold words are not aliases, but a metonym, demonym, capital or cardinal rule reaches them."""
    if not GOLD_COPY.is_file():
        pytest.skip("tests/data/seeds_gold.json is absent")
    gold = json.loads(GOLD_COPY.read_text(encoding="utf-8"))
    unreachable = [
        (entity_id, alias)
        for entity_id, spec in gold["entities"].items()
        for alias in spec["aliases"]
        if norm(alias) in GENERIC_GOLD_ALIASES and not _covered(entity_id, alias)
    ]
    # 'jihadists' and bare 'coalition' are left to coreference.
    assert {norm(a) for _, a in unreachable} <= {"jihadists", "coalition"}, unreachable


def test_gold_copy_matches_shared():
    if not SHARED_GOLD.is_file():
        pytest.skip("../shared/eval/seeds_gold.json is absent")
    shared = json.loads(SHARED_GOLD.read_text(encoding="utf-8"))
    copy = json.loads(GOLD_COPY.read_text(encoding="utf-8"))
    assert copy == shared, "refresh tests/data/seeds_gold.json from ../shared/eval"


def _code_strings() -> set[str]:
    """Every string constant in kg's Python code."""
    import ast

    found = set()
    for path in (Path(__file__).resolve().parent.parent / "kg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


#: Lexicon sections that map words to values (their keys are data, read by iteration, not by name).
_WORD_MAPS = {("verb_forms",)}


def test_every_lexicon_key_is_read():
    """Each key of ontology/lexicon.json (and of its sections) is named somewhere in kg's code."""
    lexicon = json.loads((Path(__file__).resolve().parent.parent / "ontology" / "lexicon.json").read_text("utf-8"))
    strings = _code_strings()
    unread = []
    for key, value in lexicon.items():
        if key != "about" and key not in strings:
            unread.append(key)
        if isinstance(value, dict) and (key,) not in _WORD_MAPS:
            unread += [f"{key}.{sub}" for sub in value if sub != "about" and sub not in strings]
    assert len(lexicon) > 30 and not unread, f"lexicon keys nothing reads: {unread}"
