"""The on-disk store: per-document graphs, incremental builds, locking."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.errors import QueryTimeoutError, StoreError, StoreLockedError
from kg.derived import add_derived
from kg.rdf import GraphBuilder, new_graph, turtle_bytes
from kg.query import query_store
from kg.records import Claim, Document, Entity, Span
from kg.store import Store, document_graph
from kg.vocab import KGO, entity_iri, statement_iri

ROOT = Path(__file__).resolve().parents[1]
ENTITIES = {
    "sdf": Entity("sdf", "Syrian Democratic Forces", ("ArmedGroup",)),
    "isis": Entity("isis", "Islamic State", ("ArmedGroup",)),
    "raqqa": Entity("raqqa", "Raqqa", ("Place",), lat=35.95, long=39.0),
}
NAMES = {"sdf": {"SDF"}, "isis": {"ISIS", "Daesh"}, "raqqa": {"Raqqah"}}


def fragment(doc_id: str, text: str, claims: list[tuple[str, str, str]], sha: str = "") -> tuple:
    """A document's graph as the pipeline makes it, and its records."""
    doc = Document(id=doc_id, path=f"in/{doc_id}.txt", text=text, body=text, sha256=sha or f"{doc_id:0<64}"[:64])
    builder = GraphBuilder()
    builder.add_document(doc)
    records = [Claim(s, r, o, doc=doc_id, sentence=Span(0, len(text)), text=text) for s, r, o in claims]
    builder.add_claims(records, ENTITIES, NAMES)
    return builder.graph, doc


def in_memory(*graphs) -> bytes:
    union = new_graph()
    for graph in graphs:
        union += graph
    return turtle_bytes(add_derived(union))


TRUCE = ("sdf", "truce_with", "isis")
CAPTURE = ("sdf", "captured", "raqqa")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "store") as opened:
        yield opened


def test_replacing_twice_duplicates_nothing(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    store.replace_document("d1", g1)
    size = len(store)
    store.replace_document("d1", g1)
    assert len(store) == size
    assert turtle_bytes(store.union_graph()) == in_memory(g1)


def test_union_matches_the_in_memory_graph_byte_for_byte(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE, CAPTURE])
    g2, _ = fragment("d2", "The truce between the SDF and Daesh held.", [TRUCE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    assert turtle_bytes(store.union_graph()) == in_memory(g1, g2)
    # Equal as rdflib terms too: kg writes decimals canonically, as Oxigraph keeps them.
    assert set(store.union_graph()) == set(add_derived(g1 + g2))
    decimal = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    assert Literal("39", datatype=decimal) in set(store.union_graph().objects())


def test_the_same_triple_from_two_documents_shares_one_statement(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    g2, _ = fragment("d2", "The truce between the SDF and Daesh held.", [TRUCE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    union = store.union_graph()
    statement = statement_iri("isis", "truce_with", "sdf")
    assert len(list(union.objects(statement, PROV.wasDerivedFrom))) == 2
    assert union.value(statement, KGO.sourceCount) == Literal(2)
    assert len(list(union.subjects(RDF.type, RDF.Statement))) == 1


def test_removing_a_document_removes_exactly_its_evidence(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE, CAPTURE])
    g2, _ = fragment("d2", "The truce between the SDF and Daesh held.", [TRUCE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    store.remove_document("d1")
    union = store.union_graph()
    assert turtle_bytes(union) == in_memory(g2)
    # The capture only d1 supported is gone; the truce stays with d2's evidence.
    assert (entity_iri("sdf"), KGO.captured, entity_iri("raqqa")) not in union
    assert (entity_iri("isis"), KGO.truce_with, entity_iri("sdf")) in union
    assert union.value(statement_iri("isis", "truce_with", "sdf"), KGO.evidenceCount) == Literal(1)
    store.remove_document("d2")
    assert len(store.union_graph()) == 0 and len(store) == 0


def test_replacing_a_document_keeps_what_others_support(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE, CAPTURE])
    g2, _ = fragment("d2", "The SDF took Raqqa.", [CAPTURE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    g1b, _ = fragment("d1", "SDF and ISIS agreed a truce!", [TRUCE], sha="f" * 64)
    store.replace_document("d1", g1b)
    assert turtle_bytes(store.union_graph()) == in_memory(g1b, g2)
    # Each document graph holds only its own triples.
    per_graph = {}
    for s, p, o, g in store.quads():
        per_graph.setdefault(g, set()).add((s, p, o))
    assert per_graph[document_graph("d1")] == set(g1b)
    assert per_graph[document_graph("d2")] == set(g2)


def test_documents_and_hashes_come_from_the_document_nodes(store):
    g1, doc = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    store.replace_document("d1", g1)
    assert store.document_hashes() == {"d1": doc.sha256}
    stored = store.documents()["d1"]
    assert stored.ids == {"d1"} and stored.paths == {"in/d1.txt"}
    assert store.graph_names() == ["d1"]


def test_query_runs_over_the_union_without_duplicates(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    g2, _ = fragment("d2", "The truce between the SDF and Daesh held.", [TRUCE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s kgo:truce_with ?o }")
    assert result.rows == [(Literal(1),)]
    per_doc = store.query("SELECT ?g WHERE { GRAPH ?g { ?s kgo:truce_with ?o } } ORDER BY ?g")
    assert [row[0] for row in per_doc.rows] == [document_graph("d1"), document_graph("d2")]


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_rdflib_dataset_sees_the_union(store):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    store.replace_document("d1", g1)
    dataset = store.rdflib_dataset()
    rows = list(dataset.query("SELECT ?o WHERE { ?s <https://w3id.org/kg-conflict/ontology#truce_with> ?o }"))
    assert [row[0] for row in rows] == [entity_iri("sdf")]


def test_meta_and_clear(store):
    store.set_meta({"fingerprint": "abc"})
    assert store.meta()["fingerprint"] == "abc"
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    store.replace_document("d1", g1)
    store.clear()
    assert len(store) == 0 and "fingerprint" not in store.meta()


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no kg store here"):
        Store.open(tmp_path / "nothing", read_only=True)
    with pytest.raises(StoreError, match="no kg store here"):
        Store.open(tmp_path / "nothing", create=False)


def test_read_only_store_refuses_writes(tmp_path):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    with Store.open(tmp_path / "store") as store:
        store.replace_document("d1", g1)
    with Store.open(tmp_path / "store", read_only=True) as store:
        assert len(store.union_graph()) == len(add_derived(g1 + new_graph()))
        with pytest.raises(StoreError, match="read-only"):
            store.remove_document("d1")


LOCK_PROBE = textwrap.dedent("""
    import sys
    from kg.errors import StoreLockedError
    from kg.store import Store
    try:
        Store.open(sys.argv[1], read_only=sys.argv[2] == "ro").close()
    except StoreLockedError as exc:
        print("LOCKED", exc)
    else:
        print("OPENED")
""")


def probe(path: Path, mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(path), mode],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_writer_gets_a_clean_locked_error(tmp_path):
    import os

    path = tmp_path / "store"
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    with Store.open(path) as store:
        store.replace_document("d1", g1)
        message = probe(path, "rw")
        assert message == (f"LOCKED {path}: store is locked: another kg process (pid {os.getpid()}) is writing "
                           "to it; wait until it has finished")
        assert probe(path, "ro").startswith("LOCKED")  # no reader while a build writes
        with pytest.raises(StoreLockedError):  # same process, second handle
            Store.open(path)
    assert probe(path, "rw") == "OPENED"
    with Store.open(path, read_only=True):
        assert probe(path, "ro") == "OPENED"  # readers share
        assert probe(path, "rw").startswith("LOCKED")
    with Store.open(path) as store:  # the data survived all of it
        assert turtle_bytes(store.union_graph()) == in_memory(g1)


def test_query_timeout_really_stops_the_query(tmp_path):
    graph = new_graph()
    for i in range(400):
        graph.add((URIRef(f"https://example.org/s{i}"), DCTERMS.title, Literal(f"t{i}")))
    with Store.open(tmp_path / "store") as store:
        store.replace_document("big", graph)
        with pytest.raises(QueryTimeoutError, match="time limit of 1 s"):
            query_store(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
                        timeout=1)
        quick = query_store(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c }", timeout=30)
        assert quick.rows == [(Literal(400),)]


# --------------------------------------------------------------------------
# Incremental builds of the seeds (spaCy)
# --------------------------------------------------------------------------

def evidence_by_document(store: Store) -> dict[str, set]:
    out: dict[str, set] = {}
    for s, p, o, g in store.quads():
        out.setdefault(str(g), set()).add((s, p, o))
    return out


@pytest.mark.slow
def test_incremental_builds_replace_exactly_the_changed_documents(tmp_path):
    from kg.pipeline import build

    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    out = tmp_path / "out"
    first = build([seeds], out, html=False)
    assert first.skipped == 0 and first.documents == 5
    key = lambda path: str(document_graph(path.stem))  # noqa: E731
    ttl = (out / "graph.ttl").read_bytes()
    with Store.open(out / "store", read_only=True) as store:
        before = evidence_by_document(store)

    again = build([seeds], out, html=False)  # nothing changed: nothing parsed
    assert (again.documents, again.skipped, again.sentences) == (5, 5, 0)
    assert (out / "graph.ttl").read_bytes() == ttl
    assert "5 documents in the graph (0 added, 0 updated, 0 removed, 5 unchanged)" in again.summary()

    changed, deleted = sorted(seeds.iterdir())[1], sorted(seeds.iterdir())[2]
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("\nThe SDF and Hezbollah agreed a truce in Raqqa on Monday.\n")
    deleted.unlink()
    kept = build([seeds], out, html=False)  # a file gone from the inputs: its document stays
    assert (kept.documents, kept.skipped, kept.updated, kept.removed, kept.in_graph) == (4, 3, 1, 0, 5)
    with Store.open(out / "store", read_only=True) as store:
        assert key(deleted) in evidence_by_document(store)
    third = build([seeds], out, html=False, prune=True)  # --prune: the graph mirrors the inputs
    assert (third.documents, third.skipped, third.removed, third.in_graph) == (4, 4, 1, 4)
    assert [r.id for r in third.removed_documents] == [deleted.stem]
    with Store.open(out / "store", read_only=True) as store:
        after = evidence_by_document(store)
        union = store.union_graph()
    assert key(deleted) not in after
    assert after[key(changed)] != before[key(changed)]
    for name in set(before) - {key(changed), key(deleted)}:
        assert after[name] == before[name], f"{name} changed although its file did not"
    assert not any(str(o).startswith(f"https://w3id.org/kg-conflict/id/document/{deleted.stem}")
                   for o in union.objects())

    scratch = build([seeds], tmp_path / "scratch", html=False)  # same inputs, from nothing
    assert scratch.skipped == 0
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "scratch" / "graph.ttl").read_bytes()
    assert (third.entities, third.relation_triples) == (scratch.entities, scratch.relation_triples)

    # A different extractor (code, dictionaries or spaCy model) re-reads every file.
    with Store.open(out / "store") as store:
        store.set_meta({"fingerprint": "another extractor"})
    fourth = build([seeds], out, html=False)
    assert (fourth.documents, fourth.skipped, fourth.updated) == (4, 0, 4)
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "scratch" / "graph.ttl").read_bytes()


def test_a_store_from_an_unfinished_build_is_rebuilt_from_empty(tmp_path):
    """No fingerprint (a first build killed half-way): stray triples do not survive."""
    import pyoxigraph as ox

    from kg.pipeline import build

    out = tmp_path / "out"
    build([ROOT / "seeds"], out, html=False, validate=False)
    expected = (out / "graph.ttl").read_bytes()
    stray = ox.Quad(ox.NamedNode("https://w3id.org/kg-conflict/id/entity/stray"),
                    ox.NamedNode(str(KGO.backs)), ox.NamedNode("https://w3id.org/kg-conflict/id/entity/sdf"))
    with Store.open(out / "store") as store:
        store.set_meta({})  # as if the build had been killed before the end
        store._store().add(stray)  # half of a bulk load: in the union, in no document graph
        store._store().add(ox.Quad(stray.subject, stray.predicate, stray.object,
                                   ox.NamedNode(str(document_graph("half-written")))))
    again = build([ROOT / "seeds"], out, html=False, validate=False)
    assert (again.skipped, again.removed) == (0, 0)  # nothing trusted, nothing left to remove
    assert (out / "graph.ttl").read_bytes() == expected
    with Store.open(out / "store", read_only=True) as store:
        assert "half-written" not in store.graph_names()
        assert not list(store._store().quads_for_pattern(stray.subject, None, None))


def test_load_documents_fills_graphs_and_union_like_replace_document(tmp_path):
    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    g2, _ = fragment("d2", "SDF captured Raqqa.", [CAPTURE, TRUCE])
    with Store.open(tmp_path / "one") as one, Store.open(tmp_path / "bulk") as bulk:
        one.replace_document("d1", g1)
        one.replace_document("d2", g2)
        from kg.store import ntriples

        bulk.load_documents([("d1", ntriples(g1)), ("d2", ntriples(g2) + "\n")])
        bulk.load_documents([])
        bulk.refresh_derived()  # the bulk loader leaves the derived triples to the caller
        assert sorted(map(str, one._store())) == sorted(map(str, bulk._store()))
        assert turtle_bytes(bulk.database()) == turtle_bytes(one.database()) == in_memory(g1, g2)
        # and a bulk-loaded document is replaced like any other
        bulk.replace_document("d2", g1)
        assert turtle_bytes(bulk.database()) == in_memory(g1)


def test_the_databases_default_graph_holds_the_union_graph_with_counts(store):
    """What kg build exports from: the on-disk store's default graph, read where it is."""
    import pyoxigraph as ox

    g1, _ = fragment("d1", "SDF and ISIS agreed a truce.", [TRUCE])
    g2, _ = fragment("d2", "SDF captured Raqqa.", [CAPTURE, TRUCE])
    store.replace_document("d1", g1)
    store.replace_document("d2", g2)
    union = store.database().quads_for_pattern(None, None, None, ox.DefaultGraph())
    from kg.store import from_oxigraph

    triples = {tuple(from_oxigraph(t) for t in quad.triple) for quad in union}
    assert triples == set(store.union_graph())
    counts = {str(s): int(o) for s, p, o in triples if p == KGO.evidenceCount}
    truce = statement_iri("isis", "truce_with", "sdf")  # a symmetric relation: ends in IRI order
    assert counts == {str(truce): 2, str(statement_iri("sdf", "captured", "raqqa")): 1}


def test_the_page_read_through_graph_view_is_the_page_of_graph_ttl(seeds_dir, tmp_path):
    """kg build draws graph.html from the store's union (GraphView): same bytes as from rdflib."""
    from rdflib import Graph

    from kg.html import render_html
    from kg.store import GraphView

    render_html(Graph().parse(seeds_dir / "graph.ttl"), tmp_path / "from-rdflib.html")
    assert (tmp_path / "from-rdflib.html").read_bytes() == (seeds_dir / "graph.html").read_bytes()
    with Store.open(seeds_dir / "store", read_only=True) as store:
        view = GraphView(store.database())
        assert len(view) == len(Graph().parse(seeds_dir / "graph.ttl"))
        sdf = URIRef("https://w3id.org/kg-conflict/id/entity/sdf")
        assert set(view.objects(sdf, RDF.type)) == {KGO.ArmedGroup}
        assert all(s == sdf for s, _, _ in view.triples((sdf, None, None)))


# --------------------------------------------------------------------------
# A damaged or foreign store: one line, naming the folder and what to do
# --------------------------------------------------------------------------

def _small_store(path: Path) -> None:
    with Store.open(path) as store:
        for doc in range(3):
            graph = new_graph()
            for i in range(200):
                graph.add((entity_iri(f"e{doc}_{i}"), KGO.backs, entity_iri(f"e{doc}_{i + 1}")))
            store.replace_document(f"doc{doc}", graph)
        store.set_meta({"fingerprint": "x"})
        store._store().optimize()  # sorted tables on disk


def _truncate_a_table(store: Path) -> None:
    table = sorted(store.glob("*.sst"), key=lambda p: p.stat().st_size)[-1]
    with table.open("r+b") as handle:
        handle.truncate(table.stat().st_size // 3)


def _drop_current(store: Path) -> None:
    (store / "CURRENT").unlink()


def _foreign(store: Path) -> None:
    shutil.rmtree(store)
    store.mkdir()
    (store / "CURRENT").write_text("MANIFEST-000001\n")
    (store / "MANIFEST-000001").write_bytes(b"\x00not a database\xff" * 10)


@pytest.mark.parametrize("damage", [_truncate_a_table, _drop_current, _foreign])
def test_a_damaged_store_is_one_line_with_what_to_do(tmp_path, damage):
    from click.testing import CliRunner

    from kg.cli import EXIT_FAILED, cli

    out = tmp_path / "out"
    _small_store(out / "store")
    assert list((out / "store").glob("*.sst"))
    damage(out / "store")
    (tmp_path / "a.txt").write_text("The SDF captured Raqqa from Islamic State.\n")
    runner = CliRunner()
    for args in (["query", "--store", str(out / "store"), "--sparql", "ASK { ?s ?p ?o }"],
                 ["build", str(tmp_path / "a.txt"), "--out", str(out), "--no-html"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == EXIT_FAILED, (args[0], result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args[0], result.stderr)
        assert lines[0].startswith(f"kg: error: {out / 'store'}: the store is damaged"), lines[0]
        assert "build into a new folder" in lines[0] and "Traceback" not in result.output
    with pytest.raises(StoreError, match="damaged"):
        Store.open(out / "store", read_only=True)


def test_the_fingerprint_covers_the_rules_in_subpackages(tmp_path):
    """A changed rule of kg/extract/ or kg/linking/ re-reads every file (the stored graphs came from the old one)."""
    from kg.store import extraction_fingerprint

    package = Path(__file__).resolve().parents[1] / "kg"
    copy = tmp_path / "kg"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    same = extraction_fingerprint("m", package=copy)
    assert same == extraction_fingerprint("m")
    for changed in ("extract/reader.py", "linking/names.py", "rdf.py"):
        with (copy / changed).open("a", encoding="utf-8") as handle:
            handle.write("\n# changed\n")
        assert extraction_fingerprint("m", package=copy) != same, changed
        same = extraction_fingerprint("m", package=copy)
    for unchanged in ("html.py", "shacl/run.py", "diagnose/causes.py", "server.py"):
        with (copy / unchanged).open("a", encoding="utf-8") as handle:
            handle.write("\n# changed\n")
        assert extraction_fingerprint("m", package=copy) == same, unchanged


def test_a_store_of_another_layout_is_refused_and_left_closed(tmp_path):
    """Refusing a store of another format closes its database at once: the error that says so
    (and any traceback kept of it) holds no open handle, so the folder can be opened again."""
    import json

    import pyoxigraph as ox

    path = tmp_path / "store"
    with Store.open(path):
        pass
    (path / "kg-store.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    try:
        Store.open(path)
    except StoreError as exc:
        kept = exc  # a caller that keeps the error keeps its traceback and the frames in it
    else:
        pytest.fail("a store of another layout was opened")
    assert "another layout" in str(kept)
    reopened = ox.Store(str(path))  # RocksDB refuses a second writer while the first handle lives
    del reopened
