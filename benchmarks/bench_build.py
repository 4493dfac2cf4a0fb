"""Throughput and memory of ``kg build`` on a large synthetic corpus.

A script, not a test. It writes a corpus with :mod:`corpus` (variants of the
seeds and of news-style articles, deterministic) and prints:

* **throughput**: ``kg build`` end to end as it runs by default (a fresh
  process: imports, model load, ingest, parse, linking, extraction, store
  writes, SHACL validation, Turtle and the HTML page; kg's automatic
  ``--jobs``) against a naive full parse: bare spaCy (``spacy.load`` and
  ``nlp.pipe`` with the same model and batch size, also a fresh process) on
  the whole text of every document (what kg reads from the file, page
  furniture included), with 1 and with 2 processes, the better of the two
  counting. Runs alternate (spaCy 1 process, spaCy 2 processes, kg, then
  again for ``--rounds`` rounds) so that other work on the machine falls on
  both sides; each line gives the wall time, the CPU time of the process
  and its children, and the load average when it started. The figure is
  the ratio of the medians: bare spaCy's best time over kg's;
* **stages**: where kg's own time goes, from an in-process build with one
  process (``--profile-docs`` documents);
* **memory**: peak RSS of ``kg build`` (validation and the page included,
  automatic ``--jobs``) at several corpus sizes (``--rss-docs``), each in
  its own process (``ru_maxrss``): of the build process while documents
  stream through, of the build process at the end, and of the largest
  worker.

``--kg-path DIR`` runs the kg package found in DIR instead of this
checkout's (for before/after figures: ``git archive <commit> | tar -x -C DIR``).

Usage::

    .venv/bin/python benchmarks/bench_build.py [--docs 500] [--rounds 2] [--jobs 0]
        [--rss-docs 400,1600,5000] [--profile-docs 200] [--kg-path DIR] [--keep DIR]
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import resource
import shutil
import statistics
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------
# Children (each measurement in a fresh process)
# --------------------------------------------------------------------------

def child_kg(folder: str, out: str, jobs: int, validate: bool, html: bool = True) -> dict:
    started = time.perf_counter()
    import kg

    streaming = {"rss": 0.0}

    def on_document(_doc) -> None:  # the main process's peak so far, while documents stream
        streaming["rss"] = _maxrss_mb(resource.RUSAGE_SELF)

    report = kg.build([folder], out, html=html, validate=validate, jobs=jobs, on_document=on_document)
    result = {"seconds": time.perf_counter() - started, "documents": report.documents,
              "sentences": report.sentences, "statements": report.statements,
              "streaming_rss_mb": streaming["rss"], "rss_mb": _maxrss_mb(resource.RUSAGE_SELF),
              "worker_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN), "kg": kg.__file__}
    result["triples"] = _count_triples(out)  # after the RSS readings
    return result


def _count_triples(out: str) -> int:
    import pyoxigraph as ox

    from kg.store import Store

    with Store.open(Path(out) / "store", read_only=True) as store:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        return int(next(iter(store._store().query(query)))["n"].value)


def child_spacy(texts: str, jobs: int, batch_size: int) -> dict:
    """Bare spaCy on the documents' texts (one JSON string a line, read lazily)."""
    started = time.perf_counter()
    import spacy

    from kg.nlp import resolve_model_name

    nlp = spacy.load(resolve_model_name())
    with open(texts, encoding="utf-8") as lines:
        stream = (json.loads(line) for line in lines)
        count = sum(1 for _ in nlp.pipe(stream, batch_size=batch_size, n_process=jobs))
    return {"seconds": time.perf_counter() - started, "documents": count,
            "rss_mb": _maxrss_mb(resource.RUSAGE_SELF), "worker_rss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}


def child_gate(*folders: str) -> dict:
    """What the gate (kg.gate) leaves the parser of each folder's documents: words (tokens that are
    neither white space nor punctuation) of the bodies and of the sentences kept, sentences blanked."""
    from kg.engines import _gate, load_resources
    from kg.gate import gate_text
    from kg.ingest import iter_documents
    from kg.nlp import parse_view

    nlp = load_resources()[0]
    screen = _gate(None)
    result = {}
    for folder in folders:
        words = parsed = sentences = blanked = 0
        for document in iter_documents([folder]):
            gated = gate_text(nlp, parse_view(document.body), screen)
            words, parsed = words + gated.words(), parsed + gated.words("parse")
            sentences, blanked = sentences + len(gated.decisions), blanked + len(gated.blanked)
        result[folder] = {"words": words, "parsed": parsed, "sentences": sentences, "blanked": blanked}
    return result


def _print_gate(result: dict) -> None:
    for folder, r in result.items():
        if folder in ("wall", "cpu", "load"):
            continue
        print(f"gate: {folder}: {r['blanked']} of {r['sentences']:,} sentences blanked, "
              f"{r['parsed']:,} of {r['words']:,} words parsed ({1 - r['parsed'] / max(1, r['words']):.1%} "
              f"fewer)", flush=True)


def _run_child(*args: str, kg_path: Path | None = None) -> dict:
    """A child measurement: its JSON result, with its wall and CPU time (itself and its children)
    and the load average when it started."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    env = dict(os.environ)
    if kg_path is not None:
        env["PYTHONPATH"] = f"{kg_path}{os.pathsep}{env.get('PYTHONPATH', '')}"
    load = os.getloadavg()[0]
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(wall=wall, cpu=cpu, load=load)
    return result


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
        function = getattr(owner, name, None)
        if function is None:  # not in this version of kg
            return
        originals.append((owner, name, function))

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            finally:
                times[label] += time.perf_counter() - start
            return timed_iteration(result) if inspect.isgenerator(result) else result

        def timed_iteration(chunks):  # a generator's time is that of its iteration
            while True:
                start = time.perf_counter()
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
                finally:
                    times[label] += time.perf_counter() - start
                yield chunk
        setattr(owner, name, timed)

    wrap(kg.ingest, "read_document", "ingest (decode, furniture, publication date)")
    try:
        import kg.gate
    except ImportError:  # a kg before the gate (--kg-path)
        pass
    else:
        wrap(kg.gate, "gate_text", "gate (kg.gate first pass)")
    wrap(kg.temporal, "date_sentences", "evidence dates")
    wrap(kg.linking, "link", "linking")
    wrap(sys.modules["kg.extract"], "read_article", "relation extraction")
    wrap(kg.store, "ntriples", "RDF building")
    wrap(kg.engines, "extract_document", "_extract_document")
    wrap(kg.engines, "extract_batch", "_extract_batch")
    wrap(kg.store.Store, "replace_document", "store writes")
    wrap(kg.store.Store, "load_documents", "store writes")
    wrap(kg.store.Store, "union_store", "union (store -> memory store, counts)")  # before it went
    wrap(kg.rdf, "turtle_bytes", "Turtle serialisation")
    wrap(kg.rdf, "turtle_chunks", "Turtle serialisation")
    wrap(kg.validate, "invalid_fragments", "SHACL check of document graphs")
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
        times[k] for k in ("linking", "relation extraction", "evidence dates", "RDF building",
                           "gate (kg.gate first pass)"))
    times["other (ingest, counts, ...)"] = total - sum(times.values())
    times["total"] = total
    return dict(times)


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500, help="corpus size for the throughput figure (0: skip)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the throughput runs")
    parser.add_argument("--jobs", type=int, default=0, help="kg's processes (0: kg's automatic choice)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rss-docs", default="400,1600,5000", help="corpus sizes for peak RSS ('' to skip)")
    parser.add_argument("--profile-docs", type=int, default=200, help="documents for the stage profile (0 to skip)")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--kg-path", type=Path, default=None, help="run the kg package in this folder")
    parser.add_argument("--keep", type=Path, default=None, help="keep corpora and outputs in this folder")
    parser.add_argument("--gate", nargs="*", default=[], metavar="FOLDER",
                        help="also print what the gate leaves the parser of these folders (seeds, dev-real, ...)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        if kind == "kg":
            result = child_kg(rest[0], rest[1], int(rest[2]), rest[3] == "1", rest[4] == "1")
        elif kind == "gate":
            result = child_gate(*rest)
        elif kind == "profile":
            result = profile_stages(Path(rest[0]), Path(rest[1]))
        else:
            result = child_spacy(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0

    from kg.engines import auto_jobs, cpu_count
    from kg.nlp import resolve_model_name

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# kg build benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {cpu_count()} CPUs, "
          f"Python {platform.python_version()}, model {resolve_model_name()}, "
          f"{'--jobs ' + str(args.jobs) if args.jobs else 'automatic --jobs'}"
          f"{', kg from ' + str(args.kg_path) if args.kg_path else ''}; load average {os.getloadavg()[0]:.2f}")

    try:
        if args.docs:
            throughput(args, work)
        elif args.gate:
            _print_gate(_run_child("gate", *args.gate, kg_path=args.kg_path))
        if args.profile_docs:
            sub = work / f"corpus-{args.profile_docs}"
            if not sub.is_dir():
                corpus.write_corpus(sub, args.profile_docs, args.seed)
            shutil.rmtree(work / "out-profile", ignore_errors=True)
            stages = _run_child("profile", str(sub), str(work / "out-profile"), kg_path=args.kg_path)
            print(f"stages of a one-process build of {args.profile_docs} documents (s; load average "
                  f"{stages.pop('load'):.2f}):")
            stages.pop("wall"), stages.pop("cpu")
            for name, seconds in stages.items():
                print(f"  {name:40s} {seconds:7.2f}")

        for size in [int(s) for s in args.rss_docs.split(",") if s.strip()]:
            sub = work / f"corpus-{size}"
            if not sub.is_dir():
                corpus.write_corpus(sub, size, args.seed)
            out = work / f"out-rss-{size}"
            shutil.rmtree(out, ignore_errors=True)
            size_jobs = args.jobs or auto_jobs(size)
            run = _run_child("kg", str(sub), str(out), str(size_jobs), "1", "1", kg_path=args.kg_path)
            print(f"peak RSS, {size} documents, {size_jobs} process(es): build process {run['streaming_rss_mb']:.0f} MB "
                  f"while streaming, {run['rss_mb']:.0f} MB at the end; largest worker {run['worker_rss_mb']:.0f} MB; "
                  f"{run['triples']:,} triples; {run['seconds']:.0f} s (load average {run['load']:.2f})", flush=True)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def throughput(args, work: Path) -> None:
    """kg build against bare spaCy on the same documents, in fresh processes, alternately."""
    from kg.engines import auto_jobs
    from kg.ingest import read_document

    folder = work / f"corpus-{args.docs}"
    if not folder.is_dir():
        corpus.write_corpus(folder, args.docs, args.seed)
    words = body_words = 0
    texts = work / f"texts-{args.docs}.jsonl"
    with open(texts, "w", encoding="utf-8") as handle:
        for path in sorted(folder.iterdir()):
            document = read_document(path)
            words += len(document.text.split())
            body_words += len(document.body.split())
            handle.write(json.dumps(document.text) + "\n")
    jobs = args.jobs or auto_jobs(args.docs)
    print(f"corpus: {args.docs} documents, {words:,} words ({body_words:,} once page furniture is removed), "
          f"seed {args.seed}; kg with {jobs} process(es)")
    try:
        _print_gate(_run_child("gate", str(folder), *args.gate, kg_path=args.kg_path))
    except SystemExit:
        print("gate: this kg has none")
    runs: dict[str, list[dict]] = defaultdict(list)
    for round_ in range(args.rounds):
        for label, kind in (("bare spaCy, 1 process", "1"), ("bare spaCy, 2 processes", "2"), ("kg build", "kg")):
            if kind == "kg":
                out = work / "out-throughput"
                shutil.rmtree(out, ignore_errors=True)
                run = _run_child("kg", str(folder), str(out), str(jobs), "1", "1", kg_path=args.kg_path)
            else:
                run = _run_child("spacy", str(texts), kind, str(args.batch_size), kg_path=args.kg_path)
            runs[label].append(run)
            print(f"  round {round_ + 1}  {label:24s} {run['wall']:6.1f} s wall, {run['cpu']:6.1f} s CPU, "
                  f"{words / run['wall']:6,.0f} words/s (load average {run['load']:.2f})", flush=True)
    median = {label: statistics.median(r["wall"] for r in rs) for label, rs in runs.items()}
    cpu = {label: statistics.median(r["cpu"] for r in rs) for label, rs in runs.items()}
    best = min(("bare spaCy, 1 process", "bare spaCy, 2 processes"), key=median.get)
    print(f"median wall: " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in median.items()))
    print(f"throughput ratio kg / bare spaCy (best: {best}): {median[best] / median['kg build']:.2f} "
          f"(CPU time: kg {cpu['kg build']:.1f} s, {best} {cpu[best]:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
