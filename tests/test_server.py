"""`kg serve` over loopback: a real subprocess, a real HTTP client.

The store is made from hand-written fragments (no spaCy), big enough for a
cross join that runs far past the time limit.
"""
from __future__ import annotations

import csv
import http.client
import io
import json
import queue
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from rdflib import Literal
from rdflib.namespace import RDFS

from kg.errors import StoreLockedError
from kg.rdf import new_graph
from kg.store import Store
from kg.vocab import KGO, entity_iri

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 2
MAX_RESULTS = 50
MAX_BODY = 4096
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label LIMIT 3"


def make_store(path: Path) -> None:
    with Store.open(path) as store:
        for doc in range(4):
            graph = new_graph()
            for i in range(100):
                node = entity_iri(f"e{doc}_{i}")
                graph.add((node, RDFS.label, Literal(f"Entity {doc}-{i:03d}")))
                graph.add((node, KGO.backs, entity_iri(f"e{doc}_{(i + 1) % 100}")))
            store.replace_document(f"doc{doc}", graph)


class Server:
    def __init__(self, store: Path, *, workers: int = 3, extra: list[str] | None = None):
        self.store = store
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0",
             "--timeout", str(TIMEOUT), "--max-results", str(MAX_RESULTS), "--max-body", str(MAX_BODY),
             "--workers", str(workers), *(extra or [])],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 120
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                pytest.fail(f"kg serve did not start: {self.log}")
            if " at http://" in line:
                break
        url = urlsplit(line.split(" at ", 1)[1].split()[0])
        self.host, self.port = url.hostname, url.port

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line)
            self.lines.put(line)

    def logged(self, wanted, timeout: float = 15) -> bool:
        """Whether a line of the access log satisfies ``wanted``: the log is read by a thread, so a
        line of a request just answered may come a moment after the answer."""
        deadline = time.monotonic() + timeout
        while not any(wanted(line) for line in list(self.log)):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                timeout: float = 30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, query: str, accept: str | None = None, **extra):
        headers = {"Accept": accept} if accept else {}
        return self.request("GET", "/sparql?" + urlencode({"query": query, **extra}), headers=headers)

    def post(self, query: str, accept: str = "application/sparql-results+json"):
        return self.request("POST", "/sparql", body=query.encode(),
                            headers={"Content-Type": "application/sparql-query", "Accept": accept})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("serve") / "store"
    make_store(store)
    running = Server(store)
    yield running
    running.stop()
    assert running.proc.returncode == 0, "".join(running.log)


def bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def test_get_and_post(server):
    status, headers, body = server.get(CHEAP)
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    assert [b["label"]["value"] for b in bindings(body)] == ["Entity 0-000", "Entity 0-001", "Entity 0-002"]
    status, _, body = server.post(CHEAP)
    assert status == 200 and len(bindings(body)) == 3
    form = urlencode({"query": CHEAP})
    status, _, body = server.request("POST", "/sparql", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    assert status == 200 and len(bindings(body)) == 3
    status, _, body = server.get("ASK { ?s kgo:backs ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_results_by_accept(server):
    status, headers, body = server.get(CHEAP, "application/sparql-results+xml")
    assert status == 200 and headers["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(body).findall("r:results/r:result", ns)) == 3
    status, headers, body = server.get(CHEAP, "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode())))[:2] == [["label"], ["Entity 0-000"]]
    status, headers, body = server.get(CHEAP, "text/tab-separated-values")
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    assert body.decode().splitlines()[:2] == ["?label", '"Entity 0-000"']
    status, headers, _ = server.get(CHEAP, "text/csv;q=0.2, application/sparql-results+json")
    assert headers["content-type"] == "application/sparql-results+json"
    status, headers, body = server.get("CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l } LIMIT 2",
                                       "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"rdfs:label" in body
    status, _, body = server.get(CHEAP, "text/turtle")
    assert status == 406 and b"acceptable types" in body
    status, _, _ = server.get(CHEAP, "image/png")
    assert status == 406


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
    "CLEAR ALL",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_updates_load_service_and_from_are_refused(server, query):
    for status, _, body in (server.get(query), server.post(query)):
        assert status == 403, body
        assert b"not allowed" in body


def test_update_endpoints_and_dataset_parameters_are_refused(server):
    status, _, body = server.request("POST", "/sparql", body="INSERT DATA { <http://a> <http://b> <http://c> }",
                                     headers={"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, _, _ = server.request("POST", "/sparql", body=urlencode({"update": "CLEAR ALL"}),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, body = server.get(CHEAP, **{"default-graph-uri": "file:///etc/passwd"})
    assert status == 403 and b"default-graph-uri" in body
    status, _, _ = server.get(CHEAP, **{"named-graph-uri": "http://example.org/"})
    assert status == 403
    status, _, body = server.get("SELECT * WHERE { ?s ?p }")
    assert status == 400 and b"syntax error" in body
    status, _, _ = server.request("POST", "/sparql", body=b"",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400  # no query (a GET without one is the service description)
    # The data is untouched.
    _, _, body = server.get("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert bindings(body)[0]["n"]["value"] == "1200"  # 800 document triples, 400 derived name keys


def test_service_to_a_canary_never_connects(server):
    canary = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    canary.bind(("127.0.0.1", 0))
    canary.listen(8)
    canary.setblocking(False)
    port = canary.getsockname()[1]
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> "
                      f"{{ ?s ?q ?r }} }} }}",
                      f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                      f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}"):
            for status, _, _ in (server.get(query), server.post(query)):
                assert 400 <= status < 500
        readable, _, _ = select.select([canary], [], [], 1.0)
        assert not readable, "the server connected to the canary"
    finally:
        canary.close()


def test_a_heavy_query_is_stopped_while_cheap_ones_go_on(server):
    heavy: dict = {}

    def run_heavy():
        started = time.monotonic()
        heavy["response"] = server.post(HEAVY)
        heavy["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.3)

    def cheap(i: int):
        started = time.monotonic()
        # Distinct texts: each is parsed anew, concurrently (rdflib's parser is not thread-safe).
        status, _, body = server.get(f"SELECT ?label WHERE {{ ?e rdfs:label ?label }} ORDER BY ?label LIMIT {i + 1}")
        # answered while the heavy query still runs (it gets its answer only when it is stopped)
        return status, len(bindings(body)) if status == 200 else body, time.monotonic() - started, \
            "response" not in heavy

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(cheap, range(40)))
    thread.join(60)
    assert [r[:2] for r in results] == [(200, i + 1) for i in range(40)]
    assert any(r[3] for r in results), "every cheap query waited for the heavy one to be stopped"
    latencies = sorted(r[2] for r in results)
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\n40 concurrent cheap queries beside a heavy one: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    status, _, body = heavy["response"]
    assert status == 503 and f"time limit of {TIMEOUT} s".encode() in body
    print(f"the heavy query was stopped after {heavy['seconds']:.1f} s (limit {TIMEOUT} s)")
    # The killed query process is replaced: the server keeps answering.
    for _ in range(6):
        assert server.get(CHEAP)[0] == 200


def test_results_are_capped_and_the_cap_is_reported(server):
    status, headers, body = server.get("SELECT ?s WHERE { ?s rdfs:label ?l }")
    assert status == 200
    assert headers["x-kg-truncated"] == "true" and headers["x-kg-max-results"] == str(MAX_RESULTS)
    assert "truncated" in headers["warning"]
    assert len(bindings(body)) == MAX_RESULTS
    status, headers, body = server.get("SELECT ?s WHERE { ?s rdfs:label ?l } LIMIT 10")
    assert status == 200 and "x-kg-truncated" not in headers and len(bindings(body)) == 10


def test_request_size_caps(server):
    padding = "#" + "x" * MAX_BODY + "\n"
    status, _, body = server.post(padding + CHEAP)
    assert status == 413 and b"--max-body" in body
    status, _, _ = server.get(padding + CHEAP)
    assert status == 413


def raw(server, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` as it is; the first bytes of the answer (b"" if the server closed at once)."""
    conn = socket.create_connection((server.host, server.port), timeout=timeout)
    try:
        try:
            conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and len(answer) > 200:
                    break
        except (ConnectionResetError, TimeoutError):
            pass
        return answer
    finally:
        conn.close()


def head(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(data: bytes, size: int = 1000) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
                    for i in range(0, len(data), size)) + b"0\r\n\r\n"


def test_strict_http(server):
    host = f"Host: 127.0.0.1:{server.port}"
    post = ["POST /sparql HTTP/1.1", host, "Content-Type: application/sparql-query"]
    big = b"#" + b"x" * (25 * MAX_BODY) + b"\n" + CHEAP.encode()
    cases = {
        "negative length": (head(*post, "Content-Length: -1") + big, 400),
        "underscore in length": (head(*post, "Content-Length: 1_6") + CHEAP.encode(), 400),
        "plus sign": (head(*post, f"Content-Length: +{len(CHEAP)}") + CHEAP.encode(), 400),
        "length twice, same": (head(*post, f"Content-Length: {len(CHEAP)}",
                                    f"Content-Length: {len(CHEAP)}") + CHEAP.encode(), 400),
        "length twice, not the same": (head(*post, f"Content-Length: {len(CHEAP)}", "Content-Length: 5")
                                       + CHEAP.encode(), 400),
        "host twice": (head("GET /sparql?query=ASK%7B%7D HTTP/1.1", host, host), 400),
        "host twice, other case": (head("GET /sparql?query=ASK%7B%7D HTTP/1.1", host, host.upper()), 400),
        "no host": (head("GET /sparql?query=ASK%7B%7D HTTP/1.1"), 400),
        "chunked and length": (head(*post, "Transfer-Encoding: chunked", "Content-Length: 5")
                               + chunked(CHEAP.encode()), 400),
        "chunked over the limit": (head(*post, "Transfer-Encoding: chunked") + chunked(big), 413),
        "length over the limit": (head(*post, f"Content-Length: {len(big)}") + big, 413),
        "gzip": (head(*post, "Transfer-Encoding: gzip") + b"xx", 501),
        "bad request line": (b"GET /sparql HTTP/1.1 extra\r\n" + host.encode() + b"\r\n\r\n", 400),
    }
    for name, (data, status) in cases.items():
        answer = raw(server, data)
        assert answer.startswith(f"HTTP/1.1 {status} ".encode()), (name, answer[:200])
    # Chunked within the limit is a query like any other.
    answer = raw(server, head(*post, "Transfer-Encoding: chunked", "Accept: text/csv", "Connection: close")
                 + chunked(CHEAP.encode(), 7), timeout=30)
    assert answer.startswith(b"HTTP/1.1 200 ") and b"Entity 0-000" in answer, answer
    assert server.get(CHEAP)[0] == 200  # and the server is fine


def test_cross_origin_pages_are_refused(server):
    heavy = "/sparql?" + urlencode({"query": HEAVY})
    for extra in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                  {"Origin": f"http://127.0.0.1:{server.port}.evil.example"},
                  {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        status, headers, body = server.request("GET", heavy, headers=extra)
        assert status == 403 and b"another" in body, (extra, body)
        # refused before it runs: a heavy query that ran would have been stopped (503), not refused
        assert not any(k.startswith("access-control-") for k in headers)
    status, _, _ = server.request("POST", "/sparql", body=CHEAP,
                                  headers={"Content-Type": "application/sparql-query",
                                           "Origin": f"http://127.0.0.1:{server.port}",
                                           "Sec-Fetch-Site": "same-origin"})
    assert status == 200  # the query page's own requests
    status, headers, _ = server.request("OPTIONS", "/sparql", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 403 and not any(k.startswith("access-control-") for k in headers)


def test_the_host_header_must_be_exact(server):
    port = server.port
    for host in (f"127.0.0.1.attacker.example:{port}", "127.0.0.1.attacker.example", "127.0.0.1",
                 f"127.0.0.2:{port}", f"127.0.0.1:{port + 1}", f"localhost.:{port}", f"evil.example:{port}",
                 f"localhost:{port}.evil"):
        status, _, body = server.request("GET", "/sparql?" + urlencode({"query": CHEAP}), headers={"Host": host})
        assert status == 403 and b"Host" in body, (host, status, body)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        status, _, body = server.request("GET", "/sparql?" + urlencode({"query": CHEAP}), headers={"Host": host})
        assert status == 200, (host, body)


def test_no_cors_by_default(server):
    status, headers, _ = server.request("GET", "/sparql?" + urlencode({"query": CHEAP}))
    assert status == 200
    assert not any(k.startswith("access-control-") for k in headers)


def test_the_endpoint_never_calls_the_canary(server, canary, ssrf_queries):
    """The differential test through kg serve: GET, POST and a form, for every case."""
    counts = {"refused": 0, "bad request": 0, "ran": 0}
    for name, query in ssrf_queries(canary.url):
        for status, _, body in (server.get(query), server.post(query),
                                server.request("POST", "/sparql", body=urlencode({"query": query}),
                                               headers={"Content-Type": "application/x-www-form-urlencoded"})):
            assert status in (200, 400, 403), (name, status, body)
            counts[{200: "ran", 400: "bad request", 403: "refused"}[status]] += 1
            if name.startswith("from") and status == 200:
                assert bindings(body)[0]["n"]["value"] == "1200", name  # FROM <nothing> would give 0
        assert not canary.hits, (name, canary.hits)
    time.sleep(0.3)
    assert canary.hits == []
    print(f"\nkg serve: {sum(counts.values())} requests: {counts}; canary calls: {len(canary.hits)}")
    assert counts["refused"] >= 3 * 20 and counts["ran"] > 3 * 200


@pytest.mark.parametrize("query, message", [
    ("", b"empty"), ("# only a comment\n", b"empty"), ("#\r\n#\r", b"empty"),
    ("# x\r" + "SELECT * WHERE " + "{" * 600 + "}" * 600, b"600 deep"),  # under --max-body 4096
])
def test_hostile_queries_get_400(server, query, message):
    for status, _, body in (server.get(query), server.post(query)):
        assert status == 400 and message in body, body
        assert body.count(b"\n") == 1
    assert server.get(CHEAP)[0] == 200  # no query process died


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_signals_stop_the_server_and_its_workers(tmp_path, sig):
    """SIGTERM, SIGINT: the server stops its workers within 5 s; SIGKILL: they go within 10 s."""
    store = tmp_path / "store"
    make_store(store)
    running = Server(store, workers=2)
    try:
        workers = children(running.proc.pid)
        assert len(workers) >= 2
        running.proc.send_signal(sig)
        running.proc.wait(10)
        assert all_gone(workers, 10 if sig == signal.SIGKILL else 5), workers
        if sig != signal.SIGKILL:
            assert running.proc.returncode == 0, running.log
    finally:
        running.stop()


def test_allow_host_and_cors(tmp_path):
    store = tmp_path / "store"
    make_store(store)
    running = Server(store, workers=1, extra=["--cors", "http://app.example", "--allow-host", "kg.test"])
    try:
        query = "/sparql?" + urlencode({"query": CHEAP})
        status, _, _ = running.request("GET", query, headers={"Host": f"kg.test:{running.port}"})
        assert status == 200
        status, _, _ = running.request("GET", query, headers={"Host": f"kg.test.evil:{running.port}"})
        assert status == 403
        status, headers, _ = running.request("GET", query, headers={"Origin": "http://app.example",
                                                                     "Sec-Fetch-Site": "cross-site"})
        assert status == 200 and headers["access-control-allow-origin"] == "http://app.example"
        status, headers, _ = running.request("OPTIONS", "/sparql", headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "POST"})
        assert status == 204 and "POST" in headers["access-control-allow-methods"]
        status, headers, _ = running.request("GET", query, headers={"Origin": "http://other.example"})
        assert status == 403 and "access-control-allow-origin" not in headers
    finally:
        running.stop()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def all_gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_the_query_page_is_self_contained(server):
    status, headers, body = server.request("GET", "/")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "who-dealt-with-whom" in page and "textContent" in page and "innerHTML" not in page
    assert "src=" not in page and "<link" not in page
    assert server.request("GET", "/nothing")[0] == 404


def test_the_server_holds_the_store_against_builds(server):
    with pytest.raises(StoreLockedError, match=r"store is locked: kg serve \(pid \d+\) is reading it"):
        Store.open(server.store)


def test_listens_on_loopback_only(server):
    assert server.host == "127.0.0.1"
    line = next(l for l in server.log if " at http://" in l)
    assert "http://127.0.0.1:" in line


# ---------------------------------------------------------------- real clients

SD = "http://www.w3.org/ns/sparql-service-description#"
CONSTRUCT = "CONSTRUCT { ?e rdfs:label ?l ; kgo:backs ?o } WHERE { ?e rdfs:label ?l ; kgo:backs ?o } ORDER BY ?l LIMIT 5"
DESCRIBE = "DESCRIBE <https://w3id.org/kg-conflict/id/entity/e0_1>"


def expected_graph(server, query: str) -> set:
    """The triples of a CONSTRUCT or DESCRIBE, as kg serve's N-Triples gives them."""
    import rdflib

    status, _, body = server.get(query, "application/n-triples")
    assert status == 200
    return set(rdflib.Graph().parse(data=body.decode(), format="nt"))


@pytest.mark.parametrize(("accept", "ctype", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/json", "application/ld+json", "json-ld"),
    ("text/n3", "text/turtle", "n3"),
])
def test_graphs_come_back_in_the_rdf_format_accepted(server, accept, ctype, rdflib_format):
    import rdflib

    for query, size in ((CONSTRUCT, 10), (DESCRIBE, 3)):  # the entity: its label, kgo:backs and name key
        want = expected_graph(server, query)
        assert len(want) == size
        status, headers, body = server.get(query, accept)
        assert status == 200 and headers["content-type"].split(";")[0] == ctype, body
        assert headers["vary"] == "Accept"
        got = set(rdflib.Graph().parse(data=body.decode(), format=rdflib_format))
        assert got == want


def test_sparqlwrapper_default_construct_and_every_return_format(server):
    """SPARQLWrapper's defaults (GET, return format XML: Accept application/rdf+xml for a
    CONSTRUCT) and each of its formats, converted by SPARQLWrapper itself."""
    from SPARQLWrapper import JSON, JSONLD, N3, RDFXML, TURTLE, XML, SPARQLWrapper

    url = f"http://{server.host}:{server.port}/sparql"
    want = expected_graph(server, CONSTRUCT)
    client = SPARQLWrapper(url)
    client.setQuery(CONSTRUCT)
    graph = client.queryAndConvert()  # every default: this was a 406
    assert set(graph) == want
    for fmt in (XML, RDFXML, JSONLD):
        client.setReturnFormat(fmt)
        assert set(client.queryAndConvert()) == want, fmt
    for fmt, media in ((TURTLE, "text/turtle"), (N3, "text/turtle")):
        client.setReturnFormat(fmt)
        response = client.query()
        assert response.response.headers["Content-Type"].startswith(media)
        import rdflib
        assert set(rdflib.Graph().parse(data=response.convert().decode(), format="turtle")) == want
    client.setQuery(DESCRIBE)
    client.setReturnFormat(XML)
    assert set(client.queryAndConvert()) == expected_graph(server, DESCRIBE)
    for method in ("GET", "POST"):
        client.setMethod(method)
        client.setQuery(CHEAP)
        client.setReturnFormat(JSON)
        assert [b["label"]["value"] for b in client.queryAndConvert()["results"]["bindings"]] == \
            ["Entity 0-000", "Entity 0-001", "Entity 0-002"]
        client.setReturnFormat(XML)
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        assert len(client.queryAndConvert().getElementsByTagNameNS(ns["r"], "result")) == 3
        client.setQuery("ASK { ?s kgo:backs ?o }")
        client.setReturnFormat(JSON)
        assert client.queryAndConvert()["boolean"] is True
    # refusals reach SPARQLWrapper as errors, not as results
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
    client.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises((SPARQLWrapperException, Exception), match="403|SERVICE"):
        client.queryAndConvert()


def test_head_is_answered_like_get_without_a_body(server):
    for path in ("/", "/sparql", "/sparql?" + urlencode({"query": CHEAP})):
        status, headers, body = server.request("GET", path)
        head_status, head_headers, head_body = server.request("HEAD", path)
        assert status == head_status == 200, path
        assert head_body == b"" and head_headers["content-length"] == str(len(body)) != "0"
        assert head_headers["content-type"] == headers["content-type"]
    assert server.request("HEAD", "/nothing")[0] == 404


def test_get_without_a_query_is_the_service_description(server):
    import rdflib

    url = f"http://{server.host}:{server.port}/sparql"
    sd = rdflib.Namespace(SD)
    formats = rdflib.Namespace("http://www.w3.org/ns/formats/")
    for accept, fmt in (("", "turtle"), ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/rdf+xml", "xml"), ("application/n-triples", "nt"),
                        ("text/html,application/xhtml+xml,*/*;q=0.8", "turtle")):
        status, headers, body = server.request("GET", "/sparql", headers={"Accept": accept} if accept else {})
        assert status == 200, (accept, body)
        graph = rdflib.Graph().parse(data=body.decode(), format=fmt)
        service = rdflib.URIRef(url)
        assert (service, rdflib.RDF.type, sd.Service) in graph
        assert (service, sd.endpoint, service) in graph
        assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
        assert (service, sd.feature, sd.UnionDefaultGraph) in graph
        assert {formats.SPARQL_Results_JSON, formats.Turtle, formats["JSON-LD"], formats.RDF_XML} <= \
            set(graph.objects(service, sd.resultFormat))
        assert (None, sd.feature, sd.BasicFederatedQuery) not in graph  # SERVICE is refused
    # the endpoint is named as the client named it (a Host already checked)
    status, _, body = server.request("GET", "/sparql", headers={"Host": f"localhost:{server.port}"})
    assert status == 200 and f"<http://localhost:{server.port}/sparql>".encode() in body
    assert server.request("GET", "/sparql", headers={"Accept": "text/csv"})[0] == 406
    assert server.request("GET", "/sparql?format=json")[0] == 400  # parameters, but no query


def _node_module(name: str) -> Path:
    path = ROOT / "node_modules" / name
    if not path.is_dir():
        pytest.fail(f"{path} is missing: run `bash scripts/setup.sh --test` (npm ci)")
    return path


def comunica(url: str, query: str) -> dict:
    _node_module("@comunica/query-sparql")
    result = subprocess.run(["node", str(ROOT / "tests" / "js" / "comunica_query.mjs"), url, query],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_comunica_finds_the_endpoint_by_its_service_description(server):
    """Comunica 4 (npm) is given the URL alone: it reads the service description, sees a
    SPARQL endpoint, and sends the queries to it."""
    url = f"http://{server.host}:{server.port}/sparql"
    before = len(server.log)
    rdfs = "http://www.w3.org/2000/01/rdf-schema#label"
    out = comunica(url, f"SELECT ?l WHERE {{ ?e <{rdfs}> ?l }} ORDER BY ?l LIMIT 3")
    assert out["kind"] == "bindings"
    assert [row["l"]["value"] for row in out["rows"]] == ["Entity 0-000", "Entity 0-001", "Entity 0-002"]
    out = comunica(url, f"CONSTRUCT {{ ?e <{rdfs}> ?l }} WHERE {{ ?e <{rdfs}> ?l }} ORDER BY ?l LIMIT 2")
    assert out["kind"] == "quads" and [row[2] for row in out["rows"]] == ["Entity 0-000", "Entity 0-001"]
    out = comunica(url, "ASK { ?s <https://w3id.org/kg-conflict/ontology#backs> ?o }")
    assert out == {"kind": "boolean", "rows": [True]}
    log = "".join(server.log[before:])
    assert '"GET /sparql" 200' in log  # the service description
    assert "query=SELECT" in log or '"POST /sparql" 200' in log  # the query went to the endpoint


def test_cors_lets_a_listed_origins_page_query_in_a_real_browser(tmp_path, chromium_browser):
    """A page of another origin, in Chromium, queries kg serve with fetch(): refused without
    --cors; with --cors ORIGIN it reads the result (a preflighted POST too)."""
    import http.server

    page_html = b"""<!doctype html><meta charset="utf-8"><title>client</title><script>
    window.ask = async (url, how) => {
      const q = "SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label LIMIT 1";
      const init = how === "post"
        ? {method: "POST", body: q, headers: {"Content-Type": "application/sparql-query",
                                              "Accept": "application/sparql-results+json"}}
        : {headers: {"Accept": "application/sparql-results+json"}};
      try {
        const r = await fetch(how === "post" ? url : url + "?query=" + encodeURIComponent(q), init);
        return {status: r.status, body: await r.json()};
      } catch (e) { return {error: String(e)}; }
    };</script>"""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page_html)

        def log_message(self, *args):
            pass

    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{app.server_address[1]}"
    store = tmp_path / "store"
    make_store(store)
    closed, listed = Server(store, workers=1), Server(store, workers=1, extra=["--cors", origin])
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + "/")
        for how in ("get", "post"):
            refused = page.evaluate("([u, h]) => ask(u, h)", [f"http://127.0.0.1:{closed.port}/sparql", how])
            assert "error" in refused, refused  # the browser saw no CORS header: the page reads nothing
            allowed = page.evaluate("([u, h]) => ask(u, h)", [f"http://127.0.0.1:{listed.port}/sparql", how])
            assert allowed.get("status") == 200, allowed
            assert allowed["body"]["results"]["bindings"][0]["label"]["value"] == "Entity 0-000"
        assert listed.logged(lambda line: '"OPTIONS /sparql" 204' in line), listed.log  # the preflight
        assert closed.logged(lambda line: '"GET /sparql?query=' in line and '" 403' in line), closed.log
    finally:
        context.close()
        closed.stop()
        listed.stop()
        app.shutdown()


def test_a_page_of_a_named_listing_is_walked_and_is_the_listing_s_page(generated_store):
    """A client sending the text `kg query` runs for a named listing, with LIMIT and OFFSET, gets
    exactly those rows of the whole listing (the server walks the page, kg.pages, as kg query
    does); other text runs as it is."""
    from kg.pages import plain_text
    from kg.query import drop_unbound_lines, load_query, run_query, walk_for_text

    running = Server(generated_store, workers=1, extra=["--max-results", "10000", "--timeout", "60"])
    try:
        for name in ("timeline", "who-dealt-with-whom", "denied-or-unconfirmed"):
            whole = run_query(generated_store, name)
            text = plain_text(drop_unbound_lines(load_query(name).text, {}))
            assert walk_for_text(f"{text}\nLIMIT 4 OFFSET 3") is not None
            status, _, body = running.post(f"{text}\nLIMIT 4 OFFSET 3")
            assert status == 200, body
            got = [[b.get(c, {}).get("value") for c in whole.columns] for b in bindings(body)]
            want = [[None if t is None else str(t) for t in row] for row in whole.rows[3:7]]
            assert got == want and len(got) == 4
        assert walk_for_text("SELECT * { ?s ?p ?o } LIMIT 3") is None
    finally:
        running.stop()
