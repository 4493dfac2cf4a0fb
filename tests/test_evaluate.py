"""``kg evaluate``: scoring a graph against gold triples, by score.py's rules.

Fast tests use small hand-made Turtle graphs and a small gold file; the slow
test takes the session's seeds build and checks that ``kg evaluate`` and
``../shared/eval/score.py`` agree exactly.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.evaluate import FalseNegative, Scores, evaluate, gold_from_dict, load_gold, normalize_label

ROOT = Path(__file__).parents[1]
SEEDS_GOLD = Path(__file__).parent / "data" / "seeds_gold.json"
SCORE_PY = ROOT.parent / "shared" / "eval" / "score.py"

GOLD = {
    "relations": {"truce_with": "", "backs": "", "captured": "", "withdrew_from": "", "attacked": "",
                  "fought": ""},
    "symmetric": ["truce_with", "fought"],
    "entities": {
        "isis": {"type": "ArmedGroup", "aliases": ["Islamic State", "Daesh", "IS"]},
        "sdf": {"type": "ArmedGroup", "aliases": ["Syrian Democratic Forces", "SDF", "US-backed SDF"]},
        "usa": {"type": "State", "aliases": ["United States", "U.S."]},
        "markada": {"type": "Place", "aliases": ["Markada"]},
        "raqqa": {"type": "Place", "aliases": ["Raqqa", "Raqqah"]},
    },
    "documents": {
        "doc_a": [
            {"s": "sdf", "p": "truce_with", "o": "isis"},
            {"s": "usa", "p": "backs", "o": "sdf"},
            {"s": "sdf", "p": "captured", "o": "markada", "optional": True},
        ],
        "doc_b": [
            {"s": "isis", "p": "withdrew_from", "o": "raqqa"},
            {"s": "sdf", "p": "fought", "o": "isis", "optional": True},
        ],
    },
}

PREFIXES = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
@prefix e: <https://example.org/entity/> .
@prefix ev: <https://example.org/evidence/> .
@prefix st: <https://example.org/statement/> .
@prefix doc: <https://example.org/document/> .
"""

ENTITIES = """\
e:sdf rdfs:label "Syrian Democratic Forces" ; skos:altLabel "U.S.-backed SDF" .
e:isis rdfs:label "Islamic State" ; skos:altLabel "Daesh" .
e:daesh_fighters rdfs:label "the Daesh" .
e:us rdfs:label "United States" .
e:markada rdfs:label "Markada" .
e:raqqa rdfs:label "Raqqah" .
doc:a dcterms:identifier "doc_a" .
doc:b dcterms:identifier "doc_b" .
ev:a1 kgo:text "The SDF agreed a truce with IS." ; dcterms:isPartOf doc:a .
ev:b1 kgo:text "..." ; dcterms:isPartOf doc:b .
"""


def statement(name: str, s: str, p: str, o: str, evidence: str, *, asserted: bool = True) -> str:
    text = f"st:{name} a rdf:Statement ; rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; " \
           f"prov:wasDerivedFrom {evidence} .\n"
    return text + (f"{s} {p} {o} .\n" if asserted else "")


def write(tmp_path: Path, body: str, name: str = "graph.ttl") -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + ENTITIES + body, encoding="utf-8")
    return path


@pytest.fixture
def gold_file(tmp_path) -> Path:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    return path


@pytest.fixture
def graph_file(tmp_path) -> Path:
    body = "".join([
        # symmetric relation stated the other way round: a true positive
        statement("t1", "e:isis", "kgo:truce_with", "e:sdf", "ev:a1"),
        # optional gold triple: neither rewarded nor penalised
        statement("t2", "e:sdf", "kgo:captured", "e:markada", "ev:a1"),
        # right triple, wrong document: a false positive in doc_b, a miss in doc_a
        statement("t3", "e:us", "kgo:backs", "e:sdf", "ev:b1"),
        # doc_b's gold triple, with ISIS on a second node: true positive, ISIS split
        statement("t4", "e:daesh_fighters", "kgo:withdrew_from", "e:raqqa", "ev:b1"),
        # reified but not asserted (and optional in doc_b)
        statement("t5", "e:isis", "kgo:fought", "e:sdf", "ev:b1", asserted=False),
        # a wrong triple in doc_b: false positive
        statement("t6", "e:raqqa", "kgo:captured", "e:isis", "ev:b1"),
    ])
    # asserted relation triples with no statement at all
    body += "e:sdf kgo:attacked e:isis .\ne:us kgo:backs e:isis .\n"
    return write(tmp_path, body)


# -- the library -----------------------------------------------------------------------

def test_normalize_label_matches_score_rules():
    assert normalize_label("  The  U.S.-backed   SDF ") == "us backed sdf"
    assert normalize_label("Hay\u2019at Tahrir al-Sham") == "hayat tahrir al sham"
    assert normalize_label("Ra\u0301qqa (city)") == "raqqa city"
    assert normalize_label("deir_ezzor") == "deir ezzor"


def test_scores_round_like_score_py():
    assert Scores(2, 1, 1).to_dict() == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.667, "recall": 0.667,
                                         "f1": 0.667}
    assert Scores(0, 0, 3).to_dict(counts_first=False) == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                                           "tp": 0, "fp": 0, "fn": 3}


def test_evaluate_hand_made_graph(gold_file, graph_file):
    result = evaluate(gold_file, graph_file)
    a, b = result.per_document["doc_a"], result.per_document["doc_b"]
    # doc_a: truce found in the other direction; captured optional; backs sourced elsewhere
    assert (a.tp, a.fp, a.fn) == (1, 0, 1)
    # doc_b: withdrew_from found; backs (wrong document) and captured (wrong) are false positives
    assert (b.tp, b.fp, b.fn) == (1, 2, 0)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (2, 2, 1)
    assert result.overall.precision == 0.5 and result.overall.recall == 0.667 and result.overall.f1 == 0.571
    assert result.false_negatives == (FalseNegative("doc_a", ("backs", "usa", "sdf")),)
    assert {(e.doc, e.s, e.p, e.o) for e in result.false_positives} == {
        ("doc_b", "united states", "backs", "syrian democratic forces"), ("doc_b", "raqqah", "captured", "daesh")}
    assert result.per_relation["truce_with"] == Scores(1, 0, 0)
    assert result.per_relation["backs"] == Scores(0, 1, 1)
    assert "fought" not in result.per_relation  # optional: not counted at all
    assert result.statements == 6 and result.statements_not_asserted == 1
    assert result.relation_triples_without_source == 2
    assert dict(result.entities_split_over_nodes) == {"isis": 2}


def test_unsourced_statement_counts_for_no_document(gold_file, tmp_path):
    body = statement("t1", "e:isis", "kgo:truce_with", "e:sdf", "ev:elsewhere")
    body += "ev:elsewhere kgo:text \"no document here\" .\n"
    result = evaluate(gold_file, write(tmp_path, body))
    assert result.overall == Scores(0, 0, 3)
    assert result.relation_triples_without_source == 1
    assert result.statements == 1


def test_documents_reached_within_three_hops_only(gold_file, tmp_path):
    # statement -> evidence -> document -> identifier: the identifier is the third hop
    near = statement("t1", "e:isis", "kgo:truce_with", "e:sdf", "ev:x") + (
        "ev:x kgo:in ev:y .\nev:y dcterms:identifier \"doc_a\" .\n")
    assert evaluate(gold_file, write(tmp_path, near, "near.ttl")).overall.tp == 1
    far = statement("t1", "e:isis", "kgo:truce_with", "e:sdf", "ev:x") + (
        "ev:x kgo:in ev:y .\nev:y kgo:in ev:z .\nev:z dcterms:identifier \"doc_a\" .\n")
    assert evaluate(gold_file, write(tmp_path, far, "far.ttl")).overall.tp == 0


def test_local_name_used_when_a_node_has_no_label(gold_file, tmp_path):
    body = statement("t1", "<https://example.org/x/Syrian_Democratic_Forces>", "kgo:truce_with",
                     "<https://example.org/x/isis>", "ev:a1")
    assert evaluate(gold_file, write(tmp_path, body)).per_document["doc_a"].tp == 1


def test_gold_from_dict_keeps_required_over_optional():
    gold = gold_from_dict({"relations": {"fought": ""}, "symmetric": ["fought"],
                           "entities": {"a": {"aliases": []}, "b": {"aliases": []}},
                           "documents": {"d": [{"s": "b", "p": "fought", "o": "a"},
                                               {"s": "a", "p": "fought", "o": "b", "optional": True}]}})
    assert gold.required["d"] == {("fought", "a", "b")} and not gold.optional["d"]


def test_bad_gold_and_graph_files_raise_input_errors(tmp_path, gold_file):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_gold(bad)
    (tmp_path / "partial.json").write_text(json.dumps({"relations": {}}), encoding="utf-8")
    with pytest.raises(InputError, match="malformed"):
        load_gold(tmp_path / "partial.json")
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(InputError, match="cannot parse"):
        evaluate(gold_file, broken)


# -- agreement with ../shared/eval/score.py on the hand-made graph --------------------

def _score_py(graph: Path, gold: Path, *extra: str) -> str:
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is absent (../shared is not checked out)")
    done = subprocess.run([sys.executable, str(SCORE_PY), str(graph), "--gold", str(gold), *extra],
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_same_json_as_score_py_on_hand_made_graph(gold_file, graph_file):
    ours = evaluate(gold_file, graph_file).to_dict()
    assert ours == json.loads(_score_py(graph_file, gold_file, "--json"))


# -- the command line --------------------------------------------------------------------

def test_cli_table_and_overall_line(gold_file, graph_file):
    result = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(graph_file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["document", "tp", "fp", "fn", "P", "R", "F1"]
    assert lines[1].split() == ["doc_a", "1", "0", "1", "1.00", "0.50", "0.67"]
    assert "relation triples without a sourced statement: 2" in result.output
    assert "gold entities split over several nodes: {'isis': 2}" in result.output
    assert lines[-1] == "overall: P=0.500 R=0.667 F1=0.571 (tp=2 fp=2 fn=1)"
    assert "FP " not in result.output


def test_cli_errors_and_json(gold_file, graph_file):
    # no source files here: every miss is "no_source"; false positives are still classified
    result = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(graph_file), "--errors"])
    assert result.exit_code == 0
    assert "FN [no_source] doc_a: usa --backs--> sdf" in result.output
    assert "FP [wrong_relation] doc_b: raqqah --captured--> daesh" in result.output  # gold: isis withdrew_from raqqa
    assert "FP [spurious_frame] doc_b: united states --backs--> syrian democratic forces" in result.output
    as_json = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(graph_file), "--json"])
    data = json.loads(as_json.output)
    assert data["overall"]["tp"] == 2 and data["errors"]["false_negatives"][0]["triple"] == ["backs", "usa", "sdf"]
    assert "diagnosis" not in data


def test_cli_same_text_as_score_py(gold_file, graph_file):
    ours = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(graph_file)]).output
    assert ours == _score_py(graph_file, gold_file)
    # --errors: the same tables and overall line around the analysis (score.py lists the errors instead)
    with_errors = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(graph_file), "--errors"]).output
    reference = _score_py(graph_file, gold_file, "--errors").splitlines()
    tables = [line for line in reference if not line.startswith(("FP ", "FN "))]
    assert with_errors.splitlines()[:len(tables) - 1] == tables[:-1]
    assert with_errors.splitlines()[-1] == reference[-1]


def test_cli_reports_bad_input(tmp_path, gold_file):
    missing = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(tmp_path / "none.ttl")])
    assert missing.exit_code == 2
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    failed = CliRunner().invoke(cli, ["evaluate", str(gold_file), str(broken)])
    assert failed.exit_code == 1
    assert "kg: error:" in failed.output and "cannot parse" in failed.output


# -- the seeds, end to end ---------------------------------------------------------------

@pytest.mark.slow
def test_seeds_same_numbers_as_score_py(seeds_build):
    graph = seeds_build / "graph.ttl"
    result = CliRunner().invoke(cli, ["evaluate", str(SEEDS_GOLD), str(graph)])
    assert result.exit_code == 0, result.output
    overall = result.output.splitlines()[-1]
    assert overall.startswith("overall: P=")
    reference = _score_py(graph, SEEDS_GOLD)
    assert overall == reference.splitlines()[-1]
    assert result.output == reference
    as_json = CliRunner().invoke(cli, ["evaluate", str(SEEDS_GOLD), str(graph), "--json"]).output
    assert json.loads(as_json) == json.loads(_score_py(graph, SEEDS_GOLD, "--json"))
