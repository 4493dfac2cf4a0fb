"""kg's time-expression grammar against dateparser: right answers and speed.

A script, not a test. kg dates evidence sentences with its own small grammar
(:mod:`kg.temporal`); the PyPI library ``dateparser`` (``search_dates``) is
the obvious alternative. This prints, for both, on the date table of
``tests/data/dates.jsonl`` (sentences written for the tests: formats,
weekdays, relative expressions, the choice between several expressions,
non-dates):

* **right**: the date found falls within the expected period (a day, the
  week, the month or the year), or nothing is found where the table expects
  no stated date; by group;
* **clock**: answers that came from the clock of this machine (a relative
  expression in a sentence without a publication date): each is wrong;
* **speed**: sentences a second over every sentence of the seeds and, when
  ``../shared`` is there, the dev-real texts (split at full stops), and the
  import time.

dateparser is not one of kg's dependencies: install it to compare
(``.venv/bin/pip install dateparser``).

::

    .venv/bin/python benchmarks/bench_dates.py
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = [json.loads(line) for line in (ROOT / "tests" / "data" / "dates.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def _sentences() -> list[str]:
    files = sorted((ROOT / "seeds").glob("*.txt"))
    files += sorted((ROOT.parent / "shared" / "eval" / "dev-real").glob("*/texts/*.txt"))
    out = []
    for path in files:
        for part in re.split(r"(?<=[.!?])\s+|\n+", path.read_text(encoding="utf-8")):
            if part.strip():
                out.append(part.strip())
    return out


def _import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def _kg(text: str, published: str | None) -> str | None:
    from kg.temporal import date_sentence

    found = date_sentence(text, published)
    return found.date if found is not None and found.source == "stated" else None


def _dateparser(text: str, published: str | None) -> str | None:
    from dateparser.search import search_dates

    settings = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}
    if published:
        settings["RELATIVE_BASE"] = datetime.fromisoformat(published)
    found = search_dates(text, languages=["en"], settings=settings)
    return found[0][1].date().isoformat() if found else None


def _right(item: dict, got: str | None) -> bool:
    from kg.temporal import period_end

    if item["source"] != "stated":
        return got is None
    return got is not None and item["date"] <= got <= period_end(item["date"], item["precision"])


def _uses_clock(item: dict, got: str | None) -> bool:
    return got is not None and item["published"] is None and item["source"] == "unresolved"


def main() -> None:
    try:
        import dateparser  # noqa: F401
        have_dateparser = True
    except ImportError:
        have_dateparser = False
    systems = [("kg.temporal", _kg)] + ([("dateparser", _dateparser)] if have_dateparser else [])
    groups = sorted({item["group"] for item in TABLE})
    sizes = Counter(item["group"] for item in TABLE)
    print(f"date table: {len(TABLE)} sentences ({', '.join(f'{g} {sizes[g]}' for g in groups)})")
    for name, run in systems:
        right, clock = Counter(), 0
        for item in TABLE:
            got = run(item["text"], item["published"])
            right[item["group"]] += _right(item, got)
            clock += _uses_clock(item, got)
        per_group = ", ".join(f"{g} {right[g]}/{sizes[g]}" for g in groups)
        print(f"  {name:12} right {sum(right.values())}/{len(TABLE)} ({per_group}); from the clock: {clock}")
    sentences = _sentences()
    print(f"speed: {len(sentences)} sentences of the seeds and dev-real")
    for name, run in systems:
        module = "kg.temporal" if name == "kg.temporal" else "dateparser.search"
        run(sentences[0], "2017-10-15")  # warm: data files, compiled patterns
        started = time.perf_counter()
        for sentence in sentences:
            run(sentence, "2017-10-15")
        seconds = time.perf_counter() - started
        print(f"  {name:12} {len(sentences) / seconds:10,.0f} sentences/s "
              f"({seconds * 1000 / len(sentences):.3f} ms each); import {_import_seconds(module):.2f} s")
    if not have_dateparser:
        print("dateparser is not installed: .venv/bin/pip install dateparser to compare")


if __name__ == "__main__":
    main()
