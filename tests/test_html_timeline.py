"""The page's timeline, evidence dates and agreements list: the data the page
gets (kg.html_time) and, marked ``browser``, the page in headless Chromium,
on a hand-written dated graph (tests/data/html/timeline.ttl)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib

from kg.html import render_html

GRAPH = Path(__file__).parent / "data" / "html" / "timeline.ttl"
ENT = "https://w3id.org/kg-conflict/id/entity/"
BLOB = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def timeline_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("timeline") / "graph.html"
    render_html(rdflib.Graph().parse(GRAPH, format="turtle"), out)
    return out


@pytest.fixture(scope="module")
def blob(timeline_html) -> dict:
    return json.loads(BLOB.search(timeline_html.read_text(encoding="utf-8")).group(1))


def _edge(blob: dict, subject: str, relation: str, obj: str) -> str:
    (found,) = [i for i, r in blob["relations"].items()
                if (r["from"], r["relation"], r["to"]) in ((ENT + subject, relation, ENT + obj),
                                                           (ENT + obj, relation, ENT + subject))]
    return found


def test_histogram_counts_each_dated_sentence_by_month(blob):
    tl = blob["timeline"]
    assert tl["months"][0] == "2014-01" and tl["months"][-1] == "2018-02" and len(tl["months"]) == 50
    by_month = {m: (s, i) for m, s, i in zip(tl["months"], tl["stated"], tl["inherited"])}
    assert by_month["2017-10"] == (2, 1) and by_month["2017-06"] == (1, 0)
    assert by_month["2018-02"] == (1, 0) and by_month["2014-01"] == (1, 0)
    assert sum(tl["stated"]) + sum(tl["inherited"]) == 6
    assert tl["undated"] == 2  # one unresolved, one never dated


def test_evidence_carries_its_date_and_period(blob):
    truce = blob["relations"][_edge(blob, "isis", "truce_with", "sdf")]["evidence"]
    assert [(e["when"], e["until"], e["precision"], e["dated"], e["expr"]) for e in truce] == [
        ("2017-06-01", "2017-06-30", "month", "stated", "in June"),
        ("2017-10-18", "2017-10-18", "day", "inherited", None)]
    week = blob["relations"][_edge(blob, "isis", "withdrew_from", "raqqa")]["evidence"][0]
    assert (week["when"], week["until"], week["precision"]) == ("2017-10-09", "2017-10-15", "week")
    backs = blob["relations"][_edge(blob, "united_states", "backs", "sdf")]["evidence"][0]
    assert (backs["when"], backs["dated"], backs["expr"]) == (None, "unresolved", "Friday")


def test_agreements_are_listed_in_date_order_with_their_edges(blob):
    items = blob["agreements"]
    assert [(a["kind"], a["when"], a["precision"]) for a in items] == [
        ("truce", "2017-06-01", "month"), ("evacuation", "2017-10-09", "week"), ("deal", None, None)]
    truce = items[0]
    assert (truce["parties"], truce["brokers"], truce["places"]) == (
        [ENT + "isis", ENT + "sdf"], [ENT + "united_states"], [ENT + "hasaka"])
    assert truce["names"][ENT + "united_states"] == "United States"
    assert truce["edges"] == [_edge(blob, "isis", "truce_with", "sdf")]  # rests on its sentence
    assert items[2]["edges"] == [_edge(blob, "isis", "deal_with", "syrian_gov")]
    assert items[0]["text"] == "The SDF and ISIS agreed a truce in June."


# ---------------------------------------------------------------- browser


def _open(seen, html: Path):
    page = seen.page
    page.goto(html.as_uri())
    page.wait_for_function("() => window.kgReady === true", timeout=60_000)
    return page


def _hidden(page) -> dict[str, bool]:
    return page.evaluate("""() => {
        const out = {};
        kgEdges.get().forEach(e => { const r = kgRelations[e.id];
            out[r.from.split('/').pop() + ' ' + r.relation + ' ' + r.to.split('/').pop()] = !!e.hidden; });
        return out;
    }""")


def _slide(page, selector: str, index: int) -> None:
    page.evaluate("([s, i]) => { const b = document.querySelector(s); b.value = String(i);"
                  " b.dispatchEvent(new Event('input', {bubbles: true})); }", [selector, index])


@pytest.mark.browser
def test_timeline_filters_edges_nodes_and_the_evidence_panel(browser_page, timeline_html, blob):
    page = _open(browser_page, timeline_html)
    bars = page.locator("#kg-timeline .kg-tl-bar")
    assert bars.count() == 50
    assert sum(int(c) for c in bars.evaluate_all("bs => bs.map(b => b.dataset.count)")) == 6
    assert "2 undated sentences" in page.locator("#kg-timeline").inner_text()
    assert not any(_hidden(page).values())
    october = blob["timeline"]["months"].index("2017-10")
    _slide(page, "#kg-tl-from", october)
    _slide(page, "#kg-tl-to", october)
    assert page.locator("#kg-timeline .kg-tl-range").inner_text() == "Oct 2017"
    assert _hidden(page) == {
        "sdf captured raqqa": False,
        "isis withdrew_from raqqa": False,  # the week of 9-15 October
        "isis truce_with sdf": False,  # its inherited 18 October date; not its June one
        "syrian_gov captured tabqa": True,
        "isis controls tabqa": True,
        "united_states backs sdf": True,  # undated (unresolved): only with all dates
        "isis deal_with syrian_gov": True,
    }
    nodes = page.evaluate("() => Object.fromEntries(kgNodes.get().map(n => [n.id.split('/').pop(), !!n.hidden]))")
    assert nodes == {"isis": False, "sdf": False, "raqqa": False, "tabqa": True, "syrian_gov": True,
                     "united_states": True, "hasaka": True}
    assert page.locator("#kg-status").inner_text() == "Showing 3 of 7 entities, 3 of 7 relations"
    # the evidence panel: the sentence outside the range is dimmed, each shows its date and precision
    page.evaluate("id => kgSelectEdge(id)", _edge(blob, "isis", "truce_with", "sdf"))
    items = page.locator("#kg-panel .kg-evidence li")
    assert items.count() == 2
    assert items.nth(0).get_attribute("class") == "kg-dim"
    assert "when: 2017-06 (month, \u201cin June\u201d)" in items.nth(0).inner_text()
    assert items.nth(1).get_attribute("class") is None
    assert "when: 2017-10-18 (day, the document's date)" in items.nth(1).inner_text()
    # a year overlaps: June 2014 keeps the 2014 evidence, and the open panel follows the range
    june_2014 = blob["timeline"]["months"].index("2014-06")
    _slide(page, "#kg-tl-from", june_2014)
    _slide(page, "#kg-tl-to", june_2014)
    assert [k for k, hidden in _hidden(page).items() if not hidden] == ["isis controls tabqa"]
    assert page.locator("#kg-panel .kg-evidence li.kg-dim").count() == 2
    # with the keyboard: the "to" slider to its first month, then everything back
    page.focus("#kg-tl-to")
    page.keyboard.press("Home")
    page.focus("#kg-tl-from")
    page.keyboard.press("Home")
    assert page.locator("#kg-timeline .kg-tl-range").inner_text() == "Jan 2014"
    assert [k for k, hidden in _hidden(page).items() if not hidden] == ["isis controls tabqa"]
    page.click("#kg-timeline .kg-tl-reset")
    assert not any(_hidden(page).values())
    assert page.evaluate("kgDateRange()") is None
    assert browser_page.errors == []


@pytest.mark.browser
def test_agreements_list_selects_parties_and_edges(browser_page, timeline_html, blob):
    page = _open(browser_page, timeline_html)
    buttons = page.locator("#kg-agreements button.kg-agreement")
    assert buttons.count() == 3
    first = buttons.nth(0).inner_text()
    assert "2017-06" not in first and "Jun 2017" in first and "truce" in first
    assert "broker: United States" in first and "Hasaka" in first
    assert "undated" in buttons.nth(2).inner_text()
    buttons.nth(0).click()
    selection = page.evaluate("() => ({nodes: kgNetwork.getSelectedNodes().sort(),"
                              " edges: kgNetwork.getSelectedEdges()})")
    assert selection == {"nodes": [ENT + "isis", ENT + "sdf", ENT + "united_states"],
                         "edges": [_edge(blob, "isis", "truce_with", "sdf")]}
    panel = page.locator("#kg-panel").inner_text()
    for text in ("Agreement \u00b7 truce".upper(), "Parties", "Syrian Democratic Forces", "Broker", "United States",
                 "Place", "Hasaka", "Jun 2017 (month, stated)", "The SDF and ISIS agreed a truce in June."):
        assert text in panel, text
    # the timeline hides the agreements outside the range
    october = blob["timeline"]["months"].index("2017-10")
    _slide(page, "#kg-tl-from", october)
    _slide(page, "#kg-tl-to", october)
    visible = [b.inner_text() for b in buttons.all() if b.is_visible()]
    assert len(visible) == 1 and "evacuation" in visible[0]
    assert browser_page.errors == []
