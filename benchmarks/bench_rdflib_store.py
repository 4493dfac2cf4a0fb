"""rdflib's API over oxrdflib against kg's direct pyoxigraph calls, on the fragments of 500 documents.

A script, not a test (issue 17 point 1: "where pyoxigraph is called directly,
with a measurement of why it is needed"). The fragments are the document
graphs of a ``kg build`` of ``benchmarks/corpus.py``'s documents
(``--build OUT``: read back from ``OUT/store``), or, without one, ``--docs``
documents made by :mod:`bench_store`'s generator through kg's own
:class:`kg.rdf.GraphBuilder`. It times:

* the N-Triples writer: kg's (:func:`kg.store.ntriples`: ``pyoxigraph.serialize``
  of the terms :func:`kg.store.terms.oxigraph_terms` converts, IRIs made once),
  ``pyoxigraph.serialize`` of :func:`kg.store.to_oxigraph`'s terms, and rdflib's
  (``Graph.serialize(format="nt")``), checking that the first two give the same
  bytes (run from a checkout of kg before its one writer, e.g. main 8172ee4
  on ``PYTHONPATH``, the first row is kg's old hand-written ``kg.terms.ntriples``);
* writing the fragments into a new persistent store (a) through rdflib's API
  backed by oxrdflib (``Dataset(store="Oxigraph")`` opened on a folder: one
  ``addN`` of each fragment's quads into its named graph and into the default
  graph, as kg keeps the union; and ``Graph.parse`` of each fragment's
  N-Triples into its named graph), and (b) kg's path (:class:`kg.store.Store`:
  ``load_documents``, Oxigraph's bulk loader, for a store built from empty;
  staged then ``commit``, one SPARQL Update, for a store that changes);
* (c) a named query (``--query``, default ``entities``) through rdflib's
  ``Dataset.query`` over oxrdflib, rows turned into Python lists, against
  :func:`kg.sparql.execute` on the same database.

Usage::

    .venv/bin/python benchmarks/corpus.py /tmp/c500 --docs 500
    .venv/bin/python -m kg build /tmp/c500 --out /tmp/b500 --no-html
    .venv/bin/python benchmarks/bench_rdflib_store.py --build /tmp/b500 [--runs 5]
    .venv/bin/python benchmarks/bench_rdflib_store.py --docs 500          # generated fragments
    git show 8172ee4:kg/terms.py > /tmp/old_terms.py                      # kg's own writer, before the one writer
    .venv/bin/python benchmarks/bench_rdflib_store.py --build /tmp/b500 --runs 7 --compare-writer /tmp/old_terms.py
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rdflib import Dataset, Graph, URIRef  # noqa: E402

from kg.query import load_query  # noqa: E402
from kg.sparql import PREFIXES, execute  # noqa: E402
from kg.store import GRAPH_PREFIX, Store, document_graph  # noqa: E402
from kg.store import ntriples, to_oxigraph  # noqa: E402


def built_fragments(build: Path) -> list[tuple[str, Graph]]:
    """Each document's graph of the store of a build, as an rdflib Graph."""
    graphs: dict[str, Graph] = {}
    with Store.open(build / "store", read_only=True, create=False, holder="bench") as store:
        for s, p, o, g in store.quads():
            graphs.setdefault(str(g), Graph()).add((s, p, o))
    prefix = GRAPH_PREFIX
    return [(name[len(prefix):], graph) for name, graph in sorted(graphs.items())]


def generated_fragments(docs: int, seed: int) -> list[tuple[str, Graph]]:
    import bench_store

    from kg.rdf import GraphBuilder
    from kg.resources import load_data

    rng = random.Random(seed)
    entities, names = bench_store.make_entities(rng, actors=400, places=100)
    relations = load_data("relations")["relations"]
    fragments = []
    for n in range(docs):
        doc, claims, agreements, dates = bench_store.make_document(rng, n, entities, relations)
        builder = GraphBuilder()
        builder.add_document(doc)
        builder.add_claims(claims, entities, names, dates=dates)
        builder.add_agreements(agreements, entities, names, dates=dates)
        fragments.append((doc.id, builder.graph))
    return fragments


def best(function, runs: int) -> tuple[float, object]:
    """The median seconds of ``runs`` calls, and the last value."""
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def writers(fragments, runs: int) -> None:
    import pyoxigraph as ox

    def kg_writer():
        return [ntriples(graph) for _, graph in fragments]

    def ox_writer():
        return [ox.serialize([ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph],
                             format=ox.RdfFormat.N_TRIPLES).decode("utf-8").rstrip("\n") for _, graph in fragments]

    def rdflib_writer():
        return [graph.serialize(format="nt") for _, graph in fragments]

    kg_s, kg_text = best(kg_writer, runs)
    ox_s, ox_text = best(ox_writer, runs)
    rdflib_s, _ = best(rdflib_writer, max(1, runs // 2))
    same = kg_text == ox_text
    print(f"N-Triples writer (all fragments, median of {runs}):")
    print(f"  kg.store.ntriples ({ntriples.__module__:<18}) {kg_s * 1000:8.1f} ms")
    print(f"  pyoxigraph.serialize(to_oxigraph(..)) {ox_s * 1000:8.1f} ms  ({ox_s / kg_s:.1f}x kg's; same bytes: {same})")
    print(f"  rdflib Graph.serialize('nt')          {rdflib_s * 1000:8.1f} ms  ({rdflib_s / kg_s:.1f}x kg's)")


def compare_writer(fragments, path: Path, runs: int) -> None:
    """kg.store.ntriples against the ``ntriples`` of another kg's ``kg/terms.py`` (``git show
    8172ee4:kg/terms.py``: kg's hand-written writer before the one writer), alternating in one process."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("other_terms", path)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    times: dict[str, list[float]] = {"other": [], "kg": []}
    same = True
    for _ in range(runs):
        texts = {}
        for name, writer in (("other", other.ntriples), ("kg", ntriples)):
            started = time.perf_counter()
            texts[name] = [writer(graph) for _, graph in fragments]
            times[name].append(time.perf_counter() - started)
        same = same and texts["other"] == texts["kg"]
    print(f"N-Triples writers alternating, {runs} runs (load average {os.getloadavg()[0]:.1f}; same bytes: {same}):")
    for name, label in (("other", f"ntriples of {path}"), ("kg", "kg.store.ntriples")):
        print(f"  {label:<44} median {statistics.median(times[name]) * 1000:7.1f} ms, "
              f"fastest {min(times[name]) * 1000:7.1f} ms")


def write_rdflib_addn(path: Path, fragments) -> None:
    dataset = Dataset(store="Oxigraph")
    dataset.open(str(path), create=True)
    default = dataset.default_graph
    for doc_id, graph in fragments:
        named = dataset.graph(URIRef(document_graph(doc_id)))
        dataset.addN((s, p, o, g) for s, p, o in graph for g in (named, default))
    dataset.close()


def write_rdflib_parse(path: Path, fragments, texts) -> None:
    dataset = Dataset(store="Oxigraph")
    dataset.open(str(path), create=True)
    for (doc_id, _), text in zip(fragments, texts):
        dataset.graph(URIRef(document_graph(doc_id))).parse(data=text, format="nt")
    dataset.close()


def write_kg_bulk(path: Path, texts_by_doc) -> None:
    with Store.open(path) as store:
        store.load_documents(texts_by_doc)
        store.refresh_derived()


def write_kg_commit(path: Path, texts_by_doc) -> None:
    with Store.open(path) as store:
        store.load_documents(texts_by_doc, staging=True)
        store.commit(replace=[doc_id for doc_id, _ in texts_by_doc])


def stores(fragments, work: Path) -> Path:
    texts = [ntriples(graph) for _, graph in fragments]
    texts_by_doc = [(doc_id, text) for (doc_id, _), text in zip(fragments, texts)]
    triples = sum(len(graph) for _, graph in fragments)
    print(f"Writing {len(fragments)} fragments ({triples} triples) into a new on-disk store (one run each):")

    def run(name, function, *args):
        folder = work / name
        started = time.perf_counter()
        function(folder, *args)
        seconds = time.perf_counter() - started
        print(f"  {name:<44} {seconds:7.2f} s  {triples / seconds:9.0f} triples/s")
        return seconds

    run("rdflib Dataset(store='Oxigraph').addN", write_rdflib_addn, fragments)
    run("rdflib Dataset(store='Oxigraph') Graph.parse", write_rdflib_parse, fragments, texts)
    run("kg Store.load_documents (bulk) + derived", write_kg_bulk, texts_by_doc)
    run("kg Store staged + commit (SPARQL Update)", write_kg_commit, texts_by_doc)
    print("  (the rdflib rows write the quads only; kg's also compute the derived triples)")
    return work / "kg Store.load_documents (bulk) + derived"


def _texts(rows) -> list[tuple[str, ...]]:
    return sorted(tuple('' if term is None else term.n3() for term in row) for row in rows)


def queries(folder: Path, name: str, runs: int) -> None:
    text = load_query(name).text
    with Store.open(folder, read_only=True, create=False, holder="bench") as store:
        database = store.database()
        kg_s, kg_result = best(lambda: execute(database, text), runs)
        dataset = store.rdflib_dataset()

        def through_rdflib():
            return [list(row) for row in dataset.query(text, initNs=PREFIXES)]
        rdflib_s, rows = best(through_rdflib, runs)
    print(f"Named query {name!r} (median of {runs}, {len(kg_result.rows)} rows; same rows: "
          f"{_texts(rows) == _texts(kg_result.rows)}):")
    print(f"  kg.sparql.execute (pyoxigraph)        {kg_s * 1000:8.1f} ms")
    print(f"  rdflib Dataset.query over oxrdflib    {rdflib_s * 1000:8.1f} ms  ({rdflib_s / kg_s:.1f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="a kg build (its store's document graphs are the fragments)")
    parser.add_argument("--docs", type=int, default=500, help="generated documents, without --build")
    parser.add_argument("--seed", type=int, default=20171015)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="entities")
    parser.add_argument("--compare-writer", type=Path, metavar="TERMS_PY",
                        help="only time kg.store.ntriples against the ntriples of this file (another kg's kg/terms.py)")
    args = parser.parse_args(argv)
    fragments = built_fragments(args.build) if args.build else generated_fragments(args.docs, args.seed)
    print(f"{len(fragments)} fragments ({'build ' + str(args.build) if args.build else 'generated'}); "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.compare_writer:
        compare_writer(fragments, args.compare_writer, args.runs)
        return 0
    writers(fragments, args.runs)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-rdflib-"))
    try:
        folder = stores(fragments, work)
        queries(folder, args.query, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
