"""kg's writers of SPARQL 1.1 results (csv, tsv, json, xml) on a named query's whole listing.

A script, not a test. It runs a named query (default ``who-dealt-with-whom``,
no parameters, every row) on a store once, then writes its result in each
format, alternating this code's writer (:func:`kg.results.result_bytes`:
Oxigraph's serializers through :mod:`kg.store.serialize`) with another
``results.py`` given by ``--compare-writer`` (e.g. main's kg-made writers,
``git show 925f444:kg/results.py > /tmp/old_results.py``), and prints
median and fastest times and sizes.

Usage::

    .venv/bin/python benchmarks/bench_store.py --triples 1000000 --store DIR --no-queries   # a store
    .venv/bin/python benchmarks/bench_results.py --store DIR --runs 5 --compare-writer /tmp/old_results.py
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
from pathlib import Path

from kg.query import run_query
from kg.results import result_bytes

FORMATS = ("csv", "tsv", "json", "xml")


def load_writer(path: Path):
    """``format_result`` of another copy of kg/results.py, as a function giving bytes."""
    spec = importlib.util.spec_from_file_location("kg_results_compared", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda result, fmt: module.format_result(result, fmt).encode("utf-8")


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store folder (OUT/store of kg build)")
    parser.add_argument("--query", default="who-dealt-with-whom", help="the named query, run whole")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-writer", type=Path, default=None, help="another kg/results.py to time")
    args = parser.parse_args(argv)

    seconds, result = timed(run_query, args.store, args.query)
    print(f"{args.query}: {len(result.rows):,} rows x {len(result.columns)} columns "
          f"(query and rdflib terms {seconds:.1f} s); load average {os.getloadavg()[0]:.1f}")
    writers = {"this code (Oxigraph's writers)": result_bytes}
    if args.compare_writer is not None:
        writers[f"{args.compare_writer} (kg-made)"] = load_writer(args.compare_writer)
    print(f"{'format':<6} {'writer':<45} {'median':>8} {'fastest':>8} {'bytes':>12}")
    for fmt in FORMATS:
        times: dict[str, list[float]] = {name: [] for name in writers}
        sizes: dict[str, int] = {}
        for _ in range(args.runs):
            for name, writer in writers.items():
                took, out = timed(writer, result, fmt)
                times[name].append(took)
                sizes[name] = len(out)
        for name in writers:
            print(f"{fmt:<6} {name:<45} {statistics.median(times[name]) * 1000:7.0f}ms "
                  f"{min(times[name]) * 1000:7.0f}ms {sizes[name]:12,}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
