"""One RDF runtime (issue 17 point 1): pyoxigraph is called only from the store subpackage (kg/store/).

Everything else builds triples with rdflib terms and reaches Oxigraph through
kg.store (the persistent store, scratch stores, terms, the writers). The scan
reads every module of kg with ``ast``: imports anywhere in a module (at the
top, in functions, in ``try`` blocks) and ``importlib.import_module`` /
``__import__`` of the name count; docstrings (examples for users) do not.
"""
from __future__ import annotations

import ast
from pathlib import Path

KG_DIR = Path(__file__).resolve().parents[1] / "kg"
STORE_DIR = KG_DIR / "store"


def pyoxigraph_imports(source: str) -> list[int]:
    """Line numbers where ``source`` imports pyoxigraph."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if not node.level else []
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names = [str(node.args[0].value)]
        else:
            continue
        if any(name == "pyoxigraph" or name.startswith("pyoxigraph.") for name in names):
            found.append(node.lineno)
    return found


def test_the_scan_finds_every_kind_of_import():
    source = ("import os\nimport pyoxigraph as ox\nfrom pyoxigraph import Store\n"
              "def f():\n    try:\n        import pyoxigraph.x\n    except ImportError:\n        pass\n"
              "def g():\n    return importlib.import_module('pyoxigraph')\n"
              "def h():\n    '''>>> import pyoxigraph'''\n    from .pyoxigraph import y\n")
    assert pyoxigraph_imports(source) == [2, 3, 6, 10]


def test_pyoxigraph_is_imported_only_in_the_store_subpackage():
    offenders = []
    inside = 0
    for path in sorted(KG_DIR.rglob("*.py")):
        lines = pyoxigraph_imports(path.read_text(encoding="utf-8"))
        if path.is_relative_to(STORE_DIR):
            inside += len(lines)
            continue
        offenders += [f"{path.relative_to(KG_DIR.parent)}:{line}" for line in lines]
    assert not offenders, "pyoxigraph is called through kg.store (kg/store/):\n" + "\n".join(offenders)
    assert inside > 5  # the store subpackage does use it: the scan reads the right files


#: rdflib's names (and media types) of its writers of Turtle, N-Triples, N-Quads and TriG (and N3,
#: which is Turtle to most readers): kg writes those with Oxigraph's writers, kg/store/serialize.py.
ONE_WRITER_FORMATS = frozenset({
    "turtle", "ttl", "turtle2", "longturtle", "n3", "text/n3", "text/turtle", "application/x-turtle",
    "nt", "nt11", "ntriples", "n-triples", "application/n-triples",
    "nquads", "nq", "n-quads", "application/n-quads", "trig", "application/trig",
})


def _is_pyoxigraph_format(node: ast.AST) -> bool:
    """``ox.RdfFormat.TURTLE``, ``ox.QueryResultsFormat.JSON``: a format of pyoxigraph's writers."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == "ox"


def second_writers(source: str) -> list[int]:
    """Line numbers of ``.serialize(`` calls of ``source`` that may be rdflib writing one of
    :data:`ONE_WRITER_FORMATS`: a constant format among them, no format (rdflib's default is
    Turtle), or a format the scan cannot read (a variable) that is not one of pyoxigraph's."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "serialize"):
            continue
        fmt = next((k.value for k in node.keywords if k.arg == "format"), None)
        if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str):
            if fmt.value.lower() in ONE_WRITER_FORMATS:
                found.append(node.lineno)
        elif fmt is None or not _is_pyoxigraph_format(fmt):
            found.append(node.lineno)
    return found


def test_the_writer_scan_finds_rdflib_writing_the_four_syntaxes():
    source = ('g.serialize(format="turtle")\ng.serialize()\ng.serialize(format=fmt)\n'
              'g.serialize(format="json-ld", context={})\nox.serialize(t, format=ox.RdfFormat.TRIG)\n'
              'copy.serialize(destination="x", format="nt")\nanswer.serialize(format=ox.QueryResultsFormat.JSON)\n'
              'g.serialize(format="xml")\n')
    assert second_writers(source) == [1, 2, 3, 6]


def test_rdflib_never_writes_turtle_ntriples_nquads_or_trig():
    """One writer of those syntaxes (Oxigraph's, in kg/store/serialize.py); rdflib writes JSON-LD and
    RDF/XML only (pyoxigraph's JSON-LD writer does not compact with a context)."""
    offenders, rdflib_writers = [], 0
    for path in sorted(KG_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(KG_DIR.parent)}:{line}" for line in second_writers(source)]
        rdflib_writers += source.count('.serialize(format="json-ld"')
    assert not offenders, ("Turtle, N-Triples, N-Quads and TriG are written by kg.store.serialize "
                           "(Oxigraph's writers), not by rdflib:\n" + "\n".join(offenders))
    assert rdflib_writers >= 1  # JSON-LD is rdflib's: the scan reads the files that call serialize
