"""tests/data/schedule.json, how pytest-xdist hands out the test files (tests/conftest.py), names
test files that exist, each once."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_schedule_names_each_test_file_that_exists_once():
    plan = json.loads((ROOT / "tests" / "data" / "schedule.json").read_text(encoding="utf-8"))
    assert isinstance(plan["workers_per_cpu"], (int, float)) and 0.5 <= plan["workers_per_cpu"] <= 4
    together = [name for group in plan["together"] for name in group]
    assert all(len(group) >= 2 for group in plan["together"])
    assert len(together) == len(set(together)) and len(plan["first"]) == len(set(plan["first"]))
    missing = [name for name in together + plan["first"] if not (ROOT / name).is_file()]
    assert not missing, f"schedule.json names test files that do not exist: {missing}"
    # a group is one unit, known by its first file: the others' places in "first" would mean nothing
    assert not {name for group in plan["together"] for name in group[1:]} & set(plan["first"])
