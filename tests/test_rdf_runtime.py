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
