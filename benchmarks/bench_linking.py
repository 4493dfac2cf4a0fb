"""Dictionary matching: kg's window matcher against a spaCy component (PhraseMatcher).

A script, not a test. The first pass of linking finds the dictionary names of
``ontology/actors.json`` and ``places.json`` in a parsed article. kg used to do it
with a hand-written window matcher (:func:`kg.linking.names._match_aliases`: the
token windows of :func:`kg.linking.doc._windows`, each looked up with
:meth:`kg.gazetteer.Gazetteer.lookup`); it now does it with a spaCy component,
``kg_dictionary_names`` (:mod:`kg.linking.dictionary`, registered with
``Language.factory``): two ``PhraseMatcher`` objects put every candidate in
``doc.spans["kg_dictionary"]`` with the canonical entity id as ``kb_id_``, and
the pass picks among them with the window matcher's rules. The window
matcher remains for Docs parsed without the component.

It prints, on a corpus of ``benchmarks/corpus.py`` (200 documents by default) parsed
once beforehand:

* **time** per 200 documents (CPU seconds of this process, so that other work on
  the machine counts less) of the alias pass both ways (the component's call
  included), and of the whole linking stage (:func:`kg.linking.link`) with each,
  median of ``--repeat`` runs taking turns; the component's set-up time (its patterns);
* **identical**: whether the two give the same mentions (entity, offsets, text,
  sentence) after the alias pass and after the whole linking stage, on the
  corpus, the seeds and the texts of ``tests/test_constructions.py``; the
  mentions that differ.

::

    .venv/bin/python benchmarks/bench_linking.py [--docs 200] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402

# -- the measurement -----------------------------------------------------------------------------

def _texts(docs: int, seed: int) -> dict[str, list[str]]:
    import json

    from kg.chunking import split_documents
    from kg.ingest import read_document
    from kg.nlp import parse_view

    sets = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths, _ = corpus.write_corpus(tmp, docs, seed)
        documents = [read_document(p) for p in paths]
        sets[f"corpus ({docs} documents)"] = [parse_view(d.body) for d in split_documents(documents, 900_000)]
    sets["seeds"] = [parse_view(read_document(p).body) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    table = (ROOT / "tests" / "data" / "constructions.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in table.splitlines() if line.strip()]
    sets["constructions"] = [parse_view(item["text"]) for item in items]
    return sets


def _mentions(linked) -> list[tuple]:
    return [(m.entity, m.span.start, m.span.end, m.text, m.sentence.start, m.sentence.end) for m in linked.mentions]


def _median_seconds(runs: dict, repeat: int) -> dict[str, float]:
    """Median CPU seconds of each run, the runs taking turns (the machine's load falls on each alike)."""
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):
        for label, run in runs.items():
            began = time.process_time()
            run()
            times[label].append(time.process_time() - began)
    return {label: statistics.median(values) for label, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from kg.engines import load_resources
    from kg.linking import LinkedDoc, link
    from kg.linking.dictionary import COMPONENT, SPANS_KEY, DictionaryNames, match_dictionary_names
    from kg.linking.names import _match_aliases

    nlp, gazetteer, lexicon, _ = load_resources(None)
    began = time.perf_counter()
    component = DictionaryNames(nlp, gazetteer)  # as the pipeline's, built afresh to time it
    setup = time.perf_counter() - began
    print(f"component set-up (patterns of {len(gazetteer.aliases):,} names, {len(gazetteer.acronyms):,} acronyms): "
          f"{setup:.2f} s, once per process")
    for name, texts in _texts(args.docs, args.seed).items():
        docs = list(nlp.pipe(texts, batch_size=32, disable=[COMPONENT]))  # the component is timed below
        per = 200 / max(1, len(docs))

        def window_pass():
            out = []
            for doc, text in zip(docs, texts):
                linked = LinkedDoc(doc=doc, gazetteer=gazetteer, lexicon=lexicon)
                linked._cache["text"] = text
                _match_aliases(linked, set())
                out.append(linked)
            return out

        def component_pass():
            out = []
            for doc, text in zip(docs, texts):
                component(doc)
                linked = LinkedDoc(doc=doc, gazetteer=gazetteer, lexicon=lexicon)
                linked._cache["text"] = text
                match_dictionary_names(linked, set())
                out.append(linked)
            return out

        def window_link():  # a Doc without the component's spans is read by the window matcher
            for doc in docs:
                doc.spans.pop(SPANS_KEY, None)
            return [link(doc, gazetteer, lexicon, text=text) for doc, text in zip(docs, texts)]

        def component_link():
            return [link(component(doc), gazetteer, lexicon, text=text) for doc, text in zip(docs, texts)]

        print(f"\n{name}: {len(docs)} texts, {sum(len(d) for d in docs):,} tokens")
        alias_w, alias_c = window_pass(), component_pass()
        link_w, link_c = window_link(), component_link()
        assert all(SPANS_KEY in doc.spans for doc in docs)
        for stage, a, b in (("alias pass", alias_w, alias_c), ("linking stage", link_w, link_c)):
            differ = [(i, sorted(set(_mentions(x)) ^ set(_mentions(y)))) for i, (x, y) in enumerate(zip(a, b))
                      if _mentions(x) != _mentions(y)]
            count = sum(len(x.mentions) for x in a)
            print(f"  {stage}: mentions identical: {'yes' if not differ else 'NO'} "
                  f"({count:,} mentions; {len(differ)} texts differ)")
            for i, diff in differ[:5]:
                only_w = [m for m in diff if m in set(_mentions(a[i]))]
                only_c = [m for m in diff if m not in set(_mentions(a[i]))]
                print(f"    text {i}: window only {only_w[:3]}, component only {only_c[:3]}")
        if args.repeat:
            t = {label: seconds * per for label, seconds in _median_seconds({
                "window alias pass": window_pass, "component alias pass": component_pass,
                "window linking": window_link, "component linking": component_link}, args.repeat).items()}
            print(f"  CPU time per 200 documents (median of {args.repeat}): "
                  f"alias pass: window {t['window alias pass']:.3f} s, component {t['component alias pass']:.3f} s "
                  f"({t['component alias pass'] / t['window alias pass']:.2f}x); "
                  f"linking stage: window {t['window linking']:.3f} s, component {t['component linking']:.3f} s "
                  f"({t['component linking'] / t['window linking']:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
