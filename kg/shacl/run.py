"""Running compiled shapes over a ``pyoxigraph.Store``: :func:`validate_store`."""
from __future__ import annotations

import re
from typing import Callable

from rdflib import URIRef
from rdflib.namespace import RDF, SH

from .checks import _py_pair
from .compiler import _COMPONENT, CompiledShapes, _Shape, _SparqlConstraint
from .diagnostics import _Diagnostics
from .loading import _plain_view
from .sparql import _write, _write_group
from .terms import XSD, Result, UnsupportedData, UnsupportedShapes, _iri, _n3, _odd

#: The rdflib view of a pyoxigraph term (what pySHACL sees).
View = Callable[[object], object]


class _Run:
    """One validation: plans one job (query + reading its rows) per check, runs them on a few threads."""

    def __init__(self, store, default_graph, odd_graph, view: View):
        self.store = store
        self.default_graph = default_graph
        self.odd_graph = odd_graph
        self.view = view
        self.jobs: list[Callable[[], list[Result]]] = []
        self.queries = 0
        self.counter = 0

    def select(self, query: str):
        self.queries += 1
        try:
            return self.store.query(query, default_graph=self.default_graph)
        except SyntaxError as exc:  # a construct Oxigraph does not read
            raise UnsupportedShapes(f"SPARQL Oxigraph cannot run: {exc}") from None

    def ask(self, query: str) -> bool:
        return bool(self.select(query))

    def result(self, shape: _Shape, focus, component, value=None, path=None, messages=None) -> Result:
        path = path if path is not None else shape.path
        return Result(self.view(focus), path, None if value is None else self.view(value),
                      shape.node, component, messages or shape.messages or (_generic(component),))

    def run(self, threads: int) -> set[Result]:
        results: set[Result] = set()
        if threads <= 1 or len(self.jobs) < 2:
            for job in self.jobs:
                results.update(job())
            return results
        from concurrent.futures import ThreadPoolExecutor

        jobs = sorted(self.jobs, key=lambda job: getattr(job, "cost", 1), reverse=True)  # long ones first
        with ThreadPoolExecutor(threads) as pool:
            for found in pool.map(lambda job: job(), jobs):
                results.update(found)
        return results

    def plan(self, job: Callable[[], list[Result]], cost: int = 1) -> None:
        job.cost = cost
        self.jobs.append(job)

    # ----------------------------------------------------------------------
    # planning

    def shape(self, shape: _Shape, focus: Callable[[str], str]) -> None:
        """Plan the checks of ``shape`` on the nodes ``focus`` binds."""
        if shape.values:
            self.plan(lambda: self.values(shape, focus), 2)
        if shape.path is not None:
            if shape.min_count or shape.max_count is not None:
                self.plan(lambda: self.counts(shape, focus), 1)
            for param, other in shape.pairs:
                self.plan(lambda param=param, other=other: self.pair(shape, focus, param, other), 3)
        for constraint in shape.sparql:
            self.plan(lambda constraint=constraint: self.sparql(shape, focus, constraint), 4)
        for prop in shape.properties:
            if shape.path is not None:
                self.counter += 1
                self.shape(prop, _values_of(focus, shape.path, self.counter))
            else:
                self.shape(prop, focus)

    def targets(self, shape: _Shape) -> Callable[[str], str]:
        """The focus nodes of a shape's targets, as a SPARQL pattern binding a variable."""
        patterns = list(shape.targets)
        for text in shape.sparql_targets:
            patterns.append(lambda v, t=text: f"{{ SELECT DISTINCT (?this AS {v}) WHERE {{ {{ {t} }} }} }}")

            def unbound(t=text) -> list[Result]:
                if self.ask(f"ASK {{ {{ {t} }} FILTER(!BOUND(?this)) }}"):
                    raise UnsupportedData(f"the SPARQL target of {shape.node.n3()} leaves ?this unbound")
                return []

            self.plan(unbound, 0)

        def focus(var: str) -> str:
            union = " UNION ".join("{ " + p("?kg_f") + " }" for p in patterns)
            return f"{{ SELECT DISTINCT (?kg_f AS {var}) WHERE {{ {union} }} }}"

        return focus

    # ----------------------------------------------------------------------
    # jobs

    def values(self, shape: _Shape, focus) -> list[Result]:
        reach = f"?this {_iri(shape.path)} ?v ." if shape.path is not None else "BIND(?this AS ?v)"
        oks = [f"BIND(COALESCE({t.ok('?v')}, false) AS ?kg_ok{i})" for i, t in enumerate(shape.values)]
        routes = " || ".join([_odd("?v", self.odd_graph)] + [t.route("?v") for t in shape.values])
        failed = " || ".join(f"!?kg_ok{i}" for i in range(len(shape.values)))
        query = (f"SELECT DISTINCT ?this ?v ?kg_route {' '.join(f'?kg_ok{i}' for i in range(len(shape.values)))} "
                 f"WHERE {{ {focus('?this')} {reach} BIND(COALESCE({routes}, true) AS ?kg_route) {' '.join(oks)} "
                 f"FILTER(?kg_route || {failed}) }}")
        found = []
        for row in self.select(query):
            this, value = row["this"], row["v"]
            if _true(row["kg_route"]):
                python_value = self.view(value)
                passed = [test.python(python_value) for test in shape.values]
            else:
                passed = [_true(row[f"kg_ok{i}"]) for i in range(len(shape.values))]
            for test, ok in zip(shape.values, passed):
                if not ok:
                    found.append(self.result(shape, this, _COMPONENT[test.param], value))
        return found

    def counts(self, shape: _Shape, focus) -> list[Result]:
        low, high = shape.min_count or 0, shape.max_count
        path = _iri(shape.path)
        if low == 1 and high is None:
            query = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} FILTER NOT EXISTS {{ ?this {path} ?kg_v }} }}"
            return [self.result(shape, row["this"], SH.MinCountConstraintComponent) for row in self.select(query)]
        tests = ([f"COUNT(DISTINCT ?v) < {low}"] if low else []) + \
                ([f"COUNT(DISTINCT ?v) > {high}"] if high is not None else [])
        values = f"OPTIONAL {{ ?this {path} ?v }}" if low else f"?this {path} ?v ."
        query = (f"SELECT ?this (COUNT(DISTINCT ?v) AS ?kg_n) WHERE {{ {focus('?this')} {values} }} "
                 f"GROUP BY ?this HAVING ({' || '.join(tests)})")
        found = []
        for row in self.select(query):
            n = int(row["kg_n"].value)
            if n < low:
                found.append(self.result(shape, row["this"], SH.MinCountConstraintComponent))
            if high is not None and n > high:
                found.append(self.result(shape, row["this"], SH.MaxCountConstraintComponent))
        return found

    def pair(self, shape: _Shape, focus, param, other) -> list[Result]:
        path, other_iri = _iri(shape.path), _iri(other)
        name = param[len(str(SH)):]
        op = "<" if param == SH.lessThan else "<="
        stringish = "(isIRI({x}) || (isLiteral({x}) && DATATYPE({x}) IN (<%s>, <%s>)))" % (XSD.string, RDF.langString)
        sv, sw = stringish.format(x="?v"), stringish.format(x="?w")
        ok = (f"COALESCE((isNumeric(?v) && isNumeric(?w) && ?v {op} ?w) || "
              f"({sv} && {sw} && STR(?v) {op} STR(?w)), false)")
        route = (f"COALESCE({_odd('?v', self.odd_graph)} || {_odd('?w', self.odd_graph)} || "
                 f"(isLiteral(?v) && !isNumeric(?v) && !{sv}) || (isLiteral(?w) && !isNumeric(?w) && !{sw}), true)")
        query = (f"SELECT DISTINCT ?this ?v ?w ?kg_blank ?kg_route WHERE {{ {focus('?this')} ?this {path} ?v . "
                 f"OPTIONAL {{ ?this {other_iri} ?w }} "
                 f"BIND(COALESCE(isBlank(?v), false) || COALESCE(isBlank(?w), false) AS ?kg_blank) "
                 f"BIND(IF(BOUND(?w), {route}, false) AS ?kg_route) "
                 f"FILTER(?kg_blank || (BOUND(?w) && (?kg_route || !({ok})))) }}")
        rows = list(self.select(query))
        if any(_true(row["kg_blank"]) for row in rows):
            raise UnsupportedData(f"sh:{name} would compare a blank node (pySHACL stops there)")
        found = []
        for row in rows:
            if _true(row["kg_route"]):
                try:
                    passed = _py_pair(param, self.view(row["v"]), self.view(row["w"]))
                except Exception as exc:  # pySHACL would stop here too
                    raise UnsupportedData(f"sh:{name} cannot compare {row['v']} and {row['w']}: {exc}") from None
                if passed:
                    continue
            found.append(self.result(shape, row["this"], _COMPONENT[param], row["v"]))
        return found

    def sparql(self, shape: _Shape, focus, constraint: _SparqlConstraint) -> list[Result]:
        query = constraint.query
        what = f"the SPARQL constraint {constraint.node.n3()}"
        if query.literal_patterns:
            self.guard(query.predicates, what)
        extra = [p[1] for p in query.projection if p[0] == "as"]
        clean = query.variables if self.census(query.predicates) else frozenset()
        diagnostic = _Diagnostics(self.odd_graph, clean).group(query.group, focus("?this"), extra)
        if diagnostic is not None and self.ask(f"ASK {diagnostic}"):
            raise UnsupportedData(f"{what} would apply an operator to values on which rdflib (pySHACL's "
                                  f"SPARQL) and Oxigraph differ")
        body = _write_group(query.group, {"this"}, False)
        projection = " ".join(f"?{p[1]}" if p[0] == "var" else f"({_write(p[1])} AS ?{p[2]})"
                              for p in query.projection)
        text = f"SELECT DISTINCT {projection} WHERE {{ {focus('?this')} {body[1:-1]} }}"
        found = []
        for row in self.select(text):
            bound = {name: row[name] for name in query.names if row[name] is not None}
            this = bound.get("this")
            if "failure" in bound:
                found.append(self.result(shape, this, SH.SPARQLConstraintComponent, None if shape.path else this,
                                         messages=self.messages(shape, constraint, {})))
                continue
            value = bound.get("value", None if shape.path is not None else this)
            path = bound.get("path")
            found.append(self.result(shape, this, SH.SPARQLConstraintComponent, value,
                                     path=self.view(path) if path is not None else None,
                                     messages=self.messages(shape, constraint, bound)))
        return found

    def messages(self, shape: _Shape, constraint: _SparqlConstraint, bound: dict) -> tuple[str, ...]:
        texts = []
        for message in list(constraint.messages) + [m for m in shape.messages if m not in constraint.messages]:
            for name, term in bound.items():
                message = re.sub(r"\{[?$]%s\}" % re.escape(name), lambda _m, t=term: str(self.view(t)), message)
            texts.append(message)
        return tuple(texts) or (_generic(SH.SPARQLConstraintComponent),)

    def census(self, predicates) -> bool:
        """True if no triple of ``predicates`` (``None``: all) has a blank node or an odd literal."""
        odd = f"(isBlank(?kg_s) || isBlank(?kg_o) || {_odd('?kg_o', self.odd_graph)})"
        if predicates is None:
            return not self.ask(f"ASK {{ ?kg_s ?kg_p ?kg_o . FILTER {odd} }}")
        values = " ".join(f"<{p}>" for p in sorted(predicates))
        return not predicates or not self.ask(f"ASK {{ VALUES ?kg_p {{ {values} }} ?kg_s ?kg_p ?kg_o . FILTER {odd} }}")

    def guard(self, predicates, what: str) -> list[Result]:
        """Refuse when a query matching literal constants may meet odd literals (``None``: any predicate).

        rdflib matches literals by lexical form, Oxigraph by canonical form:
        they agree on the safe literals only.
        """
        odd = _odd("?kg_o", self.odd_graph)
        if predicates is None:
            query = f"ASK {{ ?kg_s ?kg_p ?kg_o . FILTER {odd} }}"
        elif predicates:
            values = " ".join(f"<{p}>" for p in sorted(predicates))
            query = f"ASK {{ VALUES ?kg_p {{ {values} }} ?kg_s ?kg_p ?kg_o . FILTER {odd} }}"
        else:
            return []
        if self.ask(query):
            raise UnsupportedData(f"{what} matches literals and the data has odd literals there")
        return []


def _values_of(focus: Callable[[str], str], path: URIRef, counter: int) -> Callable[[str], str]:
    """The values of ``path`` at the nodes ``focus`` binds, as a pattern binding a variable."""
    parent = f"?kg_p{counter}"

    def nested(var: str) -> str:
        inner = f"{focus(parent)} {parent} {_iri(path)} {parent}_v"
        return f"{{ SELECT DISTINCT ({parent}_v AS {var}) WHERE {{ {inner} }} }}"

    return nested


def _true(term) -> bool:
    return term is not None and term.value == "true"


def _generic(component: URIRef) -> str:
    return f"{component[len(str(SH)):]} failed"


def validate_store(store, shapes: CompiledShapes, *, default_graph=None, odd_graph: str | None = None,
                   view: View | None = None, threads: int | None = None) -> list[Result]:
    """Run compiled ``shapes`` over a ``pyoxigraph.Store``: the results, sorted (empty: conforms).

    ``default_graph`` is the data graph as ``Store.query`` takes it (default:
    the store's default graph; a list is their union); it must already hold the
    ontology, if any. ``view`` turns store terms into the rdflib terms pySHACL
    would see (default: same lexical forms); ``odd_graph`` names a graph whose
    objects are to be treated as odd literals (see :func:`load_rdflib`). The
    queries run on ``threads`` threads (Oxigraph evaluates without the GIL;
    default: the CPUs, at most 4).
    Raises :class:`Fallback` where pySHACL's answer cannot be promised.
    """
    run = _Run(store, default_graph, odd_graph, view or _plain_view)
    for shape in shapes.roots:
        run.shape(shape, run.targets(shape))
    if threads is None:
        import os

        threads = min(4, os.cpu_count() or 1)
    results = run.run(threads)
    return sorted(results, key=lambda r: tuple(_n3(t) if t is not None else "" for t in r))
