"""How fast the HTML view is on a large graph: render in Python, then open in Chromium.

A script, not a test. It generates a synthetic graph shaped like kg's output
(DESIGN.md, "The RDF contract"): 2,000 entities (states, armed groups,
organisations, coalitions, people and places with coordinates), about 4,000
relation triples between them, each reified with one to three evidence
sentences from a few hundred documents. It renders the page with
:func:`kg.html.render_html`, opens it from ``file://`` in headless Chromium
(Debian's ``/usr/bin/chromium`` through Playwright, no network) and prints:

* the render time in Python and the size of the HTML file;
* the time from navigation start until the network is first drawn
  (vis-network's first ``afterDrawing``);
* the time from navigation start until it is interactive: a real mouse click
  on a node, sent as soon as it is drawn, has opened the evidence panel.

The target is interactive in under 3 s for 2,000 nodes::

    .venv/bin/python benchmarks/bench_html.py [--nodes 2000] [--edges 4000] [--runs 3]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, XSD, Literal
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.html import render_html
from kg.resources import load_data
from kg.vocab import GEO, KGO, KGR, document_iri, entity_iri, evidence_iri, statement_iri

CHROMIUM = "/usr/bin/chromium"
SEED = 20171015

#: Share of each entity type among the synthetic entities.
TYPE_MIX = (("Place", 0.45), ("ArmedGroup", 0.2), ("Person", 0.17), ("Organization", 0.1),
            ("State", 0.05), ("Coalition", 0.03))
MODALITIES = ("asserted",) * 6 + ("reported",) * 3 + ("planned", "unconfirmed", "denied")
WORDS = ("forces", "fighters", "said", "agreed", "after", "talks", "near", "the", "city", "border",
         "convoy", "ceasefire", "officials", "monitor", "reported", "on", "Tuesday", "province")


def synthetic_graph(n_nodes: int, n_edges: int, seed: int = SEED) -> rdflib.Graph:
    """A kg-shaped graph: entities, relation triples, statements, evidence, documents."""
    rng = random.Random(seed)
    relations = load_data("relations")["relations"]
    actor_relations = [r for r, spec in relations.items() if spec.get("family") != "territory"]
    place_relations = [r for r, spec in relations.items() if spec.get("family") == "territory"]
    g = rdflib.Graph()
    entities: dict[str, list[str]] = {}
    kinds = [k for k, share in TYPE_MIX for _ in range(round(share * 1000))]
    for i in range(n_nodes):
        kind = kinds[i * len(kinds) // n_nodes]
        ident = f"{kind.lower()}_{i:05d}"
        entities.setdefault(kind, []).append(ident)
        node = entity_iri(ident)
        g.add((node, RDF.type, KGO[kind]))
        g.add((node, RDFS.label, Literal(f"{kind} {i}")))
        g.add((node, SKOS.altLabel, Literal(f"{kind[:2].upper()}{i}")))
        if kind in ("Place", "State"):
            if kind == "State":
                g.add((node, RDF.type, KGO.Place))
            g.add((node, GEO.lat, Literal(f"{rng.uniform(29, 40):.4f}", datatype=XSD.decimal)))
            g.add((node, GEO.long, Literal(f"{rng.uniform(33, 48):.4f}", datatype=XSD.decimal)))
    actors = [a for kind in ("ArmedGroup", "State", "Organization", "Coalition", "Person")
              for a in entities.get(kind, [])]
    places = entities.get("Place", []) + entities.get("State", [])
    # preferential attachment: a few actors appear in many triples
    weights = [1.0 / (1 + rank) ** 0.8 for rank in range(len(actors))]
    n_docs = max(1, n_edges // 10)
    for d in range(n_docs):
        doc = document_iri(f"doc_{d:05d}")
        g.add((doc, RDF.type, KGO.Document))
        g.add((doc, DCTERMS.identifier, Literal(f"doc_{d:05d}")))
        g.add((doc, DCTERMS.title, Literal(f"Synthetic report {d} on the fighting")))
        g.add((doc, DCTERMS.publisher, Literal(rng.choice(("AFP", "Reuters", "Zaman Al Wasl")))))
        g.add((doc, DCTERMS.date, Literal(f"2018-{1 + d % 12:02d}-{1 + d % 28:02d}", datatype=XSD.date)))
    seen: set[tuple[str, str, str]] = set()
    # every entity gets at least one relation, then the rest at random
    pending = list(places) + list(actors)
    rng.shuffle(pending)
    while len(seen) < n_edges:
        subject = rng.choices(actors, weights)[0]
        if pending:
            other = pending.pop()
        elif rng.random() < 0.5:
            other = rng.choice(places)
        else:
            other = rng.choices(actors, weights)[0]
        if other == subject:
            continue
        relation = rng.choice(place_relations if other in places else actor_relations)
        s, o = subject, other
        if relations[relation].get("symmetric") and o < s:
            s, o = o, s
        if (s, relation, o) in seen:
            continue
        seen.add((s, relation, o))
        s_node, o_node = entity_iri(s), entity_iri(o)
        g.add((s_node, KGO[relation], o_node))
        statement = statement_iri(s, relation, o)
        g.add((statement, RDF.type, RDF.Statement))
        g.add((statement, RDF.subject, s_node))
        g.add((statement, RDF.predicate, KGO[relation]))
        g.add((statement, RDF.object, o_node))
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            doc_id = f"doc_{rng.randrange(n_docs):05d}"
            start = rng.randrange(0, 20000)
            text = " ".join([f"{s.split('_')[0].title()} {int(s.split('_')[1])}",
                             *rng.choices(WORDS, k=rng.randint(8, 30)),
                             f"{o.split('_')[0].title()} {int(o.split('_')[1])}."])
            ev = evidence_iri(text, qualifier=f"{doc_id}:{start}")
            g.add((ev, RDF.type, KGO.Evidence))
            g.add((ev, KGO.text, Literal(text)))
            g.add((ev, KGO.beginOffset, Literal(start)))
            g.add((ev, KGO.endOffset, Literal(start + len(text))))
            g.add((ev, DCTERMS.isPartOf, document_iri(doc_id)))
            g.add((ev, KGO.modality, KGO[rng.choice(MODALITIES)]))
            g.add((statement, PROV.wasDerivedFrom, ev))
            if relations[relation].get("family") == "agreement" and rng.random() < 0.5:
                agreement = KGR[f"agreement/{doc_id}/{start}"]  # the page lists agreements
                g.add((agreement, RDF.type, KGO.Agreement))
                g.add((agreement, KGO.agreementType, Literal(rng.choice(("truce", "deal", "evacuation deal")))))
                g.add((agreement, KGO.party, s_node))
                g.add((agreement, KGO.party, o_node))
                if rng.random() < 0.3:
                    g.add((agreement, KGO.broker, entity_iri(rng.choices(actors, weights)[0])))
                if rng.random() < 0.5:
                    g.add((agreement, KGO.place, entity_iri(rng.choice(places))))
                g.add((agreement, DCTERMS.date, Literal(f"2018-{1 + start % 12:02d}-{1 + start % 28:02d}",
                                                         datatype=XSD.date)))
                g.add((agreement, PROV.wasDerivedFrom, ev))
    return g


def open_in_chromium(html: Path) -> dict[str, float]:
    """Times, in seconds from navigation start: first drawn, and a click answered."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(html.as_uri(), wait_until="commit")
        page.wait_for_function("() => window.kgReady === true", timeout=120_000, polling=20)
        # click the biggest node (or whatever lies on top of it), at once
        x, y = page.evaluate("""() => {
            const ids = kgNodes.getIds(), pos = kgNetwork.getPositions(ids);
            let best = ids[0];
            ids.forEach(id => { if (kgEntities[id].edges.length > kgEntities[best].edges.length) best = id; });
            const dom = kgNetwork.canvasToDOM(pos[best]);
            const box = document.getElementById("kg-graph").getBoundingClientRect();
            window.kgBenchTarget = kgNetwork.getNodeAt(dom);  // a neighbour may lie on top
            return [box.left + dom.x, box.top + dom.y];
        }""")
        page.mouse.click(x, y)
        page.wait_for_function("() => !document.getElementById('kg-panel').hidden", polling=10)
        answered = page.evaluate("performance.now()")
        timings = page.evaluate("window.kgTimings")
        selected = page.evaluate("kgNetwork.getSelectedNodes()[0] === window.kgBenchTarget")
        counts = page.evaluate("kgVisibleCounts()")
        browser.close()
    if errors:
        raise SystemExit(f"console errors: {errors}")
    if not selected:
        raise SystemExit("the click did not select the intended node")
    return {"script": timings["script"] / 1000, "drawn": timings["firstDraw"] / 1000,
            "interactive": answered / 1000, **{k: float(v) for k, v in counts.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3, help="browser runs (median reported)")
    parser.add_argument("--keep", type=Path, help="also copy the page here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    graph = synthetic_graph(args.nodes, args.edges)
    print(f"synthetic graph: {len(graph):,} RDF triples in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "graph.html"
        started = time.perf_counter()
        counts = render_html(graph, html)
        render = time.perf_counter() - started
        size = html.stat().st_size
        print(f"render_html: {counts['nodes']:,} nodes, {counts['edges']:,} edges "
              f"in {render:.2f} s; {size / 1e6:.2f} MB")
        if args.keep:
            args.keep.write_bytes(html.read_bytes())
        if not Path(CHROMIUM).is_file():
            print(f"{CHROMIUM} is missing: no browser timing")
            return 1
        runs = [open_in_chromium(html) for _ in range(args.runs)]
    for i, run in enumerate(runs, 1):
        print(f"  run {i}: script started {run['script']:.2f} s, drawn {run['drawn']:.2f} s, "
              f"click answered {run['interactive']:.2f} s")
    drawn = statistics.median(r["drawn"] for r in runs)
    interactive = statistics.median(r["interactive"] for r in runs)
    verdict = "OK" if interactive < 3 else "TOO SLOW"
    print(f"median: drawn {drawn:.2f} s, interactive {interactive:.2f} s after navigation start "
          f"(target < 3 s: {verdict})")
    return 0 if interactive < 3 else 2


if __name__ == "__main__":
    sys.exit(main())
