"""docs/architecture.md names only modules and files that exist, and names every module of kg."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def named_paths(text: str) -> set[str]:
    """Paths in backticks: `kg/...`, `ontology/...`, `tests/...`, `seeds/...`."""
    return set(re.findall(r"`((?:kg|ontology|tests|seeds|docs)/[^`\s]+)`", text))


def test_every_module_and_file_named_exists():
    text = DOC.read_text(encoding="utf-8")
    named = named_paths(text)
    assert len(named) > 60
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"


def test_every_module_of_kg_is_in_the_map():
    text = DOC.read_text(encoding="utf-8")
    named = named_paths(text)
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "kg").rglob("*.py") if "shacl" not in p.parts}
    packages_named = {p for p in named if p.endswith("/__init__.py")}
    missing = sorted(m for m in modules - named if not (m.startswith("kg/diagnose/") and
                                                        "kg/diagnose/__init__.py" in packages_named))
    assert not missing, f"docs/architecture.md does not name: {missing}"
    assert "kg/shacl/__init__.py" in named


def test_a_missing_module_would_be_caught():
    assert named_paths("`kg/nowhere.py` and `kg/store.py`") == {"kg/nowhere.py", "kg/store.py"}
    assert not (ROOT / "kg/nowhere.py").exists()
