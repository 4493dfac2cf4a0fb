"""The page's assets are package files (kg/static/), checked as what they are.

``node --check`` parses every script of kg/static (Node.js comes with
scripts/setup.sh), and no Python string but a docstring is longer than 60
lines (a page, a script or a style sheet belongs in a file).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest
from astscan import docstring_ids

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
SCRIPTS = sorted((PACKAGE / "static").glob("*.js"))
NODE = shutil.which("node")

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (scripts/setup.sh installs it)")


def node_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, timeout=60)


@needs_node
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_scripts_parse(script):
    checked = node_check(script)
    assert checked.returncode == 0, checked.stderr


@needs_node
def test_node_check_rejects_a_syntax_error(tmp_path):
    assert len(SCRIPTS) >= 2
    broken = tmp_path / "broken.js"
    broken.write_text(SCRIPTS[0].read_text(encoding="utf-8") + "\nfunction (\n", encoding="utf-8")
    checked = node_check(broken)
    assert checked.returncode != 0 and "SyntaxError" in checked.stderr



def test_no_python_string_but_a_docstring_is_longer_than_60_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = docstring_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                lines = node.value.count("\n") + 1
                if lines > 60:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} ({lines} lines)")
    assert not long, long
