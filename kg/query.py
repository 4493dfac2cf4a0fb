"""SPARQL over kg's store: named queries, parameters, safe execution, formats.

Named queries ship as ``kg/queries/<name>.rq``. Each starts with a header of
comment lines that :func:`list_queries` reads::

    # title: Who dealt with whom
    # description: Agreements, truces and negotiations between actors ...
    # param: actor — any name of an actor (optional)

A parameter pre-binds the query variable of the same name (``?actor``): the
value is appended to the query as a trailing ``VALUES`` clause, which is plain
SPARQL 1.1 and behaves the same on every engine; or, where the query has a
line ``# --param values here``, given as a ``VALUES`` block in that group, so
that its filters see it (``FILTER (!BOUND(?from) || ?date >= ?from)``). A parameter left out leaves
its variable free, and a line of the query that ends with the comment
``# only with --param NAME`` (or ``NAME1|NAME2``) is dropped: it only
serves to bind that parameter, and can cost Oxigraph a join. Values of entity parameters (``actor``, ``subject``,
``object``, ``speaker``, ``place``) accept any name of the entity: an alias
from the dictionaries ("SDF", "Daesh"), an entity id ("sdf"), a label or
altLabel found in the graph, or an IRI. ``relation`` takes a relation name
(``truce_with``), ``modality`` one of the five modalities, ``document`` a
document id; the date parameters (``from``, ``to``, ``date``) a date,
``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (``from`` its first day, ``to`` and
``date`` its last), bound as an ``xsd:date``; any other parameter is bound
to a plain string.

Every query is read with Oxigraph's own lexical rules before it runs
(:func:`check_query`, :mod:`kg.sparqlguard`); updates, ``LOAD``, ``SERVICE``
and dataset clauses (``FROM``/``FROM NAMED``) are refused: Oxigraph would
call a ``SERVICE`` endpoint over HTTP. Oxigraph then runs the text that was
checked (comments dropped); user queries (``kg query``, ``kg serve``) run in
child processes that cannot open network sockets. Its default graph is
the union of the document graphs (see :mod:`kg.store`); common prefixes (``kgo:``, ``kgr:``,
``rdf:``, ``rdfs:``, ``skos:``, ``prov:``, ``dcterms:``, ``geo:``, ``xsd:``,
``owl:``) need no declaration.

>>> [q.name for q in list_queries()][:2]
['as-of', 'claims-by-speaker']
>>> load_query("who-dealt-with-whom").params[0].name
'actor'
>>> import pyoxigraph as ox
>>> result = execute(ox.Store(), "SELECT ?x WHERE { BIND(1 AS ?x) }")
>>> format_result(result, "csv").splitlines()
['x', '1']
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import sparqlguard
from kg.errors import KgError, QueryError, QueryRefusedError, QueryTimeoutError, StoreError
from kg.results import (FORMATS, GRAPH_FORMATS, MEDIA_TYPES, RESULT_FORMATS, TABLE_CELL,  # noqa: F401 (kg.query's names)
                        NotAcceptableError, choose_format, format_result, graph_text, render, sparql_term)
from kg.sparql import PREFIXES, VALUES_MARKER, Result, _short, bind_values, execute  # noqa: F401 (kg.query's names)
from kg.vocab import KGO, XSD, document_iri, entity_iri

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
ENTITY_PARAMS = frozenset({"actor", "subject", "object", "speaker", "place"})
#: Date parameters: the first day of the period given (``from``) or its last (``to``, ``date``).
DATE_PARAMS = {"from": "first", "to": "last", "date": "last"}
_DATE_VALUE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_HAS_SLICE = re.compile(r"(?is)\b(LIMIT|OFFSET)\s+\d+\s*(?:(?:LIMIT|OFFSET)\s+\d+\s*)?$")
MODALITIES = ("asserted", "reported", "denied", "planned", "unconfirmed")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# --------------------------------------------------------------------------
# Named queries
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """A parameter a named query accepts."""

    name: str
    description: str
    optional: bool = True


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``kg/queries``: name, header fields and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str = field(repr=False)
    path: Path | None = None


_PARAM = re.compile(r"^([A-Za-z_]\w*)\s*(?:—|–|--|-|:)?\s*(.*)$")


def parse_header(text: str, name: str = "query") -> NamedQuery:
    """Read the ``# title:``, ``# description:`` and ``# param:`` header lines.

    A header line without a ``key:`` continues the previous field.

    >>> q = parse_header("# title: T\\n# description: D\\n#   more.\\n# param: actor — who (optional)\\nSELECT * {}")
    >>> q.title, q.description, q.params
    ('T', 'D more.', (Param(name='actor', description='who', optional=True),))
    """
    entries: list[list[str]] = []  # [key, value], in order
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        body = stripped.lstrip("#").strip()
        match = re.match(r"^(title|description|param|page)\s*:\s*(.*)$", body)
        if match is not None:
            entries.append(list(match.groups()))
        elif entries and body:
            entries[-1][1] = f"{entries[-1][1]} {body}"
    fields = {key: value for key, value in entries if key not in ("param", "page")}  # pages: kg.pages
    params = []
    for key, value in entries:
        if key != "param":
            continue
        m = _PARAM.match(value)
        if m is None:
            raise QueryError(f"{name}: bad '# param:' line {value!r}")
        pname, desc = m.groups()
        optional = "(optional)" in desc
        params.append(Param(pname, desc.replace("(optional)", "").strip(" .;,") or pname, optional))
    return NamedQuery(name=name, title=fields.get("title", name), description=fields.get("description", ""),
                      params=tuple(params), text=text)


def query_names() -> list[str]:
    """Names of the shipped queries, sorted."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))


def list_queries() -> list[NamedQuery]:
    """Every shipped query with its header, sorted by name."""
    return [load_query(name) for name in query_names()]


def load_query(name: str) -> NamedQuery:
    """A shipped query by name; an unknown name is an error listing the others.

    >>> load_query("no-such-query")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: unknown query 'no-such-query'; available: as-of, claims-by-speaker, ...
    """
    path = QUERIES_DIR / f"{name}.rq"
    if not _NAME.match(name) or not path.is_file():
        raise QueryError(f"unknown query {name!r}; available: {', '.join(query_names())}")
    query = parse_header(path.read_text(encoding="utf-8"), name)
    return NamedQuery(query.name, query.title, query.description, query.params, query.text, path)


# --------------------------------------------------------------------------
# Checking: read as the engine reads it (kg.sparqlguard)
# --------------------------------------------------------------------------

def check_query(sparql: str) -> str:
    """Check ``sparql``; return its kind (select, ask, graph) or refuse it.

    Refused (:class:`QueryRefusedError`): SPARQL Update (including ``LOAD``),
    ``SERVICE`` anywhere in the query, and ``FROM`` / ``FROM NAMED``, read
    with Oxigraph's lexical rules (:func:`kg.sparqlguard.check`). An empty
    query, a malformed string and too deep a nesting raise
    :class:`QueryError`; other syntax errors are found by the engine when the
    query runs (:func:`execute`).

    >>> check_query("SELECT * WHERE { ?s ?p ?o }")
    'select'
    >>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefusedError: SERVICE is not allowed: kg never calls other endpoints
    """
    return sparqlguard.check(sparql).kind


# --------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------

def resolve_param(name: str, value: str, *, store=None) -> Node:
    """The RDF term a ``--param name=value`` stands for.

    >>> str(resolve_param("actor", "Daesh"))
    'https://w3id.org/kg-conflict/id/entity/isis'
    >>> str(resolve_param("relation", "truce_with"))
    'https://w3id.org/kg-conflict/ontology#truce_with'
    >>> resolve_param("actor", "Nobody At All")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: unknown actor 'Nobody At All': not a name in kg's dictionaries or in the graph (...)
    """
    value = value.strip()
    if name in ENTITY_PARAMS:
        return resolve_entity(value, kind=name, store=store)
    if name == "relation":
        from kg.resources import load_data

        relations = load_data("relations")["relations"]
        key = value.removeprefix("kgo:")
        if key not in relations:
            raise QueryError(f"unknown relation {value!r}; known: {', '.join(sorted(relations))}")
        return KGO[key]
    if name == "modality":
        key = value.removeprefix("kgo:").lower()
        if key not in MODALITIES:
            raise QueryError(f"unknown modality {value!r}; known: {', '.join(MODALITIES)}")
        return KGO[key]
    if name == "document":
        return document_iri(value)
    if name in DATE_PARAMS:
        return date_param(name, value)
    return Literal(value)


def date_param(name: str, value: str) -> Literal:
    """The ``xsd:date`` a date parameter stands for: a day, or the first
    (``from``) or last (``to``, ``date``) day of a month or year.

    >>> [str(date_param(n, v)) for n, v in (("from", "2017"), ("to", "2017-02"), ("date", "2016-02"))]
    ['2017-01-01', '2017-02-28', '2016-02-29']
    >>> date_param("to", "October 2017")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: bad date 'October 2017' for --param to: give YYYY-MM-DD, YYYY-MM or YYYY
    """
    import calendar
    from datetime import date

    match = _DATE_VALUE.match(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = int(match[1]), match[2], match[3]
        last = DATE_PARAMS[name] == "last"
        if month is None:
            found = date(year, 12, 31) if last else date(year, 1, 1)
        elif day is None:
            found = date(year, int(month), calendar.monthrange(year, int(month))[1] if last else 1)
        else:
            found = date(year, int(month), int(day))
    except ValueError:
        raise QueryError(f"bad date {value!r} for --param {name}: give YYYY-MM-DD, YYYY-MM or YYYY") from None
    return Literal(found.isoformat(), datatype=XSD.date)


def resolve_entity(name: str, *, kind: str = "actor", store=None) -> URIRef:
    """An entity IRI for any of its names.

    With a ``store``, the graph's own names come first: every label and
    ``skos:altLabel`` the ``entities`` query lists names its entity (so
    "Washington", an alias of the United States, is the United States, and
    not the dictionaries' city the graph does not hold). A name the graph
    does not have is looked up in the dictionaries (any alias, an entity id,
    an IRI), and must then name an entity of the graph: a name that matches
    nothing there is an error, never an empty result.
    """
    from kg.gazetteer import load_gazetteer

    if store is not None and not re.match(r"^<?https?://", name):
        found = _entities_named(store, name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise QueryError(f"ambiguous {kind} {name!r}: it names {', '.join(map(str, found))}; "
                             "give one of these IRIs instead")
    if re.match(r"^<?https?://", name):
        iri = URIRef(name.strip("<>"))
    else:
        gazetteer = load_gazetteer()
        entity_id = gazetteer.lookup(name)
        if entity_id is None and name[:4].lower() == "the ":
            entity_id = gazetteer.lookup(name[4:])
        if entity_id is None and name in gazetteer.entities:
            entity_id = name
        if entity_id is None:
            raise QueryError(f"unknown {kind} {name!r}: not a name in kg's dictionaries or in the graph "
                             "(kg query entities lists the graph's names)")
        iri = entity_iri(entity_id)
    if store is not None and not _in_graph(store, iri):
        raise QueryError(f"no {kind} of the graph is named {name!r} ({iri} is not in it; "
                         "kg query entities lists the graph's names)")
    return iri


def _entities_named(store, name: str) -> list[URIRef]:
    """The nodes one of whose names is ``name`` (case aside): by their derived
    ``kgo:nameKey`` (one index lookup), or in a store made before name keys
    were derived, by comparing every name."""
    literal = json.dumps(name.casefold())
    sparql = f"SELECT DISTINCT ?e WHERE {{ ?e kgo:nameKey {literal} }} ORDER BY ?e"
    if not store.query("ASK { ?e kgo:nameKey ?key }").boolean:
        sparql = ("SELECT DISTINCT ?e WHERE { ?e rdfs:label|skos:altLabel ?n "
                  f"FILTER(LCASE(STR(?n)) = {literal}) }} ORDER BY ?e")
    result = store.query(sparql)
    return [row[0] for row in result.rows]


def _in_graph(store, iri: URIRef) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}").boolean)


def resolve_params(params: Mapping[str, str], *, query: NamedQuery | None = None, sparql: str = "",
                   store=None) -> dict[str, Node]:
    """Resolve ``--param`` values; names must be declared (or used in the query)."""
    if query is not None:
        declared = {p.name for p in query.params}
        for p in query.params:
            if not p.optional and p.name not in params:
                raise QueryError(f"query {query.name!r} needs --param {p.name}=... ({p.description})")
    bindings: dict[str, Node] = {}
    for name, value in params.items():
        if query is not None and name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise QueryError(f"query {query.name!r} has no parameter {name!r}; its parameters: {known}")
        if query is None and not re.search(rf"[?$]{re.escape(name)}\b", sparql):
            raise QueryError(f"the query has no variable ?{name} for --param {name}")
        bindings[name] = resolve_param(name, value, store=store)
    return bindings


_ONLY_WITH = re.compile(r"#\s*only with --param ([\w|]+)\s*$")


def drop_unbound_lines(sparql: str, params: Mapping[str, object]) -> str:
    """Drop the lines marked ``# only with --param NAME`` whose NAME is not given.

    >>> text = "SELECT * {\\n ?s ?p ?o .\\n ?s a ?actor # only with --param actor\\n}"
    >>> drop_unbound_lines(text, {}).splitlines()
    ['SELECT * {', ' ?s ?p ?o .', '}']
    >>> drop_unbound_lines(text, {"actor": "x"}) == text
    True
    """
    lines = []
    for line in sparql.splitlines(keepends=True):
        match = _ONLY_WITH.search(line)
        if match is None or any(name in params for name in match.group(1).split("|")):
            lines.append(line)
    return "".join(lines)


def paginate(sparql: str, limit: int | None, offset: int = 0) -> str:
    """``sparql`` cut to ``limit`` rows from ``offset`` on (``--limit``/``--offset``).

    The query gets a final ``LIMIT``/``OFFSET``; its ``ORDER BY`` makes the
    pages a stable order. (The large named listings are walked instead:
    :mod:`kg.pages`.)

    >>> paginate("SELECT * { ?s ?p ?o } ORDER BY ?s", 10, 20)
    'SELECT * { ?s ?p ?o } ORDER BY ?s\\nLIMIT 10 OFFSET 20\\n'
    >>> paginate("SELECT * { ?s ?p ?o } LIMIT 5", 10)
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: the query has its own LIMIT or OFFSET: leave out --limit and --offset
    """
    if limit is None and not offset:
        return sparql
    if limit is not None and limit < 0 or offset < 0:
        raise QueryError("--limit and --offset must not be negative")
    if _HAS_SLICE.search(_strip_comments(sparql)):
        raise QueryError("the query has its own LIMIT or OFFSET: leave out --limit and --offset")
    slice_ = (f"LIMIT {limit} " if limit is not None else "") + (f"OFFSET {offset}" if offset else "")
    return f"{sparql.rstrip()}\n{slice_.strip()}\n"


def _strip_comments(sparql: str) -> str:
    return "\n".join(line.split("#", 1)[0] if "#" in line and "<" not in line else line
                      for line in sparql.splitlines()).rstrip()


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def run_query(store_or_path, query: "str | NamedQuery", *, params: Mapping[str, str] | None = None,
              timeout: float | None = None, max_rows: int | None = None, isolated: bool = False,
              limit: int | None = None, offset: int = 0) -> Result:
    """Run a named query (by name, or a :class:`NamedQuery`) or SPARQL text.

    ``store_or_path`` is an open :class:`kg.store.Store` or a store folder.

    ``params`` are ``--param`` values (see :func:`resolve_param`). With a
    ``timeout``, or ``isolated`` (what ``kg query`` does), the query runs in
    a child process that has no network access, is killed when time is up,
    and whose crash is reported as a :class:`QueryError`.

    ``limit`` and ``offset`` return one page of the rows (see :func:`paginate`).
    """
    from kg.store import Store

    if isinstance(query, NamedQuery):
        named = query if query.params else None
        sparql = query.text
    else:
        named = load_query(query) if _NAME.match(query.strip()) else None
        sparql = named.text if named is not None else query
    if isinstance(store_or_path, Store):
        return _run(store_or_path, sparql, named, params or {}, timeout, max_rows, isolated, limit, offset)
    with Store.open(store_or_path, read_only=True, holder="kg query") as store:
        return _run(store, sparql, named, params or {}, timeout, max_rows, isolated, limit, offset)


def _run(store, sparql, named, params, timeout, max_rows, isolated, limit=None, offset=0) -> Result:
    from kg import pages

    bindings = resolve_params(params, query=named, sparql=sparql, store=store)
    unbound = drop_unbound_lines(sparql, bindings)
    text = paginate(pages.plain_text(unbound), limit, offset)
    walk = pages.plan(unbound, sparql, bindings, limit, offset, ENTITY_PARAMS)  # its "# page:" lines
    return query_store(store, text, bindings=bindings, timeout=timeout, max_rows=max_rows, isolated=isolated,
                       walk=walk)


_TRAILING_SLICE = re.compile(r"(?is)\s*\bLIMIT\s+(\d+)(?:\s+OFFSET\s+(\d+))?\s*$")


def walk_for_text(sparql: str):
    """The walk (:class:`kg.pages.Walk`) of a page of a named listing sent as SPARQL text, or None.

    What ``kg serve`` pages: the text ``kg query`` runs for a named query
    without parameters (its ``# only with --param`` lines left out; the lines
    for pages may stay, they are comments or say the same thing), then
    ``LIMIT n`` and maybe ``OFFSET m``. Any other text runs as it is.
    """
    from kg import pages

    match = _TRAILING_SLICE.search(sparql)
    if match is None:
        return None
    body = sparql[:match.start()].strip()
    for named in list_queries():
        unbound = drop_unbound_lines(named.text, {})
        if body in (unbound.strip(), pages.plain_text(unbound).strip()):
            return pages.plan(unbound, named.text, {}, int(match.group(1)), int(match.group(2) or 0), ENTITY_PARAMS)
    return None


def query_store(store, sparql: str, *, bindings: Mapping[str, Node] | None = None, timeout: float | None = None,
                max_rows: int | None = None, isolated: bool = False, walk=None) -> Result:
    """Run ``sparql`` on an open :class:`kg.store.Store`: in this process (:meth:`kg.store.Store.query`), or,
    with a ``timeout`` (seconds) or ``isolated``, in a separate process without network access, killed
    when time is up (:class:`kg.errors.QueryTimeoutError`).

    With a ``walk`` (:class:`kg.pages.Walk`), its page is walked (:func:`kg.pages.run_walk`) where the
    store has the ranks for it; ``sparql`` is what runs where it has not.
    """
    if timeout is None and not isolated:
        return _answer(store._store(), sparql, bindings, max_rows, walk)
    if not store.read_only:
        store.flush()
    return execute_in_subprocess(store.path, sparql, bindings=bindings, max_rows=max_rows, timeout=timeout,
                                 walk=walk)


def _answer(ox_store, sparql: str, bindings, max_rows, walk) -> Result:
    """``sparql`` run on a pyoxigraph store, or the page of ``walk`` (see :func:`query_store`)."""
    if walk is not None:
        from kg.pages import run_walk

        result = run_walk(lambda text: execute(ox_store, text), walk, bindings or {})
        if result is not None:
            if max_rows is not None and len(result.rows) > max_rows:
                result.rows, result.truncated = result.rows[:max_rows], True
            result.max_rows = max_rows
            return result
    return execute(ox_store, sparql, bindings=bindings, max_rows=max_rows)


# --------------------------------------------------------------------------
# A query in a child process: a time limit that really stops it
# --------------------------------------------------------------------------

def _worker_main(conn, store_path: str, parent: int) -> None:
    """Child process: open the store read-only, answer jobs until told to stop.

    It ends with its parent (:func:`kg.children.watch_parent`) and, once the
    store is open, can open no network socket (:func:`kg.sparqlguard.deny_network`).
    """
    import signal

    from kg.children import watch_parent
    from kg.store import Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent(parent)
    try:
        store = Store.open(store_path, read_only=True, lock=False)
    except KgError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    sandboxed = sparqlguard.deny_network()
    execute(store._store(), "ASK { ?s ?p ?o }")  # loads what the first query needs
    conn.send(("ready", os.getpid(), sandboxed))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        try:
            result = _answer(store._store(), job["query"], job.get("bindings"), job.get("max_rows"),
                             job.get("walk"))
            payload = render(result, choose_format(result, job["formats"])) if job.get("formats") else result
            conn.send(("ok", payload))
        except KgError as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            conn.send(("error", "QueryError", f"query failed: {type(exc).__name__}: {_short(exc)}"))
    store.close()


_ERRORS = {cls.__name__: cls for cls in
           (QueryError, QueryRefusedError, QueryTimeoutError, StoreError, NotAcceptableError)}


class QueryProcess:
    """A child process (spawned) that runs queries on a store, one at a time.

    :meth:`run` waits at most ``timeout`` seconds; past that the child is
    killed (the only way to stop an Oxigraph query) and the caller gets
    :class:`QueryTimeoutError`. A killed process cannot be reused.
    """

    def __init__(self, store_path: str | os.PathLike[str]):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(store_path), os.getpid()),
                                       daemon=True, name="kg-query")
        self.process.start()
        child.close()
        self.alive = True
        #: True once the child reported that it cannot open network sockets.
        self.sandboxed = False

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the child has opened the store."""
        if not self._conn.poll(timeout):
            self.kill()
            raise StoreError("the query process did not start in time")
        _pid, self.sandboxed = self._reply(whole=True)

    def run(self, job: dict, timeout: float | None):
        """Send one job and return its payload (a Result, or rendered bytes)."""
        self._conn.send(job)
        if timeout is not None and not self._conn.poll(timeout):
            self.kill()
            raise QueryTimeoutError(f"query exceeded the time limit of {timeout:g} s and was stopped")
        return self._reply()

    def _reply(self, *, whole: bool = False):
        try:
            status, *rest = self._conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise QueryError(f"the query process died ({_death(self.process.exitcode)}); "
                             "the query may be too large or too deeply nested") from None
        if status == "error":
            raise _ERRORS.get(rest[0], QueryError)(rest[1])
        return rest if whole else rest[0]

    def kill(self) -> None:
        """Stop the child at once."""
        self.alive = False
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self._conn.close()

    def close(self) -> None:
        """Ask the child to finish, killing it if it does not."""
        if not self.alive:
            return
        try:
            self._conn.send(None)
        except OSError:
            pass
        self.process.join(2)
        self.kill()


def _death(exitcode: int | None) -> str:
    """How a child process ended, for a message.

    >>> _death(-11), _death(1)
    ('killed by SIGSEGV', 'exit status 1')
    """
    import signal

    if exitcode is None:
        return "no answer"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def execute_in_subprocess(store_path, sparql: str, *, bindings=None, max_rows=None,
                          timeout: float | None, walk=None) -> Result:
    """Run one query in a fresh child process (killed after ``timeout`` s, if given).

    The query is checked here first (:func:`kg.sparqlguard.check`), so a
    refused one costs no process; the child checks it again and runs it
    without network access.
    """
    sparqlguard.check(bind_values(sparql, bindings or {}))
    worker = QueryProcess(store_path)
    try:
        worker.wait_ready()
        return worker.run({"query": sparql, "bindings": dict(bindings or {}), "max_rows": max_rows, "walk": walk},
                          timeout)
    finally:
        worker.close()
