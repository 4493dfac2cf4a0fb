"""Data files loaded by name: dictionaries, triggers, ontology, queries.

The data lives in the repository's ``ontology/`` folder (shipped inside the
wheel as ``kg/ontology``) and in ``kg/queries/``. Everything is loaded by name
with a clear error for an unknown one.

>>> sorted(load_data("relations")["relations"])[:2]
['accused', 'active_in']
>>> load_data("no-such-file")
Traceback (most recent call last):
...
kg.errors.DataFileError: unknown data file 'no-such-file'; available: ...
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kg.errors import DataFileError

_PACKAGE = Path(__file__).resolve().parent


def ontology_dir() -> Path:
    """The folder holding ``kg.ttl``, ``shapes.ttl`` and the JSON dictionaries."""
    for candidate in (_PACKAGE / "ontology", _PACKAGE.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise DataFileError("kg's ontology folder is missing: reinstall the package")


def data_names() -> list[str]:
    """Names of the JSON data files, for ``load_data``."""
    return sorted(p.stem for p in ontology_dir().glob("*.json"))


@lru_cache(maxsize=None)
def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: invalid JSON: {exc}") from None


def load_data(name: str) -> dict:
    """Load ``ontology/<name>.json`` by name (parsed once, then cached).

    Callers must not mutate the returned dictionary.
    """
    path = ontology_dir() / f"{name}.json"
    if not path.is_file():
        raise DataFileError(f"unknown data file {name!r}; available: {', '.join(data_names())}")
    return _load_json(path)


def ontology_file(name: str) -> Path:
    """Path of an RDF file in the ontology folder, e.g. ``kg.ttl``."""
    path = ontology_dir() / name
    if not path.is_file():
        raise DataFileError(f"unknown ontology file {name!r}")
    return path


def build_sparql_names() -> list[str]:
    """Names of the SPARQL texts ``kg build`` runs itself (``kg/queries/build/``)."""
    folder = _PACKAGE / "queries" / "build"
    return sorted({p.stem for p in folder.glob("*.rq")} | {p.stem for p in folder.glob("*.ru")})


def load_build_sparql(name: str) -> str:
    """The text of ``kg/queries/build/<name>.ru`` (an update) or ``<name>.rq`` (a query).

    These are the build's own queries (the figures of its summary), apart
    from the named queries users run with ``kg query``; the rules of derived
    triples are in ``derived/`` (:mod:`kg.derived`).

    >>> "COUNT(DISTINCT ?statement)" in load_build_sparql("report-counts")
    True
    >>> load_build_sparql("nope")
    Traceback (most recent call last):
    ...
    kg.errors.DataFileError: unknown build query 'nope'; available: page-edges, report-counts
    """
    for suffix in (".ru", ".rq"):
        path = _PACKAGE / "queries" / "build" / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise DataFileError(f"unknown build query {name!r}; available: {', '.join(build_sparql_names())}")
