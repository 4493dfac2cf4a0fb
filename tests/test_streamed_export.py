"""The end of a build reads the on-disk store: no copy of the union in memory.

``graph.ttl`` is streamed from the store subject by subject and must be the
bytes the whole-graph writer (every triple in memory, sorted, one call of
Oxigraph's Turtle writer: what ``kg build`` did before) gives; each
document's graph is checked against the shapes before it is stored, and one
that breaks them is left out and named while the rest of the build goes on;
what needs the union is checked in the store, naming the documents involved.
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.engines
from kg.errors import ValidationError
from kg.pipeline import build
from kg.rdf import TURTLE_PREFIXES, turtle_chunks
from kg.store import Store
from kg.validate import validate_path
from kg.vocab import VALIDATION_GRAPHS
from benchload import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _whole_graph_turtle(database) -> bytes:
    """The Turtle writer kg build used before streaming: the union copied into memory, every
    triple sorted at once, one call of Oxigraph's writer (the reference the stream must equal)."""
    from rdflib import RDF

    union = ox.Store()
    union.extend(ox.Quad(q.subject, q.predicate, q.object)
                 for q in database.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    rdf_type = ox.NamedNode(str(RDF.type))
    triples = sorted((q.triple for q in union), key=lambda t: (str(t.subject), t.predicate != rdf_type,
                                                              str(t.predicate), str(t.object)))
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(TURTLE_PREFIXES))
    lines = body.split(b"\n")
    start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    header = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in TURTLE_PREFIXES).encode("utf-8")
    blocks = b"\n".join(lines[start:]).replace(b" .\n", b" .\n\n").rstrip(b"\n")
    return header + (b"\n" + blocks + b"\n" if blocks else b"")



@pytest.mark.slow
def test_graph_ttl_of_a_generated_corpus_is_what_the_whole_graph_writer_writes(tmp_path):
    load_benchmark("corpus").write_corpus(tmp_path / "gen", 40)
    out = tmp_path / "out"
    build([tmp_path / "gen"], out, html=False, jobs=1)
    written = (out / "graph.ttl").read_bytes()
    with Store.open(out / "store", read_only=True) as store:
        database = store.database()
        assert written == _whole_graph_turtle(database)
        assert written.count(b"\n\n") > 500  # a graph of many subjects, not a trivial one
        for size in (1, 7, 5000):  # where the chunks of subjects end does not show
            assert b"".join(turtle_chunks(database, subjects_per_chunk=size)) == written


def test_graph_ttl_of_the_seeds_is_what_the_whole_graph_writer_writes(seeds_dir):
    with Store.open(seeds_dir / "store", read_only=True) as store:
        assert (seeds_dir / "graph.ttl").read_bytes() == _whole_graph_turtle(store.database())


def test_an_empty_store_gives_the_prefixes_alone(tmp_path):
    with Store.open(tmp_path / "store") as store:
        assert b"".join(turtle_chunks(store.database())) == _whole_graph_turtle(store.database())
        assert b"".join(turtle_chunks(store.database())).count(b"\n") == len(TURTLE_PREFIXES)


def test_the_store_is_not_copied_into_memory_any_more():
    """The one copy of the union the export made is gone from the store's API."""
    assert not hasattr(Store, "union_store")


# --------------------------------------------------------------------------
# Checking each document's graph, and the union
# --------------------------------------------------------------------------

class _Edited:
    """A real engine whose N-Triples for some documents are edited on the way back, as a bug
    in extraction would leave them: ``edit(key, text)`` gives the text to store."""

    def __init__(self, engine, edit):
        self.engine, self.edit = engine, edit

    def info(self):
        return self.engine.info()

    def map(self, batches):
        for batch, results in self.engine.map(batches):
            yield batch, [dataclasses.replace(r, ntriples=self.edit(r.key, r.ntriples)) for r in results]

    def close(self):
        self.engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _editing(monkeypatch, edit) -> None:
    real = kg.engines.make_engine
    monkeypatch.setattr(kg.engines, "make_engine", lambda *a, **k: _Edited(real(*a, **k), edit))


def _without_labels(keys):
    def edit(key: str, text: str) -> str:
        if key not in keys:
            return text
        return "\n".join(line for line in text.split("\n") if LABEL not in line)
    return edit


def _seed_files(folder: Path, names) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(SEEDS / name, folder / name)) for name in names]


@pytest.mark.slow
def test_a_document_whose_graph_breaks_the_shapes_is_left_out_and_named(tmp_path, monkeypatch):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    docs = tmp_path / "docs"
    _seed_files(docs, names[:3])
    out = tmp_path / "out"
    build([docs], out, html=False, jobs=1)
    with Store.open(out / "store", read_only=True) as store:
        hashes = store.document_hashes()
    changed, new_bad, new_good = names[0], names[3], names[4]
    with open(docs / changed, "a", encoding="utf-8") as handle:
        handle.write("\n\nThe SDF later captured Tabqa, a monitor said.\n")
    _seed_files(docs, [new_bad, new_good])
    bad = {Path(changed).stem, Path(new_bad).stem}
    _editing(monkeypatch, _without_labels(bad))

    report = build([docs], out, html=False, jobs=1)

    assert set(report.invalid) == bad
    messages = {Path(r.path).name: r.reason for r in report.rejected}
    assert set(messages) == {changed, new_bad}
    for reason in messages.values():
        assert "its graph breaks the RDF contract (ontology/shapes.ttl)" in reason
        assert "entity needs exactly one rdfs:label" in reason
    assert "keeps its previous graph" in messages[changed] and "previous" not in messages[new_bad]
    assert all("Conforms: False" in found.text for found in report.invalid.values())  # pySHACL's report
    assert (report.added, report.updated) == (1, 0)  # the good new document went in
    with Store.open(out / "store", read_only=True) as store:
        assert store.graph_names() == sorted(Path(n).stem for n in (*names[:3], new_good))
        assert store.document_hashes()[Path(changed).stem] == hashes[Path(changed).stem]  # its old graph
    assert validate_path(out).conforms
    assert Path(new_good).stem.encode() in (out / "graph.ttl").read_bytes()
    assert Path(new_bad).stem.encode() not in (out / "graph.ttl").read_bytes()

    monkeypatch.undo()  # extraction mended: the documents left out go in at the next build
    again = build([docs], out, html=False, jobs=1)
    assert (again.added, again.updated, again.rejected) == (1, 1, [])


@pytest.mark.slow
def test_a_document_left_out_when_the_extractor_changed_keeps_no_graph_of_the_old_one(tmp_path, monkeypatch):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))[:3]
    docs = tmp_path / "docs"
    _seed_files(docs, names)
    out = tmp_path / "out"
    build([docs], out, html=False, jobs=1)
    with Store.open(out / "store") as store:
        store.update_meta(fingerprint="made by another version of the extractor")
    _editing(monkeypatch, _without_labels({Path(names[1]).stem}))
    report = build([docs], out, html=False, jobs=1)
    assert [Path(r.path).name for r in report.rejected] == [names[1]]
    assert "made by another version of kg's extractor, was taken out" in report.rejected[0].reason
    assert report.updated == 2
    with Store.open(out / "store", read_only=True) as store:
        assert store.graph_names() == sorted(Path(n).stem for n in (names[0], names[2]))
    assert validate_path(out).conforms


@pytest.mark.slow
def test_a_first_build_goes_on_without_the_document_that_breaks_the_shapes(tmp_path, monkeypatch):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))[:3]
    docs = tmp_path / "docs"
    _seed_files(docs, names)
    _editing(monkeypatch, _without_labels({Path(names[1]).stem}))
    report = build([docs], tmp_path / "out", jobs=1)
    assert [Path(r.path).name for r in report.rejected] == [names[1]]
    assert report.added == 2 and report.in_graph == 2
    assert validate_path(tmp_path / "out").conforms
    assert (tmp_path / "out" / "graph.html").is_file()


@pytest.mark.slow
def test_what_only_the_union_breaks_is_reported_naming_its_documents(tmp_path, monkeypatch):
    """Two documents naming one entity differently: each graph conforms, their union does not
    (one rdfs:label an entity); the build stops before the outputs, which stay as they were."""
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    docs = tmp_path / "docs"
    _seed_files(docs, names[:2])
    out = tmp_path / "out"
    build([docs], out, html=False, jobs=1)
    before = (out / "graph.ttl").read_bytes()
    with Store.open(out / "store", read_only=True) as store:
        holders = set(store.documents_holding(["https://w3id.org/kg-conflict/id/entity/isis"]))
    assert holders  # the seeds name ISIS
    _seed_files(docs, [names[2]])
    renamed = Path(names[2]).stem

    def rename(key: str, text: str) -> str:
        if key != renamed:
            return text
        return "\n".join(line.replace('"Islamic State"', '"Islamic State of Iraq"')
                         if line.startswith("<https://w3id.org/kg-conflict/id/entity/isis> " + LABEL) else line
                         for line in text.split("\n"))

    _editing(monkeypatch, rename)
    with pytest.raises(ValidationError) as info:
        build([docs], out, html=False, jobs=1)
    message = str(info.value)
    assert "the built graph breaks the RDF contract" in message and "kgr:entity/isis rdfs:label" in message
    assert renamed in message.split("documents holding these nodes:")[1]
    assert not info.value.report.conforms and "Conforms: False" in info.value.report.text
    assert (out / "graph.ttl").read_bytes() == before


def test_a_check_killed_half_way_leaves_nothing_the_next_writer_keeps(tmp_path):
    name = ox.NamedNode(VALIDATION_GRAPHS + "left-by-a-killed-check")
    with Store.open(tmp_path / "store") as store:
        store.database().add(ox.Quad(ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p"),
                                     ox.Literal("x"), name))
        store.discard_staged()
        assert name not in list(store.database().named_graphs())
