"""The actor and place dictionaries (``ontology/actors.json``, ``places.json``).

A :class:`Gazetteer` answers "which entity does this name denote?" and knows
each entity's types, tags, demonyms, metonyms and affiliation. It is built
once per build from data files loaded by name. For the place names the
dictionaries lack it asks GeoNames (:meth:`Gazetteer.geonames_place`,
offline, :mod:`kg.geonames`).

>>> gaz = load_gazetteer()
>>> gaz.entities["isis"].label
'Islamic State'
>>> gaz.lookup("Daesh"), gaz.lookup("Syrian Democratic Forces")
('isis', 'sdf')
>>> gaz.entities["syria"].entity.geonames
163843
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from kg import geonames
from kg.errors import DataFileError
from kg.geonames import GeoPlace
from kg.records import Entity
from kg.resources import load_data

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.\-]{1,5}$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_combining(match: re.Match) -> str:
    """A run of non-ASCII characters without its combining marks (ASCII has none)."""
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def normalize_name(text: str) -> str:
    """Case-, accent-, quote- and space-insensitive key for a name.

    >>> normalize_name("  The U.S.\\u2019s  ") == normalize_name("the U.S.'s")
    True
    """
    if not text.isascii():  # ASCII has no decompositions, combining marks or curly quotes
        text = unicodedata.normalize("NFKD", text)
        text = _NON_ASCII.sub(_without_combining, text)
        text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.split()).lower()  # white space runs collapsed, ends stripped


def is_acronym(alias: str) -> bool:
    """Short all-capital aliases (IS, US, SDF) match only in capitals.

    >>> is_acronym("IS"), is_acronym("Daesh"), is_acronym("U.S.")
    (True, False, True)
    """
    letters = [c for c in alias if c.isalpha()]
    return bool(_ACRONYM.match(alias)) and len(letters) <= 5 and all(c.isupper() for c in letters)


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """Dictionary knowledge about one entity, beyond its :class:`Entity` record."""

    entity: Entity
    aliases: tuple[str, ...]
    tags: frozenset[str] = frozenset()
    demonyms: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    context: str | None = None  # the country where its metonyms stand for it (the first, if several)
    contexts: tuple[str, ...] = ()  # every such country
    affiliation: tuple[str, str] | None = None  # (relation, entity id)
    capital_of: str | None = None
    government: str | None = None  # a region that names its own government ("Kurdistan": the KRG)
    armed_wing: str | None = None  # a political body whose fighting is done by another entity
    kind: str | None = None
    country: str | None = None  # places: the country they lie in

    @property
    def label(self) -> str:
        return self.entity.label

    @property
    def types(self) -> tuple[str, ...]:
        return self.entity.types


@dataclass(frozen=True)
class Gazetteer:
    """Read-only view of the dictionaries."""

    entities: Mapping[str, EntityInfo]
    aliases: Mapping[str, str]  # normalized alias -> entity id
    acronyms: Mapping[str, str]  # exact-case acronym -> entity id
    demonyms: Mapping[str, str]  # lower-case demonym -> entity id
    metonyms: Mapping[str, tuple[str, ...]]  # normalized phrase -> entity ids (context-dependent)
    norm_exceptions: tuple[tuple[str, str], ...] = field(default=())
    person_words: frozenset[str] = frozenset()  # lower-case words of the dictionary persons' names

    def lookup(self, name: str) -> str | None:
        """The entity id a name denotes, or None.

        >>> load_gazetteer().lookup("US"), load_gazetteer().lookup("us")
        ('usa', None)
        """
        stripped = name.strip()
        if stripped in self.acronyms:
            return self.acronyms[stripped]
        key = normalize_name(stripped)
        if key.startswith("the "):
            key = key[4:]
        return self.aliases.get(key)

    def country_code(self, entity_id: str | None) -> str | None:
        """The ISO 3166-1 code of the country an entity is or lies in (from its GeoNames id), or None.

        >>> gaz = load_gazetteer()
        >>> gaz.country_code("syria"), gaz.country_code("mosul"), gaz.country_code("isis")
        ('SY', 'IQ', None)
        """
        info = self.entities.get(entity_id) if entity_id else None
        if info is not None and info.kind != "country" and info.country:
            info = self.entities.get(info.country)
        if info is None or info.kind != "country" or info.entity.geonames is None:
            return None
        country = geonames.country_index().by_id.get(info.entity.geonames)
        return country.country_code if country else None

    def is_country(self, name: str) -> bool:
        """Whether a name denotes a country: a dictionary country or one GeoNames knows.

        Cheap: it reads GeoNames' countries only, never its places.

        >>> gaz = load_gazetteer()
        >>> gaz.is_country("Syria"), gaz.is_country("Yemen"), gaz.is_country("the Netherlands")
        (True, True, True)
        >>> gaz.is_country("Mosul"), gaz.is_country("Hezbollah"), gaz.is_country("Hakurk")
        (False, False, False)
        """
        entity_id = self.lookup(name)
        if entity_id is not None:
            return self.entities[entity_id].kind == "country"
        return geonames.find_country(name) is not None

    def geonames_place(self, name: str, country: str | None = None) -> GeoPlace | None:
        """The GeoNames place a place name denotes, preferring places in ``country``; None if unsure.

        For the entity linker, when NER finds a place (GPE, LOC, FAC) that
        the dictionaries lack. ``country`` is a kg entity id (``"syria"``,
        ``"iraq"``: the article's main country; a place's id stands for its
        country); an unknown id means no preference. The answer:

        - a country name (GeoNames' or ``ontology/geonames.json``'s): the
          country, ``kind == "country"`` (no coordinates in GeoNames' list);
        - a name the dictionaries know: an actor's gives None, a place's the
          GeoNames record of that place (None if it has no ``geonames`` id);
        - one word of a dictionary person's name ("Hassan"): None;
        - otherwise :func:`kg.geonames.find_place`: a populated place
          (``kind == "city"``, from village to capital) that the name
          denotes without doubt: in the country unless a larger place of the
          name lies across its border or elsewhere, or else a large place
          (100,000 people) ten times larger than any other of the name. Two
          places that the name could be, a name in lower case, too short,
          or an English stop word: None.

        The first call that needs GeoNames' places reads them (about 2 s,
        once per process); country names never do.

        >>> gaz = load_gazetteer()
        >>> place = gaz.geonames_place("Halabja", "iraq")
        >>> place.name, place.country_code, place.kind, round(place.lat, 2), round(place.long, 2), place.geonames_id
        ('Halabja', 'IQ', 'city', 35.18, 45.99, 96205)
        >>> gaz.geonames_place("Hakurk", "iraq") is None  # not in GeoNames' populated places
        True
        >>> gaz.geonames_place("Yemen").kind, gaz.geonames_place("Syria").geonames_id
        ('country', 163843)
        >>> gaz.geonames_place("Hassan", "syria"), gaz.geonames_place("Hezbollah"), gaz.geonames_place("the")
        (None, None, None)
        """
        text = " ".join(name.split())
        if not text:
            return None
        country_place = geonames.find_country(text)
        entity_id = self.lookup(text)
        if entity_id is not None:
            info = self.entities[entity_id]
            if not info.entity.is_place or info.entity.geonames is None:
                return None
            if info.kind == "country" or country_place is not None:
                return geonames.country_index().by_id.get(info.entity.geonames) or country_place
            return geonames.place_by_id(info.entity.geonames)
        if country_place is not None:
            return country_place
        if " " not in text and text.lower() in self.person_words:
            return None
        return geonames.find_place(text, self.country_code(country))


def _contexts(entry: dict) -> tuple[str, ...]:
    """The 'context' of an entry: one country id, or a list of them (the coalition fights in Iraq and Syria)."""
    context = entry.get("context")
    if context is None:
        return ()
    return (context,) if isinstance(context, str) else tuple(context)


def _entity_from(entry: dict, source: str) -> EntityInfo:
    try:
        eid = entry["id"]
        types = tuple(entry["types"])
        label = entry["label"]
    except KeyError as exc:
        raise DataFileError(f"{source}: entry {entry!r:.80} lacks {exc}") from None
    affiliation = entry.get("affiliation")
    return EntityInfo(
        entity=Entity(id=eid, label=label, types=types, lat=entry.get("lat"), long=entry.get("long"),
                      geonames=entry.get("geonames")),
        aliases=tuple(entry.get("aliases", ())),
        tags=frozenset(entry.get("tags", ())),
        demonyms=tuple(entry.get("demonyms", ())),
        metonyms=tuple(entry.get("metonyms", ())),
        context=_contexts(entry)[0] if _contexts(entry) else None,
        contexts=_contexts(entry),
        affiliation=(affiliation["relation"], affiliation["object"]) if affiliation else None,
        capital_of=entry.get("capital_of"),
        government=entry.get("government"),
        armed_wing=entry.get("armed_wing"),
        kind=entry.get("kind"),
        country=entry.get("country"),
    )


def load_gazetteer(names: tuple[str, ...] = ("actors", "places")) -> Gazetteer:
    """Build the gazetteer from dictionary data files, by name."""
    entities: dict[str, EntityInfo] = {}
    aliases: dict[str, str] = {}
    acronyms: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    metonyms: dict[str, list[str]] = {}
    norm_exceptions: dict[str, str] = {}
    for name in names:
        data = load_data(name)
        norm_exceptions.update(data.get("norm_exceptions", {}))
        for entry in data.get("entities", ()):
            info = _entity_from(entry, name)
            if info.entity.id in entities:
                raise DataFileError(f"{name}: duplicate entity id {info.entity.id!r}")
            entities[info.entity.id] = info
            for alias in (info.label, *info.aliases):
                if is_acronym(alias):
                    acronyms.setdefault(alias, info.entity.id)
                else:
                    aliases.setdefault(normalize_name(alias), info.entity.id)
            for demonym in info.demonyms:
                demonyms.setdefault(demonym.lower(), info.entity.id)
            for phrase in info.metonyms:
                metonyms.setdefault(normalize_name(phrase), []).append(info.entity.id)
    person_words = frozenset(word.lower() for info in entities.values() if "Person" in info.types
                             for name in (info.label, *info.aliases) for word in name.split() if word.isalpha())
    return Gazetteer(
        entities=MappingProxyType(entities),
        aliases=MappingProxyType(aliases),
        acronyms=MappingProxyType(acronyms),
        demonyms=MappingProxyType(demonyms),
        metonyms=MappingProxyType({k: tuple(v) for k, v in metonyms.items()}),
        norm_exceptions=tuple(sorted(norm_exceptions.items())),
        person_words=person_words,
    )
