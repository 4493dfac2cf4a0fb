"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over kg's store.

``GET /sparql?query=...`` and ``POST /sparql`` (``application/sparql-query``
or a form with ``query=``) answer in SPARQL JSON, XML, CSV or TSV by the
``Accept`` header (JSON when the client accepts anything); CONSTRUCT and
DESCRIBE in Turtle, N-Triples, RDF/XML or JSON-LD (Turtle for anything).
``GET /sparql`` without a query is the endpoint's SPARQL 1.1 Service
Description (``kg/static/service-description.ttl``), in the RDF format
accepted; clients such as Comunica find the endpoint by it. ``HEAD`` is
answered as ``GET``, without the body. ``GET /`` is a small query page (one
self-contained HTML file, no CDN, results written with ``textContent``).

What it refuses, and how (never silently):

* SPARQL Update (``update=``, ``application/sparql-update``), ``LOAD``,
  ``SERVICE`` (Oxigraph would call the endpoint) and ``FROM`` / ``FROM NAMED``
  or ``default-graph-uri`` / ``named-graph-uri``: **403**, the reason in the
  body. Every query is read with Oxigraph's own lexical rules, and what runs
  is the text that was checked (:mod:`kg.sparqlguard`); the query processes
  cannot open network sockets anyway. An empty or comment-only query, one
  nested too deeply, and one the engine cannot parse: **400**.
* A query running past ``--timeout`` seconds: its process is killed and
  replaced, the client gets **503** "query exceeded the time limit of N s".
  Queries run in a pool of ``--workers`` child processes that open the store
  read-only, so a runaway query never blocks the others; when every process
  stays busy for ``--timeout`` seconds the client gets **503** "busy". A
  process that dies (a crash in the engine) is replaced; its client gets
  **400** with one line saying so.
* More than ``--max-results`` rows (or triples): **200** with the first N
  and the headers ``X-KG-Truncated: true``, ``X-KG-Max-Results: N`` and
  ``Warning: 199 kg "..."``; the query page shows the warning.
* HTTP is read by h11, strictly: a malformed request line or header, a
  negative or malformed ``Content-Length``, a repeated ``Content-Length``,
  ``Transfer-Encoding`` or ``Host``, both ``Content-Length`` and
  ``Transfer-Encoding``, or no ``Host``: **400**. A body over ``--max-body``
  bytes, sent with a length or chunked, or a query string as long: **413**.
* A ``Host`` header that is not exactly a loopback name or address with the
  port (``localhost:8000``, ``127.0.0.1:8000``, ``[::1]:8000``), the bound
  address, or a name given with ``--allow-host``: **403**. This stops DNS
  rebinding (``127.0.0.1.attacker.example`` is not ``127.0.0.1``).
* A request from a web page of another origin (an ``Origin`` header other
  than the server's own, or ``Sec-Fetch-Site`` other than ``same-origin`` /
  ``none``) is refused with **403** before it runs, unless its origin is in
  the ``--cors`` allow-list, which is empty by default; only listed origins
  get ``Access-Control-Allow-Origin``.

The server listens on 127.0.0.1 unless told otherwise. It holds a shared
lock on the store: ``kg build`` or ``kg remove`` into the same store is
refused, at once and changing nothing, with "store is locked: kg serve (pid
N) is reading it, ..." until the server stops (Oxigraph allows no writer
while another process reads), and the server goes on answering from the
graph it has. SIGTERM and SIGINT stop it and its query
processes; its query processes also end by themselves if it is killed.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json")
['json', 'csv']
>>> negotiate("")
['json', 'turtle']
"""
from __future__ import annotations

import json
import queue
import re
import secrets
import socket
import socketserver
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import h11

from kg import formats, sparqlguard
from kg.errors import KgError, QueryError, QueryRefusedError, QueryTimeoutError, StoreError
from kg.query import NotAcceptableError, QueryProcess, list_queries, walk_for_text

STATIC = Path(__file__).resolve().parent / "static"

#: Media types and the formats they stand for, best first: a SELECT or ASK
#: takes the first result format, a CONSTRUCT or DESCRIBE the first graph format
#: (``application/json`` is SPARQL JSON for solutions, JSON-LD for a graph).
_MEDIA = formats.media_map("serve")  # kg.formats: each format's media types
#: ``*/*``: SPARQL JSON for solutions, Turtle for graphs (the endpoint's defaults); ``application/*``,
#: ``text/*``: the formats of that main type, in the registry's order.
_WILDCARDS = {"*/*": ["json", "turtle"],
              **{f"{main}/*": [f.name for f in formats.plugins("serve") if f.media_type.startswith(f"{main}/")]
                 for main in ("application", "text")}}
#: What a 406 lists.
_ACCEPTABLE = "; ".join(", ".join(f.media_type.split(";")[0] for f in formats.plugins("serve", kind)) + f" ({what})"
                        for kind, what in (("results", "solutions"), ("graph", "graphs")))
#: The service description (GET /sparql without a query): Turtle with {{ENDPOINT}}.
SERVICE_DESCRIPTION = STATIC / "service-description.ttl"


@dataclass
class ServerConfig:
    """Options of ``kg serve`` (see its ``--help``)."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_results: int = 10000
    max_body: int = 65536
    workers: int = 3
    log: Callable[[str], None] | None = None
    #: Origins whose web pages may query (``--cors``); none by default.
    cors: tuple[str, ...] = ()
    #: Host names accepted besides the loopback ones (``--allow-host``).
    allow_hosts: tuple[str, ...] = ()


def negotiate(accept: str) -> list[str]:
    """Result formats a client accepts, best first (``Accept`` header)."""
    if not accept.strip():
        return list(_WILDCARDS["*/*"])
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media, *options = [part.strip() for part in item.split(";")]
        quality = 1.0
        for option in options:
            if option.startswith("q="):
                try:
                    quality = float(option[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    formats: list[str] = []
    for _q, _pos, media in sorted(ranked):
        for fmt in _MEDIA.get(media) or _WILDCARDS.get(media, []):
            if fmt not in formats:
                formats.append(fmt)
    return formats


class WorkerPool:
    """Query processes; a killed one (time limit) is replaced in the background."""

    def __init__(self, store: Path, size: int, log: Callable[[str], None]):
        self.store = store
        self.size = size
        self._log = log
        self._idle: queue.Queue[QueryProcess] = queue.Queue()
        self._closed = False
        workers = [QueryProcess(store) for _ in range(size)]
        try:
            for worker in workers:
                worker.wait_ready()
        except KgError:
            for worker in workers:
                worker.kill()
            raise
        for worker in workers:
            self._idle.put(worker)

    def run(self, job: dict, *, timeout: float):
        """Run ``job`` on an idle process; wait at most ``timeout`` for one."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise _Busy(f"all {self.size} query processes stayed busy for {timeout:g} s; try again") from None
        try:
            return worker.run(job, timeout)
        finally:
            if worker.alive:
                self._idle.put(worker)
            else:
                threading.Thread(target=self._replace, daemon=True).start()

    def _replace(self) -> None:
        try:
            worker = QueryProcess(self.store)
            worker.wait_ready()
        except KgError as exc:
            self._log(f"kg: cannot start a query process: {exc}")
            return
        if self._closed:
            worker.close()
        else:
            self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break


class _Busy(QueryError):
    pass


# --------------------------------------------------------------------------
# HTTP: h11 reads and writes the protocol; kg decides what to answer
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    """One HTTP request as h11 read it (header names in lower case, one value each)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    """What kg answers: status, body, media type and extra headers."""

    status: int
    body: bytes
    ctype: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False  #: end the connection after this answer


def _error(status: int, message: str, headers: tuple[tuple[str, str], ...] = (), *,
           close: bool | None = None) -> Response:
    if close is None:
        close = status >= 400 and status not in (404, 405, 406)
    return Response(status, f"kg: {message}\n".encode(), headers=headers, close=close)


def _duplicate_headers(head: bytes) -> set[str]:
    """Names among Content-Length, Transfer-Encoding and Host given more than once.

    h11 merges repeated identical ``Content-Length`` headers, as RFC 9112
    allows; kg refuses them, and any repeat of these three, outright.

    >>> sorted(_duplicate_headers(b"POST / HTTP/1.1\\r\\nHost: a\\r\\ncontent-length: 3\\r\\nContent-Length: 3\\r\\n\\r\\n"))
    ['content-length']
    """
    end = re.search(rb"\r?\n\r?\n", head)
    lines = head[:end.start() if end else len(head)].split(b"\n")[1:]
    names = [line.split(b":", 1)[0].strip().lower() for line in lines if b":" in line]
    return {n.decode("latin-1") for n in _STRICT_HEADERS if names.count(n) > 1}


_STRICT_HEADERS = (b"content-length", b"transfer-encoding", b"host")
_STATUSES = frozenset(s.value for s in HTTPStatus)


def check_request(config: ServerConfig, port: int, request: Request) -> Response | None:
    """The Host and Origin checks: a refusal, or None when the request may go on.

    ``Host`` must be exactly one of the names the server answers to, with
    its port (:func:`allowed_hosts`): a name that only starts like a loopback
    address (``127.0.0.1.attacker.example``) is refused, which stops DNS
    rebinding. A request from a web page of another origin (``Origin``, or
    ``Sec-Fetch-Site: cross-site``) is refused unless its origin is in the
    ``--cors`` allow-list (empty by default).
    """
    host = request.headers.get("host")
    if host is None:
        return _error(400, "the request has no Host header")
    if host.lower() not in allowed_hosts(config, port):
        return _error(403, f"Host {host!r} is not a name this server answers to (a loopback name with "
                           f"its port, or kg serve --allow-host); it answers local clients only")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"http://{host}" and origin not in config.cors:
        return _error(403, f"requests from web pages of another origin ({origin}) are refused; "
                           "kg serve --cors ORIGIN lets one in")
    site = request.headers.get("sec-fetch-site", "").lower()
    if site not in ("", "same-origin", "none") and origin not in config.cors:
        return _error(403, f"requests from web pages of another site (Sec-Fetch-Site: {site}) are refused; "
                           "kg serve --cors ORIGIN lets one in")
    return None


def allowed_hosts(config: ServerConfig, port: int) -> frozenset[str]:
    """The ``Host`` header values accepted: ``name:port`` (and ``name`` alone on port 80).

    >>> sorted(allowed_hosts(ServerConfig(store=Path("s")), 8000))
    ['127.0.0.1:8000', '[::1]:8000', 'localhost:8000']
    >>> "kg.lan" in allowed_hosts(ServerConfig(store=Path("s"), host="0.0.0.0", allow_hosts=("kg.lan",)), 80)
    True
    """
    names = {"localhost", "127.0.0.1", "[::1]"}
    bound = config.host.strip("[]").lower()
    if bound not in _WILDCARD_ADDRESSES:
        names.add(f"[{bound}]" if ":" in bound else bound)
    names.update(name.strip().lower() for name in config.allow_hosts)
    accepted = {f"{name}:{port}" for name in names}
    if port == 80:
        accepted |= names
    return frozenset(accepted)


_WILDCARD_ADDRESSES = {"0.0.0.0", "::", ""}


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, config: ServerConfig, pool: WorkerPool, page: bytes):
        self.config = config
        self.pool = pool
        self.page = page
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        super().__init__((config.host.strip("[]"), config.port), _Connection)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away: nothing to report
        if self.config.log is not None:
            self.config.log(f"kg serve: error while answering {client_address[0]}: {type(exc).__name__}: {exc}")


class _Connection(socketserver.BaseRequestHandler):
    """One client connection: requests read by h11, one after the other (keep-alive)."""

    server: _Server
    #: Seconds a client may take to send (the rest of) a request.
    TIMEOUT = 60
    #: Largest request line plus headers.
    MAX_HEAD = 16384

    def handle(self) -> None:
        sock = self.request
        sock.settimeout(self.TIMEOUT)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.MAX_HEAD)
        while True:
            try:
                answer, request = self._serve_one(conn, sock)
            except (OSError, TimeoutError):
                return
            if answer is None:
                return
            try:
                self._send(conn, sock, request, answer)
            except (OSError, h11.LocalProtocolError):
                return
            if answer.close or conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    def _receive(self, conn: h11.Connection, sock, head: bytearray):
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = sock.recv(65536)
            if len(head) <= 2 * self.MAX_HEAD:
                head.extend(data)
            conn.receive_data(data)

    def _serve_one(self, conn: h11.Connection, sock) -> tuple[Response | None, Request | None]:
        head = bytearray(conn.trailing_data[0])
        config = self.server.config
        try:
            event = self._receive(conn, sock, head)
            if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return None, None
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in event.headers}
            request = Request(event.method.decode("ascii"), event.target.decode("ascii"), headers)
            repeated = _duplicate_headers(bytes(head))
            if repeated:
                return _error(400, f"repeated {', '.join(sorted(repeated))} header"), request
            if "transfer-encoding" in headers and "content-length" in headers:
                return _error(400, "a request with both Transfer-Encoding and Content-Length"), request
            refusal = check_request(config, self.server.server_address[1], request)
            if refusal is not None:
                return refusal, request
            length = headers.get("content-length")
            if length is not None and int(length) > config.max_body:
                return _error(413, f"the request body ({int(length)} bytes) is over the limit of "
                                   f"{config.max_body} bytes (kg serve --max-body)"), request
            body = bytearray()
            while not isinstance(event := self._receive(conn, sock, bytearray()), h11.EndOfMessage):
                if isinstance(event, h11.ConnectionClosed):
                    return None, None
                body.extend(event.data)
                if len(body) > config.max_body:
                    return _error(413, f"the request body is over the limit of {config.max_body} bytes "
                                       "(kg serve --max-body)"), request
        except h11.RemoteProtocolError as exc:
            return _error(exc.error_status_hint, f"bad request: {exc}"), None
        request = Request(request.method, request.target, request.headers, bytes(body))
        return answer(self.server, request), request

    def _send(self, conn: h11.Connection, sock, request: Request | None, response: Response) -> None:
        headers = [("Content-Type", response.ctype), ("Content-Length", str(len(response.body))),
                   ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("Server", "kg")]
        origin = request.headers.get("origin") if request is not None else None
        if origin is not None and origin in self.server.config.cors:
            headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        headers += list(response.headers)
        if response.close:
            headers.append(("Connection", "close"))
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        reason = HTTPStatus(response.status).phrase.encode() if response.status in _STATUSES else b""
        data = conn.send(h11.Response(status_code=response.status, headers=headers, reason=reason))
        if request is None or request.method != "HEAD":
            data += conn.send(h11.Data(data=response.body)) if response.body else b""
        data += conn.send(h11.EndOfMessage())
        sock.sendall(data)
        self._log(request, response.status)

    def _log(self, request: Request | None, status: int) -> None:
        log = self.server.config.log
        if log is not None:
            line = f"{request.method} {request.target}" if request is not None else "(unreadable request)"
            log(f"kg serve: {self.client_address[0]} \"{line[:300]}\" {status}")


# --------------------------------------------------------------------------
# What to answer
# --------------------------------------------------------------------------

def answer(server: _Server, request: Request) -> Response:
    """Route a checked request: the query page, the endpoint, or an error."""
    url = urlsplit(request.target)
    config = server.config
    if request.method == "OPTIONS":
        if request.headers.get("origin") in config.cors:
            return Response(204, b"", headers=(("Access-Control-Allow-Methods", "GET, POST"),
                                               ("Access-Control-Allow-Headers", "Content-Type, Accept"),
                                               ("Access-Control-Max-Age", "600")))
        return _error(405, "cross-origin requests are not supported (kg serve --cors ORIGIN)",
                      (("Allow", "GET, HEAD, POST"),))
    if request.method in ("GET", "HEAD"):
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            page = server.page.replace(b"{{NONCE}}", nonce.encode())
            csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                   "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
            return Response(200, page, "text/html; charset=utf-8",
                            (("Content-Security-Policy", csp), ("X-Frame-Options", "DENY")))
        if url.path == "/sparql":
            if len(url.query) > config.max_body:
                return _error(413, f"the query string is longer than the limit of {config.max_body} bytes "
                                   "(kg serve --max-body)")
            return _sparql(server, request, parse_qs(url.query, keep_blank_values=True))
        return _error(404, f"no such page: {url.path} (the endpoint is /sparql)")
    if request.method == "POST":
        if url.path != "/sparql":
            return _error(404, f"no such endpoint: {url.path} (POST queries to /sparql)")
        body = request.body.decode("utf-8", "replace")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif ctype == "application/sparql-update":
            return _error(403, "SPARQL Update is not allowed: this endpoint is read-only")
        else:
            return _error(415, "send application/sparql-query or application/x-www-form-urlencoded")
        return _sparql(server, request, params)
    return _error(405, "read-only endpoint: only GET and POST queries", (("Allow", "GET, HEAD, POST"),))


def _sparql(server: _Server, request: Request, params: dict[str, list[str]]) -> Response:
    config = server.config
    if "update" in params:
        return _error(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if "default-graph-uri" in params or "named-graph-uri" in params:
        return _error(403, "default-graph-uri and named-graph-uri are not allowed: queries run over "
                           "the store's union graph")
    queries = params.get("query", [])
    if not params and request.method in ("GET", "HEAD"):
        return service_description(request)
    if len(queries) != 1:
        return _error(400, "give exactly one SPARQL query in the 'query' parameter")
    formats = negotiate(request.headers.get("accept", ""))
    if not formats:
        return _error(406, f"acceptable types: {_ACCEPTABLE}")
    try:
        sparqlguard.check(queries[0])  # refused at once, without a query process
        body, ctype, truncated = server.pool.run(
            {"query": queries[0], "formats": formats, "max_rows": config.max_results,
             "walk": walk_for_text(queries[0])}, timeout=config.timeout)  # a named listing's page: walked
    except QueryTimeoutError:
        return _error(503, f"query exceeded the time limit of {config.timeout:g} s and was stopped "
                           "(kg serve --timeout)")
    except _Busy as exc:
        return _error(503, str(exc), (("Retry-After", "1"),))
    except QueryRefusedError as exc:
        return _error(403, str(exc))
    except NotAcceptableError as exc:
        return _error(406, str(exc))
    except StoreError as exc:
        return _error(500, str(exc))
    except QueryError as exc:
        return _error(400, str(exc))
    extra: tuple[tuple[str, str], ...] = (("Vary", "Accept"),)
    if truncated:
        note = f"result truncated to the first {config.max_results} rows (kg serve --max-results)"
        extra += (("X-KG-Truncated", "true"), ("X-KG-Max-Results", str(config.max_results)),
                  ("Warning", f'199 kg "{note}"'))
        if config.log is not None:
            config.log(f"kg serve: {note}")
    return Response(200, body, ctype, extra)


def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of the endpoint, in the RDF format the client accepts.

    Its subject is the endpoint's URL as the client named it (the ``Host``
    header, already checked to be a name this server answers to).
    """
    from kg.query import GRAPH_FORMATS, MEDIA_TYPES, graph_text
    from kg.rdf import new_graph

    formats = [f for f in negotiate(request.headers.get("accept", "")) if f in GRAPH_FORMATS]
    if not formats:
        return _error(406, "the service description is RDF; acceptable types: text/turtle, "
                           "application/n-triples, application/rdf+xml, application/ld+json")
    endpoint = f"http://{request.headers['host']}/sparql"
    text = SERVICE_DESCRIPTION.read_text(encoding="utf-8").replace("{{ENDPOINT}}", endpoint)
    graph = new_graph("sd")
    graph.parse(data=text, format="turtle")
    body = graph_text(graph, formats[0]).encode("utf-8")
    return Response(200, body, MEDIA_TYPES[formats[0]], (("Vary", "Accept"),))


def query_page(config: ServerConfig) -> bytes:
    """The query page, with the named queries as examples (``{{NONCE}}`` left in)."""
    examples = [{"name": q.name, "title": q.title, "description": q.description,
                 "params": [p.name for p in q.params], "text": q.text} for q in list_queries()]
    data = json.dumps({"queries": examples, "timeout": config.timeout, "maxResults": config.max_results},
                      ensure_ascii=True)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        data = data.replace(char, escaped)
    template = (STATIC / "query.html").read_text(encoding="utf-8")
    return template.replace("{{DATA}}", data).encode("utf-8")


def _stop_on_signals(stop: threading.Event) -> dict:
    """SIGTERM (and SIGINT, even when a shell left it ignored) stop the server cleanly."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, lambda _signum, _frame: stop.set())
            for sig in (signal.SIGTERM, signal.SIGINT)}


def serve(config: ServerConfig, *, ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve until interrupted (Ctrl-C) or until ``stop`` is set.

    ``ready`` is called with the endpoint's URL once the query processes are
    up and the socket listens (``port=0`` picks a free port).
    """
    from kg.store import Store

    log = config.log or (lambda message: print(message, file=sys.stderr, flush=True))
    if config.workers < 1 or config.timeout <= 0 or config.max_results < 1 or config.max_body < 1:
        raise KgError("workers, timeout, max-results and max-body must be positive")
    stop = stop or threading.Event()
    previous = _stop_on_signals(stop)  # from the start: a SIGTERM while starting stops too
    try:
        with Store.open(config.store, read_only=True, holder="kg serve"):  # the shared lock: no build meanwhile
            pool = WorkerPool(config.store, config.workers, log)
            try:
                try:
                    httpd = _Server(config, pool, query_page(config))
                except OSError as exc:
                    raise KgError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
                host, port = httpd.server_address[:2]
                shown = f"[{host}]" if ":" in str(host) else host
                threading.Thread(target=lambda: (stop.wait(), httpd.shutdown()), daemon=True).start()
                if ready is not None and not stop.is_set():
                    ready(f"http://{shown}:{port}/sparql")
                try:
                    httpd.serve_forever(poll_interval=0.2)
                except KeyboardInterrupt:
                    pass
                finally:
                    httpd.server_close()
            finally:
                pool.close()
    finally:
        import signal

        for sig, handler in previous.items():
            signal.signal(sig, handler)
