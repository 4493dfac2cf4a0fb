"""Scale: streaming through the pipeline, local processes, the Dask engine.

The graph must not depend on where or in how many processes extraction runs
(same graph.ttl bytes), and a build must hold only a few batches of
documents and parses at a time, however many files there are.
"""
from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
import kg.engines
import kg.ingest
from kg.cli import EXIT_USAGE, cli
from kg.engines import AUTO_JOBS_MIN_DOCUMENTS, ProcessEngine, auto_jobs, extract_batch, make_engine
from kg.errors import KgError
from kg.records import Document

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ACTORS = ("The Syrian Democratic Forces", "Islamic State", "Hezbollah", "The Syrian army", "Jaish al-Islam",
          "The Free Syrian Army")
PLACES = ("Raqqa", "Hasaka", "Deir Ezzor", "Idlib", "Aleppo", "Homs")


def _article(i: int) -> str:
    a, b = ACTORS[i % len(ACTORS)], ACTORS[(i + 1) % len(ACTORS)]
    place = PLACES[i % len(PLACES)]
    return (f"{a} and {b.removeprefix('The ')} agree truce near {place}\n\n"
            f"BEIRUT (Reuters) - {a} reached a truce with {b.lower() if b.startswith('The') else b} "
            f"near {place} on day {i}, a monitor said.\n\n"
            f"{a} later captured the town of {PLACES[(i + 2) % len(PLACES)]}.\n")


#: Documents of the small corpus: eight batches of four, and many more than the workers' window.
CORPUS = 32


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(CORPUS):
        (folder / f"article_{i:03d}.txt").write_text(_article(i), encoding="utf-8")
    return folder


def _live(*kinds) -> list[int]:
    """How many objects of each kind are alive (of those made since :func:`_young_objects_only`)."""
    gc.collect()
    counts = dict.fromkeys(kinds, 0)
    for o in gc.get_objects():
        if type(o) in counts:
            counts[type(o)] += 1
    return [counts[kind] for kind in kinds]


@pytest.fixture
def _young_objects_only():
    """Garbage collected, then objects made before the test frozen out of the collector's view
    (``gc.freeze``; the conftest lets them go at the next file): counting the live ones scans only
    what the test made, not the whole heap of the session (spaCy's pipeline, other tests' graphs),
    which made each count take seconds; and no Doc of an earlier test is counted."""
    gc.collect()
    gc.freeze()


# --------------------------------------------------------------------------
# streaming
# --------------------------------------------------------------------------

@pytest.mark.slow
def test_the_pipeline_streams_one_batch_at_a_time(small_corpus, tmp_path, monkeypatch, _young_objects_only):
    """32 documents, batches of 4: at every extraction at most one batch of
    parsed Docs is alive, files are read only as their batch comes up, and
    the Documents held stay a small multiple of the batch."""
    from spacy.tokens import Doc

    batch = 4
    reads: list[Path] = []
    seen: list[tuple[int, int, int]] = []  # (files read, live Docs, live Documents) per extraction
    read_document = kg.ingest.read_document
    extract_document = kg.engines.extract_document

    def counting_read(path, **kwargs):
        reads.append(Path(path))
        return read_document(path, **kwargs)

    def watching_extract(parsed, document, *args, **kwargs):
        seen.append((len(reads), *_live(Doc, Document)))
        return extract_document(parsed, document, *args, **kwargs)

    monkeypatch.setattr(kg.ingest, "read_document", counting_read)
    monkeypatch.setattr(kg.engines, "extract_document", watching_extract)
    report = kg.build([small_corpus], tmp_path / "out", html=False, validate=False, jobs=1, batch_size=batch)

    assert report.documents == CORPUS and len(reads) == CORPUS and len(seen) == CORPUS
    assert report.relation_triples > 0
    assert max(docs for _, docs, _ in seen) <= batch, "more than one batch of parses alive"
    assert max(documents for _, _, documents in seen) <= 2 * batch, "documents piled up"
    # the i-th extraction (0-based) happens once its batch, and no more than the next one, is read
    for i, (read, _, _) in enumerate(seen):
        assert read <= (i // batch + 2) * batch, f"extraction {i}: {read} files already read"
    assert seen[0][0] <= batch


@pytest.mark.slow
def test_local_workers_get_bounded_work(small_corpus, tmp_path, monkeypatch):
    """With worker processes, input is read only a few batches ahead of the results."""
    reads: list[Path] = []
    read_document = kg.ingest.read_document
    first_result: list[int] = []

    def counting_read(path, **kwargs):
        reads.append(Path(path))
        return read_document(path, **kwargs)

    monkeypatch.setattr(kg.ingest, "read_document", counting_read)
    report = kg.build([small_corpus], tmp_path / "out", html=False, validate=False, jobs=2, batch_size=2,
                      on_document=lambda _doc: first_result.append(len(reads)) if not first_result else None)
    assert report.documents == CORPUS
    window = 2 * 2  # batches in flight: twice the workers
    assert first_result[0] <= (window + 1) * 2 < CORPUS


def test_batches_are_cut_lazily():
    from kg.pipeline import _batches

    taken = []

    def items():
        for i in range(10):
            taken.append(i)
            yield i

    batches = _batches(items(), 3)
    assert next(batches) == [0, 1, 2] and taken == [0, 1, 2]
    assert list(batches) == [[3, 4, 5], [6, 7, 8], [9]]


# --------------------------------------------------------------------------
# jobs and engines
# --------------------------------------------------------------------------

def test_auto_jobs_is_one_for_small_inputs():
    assert auto_jobs(0) == auto_jobs(AUTO_JOBS_MIN_DOCUMENTS) == 1
    assert 1 <= auto_jobs(AUTO_JOBS_MIN_DOCUMENTS + 1) <= kg.engines.MAX_AUTO_JOBS


def test_engine_choices_are_checked():
    with pytest.raises(KgError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(KgError, match="--scheduler goes with --engine dask"):
        make_engine("local", scheduler="tcp://localhost:8786")
    with pytest.raises(KgError, match="jobs"):
        make_engine("local", jobs=-1)


def test_cli_options(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(SEEDS), "--out", str(tmp_path), "--scheduler", "tcp://x:1"])
    assert result.exit_code == EXIT_USAGE and "--engine dask" in result.output
    result = runner.invoke(cli, ["build", str(SEEDS), "--out", str(tmp_path), "--jobs", "-1"])
    assert result.exit_code == EXIT_USAGE
    result = runner.invoke(cli, ["build", "--help"])
    assert "--jobs" in result.output and "--engine" in result.output and "--scheduler" in result.output


@pytest.fixture(scope="module")
def seeds_one_job(seeds_build, seeds_report) -> bytes:
    """graph.ttl of the session's seeds build: in this process, one job (five documents)."""
    assert seeds_report.documents == 5 and kg.engines.auto_jobs(5) == 1
    return (seeds_build / "graph.ttl").read_bytes()


@pytest.mark.slow
def test_two_jobs_give_the_same_graph_bytes(seeds_one_job, tmp_path):
    kg.build([SEEDS], tmp_path, html=False, jobs=2, batch_size=2)
    assert (tmp_path / "graph.ttl").read_bytes() == seeds_one_job


@pytest.mark.slow
def test_workers_have_kg_pipeline_adaptations():
    """Forked workers keep kg's paragraph-break component and tokenizer special
    cases: a headline without a full stop is its own sentence there too."""
    text = "SDF and ISIS agree truce in Hasaka\nThe SDF and IS agreed a truce on Friday, a monitor said.\n"
    docs = [Document(id=f"d{i}", path=f"d{i}.txt", text=text, body=text) for i in range(2)]
    here = extract_batch(docs)
    with ProcessEngine(2) as engine:
        there = [r for _, results in engine.map([docs[:1], docs[1:]]) for r in results]
    assert [r.sentences for r in here] == [r.sentences for r in there] == [2, 2]
    assert [r.ntriples for r in here] == [r.ntriples for r in there]


def _die(documents, model=None):
    os._exit(3)  # as the kernel's OOM killer would


@pytest.mark.slow
def test_a_worker_that_dies_stops_the_build_with_a_message(monkeypatch):
    monkeypatch.setattr(kg.engines, "extract_batch", _die)
    docs = [Document(id="d", path="d.txt", text="IS left Raqqa.", body="IS left Raqqa.")]
    with ProcessEngine(2) as engine:
        with pytest.raises(KgError, match="worker process died"):
            list(engine.map([docs, docs]))


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_graph_bytes(seeds_one_job, tmp_path):
    distributed = pytest.importorskip("distributed", reason="pip install 'kg[dask]'")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        report = kg.build([SEEDS], tmp_path, html=False, engine="dask", scheduler=cluster.scheduler_address,
                          batch_size=2)
    assert report.documents == 5
    assert (tmp_path / "graph.ttl").read_bytes() == seeds_one_job


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """distributed's own commands, as on a cluster (docs/performance.md), on loopback: ``dask scheduler``
    and two ``dask worker`` processes of one thread each; the scheduler's address."""
    import subprocess
    import sys

    distributed = pytest.importorskip("distributed", reason="pip install 'kg[dask]'")
    dask = Path(sys.executable).with_name("dask")
    if not dask.is_file():
        pytest.skip("no dask command beside this Python")
    address = f"tcp://127.0.0.1:{_free_port()}"
    common = ["--no-dashboard"]
    folder = tmp_path_factory.mktemp("dask")
    processes = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   *common], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        with distributed.Client(address, timeout=60) as client:
            for _ in range(2):
                processes.append(subprocess.Popen([str(dask), "worker", address, "--nthreads", "1",
                                                   "--nworkers", "1", *common], cwd=folder,
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            client.wait_for_workers(2, timeout=120)
            workers = client.scheduler_info()["workers"]
            assert len(workers) == 2 and all(w["host"] == "127.0.0.1" for w in workers.values())
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_a_real_dask_scheduler_and_two_workers_give_the_same_graph_bytes(seeds_one_job, dask_cluster, tmp_path):
    report = kg.build([SEEDS], tmp_path / "out", html=False, engine="dask", scheduler=dask_cluster, batch_size=2)
    assert report.documents == 5
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == seeds_one_job


def seen_lines(batches) -> list[tuple[str, list[list[str]]]]:
    return [(doc_id, [sorted(fragment.splitlines()) for fragment in fragments]) for doc_id, fragments in batches]


@pytest.mark.slow
def test_dask_results_are_taken_as_they_finish_and_held_at_most_a_window(dask_cluster):
    """Tasks finish out of order (a long batch first, short ones after): the client takes each result
    when its task finishes, hands them on in batch order, and its reorder buffer never holds more
    batches than its window, far fewer than the batches of the build."""
    from kg.engines import DaskEngine

    long_text = " ".join(_article(i) for i in range(40))
    batches = [[Document(id="long", path="long.txt", text=long_text, body=long_text)]]
    batches += [[Document(id=f"d{i}", path=f"d{i}.txt", text=_article(i), body=_article(i))] for i in range(23)]
    given = []

    def source():
        for batch in batches:
            given.append(batch[0].id)
            yield batch

    with DaskEngine(dask_cluster) as engine:
        assert engine.jobs == 2 and engine.window == 4
        seen = []
        for batch, results in engine.map(source()):
            # the input is read only as results are handed on: never more than a window ahead
            assert len(given) - len(seen) <= engine.window
            seen.append((batch[0].id, [r.ntriples for r in results]))
            assert engine.held <= engine.window
        assert 1 <= engine.peak_held <= engine.window < len(batches)
    assert [doc_id for doc_id, _ in seen] == [batch[0].id for batch in batches]
    # the same fragments as here (their lines in any order: a set's order depends on the process's hash seed)
    assert seen_lines(seen) == seen_lines((batch[0].id, [r.ntriples for r in extract_batch(batch)]) for batch in batches)


# --------------------------------------------------------------------------
# stopping a build: its workers stop with it
# --------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _start_build(tmp_path: Path):
    import subprocess
    import sys
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(400):
        (corpus / f"article_{i:03d}.txt").write_text(_article(i) * 3, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "--out", str(tmp_path / "out"),
                             "-j", "2", "--no-html"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_children(proc.pid)) < 2:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("the build's workers did not start")
        time.sleep(0.05)
    time.sleep(1.0)  # at work
    return proc, _children(proc.pid)


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_stopped_build_leaves_no_worker(tmp_path, signame):
    import signal
    import time

    proc, workers = _start_build(tmp_path)
    try:
        assert proc.poll() is None, "the build ended before the signal"
        sent = time.monotonic()
        proc.send_signal(getattr(signal, signame))
        # Whoever reads kg's stderr gets its end: no worker keeps it open.
        _, stderr = proc.communicate(timeout=15)
        limit = 10 if signame == "SIGKILL" else 5
        while any(_alive(p) for p in workers) and time.monotonic() - sent < limit:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), (signame, workers)
        if signame != "SIGKILL":
            assert proc.returncode == 1 and stderr.decode().strip().startswith("kg: error: interrupted")
            assert "Traceback" not in stderr.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
