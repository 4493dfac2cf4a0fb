"""The query check reads what the engine reads; the engine cannot call out anyway.

A canary HTTP server on loopback stands for any host a query could make
Oxigraph call (``SERVICE``). Every separator of ``conftest.SEPARATORS`` is put
in comments, strings and IRIs around a ``SERVICE`` (``conftest._ssrf_queries``):
through the check and then the real engine (unsandboxed, in this process),
through ``kg query --sparql`` and ``.rq`` files; ``kg serve`` has its own
run in test_server.py. The canary must never be called. The controls show
that the same texts, given to Oxigraph as they are, do call it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Literal
from rdflib.namespace import RDFS

from kg.cli import EXIT_FAILED, cli
from kg.errors import QueryError, QueryRefusedError
from kg.query import QueryProcess, execute
from kg.rdf import new_graph
from kg.sparqlguard import MAX_DEPTH, check
from kg.store import Store
from kg.vocab import entity_iri

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
#: Hours on a store of a few hundred triples.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def memory_store() -> ox.Store:
    store = ox.Store()
    for i in range(3):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"label {i}")))
    return store


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard") / "store"
    with Store.open(path) as store:
        graph = new_graph()
        for i in range(200):
            graph.add((entity_iri(f"e{i}"), RDFS.label, Literal(f"Entity {i}")))
        store.replace_document("doc", graph)
    return path


def refused_or_ran(run, query: str) -> str:
    """'refused', 'error' (the engine's syntax error) or 'ran'."""
    try:
        run(query)
    except QueryRefusedError:
        return "refused"
    except QueryError:
        return "error"
    return "ran"


# --------------------------------------------------------------------------
# The differential test
# --------------------------------------------------------------------------

def test_no_separator_gets_a_service_past_the_check(canary, ssrf_queries):
    store = memory_store()
    outcomes: dict[str, list[str]] = {"refused": [], "error": [], "ran": []}
    counts = {}
    for name, query in ssrf_queries(canary.url):
        outcome = refused_or_ran(lambda q: execute(store, q), query)
        outcomes[outcome].append(name)
        if name.startswith("from"):
            counts[name] = outcome
            if outcome == "ran":  # FROM <nothing> would count 0 triples
                assert int(next(iter(store.query(check(query).text)))["n"].value) == 3, name
        assert not canary.hits, (name, query, canary.hits)
    time.sleep(0.2)
    assert canary.hits == []
    total = sum(len(v) for v in outcomes.values())
    print(f"\n{total} queries: {len(outcomes['refused'])} refused, {len(outcomes['error'])} syntax errors, "
          f"{len(outcomes['ran'])} ran; canary calls: {len(canary.hits)}")
    # Where Oxigraph ends a comment (CR, LF), the SERVICE after it is refused...
    for form in ("comment", "comment-silent", "comment-lower", "comment-var", "comment-prefix"):
        for sep in ("CR", "LF", "CRLF"):
            assert f"{form}/{sep}" in outcomes["refused"]
    assert "from/CR" in outcomes["refused"] and "from-named/LF" in outcomes["refused"]
    # ... elsewhere the comment goes on, as it does for Oxigraph, and the query runs.
    for sep in ("VT", "FF", "NEL", "LS", "PS", "NBSP", "U+2000", "ZWSP", "IDSP", "BOM", "TAB", "SPACE"):
        assert f"comment/{sep}" in outcomes["ran"], sep
        assert f"from/{sep}" in outcomes["ran"], sep
    # SERVICE after any white space Oxigraph knows is refused.
    assert {f"service-space/{s}" for s in ("CR", "LF", "TAB", "SPACE")} <= set(outcomes["refused"])
    assert len(outcomes["ran"]) > 200


@pytest.mark.parametrize("name", ["comment/CR", "comment-var/CR", "comment-prefix/CR", "from/CR",
                                  "iri-quote/SPACE", "iri-hash/CR"])
def test_control_the_engine_alone_runs_them(canary, ssrf_queries, name):
    """The same texts, given to Oxigraph as they are: it calls the canary (or reads FROM)."""
    query = dict(ssrf_queries(canary.url))[name]
    store = memory_store()
    try:
        answer = store.query(query)
        rows = list(answer)
    except OSError:  # the canary answers 404
        rows = None
    if name.startswith("from"):
        assert int(rows[0]["n"].value) == 0  # FROM <nothing>: the engine did read it
    else:
        time.sleep(0.2)
        assert canary.hits, name
        assert canary.hits[0][2].startswith("Oxigraph")
        if name.startswith("comment-var"):
            assert "label%20" in canary.hits[0][1]  # the store's text, sent out


def test_what_the_engine_runs_has_no_comment_and_safe_iris():
    checked = check("PREFIX ex: <http://x/#>\nSELECT * # c\rWHERE { ?s ex:p <http://x/a'b#c> } # end")
    assert checked.text == "PREFIX ex: <http://x/\\u0023>\nSELECT * \rWHERE { ?s ex:p <http://x/a\\u0027b\\u0023c> } "
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode("http://x/#p"), ox.NamedNode("http://x/a'b#c")))
    result = execute(store, "PREFIX ex: <http://x/#> SELECT ?s WHERE { ?s ex:p <http://x/a'b#c> } # c")
    assert [str(row[0]) for row in result.rows] == [f"{EX}s"]


@pytest.mark.parametrize("query, message", [
    (f"PREFIX x: <{EX}>\nSELECT * WHERE {{ SERVICEx:a {{ ?a ?b ?c }} }}", "SERVICE"),
    ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> { } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o .SERVICE <http://x/> { } }", "SERVICE"),
    ("SELECT * WHERE { sErViCe <http://x/> { } }", "SERVICE"),
    ("SELECT * WHERE { \\u0053ERVICE <http://x/> { } }", "SERVICE"),
    ("SELECT * FROM<http://x/> WHERE { }", "FROM"),
    ("SELECT * FROM:g WHERE { }", "FROM"),
    ("LOAD <http://x/>", "LOAD"),
    ("PREFIX a: <http://x/> INSERT DATA { a:a a:b a:c }", "Update"),
])
def test_refused_however_spelled(query, message):
    with pytest.raises(QueryRefusedError, match=message):
        check(query)


@pytest.mark.parametrize("query", [
    "SELECT ?service ?from WHERE { ?service ?from ?o }",
    "SELECT * WHERE { ?s ?p \"SERVICE <http://x/> FROM <http://y/>\" }",
    "SELECT * WHERE { ?s <http://x/from#service> ?o }",
    "SELECT * WHERE { ?s kgo:withdrew ?o } # SERVICE <http://x/> FROM <http://y/>",
])
def test_names_strings_iris_and_comments_may_say_service(query):
    assert check(query).kind == "select"


@pytest.mark.parametrize("query, message", [
    ("", "empty"), ("   \n\t", "empty"), ("# just a comment", "empty"), ("#a\r#b\n", "empty"),
    ("SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1), "nests"),
    ("# x\r" + "SELECT * WHERE " + "{" * 5000 + "}" * 5000, "5000 deep"),
    ("SELECT * WHERE { FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }", "nests"),
    ("SELECT * WHERE { ?s ?p " + "[ ?p " * 70 + "1" + " ]" * 70 + " }", "nests"),
    ("SELECT * WHERE { ?s ?p 'unterminated }", "unterminated"),
    ("SELECT * WHERE { ?s ?p 'bad \\q escape' }", "malformed"),
    ("SELECT * WHERE { ?s ex:a\\.b ?o }", "backslash"),
])
def test_hostile_queries_are_one_line_errors(query, message):
    with pytest.raises(QueryError, match=message) as info:
        check(query)
    assert "\n" not in str(info.value)


def test_nesting_up_to_the_limit_runs():
    query = "SELECT * WHERE " + "{" * MAX_DEPTH + "}" * MAX_DEPTH
    assert execute(ox.Store(), query).rows == [()]


# --------------------------------------------------------------------------
# The second line: the processes that run queries have no network
# --------------------------------------------------------------------------

SANDBOXED_SERVICE = textwrap.dedent("""
    import sys
    import pyoxigraph as ox
    from kg.sparqlguard import deny_network
    if sys.argv[2] == "deny":
        assert deny_network()
    try:
        list(ox.Store().query("SELECT * WHERE { SERVICE <%s> { ?a ?b ?c } }" % sys.argv[1]))
    except OSError as exc:
        print(type(exc).__name__, exc)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
def test_the_engine_in_a_sandboxed_process_cannot_call_out(canary):
    """No check at all: a raw SERVICE query, in a process after deny_network()."""
    run = subprocess.run([sys.executable, "-c", SANDBOXED_SERVICE, canary.url, "deny"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "PermissionError" in run.stdout and "Permission denied" in run.stdout
    time.sleep(0.2)
    assert canary.hits == []
    control = subprocess.run([sys.executable, "-c", SANDBOXED_SERVICE, canary.url, "allow"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert control.returncode == 0, control.stderr
    time.sleep(0.2)
    assert len(canary.hits) == 1 and canary.hits[0][2].startswith("Oxigraph")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
def test_query_processes_are_sandboxed(small_store):
    worker = QueryProcess(small_store)
    try:
        worker.wait_ready()
        assert worker.sandboxed
        rows = worker.run({"query": "SELECT ?l WHERE { ?e rdfs:label ?l } ORDER BY ?l LIMIT 3"}, 30).rows
        assert [str(r[0]) for r in rows] == ["Entity 0", "Entity 1", "Entity 10"]
    finally:
        worker.close()


def test_a_query_process_that_dies_is_reported_in_one_line(small_store):
    worker = QueryProcess(small_store)
    try:
        worker.wait_ready()
        pid = worker.process.pid
        job = {"query": HEAVY}
        killer = subprocess.Popen([sys.executable, "-c", f"import os, time; time.sleep(1); "
                                   f"os.kill({pid}, {int(signal.SIGSEGV)})"])
        with pytest.raises(QueryError, match=r"^the query process died \(killed by SIGSEGV\)") as info:
            worker.run(job, None)
        killer.wait(10)
        assert "\n" not in str(info.value)
    finally:
        worker.close()


# --------------------------------------------------------------------------
# kg query: --sparql and .rq files
# --------------------------------------------------------------------------

CLI_FORMS = ("comment", "comment-var", "iri-quote", "iri-hash")
#: The line ends of SPARQL (and of Python's universal newlines, which read .rq files).
LINE_ENDS = ("CR", "LF", "CRLF", "LFCR")


def cli_cases(queries) -> list[tuple[str, str]]:
    """The queries of the CLI forms that ``kg query`` gets: every form with every line end (where the
    check refuses the comment forms), and every other separator once, the forms taking turns.

    Each of these reaching the engine costs a query process; the differential test above already runs
    every separator in every form through the check and the engine. Here each separator goes through
    what ``kg query`` does to a text before the check (reading a .rq file, the header, the
    ``# only with --param`` lines, split at any line end ``str.splitlines`` knows) at least once.
    """
    separators: list[str] = []
    chosen = []
    for name, query in queries:
        form, sep = name.split("/", 1)
        if form not in CLI_FORMS:
            continue
        if sep not in separators:
            separators.append(sep)
        if sep in LINE_ENDS or CLI_FORMS.index(form) == separators.index(sep) % len(CLI_FORMS):
            chosen.append((name, query))
    return chosen


def test_kg_query_sparql_and_rq_files_never_call_out(canary, ssrf_queries, small_store, tmp_path):
    cases = cli_cases(ssrf_queries(canary.url))
    every = [name for name, _ in ssrf_queries(canary.url) if name.split("/")[0] in CLI_FORMS]
    assert {n.split("/", 1)[1] for n, _ in cases} == {n.split("/", 1)[1] for n in every}  # each separator
    assert {n.split("/", 1)[0] for n, _ in cases} == set(CLI_FORMS)
    runner = CliRunner()
    seen = {"refused": 0, "ran or failed": 0}
    # the comments' line ends by both routes (.rq files are read with universal newlines), the rest by turns
    both = {f"{form}/{sep}" for form in ("comment", "comment-var") for sep in LINE_ENDS}
    runs = [(name, query, route) for i, (name, query) in enumerate(cases)
            for route in (("sparql", "rq") if name in both else (("sparql", "rq")[i % 2],))]
    assert {route for *_, route in runs} == {"sparql", "rq"}
    for i, (name, query, route) in enumerate(runs):
        if route == "rq":
            rq = tmp_path / f"q{i}.rq"
            rq.write_text(query, encoding="utf-8", newline="")
            args = ["query", str(rq), "--store", str(small_store), "-f", "csv"]
        else:
            args = ["query", "--sparql", query, "--store", str(small_store), "-f", "csv"]
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, EXIT_FAILED), (name, result.output)
        if result.exit_code:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("kg: error: "), (name, result.stderr)
            seen["refused" if "not allowed" in lines[0] else "ran or failed"] += 1
        else:
            seen["ran or failed"] += 1
        assert not canary.hits, (name, canary.hits)
    time.sleep(0.2)
    assert canary.hits == []
    print(f"\nkg query: {len(runs)} queries, {seen['refused']} refused, {seen['ran or failed']} ran "
          f"or failed in the engine; canary calls: {len(canary.hits)}")
    assert seen["refused"] >= 6 and seen["ran or failed"] > 30  # CR, LF, CRLF in "comment" forms


@pytest.mark.parametrize("query, message", [
    ("", "empty"), ("# nothing here\n", "empty"),
    ("# x\r" + "SELECT * WHERE " + "{" * 5000 + "}" * 5000, "deep"),
    ("SELECT * WHERE { ?s ?p }", "syntax error"),
])
def test_kg_query_hostile_queries_exit_1_with_one_line(small_store, query, message):
    run = subprocess.run([sys.executable, "-m", "kg", "query", "--sparql", query, "--store", str(small_store)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == EXIT_FAILED, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ") and message in lines[0], run.stderr
    assert "Traceback" not in run.stderr


def test_kg_query_children_do_not_outlive_it(small_store):
    """SIGKILL of `kg query` in the middle of a query: its query process ends too."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "query", "--sparql", HEAVY, "--store", str(small_store)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        children = _wait_for_children(proc.pid, 1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert _gone(children, 10), children
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _wait_for_children(pid: int, count: int, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _children(pid)
        if len(found) >= count:
            time.sleep(1.5)  # let it get to work
            return _children(pid)
        time.sleep(0.1)
    pytest.fail(f"no child process of {pid} appeared")


def _gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)]
        if not alive:
            return True
        time.sleep(0.2)
    return False


def _state(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.lower()
    except OSError:
        return "zombie"
    return ""
