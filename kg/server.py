"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over kg's store.

``GET /sparql?query=...`` and ``POST /sparql`` (``application/sparql-query``
or a form with ``query=``) answer in SPARQL JSON, XML, CSV or TSV by the
``Accept`` header (JSON when the client accepts anything), Turtle or
N-Triples for CONSTRUCT and DESCRIBE. ``GET /`` is a small query page (one
self-contained HTML file, no CDN, results written with ``textContent``).

What it refuses, and how (never silently):

* SPARQL Update (``update=``, ``application/sparql-update``), ``LOAD``,
  ``SERVICE`` (Oxigraph would call the endpoint) and ``FROM`` / ``FROM NAMED``
  or ``default-graph-uri`` / ``named-graph-uri``: **403**, the reason in the
  body. Every query is parsed (rdflib's SPARQL parser, a real parse) before
  it runs; a query that does not parse is a **400**.
* A query running past ``--timeout`` seconds: its process is killed and
  replaced, the client gets **503** "query exceeded the time limit of N s".
  Queries run in a pool of ``--workers`` child processes that open the store
  read-only, so a runaway query never blocks the others; when every process
  stays busy for ``--timeout`` seconds the client gets **503** "busy".
* More than ``--max-results`` rows (or triples): **200** with the first N
  and the headers ``X-KG-Truncated: true``, ``X-KG-Max-Results: N`` and
  ``Warning: 199 kg "..."``; the query page shows the warning.
* A request body over ``--max-body`` bytes (or a query string as long):
  **413**; a POST without ``Content-Length``: **411**.

No ``Access-Control-Allow-Origin`` header is ever sent, so web pages of other
origins cannot read answers; on a loopback address, requests whose ``Host``
header is not a loopback name are refused (**403**), which stops DNS
rebinding. The server listens on 127.0.0.1 unless told otherwise. It holds a
shared lock on the store: ``kg build`` into the same store fails with "store
is locked" until the server stops.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json")
['json', 'csv']
>>> negotiate("")
['json', 'turtle']
"""
from __future__ import annotations

import json
import queue
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from kg.errors import KgError, QueryError, QueryRefusedError, QueryTimeoutError, StoreError
from kg.query import NotAcceptableError, QueryProcess, list_queries

STATIC = Path(__file__).resolve().parent / "static"

_MEDIA = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
}
_WILDCARDS = {"*/*": ["json", "turtle"], "application/*": ["json", "xml", "ntriples"],
              "text/*": ["csv", "tsv", "turtle", "xml"]}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


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
        for fmt in ([_MEDIA[media]] if media in _MEDIA else _WILDCARDS.get(media, [])):
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, config: ServerConfig, pool: WorkerPool, page: bytes):
        self.config = config
        self.pool = pool
        self.page = page
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        super().__init__((config.host.strip("[]"), config.port), _Handler)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away: nothing to report
        if self.config.log is not None:
            self.config.log(f"kg serve: error while answering {client_address[0]}: {type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request

    def version_string(self) -> str:
        return "kg"

    # -- routing ------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            page = self.server.page.replace(b"{{NONCE}}", nonce.encode())
            csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                   "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
            self._send(200, page, "text/html; charset=utf-8",
                       {"Content-Security-Policy": csp, "X-Frame-Options": "DENY"})
        elif url.path == "/sparql":
            if len(url.query) > self.server.config.max_body:
                self._error(413, f"the query string is longer than the limit of {self.server.config.max_body} "
                                 "bytes (kg serve --max-body)")
                return
            self._sparql(parse_qs(url.query, keep_blank_values=True))
        else:
            self._error(404, f"no such page: {url.path} (the endpoint is /sparql)")

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(404, f"no such endpoint: {url.path} (POST queries to /sparql)")
            return
        limit = self.server.config.max_body
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or length is None:
            self._error(411, "send the query with a Content-Length header")
            return
        try:
            size = int(length)
        except ValueError:
            self._error(400, "bad Content-Length")
            return
        if size > limit:
            self._error(413, f"the request body ({size} bytes) is over the limit of {limit} bytes "
                             "(kg serve --max-body)")
            return
        body = self.rfile.read(size).decode("utf-8", "replace")
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif ctype == "application/sparql-update":
            self._error(403, "SPARQL Update is not allowed: this endpoint is read-only")
            return
        else:
            self._error(415, "send application/sparql-query or application/x-www-form-urlencoded")
            return
        self._sparql(params)

    def do_OPTIONS(self) -> None:  # noqa: N802 - no CORS preflight is ever granted
        self._error(405, "cross-origin requests are not supported", {"Allow": "GET, POST"})

    def do_PUT(self) -> None:  # noqa: N802
        self._error(405, "read-only endpoint: only GET and POST queries", {"Allow": "GET, POST"})

    do_DELETE = do_PATCH = do_PUT

    # -- the endpoint -------------------------------------------------------
    def _sparql(self, params: dict[str, list[str]]) -> None:
        config = self.server.config
        if "update" in params:
            self._error(403, "SPARQL Update is not allowed: this endpoint is read-only")
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._error(403, "default-graph-uri and named-graph-uri are not allowed: queries run over "
                             "the store's union graph")
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._error(400, "give exactly one SPARQL query in the 'query' parameter")
            return
        formats = negotiate(self.headers.get("Accept", ""))
        if not formats:
            self._error(406, "acceptable types: application/sparql-results+json, application/sparql-results+xml,"
                             " text/csv, text/tab-separated-values, text/turtle, application/n-triples")
            return
        job = {"query": queries[0], "formats": formats, "max_rows": config.max_results}
        try:
            body, ctype, truncated = self.server.pool.run(job, timeout=config.timeout)
        except QueryTimeoutError:
            self._error(503, f"query exceeded the time limit of {config.timeout:g} s and was stopped "
                             "(kg serve --timeout)")
            return
        except _Busy as exc:
            self._error(503, str(exc), {"Retry-After": "1"})
            return
        except QueryRefusedError as exc:
            self._error(403, str(exc))
            return
        except NotAcceptableError as exc:
            self._error(406, str(exc))
            return
        except StoreError as exc:
            self._error(500, str(exc))
            return
        except QueryError as exc:
            self._error(400, str(exc))
            return
        extra = {"Vary": "Accept"}
        if truncated:
            note = (f"result truncated to the first {config.max_results} rows "
                    "(kg serve --max-results)")
            extra.update({"X-KG-Truncated": "true", "X-KG-Max-Results": str(config.max_results),
                          "Warning": f'199 kg "{note}"'})
            self.log_message("%s", note)
        self._send(200, body, ctype, extra)

    # -- plumbing -----------------------------------------------------------
    def _host_ok(self) -> bool:
        host = self.server.config.host
        if host not in _LOOPBACK_NAMES and not host.startswith("127."):
            return True
        given = (self.headers.get("Host") or "").strip().lower()
        name = given.rsplit(":", 1)[0] if not given.endswith("]") else given
        if name in _LOOPBACK_NAMES or name.startswith("127."):
            return True
        self._error(403, f"Host {given!r} is not a loopback name; this server answers local clients only")
        return False

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if status >= 400 and status not in (404, 405, 406):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, f"kg: {message}\n".encode(), "text/plain; charset=utf-8", extra)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        log = self.server.config.log
        if log is not None:
            log(f"kg serve: {self.address_string()} {format % args}")


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
    with Store.open(config.store, read_only=True):  # the shared lock: no build meanwhile
        pool = WorkerPool(config.store, config.workers, log)
        try:
            try:
                httpd = _Server(config, pool, query_page(config))
            except OSError as exc:
                raise KgError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
            host, port = httpd.server_address[:2]
            shown = f"[{host}]" if ":" in str(host) else host
            if ready is not None:
                ready(f"http://{shown}:{port}/sparql")
            stop = stop or threading.Event()
            threading.Thread(target=lambda: (stop.wait(), httpd.shutdown()), daemon=True).start()
            previous = _stop_on_signals(stop)
            try:
                httpd.serve_forever(poll_interval=0.2)
            except KeyboardInterrupt:
                pass
            finally:
                httpd.server_close()
                import signal

                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        finally:
            pool.close()
