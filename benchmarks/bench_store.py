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
    .venv/bin/python benchmarks/bench_store.py --store DIR --runs 20 --budget 5 --serve   # reuse a store

Page 1 (``--limit 100``) is what ``kg query --limit 100`` does: walked
entity by entity where the query says how (:mod:`kg.pages`).
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
from kg.records import Agreement, Claim, Document, Entity, EventDate, Span
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
    claims, agreements, dates = [], [], {}
    year = rng.randint(2014, 2019)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else None
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
        if date is not None:  # evidence dates: most inherit the document's, some state their own
            if rng.random() < 0.3:
                dates[span] = EventDate(f"{year}-{rng.randint(1, 12):02d}-01", "month", "stated", "in the month")
            else:
                dates[span] = EventDate(date, "day", "inherited")
        sentences.append(text)
        offset = span.end + 1
    body = " ".join(sentences)
    doc = Document(id=doc_id, path=f"corpus/{doc_id}.txt", text=body, body=body, title=f"Report {n}",
                   publisher=rng.choice(("AFP", "Reuters", "SANA", "Zaman Al Wasl")), date=date,
                   sha256=f"{rng.getrandbits(256):064x}")
    return doc, claims, agreements, dates


def generate(target: int, seed: int) -> tuple[list[tuple[str, rdflib.Graph]], int]:
    """Document fragments until their union holds about ``target`` triples."""
    rng = random.Random(seed)
    entities, names = make_entities(rng, actors=max(200, target // 500), places=max(50, target // 2000))
    relations = load_data("relations")["relations"]
    fragments, union, n = [], set(), 0
    while len(union) < target:
        doc, claims, agreements, dates = make_document(rng, n, entities, relations)
        builder = GraphBuilder()
        builder.add_document(doc)
        builder.add_claims(claims, entities, names, dates=dates)
        builder.add_agreements(agreements, entities, names, dates=dates)
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


# A typical parameter for each named query: an actor of the frequent pool, a place, a speaker.
TYPICAL = {
    "as-of": {"place": "Place 3"},
    "claims-by-speaker": {"speaker": "Actor 5"},
    "denied-or-unconfirmed": {"actor": "Actor 5"},
    "single-source-claims": {"actor": "Actor 5"},
    "timeline": {"actor": "Actor 5"},
    "where-an-actor-went": {"actor": "Actor 5"},
    "who-backs-whom": {"actor": "Actor 5"},
    "who-dealt-with-whom": {"actor": "Actor 5"},
}
PAGE = 100


def typical_triple(store) -> dict[str, str]:
    """evidence-for-triple's parameters: the best-sourced triple whose subject is Actor 5."""
    text = """SELECT ?o ?r WHERE { ?st rdf:subject ?s ; rdf:predicate ?r ; rdf:object ?x ; kgo:evidenceCount ?n .
        ?s rdfs:label "Actor 5" . ?x rdfs:label ?o } ORDER BY DESC(?n) ?o ?r LIMIT 1"""
    row = run_query(store, text).rows[0]
    return {"subject": "Actor 5", "relation": str(row[1]).rsplit("#", 1)[1], "object": str(row[0])}


def latencies(function, runs: int, budget: float) -> tuple[list[float], object]:
    """Seconds of up to ``runs`` calls (at least 3, fewer past ``budget`` seconds) and the last value."""
    times, value = [], None
    while len(times) < runs and (len(times) < 3 or sum(times) < budget):
        seconds, value = timed(function)
        times.append(seconds)
    return times, value


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:8.0f} {p95(times) * 1000:8.0f}"


def query_figures(store, runs: int, budget: float, only: set[str] | None = None, whole: bool = True) -> None:
    """Median and p95 of every named query: with a typical parameter, page 1 without one, and whole."""
    import inspect

    paged = "limit" in inspect.signature(run_query).parameters
    typical = dict(TYPICAL, **{"evidence-for-triple": typical_triple(store)})
    print(f"\nnamed query at {len(store):,} quads; milliseconds: median p95 (runs)")
    print(f"{'query':26s} {'typical parameter':40s} {'rows':>6s} {'median':>8s} {'p95':>8s}   "
          f"{'page 1 (' + str(PAGE) + ')':>17s}   {'whole listing':>26s}")
    for query in list_queries():
        if only and query.name not in only:
            continue
        cells = []
        params = typical.get(query.name)
        if params:
            times, result = latencies(lambda: run_query(store, query.name, params=params), runs, budget)
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            cells.append(f"{label[:40]:40s} {len(result.rows):6,d} {_ms(times)}")
        else:
            cells.append(f"{'-':40s} {'':6s} {'':8s} {'':8s}")
        if paged:
            times, result = latencies(lambda: run_query(store, query.name, limit=PAGE), runs, budget)
            cells.append(f"{_ms(times)}")
        else:
            cells.append(f"{'-':>17s}")
        if whole:
            times, result = latencies(lambda: run_query(store, query.name), runs, budget)
            cells.append(f"{len(result.rows):7,d} rows {_ms(times)} ({len(times)})")
        print(f"{query.name:26s} " + "   ".join(cells), flush=True)


def rank_figures(store_path: Path) -> None:
    """Seconds the sort ranks (kg.order) take to compute and to write, the part of a commit they add."""
    from kg.order import rank_quads, write_ranks

    with Store.open(store_path) as store:
        seconds, quads = timed(rank_quads, store._store())
        written, _ = timed(write_ranks, store._store())
    print(f"sort ranks: {len(quads):,} ranks computed in {seconds:.2f} s; computed and written in {written:.2f} s")


def serve_figures(store_path: Path, runs: int, budget: float) -> None:
    """Each named query's text, whole and with LIMIT 100, sent by a real HTTP client to a real
    ``kg serve`` (its default time limit and result cap) on the store: status, rows, seconds."""
    import json
    import socket
    import subprocess
    import urllib.error
    import urllib.request

    from kg.pages import plain_text
    from kg.query import drop_unbound_lines

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_path), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"

    def ask(text: str):
        request = urllib.request.Request(url, data=text.encode(), method="POST", headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                body = json.loads(answer.read())
                rows = len(body["results"]["bindings"]) if "results" in body else 1
                return answer.status, rows, answer.headers.get("X-KG-Truncated")
        except urllib.error.HTTPError as exc:
            return exc.code, 0, None

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                ask("ASK { }")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("kg serve did not start")
                time.sleep(0.5)
        print(f"\nkg serve (default --timeout 10, --max-results 10000), a real HTTP client; ms: median p95 (runs)")
        for query in list_queries():
            text = plain_text(drop_unbound_lines(query.text, {}))
            cells = []
            for label, sparql in (("whole", text), ("LIMIT 100", f"{text.rstrip()}\nLIMIT 100\n")):
                times, answer = latencies(lambda: ask(sparql), runs, budget)
                status, rows, truncated = answer
                cells.append(f"{label}: {status} {rows:6,d} rows{' (cut)' if truncated == 'true' else ''} "
                             f"{_ms(times)} ({len(times)})")
            print(f"{query.name:26s} " + "   ".join(cells), flush=True)
    finally:
        server.terminate()
        server.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the union graph")
    parser.add_argument("--runs", type=int, default=20, help="runs per query (median and p95 reported)")
    parser.add_argument("--budget", type=float, default=20, help="seconds per query figure (at least 3 runs)")
    parser.add_argument("--rdflib-timeout", type=float, default=0,
                        help="seconds per rdflib query (0: skip the rdflib comparison)")
    parser.add_argument("--store", type=Path, default=None,
                        help="keep the generated store in this folder; if it holds one, only refresh its "
                             "derived triples and run the queries")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--serve", action="store_true",
                        help="also send every named query to a real `kg serve` on the store (HTTP)")
    parser.add_argument("--no-queries", action="store_true", help="skip the named-query figures")
    parser.add_argument("--no-whole", action="store_true", help="leave out the whole listings")
    parser.add_argument("--as-is", action="store_true", help="reuse --store without recomputing anything")
    parser.add_argument("--only", default="", help="named queries to measure, comma-separated (default: all)")
    args = parser.parse_args(argv)

    if args.store is not None and (args.store / "CURRENT").is_file():
        if not args.as_is:
            with Store.open(args.store) as store:
                seconds, _ = timed(store.refresh_derived)
            print(f"reusing {args.store} (derived triples and sort ranks recomputed in {seconds:.1f} s)")
            rank_figures(args.store)
        if not args.no_queries:
            with Store.open(args.store, read_only=True) as store:
                query_figures(store, args.runs, args.budget, set(filter(None, args.only.split(","))),
                              whole=not args.no_whole)
        if args.serve:
            serve_figures(args.store, args.runs, args.budget)
        return 0

    print(f"generating a kg-shaped graph of about {args.triples:,} triples ...", flush=True)
    seconds, (fragments, union_size) = timed(generate, args.triples, args.seed)
    quads = sum(len(g) for _, g in fragments)
    print(f"  {len(fragments):,} documents, {quads:,} triples in document graphs, "
          f"{union_size:,} in their union ({seconds:.0f} s)")

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    store_path = args.store if args.store is not None else work / "store"
    try:
        print("\nload                                    seconds   triples/s")
        staged, commit, grown = load_kg_store(store_path, fragments)
        kg_seconds = staged + commit
        print(f"  Oxigraph, kg staging + commits       {kg_seconds:8.1f}  {quads / kg_seconds:10,.0f}"
              f"   (staging {staged:.1f} s, commit {commit:.1f} s, peak RSS +{grown:,.0f} MB)", flush=True)
        if args.rdflib_timeout > 0:
            bulk_seconds = load_bulk(work / "bulk", fragments)
            print(f"  Oxigraph, raw bulk_load (N-Quads)    {bulk_seconds:8.1f}  {quads / bulk_seconds:10,.0f}",
                  flush=True)
            rdf_seconds = load_rdflib(fragments)
            print(f"  rdflib Memory, Graph.add + counts    {rdf_seconds:8.1f}  {quads / rdf_seconds:10,.0f}",
                  flush=True)
        del fragments
        with Store.open(store_path, read_only=True) as store:
            query_figures(store, args.runs, args.budget)
            if args.rdflib_timeout > 0:
                print("\nnamed query (no parameters)       rdflib Memory, median")
                for query in list_queries():
                    rdf, rdf_rows = rdflib_latency(query.text, args.runs, args.rdflib_timeout)
                    print(f"  {query.name:30s} {rdf:>12s} ({rdf_rows} rows)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
