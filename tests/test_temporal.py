"""Event dates of sentences (kg.temporal): a table of time expressions written
for this purpose (tests/data/dates.jsonl, none taken from real articles):
formats, weekdays across month and year boundaries, relative expressions, the
choice between several expressions, and words that look like dates but are not.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from kg.records import EventDate
from kg.temporal import date_sentence, find_expressions, period_end, resolve

TABLE = [json.loads(line) for line in (Path(__file__).parent / "data" / "dates.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def test_the_table_is_large_and_covers_every_group():
    groups = Counter(item["group"] for item in TABLE)
    assert len(TABLE) >= 60
    assert groups["format"] >= 15 and groups["weekday"] >= 10 and groups["relative"] >= 10
    assert groups["nondate"] >= 10 and groups["choice"] >= 5
    # weekdays and relative expressions across month and year boundaries
    crossing = [i for i in TABLE if i["group"] in ("weekday", "relative") and i["date"] and i["published"]
                and i["date"][:7] != i["published"][:7]]
    assert len({i["date"][:4] != i["published"][:4] for i in crossing}) == 2


@pytest.mark.parametrize("item", TABLE, ids=[f"{i['group']}-{n}" for n, i in enumerate(TABLE)])
def test_date_resolution_table(item):
    found = date_sentence(item["text"], item["published"])
    if item["source"] is None:
        assert found is None
        return
    assert found is not None
    assert (found.date, found.precision, found.source) == (item["date"], item["precision"], item["source"])
    if found.source == "inherited":
        assert found.expression is None
    else:
        assert found.expression and found.expression in " ".join(item["text"].split())


def test_non_dates_find_no_expression():
    for item in TABLE:
        if item["group"] == "nondate":
            assert not [e for e in find_expressions(item["text"]) if not e.bound and not e.attributive], item["text"]


@pytest.mark.parametrize("weekday, name", list(enumerate(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])))
def test_a_weekday_is_the_last_such_day_on_or_before_publication(weekday, name):
    for offset in range(21):  # three weeks of publication days, across 2019-12-31/2020-01-01
        published = date(2019, 12, 20) + timedelta(days=offset)
        found = date_sentence(f"The army shelled the town on {name}.", published.isoformat())
        got = date.fromisoformat(found.date)
        assert got.weekday() == weekday and 0 <= (published - got).days <= 6
        last = date_sentence(f"The army shelled the town last {name}.", published.isoformat())
        assert 1 <= (published - date.fromisoformat(last.date)).days <= 7


def test_nothing_takes_the_clock():
    """Without a publication date only explicit dates with a year resolve."""
    for item in TABLE:
        found = date_sentence(item["text"], None)
        for expr in find_expressions(item["text"]):
            if expr.kind in ("weekday", "relative", "month-day", "month"):
                assert resolve(expr, None) is None
        if found is not None:
            assert found.source in ("stated", "unresolved")
            assert (found.date is None) == (found.source == "unresolved")


def test_html_markup_in_a_sentence_is_not_read():
    assert date_sentence("Troops left on <b>Sunday</b>.", "2017-10-18") == EventDate(
        "2017-10-15", "day", "stated", "Sunday")


def test_period_ends():
    assert period_end("2020-02-01", "month") == "2020-02-29"
    assert period_end("2019-12-30", "week") == "2020-01-05"
    assert period_end("2017-10-15", "day") == "2017-10-15"
