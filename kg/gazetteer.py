"""The actor and place dictionaries (``ontology/actors.json``, ``places.json``).

A :class:`Gazetteer` answers "which entity does this name denote?" and knows
each entity's types, tags, demonyms, metonyms and affiliation. It is built
once per build from data files loaded by name.

>>> gaz = load_gazetteer()
>>> gaz.entities["isis"].label
'Islamic State'
>>> gaz.lookup("Daesh"), gaz.lookup("Syrian Democratic Forces")
('isis', 'sdf')
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from kg.errors import DataFileError
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
    context: str | None = None
    affiliation: tuple[str, str] | None = None  # (relation, entity id)
    capital_of: str | None = None
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


def _entity_from(entry: dict, source: str) -> EntityInfo:
    try:
        eid = entry["id"]
        types = tuple(entry["types"])
        label = entry["label"]
    except KeyError as exc:
        raise DataFileError(f"{source}: entry {entry!r:.80} lacks {exc}") from None
    affiliation = entry.get("affiliation")
    return EntityInfo(
        entity=Entity(id=eid, label=label, types=types, lat=entry.get("lat"), long=entry.get("long")),
        aliases=tuple(entry.get("aliases", ())),
        tags=frozenset(entry.get("tags", ())),
        demonyms=tuple(entry.get("demonyms", ())),
        metonyms=tuple(entry.get("metonyms", ())),
        context=entry.get("context"),
        affiliation=(affiliation["relation"], affiliation["object"]) if affiliation else None,
        capital_of=entry.get("capital_of"),
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
    return Gazetteer(
        entities=MappingProxyType(entities),
        aliases=MappingProxyType(aliases),
        acronyms=MappingProxyType(acronyms),
        demonyms=MappingProxyType(demonyms),
        metonyms=MappingProxyType({k: tuple(v) for k, v in metonyms.items()}),
        norm_exceptions=tuple(sorted(norm_exceptions.items())),
    )
