"""Time of incremental commands on a large graph: adding, updating and removing one document.

A script, not a test. It writes a corpus with :mod:`corpus`, builds
``--docs`` documents into a fresh output, then times, each as ``kg`` runs
from the command line in a fresh process (imports and model load included,
HTML page and SHACL validation included, as by default):

* the build from nothing of the ``--docs`` documents;
* a build of one new document into that graph (**the incremental add**);
* a build of one edited document (an update), and of the same inputs again
  with nothing changed;
* ``kg remove`` of one document, and a ``kg build --prune`` that removes one.

Then, in this process, where the time of one incremental add goes
(extraction, staging, the commit with the derived triples recomputed, the
copy of the graph out of the store, SHACL validation, Turtle, the page).

Usage::

    .venv/bin/python benchmarks/bench_incremental.py [--docs 500] [--keep DIR]
"""
from __future__ import annotations

import argparse
import platform
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


def kg(*args: str, cwd: Path) -> tuple[float, str]:
    """Run ``kg ARGS`` in a fresh process; its wall time and summary line."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed:\n{done.stderr}")
    line = next((line for line in done.stdout.splitlines() if " documents in the graph " in line), "")
    return seconds, line


def profile_add(work: Path, out: Path, new: Path) -> dict[str, float]:
    """One incremental add in this process, timed stage by stage (the model loaded beforehand)."""
    import kg as library
    import kg.html
    import kg.pipeline
    import kg.rdf
    import kg.store
    import kg.validate
    from kg.engines import extractor_info

    extractor_info(None)  # load the pipeline first: a fresh process's cost, timed above
    times: dict[str, float] = defaultdict(float)

    def wrap(owner, name: str, label: str) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                times[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    import kg.engines

    wrap(kg.engines, "extract_batch", "parse and extract the new document")
    wrap(kg.store.Store, "load_documents", "stage its graph")
    wrap(kg.store.Store, "commit", "commit: swap in, recompute derived triples")
    wrap(kg.store.Store, "union_store", "copy the graph out of the store")
    wrap(kg.validate, "require_valid_oxigraph", "SHACL validation")
    wrap(kg.rdf, "turtle_bytes", "Turtle")
    wrap(kg.html, "render_html", "HTML page")
    started = time.perf_counter()
    report = library.build([new], out)
    total = time.perf_counter() - started
    times["other (store open, reading, planning, side data)"] = total - sum(times.values())
    times["total"] = total
    assert report.added == 1, report.summary()
    return dict(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-incremental-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        folder = work / "corpus"
        shutil.rmtree(folder, ignore_errors=True)
        paths, words = corpus.write_corpus(folder, args.docs + 2)
        for name in ("new", "spare"):
            shutil.rmtree(work / name, ignore_errors=True)
            (work / name).mkdir()
        new, spare = work / "new" / paths[-2].name, work / "spare" / paths[-1].name
        paths[-2].rename(new)
        paths[-1].rename(spare)
        print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
              f"{args.docs} documents ({words:,} words with the two extra ones)")
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        rows = []
        seconds, line = kg("build", "corpus", "--out", "out", cwd=work)
        rows.append((f"build {args.docs} documents from nothing", seconds, line))
        seconds, line = kg("build", f"new/{new.name}", "--out", "out", cwd=work)
        rows.append((f"add 1 document to the {args.docs}-document graph", seconds, line))
        edited = folder / paths[0].name
        with edited.open("a", encoding="utf-8") as handle:
            handle.write("\nThe Syrian army captured Deir Ezzor from Islamic State, state media said.\n")
        seconds, line = kg("build", f"corpus/{edited.name}", "--out", "out", cwd=work)
        rows.append(("update 1 document", seconds, line))
        seconds, line = kg("build", "corpus", "new", "--out", "out", cwd=work)
        rows.append(("build the same inputs again (nothing changed)", seconds, line))
        seconds, line = kg("remove", new.stem, "--out", "out", cwd=work)
        rows.append(("kg remove 1 document", seconds, line))
        seconds, line = kg("build", "corpus", "new", "--out", "out", cwd=work)
        seconds, line = kg("build", "corpus", "--out", "out", "--prune", cwd=work)
        rows.append(("kg build --prune removing 1 document", seconds, line))
        print("\nEach command in a fresh process (imports, model load, SHACL check and page included):")
        for label, seconds, line in rows:
            print(f"  {label:<48} {seconds:7.2f} s   {line.split(', ')[0]}")
        print(f"\nWhere the time of one incremental add goes (in this process, model loaded), "
              f"adding {spare.name} to the {args.docs}-document graph:")
        for label, seconds in profile_add(work, out, spare).items():
            print(f"  {label:<52} {seconds:6.2f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
