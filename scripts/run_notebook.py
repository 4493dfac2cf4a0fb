"""Run notebooks/walkthrough.ipynb and save it with its outputs, so that it reads on a code host.

    .venv/bin/python scripts/run_notebook.py

Needs the notebook extra (`.venv/bin/pip install -e '.[notebook]'`). The seeds are
built into output/ (as the README's first command does); the notebook is executed
from notebooks/ in the `python3` kernel and written back in place.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def main() -> int:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    nbformat.validate(nb)
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(ROOT)} with its outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
