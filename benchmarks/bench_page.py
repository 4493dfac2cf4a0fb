"""The page of a real build: render time and memory of :func:`kg.html.render_html`
from an on-disk store, as ``kg build`` makes it (``GraphView`` of the store).

A script, not a test. Give it the store of a build (``OUT/store``, e.g. of
``kg build`` on a corpus of ``benchmarks/corpus.py``); each run is a fresh
process that opens the store read-only, renders the page into a temporary
folder and prints the wall time, the peak RSS of the process before and
after the render (``ru_maxrss``), the page's size and its SHA-256 (the same
store must give the same bytes, before and after a change).
``--kg-path DIR`` runs the kg package found in DIR (before/after figures).

Usage::

    .venv/bin/python benchmarks/bench_page.py OUT/store [--runs 2] [--kg-path DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import hashlib, json, resource, sys, tempfile, time
from pathlib import Path
from kg.html import render_html
from kg.store import GraphView, Store
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with Store.open(sys.argv[1], read_only=True, create=False) as store, tempfile.TemporaryDirectory() as tmp:
    view = GraphView(store.database())
    before = rss()
    started = time.perf_counter()
    counts = render_html(view, Path(tmp) / "graph.html")
    seconds = time.perf_counter() - started
    data = (Path(tmp) / "graph.html").read_bytes()
print(json.dumps({"seconds": seconds, "rss_before": before, "rss_after": rss(), "bytes": len(data),
                  "sha256": hashlib.sha256(data).hexdigest(), **counts}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--kg-path", type=Path, default=None, help="run the kg package in this folder")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.kg_path is not None:
        env["PYTHONPATH"] = f"{args.kg_path}{os.pathsep}{env.get('PYTHONPATH', '')}"
    print(f"# page of {args.store}{', kg from ' + str(args.kg_path) if args.kg_path else ''}; "
          f"load average {os.getloadavg()[0]:.2f}")
    times = []
    for run in range(args.runs):
        load = os.getloadavg()[0]
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.store)], env=env, check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(result["seconds"])
        print(f"run {run + 1}: {result['seconds']:.1f} s, peak RSS {result['rss_before']:.0f} MB before the "
              f"render, {result['rss_after']:.0f} MB after; {result['nodes']} nodes, {result['edges']} edges; "
              f"{result['bytes'] / 1e6:.1f} MB, sha256 {result['sha256'][:16]} (load average {load:.2f})")
    print(f"median render time {statistics.median(times):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
