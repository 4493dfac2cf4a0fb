"""The HTML view: RDF -> networkx conversion, the page's safety, and (marked
``browser``) the page itself in headless Chromium."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from kg.errors import OutputError
from kg.html import graph_to_networkx, render_html

SMALL = Path(__file__).parent / "data" / "html" / "small.ttl"
ENT = "https://w3id.org/kg-conflict/id/entity/"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>window.pwned=1</script>"
BLOB = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def small_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SMALL, format="turtle")


@pytest.fixture(scope="module")
def small_html(tmp_path_factory, small_graph) -> Path:
    out = tmp_path_factory.mktemp("html") / "graph.html"
    render_html(small_graph, out)
    return out


def blob_of(html: str) -> str:
    match = BLOB.search(html)
    assert match, "no kg-data JSON blob in the page"
    return match.group(1)


# ---------------------------------------------------------------- networkx


def test_nodes_carry_label_aliases_types_and_coordinates(small_graph):
    nxg = graph_to_networkx(small_graph)
    assert sorted(nxg.nodes) == sorted(ENT + n for n in (
        "coalition", "isis", "raqqa", "sdf", "sohr", "syria", "united_states"))
    isis = nxg.nodes[ENT + "isis"]
    assert isis["label"] == "Islamic State"
    assert isis["aliases"] == ["Daesh", "ISIS"]
    assert isis["types"] == ["ArmedGroup"]
    assert isis["lat"] is None and isis["long"] is None
    raqqa = nxg.nodes[ENT + "raqqa"]
    assert (raqqa["types"], raqqa["lat"], raqqa["long"]) == (["Place"], 35.95, 39.01)
    assert nxg.nodes[ENT + "syria"]["types"] == ["State", "Place"]


def test_one_edge_per_triple_and_symmetric_directions_merge(small_graph):
    nxg = graph_to_networkx(small_graph)
    edges = sorted((u[len(ENT):], k, v[len(ENT):]) for u, v, k in nxg.edges(keys=True))
    assert edges == [
        ("coalition", "attacked", "isis"),
        ("isis", "truce_with", "sdf"),  # asserted both ways, one edge
        ("isis", "withdrew_from", "raqqa"),
        ("raqqa", "located_in", "syria"),
        ("sdf", "captured", "raqqa"),
        ("sdf", "controls", "raqqa"),
        ("united_states", "backs", "sdf"),
        ("united_states", "leads", "coalition"),
    ]
    truce = nxg.edges[ENT + "isis", ENT + "sdf", "truce_with"]
    assert (truce["relation"], truce["family"], truce["symmetric"]) == ("truce_with", "agreement", True)
    assert (truce["count"], truce["sources"]) == (2, 1)
    backs = nxg.edges[ENT + "united_states", ENT + "sdf", "backs"]
    assert (backs["family"], backs["symmetric"]) == ("support", False)


def test_evidence_is_complete_and_sorted(small_graph):
    nxg = graph_to_networkx(small_graph)
    evidence = nxg.edges[ENT + "isis", ENT + "sdf", "truce_with"]["evidence"]
    assert [(e["doc"], e["begin"], e["end"]) for e in evidence] == [
        ("001_a2f9", 120, 260), ("001_a2f9", 300, 380)]
    first = evidence[0]
    assert set(first) == {"text", "doc", "begin", "end", "title", "publisher", "date",
                          "modality", "speaker"}
    assert first["text"].startswith("U.S.-backed Syrian Democratic Forces")
    assert (first["title"], first["publisher"], first["date"]) == (
        "SDF, ISIS reach truce in Raqqa", "Zaman Al Wasl", "2017-10-15")
    assert (first["modality"], first["speaker"]) == ("reported", "Syrian Observatory for Human Rights")
    assert (evidence[1]["modality"], evidence[1]["speaker"]) == ("asserted", None)
    # optional document fields stay None
    captured = nxg.edges[ENT + "sdf", ENT + "raqqa", "captured"]["evidence"][0]
    assert (captured["title"], captured["publisher"], captured["date"]) == (None, None, "2017-10-17")


def test_empty_graph():
    nxg = graph_to_networkx(rdflib.Graph())
    assert nxg.number_of_nodes() == 0 and nxg.number_of_edges() == 0


# ---------------------------------------------------------------- page


def test_render_returns_counts_and_titles_the_page(small_graph, tmp_path):
    out = tmp_path / "graph.html"
    assert render_html(small_graph, out, title="Test <graph>") == {"nodes": 7, "edges": 8}
    html = out.read_text(encoding="utf-8")
    assert "<title>Test &lt;graph&gt; \u2014 7 entities, 8 relations, 2 documents</title>" in html
    assert "<h1>Test &lt;graph&gt;</h1>" in html


def test_render_is_byte_identical(small_graph, tmp_path):
    shuffled = rdflib.Graph()
    for triple in sorted(small_graph, reverse=True):
        shuffled.add(triple)
    render_html(small_graph, tmp_path / "a.html")
    render_html(shuffled, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_render_is_byte_identical_across_hash_seeds(small_html, tmp_path):
    code = ("import sys, rdflib; from pathlib import Path; from kg.html import render_html; "
            "render_html(rdflib.Graph().parse(sys.argv[1]), Path(sys.argv[2]))")
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c", code, str(SMALL), str(tmp_path / f"{seed}.html")],
                       check=True, env=env, cwd=Path(__file__).parent.parent)
    assert (tmp_path / "1.html").read_bytes() == small_html.read_bytes()
    assert (tmp_path / "2.html").read_bytes() == small_html.read_bytes()


def test_page_is_self_contained(small_html):
    html = small_html.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe|object|embed)\b[^>]*>", html, re.I)
    assert tags, "expected script tags"
    for tag in tags:
        assert not re.search(r"\b(?:src|href)\s*=", tag, re.I), tag
        assert "http://" not in tag and "https://" not in tag, tag
    assert not re.search(r"<link\b", html, re.I)
    assert "vis-network" in html and "new vis.Network" in html  # vis inlined
    assert "default-src 'none'" in html  # CSP: no network


def test_data_blob_is_escaped_json(small_html):
    html = small_html.read_text(encoding="utf-8")
    blob = blob_of(html)
    assert "</script" not in blob.lower()
    assert not set("<>&\u2028\u2029") & set(blob)
    assert html.count("</script>") == 3  # the blob, vis, the page's script: nothing injected
    data = json.loads(blob)
    texts = ["".join(ev["parts"]) for rel in data["relations"].values() for ev in rel["evidence"]]
    assert any(XSS_IMG in t and XSS_SCRIPT in t and "\u2028" in t for t in texts)


def test_entity_names_are_marked(small_html):
    data = json.loads(blob_of(small_html.read_text(encoding="utf-8")))
    truce = next(r for r in data["relations"].values() if r["relation"] == "truce_with")
    marked = [ev["parts"][1::2] for ev in truce["evidence"]]
    assert marked[0] == ["Syrian Democratic Forces", "Islamic State"]
    assert marked[1] == ["SDF", "ISIS"]


def test_atomic_write_replaces_and_leaves_no_temp_file(small_graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # and pyvis writes no lib/ folder into the working directory
    out = tmp_path / "graph.html"
    out.write_text("old", encoding="utf-8")
    render_html(small_graph, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_unwritable_path_is_an_output_error(small_graph, tmp_path):
    (tmp_path / "graph.html").mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        render_html(small_graph, tmp_path / "graph.html")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_import_is_lazy():
    code = ("import sys, kg.html; "
            "print(sorted(m for m in ('pyvis', 'networkx', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True, cwd=Path(__file__).parent.parent)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- browser


def open_page(seen, html: Path):
    page = seen.page
    page.goto(html.as_uri())
    page.wait_for_function("() => window.kgReady === true", timeout=60_000)
    return page


def edge_id(page, label_prefix: str) -> str:
    return page.evaluate(
        "p => kgEdges.get({filter: e => e.label.startsWith(p)})[0].id", label_prefix)


def panel_text(page) -> str:
    return page.locator("#kg-panel").inner_text()


@pytest.mark.browser
def test_page_loads_offline_without_errors(browser_page, small_html):
    page = open_page(browser_page, small_html)
    counts = page.evaluate("""() => ({
        nodes: kgNetwork.body.data.nodes.length,
        edges: kgNetwork.body.data.edges.length,
        drawn: Object.keys(kgNetwork.getPositions()).length,
        physics: kgNetwork.physics.options.enabled,
    })""")
    assert counts == {"nodes": 7, "edges": 8, "drawn": 7, "physics": False}
    assert page.locator("#kg-status").inner_text() == "Showing 7 of 7 entities, 8 of 8 relations"
    assert page.locator("#kg-panel").is_hidden()
    assert browser_page.requests == [small_html.as_uri()]
    assert browser_page.blocked == []
    assert browser_page.errors == []
    assert browser_page.dialogs == []


@pytest.mark.browser
def test_select_edge_shows_evidence_with_names_marked(browser_page, small_html):
    page = open_page(browser_page, small_html)
    assert page.evaluate("id => kgSelectEdge(id)", edge_id(page, "truce with"))
    text = panel_text(page)
    assert "U.S.-backed Syrian Democratic Forces have reached a truce" in text
    assert "The SDF and ISIS agreed to halt fighting" in text
    assert "SDF, ISIS reach truce in Raqqa" in text and "Zaman Al Wasl" in text
    assert "2017-10-15" in text and "according to Syrian Observatory for Human Rights" in text
    assert "001_a2f9" in text and "reported" in text
    marks = page.locator("#kg-panel mark").all_inner_texts()
    assert marks == ["Syrian Democratic Forces", "Islamic State", "SDF", "ISIS"]
    page.screenshot(path="/tmp/kg_small.png")
    assert browser_page.errors == []


@pytest.mark.browser
def test_real_mouse_click_on_an_edge(browser_page, small_html):
    page = open_page(browser_page, small_html)
    targets = page.evaluate("""() => {
        const net = kgNetwork, pos = net.getPositions();
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        return kgEdges.get().filter(e => e.smooth.roundness === 0).map(e => {
            const a = pos[e.from], b = pos[e.to];
            const dom = net.canvasToDOM({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2});
            const x = box.left + dom.x, y = box.top + dom.y;
            const top = document.elementFromPoint(x, y);
            return {id: e.id, x, y, edgeAt: net.getEdgeAt(dom) ?? null,
                    nodeAt: net.getNodeAt(dom) ?? null, canvas: !!top && top.tagName === "CANVAS"};
        });
    }""")
    target = next(t for t in targets if t["edgeAt"] == t["id"] and t["nodeAt"] is None and t["canvas"])
    page.mouse.click(target["x"], target["y"])
    page.wait_for_selector("#kg-panel:not([hidden])")
    assert page.evaluate("kgNetwork.getSelectedEdges()") == [target["id"]]
    label = page.evaluate("id => kgEdges.get(id).label", target["id"]).split(" \u00d7")[0]
    assert label in panel_text(page)
    assert page.locator("#kg-panel .kg-sentence").count() >= 1
    # a click on empty canvas closes the panel
    empty = page.evaluate("""() => {
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        for (let y = box.top + 4; y < box.bottom; y += 20) {
            for (let x = box.right - 4; x > box.left; x -= 20) {
                const dom = {x: x - box.left, y: y - box.top}, top = document.elementFromPoint(x, y);
                if (top && top.tagName === "CANVAS" && kgNetwork.getNodeAt(dom) === undefined
                    && kgNetwork.getEdgeAt(dom) === undefined) { return [x, y]; }
            }
        }
    }""")
    page.mouse.click(*empty)
    assert page.locator("#kg-panel").is_hidden()
    assert browser_page.errors == []


@pytest.mark.browser
def test_click_on_a_node_lists_its_relations(browser_page, small_html):
    page = open_page(browser_page, small_html)
    x, y = page.evaluate("""id => {
        const p = kgNetwork.canvasToDOM(kgNetwork.getPositions([id])[id]);
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", ENT + "isis")
    page.mouse.move(x, y)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible")
    assert "Islamic State" in tip.inner_text() and "Also: Daesh, ISIS" in tip.inner_text()
    page.mouse.click(x, y)
    page.wait_for_selector("#kg-panel:not([hidden])")
    assert page.locator("#kg-panel h2").inner_text() == "Islamic State"
    assert "Also known as: Daesh, ISIS" in panel_text(page)
    buttons = page.locator("#kg-panel button.kg-rel-link")
    assert buttons.count() == 3
    buttons.filter(has_text="withdrew from").click()
    assert "withdrew from" in page.locator("#kg-panel h2").inner_text()
    assert page.locator("#kg-panel .kg-sentence").count() == 1
    assert browser_page.errors == []


@pytest.mark.browser
def test_family_checkbox_hides_its_edges(browser_page, small_html):
    page = open_page(browser_page, small_html)
    drawn = "() => kgEdges.getIds().filter(id => !kgNetwork.body.edges[id].options.hidden).length"
    assert page.evaluate(drawn) == 8
    page.uncheck("input[data-family=territory]")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 4}
    assert page.evaluate(drawn) == 4
    assert page.locator("#kg-status").inner_text() == "Showing 7 of 7 entities, 4 of 8 relations"
    page.check("input[data-family=territory]")
    assert page.evaluate(drawn) == 8


@pytest.mark.browser
def test_actor_filter_hides_other_nodes(browser_page, small_html):
    page = open_page(browser_page, small_html)
    page.fill("#kg-filter", "daesh")  # an alias, any case: ISIS and its neighbours
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 4, "edges": 3}
    hidden = page.evaluate("kgNodes.get({filter: n => n.hidden}).map(n => n.id).sort()")
    assert hidden == [ENT + "sohr", ENT + "syria", ENT + "united_states"]
    assert page.evaluate("id => kgNetwork.body.nodes[id].options.hidden", ENT + "syria") is True
    page.fill("#kg-filter", "no such actor")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 0, "edges": 0}
    page.fill("#kg-filter", "")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 8}
    assert browser_page.errors == []


@pytest.mark.browser
def test_hostile_evidence_is_shown_as_text_and_never_runs(browser_page, small_html):
    page = open_page(browser_page, small_html)
    assert page.evaluate("id => kgSelectEdge(id)", edge_id(page, "withdrew from"))
    text = panel_text(page)
    assert XSS_IMG in text
    assert XSS_SCRIPT in text
    assert page.locator("#kg-panel img, #kg-panel script").count() == 0
    assert page.locator("script").count() == 3
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert browser_page.dialogs == []
    assert browser_page.requests == [small_html.as_uri()]  # not even <img src=x>
    assert browser_page.errors == []
