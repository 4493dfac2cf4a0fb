"""The progress line of `kg build`: it moves with each document and its time
left is the input still to parse over the rate measured since the first
document (kg/progress.py); on a real terminal (a pseudo-terminal) with a
real build."""
from __future__ import annotations

import importlib.util
import io
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from kg.progress import ProgressLine

ROOT = Path(__file__).resolve().parent.parent


def test_time_left_is_the_rest_over_the_rate_since_the_first_document(tmp_path):
    files = []
    for i, size in enumerate((1000, 1000, 2000, 4000)):
        path = tmp_path / f"{i}.txt"
        path.write_bytes(b"x" * size)
        files.append(path)
    now = [0.0]
    out = io.StringIO()
    line = ProgressLine(files, out, clock=lambda: now[0])
    assert "Parsing 0/4 documents (loading the model)" in out.getvalue()
    now[0] = 30.0  # the model took 30 s to load: not parsing time
    line.document(SimpleNamespace(path=files[0]))
    assert line.line().endswith("estimating the time left")
    now[0] = 31.0  # 1,000 bytes in 1 s: 6,000 bytes to go take 6 s, not 6 * 31 / 2
    line.document(SimpleNamespace(path=files[1]))
    assert line.line() == "Parsing 2/4 documents [######..................]  25%  about 6 s left"
    now[0] = 33.0  # 2,000 bytes more in 2 s: still 1,000 bytes a second
    line.document(SimpleNamespace(path=files[2]))
    assert line.line().endswith(" 50%  about 4 s left")
    now[0] = 37.0
    line.document(SimpleNamespace(path=files[3]))
    assert line.line() == ("Parsing 4/4 documents [########################] 100% in 37 s; "
                           "writing the store and the graph")
    line.close()
    assert out.getvalue().count("\r") == 5 and out.getvalue().endswith("\n")


def _corpus(tmp_path: Path, docs: int) -> Path:
    spec = importlib.util.spec_from_file_location("kg_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_corpus(tmp_path / "corpus", docs)
    return tmp_path / "corpus"


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; return the exit code and what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=follower, close_fds=True)
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=600), shown.decode("utf-8", "replace")


@pytest.mark.slow
def test_kg_build_on_a_terminal_shows_each_document_and_the_time_left(tmp_path):
    corpus = _corpus(tmp_path, 24)
    code, shown = _run_on_a_terminal([sys.executable, "-m", "kg", "build", str(corpus), "--out",
                                      str(tmp_path / "out"), "--jobs", "1", "--no-html"], tmp_path)
    assert code == 0, shown
    counts = [int(n) for n in re.findall(r"Parsing (\d+)/24 documents", shown)]
    assert counts == list(range(25))  # 0 (loading the model), then every document in turn
    assert "estimating the time left" in shown
    lefts = re.findall(r"about (\d+) s left", shown)
    assert len(lefts) >= 10  # from the second document on
    assert "24/24 documents [########################] 100%" in shown
    assert "writing the store and the graph" in shown
    # one document a batch gives the same graph as the default batches
    subprocess.run([sys.executable, "-m", "kg", "--quiet", "build", str(corpus), "--out", str(tmp_path / "plain"),
                    "--jobs", "1", "--no-html"], check=True, cwd=tmp_path)
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (tmp_path / "plain" / "graph.ttl").read_bytes()
