"""SHACL validators on kg's shapes: kg's engine (``kg.shacl``), pySHACL on Oxigraph, pySHACL on rdflib, pyrudof.

A script, not a test. For each graph (the seeds build, and synthetic graphs
of about 50,000 and 500,000 triples made like ``benchmarks/bench_store.py``'s,
with kg's own ``GraphBuilder`` and the derived triples) it validates two
versions against ``ontology/shapes.ttl`` with ``ontology/kg.ttl`` mixed in
(as ``kg.validate`` does): the graph as built (it conforms) and a *broken*
copy with five violations made on purpose (an entity without its label, an
offset that is a string, a statement without its evidence, a latitude out of
range, an occurrence whose text does not match its offsets: the last a
``sh:sparql`` constraint). It prints, per validator, the seconds to load the
data and to validate, the verdict, and how many (focus node, path) results it
reports; ``same`` says whether those equal pySHACL-on-rdflib's (the
reference; where it did not finish, kg's engine's).

* kg: the ``Store`` of the union as ``kg build`` validates it, with
  ``kg.shacl.validate_store`` (the engine only: on a graph that does not
  conform ``kg.validate`` then asks pySHACL for the report);
* pyshacl-ox: ``pyshacl.validate`` given the ``pyoxigraph.Store``
  (``pyshacl[oxigraph]``, 0.40); the ontology is loaded into the store as
  pySHACL would mix it in (its ``ont_graph`` argument fails on an Oxigraph
  store in 0.40.1);
* pyshacl-rdflib: ``pyshacl.validate`` on an rdflib ``Graph``, as
  ``kg.validate`` calls it (``advanced=True``);
* rudof: pyrudof's native engine, data and ontology read from N-Triples.

Each run is a forked child stopped after ``--timeout`` seconds (``> N s``).

Usage::

    .venv/bin/pip install -e '.[bench]'   # pyrudof and pySHACL's oxigraph extra: not dependencies of kg
    .venv/bin/python benchmarks/bench_shacl.py [--seeds DIR] [--sizes 50000 500000] [--timeout 300]
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).parent))

from kg.resources import ontology_file  # noqa: E402

KGO = "https://w3id.org/kg-conflict/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def synthetic(target: int, seed: int = 20171015) -> bytes:
    """N-Triples of a kg-shaped graph of about ``target`` triples, derived triples included."""
    from bench_store import generate

    from kg.derived import derive
    from kg.store import ntriples

    fragments, _ = generate(target, seed)
    store = ox.Store()
    store.load("\n".join(ntriples(graph) for _, graph in fragments).encode(), format=ox.RdfFormat.N_TRIPLES)
    derive(store)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def seeds(folder: Path) -> bytes:
    store = ox.Store()
    store.load(path=str(folder / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def first(store: ox.Store, query: str):
    return next(iter(store.query(query)))


def broken(data: bytes) -> bytes:
    """``data`` with five violations, each of another shape."""
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    p = f"PREFIX kgo: <{KGO}> PREFIX rdf: <{RDF}> PREFIX rdfs: <{RDFS}> PREFIX geo: <{GEO}> PREFIX prov: <{PROV}> "
    label = first(store, p + "SELECT ?e ?l { ?e a kgo:State ; rdfs:label ?l } ORDER BY ?e LIMIT 1")
    store.remove(ox.Quad(label["e"], ox.NamedNode(RDFS + "label"), label["l"]))
    begin = first(store, p + "SELECT ?o ?b { ?o kgo:beginOffset ?b } ORDER BY ?o LIMIT 1")
    store.remove(ox.Quad(begin["o"], ox.NamedNode(KGO + "beginOffset"), begin["b"]))
    store.add(ox.Quad(begin["o"], ox.NamedNode(KGO + "beginOffset"), ox.Literal("abc")))
    statement = first(store, p + "SELECT ?s ?e { ?s a rdf:Statement ; prov:wasDerivedFrom ?e } ORDER BY ?s LIMIT 1")
    store.update(p + f"DELETE WHERE {{ {statement['s']} prov:wasDerivedFrom ?e }}")
    lat = first(store, p + "SELECT ?x ?l { ?x geo:lat ?l } ORDER BY ?x LIMIT 1")
    store.remove(ox.Quad(lat["x"], ox.NamedNode(GEO + "lat"), lat["l"]))
    store.add(ox.Quad(lat["x"], ox.NamedNode(GEO + "lat"), ox.Literal("123.5", datatype=ox.NamedNode(XSD + "decimal"))))
    end = first(store, p + "SELECT ?o ?e { ?o kgo:endOffset ?e } ORDER BY DESC(?o) LIMIT 1")
    store.remove(ox.Quad(end["o"], ox.NamedNode(KGO + "endOffset"), end["e"]))
    store.add(ox.Quad(end["o"], ox.NamedNode(KGO + "endOffset"), ox.Literal(int(end["e"].value) + 7)))
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def _key(term) -> str:
    text = str(term) if term is not None else ""
    if text.startswith("_:") or text.startswith("[") or "BNode" in type(term).__name__ or "Blank" in type(term).__name__:
        return "[]"
    return text.strip("<>")


def _pyshacl_results(results) -> set:
    from rdflib import RDF as R
    from rdflib.namespace import SH

    return {(_key(results.value(r, SH.focusNode)), _key(results.value(r, SH.resultPath)))
            for r in results.subjects(R.type, SH.ValidationResult)}


# --------------------------------------------------------------------------
# the validators: each returns (load seconds, validate seconds, conforms, results)


def run_kg(data: bytes):
    from kg import shacl
    from kg.validate import _compiled_shapes, _oxigraph_data, _shapes_path

    started = time.perf_counter()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    compiled = _compiled_shapes(_shapes_path("shapes.ttl"))
    store, graphs, odd, view, done = _oxigraph_data(store, [ox.DefaultGraph()])
    try:
        results = shacl.validate_store(store, compiled, default_graph=graphs, odd_graph=odd, view=view)
    finally:
        done()
    return loaded - started, time.perf_counter() - loaded, not results, {(_key(r.focus), _key(r.path))
                                                                           for r in results}


def _shapes():
    import rdflib

    return rdflib.Graph().parse(ontology_file("shapes.ttl"), format="turtle")


def run_pyshacl_ox(data: bytes):
    import pyshacl

    from kg.validate import _ontology

    shapes = _shapes()
    started = time.perf_counter()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    store.load(_ontology()[1], format=ox.RdfFormat.N_TRIPLES)  # the ontology as pySHACL mixes it in
    loaded = time.perf_counter()
    conforms, results, _ = pyshacl.validate(store, shacl_graph=shapes, inference="none", advanced=True,
                                            inplace=True, allow_warnings=False)
    return loaded - started, time.perf_counter() - loaded, bool(conforms), _pyshacl_results(results)


def run_pyshacl_rdflib(data: bytes):
    import pyshacl
    import rdflib

    from kg.validate import _cached_sparql, _load_rdf

    shapes, ontology = _shapes(), _load_rdf(ontology_file("kg.ttl"))
    started = time.perf_counter()
    graph = rdflib.Graph().parse(data=data, format="nt")
    loaded = time.perf_counter()
    with _cached_sparql():
        conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                                advanced=True, inplace=False, allow_warnings=False)
    return loaded - started, time.perf_counter() - loaded, bool(conforms), _pyshacl_results(results)


def run_rudof(data: bytes):
    import pyrudof

    from kg.validate import _ontology

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.nt"
        path.write_bytes(data + b"\n" + _ontology()[1])
        started = time.perf_counter()
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(path), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(str(ontology_file("shapes.ttl")))
        loaded = time.perf_counter()
        report = rudof.validate_shacl()
        found = {(_key(v.focus_node), _key(v.path)) for v in report.violations}
        return loaded - started, time.perf_counter() - loaded, bool(report.conforms), found


VALIDATORS = {"kg": run_kg, "pyshacl-ox": run_pyshacl_ox, "pyshacl-rdflib": run_pyshacl_rdflib, "rudof": run_rudof}


def _child(name, data, conn):
    try:
        conn.send(("ok", VALIDATORS[name](data)))
    except Exception as exc:  # a validator that fails is reported, not fatal
        conn.send(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"))


def measure(name: str, data: bytes, timeout: float):
    parent, child = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(name, data, child))
    process.start()
    if parent.poll(timeout):
        outcome = parent.recv()
    else:
        outcome = ("timeout", None)
    process.kill()
    process.join()
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, help="a seeds build (its graph.ttl); default: build the seeds now")
    parser.add_argument("--sizes", type=int, nargs="*", default=[50_000, 500_000])
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", nargs="*", choices=sorted(VALIDATORS), default=list(VALIDATORS))
    args = parser.parse_args(argv)

    from kg.validate import _compiled_shapes, _ontology, _shapes_path

    _compiled_shapes(_shapes_path("shapes.ttl")), _ontology()  # compiled once, before the children fork
    graphs = []
    if args.seeds is None:
        import kg

        out = Path(tempfile.mkdtemp()) / "seeds"
        kg.build([Path(__file__).parents[1] / "seeds"], out)
        args.seeds = out
    graphs.append(("seeds", seeds(args.seeds)))
    for size in args.sizes:
        started = time.perf_counter()
        graphs.append((f"{size // 1000}k", synthetic(size)))
        print(f"# generated {size} triples in {time.perf_counter() - started:.0f} s", flush=True)

    print(f"{'graph':<8} {'version':<9} {'triples':>8} {'validator':<15} {'load s':>7} {'check s':>8} "
          f"{'verdict':<12} {'results':>7}  same")
    for label, data in graphs:
        for version, text in (("conforms", data), ("broken", broken(data))):
            triples = text.count(b"\n")
            outcomes = {name: measure(name, text, args.timeout) for name in args.only}
            reference = next((o[1][3] for n, o in outcomes.items() if n == "pyshacl-rdflib" and o[0] == "ok"),
                             next((o[1][3] for n, o in outcomes.items() if n == "kg" and o[0] == "ok"), None))
            for name, (status, value) in outcomes.items():
                head = f"{label:<8} {version:<9} {triples:>8} {name:<15}"
                if status == "timeout":
                    print(f"{head} {'':>7} {'> ' + str(int(args.timeout)):>8} {'(stopped)':<12}", flush=True)
                elif status == "error":
                    print(f"{head} {'':>7} {'':>8} error: {value}", flush=True)
                else:
                    load, check, conforms, results = value
                    verdict = "conforms" if conforms else "violations"
                    same = "yes" if results == reference else "NO"
                    print(f"{head} {load:7.2f} {check:8.2f} {verdict:<12} {len(results):>7}  {same}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
