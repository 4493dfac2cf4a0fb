"""The page at scale: labels, edge picking, filters that zoom, focus, the view
in the URL, a document's own counts, the map's country outlines and saving
the view, in headless Chromium (marked ``browser``), on a 2,000-node /
4,000-edge synthetic graph (``benchmarks/bench_html.py`` generates it) and on
the small hand-written graph of tests/data/html/small.ttl."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import rdflib

from kg.html import render_html
from kg.outlines import ATLAS, outlines

ROOT = Path(__file__).resolve().parent.parent
SMALL = Path(__file__).parent / "data" / "html" / "small.ttl"
ENT = "https://w3id.org/kg-conflict/id/entity/"
BLOB = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def _blob(html: Path) -> dict:
    return json.loads(BLOB.search(html.read_text(encoding="utf-8")).group(1))


@pytest.fixture(scope="module")
def big_html(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("kg_bench_html", ROOT / "benchmarks" / "bench_html.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path_factory.mktemp("big") / "graph.html"
    render_html(bench.synthetic_graph(2000, 4000), out)
    return out


@pytest.fixture(scope="module")
def small_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small") / "graph.html"
    render_html(rdflib.Graph().parse(SMALL, format="turtle"), out)
    return out


def _open(seen, url: str):
    page = seen.page
    page.goto(url)
    page.wait_for_function("() => window.kgReady === true", timeout=60_000)
    return page


def _overlapping(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1:], i + 1)
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


FILLED = """() => {  // how much of the view the visible nodes span (the larger of width and height)
    const c = kgNetwork.canvas.frame.canvas, ids = kgNodes.get({filter: n => !n.hidden}).map(n => n.id);
    const pos = kgNetwork.getPositions(ids), d = ids.map(id => kgNetwork.canvasToDOM(pos[id]));
    const xs = d.map(p => p.x), ys = d.map(p => p.y);
    return Math.max((Math.max(...xs) - Math.min(...xs)) / c.clientWidth, (Math.max(...ys) - Math.min(...ys)) / c.clientHeight);
}"""
ON_SCREEN = """() => {
    const c = kgNetwork.canvas.frame.canvas, W = c.clientWidth, H = c.clientHeight;
    const ids = kgNodes.get({filter: n => !n.hidden}).map(n => n.id), pos = kgNetwork.getPositions(ids);
    return ids.filter(id => { const d = kgNetwork.canvasToDOM(pos[id]);
                              return d.x >= 0 && d.x <= W && d.y >= 0 && d.y <= H; }).length;
}"""


# ---------------------------------------------------------------- labels


@pytest.mark.browser
def test_node_labels_never_overlap_and_the_most_connected_come_first(browser_page, big_html):
    page = _open(browser_page, big_html.as_uri())
    drawn = page.evaluate("""() => { const d = kgDrawnLabels();
        return {ids: d.nodes, boxes: d.nodes.map(id => d.boxes["n:" + id]),
                degrees: d.nodes.map(id => kgEntities[id].edges.length)}; }""")
    assert 30 <= len(drawn["ids"]) < 2000  # some, not all: a hairball would hide them
    assert _overlapping(drawn["boxes"]) == []
    assert drawn["degrees"] == sorted(drawn["degrees"], reverse=True)
    top = page.evaluate("""() => Object.keys(kgEntities).sort((a, b) =>
        kgEntities[b].edges.length - kgEntities[a].edges.length)[0]""")
    assert drawn["ids"][0] == top
    # zoomed in, the labels are as large on screen, and more entities get one
    page.evaluate("kgNetwork.moveTo({scale: kgNetwork.getScale() * 4, animation: false})")
    page.wait_for_timeout(100)
    closer = page.evaluate("""() => { const d = kgDrawnLabels();
        return {n: d.nodes.length, boxes: d.nodes.map(id => d.boxes["n:" + id])}; }""")
    assert _overlapping(closer["boxes"]) == []
    assert {round(b[3] - b[1]) for b in closer["boxes"]} == {17}
    assert browser_page.errors == []


@pytest.mark.browser
def test_edge_labels_show_on_hover_and_selection_at_a_readable_size(browser_page, big_html):
    page = _open(browser_page, big_html.as_uri())
    assert page.evaluate("kgDrawnLabels().edges") == []  # the overview draws none
    target = page.evaluate("""() => {
        const box = document.getElementById("kg-graph").getBoundingClientRect(), pos = kgNetwork.getPositions();
        const e = kgEdges.get().find(e => { const r = kgRelations[e.id];
            return !e.smooth && kgEntities[r.from].edges.length > 20; });
        const d = kgNetwork.canvasToDOM({x: (pos[e.from].x + pos[e.to].x) / 2, y: (pos[e.from].y + pos[e.to].y) / 2});
        return {id: e.id, x: box.left + d.x, y: box.top + d.y};
    }""")
    page.evaluate("id => kgNetwork.moveTo({position: kgNetwork.getPositions([kgEdges.get(id).from])[kgEdges.get(id).from],"
                  " scale: 0.3, animation: false})", target["id"])
    page.evaluate("id => kgSelectEdge(id)", target["id"])
    page.wait_for_timeout(100)
    drawn = page.evaluate("kgDrawnLabels()")
    assert target["id"] in drawn["edges"]
    box = drawn["boxes"]["e:" + target["id"]]
    assert box[3] - box[1] == 16  # 12 px text on any zoom
    page.click("#kg-close")
    page.wait_for_timeout(1200)  # vis resizes its canvas to the wider stage
    assert target["id"] not in page.evaluate("kgDrawnLabels().edges")
    # hovering an edge draws its label: find a spot on it with no node near
    spot = page.evaluate("""() => {
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        for (const e of kgEdges.get()) {
            if (e.smooth) continue;
            const a = kgNetwork.getPositions([e.from])[e.from], b = kgNetwork.getPositions([e.to])[e.to];
            const d = kgNetwork.canvasToDOM({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2});
            if (d.x < 20 || d.y < 20 || d.x > box.width - 20 || d.y > box.height - 20) continue;
            const x = Math.round(box.left + d.x), y = Math.round(box.top + d.y);  // events have whole pixels
            const near = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) => ({x: x + dx - box.left, y: y + dy - box.top}));
            if (near.some(p => kgNetwork.getNodeAt(p) !== undefined || kgEdgeAt(p, true) !== e.id)) continue;
            return {id: e.id, x, y};
        }
    }""")
    page.mouse.move(spot["x"] - 3, spot["y"])
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_function("id => kgDrawnLabels().edges.includes(id)", arg=spot["id"], timeout=5000)
    assert browser_page.errors == []


# ---------------------------------------------------------------- picking


@pytest.mark.browser
def test_a_click_selects_the_edge_under_the_pointer(browser_page, big_html):
    page = _open(browser_page, big_html.as_uri())
    page.evaluate("kgSelectEdge(kgEdges.getIds()[0])")  # the panel is open: the stage keeps its size
    page.wait_for_timeout(1200)
    # on the whole, dense graph: spots on an edge that is clearly the nearest to them
    targets = page.evaluate("""() => {
        const box = document.getElementById("kg-graph").getBoundingClientRect(), pos = kgNetwork.getPositions();
        const straight = kgEdges.get().filter(e => !e.smooth).map(e => ({id: e.id,
            a: kgNetwork.canvasToDOM(pos[e.from]), b: kgNetwork.canvasToDOM(pos[e.to])}));
        function dist(p, a, b) {
            const dx = b.x - a.x, dy = b.y - a.y, l = dx * dx + dy * dy;
            const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l));
            return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
        }
        const curved = kgEdges.get().filter(e => e.smooth).map(e => ({
            a: kgNetwork.canvasToDOM(pos[e.from]), b: kgNetwork.canvasToDOM(pos[e.to])}));
        const out = [];
        for (const s of straight) {
            for (let t = 0.2; t <= 0.8; t += 0.05) {
                const p = {x: Math.round(box.left + s.a.x + t * (s.b.x - s.a.x)) - box.left,
                           y: Math.round(box.top + s.a.y + t * (s.b.y - s.a.y)) - box.top};  // whole pixels, as events
                if (dist(p, s.a, s.b) > 1) continue;
                if (p.x < 30 || p.y < 30 || p.x > box.width - 30 || p.y > box.height - 30) continue;
                if (kgNetwork.getNodeAt(p) !== undefined) continue;
                const others = straight.filter(o => o.id !== s.id).map(o => dist(p, o.a, o.b));
                const near = Math.min(...others);
                if (near < 2.5) continue;  // the next edge is 2.5 px or more away
                if (curved.some(e => Math.min(e.a.x, e.b.x) - 10 < p.x && p.x < Math.max(e.a.x, e.b.x) + 10
                    && Math.min(e.a.y, e.b.y) - 10 < p.y && p.y < Math.max(e.a.y, e.b.y) + 10)) continue;
                out.push({id: s.id, x: box.left + p.x, y: box.top + p.y});
                break;
            }
            if (out.length >= 6) break;
        }
        return out;
    }""")
    assert len(targets) >= 4
    clicked = 0
    for target in targets:
        on_label = page.evaluate("""t => { const r = document.getElementById("kg-graph").getBoundingClientRect();
            const x = t.x - r.left, y = t.y - r.top;
            return Object.values(kgDrawnLabels().boxes).some(b => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]); }""",
                                 target)
        if on_label:  # a click on a label selects that label's edge
            continue
        clicked += 1
        page.mouse.click(target["x"], target["y"])
        page.wait_for_selector("#kg-panel:not([hidden])")
        assert page.evaluate("kgNetwork.getSelectedEdges()") == [target["id"]], target
        assert page.evaluate("location.hash").endswith("sel=e%3A" + target["id"])
    assert clicked >= 3
    assert browser_page.errors == []


# ---------------------------------------------------------------- filters, focus


@pytest.mark.browser
def test_filters_hide_nodes_left_without_edges_and_zoom_to_the_rest(browser_page, big_html):
    page = _open(browser_page, big_html.as_uri())
    doc = page.evaluate("Object.keys(kgDocuments).sort((a, b) => kgDocuments[b].edges.length - kgDocuments[a].edges.length)[0]")
    page.select_option("#kg-doc", doc)
    counts = page.evaluate("kgVisibleCounts()")
    ends = page.evaluate("""doc => { const s = new Set();
        kgDocuments[doc].edges.forEach(id => { s.add(kgRelations[id].from); s.add(kgRelations[id].to); });
        return s.size; }""", doc)
    assert counts == {"nodes": ends, "edges": len(_blob(big_html)["documents"][doc]["edges"])}
    assert page.evaluate(ON_SCREEN) == ends  # every node that is left is in view
    assert page.evaluate(FILLED) > 0.6  # and zoomed to them
    # a relation filter does the same
    page.select_option("#kg-doc", "")
    page.evaluate("""() => { document.querySelectorAll("input[data-family]").forEach(b => {
        if (b.value !== "agreement") { b.checked = false; b.dispatchEvent(new Event("change")); } }); }""")
    shown = page.evaluate("kgVisibleCounts()")
    agreement_ends = page.evaluate("""() => { const s = new Set();
        Object.values(kgRelations).filter(r => r.family === "agreement").forEach(r => { s.add(r.from); s.add(r.to); });
        return s.size; }""")
    assert shown["nodes"] == agreement_ends < 2000
    assert page.evaluate(ON_SCREEN) == agreement_ends
    assert page.evaluate(FILLED) > 0.6
    assert browser_page.errors == []


@pytest.mark.browser
def test_focus_on_an_actor_shows_its_neighbourhood_and_zooms_to_it(browser_page, big_html):
    page = _open(browser_page, big_html.as_uri())
    actor = page.evaluate("""() => Object.keys(kgEntities).filter(id => kgEntities[id].edges.length > 5)
        .sort((a, b) => kgEntities[a].edges.length - kgEntities[b].edges.length)[0]""")
    label, alias = page.evaluate("id => [kgEntities[id].label, kgEntities[id].aliases[0]]", actor)
    page.fill("#kg-focus", alias)  # an alias finds it too
    page.press("#kg-focus", "Enter")
    page.wait_for_function("id => kgFocus() === id", arg=actor)
    assert page.input_value("#kg-focus") == label
    relations = _blob(big_html)["relations"]
    own = [i for i, r in relations.items() if actor in (r["from"], r["to"])]
    neighbours = {relations[i]["from"] for i in own} | {relations[i]["to"] for i in own}
    assert page.evaluate("kgVisibleCounts()") == {"nodes": len(neighbours), "edges": len(own)}
    assert sorted(page.evaluate("kgEdges.get({filter: e => !e.hidden}).map(e => e.id)")) == sorted(own)
    assert page.evaluate(ON_SCREEN) == len(neighbours)
    assert page.evaluate(FILLED) > 0.6
    assert page.locator("#kg-panel h2").inner_text() == label  # and its panel opens
    assert "focus=" in page.evaluate("location.hash")
    page.click("#kg-focus-clear")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 2000, "edges": 4000}
    # a name that is no entity's says so, and changes nothing
    page.fill("#kg-focus", "no such actor anywhere")
    page.press("#kg-focus", "Enter")
    assert page.evaluate("document.getElementById('kg-focus').classList.contains('kg-invalid')")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 2000, "edges": 4000}
    assert browser_page.errors == []


@pytest.mark.browser
def test_the_view_lives_in_the_url_hash(browser_page, small_html):
    page = _open(browser_page, small_html.as_uri())
    page.select_option("#kg-doc", "001_a2f9")
    page.evaluate("id => kgSetFocus(id)", ENT + "sdf")
    page.uncheck("input[data-modality=denied]")
    truce = page.evaluate("kgEdges.getIds().find(id => kgEdgeLabel(id).startsWith('truce with'))")
    page.evaluate("id => kgSelectEdge(id)", truce)
    url = page.url
    state = page.evaluate("""() => ({counts: kgVisibleCounts(), hidden: kgEdges.get().filter(e => e.hidden).map(e => e.id),
                                      panel: document.getElementById("kg-panel-body").innerText})""")
    assert "doc=001_a2f9" in url and "claims=denied" in url and "sel=e%3A" + truce in url
    # the same URL in a fresh tab gives the same view
    fresh = browser_page.page.context.new_page()
    fresh.goto(url)
    fresh.wait_for_function("() => window.kgReady === true")
    assert fresh.input_value("#kg-doc") == "001_a2f9"
    assert fresh.evaluate("kgFocus()") == ENT + "sdf"
    assert not fresh.is_checked("input[data-modality=denied]")
    assert fresh.evaluate("kgNetwork.getSelectedEdges()") == [truce]
    assert fresh.evaluate("""() => ({counts: kgVisibleCounts(), hidden: kgEdges.get().filter(e => e.hidden).map(e => e.id),
                                      panel: document.getElementById("kg-panel-body").innerText})""") == state
    # a pasted hash changes the view in place; an empty one resets it
    fresh.evaluate("location.hash = '#view=map'")
    fresh.wait_for_function("() => kgLayout() === 'geo' && kgFocus() === ''")
    fresh.evaluate("location.hash = '#off=captured'")
    fresh.wait_for_function("() => kgFocus() === '' && kgVisibleCounts().edges === 7")
    assert fresh.locator("#kg-panel").is_hidden()
    fresh.evaluate("location.hash = ''")
    fresh.wait_for_function("() => kgVisibleCounts().edges === 8")
    fresh.close()
    assert browser_page.errors == []


@pytest.mark.browser
def test_the_document_filter_shows_that_documents_own_counts(browser_page, big_html):
    blob = _blob(big_html)
    # a document with an edge that other documents also give evidence for
    doc = next(ev["sources"][0][0] for r in blob["relations"].values() if r["sources"] > 1
               for ev in r["evidence"][:1] if r["count"] >= 3)
    mine = {i: [ev for ev in r["evidence"] if any(s[0] == doc for s in ev["sources"])]
            for i, r in blob["relations"].items()}
    mine = {i: evs for i, evs in mine.items() if evs}
    by_relation: dict[str, int] = {}
    by_modality: dict[str, int] = {}
    for i, evs in mine.items():
        by_relation[blob["relations"][i]["relation"]] = by_relation.get(blob["relations"][i]["relation"], 0) + 1
        for ev in evs:
            by_modality[ev["modality"] or "asserted"] = by_modality.get(ev["modality"] or "asserted", 0) + 1
    page = _open(browser_page, big_html.as_uri())
    totals = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("input[data-relation]")]
        .map(b => [b.value, b.parentNode.querySelector(".kg-n").textContent]))""")
    page.select_option("#kg-doc", doc)
    shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("input[data-relation]")]
        .map(b => [b.value, b.parentNode.querySelector(".kg-n").textContent]))""")
    for relation, text in shown.items():
        total = totals[relation].strip("()")
        assert text == f"({by_relation.get(relation, 0)} of {total})", relation
    modalities = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("input[data-modality]")]
        .map(b => [b.value, b.parentNode.querySelector(".kg-n").textContent]))""")
    for modality, text in modalities.items():
        assert text.startswith(f"({by_modality.get(modality, 0)} of "), modality
    # edge labels and widths count this document's sentences
    for edge_id, evs in mine.items():
        label = page.evaluate("id => kgEdgeLabel(id)", edge_id)
        assert label == blob["relations"][edge_id]["label"] + (f" \u00d7{len(evs)}" if len(evs) > 1 else "")
        assert page.evaluate("id => kgEdges.get(id).width", edge_id) == pytest.approx(
            1.5 + 1.5 * __import__("math").log2(len(evs)), abs=0.01)
    assert any(len(evs) < blob["relations"][i]["count"] for i, evs in mine.items())  # the test tells
    page.select_option("#kg-doc", "")
    assert page.evaluate("""() => [...document.querySelectorAll("input[data-relation]")]
        .map(b => b.parentNode.querySelector(".kg-n").textContent)""") == list(totals.values())
    assert browser_page.errors == []


# ---------------------------------------------------------------- map, saving, scripts


def test_outlines_put_damascus_in_a_country_and_not_in_the_sea():
    if not ATLAS.is_file():
        pytest.skip("world-atlas is not installed (bash scripts/setup.sh installs it)")
    rings = outlines(lambda lon, lat: (lon * 100, -lat * 100), (30, 28, 45, 40))

    def inside(x, y, ring):
        pts, hit = list(zip(ring[0::2], ring[1::2])), False
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        return hit

    assert sum(inside(3629, -3351, r) for r in rings) == 1  # Damascus: in one country
    assert sum(inside(3400, -3450, r) for r in rings) == 0  # off Cyprus and Lebanon: sea
    assert outlines(lambda lon, lat: (lon, lat), (30, 28, 45, 40), path=ATLAS.with_name("missing.json")) is None


LAND = "#fbfaf4"


@pytest.mark.browser
def test_the_map_draws_country_outlines_offline(browser_page, small_html):
    if not ATLAS.is_file():
        pytest.skip("world-atlas is not installed (bash scripts/setup.sh installs it)")
    assert _blob(small_html)["geo"]["outlines"]
    page = _open(browser_page, small_html.as_uri())
    count_land = """hex => { const c = kgNetwork.canvas.frame.canvas, d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
        let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++; }
        return n / (c.width * c.height); }"""
    assert page.evaluate(count_land, LAND) == 0
    page.click("#kg-layout-geo")
    page.wait_for_timeout(100)
    assert page.evaluate(count_land, LAND) > 0.05
    assert browser_page.requests == [small_html.as_uri()]  # nothing fetched
    assert browser_page.errors == []


@pytest.mark.browser
def test_save_png_downloads_the_current_view(browser_page, small_html, tmp_path):
    page = _open(browser_page, small_html.as_uri())
    with page.expect_download() as info:
        page.click("#kg-save")
    download = info.value
    assert download.suggested_filename == "kg-view.png"
    path = tmp_path / "view.png"
    download.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    canvas = page.evaluate("[kgNetwork.canvas.frame.canvas.width, kgNetwork.canvas.frame.canvas.height]")
    assert [width, height] == canvas
    assert len(data) > 5000  # a drawing, not a blank image
    assert browser_page.errors == []


def test_page_scripts_pass_node_check():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing (bash scripts/setup.sh installs it)")
    scripts = sorted((ROOT / "kg" / "static").glob("*.js"))
    assert scripts
    for script in scripts:
        result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"
