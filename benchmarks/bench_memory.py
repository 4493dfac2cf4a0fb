"""Peak memory of ``kg build`` on one very long article.

A script, not a test. For each size (1 MB and 5 MB by default) it writes one
article made of the news-style paragraphs that ``corpus.py`` writes for
benchmarks (never real articles), each paragraph with its dates and numbers
redrawn, then runs ``kg build FILE --no-html -j 1`` in a child process and
prints its peak resident memory (``ru_maxrss``), its time and its counts.
spaCy parses such a document in parts (:mod:`kg.chunking`); the figure shows
whether those parts are bounded in flight.

Usage::

    .venv/bin/python benchmarks/bench_memory.py [--mb 1 5] [--kg-path DIR]

``--kg-path`` runs the kg package found in DIR instead of this checkout's
(for before/after figures: ``git archive <commit> | tar -x -C DIR``).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def long_article(megabytes: float, seed: int = 1) -> str:
    """About ``megabytes`` MB of UTF-8: corpus.py's written articles, paragraph by paragraph."""
    rng = random.Random(seed)
    paragraphs = [p for article in corpus.ARTICLES for p in article.strip().split("\n\n")[1:]]
    target = int(megabytes * 1_000_000)
    parts = ["A very long report on the war, in many parts"]
    size = len(parts[0])
    while size < target:
        text = corpus._redraw(rng.choice(paragraphs), rng)
        text = text.replace("{DATELINE}", f"{rng.choice(corpus.DATELINES)} ({rng.choice(corpus.AGENCIES)})")
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
    return "\n\n".join(parts) + "\n"


def measure(megabytes: float, kg_path: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "long.txt"
        article.write_text(long_article(megabytes), encoding="utf-8")
        env = dict(os.environ)
        if kg_path is not None:
            env["PYTHONPATH"] = f"{kg_path}{os.pathsep}{env.get('PYTHONPATH', '')}"
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        started = time.perf_counter()
        with out.open("w") as stdout, err.open("w") as stderr:
            proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(article), "--out",
                                     str(Path(tmp) / "out"), "--no-html", "-j", "1"],
                                    cwd=tmp, env=env, stdout=stdout, stderr=stderr)
            _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak
            proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        lines = out.read_text().strip().splitlines() or [err.read_text().strip()[-300:]]
        return {"mb": megabytes, "bytes": article.stat().st_size, "peak_mb": usage.ru_maxrss / 1024,
                "seconds": seconds, "status": proc.returncode, "summary": lines[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0], help="article sizes in MB")
    parser.add_argument("--kg-path", type=Path, default=None, help="run the kg package in this folder")
    args = parser.parse_args(argv)
    print(f"{'article':>10}  {'peak RSS':>10}  {'time':>8}  result")
    for megabytes in args.mb:
        row = measure(megabytes, args.kg_path)
        print(f"{row['bytes'] / 1e6:>7.2f} MB  {row['peak_mb']:>7,.0f} MB  {row['seconds']:>6.0f} s  "
              f"exit {row['status']}: {row['summary']}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
