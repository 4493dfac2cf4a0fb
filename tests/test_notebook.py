"""The walkthrough notebook: committed with its outputs (plots included), and it runs.

The slow test executes ``notebooks/walkthrough.ipynb`` with nbclient in the
``python3`` kernel of this interpreter (ipykernel in the venv provides it),
with the output folder in a temporary directory, then looks for expected
results in the outputs of the tagged cells. The file on disk is never
rewritten here; ``scripts/run_notebook.py`` runs it and saves the outputs.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def _read():
    import nbformat  # not at collection: it imports jsonschema, which builds an RFC 3987 parser (1 s) in each worker

    return nbformat.read(NOTEBOOK, as_version=4)


def _text(cell) -> str:
    """Everything a cell printed or displayed, as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            for mime in ("text/plain", "text/markdown", "text/html"):
                if mime in output.data:
                    parts.append(output.data[mime])
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
    return "\n".join(parts)


PLOTS = ("plot-evidence-by-month", "plot-degree-by-type")


def _images(cell) -> list[str]:
    return [o.data["image/png"] for o in cell.get("outputs", [])
            if o.output_type in ("display_data", "execute_result") and "image/png" in o.data]


def test_notebook_is_committed_with_its_outputs_and_plots():
    """It reads on a code host: every code cell ran, in order, without an error, and the
    plots are there as images."""
    import base64

    import nbformat

    nb = _read()
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "the walkthrough has no code cell"
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), "run it top to bottom: scripts/run_notebook.py"
    for cell in code:
        assert cell.outputs, f"cell {cell.get('id')} has no output: scripts/run_notebook.py saves them"
        assert not [o for o in cell.outputs if o.output_type == "error"], _text(cell)
    by_tag = {tag: cell for cell in code for tag in cell.metadata.get("tags", [])}
    for tag in PLOTS:
        (image,) = _images(by_tag[tag])
        assert base64.b64decode(image).startswith(b"\x89PNG"), tag
    assert "5 documents" in _text(by_tag["build"])
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_the_notebook_extra_holds_what_it_imports():
    """pyproject's `notebook` extra has Jupyter, pandas and matplotlib, and the README gives
    the one command that installs it."""
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["notebook"]
    names = {re.split(r"[<>=\[ ;]", item, maxsplit=1)[0].lower() for item in extra}
    assert {"notebook", "ipykernel", "pandas", "matplotlib"} <= names
    source = "\n".join(cell.source for cell in _read().cells if cell.cell_type == "code")
    for module in ("pandas", "matplotlib", "IPython"):
        assert f"import {module}" in source or f"from {module}" in source, module
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[notebook]'" in readme
    assert "jupyter notebook notebooks/walkthrough.ipynb" in readme


def test_notebook_uses_the_library_not_the_shell():
    source = "\n".join(cell.source for cell in _read().cells if cell.cell_type == "code")
    assert "kg.build(" in source
    for shell in ("!kg", "%%bash", "%%sh", "subprocess", "os.system"):
        assert shell not in source, f"the walkthrough should use the library API, not {shell!r}"
    tags = {tag for cell in _read().cells for tag in cell.metadata.get("tags", [])}
    assert {"build", "evidence", "named-queries", "graph", "degree", "dealt-with-isis", "isis-moves"} <= tags


def test_python3_kernel_is_this_interpreter():
    """nbclient finds a ``python3`` kernel spec that runs this venv's Python."""
    script = (
        "import json, sys\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "from jupyter_client.manager import KernelManager\n"
        "spec = KernelSpecManager().get_kernel_spec('python3')\n"
        "km = KernelManager(kernel_name='python3')\n"
        "cmd = km.format_kernel_cmd() if hasattr(km, 'format_kernel_cmd') else spec.argv\n"
        "print(json.dumps({'argv': spec.argv, 'cmd': cmd, 'exe': sys.executable}))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=120, cwd="/")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["cmd"][0] == info["exe"] or info["argv"][0] == sys.executable, info
    assert "ipykernel" in " ".join(info["argv"]), info


@pytest.mark.slow
def test_walkthrough_runs_and_shows_the_results(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("KG_ROOT", str(ROOT))
    monkeypatch.setenv("KG_NOTEBOOK_OUT", str(tmp_path / "output"))
    nb = _read()
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], _text(cell)
            assert cell.execution_count is not None
    by_tag = {tag: _text(cell) for cell in nb.cells for tag in cell.metadata.get("tags", [])}

    assert "5 documents" in by_tag["build"]
    assert (tmp_path / "output" / "graph.ttl").is_file()
    assert (tmp_path / "output" / "store").is_dir()
    # triples with their sentence, document, modality
    evidence = by_tag["evidence"]
    for column in ("subject", "relation", "object", "sentence", "document", "modality", "speaker"):
        assert column in evidence
    assert "truce with the Islamic State" in by_tag["truce"]
    # every named query ran
    from kg.query import query_names

    for name in query_names():
        assert name in by_tag["named-queries"], name
    assert "Hezbollah" in by_tag["param-query"]
    # the pyvis page, inline and offline
    graph = by_tag["graph"]
    assert "<iframe" in graph and "srcdoc=" in graph
    assert "http://" not in graph.split("srcdoc=", 1)[0]
    assert "vis-network" in graph or "vis.Network" in graph or "new vis." in graph
    # networkx analysis
    assert "Islamic State" in by_tag["degree"]
    dealt = by_tag["dealt-with-isis"]
    for partner in ("Syrian Democratic Forces", "France", "Hezbollah", "Syrian government"):
        assert partner in dealt, partner
    plots = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    for tag in PLOTS:
        assert len(_images(plots[tag])) == 1, tag
    assert "ArmedGroup" in by_tag["plot-degree-by-type"] and "stated" in by_tag["plot-evidence-by-month"]
    moves = by_tag["isis-moves"]
    for place in ("Raqqa", "Hasaka", "Damascus"):
        assert place in moves, place
    assert "→" in moves
