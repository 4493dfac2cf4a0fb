"""Oxigraph (kg's store) against rdflib's in-memory store on a large kg graph.

A script, not a test. It generates a synthetic graph shaped like kg's output
with kg's own :class:`kg.rdf.GraphBuilder` (so IRIs, reification, evidence,
modalities, speakers and agreement events are exactly the contract's): a pool
of actors and places with names and coordinates, and documents of a dozen
claims each, drawn so that many triples are read from several documents.
It grows the corpus until the union holds about ``--triples`` triples, then:

* loads it into a fresh :class:`kg.store.Store` as an incremental build
  writes documents: staged (``load_documents(staging=True)``, 4 million
  characters at a time), then swapped in by one transaction
  (``commit``: named graphs, the union kept in step, the derived triples
  recomputed), with the peak memory of that commit; and, for reference, with
  pyoxigraph's raw ``bulk_load``
  of the same quads; and into an rdflib ``Graph`` (Memory store);
* prints the load rates (triples per second);
* runs each named query of ``kg/queries`` on both and prints their median
  latencies side by side. rdflib queries run in a forked child that is
  stopped after ``--rdflib-timeout`` seconds (shown as ``> N s``).

Usage::

    .venv/bin/python benchmarks/bench_store.py [--triples 1000000] [--runs 5] [--rdflib-timeout 120]
"""
from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rdflib

from kg.query import list_queries, run_query
from kg.derived import add_derived
from kg.rdf import GraphBuilder
from kg.records import Agreement, Claim, Document, Entity, Span
from kg.resources import load_data
from kg.store import Store, document_graph, to_oxigraph

SEED = 20171015
ACTOR_TYPES = ("State", "ArmedGroup", "Organization", "Coalition", "Person")
MODALITIES = ("asserted",) * 6 + ("reported",) * 3 + ("planned", "denied", "unconfirmed")
WORDS = ("forces", "truce", "withdrew", "province", "fighters", "deal", "talks", "city", "monitor",
         "said", "coalition", "offensive", "agreed", "evacuation", "border", "militia")

_GRAPH: rdflib.Graph | None = None  # the rdflib graph, inherited by forked children


def make_entities(rng: random.Random, actors: int, places: int) -> tuple[dict, dict]:
    entities, names = {}, {}
    for i in range(actors):
        eid = f"actor_{i}"
        kinds = (rng.choice(ACTOR_TYPES),) + (("Place",) if rng.random() < 0.05 else ())
        entities[eid] = Entity(eid, f"Actor {i}", kinds)
        names[eid] = {f"A{i}", f"Actor number {i}"}
    for i in range(places):
        eid = f"place_{i}"
        entities[eid] = Entity(eid, f"Place {i}", ("Place",), lat=round(rng.uniform(29, 42), 4),
                               long=round(rng.uniform(35, 48), 4))
        names[eid] = {f"Town {i}"}
    return entities, names


def make_document(rng: random.Random, n: int, entities: dict, relations: dict) -> tuple[Document, list, list]:
    doc_id = f"{n:06d}_{rng.getrandbits(32):08x}"
    actor_ids = [e for e in entities if e.startswith("actor_")]
    place_ids = [e for e in entities if e.startswith("place_")]
    # A document is about a few actors and places, so triples repeat across documents.
    cast = rng.sample(actor_ids[:400] if rng.random() < 0.7 else actor_ids, 6)
    where = rng.sample(place_ids[:100] if rng.random() < 0.7 else place_ids, 3)
    sentences, offset = [], 0
    claims, agreements = [], []
    for _ in range(rng.randint(8, 16)):
        relation = rng.choice(list(relations))
        spec = relations[relation]
        subject = rng.choice(cast)
        obj = rng.choice(where) if spec["range"] == "Place" else rng.choice([a for a in cast if a != subject])
        if spec["domain"] == "Place":
            subject, obj = rng.sample(where, 2)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))) + "."
        span = Span(offset, offset + len(text))
        modality = rng.choice(MODALITIES)
        speaker = rng.choice(cast) if modality == "reported" else None
        claims.append(Claim(subject, relation, obj, doc=doc_id, sentence=span, text=text, rule="bench",
                            modality=modality, speaker=speaker))
        if spec["family"] == "agreement" and rng.random() < 0.5:
            agreements.append(Agreement(doc=doc_id, sentence=span, text=text, kind=rng.choice(("truce", "deal")),
                                        parties=(subject, obj), places=(rng.choice(where),), anchor=offset))
        sentences.append(text)
        offset = span.end + 1
    body = " ".join(sentences)
    year = rng.randint(2014, 2019)
    doc = Document(id=doc_id, path=f"corpus/{doc_id}.txt", text=body, body=body, title=f"Report {n}",
                   publisher=rng.choice(("AFP", "Reuters", "SANA", "Zaman Al Wasl")),
                   date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else None,
                   sha256=f"{rng.getrandbits(256):064x}")
    return doc, claims, agreements


def generate(target: int, seed: int) -> tuple[list[tuple[str, rdflib.Graph]], int]:
    """Document fragments until their union holds about ``target`` triples."""
    rng = random.Random(seed)
    entities, names = make_entities(rng, actors=max(200, target // 500), places=max(50, target // 2000))
    relations = load_data("relations")["relations"]
    fragments, union, n = [], set(), 0
    while len(union) < target:
        doc, claims, agreements = make_document(rng, n, entities, relations)
        builder = GraphBuilder()
        builder.add_document(doc)
        builder.add_claims(claims, entities, names)
        builder.add_agreements(agreements, entities, names, date=doc.date)
        fragments.append((doc.id, builder.graph))
        union.update(builder.graph)
        n += 1
    return fragments, len(union)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def load_kg_store(path: Path, fragments) -> tuple[float, float, float]:
    """Seconds to stage every document, seconds of the one commit, and MB the commit added to peak RSS."""
    import resource

    from kg.pipeline import FLUSH_CHARS
    from kg.store import ntriples

    with Store.open(path) as store:
        started = time.perf_counter()
        pending, held = [], 0
        for doc_id, graph in fragments:
            pending.append((doc_id, ntriples(graph)))
            held += len(pending[-1][1])
            if held > FLUSH_CHARS:
                store.load_documents(pending, staging=True)
                pending, held = [], 0
        store.load_documents(pending, staging=True)
        staged = time.perf_counter() - started
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        commit, _ = timed(store.commit, replace=[doc_id for doc_id, _ in fragments])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return staged, commit, after - before


def load_bulk(path: Path, fragments) -> float:
    import pyoxigraph as ox

    lines = []
    for doc_id, graph in fragments:
        g = f"<{document_graph(doc_id)}>"
        lines += [f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} {g} ." for s, p, o in graph]
    data = "\n".join(lines).encode()

    def load():
        store = ox.Store(str(path))
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
    return timed(load)[0]


def load_rdflib(fragments) -> float:
    global _GRAPH

    def load():
        graph = rdflib.Graph()
        for _doc_id, fragment in fragments:
            for triple in fragment:
                graph.add(triple)
        return add_derived(graph)
    seconds, _GRAPH = timed(load)
    return seconds


def _rdflib_runs(text: str, runs: int, budget: float, conn) -> None:
    times = []
    for _ in range(runs):
        seconds, rows = timed(lambda: list(_GRAPH.query(text)))
        times.append(seconds)
        conn.send(("time", seconds, len(rows)))
        if sum(times) > budget / 2:
            break
    conn.send(("done",))


def rdflib_latency(text: str, runs: int, limit: float) -> tuple[str, int | None]:
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_rdflib_runs, args=(text, runs, limit, child))
    process.start()
    times, rows, deadline = [], None, time.monotonic() + limit
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not parent.poll(left):
            process.kill()
            process.join()
            return (f"> {limit:g} s" if not times else f"{statistics.median(times) * 1000:.0f} ms"), rows
        message = parent.recv()
        if message[0] == "done":
            process.join()
            return f"{statistics.median(times) * 1000:.0f} ms", rows
        times.append(message[1])
        rows = message[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the union graph")
    parser.add_argument("--runs", type=int, default=5, help="runs per query (median reported)")
    parser.add_argument("--rdflib-timeout", type=float, default=120, help="seconds per rdflib query")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    print(f"generating a kg-shaped graph of about {args.triples:,} triples ...", flush=True)
    seconds, (fragments, union_size) = timed(generate, args.triples, args.seed)
    quads = sum(len(g) for _, g in fragments)
    print(f"  {len(fragments):,} documents, {quads:,} triples in document graphs, "
          f"{union_size:,} in their union ({seconds:.0f} s)")

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        print("\nload                                    seconds   triples/s")
        staged, commit, grown = load_kg_store(work / "store", fragments)
        kg_seconds = staged + commit
        print(f"  Oxigraph, kg staging + one commit    {kg_seconds:8.1f}  {quads / kg_seconds:10,.0f}"
              f"   (staging {staged:.1f} s, commit {commit:.1f} s, peak RSS +{grown:,.0f} MB)", flush=True)
        bulk_seconds = load_bulk(work / "bulk", fragments)
        print(f"  Oxigraph, raw bulk_load (N-Quads)    {bulk_seconds:8.1f}  {quads / bulk_seconds:10,.0f}", flush=True)
        rdf_seconds = load_rdflib(fragments)
        print(f"  rdflib Memory, Graph.add + counts    {rdf_seconds:8.1f}  {quads / rdf_seconds:10,.0f}", flush=True)
        del fragments

        print(f"\nnamed query (no parameters)       rows   Oxigraph (median of {args.runs})   rdflib Memory")
        with Store.open(work / "store", read_only=True) as store:
            for query in list_queries():
                times = []
                for _ in range(args.runs):
                    seconds, result = timed(run_query, store, query.name)
                    times.append(seconds)
                ox_ms = statistics.median(times) * 1000
                rdf, rdf_rows = rdflib_latency(query.text, args.runs, args.rdflib_timeout)
                check = "" if rdf_rows in (None, len(result.rows)) else f"  (rdflib: {rdf_rows} rows)"
                print(f"  {query.name:30s} {len(result.rows):7,d}   {ox_ms:10.0f} ms          {rdf:>12s}{check}",
                      flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
