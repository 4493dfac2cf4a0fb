"""Throughput and memory of ``kg build`` on a large synthetic corpus.

A script, not a test. It writes a corpus with :mod:`corpus` (variants of the
seeds and of news-style articles, deterministic) and prints:

* **throughput**: words per second of ``kg build`` end to end (a fresh
  process: imports, model load, ingest, parse, linking, extraction, store
  writes, union, SHACL validation, Turtle, and HTML; once as ``kg build``
  runs by default, once with ``--no-html``) against words per second of
  bare spaCy (``spacy.load`` and ``nlp.pipe`` with the same model, batch
  size and number of processes, also a fresh process) on the same texts
  (the bodies kg parses), run one after the other. The ratio is the
  figure: spaCy's parse is the limit;
* **stages**: where kg's own time goes, from an in-process build with one
  process (``--profile-docs`` documents): publication dates (ingest),
  parse, linking, relation extraction, evidence dates, RDF building, store
  writes, union, Turtle, SHACL validation, HTML;
* **memory**: peak RSS of ``kg build`` at several corpus sizes
  (``--rss-docs``), each in its own process (``ru_maxrss``): of the main
  process while documents stream through, of the main process at the end
  (the export holds the whole graph), and of the largest worker.

Usage::

    .venv/bin/python benchmarks/bench_build.py [--docs 500] [--jobs 0] [--rss-docs 500,5000]
        [--profile-docs 200] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


# --------------------------------------------------------------------------
# Children (each measurement in a fresh process)
# --------------------------------------------------------------------------

def child_kg(folder: str, out: str, jobs: int, validate: bool, html: bool = False) -> dict:
    started = time.perf_counter()
    import kg

    streaming = {"rss": 0.0}

    def on_document(_doc) -> None:  # the main process's peak so far, while documents stream
        streaming["rss"] = _maxrss_mb(resource.RUSAGE_SELF)

    report = kg.build([folder], out, html=html, validate=validate, jobs=jobs, on_document=on_document)
    result = {"seconds": time.perf_counter() - started, "documents": report.documents,
              "statements": report.statements, "streaming_rss_mb": streaming["rss"],
              "rss_mb": _maxrss_mb(resource.RUSAGE_SELF), "worker_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}
    result["triples"] = _count_triples(out)  # after the RSS readings: it loads the graph again
    return result


def _count_triples(out: str) -> int:
    from kg.store import Store

    with Store.open(Path(out) / "store", read_only=True) as store:
        return len(store.union_store())


def child_spacy(bodies: str, jobs: int, batch_size: int) -> dict:
    """Bare spaCy on the bodies kg parses (one JSON string a line, read lazily)."""
    started = time.perf_counter()
    import spacy

    from kg.nlp import resolve_model_name

    nlp = spacy.load(resolve_model_name())
    with open(bodies, encoding="utf-8") as lines:
        texts = (json.loads(line) for line in lines)
        count = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size, n_process=jobs))
    return {"seconds": time.perf_counter() - started, "documents": count,
            "rss_mb": _maxrss_mb(resource.RUSAGE_SELF), "worker_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}


def _run_child(*args: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Stage profile (in process, one process)
# --------------------------------------------------------------------------

def profile_stages(folder: Path, out: Path) -> dict[str, float]:
    """Seconds per stage of a one-process build (wrapping kg's stage functions)."""
    import kg.engines
    import kg.html
    import kg.linking
    import kg.ingest
    import kg.temporal
    import kg.rdf
    import kg.extract
    import kg.store
    import kg.validate
    from kg.pipeline import build

    times: dict[str, float] = defaultdict(float)
    originals = []

    def wrap(owner, name: str, label: str) -> None:
        function = getattr(owner, name)
        originals.append((owner, name, function))

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                times[label] += time.perf_counter() - start
        setattr(owner, name, timed)

    wrap(kg.ingest, "publication_date", "publication dates (ingest)")
    wrap(kg.temporal, "date_sentences", "evidence dates")
    wrap(kg.linking, "link", "linking")
    wrap(sys.modules["kg.extract"], "read_article", "relation extraction")
    wrap(kg.store, "ntriples", "RDF building")
    wrap(kg.engines, "extract_document", "_extract_document")
    wrap(kg.engines, "extract_batch", "_extract_batch")
    wrap(kg.store.Store, "replace_document", "store writes")
    wrap(kg.store.Store, "load_documents", "store writes")
    wrap(kg.store.Store, "union_store", "union (store -> memory store, counts)")
    wrap(kg.rdf, "turtle_bytes", "Turtle serialisation")
    wrap(kg.validate, "require_valid_oxigraph", "SHACL validation")
    wrap(kg.html, "render_html", "HTML")
    kg.engines.extractor_info(None)  # model load: not a stage
    try:
        started = time.perf_counter()
        build([folder], out, jobs=1)
        total = time.perf_counter() - started
    finally:
        for owner, name, function in reversed(originals):
            setattr(owner, name, function)
    times["RDF building"] += (times.pop("_extract_document") - times["linking"] - times["relation extraction"]
                              - times["evidence dates"] - times["RDF building"])
    times["parse (spaCy)"] = times.pop("_extract_batch") - sum(
        times[k] for k in ("linking", "relation extraction", "evidence dates", "RDF building"))
    times["other (ingest, counts, ...)"] = total - sum(times.values())
    times["total"] = total
    return dict(times)


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500, help="corpus size for the throughput figure (0: skip)")
    parser.add_argument("--jobs", type=int, default=0, help="processes (0: kg's automatic choice)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rss-docs", default="500,5000", help="corpus sizes for peak RSS ('' to skip)")
    parser.add_argument("--profile-docs", type=int, default=200, help="documents for the stage profile (0 to skip)")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--keep", type=Path, default=None, help="keep corpora and outputs in this folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        if kind == "kg":
            result = child_kg(rest[0], rest[1], int(rest[2]), rest[3] == "1", rest[4] == "1")
        else:
            result = child_spacy(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0

    from kg.engines import auto_jobs, cpu_count
    from kg.nlp import resolve_model_name

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    jobs = args.jobs or auto_jobs(args.docs)
    print(f"# kg build benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {cpu_count()} CPUs, "
          f"Python {platform.python_version()}, model {resolve_model_name()}, "
          f"{'--jobs ' + str(args.jobs) if args.jobs else 'automatic --jobs'}")

    try:
        if args.docs:
            throughput(args, work, jobs)
        if args.profile_docs:
            sub = work / f"corpus-{args.profile_docs}"
            if not sub.is_dir():
                corpus.write_corpus(sub, args.profile_docs, args.seed)
            stages = profile_stages(sub, work / "out-profile")
            print(f"stages of a one-process build of {args.profile_docs} documents (s):")
            for name, seconds in stages.items():
                print(f"  {name:32s} {seconds:7.2f}")

        for size in [int(s) for s in args.rss_docs.split(",") if s.strip()]:
            sub = work / f"corpus-{size}"
            if not sub.is_dir():
                corpus.write_corpus(sub, size, args.seed)
            out = work / f"out-rss-{size}"
            shutil.rmtree(out, ignore_errors=True)
            size_jobs = args.jobs or auto_jobs(size)
            run = _run_child("kg", str(sub), str(out), str(size_jobs), "1", "0")
            print(f"peak RSS, {size} documents, {size_jobs} process(es): main {run['streaming_rss_mb']:.0f} MB while streaming, "
                  f"{run['rss_mb']:.0f} MB at the end ({run['triples']:,} triples), largest worker "
                  f"{run['worker_rss_mb']:.0f} MB; {run['seconds']:.0f} s", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def throughput(args, work: Path, jobs: int) -> None:
    """kg build (with and without HTML) against bare spaCy on the same texts, in fresh processes."""
    from kg.ingest import read_document

    folder = work / f"corpus-{args.docs}"
    if not folder.is_dir():
        corpus.write_corpus(folder, args.docs, args.seed)
    words = 0
    bodies = work / f"bodies-{args.docs}.jsonl"
    with open(bodies, "w", encoding="utf-8") as handle:
        for path in sorted(folder.iterdir()):
            body = read_document(path).body
            words += len(body.split())
            handle.write(json.dumps(body) + "\n")
    print(f"corpus: {args.docs} documents, {words} words (bodies), seed {args.seed}; {jobs} process(es)")

    bare = _run_child("spacy", str(bodies), str(jobs), str(args.batch_size))
    bare_rate = words / bare["seconds"]
    print(f"bare spaCy nlp.pipe:          {bare['seconds']:6.1f} s, {bare_rate:7,.0f} words/s")
    for label, html in (("kg build", "1"), ("kg build --no-html", "0")):
        out = work / "out-throughput"
        shutil.rmtree(out, ignore_errors=True)
        run = _run_child("kg", str(folder), str(out), str(jobs), "1", html)
        rate = words / run["seconds"]
        print(f"{label + ':':29s} {run['seconds']:6.1f} s, {rate:7,.0f} words/s, ratio kg / spaCy "
              f"{rate / bare_rate:.2f} ({run['triples']:,} triples; SHACL validation on)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
