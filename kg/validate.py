"""Check a kg graph against the SHACL shapes of its RDF contract.

``ontology/shapes.ttl`` states what every graph kg writes must contain: each
relation triple reified by an ``rdf:Statement`` derived from evidence in a
document, evidence with text and offsets, one label per entity, coordinates
in range, and so on. :func:`validate_graph` checks an rdflib graph with
``ontology/kg.ttl`` mixed in (so that ``rdfs:subPropertyOf kgo:relation`` is
known), without inference, and returns a :class:`ValidationReport`;
:func:`require_valid` raises :class:`kg.errors.ValidationError` instead.
:func:`validate_oxigraph` and :func:`require_valid_oxigraph` do the same for
the default graph of a ``pyoxigraph.Store``.

Two engines give the verdict. :mod:`kg.shacl` first runs the shapes as a few
dozen SPARQL queries over the whole graph in Oxigraph (a second or less where
pySHACL takes tens of seconds). If it finds that the graph conforms, that is
the report. If it finds violations, or cannot promise pySHACL's answer (shapes
edited to use a construct it does not implement, literals the two engines
may read differently), pySHACL runs as the reference, and its report, messages
and text, is the one returned: failures are reported exactly as pySHACL
reports them. pySHACL is imported lazily: only that path needs it.

>>> import rdflib
>>> report = validate_graph(rdflib.Graph().parse(format="turtle", data='''
... @prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <https://w3id.org/kg-conflict/id/entity/raqqa> a kgo:Place .
... '''))
>>> report.conforms
False
>>> for violation in report.violations: print(violation)
kgr:entity/raqqa rdfs:label: entity needs exactly one rdfs:label (its canonical name); other names go in skos:altLabel
"""
from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg.errors import DataFileError, InputError, KgError, ValidationError
from kg.resources import ontology_dir, ontology_file
from kg.vocab import MESSAGE_PREFIXES, VALIDATION_GRAPHS, prefixes

__all__ = ["ValidationReport", "Violation", "invalid_fragments", "require_valid",
           "require_valid_oxigraph", "validate_graph", "validate_oxigraph", "validate_path"]

#: ``ValidationReport.text`` when kg's SPARQL engine found the graph conforming.
FAST_CONFORMS_TEXT = ("Validation Report\nConforms: True\n"
                      "Checked by kg.shacl (the shapes as SPARQL queries on Oxigraph); pySHACL was not run.\n")

#: Namespaces shortened to a prefix in violations, longest first.
_SHORT = tuple((iri, f"{name}:") for name, iri in prefixes(MESSAGE_PREFIXES).items())


class Violation(NamedTuple):
    """One failed constraint: focus node, property path (or ""), message.

    Nodes are written short (``kgr:entity/sdf``, ``kgo:truce_with``).
    """

    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of a SHACL validation.

    ``violations`` are distinct and sorted; ``text`` is pySHACL's full report
    (or :data:`FAST_CONFORMS_TEXT` when kg's SPARQL engine found the graph
    conforming without pySHACL).
    """

    conforms: bool
    violations: tuple[Violation, ...]
    text: str

    def lines(self) -> list[str]:
        """``["conforms"]`` or one line per violation."""
        return ["conforms"] if self.conforms else [str(v) for v in self.violations]


def shorten(text: str) -> str:
    """Write kg's and the standard namespaces as prefixes.

    >>> shorten("https://w3id.org/kg-conflict/id/entity/sdf https://w3id.org/kg-conflict/ontology#backs")
    'kgr:entity/sdf kgo:backs'
    """
    for namespace, prefix in _SHORT:
        text = text.replace(namespace, prefix)
    return text


def expand(text: str) -> str:
    """The full IRI of a name :func:`shorten` wrote (a name without a known prefix as it is).

    >>> expand("kgr:entity/sdf")
    'https://w3id.org/kg-conflict/id/entity/sdf'
    """
    for namespace, prefix in _SHORT:
        if text.startswith(prefix):
            return namespace + text[len(prefix):]
    return text


def _term(node: object) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, Literal):
        return shorten(node.n3())
    if isinstance(node, BNode):
        return "[]"  # labels of blank nodes are not stable
    return shorten(str(node))


def validate_graph(graph: Graph, *, shapes: str | Path = "shapes.ttl") -> ValidationReport:
    """Validate ``graph`` against ``shapes`` (a file of ``ontology/`` or a path).

    A ``Dataset`` or ``ConjunctiveGraph`` is validated as the union of its
    graphs (pySHACL alone would validate each named graph on its own).
    The graph itself is not modified. kg's SPARQL engine answers when the
    graph conforms; otherwise the report is pySHACL's.

    >>> validate_graph(Graph()).text == FAST_CONFORMS_TEXT
    True
    """
    path = _shapes_path(shapes)
    compiled = _compiled_shapes(path)

    def load():
        from kg import shacl

        store, odd_graph, view = shacl.load_rdflib(graph, _ontology()[0])
        return store, None, odd_graph, view

    if _fast_conforms(compiled, load):
        return ValidationReport(True, (), FAST_CONFORMS_TEXT)
    return _pyshacl_report(graph, shapes)


def validate_oxigraph(store, *, shapes: str | Path = "shapes.ttl", graphs=None) -> ValidationReport:
    """Validate the default graph of a ``pyoxigraph.Store`` (or the union of ``graphs``).

    Like :func:`validate_graph` (ontology mixed in, pySHACL's report when
    the graph does not conform), without copying a conforming graph into
    rdflib. ``graphs`` is a list of graph names (``pyoxigraph.NamedNode``,
    ``BlankNode`` or ``DefaultGraph``) whose union is the data graph. The
    ontology is added to a private named graph of ``store`` for the duration
    of the check (removed afterwards), or, for a read-only store, the data
    is copied into memory; the data graphs are not modified.

    >>> from rdflib import Literal, URIRef
    >>> from kg.store import memory_store, quad
    >>> store = memory_store('<https://w3id.org/kg-conflict/id/entity/raqqa> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...                      '<https://w3id.org/kg-conflict/ontology#Place> .')
    >>> print(*validate_oxigraph(store).lines())
    kgr:entity/raqqa rdfs:label: entity needs exactly one rdfs:label (its canonical name); other names go in skos:altLabel
    >>> store.add(quad(URIRef("https://w3id.org/kg-conflict/id/entity/raqqa"),
    ...                URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Raqqa")))
    >>> validate_oxigraph(store).conforms, len(store), list(store.named_graphs())
    (True, 2, [])
    """
    from kg.store import graph_name, rdflib_triples

    path = _shapes_path(shapes)
    compiled = _compiled_shapes(path)
    data = list(graphs) if graphs is not None else [graph_name()]
    if _fast_conforms(compiled, lambda: _oxigraph_data(store, data), cleanup=True):
        return ValidationReport(True, (), FAST_CONFORMS_TEXT)
    graph = Graph()
    for name in data:
        for triple in rdflib_triples(store, name):
            graph.add(triple)
    return _pyshacl_report(graph, shapes)


#: :func:`invalid_fragments` checks this many characters of N-Triples at a time (about 60 news
#: articles): what it holds in memory is bounded by that, however many fragments it is given.
FRAGMENT_CHARS = 1_000_000


def invalid_fragments(fragments: list[tuple[str, str]], *, shapes: str | Path = "shapes.ttl",
                      chars: int = FRAGMENT_CHARS) -> dict[str, ValidationReport]:
    r"""The fragments among ``fragments`` that break the shapes on their own, each with its report.

    ``fragments`` are ``(name, N-Triples text)`` pairs: the graph each
    document of a build writes (:func:`kg.store.ntriples`). They are checked
    together first, ``chars`` characters of them at a time, as one graph in
    memory (a few dozen documents: tens of MB at most, whatever the size of
    the store); only when that graph does not conform is each of its
    fragments checked on its own, and the report of one that does
    not conform is pySHACL's (:func:`validate_oxigraph`). Fragments that
    conform on their own but not together are not named: what needs the
    union is for the check of the whole graph.

    >>> place = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kg-conflict/ontology#Place> ."
    >>> label = ' <http://www.w3.org/2000/01/rdf-schema#label> "Raqqa" .'
    >>> raqqa, homs = "<https://w3id.org/kg-conflict/id/entity/raqqa>", "<https://w3id.org/kg-conflict/id/entity/homs>"
    >>> invalid_fragments([("a", raqqa + place + "\n" + raqqa + label)])
    {}
    >>> found = invalid_fragments([("a", raqqa + place + "\n" + raqqa + label), ("b", homs + place)])
    >>> for name, report in found.items(): print(name, *report.lines())
    b kgr:entity/homs rdfs:label: entity needs exactly one rdfs:label (its canonical name); other names go in skos:altLabel
    >>> found == invalid_fragments([("a", raqqa + place + "\n" + raqqa + label), ("b", homs + place)], chars=1)
    True
    """
    from kg.store import memory_store

    def graph_of(bodies: list[str]):
        text = "\n".join(bodies)
        try:
            store = memory_store(text)
        except (SyntaxError, ValueError) as exc:
            raise DataFileError(f"a document graph is not valid N-Triples: {exc}") from None
        return store

    found: dict[str, ValidationReport] = {}
    start = 0
    while start < len(fragments):
        end, size = start, 0
        while end < len(fragments) and (end == start or size + len(fragments[end][1]) <= chars):
            size += len(fragments[end][1])
            end += 1
        group = fragments[start:end]
        start = end
        if validate_oxigraph(graph_of([body for _, body in group]), shapes=shapes).conforms:
            continue
        for name, body in group:
            report = validate_oxigraph(graph_of([body]), shapes=shapes)
            if not report.conforms:
                found[name] = report
    return found


def _pyshacl_report(graph: Graph, shapes: str | Path) -> ValidationReport:
    """pySHACL's verdict and report (the reference engine)."""
    pyshacl = _pyshacl()
    shapes_graph = _load_rdf(_shapes_path(shapes))
    ontology = _load_rdf(ontology_file("kg.ttl"))
    if getattr(graph, "context_aware", False):  # Dataset, ConjunctiveGraph
        union = Graph()
        for s, p, o, _ctx in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        graph = union
    try:
        with _cached_sparql():
            conforms, results, text = pyshacl.validate(
                graph,
                shacl_graph=shapes_graph,
                ont_graph=ontology,
                inference="none",
                advanced=True,  # sh:SPARQLTarget
                inplace=False,
                allow_warnings=False,
            )
    except pyshacl.errors.ReportableRuntimeError as exc:
        raise DataFileError(f"{shapes}: SHACL validation could not run: {exc}") from None
    return ValidationReport(bool(conforms), _violations(results), text)


def validate_path(path: str | Path, *, shapes: str | Path = "shapes.ttl") -> ValidationReport:
    """Validate ``DIR/graph.ttl`` (``path`` a folder) or a Turtle file."""
    return validate_graph(read_graph(path), shapes=shapes)


def require_valid(graph: Graph, *, shapes: str | Path = "shapes.ttl", limit: int = 3,
                  name: str = "the graph") -> ValidationReport:
    """Validate and raise :class:`ValidationError` naming the first violations.

    For the end of ``kg build``: returns the (conforming) report otherwise.
    The exception carries the full report as ``exc.report``.
    """
    return _require(validate_graph(graph, shapes=shapes), limit, name)


def require_valid_oxigraph(store, *, shapes: str | Path = "shapes.ttl", limit: int = 3,
                           name: str = "the graph", graphs=None) -> ValidationReport:
    """:func:`require_valid` for the default graph of a ``pyoxigraph.Store`` (see :func:`validate_oxigraph`).

    >>> from kg.store import memory_store
    >>> require_valid_oxigraph(memory_store()).conforms
    True
    """
    return _require(validate_oxigraph(store, shapes=shapes, graphs=graphs), limit, name)


def _require(report: ValidationReport, limit: int, name: str) -> ValidationReport:
    if not report.conforms:
        shown = "; ".join(str(v) for v in report.violations[:limit])
        more = len(report.violations) - limit
        tail = f" (and {more} more; run `kg validate`)" if more > 0 else ""
        count = len(report.violations)
        error = ValidationError(
            f"{name} breaks the RDF contract (ontology/shapes.ttl), {count} "
            f"violation{'s' if count != 1 else ''}: {shown}{tail}")
        error.report = report
        raise error
    return report


def read_graph(path: str | Path) -> Graph:
    """Parse ``DIR/graph.ttl`` (``path`` a folder) or a Turtle file."""
    path = Path(path)
    ttl = path / "graph.ttl" if path.is_dir() or not (path.suffix or path.exists()) else path
    if not ttl.is_file():
        hint = " (run `kg build` first)" if ttl.name == "graph.ttl" else ""
        raise InputError(f"{ttl}: no such file{hint}")
    try:
        return Graph().parse(ttl, format="turtle")
    except Exception as exc:  # rdflib raises parser-specific errors
        raise InputError(f"{ttl}: not valid Turtle: {exc}") from None


# --------------------------------------------------------------------------
# helpers


def _fast_conforms(compiled, load, cleanup: bool = False) -> bool:
    """True if kg's SPARQL engine finds the graph conforming; False: ask pySHACL.

    ``compiled`` is :func:`_compiled_shapes`' answer (an exception when the
    shapes are not supported); ``load()`` gives ``(store, default_graph,
    odd_graph, view)`` and, with ``cleanup``, a last item to call when done.
    """
    from kg import shacl

    if isinstance(compiled, Exception):
        return False
    done = None
    try:
        loaded = load()
        if cleanup:
            *loaded, done = loaded
        store, default_graph, odd_graph, view = loaded
        results = shacl.validate_store(store, compiled, default_graph=default_graph, odd_graph=odd_graph, view=view)
    except (shacl.Fallback, KgError):  # KgError: a data file pySHACL's path reports the same way
        return False
    except Exception as exc:  # a bug in kg.shacl must not cost a correct answer: pySHACL decides
        warnings.warn(f"kg.shacl could not validate ({exc!r}); validating with pySHACL", RuntimeWarning,
                      stacklevel=3)
        return False
    finally:
        if done is not None:
            done()
    return not results


def _oxigraph_data(store, data: list):
    """The data graphs of ``store`` with the ontology mixed in, ready for :func:`kg.shacl.validate_store`.

    The ontology goes into a private named graph of ``store`` (removed by the
    returned clean-up); a store that cannot be written is copied into memory.
    """
    import uuid

    from kg.store import copy_graphs, from_oxigraph, graph_name, load_ntriples

    ontology = _ontology()[1]
    name = graph_name(f"{VALIDATION_GRAPHS}{uuid.uuid4()}")
    try:
        load_ntriples(store, ontology, graph=name)
    except (OSError, RuntimeError):  # a read-only store: validate a copy
        copy = copy_graphs(store, data)
        load_ntriples(copy, ontology)
        return copy, None, None, from_oxigraph, lambda: None
    return store, data + [name], None, from_oxigraph, lambda: store.remove_graph(name)


@lru_cache(maxsize=4)
def _ontology_cached(path: str, _mtime: int, _size: int) -> tuple[Graph, bytes]:
    from kg import shacl

    from kg.store import ntriples

    mixed = shacl.inoculate(_parse_cached(path, _mtime, _size))
    return mixed, (ntriples(mixed) + "\n").encode("utf-8")


def _ontology() -> tuple[Graph, bytes]:
    """``ontology/kg.ttl`` as pySHACL mixes it into the data graph: rdflib graph and N-Triples."""
    path = ontology_file("kg.ttl")
    stat = path.stat()
    return _ontology_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _compiled_shapes(path: Path):
    """The shapes of ``path`` compiled for kg's SPARQL engine, or the UnsupportedShapes it raised."""
    stat = path.stat()
    return _compiled_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _compiled_cached(path: str, mtime: int, size: int):
    from kg import shacl

    graph = _parse_cached(path, mtime, size)
    try:
        return shacl.compile_shapes(graph)
    except shacl.UnsupportedShapes as exc:
        return exc


def _pyshacl():
    try:
        import pyshacl
        import pyshacl.errors
    except ImportError:
        raise KgError("validation needs pySHACL: pip install pyshacl") from None
    return pyshacl


def _shapes_path(shapes: str | Path) -> Path:
    """A bare name of the ontology folder first (``shapes.ttl``), else a path."""
    candidate = Path(shapes)
    if str(shapes) == candidate.name and (ontology_dir() / candidate.name).is_file():
        return ontology_dir() / candidate.name
    if candidate.is_file():
        return candidate
    return ontology_file(str(shapes))


def _load_rdf(path: Path) -> Graph:
    """A fresh copy of a parsed Turtle file (parsed once per file version)."""
    stat = path.stat()
    cached = _parse_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    copy = Graph()
    for prefix, namespace in cached.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += cached
    return copy


@lru_cache(maxsize=8)
def _parse_cached(path: str, _mtime: int, _size: int) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:
        raise DataFileError(f"{path}: not valid Turtle: {exc}") from None


def _violations(results: Graph) -> tuple[Violation, ...]:
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) not in (None, SH.Violation):
            continue
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        message = shorten("; ".join(messages)) if messages else "constraint failed"
        found.add(Violation(
            _term(results.value(result, SH.focusNode)),
            _term(results.value(result, SH.resultPath)),
            message,
        ))
    return tuple(sorted(found))


_SPARQL_LOCK = threading.Lock()


@contextmanager
def _cached_sparql() -> Iterator[None]:
    """Parse each SPARQL query text once while pySHACL runs.

    pySHACL sends the same SPARQL constraint text to rdflib once per focus
    node, and rdflib parses it every time (about 60 ms each): 200 focus
    nodes took 12 s. Parsed and translated queries are reusable (that is
    what ``prepareQuery`` is for), so, for the duration of a validation,
    rdflib's SPARQL processor keeps them by (text, base, namespaces). The
    patch is undone on exit and serialised by a lock.
    """
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    with _SPARQL_LOCK:
        original = processor.SPARQLProcessor.query
        cache: dict = {}

        def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
            if isinstance(strOrQuery, str):
                key = (strOrQuery, base, frozenset((initNs or {}).items()))
                prepared = cache.get(key)
                if prepared is None:
                    prepared = cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
                strOrQuery = prepared
            return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

        processor.SPARQLProcessor.query = query
        try:
            yield
        finally:
            processor.SPARQLProcessor.query = original
