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
    """``ox.RdfFormat.TURTLE``, ``ox.QueryResultsFormat.JSON``, ``getattr(ox.QueryResultsFormat, name)``:
    a format of pyoxigraph's writers."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and node.args:
        node = node.args[0]
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
              'g.serialize(format="xml")\nr.serialize(format=getattr(ox.QueryResultsFormat, n))\n'
              'g.serialize(format=getattr(formats, n))\n')
    assert second_writers(source) == [1, 2, 3, 6, 10]


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


#: The JSON results' term types (SPARQL 1.1 Query Results JSON Format).
_JSON_TERM_TYPES = frozenset({"uri", "bnode", "literal", "triple"})


def hand_writers(source: str) -> list[tuple[int, str]]:
    """Where ``source`` writes RDF or SPARQL results text itself: an f-string ending in `` .`` and a
    line break with a value in it (an N-Triples or N-Quads line), the SPARQL XML results namespace,
    a dict of SPARQL JSON results (a ``head`` key, or a ``type`` of ``uri``/``bnode``/``literal``),
    a ``"\\t".join`` (a TSV row), or a ``csv.writer`` in a module that handles query ``Result`` s."""
    tree = ast.parse(source)
    handles_results = any(isinstance(node, ast.ImportFrom) and any(a.name == "Result" for a in node.names)
                          for node in ast.walk(tree))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            tail = node.values[-1]
            if (isinstance(tail, ast.Constant) and isinstance(tail.value, str) and tail.value.endswith(" .\n")
                    and any(isinstance(v, ast.FormattedValue) for v in node.values)):
                found.append((node.lineno, "N-Triples line"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "sparql-results#" in node.value:
            found.append((node.lineno, "SPARQL XML results"))
        elif isinstance(node, ast.Dict):
            pairs = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
            kind = pairs.get("type")
            if "head" in pairs or (isinstance(kind, ast.Constant) and kind.value in _JSON_TERM_TYPES):
                found.append((node.lineno, "SPARQL JSON results"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
              and isinstance(node.func.value, ast.Constant) and node.func.value.value == "\t"):
            found.append((node.lineno, "TSV row"))
        elif (handles_results and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "csv" and node.attr in ("writer", "DictWriter")):
            found.append((node.lineno, "CSV of results"))
    return sorted(found)


def test_the_hand_writer_scan_finds_what_kg_once_wrote_itself():
    """Snippets of main 925f444's kg/results.py and kg/shacl/loading.py (the scan of that tree
    names both files), and what it must let through."""
    source = ('from kg.sparql import PREFIXES, Result\n'
              'line = f"{ts} {tp} {to} .\\n"\n'
              'head = \'<sparql xmlns="http://www.w3.org/2005/sparql-results#">\'\n'
              'x = {"head": {"vars": columns}, "results": {"bindings": bindings}}\n'
              'y = {"type": "uri", "value": str(term)}\n'
              'z = "\\t".join(f"?{c}" for c in columns)\n'
              'w = csv.writer(out, lineterminator="\\r\\n")\n'
              'ok = f"?this {p} ?v ."\n'
              'job = {"query": q, "bindings": {}}\n')
    assert [line for line, _ in hand_writers(source)] == [2, 3, 4, 5, 6, 7]
    assert hand_writers("import csv\nw = csv.writer(out)\n") == []  # CSV that is not query results (Neo4j)


def test_no_module_outside_the_store_writes_rdf_or_sparql_results_itself():
    """N-Triples, N-Quads, Turtle, TriG and the SPARQL results formats are written by kg.store.serialize
    (Oxigraph's writers); everything else hands it terms."""
    offenders, inside = [], 0
    for path in sorted(KG_DIR.rglob("*.py")):
        found = hand_writers(path.read_text(encoding="utf-8"))
        if path.is_relative_to(STORE_DIR):
            inside += len(found)
            continue
        offenders += [f"{path.relative_to(KG_DIR.parent)}:{line}: {what}" for line, what in found]
    assert not offenders, "write RDF and SPARQL results through kg.store.serialize:\n" + "\n".join(offenders)
    assert inside >= 1  # the store turns N-Triples into N-Quads lines itself: the scan reads the right files
