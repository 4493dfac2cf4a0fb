"""Nothing lost by any command (issue 15): builds add, removal is explicit, one truth.

* An input path that does not exist is a usage error (exit 2), raised before
  anything is read or written.
* ``kg build`` into an existing output adds and updates documents and never
  removes one that is not among its inputs; ``--prune`` mirrors the inputs;
  ``kg remove`` takes named documents out; the summary states the whole graph.
* The store and ``graph.ttl`` hold the same distinct triples, derived ones
  (evidence and source counts) included, and after every incremental step
  they are what a build of the same documents from nothing gives: for the
  seeds, for a 50-document generated corpus, after an add, an update and a
  removal, and after random sequences of them (hypothesis).
* Derived triples are data: a new rule file is maintained like the counts.
* The same sentence in several documents is one piece of evidence with
  several sources, each with its own text, offsets and document.

Crash and concurrency promises of the new commands are in
``test_incremental_crash.py``.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF
from rdflib.namespace import DCTERMS, PROV

import kg
import kg.derived
import kg.engines
from kg.cli import EXIT_OK, EXIT_USAGE, cli
from kg.errors import MissingInputError, UnknownDocumentError
from kg.pipeline import remove
from kg.store import Store
from kg.vocab import DERIVED_GRAPH, KGO
from benchload import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SUMMARY = re.compile(r"^(\d+) documents in the graph \((\d+) added, (\d+) updated, (\d+) removed, "
                     r"(\d+) unchanged(?:; \d+ split to parse)?\), \d+ sentences parsed, ", re.M)

#: Short articles written for these tests, and a second version of each (an edit).
ARTICLES = {path.stem: path.read_text(encoding="utf-8")
            for path in sorted((ROOT / "tests" / "data" / "incremental").glob("*.txt"))}
EDIT = "\nTurkey attacked the SDF in Manbij, a monitor said.\n"


def text_of(name: str, version: int) -> str:
    return ARTICLES[name] + EDIT * version


def write(folder: Path, names, version: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        (folder / f"{name}.txt").write_text(text_of(name, version), encoding="utf-8")
        paths.append(folder / f"{name}.txt")
    return paths


def _triples(items) -> set[str]:
    return {str(getattr(item, "triple", item)) for item in items}


def store_triples(out: Path) -> set[str]:
    """The store's default graph: what `kg query` and `kg serve` answer from."""
    with Store.open(out / "store", read_only=True) as store:
        return _triples(store._store().quads_for_pattern(None, None, None, ox.DefaultGraph()))


def turtle_triples(out: Path) -> set[str]:
    return _triples(ox.parse(path=out / "graph.ttl", format=ox.RdfFormat.TURTLE))


def derived_in_store(out: Path) -> set[str]:
    with Store.open(out / "store", read_only=True) as store:
        return _triples(store._store().quads_for_pattern(None, None, None, ox.NamedNode(str(DERIVED_GRAPH))))


def assert_one_truth(out: Path) -> set[str]:
    """The store and graph.ttl hold the same distinct triples, and the derived ones are in both."""
    stored, written = store_triples(out), turtle_triples(out)
    assert stored == written, (sorted(stored - written)[:5], sorted(written - stored)[:5])
    derived = derived_in_store(out)
    assert derived <= stored
    counted = {t for t in written if str(KGO.evidenceCount) in t or str(KGO.sourceCount) in t}
    assert counted <= derived  # every count in graph.ttl is maintained in the store
    statements = sum(1 for t in written if t.endswith(f"<{RDF.Statement}>"))
    assert len(counted) == 2 * statements  # both counts on every statement
    return stored


def clean_build(paths, out: Path) -> bytes:
    kg.build(paths, out, html=False)
    return (out / "graph.ttl").read_bytes()


def summary(output: str) -> tuple[int, ...]:
    match = SUMMARY.search(output)
    assert match, output
    return tuple(int(n) for n in match.groups())


# ---------------------------------------------------------------------------
# 1. a bad path changes nothing
# ---------------------------------------------------------------------------

def _snapshot(out: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every file under ``out``: size, mtime and (for small ones) bytes."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(out))] = (info.st_size, info.st_mtime_ns,
                                                 path.read_bytes() if info.st_size < 2_000_000 else None)
    return found


@pytest.mark.slow
def test_a_missing_input_is_a_usage_error_that_changes_nothing(tmp_path, monkeypatch):
    inputs = write(tmp_path / "in", ["truce", "deal"])
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(tmp_path / "in"), "--out", str(out)]).exit_code == EXIT_OK
    before = _snapshot(out)

    def nothing_may_be_read(*args, **kwargs):
        raise AssertionError("read or opened before the inputs were checked")

    monkeypatch.setattr("kg.ingest.read_document", nothing_may_be_read)
    monkeypatch.setattr("kg.ingest.iter_paths", nothing_may_be_read)
    monkeypatch.setattr(Store, "open", nothing_may_be_read)
    typo = tmp_path / "in-typo"
    for args in (["build", str(typo), "--out", str(out)],
                 ["build", str(inputs[0]), str(typo), "--out", str(out), "--prune"],
                 ["build", str(typo), "--out", str(tmp_path / "new")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert result.stderr == f"kg: error: {typo}: no such file or directory; nothing was read or written\n"
        assert result.stdout == ""
    assert _snapshot(out) == before
    assert not (tmp_path / "new").exists()
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    result = runner.invoke(cli, ["build", str(tmp_path / "dangling"), "--out", str(out)])
    assert result.exit_code == EXIT_USAGE and "a broken symbolic link" in result.stderr
    with pytest.raises(MissingInputError):  # the library says the same
        kg.build([typo], out)
    assert _snapshot(out) == before


def _contents(out: Path) -> tuple:
    """What a command may change: the outputs' bytes, and every quad of the store."""
    with Store.open(out / "store", read_only=True) as store:
        quads = {str(q) for q in store._store()}
    page = out / "graph.html"
    return (out / "graph.ttl").read_bytes(), page.read_bytes() if page.exists() else None, quads


# ---------------------------------------------------------------------------
# 2. builds add; removal is explicit
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_builds_add_and_update_and_never_remove(tmp_path):
    first = write(tmp_path / "first", ["truce", "backing"])
    more = write(tmp_path / "more", ["deal"])
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(tmp_path / "first"), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert summary(result.stdout) == (2, 2, 0, 0, 0)
    result = runner.invoke(cli, ["build", str(tmp_path / "more"), "--out", str(out)])
    assert summary(result.stdout) == (3, 1, 0, 0, 2)  # the "1 documents (5 removed)" case
    assert "removed" not in result.stdout.replace("0 removed", "")
    write(tmp_path / "first", ["truce"], version=1)  # edited
    result = runner.invoke(cli, ["build", str(first[0]), "--out", str(out)])
    assert summary(result.stdout) == (3, 0, 1, 0, 2)
    result = runner.invoke(cli, ["build", str(tmp_path / "first"), str(tmp_path / "more"), "--out", str(out)])
    assert summary(result.stdout) == (3, 0, 0, 0, 3)
    stored = assert_one_truth(out)
    # the same as a build of the three files from nothing
    assert (out / "graph.ttl").read_bytes() == clean_build([*first, *more], tmp_path / "clean")
    assert stored == store_triples(tmp_path / "clean")
    with Store.open(out / "store", read_only=True) as store:
        assert store.graph_names() == ["backing", "deal", "truce"]


@pytest.mark.slow
def test_prune_mirrors_the_inputs_and_names_what_it_removed(tmp_path):
    write(tmp_path / "in", ["truce", "backing", "deal"])
    keep = write(tmp_path / "keep", ["capture"])
    out = tmp_path / "out"
    runner = CliRunner()
    runner.invoke(cli, ["build", str(tmp_path / "in"), str(tmp_path / "keep"), "--out", str(out)])
    (tmp_path / "in" / "deal.txt").unlink()  # gone from the folder: a plain build keeps it
    result = runner.invoke(cli, ["build", str(tmp_path / "in"), "--out", str(out)])
    assert summary(result.stdout) == (4, 0, 0, 0, 4)
    result = runner.invoke(cli, ["build", str(tmp_path / "in"), "--out", str(out), "--prune"])
    assert result.exit_code == EXIT_OK, result.output
    removed = [line for line in result.stdout.splitlines() if line.startswith("removed ")]
    assert removed == [f"removed capture ({keep[0]})", f"removed deal ({tmp_path / 'in' / 'deal.txt'})"]
    assert summary(result.stdout) == (2, 0, 0, 2, 2)
    assert_one_truth(out)
    assert (out / "graph.ttl").read_bytes() == clean_build([tmp_path / "in"], tmp_path / "clean")
    # a new file may take the id of one pruned in the same build: the graph is its inputs' graph
    other = write(tmp_path / "other", ["truce"], version=1)
    report = kg.build(other, out, html=False, prune=True)
    assert (report.added, report.updated, report.removed, report.in_graph) == (1, 0, 2, 1)
    assert (out / "graph.ttl").read_bytes() == clean_build(other, tmp_path / "clean2")


@pytest.mark.slow
def test_remove_by_id_path_or_folder(tmp_path, monkeypatch):
    write(tmp_path / "a", ["truce", "backing"])
    write(tmp_path / "b", ["deal", "capture", "strike"])
    out = tmp_path / "out"
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # paths as a user types them, relative
    assert runner.invoke(cli, ["build", "a", "b", "--out", "out"]).exit_code == EXIT_OK
    before = _contents(out)
    result = runner.invoke(cli, ["remove", "deal", "no-such-doc", "--out", "out"])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == ("kg: error: 'no-such-doc': no document of out has this id or path; "
                             "nothing was removed\n")
    assert _contents(out) == before
    result = runner.invoke(cli, ["remove", "deal", "b/capture.txt", "--out", "out"])  # an id and a path
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines()[:2] == ["removed capture (b/capture.txt)", "removed deal (b/deal.txt)"]
    assert summary(result.stdout) == (3, 0, 0, 2, 3)
    assert_one_truth(out)
    assert (out / "graph.ttl").read_bytes() == clean_build(["a", "b/strike.txt"], tmp_path / "clean")
    result = runner.invoke(cli, ["remove", str(tmp_path / "a"), "--out", "out"])  # a folder, spelt otherwise
    assert [line for line in result.stdout.splitlines() if line.startswith("removed")] == [
        "removed backing (a/backing.txt)", "removed truce (a/truce.txt)"]
    assert summary(result.stdout) == (1, 0, 0, 2, 1)
    assert_one_truth(out)
    assert (out / "graph.ttl").read_bytes() == clean_build(["b/strike.txt"], tmp_path / "clean2")
    with pytest.raises(UnknownDocumentError):
        remove(["truce"], out)
    result = runner.invoke(cli, ["remove", "strike", "--out", "nowhere"])
    assert result.exit_code == 1 and "no kg store here" in result.stderr


@pytest.mark.slow
def test_a_commit_of_many_documents_in_several_transactions_gives_the_same_graph(tmp_path, monkeypatch):
    import kg.store

    write(tmp_path / "in", ["truce", "backing", "deal"])
    write(tmp_path / "more", ["capture", "withdrawal", "strike"])
    clean = clean_build([tmp_path / "more", tmp_path / "in" / "deal.txt"], tmp_path / "clean")
    out = tmp_path / "out"
    kg.build([tmp_path / "in"], out, html=False)
    monkeypatch.setattr(kg.store, "COMMIT_DOCUMENTS", 2)  # 3 added and 2 removed: three transactions
    report = kg.build([tmp_path / "more", tmp_path / "in" / "deal.txt"], out, html=False, prune=True)
    assert (report.added, report.removed, report.in_graph) == (3, 2, 4)
    assert (out / "graph.ttl").read_bytes() == clean
    assert_one_truth(out)
    with Store.open(out / "store", read_only=True) as store:
        assert "committing" not in store.meta() and store.staged() == []


@pytest.mark.slow
def test_a_new_file_never_takes_the_id_of_another_document(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text(ARTICLES["truce"], encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text(ARTICLES["deal"], encoding="utf-8")
    out = tmp_path / "out"
    kg.build([tmp_path / "a"], out, html=False)
    report = kg.build([tmp_path / "b"], out, html=False)
    assert (report.added, report.updated, report.in_graph) == (1, 0, 2)
    with Store.open(out / "store", read_only=True) as store:
        files = {f.path: f.id for f in store.files()}
    assert files[str(tmp_path / "a" / "x.txt")] == "x"
    assert re.fullmatch(r"x_[0-9a-f]{8}", files[str(tmp_path / "b" / "x.txt")])
    again = kg.build([tmp_path / "a", tmp_path / "b"], out, html=False)  # known by path: the same ids
    assert (again.added, again.updated, again.skipped, again.in_graph) == (0, 0, 2, 2)


@pytest.mark.slow
def test_a_changed_extractor_reads_every_document_again_or_changes_nothing(tmp_path):
    write(tmp_path / "a", ["truce", "backing"])
    write(tmp_path / "b", ["deal"])
    out = tmp_path / "out"
    kg.build([tmp_path / "a", tmp_path / "b"], out, html=False)
    expected = (out / "graph.ttl").read_bytes()
    with Store.open(out / "store") as store:
        store.update_meta(fingerprint="another version of the extractor")
    report = kg.build([tmp_path / "b"], out, html=False)  # a/ is not among the inputs: read again all the same
    assert (report.documents, report.added, report.updated, report.skipped, report.in_graph) == (3, 0, 3, 0, 3)
    assert (out / "graph.ttl").read_bytes() == expected
    assert_one_truth(out)

    with Store.open(out / "store") as store:
        store.update_meta(fingerprint="yet another")
    (tmp_path / "a" / "truce.txt").unlink()
    before = _contents(out)
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "b"), "--out", str(out), "--no-html"])
    assert result.exit_code == 1
    assert result.stderr.startswith("kg: error: the store was built by another version of kg's extractor, so "
                                    "every document in it must be read again, but these cannot be: "
                                    f"{tmp_path / 'a' / 'truce.txt'} (truce); give them as inputs")
    assert result.stderr.endswith("(nothing was changed)\n") and result.stderr.count("\n") == 1
    assert (out / "graph.ttl").read_bytes() == expected and _contents(out) == before
    with Store.open(out / "store", read_only=True) as store:
        assert store.graph_names() == ["backing", "deal", "truce"] and store.staged() == []
    report = kg.build([tmp_path / "a", tmp_path / "b"], out, html=False, prune=True)  # the gone one pruned
    assert ([r.id for r in report.removed_documents], report.updated, report.in_graph) == (["truce"], 2, 2)
    assert (out / "graph.ttl").read_bytes() == clean_build([tmp_path / "a", tmp_path / "b"], tmp_path / "c")


@pytest.mark.slow
def test_a_store_of_another_layout_is_refused_not_cleared(tmp_path):
    write(tmp_path / "in", ["deal"])
    out = tmp_path / "out"
    kg.build([tmp_path / "in"], out, html=False)
    meta = out / "store" / "kg-store.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    meta.write_text(json.dumps({**data, "format": 99}), encoding="utf-8")
    before = (out / "graph.ttl").read_bytes()
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "in"), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (f"kg: error: {out / 'store'}: a store of another layout (format 99; this kg writes "
                             "format 1): build into a new folder, or use the kg that made it\n")
    assert (out / "graph.ttl").read_bytes() == before
    with Store.open(out / "store", read_only=True) as store:
        assert store.graph_names() == ["deal"]


# ---------------------------------------------------------------------------
# 3. one truth: the store and graph.ttl, equal to a build from nothing
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_the_seeds_store_and_turtle_hold_the_same_triples(seeds_build):
    stored = assert_one_truth(seeds_build)
    statements = sum(1 for t in stored if t.endswith(f"<{RDF.Statement}>"))
    assert statements > 60 and sum(1 for t in stored if str(KGO.sourceCount) in t) == statements
    assert any(str(KGO.firstEvidenceDate) in t for t in stored)  # the dates derived alike
    from kg.query import run_query

    # the query: 62 rows on graph.ttl, 0 through `kg query` and `kg serve`; now the same
    counts = run_query(seeds_build / "store", "SELECT (COUNT(*) AS ?n) WHERE { ?s kgo:evidenceCount ?c }")
    assert int(counts.rows[0][0]) == statements



@pytest.mark.slow
def test_a_generated_corpus_stays_one_truth_through_add_update_and_remove(tmp_path):
    """The builds from nothing that the incremental ones are compared with share their spaCy parses
    (:class:`_Memo`, real parses made once); the incremental builds parse for themselves."""
    from unittest import mock

    corpus = load_benchmark("corpus")
    paths, _ = corpus.write_corpus(tmp_path / "gen", 30)
    memo = _Memo()

    def from_nothing(paths, out: Path) -> bytes:
        with mock.patch.object(kg.engines, "extract_batch", memo):
            return clean_build(paths, out)

    whole = tmp_path / "whole"
    clean = from_nothing(paths, whole)
    stored = assert_one_truth(whole)
    syndicated = [t for t in stored if str(KGO.sourceCount) in t and not t.endswith('"1"^^'
                                                                                  '<http://www.w3.org/2001/XMLSchema#integer>')]
    assert syndicated, "variants of one source article share sentences: some statements have several sources"

    out = tmp_path / "out"
    kg.build(paths[:24], out, html=False)
    added = kg.build(paths[24:], out, html=False)  # add
    assert (added.added, added.in_graph) == (6, 30)
    assert_one_truth(out)
    assert (out / "graph.ttl").read_bytes() == clean and store_triples(out) == stored

    with paths[7].open("a", encoding="utf-8") as handle:  # update
        handle.write("\nThe Syrian army captured Deir Ezzor from Islamic State, state media said.\n")
    updated = kg.build([paths[7]], out, html=False)
    assert (updated.updated, updated.in_graph) == (1, 30)
    assert_one_truth(out)
    assert (out / "graph.ttl").read_bytes() == from_nothing(paths, tmp_path / "clean-updated")

    gone = [paths[i].stem for i in (3, 7, 21, 22, 29)]  # remove
    removed = remove(gone, out, html=False)
    assert (removed.removed, removed.in_graph) == (5, 25)
    assert_one_truth(out)
    rest = [p for p in paths if p.stem not in gone]
    assert (out / "graph.ttl").read_bytes() == from_nothing(rest, tmp_path / "clean-removed")
    assert derived_in_store(out) == derived_in_store(tmp_path / "clean-removed")


@pytest.mark.slow
def test_a_new_derived_rule_is_data_and_maintained_like_the_counts(tmp_path, monkeypatch):
    """A rule file in the rules folder is all a new derived triple needs (issue 16 adds dates so)."""
    rules = tmp_path / "rules"
    shutil.copytree(kg.derived.RULES_DIR, rules)
    (rules / "mentions.ru").write_text("""# test rule: how many documents have statements about each entity
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
INSERT { GRAPH <https://w3id.org/kg-conflict/id/derived> { ?entity kgo:testDocumentCount ?n } }
WHERE {
    SELECT ?entity (COUNT(DISTINCT ?doc) AS ?n) WHERE {
        ?st rdf:subject|rdf:object ?entity ; prov:wasDerivedFrom/dcterms:isPartOf ?doc .
    } GROUP BY ?entity
}
""", encoding="utf-8")
    monkeypatch.setattr(kg.derived, "RULES_DIR", rules)
    kg.derived.rules.cache_clear()
    try:
        write(tmp_path / "in", ["truce", "withdrawal", "capture"])
        out = tmp_path / "out"
        kg.build([tmp_path / "in"], out, html=False, validate=False)

        def counts(where: Path) -> tuple[dict, dict]:
            """The rule's figures in graph.ttl, and the same counted here from the graph."""
            g = rdflib.Graph().parse(where / "graph.ttl")
            derived = {s: int(o) for s, o in g.subject_objects(KGO.testDocumentCount)}
            expected: dict = {}
            for st in g.subjects(RDF.type, RDF.Statement):
                docs = {d for ev in g.objects(st, PROV.wasDerivedFrom) for d in g.objects(ev, DCTERMS.isPartOf)}
                for end in (g.value(st, RDF.subject), g.value(st, RDF.object)):
                    expected.setdefault(end, set()).update(docs)
            return derived, {e: len(d) for e, d in expected.items()}

        before, expected = counts(out)
        assert before == expected and max(before.values()) >= 2
        assert_one_truth(out)
        remove(["capture"], out, html=False, validate=False)
        after, expected = counts(out)
        assert after == expected and after != before
        assert any("testDocumentCount" in t for t in derived_in_store(out))
        assert_one_truth(out)
    finally:
        kg.derived.rules.cache_clear()


@pytest.mark.slow
def test_rules_write_into_the_derived_graph_only(seeds_build):
    """Each rule, run alone on the seeds' document triples, adds to the derived graph and changes nothing else."""
    from kg.derived import prologue, rules

    derived = {str(KGO.evidenceCount), str(KGO.sourceCount)}
    data = [t for t in ox.parse(path=seeds_build / "graph.ttl", format=ox.RdfFormat.TURTLE)
            if t.predicate.value not in derived]
    document = ox.NamedNode("https://w3id.org/kg-conflict/id/graph/seeds")
    assert rules()
    for rule in rules():
        store = ox.Store()
        store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in data])
        store.extend([ox.Quad(t.subject, t.predicate, t.object, document) for t in data])
        before = set(store)
        store.update(prologue() + rule.body)
        after = set(store)
        assert before <= after, f"{rule.name} removed triples"
        assert after - before, f"{rule.name} derived nothing from the seeds"
        assert {q.graph_name for q in after - before} == {ox.NamedNode(str(DERIVED_GRAPH))}, rule.name


# ---------------------------------------------------------------------------
# 4. syndicated copies
# ---------------------------------------------------------------------------

WIRE = "Islamic State agreed a truce with the SDF in Raqqa, a spokesman for the alliance said."


@pytest.fixture(scope="module")
def syndicated(tmp_path_factory):
    """Three copies of one wire sentence (spaced and wrapped differently), and another document."""
    folder = tmp_path_factory.mktemp("wire")
    texts = {
        "paper_a": f"Raqqa truce\n\n{WIRE}\n\nTurkey attacked the YPG in Afrin.\n",
        "paper_b": "Truce in Raqqa\n\nBy a staff writer\n\n" + WIRE.replace(" with the", "  with \tthe") + "\n",
        "paper_c": f"{WIRE}\n",
        "other": "The SDF agreed a truce with Islamic State near Tabqa, officials said.\n",
    }
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("wire-out")
    kg.build([folder], out)
    return folder, out, texts


@pytest.mark.slow
def test_the_same_sentence_in_several_documents_is_one_evidence_with_several_sources(syndicated):
    folder, out, texts = syndicated
    g = rdflib.Graph().parse(out / "graph.ttl")
    wire = [ev for ev in g.subjects(RDF.type, KGO.Evidence) if str(g.value(ev, KGO.text)) == WIRE]
    assert len(wire) == 1, "one piece of evidence for the three copies"
    (ev,) = wire
    documents = {str(g.value(doc, DCTERMS.identifier)) for doc in g.objects(ev, DCTERMS.isPartOf)}
    assert documents == {"paper_a", "paper_b", "paper_c"}
    places = list(g.objects(ev, KGO.occurrence))
    assert len(places) == 3
    for where in places:  # each source keeps its own text, offsets and document
        doc = str(g.value(g.value(where, DCTERMS.isPartOf), DCTERMS.identifier))
        begin, end = int(g.value(where, KGO.beginOffset)), int(g.value(where, KGO.endOffset))
        assert texts[doc][begin:end] == str(g.value(where, KGO.text))
        assert " ".join(texts[doc][begin:end].split()) == WIRE
    (statement,) = [st for st in g.subjects(PROV.wasDerivedFrom, ev)
                    if g.value(st, RDF.predicate) == KGO.truce_with]
    assert int(g.value(statement, KGO.sourceCount)) == 4  # the three copies and the other document
    assert int(g.value(statement, KGO.evidenceCount)) == 2  # two sentences
    assert_one_truth(out)
    # the scorer's rule (a document id within three hops of prov:wasDerivedFrom) finds every source
    from kg.evaluate import ScoringView, gold_from_dict

    gold = gold_from_dict({"relations": {"truce_with": ""}, "symmetric": ["truce_with"], "entities": {},
                           "documents": {name: [] for name in texts}})
    assert ScoringView(g, gold).documents(statement) == set(texts)
    # the page lists the sentence once, with its three sources
    blob = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>',
                     (out / "graph.html").read_text(encoding="utf-8"), re.S).group(1)
    (relation,) = [r for r in json.loads(blob)["relations"].values() if r["relation"] == "truce_with"]
    assert (relation["count"], relation["sources"]) == (2, 4)
    copies = [ev for ev in relation["evidence"] if "".join(ev["parts"]) == WIRE]
    assert len(copies) == 1 and [src[0] for src in copies[0]["sources"]] == ["paper_a", "paper_b", "paper_c"]


@pytest.mark.slow
def test_removing_copies_of_a_sentence_keeps_the_others(syndicated, tmp_path):
    _, built, _ = syndicated
    out = tmp_path / "out"
    shutil.copytree(built, out)
    g = rdflib.Graph().parse(out / "graph.ttl")
    (ev,) = [ev for ev in g.subjects(RDF.type, KGO.Evidence) if str(g.value(ev, KGO.text)) == WIRE]
    (statement,) = [st for st in g.subjects(PROV.wasDerivedFrom, ev) if g.value(st, RDF.predicate) == KGO.truce_with]
    remove(["paper_a", "paper_b"], out, html=False)
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert {str(g.value(d, DCTERMS.identifier)) for d in g.objects(ev, DCTERMS.isPartOf)} == {"paper_c"}
    assert len(list(g.objects(ev, KGO.occurrence))) == 1
    assert (int(g.value(statement, KGO.sourceCount)), int(g.value(statement, KGO.evidenceCount))) == (2, 2)
    assert_one_truth(out)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_shows_a_syndicated_sentence_once_with_its_sources(browser_page, syndicated):
    _, out, _ = syndicated
    page = browser_page.page
    page.goto((out / "graph.html").as_uri())
    page.wait_for_function("() => window.kgReady === true", timeout=60_000)
    edge = page.evaluate("() => kgEdges.getIds().filter(id => kgEdgeLabel(id).startsWith('truce with'))[0]")
    assert page.evaluate("id => kgSelectEdge(id)", edge)
    panel = page.locator("#kg-panel")
    assert panel.locator(".kg-sentence", has_text=WIRE).count() == 1
    assert "2 evidence sentences from 4 documents" in panel.inner_text()
    item = panel.locator("li", has=page.locator(".kg-sentence", has_text=WIRE))
    assert item.locator(".kg-sources").inner_text() == "3 sources"
    assert item.locator("button.kg-doc-link").all_inner_texts() == ["paper_a", "paper_b", "paper_c"]
    # a document's own list shows the sentence too (once per relation it supports), and the filter keeps it
    assert page.evaluate("id => kgSelectDocument(id)", "paper_b")
    sections = panel.locator("section.kg-rel")
    shown = [sections.nth(i).locator(".kg-sentence", has_text=WIRE).count() for i in range(sections.count())]
    assert shown and set(shown) == {1}
    page.evaluate("id => kgSetDocumentFilter(id)", "paper_c")
    assert page.evaluate("id => !kgEdges.get(id).hidden", edge)
    assert browser_page.errors == []


# ---------------------------------------------------------------------------
# 6. random sequences of add, update, remove and prune (hypothesis)
# ---------------------------------------------------------------------------

NAMES = sorted(ARTICLES)
OPERATIONS = st.one_of(
    st.tuples(st.just("add"), st.frozensets(st.sampled_from(NAMES), min_size=1, max_size=3)),
    st.tuples(st.just("update"), st.sampled_from(NAMES)),
    st.tuples(st.just("remove"), st.frozensets(st.sampled_from(NAMES), min_size=1, max_size=2)),
    st.tuples(st.just("prune"), st.frozensets(st.sampled_from(NAMES), min_size=1, max_size=4)),
)


class _Memo:
    """``kg.engines.extract_batch`` that parses each document (id, path, bytes) once per session.

    The spaCy parse is what a build costs; the property is about what the
    store does with the results, so incremental and clean builds share them.
    """

    def __init__(self):
        self.real = kg.engines.extract_batch
        self.done: dict = {}

    def __call__(self, documents, model=None):
        key = lambda doc: (doc.id, doc.path, doc.sha256, getattr(doc, "number", None))  # noqa: E731
        missing = [doc for doc in documents if key(doc) not in self.done]
        if missing:
            for doc, result in zip(missing, self.real(missing, model)):
                self.done[key(doc)] = result
        return [self.done[key(doc)] for doc in documents]


@pytest.fixture(scope="module")
def sequences(tmp_path_factory, nlp):
    """A folder for the files and outputs, clean builds by set of documents, the memo of parses
    (spaCy loaded before the test, so that the collector leaves it out, see conftest)."""
    return tmp_path_factory.mktemp("sequences"), {}, _Memo()


@pytest.mark.slow
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=5))
def test_any_sequence_of_commands_leaves_the_graph_of_a_clean_build(sequences, operations):
    from unittest import mock

    work, clean, memo = sequences
    inputs, out = work / "in", work / "out"
    shutil.rmtree(out, ignore_errors=True)
    versions: dict[str, int] = {}  # each file's version on disk
    graph: dict[str, int] = {}  # what the graph should hold: document -> version

    def files(names) -> list[Path]:
        for name in names:
            write(inputs, [name], version=versions.setdefault(name, 0))
        return [inputs / f"{name}.txt" for name in sorted(names)]

    with mock.patch.object(kg.engines, "extract_batch", memo):
        for kind, arg in operations:
            if kind == "add":
                kg.build(files(arg), out, html=False, validate=False)
                graph.update({name: versions[name] for name in arg})
            elif kind == "update":
                versions[arg] = versions.get(arg, 0) + 1
                report = kg.build(files([arg]), out, html=False, validate=False)
                assert (report.updated, report.added) == ((1, 0) if arg in graph else (0, 1))
                graph[arg] = versions[arg]
            elif kind == "remove":
                if not out.exists() or not arg <= set(graph):
                    if out.exists():
                        with pytest.raises(UnknownDocumentError):  # nothing removed
                            remove(sorted(arg), out, html=False, validate=False)
                    continue
                report = remove(sorted(arg), out, html=False, validate=False)
                assert sorted(r.id for r in report.removed_documents) == sorted(arg)
                for name in arg:
                    del graph[name]
            else:  # prune
                report = kg.build(files(arg), out, html=False, validate=False, prune=True)
                assert sorted(r.id for r in report.removed_documents) == sorted(set(graph) - arg)
                graph = {name: versions[name] for name in arg}
            # after every step: one truth, and the graph of the same documents built from nothing
            assert_one_truth(out)
            state = frozenset(graph.items())
            if state not in clean:
                where = work / f"clean-{len(clean)}"
                clean[state] = (clean_build([inputs / f"{name}.txt" for name in sorted(graph)], where),
                                store_triples(where))
            expected_ttl, expected_triples = clean[state]
            assert (out / "graph.ttl").read_bytes() == expected_ttl, (operations, kind, arg)
            assert store_triples(out) == expected_triples
            with Store.open(out / "store", read_only=True) as store:
                assert store.graph_names() == sorted(graph) and store.staged() == []
