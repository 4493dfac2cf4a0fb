"""Crash and concurrency promises of the commands that remove (issue 15).

* ``kg build --prune`` and ``kg remove`` killed with SIGKILL at any moment
  leave the previous graph or the new one, never a mixture: the store holds
  all of one or all of the other (one transaction), ``graph.ttl`` and
  ``graph.html`` are each the old or the new file, and when the store is new
  but the files are not, the store's side data says so and the next command
  writes them again. Killed at chosen points (before the commit, just after
  it, between graph.ttl and graph.html) and at random moments.
* Two builds into one output at once: the second stops at once with a clear
  message, before it reads anything, and the first finishes as if alone.
* A build while ``kg serve`` reads the store is refused with a clear
  message naming the server; the server keeps answering with the graph it
  had; once it stops, the build works.

The commands run as child processes forked from one that has spaCy loaded
(conftest ``kg_forks``): real kg processes, killed with real signals, that
start in milliseconds, so that the moments aimed at are in the command's work.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = {path.stem: path.read_text(encoding="utf-8")
            for path in sorted((ROOT / "tests" / "data" / "incremental").glob("*.txt"))}

#: Runs the kg command line, first making the process SIGKILL itself at a chosen point.
KILLER = textwrap.dedent("""
    import os, signal, sys
    import kg.rdf, kg.store

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    point, argv = sys.argv[1], sys.argv[2:]
    commit, write = kg.store.Store.commit, kg.rdf.write_atomic
    if point == "before-commit":
        kg.store.Store.commit = die
    elif point == "after-commit":
        def commit_then_die(self, *args, **kwargs):
            commit(self, *args, **kwargs)
            die()
        kg.store.Store.commit = commit_then_die
    elif point == "mid-commit":  # a commit too large for one transaction, killed between two
        kg.store.COMMIT_DOCUMENTS = 1
        real_update, calls = kg.store.Store._update, []

        def update_then_die(self, update, what):
            real_update(self, update, what)
            calls.append(what)
            if calls.count("update the store") == 1:  # the first of several: the derived triples cleared
                die()
        kg.store.Store._update = update_then_die
    elif point == "between-outputs":
        def write_then_die(path, data):
            write(path, data)
            if path.name == "graph.ttl":
                die()
        kg.rdf.write_atomic = write_then_die
    from kg.cli import main
    main(argv)
""")


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def state(out: Path) -> dict:
    """What the command may change: the store's documents, its default graph, the outputs, the side data."""
    import kg.store

    with kg.store.Store.open(out / "store", read_only=True) as store:
        union = frozenset(str(q.triple) for q in store._store().quads_for_pattern(None, None, None,
                                                                                  ox.DefaultGraph()))
        documents = tuple(store.graph_names())
        staged = tuple(store.staged())
    meta = json.loads((out / "store" / "kg-store.json").read_text(encoding="utf-8"))
    return {"documents": documents, "union": union, "staged": staged, "meta": meta,
            "ttl": (out / "graph.ttl").read_bytes(), "html": (out / "graph.html").read_bytes()}


def write(folder: Path, names, version: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        text = ARTICLES[name] + "\nTurkey attacked the SDF in Manbij, a monitor said.\n" * version
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def before(tmp_path_factory, kg_forks):
    """A graph of four documents, and where the commands that change it run."""
    work = tmp_path_factory.mktemp("crash")
    write(work / "in", ["truce", "backing", "deal", "capture"])
    result = kg_forks.run(["build", "in", "--out", "base"], work)
    assert result.returncode == 0, result.stderr
    # what --prune gets: one file edited, one new, the other three gone
    write(work / "in2", ["truce"], version=1)
    write(work / "in2", ["strike"])
    return work


COMMANDS = {
    "prune": ["build", "in2", "--prune"],
    "remove": ["remove", "backing", "in/deal.txt"],
}


def _expected(kg_forks, work: Path, command: str) -> tuple[dict, dict, float]:
    """The state before, the state after the command run to its end, and how long it took."""
    reference = work / f"reference-{command}"
    if not reference.exists():
        shutil.copytree(work / "base", reference)
        started = time.monotonic()
        result = kg_forks.run([*COMMANDS[command], "--out", reference.name], work)
        assert result.returncode == 0, result.stderr
        (reference / "seconds").write_text(str(time.monotonic() - started))
    old, new = state(work / "base"), state(reference)
    assert old["documents"] != new["documents"] and old["ttl"] != new["ttl"]
    assert new["meta"]["exported"] is True and new["staged"] == ()
    return old, new, float((reference / "seconds").read_text())


def check_old_or_new(out: Path, old: dict, new: dict, what: str) -> str:
    """The store holds the old graph or the new one, each output is the old file or the new one,
    and they lag behind the store only once it is new, with the side data saying so."""
    now = state(out)
    held = (now["documents"], now["union"])
    store = "old" if held == (old["documents"], old["union"]) else \
        "new" if held == (new["documents"], new["union"]) else None
    assert store, f"{what}: the store holds neither graph"
    ttl = "old" if now["ttl"] == old["ttl"] else "new" if now["ttl"] == new["ttl"] else None
    html = "old" if now["html"] == old["html"] else "new" if now["html"] == new["html"] else None
    assert ttl and html, f"{what}: an output is torn"
    if store == "old":
        assert (ttl, html) == ("old", "old"), what  # the outputs are written after the commit only
    elif (ttl, html) != ("new", "new"):
        assert now["meta"].get("exported") is False, what
    return f"store {store}, graph.ttl {ttl}"


def finish(kg_forks, work: Path, out: Path, command: str) -> None:
    """The same command again: the graph ends up as the command run once would leave it."""
    result = kg_forks.run([*COMMANDS[command], "--out", out.name], work)
    if command == "remove":  # once the removal is committed, the names are unknown: exit 2,
        assert result.returncode in (0, 2), result.stderr  # but the outputs are written again first
    else:
        assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("point", ["before-commit", "after-commit", "between-outputs"])
def test_sigkill_at_the_dangerous_points_leaves_the_old_graph_or_the_new_one(before, kg_forks, command, point):
    work = before
    old, new, _ = _expected(kg_forks, work, command)
    out = work / f"killed-{command}-{point}"
    shutil.copytree(work / "base", out)
    proc = kg_forks.run([point, *COMMANDS[command], "--out", out.name], work, code=KILLER)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    outcome = check_old_or_new(out, old, new, point)
    assert outcome == {"before-commit": "store old, graph.ttl old", "after-commit": "store new, graph.ttl old",
                       "between-outputs": "store new, graph.ttl new"}[point]
    if point == "before-commit" and command == "prune":
        assert state(out)["staged"], "killed with its new documents staged, outside the graph"
    finish(kg_forks, work, out, command)
    now, expected = state(out), new
    for key in ("documents", "union", "ttl", "html", "staged"):
        assert now[key] == expected[key], key
    assert now["meta"]["exported"] is True


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sigkill_at_random_moments_leaves_the_old_graph_or_the_new_one(before, kg_forks, command):
    work = before
    old, new, duration = _expected(kg_forks, work, command)
    rng = random.Random(f"issue-15-{command}")
    # four random moments, one in each quarter of the command's run (and a little after its end):
    # spread over the whole run, as six uniform draws were not always
    span = duration + 0.2 - 0.05
    delays = [0.05 + span * (quarter + rng.random()) / 4 for quarter in range(4)]
    outcomes = []
    for i, delay in enumerate(delays):
        out = work / f"random-{command}-{i}"
        shutil.copytree(work / "base", out)
        proc = kg_forks.start([*COMMANDS[command], "--out", out.name], work)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=60)
        outcomes.append((round(delay, 2), check_old_or_new(out, old, new, f"killed after {delay:.2f} s")))
        finish(kg_forks, work, out, command)
        assert state(out)["ttl"] == new["ttl"] and state(out)["union"] == new["union"]
    print(f"{command}: {duration:.2f} s; killed at", outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_commit_too_large_for_one_transaction_is_finished_by_the_next_command(before, kg_forks, command):
    """Above kg.store.COMMIT_DOCUMENTS documents a commit takes several transactions under a
    journal: killed between two, the store is half-way (the one case where it is), says so,
    and the next command finishes it before anything else."""
    work = before
    old, new, _ = _expected(kg_forks, work, command)
    out = work / f"killed-{command}-mid-commit"
    shutil.copytree(work / "base", out)
    proc = kg_forks.run(["mid-commit", *COMMANDS[command], "--out", out.name], work, code=KILLER)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    now = state(out)
    assert now["meta"]["committing"] and now["meta"]["exported"] is False
    assert now["ttl"] == old["ttl"] and now["html"] == old["html"]  # the outputs are the previous graph's
    assert now["union"] not in (old["union"], new["union"])  # half-way: counts cleared, documents not swapped
    finish(kg_forks, work, out, command)
    now = state(out)
    for key in ("documents", "union", "ttl", "html", "staged"):
        assert now[key] == new[key], key
    assert "committing" not in now["meta"] and now["meta"]["exported"] is True


# ---------------------------------------------------------------------------
# concurrency
# ---------------------------------------------------------------------------

def _wait_for_lock(lock: Path, pid: int, proc: subprocess.Popen, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the first command ended before it took the lock"
        try:
            text = lock.read_text()
        except OSError:
            text = ""
        if text.startswith(f"{pid}\t"):
            return text
        time.sleep(0.01)
    raise AssertionError("the first command never took the lock")


def _corpus(folder: Path, docs: int) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kg_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_corpus(folder, docs)


@pytest.mark.slow
def test_a_second_build_at_once_stops_with_a_clear_message_and_the_first_finishes(tmp_path, kg_forks):
    _corpus(tmp_path / "big", 20)
    write(tmp_path / "other", ["strike", "deal"])
    first = kg_forks.start(["build", "big", "--out", "out", "--jobs", "1"], tmp_path)
    held = _wait_for_lock(tmp_path / "out" / "store" / "kg.lock", first.pid, first)
    assert held == f"{first.pid}\twrites\tkg build\n"
    started = time.monotonic()
    second = kg_forks.run(["build", "other", "--out", "out"], tmp_path)
    waited = time.monotonic() - started
    assert first.poll() is None, "the first build was still running while the second tried"
    assert second.returncode == 1
    assert second.stderr == (f"kg: error: out/store: store is locked: kg build (pid {first.pid}) is writing "
                             "to it; wait until it has finished\n")
    assert second.stdout == ""
    done = first.wait(timeout=600)
    assert done.returncode == 0, done.stderr
    assert "20 documents in the graph (20 added, 0 updated, 0 removed, 0 unchanged)" in done.stdout
    # the second left no trace: the graph is the first one's inputs', as built alone
    alone = kg_forks.run(["build", "big", "--out", "alone", "--jobs", "1"], tmp_path)
    assert alone.returncode == 0, alone.stderr
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (tmp_path / "alone" / "graph.ttl").read_bytes()
    assert b"/document/strike>" not in (tmp_path / "out" / "graph.ttl").read_bytes()
    print(f"the second build stopped after {waited:.2f} s")


def _query(url: str, sparql: str) -> list[dict]:
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': sparql})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["results"]["bindings"]


@pytest.mark.slow
def test_a_build_while_kg_serve_reads_is_refused_with_a_clear_message(before, tmp_path, kg_forks):
    out = tmp_path / "out"
    shutil.copytree(before / "base", out)
    write(tmp_path / "more", ["strike"])
    server = subprocess.Popen(kg_command("serve", "--store", str(out / "store"), "--port", "0"),
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        assert line.startswith("kg: serving "), line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?d a kgo:Document }"
        assert _query(url, count)[0]["n"]["value"] == "4"
        was = state(out)
        refused = kg_forks.run(["build", "more", "--out", "out"], tmp_path)
        assert refused.returncode == 1
        assert refused.stderr == (f"kg: error: out/store: store is locked: kg serve (pid {server.pid}) is reading "
                                  "it, and a store cannot be written while it is read; stop kg serve, or build "
                                  "into another folder\n")
        removal = kg_forks.run(["remove", "deal", "--out", "out"], tmp_path)
        assert removal.returncode == 1 and "kg serve" in removal.stderr
        assert state(out) == was  # nothing changed
        assert _query(url, count)[0]["n"]["value"] == "4"  # and the server still answers, as before
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    built = kg_forks.run(["build", "more", "--out", "out"], tmp_path)
    assert built.returncode == 0, built.stderr
    assert "5 documents in the graph (1 added, 0 updated, 0 removed, 4 unchanged)" in built.stdout
