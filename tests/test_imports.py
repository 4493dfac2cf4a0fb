"""No import cycles between kg's modules, function-level imports counting.

Every module of the package is parsed with ``ast``; every ``import`` and
``from ... import`` in it (at the top, in functions, in ``try`` blocks) is an
edge to the kg module it names (``from kg import shacl`` names ``kg.shacl``;
``from kg.linking import LinkedDoc`` names ``kg.linking``). Importing a
submodule runs its packages' ``__init__`` too, but that edge goes down the
tree and is not counted (a package re-exporting its own modules is no cycle).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kg"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The kg modules that module ``name`` (file ``path``) imports anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            targets += [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                        for alias in node.names]
    found = set()
    for target in targets:
        while target and target not in known:  # kg.query.run_query -> kg.query
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_detector_finds_cycles_through_function_level_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (package / "c.py").write_text("def g():\n    try:\n        import pkg.a\n    except ImportError:\n        pass\n")
    (package / "d.py").write_text("from . import a\nfrom .b import f\n")
    known = {f"pkg.{p.stem}" if p.stem != "__init__" else "pkg": p for p in package.glob("*.py")}
    edges = {name: imports(name, path, known) for name, path in known.items()}
    assert edges["pkg.d"] == {"pkg.a", "pkg.b"}
    assert cycles(edges) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_no_import_cycles_between_kg_modules():
    edges = graph()
    assert len(edges) > 60 and edges["kg.store"] >= {"kg.store.terms", "kg.store.serialize", "kg.derived"}
    found = cycles(edges)
    assert not found, "import cycles: " + "; ".join(
        " <-> ".join(component) + " (" + ", ".join(f"{a} -> {b}" for a in component
                                                  for b in sorted(edges[a] & set(component))) + ")"
        for component in found)
