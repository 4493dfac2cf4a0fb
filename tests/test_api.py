"""The library API at the package root: kg.build, kg.query, kg.extract (kg.remove).

Their docstring examples run as doctests (``--doctest-modules``, kg/__init__.py); these tests check that
the examples are there, that ``import kg`` stays cheap and side-effect free, and what kg.extract returns.
"""
from __future__ import annotations

import dataclasses
import doctest
import subprocess
import sys

import pytest

import kg


@pytest.mark.parametrize("name", ["build", "query", "extract", "graph", "dataset"])
def test_each_function_has_a_docstring_example(name):
    function = getattr(kg, name)
    assert callable(function) and function.__module__ == "kg"
    [test] = doctest.DocTestFinder().find(function, name, globs={})
    assert len(test.examples) >= 3 and any(f"kg.{name}(" in e.source for e in test.examples)


def test_import_kg_is_cheap_and_has_no_side_effects(tmp_path):
    code = ("import sys, os; before = set(os.listdir('.')); import kg; "
            "heavy = [m for m in ('spacy', 'rdflib', 'pyoxigraph', 'networkx', 'pyvis', 'kg.pipeline') "
            "if m in sys.modules]; print(heavy, sorted(set(os.listdir('.')) - before))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []", out.stdout + out.stderr


def test_functions_keep_their_names_after_the_modules_load():
    import kg.extract as extract_package_or_function  # noqa: F401 (loads the package kg.extract)
    import kg.query  # noqa: F401

    assert kg.query.__module__ == "kg" and kg.extract.__module__ == "kg"
    assert sys.modules["kg.query"].run_query and sys.modules["kg.extract"].read_article
    from kg.query import run_query  # the modules are reached as ever

    assert run_query is sys.modules["kg.query"].run_query


@pytest.mark.slow
def test_extract_returns_frozen_claims_with_their_evidence():
    text = ("Search\n\nThe regime and the rebels reached a ceasefire in Daraa on Sunday.\n\n"
            "ISIS fighters withdrew from Raqqa, the SDF said.\n")
    result = kg.extract(text, date="2018-07-01")
    by_triple = {(c.subject, c.relation, c.object): c for c in result.claims}
    withdrew = by_triple[("isis", "withdrew_from", "raqqa")]
    assert withdrew.evidence.text == text[withdrew.evidence.start:withdrew.evidence.end]
    assert withdrew.evidence.text.startswith("ISIS fighters withdrew")
    assert (withdrew.evidence.modality, withdrew.evidence.speaker) == ("reported", "sdf")
    assert withdrew.object_label == "Raqqa"
    assert {e.id for e in result.entities} >= {"isis", "raqqa", "sdf"}
    for record in (result, withdrew, withdrew.evidence):
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.__setattr__(dataclasses.fields(record)[0].name, None)
    assert kg.extract("Nothing happened here.").claims == ()


@pytest.mark.slow
def test_query_reads_the_build_folder_or_its_store(seeds_dir):
    named = kg.query(seeds_dir, "who-dealt-with-whom", params={"actor": "SDF"})
    assert named.rows and all("Syrian Democratic Forces" in (str(row[1]), str(row[4])) for row in named.rows)
    direct = kg.query(seeds_dir / "store", "SELECT (COUNT(*) AS ?n) WHERE { ?s a kgo:Document }")
    assert int(direct.rows[0][0]) == 5
