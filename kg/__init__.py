"""kg: knowledge graphs of who dealt with whom, and where, from conflict news.

The library API (the ``kg`` command is a thin layer over it): :func:`build`,
:func:`remove`, :func:`query` and :func:`extract`; :func:`graph` and
:func:`dataset` give a build to rdflib users. ``import kg`` is cheap: spaCy,
rdflib and Oxigraph are loaded by the first call that needs them.

>>> import kg
>>> all(callable(f) for f in (kg.build, kg.remove, kg.query, kg.extract))
True
"""
from __future__ import annotations

import sys
import types

__version__ = "0.1.0"


class _Package(types.ModuleType):
    """The ``kg`` package, whose functions ``query`` and ``extract`` share their names with the modules
    :mod:`kg.query` and :mod:`kg.extract`.

    Importing a submodule binds it as an attribute of its package; here the
    function keeps the name (``import kg.query`` still loads the module, which
    is ``sys.modules["kg.query"]``; ``from kg.query import run_query`` works as ever).
    """

    def __setattr__(self, name: str, value) -> None:
        if name in ("query", "extract") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def build(inputs, out, **options):
    """Build ``out/graph.ttl``, ``out/graph.html`` and ``out/store`` from files and folders, adding to what
    ``out`` holds.

    See :func:`kg.pipeline.build` for the options (``prune=True`` makes the
    graph mirror ``inputs``, ``jobs``, ``engine``, ``html``); returns a :class:`kg.pipeline.BuildReport`.

    >>> import kg, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "truce.txt").write_text("The SDF agreed a truce with ISIS, the Syrian Observatory said.\\n")
    >>> report = kg.build([folder / "truce.txt"], folder / "out")
    >>> report.added, report.in_graph, (folder / "out" / "graph.ttl").is_file()
    (1, 1, True)
    """
    from kg.pipeline import build as _build

    return _build(inputs, out, **options)


def remove(names, out, **options):
    """Take documents (ids or paths) out of the graph in ``out``; see :func:`kg.pipeline.remove`."""
    from kg.pipeline import remove as _remove

    return _remove(names, out, **options)


def query(out, query, *, params=None, timeout=None, max_rows=None):
    """Run a named query of ``kg/queries`` (``kg query --list``) or SPARQL text on the store of a build.

    ``out`` is the build folder (or its ``store``); ``params`` are the named
    query's parameters (``{"actor": "Daesh"}``: any name of the entity).
    Returns a :class:`kg.query.Result`: ``columns`` and ``rows`` of rdflib terms.

    >>> import kg, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "truce.txt").write_text("The SDF agreed a truce with ISIS, the Syrian Observatory said.\\n")
    >>> _ = kg.build([folder / "truce.txt"], folder / "out")
    >>> result = kg.query(folder / "out", "who-dealt-with-whom", params={"actor": "Daesh"})
    >>> [(str(row[1]), str(row[2]).rsplit("#")[1], str(row[4])) for row in result.rows]
    [('Islamic State', 'truce_with', 'Syrian Democratic Forces')]
    >>> result = kg.query(folder / "out", "SELECT ?name WHERE { ?e a kgo:ArmedGroup ; rdfs:label ?name } ORDER BY ?name")
    >>> [str(name) for name, in result.rows]
    ['Islamic State', 'Syrian Democratic Forces']
    """
    from kg.api import query as _query

    return _query(out, query, params=params, timeout=timeout, max_rows=max_rows)


def extract(text, *, date=None, doc_id="text", model=None):
    """The claims, with their evidence, that kg reads in one article given as text (nothing is written).

    Returns a frozen :class:`kg.api.Extraction`: ``claims`` (each an
    :class:`kg.api.ExtractedClaim`: entity ids and labels, relation, and its
    :class:`kg.api.Evidence`: sentence, offsets into ``text``, modality,
    speaker), ``agreements`` and the ``entities`` they name.

    >>> import kg
    >>> result = kg.extract("The SDF agreed a truce with ISIS, the Syrian Observatory said. "
    ...                     "Russian jets struck rebels in Idlib.")
    >>> result.triples()
    [('sdf', 'truce_with', 'isis'), ('russia', 'attacked', 'syrian_rebels')]
    >>> claim = result.claims[0]
    >>> claim.subject_label, claim.evidence.modality, claim.evidence.speaker
    ('Syrian Democratic Forces', 'reported', 'sohr')
    >>> claim.evidence.text, claim.evidence.start, claim.evidence.end
    ('The SDF agreed a truce with ISIS, the Syrian Observatory said.', 0, 62)
    >>> [(a.kind, a.parties) for a in result.agreements]
    [('truce', ('sdf', 'isis'))]
    """
    from kg.api import extract as _extract

    return _extract(text, date=date, doc_id=doc_id, model=model)


def graph(out):
    """The graph of the build in ``out`` as an rdflib ``Graph``: the union of the documents' graphs with
    the derived triples, what ``graph.ttl`` holds, read where it is in the store through oxrdflib.

    Read-only; the store stays open (a build into ``out`` waits) until ``close()`` or until the graph
    is collected. :func:`dataset` gives the named graph of each document too.

    >>> import kg, tempfile, pathlib
    >>> from rdflib import RDFS, URIRef
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "truce.txt").write_text("The SDF agreed a truce with ISIS, the Syrian Observatory said.\\n")
    >>> _ = kg.build([folder / "truce.txt"], folder / "out", html=False)
    >>> g = kg.graph(folder / "out")
    >>> str(g.value(URIRef("https://w3id.org/kg-conflict/id/entity/isis"), RDFS.label))
    'Islamic State'
    >>> sorted(str(name) for name, in g.query("SELECT ?n WHERE { ?e a kgo:ArmedGroup ; rdfs:label ?n }"))
    ['Islamic State', 'Syrian Democratic Forces']
    >>> g.close()
    """
    from kg.api import dataset as _dataset

    return _dataset(out, union=True)


def dataset(out):
    """The store of the build in ``out`` as an rdflib ``Dataset``: one named graph per document
    (``kgr:graph/<doc id>``) and their union, with the derived triples, as its default graph; read-only,
    through oxrdflib (nothing is copied; the store stays open until ``close()``).

    >>> import kg, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "truce.txt").write_text("The SDF agreed a truce with ISIS, the Syrian Observatory said.\\n")
    >>> _ = kg.build([folder / "truce.txt"], folder / "out", html=False)
    >>> ds = kg.dataset(folder / "out")
    >>> [str(g.identifier) for g in ds.graphs() if "/graph/" in str(g.identifier)]
    ['https://w3id.org/kg-conflict/id/graph/truce']
    >>> len(ds.graph("https://w3id.org/kg-conflict/id/graph/truce")) < len(ds.default_graph)
    True
    >>> ds.close()
    """
    from kg.api import dataset as _dataset

    return _dataset(out)


__all__ = ["build", "dataset", "extract", "graph", "query", "remove", "__version__"]
