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
    assert raqqa["geonames"] == "https://sws.geonames.org/172955/"
    assert nxg.nodes[ENT + "syria"]["types"] == ["State", "Place"]
    assert nxg.nodes[ENT + "syria"]["geonames"] is None  # its owl:sameAs is no GeoNames IRI
    assert isis["geonames"] is None


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
    assert set(first) == {"text", "doc", "begin", "end", "sources", "title", "publisher", "date",
                          "modality", "speaker", "speaker_iri", "when", "until", "precision", "dated", "expr"}
    assert first["sources"] == [{"doc": "001_a2f9", "begin": 120, "end": 260, "when": None, "until": None,
                                 "precision": None, "dated": None, "expr": None}]
    assert (first["when"], first["precision"], first["dated"]) == (None, None, None)  # small.ttl dates none
    assert first["text"].startswith("U.S.-backed Syrian Democratic Forces")
    assert (first["title"], first["publisher"], first["date"]) == (
        "SDF, ISIS reach truce in Raqqa", "Zaman Al Wasl", "2017-10-15")
    assert (first["modality"], first["speaker"]) == ("reported", "Syrian Observatory for Human Rights")
    assert first["speaker_iri"] == ENT + "sohr"
    assert (evidence[1]["modality"], evidence[1]["speaker"], evidence[1]["speaker_iri"]) == (
        "asserted", None, None)
    # optional document fields stay None
    captured = nxg.edges[ENT + "sdf", ENT + "raqqa", "captured"]["evidence"][0]
    assert (captured["title"], captured["publisher"], captured["date"]) == (None, None, "2017-10-17")


def test_documents_are_listed_with_their_metadata(small_graph):
    documents = graph_to_networkx(small_graph).graph["documents"]
    assert list(documents) == ["001_a2f9", "002_b7c1"]
    assert documents["001_a2f9"] == {
        "id": "001_a2f9", "title": "SDF, ISIS reach truce in Raqqa", "publisher": "Zaman Al Wasl",
        "date": "2017-10-15", "path": "seeds/001_a2f9.txt"}
    assert documents["002_b7c1"]["title"] is None


def test_empty_graph(tmp_path):
    nxg = graph_to_networkx(rdflib.Graph())
    assert nxg.number_of_nodes() == 0 and nxg.number_of_edges() == 0
    assert render_html(rdflib.Graph(), tmp_path / "empty.html") == {"nodes": 0, "edges": 0}


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
    assert html.count("</script>") == 4  # the blob, vis, the page's two scripts: nothing injected
    data = json.loads(blob)
    texts = ["".join(ev["parts"]) for rel in data["relations"].values() for ev in rel["evidence"]]
    assert any(XSS_IMG in t and XSS_SCRIPT in t and "\u2028" in t for t in texts)


def test_entity_names_are_marked(small_html):
    data = json.loads(blob_of(small_html.read_text(encoding="utf-8")))
    truce = next(r for r in data["relations"].values() if r["relation"] == "truce_with")
    marked = [ev["parts"][1::2] for ev in truce["evidence"]]
    assert marked[0] == ["Syrian Democratic Forces", "Islamic State", "SOHR"]  # and the speaker
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
        "p => kgEdges.getIds().filter(id => kgEdgeLabel(id).startsWith(p))[0]", label_prefix)


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
    assert marks == ["Syrian Democratic Forces", "Islamic State", "SOHR", "SDF", "ISIS"]
    page.screenshot(path="/tmp/kg_small.png")
    assert browser_page.errors == []


@pytest.mark.browser
def test_real_mouse_click_on_an_edge(browser_page, small_html):
    page = open_page(browser_page, small_html)
    targets = page.evaluate("""() => {
        const net = kgNetwork, pos = net.getPositions();
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        return kgEdges.get().filter(e => !e.smooth).map(e => {
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
    label = page.evaluate("id => kgEdgeLabel(id)", target["id"]).split(" \u00d7")[0]
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
def test_a_place_panel_links_to_geonames(browser_page, small_html):
    page = open_page(browser_page, small_html)
    page.evaluate("id => kgSelectNode(id)", ENT + "raqqa")
    page.wait_for_selector("#kg-panel:not([hidden])")
    link = page.locator("#kg-panel a.kg-geonames")
    assert link.inner_text() == "GeoNames 172955"
    assert link.get_attribute("href") == "https://sws.geonames.org/172955/"
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.evaluate("id => kgSelectNode(id)", ENT + "syria")
    assert page.locator("#kg-panel h2").inner_text() == "Syria"
    assert page.locator("#kg-panel a").count() == 0
    assert browser_page.errors == [] and browser_page.blocked == []


@pytest.mark.browser
def test_family_checkbox_hides_its_edges(browser_page, small_html):
    page = open_page(browser_page, small_html)
    drawn = "() => kgEdges.getIds().filter(id => !kgNetwork.body.edges[id].options.hidden).length"
    assert page.evaluate(drawn) == 8
    page.uncheck("input[data-family=territory]")
    # entities left with no relation shown are hidden too (SOHR, with none at all, stays)
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 5, "edges": 4}
    assert page.evaluate(drawn) == 4
    assert page.locator("#kg-status").inner_text() == "Showing 5 of 7 entities, 4 of 8 relations"
    assert not page.is_checked("input[data-relation=captured]")  # the family's relations follow
    page.check("input[data-family=territory]")
    assert page.evaluate(drawn) == 8
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 8}


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
    assert page.locator("script").count() == 4
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert browser_page.dialogs == []
    assert browser_page.requests == [small_html.as_uri()]  # not even <img src=x>
    assert browser_page.errors == []


@pytest.mark.browser
def test_relation_checkbox_hides_one_relation(browser_page, small_html):
    page = open_page(browser_page, small_html)
    page.uncheck("input[data-relation=captured]")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 7}
    assert page.evaluate("id => kgEdges.get(id).hidden", edge_id(page, "captured")) is True
    family = page.locator("input[data-family=territory]")
    assert family.is_checked() and family.evaluate("b => b.indeterminate")
    page.check("input[data-relation=captured]")
    assert not family.evaluate("b => b.indeterminate")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 8}
    assert browser_page.errors == []


@pytest.mark.browser
def test_document_filter_keeps_that_documents_relations(browser_page, small_html):
    page = open_page(browser_page, small_html)
    page.select_option("#kg-doc", "002_b7c1")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 5, "edges": 5}
    shown = page.evaluate("kgEdges.get({filter: e => !e.hidden}).map(e => kgEdgeLabel(e.id)).sort()")
    assert shown == ["attacked", "captured", "controls", "leads", "withdrew from"]
    # choosing a document also lists its relations in the panel
    assert page.locator("#kg-panel .kg-kind").inner_text().lower() == "document"
    assert page.locator("#kg-panel button.kg-rel-link").count() == 5
    page.select_option("#kg-doc", "")
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 7, "edges": 8}
    assert browser_page.errors == []


@pytest.mark.browser
def test_modality_filter_hides_denied_claims(browser_page, small_html):
    page = open_page(browser_page, small_html)
    assert page.locator("input[data-modality=denied]").is_enabled()
    assert page.locator("input[data-modality=planned]").is_disabled()  # none in this graph
    page.uncheck("input[data-modality=denied]")
    # the coalition's two relations rest on one denied sentence; the coalition goes too
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 6, "edges": 6}
    assert page.evaluate("kgNodes.get({filter: n => n.hidden}).map(n => n.id)") == [ENT + "coalition"]
    # an edge stays while any of its evidence passes: the truce is asserted and reported
    page.uncheck("input[data-modality=asserted]")  # left: what SOHR reported
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 4, "edges": 2}
    assert page.evaluate("id => kgEdges.get(id).hidden", edge_id(page, "truce with")) is False
    # evidence hidden by a filter is dimmed in the panel
    assert page.evaluate("id => kgSelectEdge(id)", edge_id(page, "truce with"))
    assert page.locator("#kg-panel li.kg-dim").count() == 1
    assert "reported" in page.locator("#kg-panel .kg-modality").all_inner_texts()
    assert browser_page.errors == []


@pytest.mark.browser
def test_click_on_a_document_lists_its_relations(browser_page, small_html):
    page = open_page(browser_page, small_html)
    assert page.evaluate("id => kgSelectEdge(id)", edge_id(page, "truce with"))
    page.locator("#kg-panel button.kg-doc-link").first.click()
    assert page.locator("#kg-panel h2").inner_text() == "SDF, ISIS reach truce in Raqqa"
    text = panel_text(page)
    assert "Zaman Al Wasl" in text and "2017-10-15" in text and "seeds/001_a2f9.txt" in text
    links = page.locator("#kg-panel button.kg-rel-link").all_inner_texts()
    assert len(links) == 3
    assert any("truce with" in t for t in links) and any("backs" in t for t in links)
    assert page.locator("#kg-panel .kg-sentence").count() == 4  # 001's sentences only
    page.locator("#kg-panel button.kg-action").click()  # show only this document
    assert page.evaluate("kgVisibleCounts()") == {"nodes": 5, "edges": 3}
    assert page.input_value("#kg-doc") == "001_a2f9"
    assert browser_page.errors == []


@pytest.mark.browser
def test_map_layout_puts_places_at_their_coordinates(browser_page, small_html):
    page = open_page(browser_page, small_html)
    before = page.evaluate("kgNetwork.getPositions()")
    assert page.evaluate("kgSetLayout('geo')") is True
    pos = page.evaluate("kgNetwork.getPositions()")
    raqqa, syria = pos[ENT + "raqqa"], pos[ENT + "syria"]
    # Raqqa (35.95 N, 39.01 E) is north-east of Syria's centre (35.0 N, 38.0 E); y points down
    assert raqqa["x"] > syria["x"] and raqqa["y"] < syria["y"]
    assert page.get_attribute("#kg-layout-geo", "aria-pressed") == "true"
    assert page.locator("#kg-physics").is_disabled()
    page.click("#kg-layout-graph")
    assert page.evaluate("kgNetwork.getPositions()") == before
    assert browser_page.errors == []


@pytest.mark.browser
def test_physics_runs_on_demand(browser_page, small_html):
    page = open_page(browser_page, small_html)
    assert page.evaluate("kgNetwork.physics.options.enabled") is False
    # click and look in one go: the small graph may settle (and stop) at once
    started = page.evaluate("""() => {
        const button = document.getElementById("kg-physics");
        button.click();
        return [kgNetwork.physics.options.enabled, button.textContent];
    }""")
    assert started == [True, "Stop physics"]
    if page.evaluate("kgNetwork.physics.options.enabled"):
        page.click("#kg-physics")
    assert page.evaluate("kgNetwork.physics.options.enabled") is False
    assert page.locator("#kg-physics").inner_text() == "Run physics"
    assert browser_page.errors == []


# ---------------------------------------------------------------- hostile metadata

HOSTILE = f'''
@prefix kgo: <https://w3id.org/kg-conflict/ontology#> .
@base <https://w3id.org/kg-conflict/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<entity/a> a kgo:ArmedGroup ; rdfs:label "A {XSS_IMG}" .
<entity/b> a kgo:State ; rdfs:label "B" .
<entity/spk> a kgo:Person ; rdfs:label "Speaker {XSS_SCRIPT}" .
<entity/a> kgo:attacked <entity/b> .
<statement/1> a rdf:Statement ; rdf:subject <entity/a> ; rdf:predicate kgo:attacked ;
    rdf:object <entity/b> ; prov:wasDerivedFrom <evidence/d/0-9> .
<evidence/d/0-9> a kgo:Evidence ; kgo:text "A hit B." ; kgo:beginOffset 0 ; kgo:endOffset 9 ;
    dcterms:isPartOf <document/d> ; kgo:modality "x{XSS_IMG}" ; kgo:attributedTo <entity/spk> .
<document/d> a kgo:Document ; dcterms:identifier "d{XSS_IMG}" ;
    dcterms:title "Title {XSS_SCRIPT}" ; dcterms:publisher "Pub {XSS_IMG}" ;
    dcterms:date "2018-01-01 {XSS_IMG}" ; kgo:sourcePath "p/{XSS_SCRIPT}.txt" .
'''


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "graph.html"
    render_html(rdflib.Graph().parse(data=HOSTILE, format="turtle"), out)
    return out


def test_hostile_metadata_is_escaped_in_the_markup(hostile_html):
    html = hostile_html.read_text(encoding="utf-8")
    assert html.count("</script>") == 4
    assert not re.search(r"<img\b", html, re.I)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the document <option>, the modality filter
    assert not set("<>&") & set(blob_of(html))


@pytest.mark.browser
def test_hostile_metadata_is_shown_as_text(browser_page, hostile_html):
    page = open_page(browser_page, hostile_html)
    assert page.evaluate("id => kgSelectEdge(id)", edge_id(page, "attacked"))
    text = panel_text(page)
    assert f"Title {XSS_SCRIPT}" in text and f"Pub {XSS_IMG}" in text
    assert f"according to Speaker {XSS_SCRIPT}" in text and f"x{XSS_IMG}" in text
    page.locator("#kg-panel button.kg-doc-link").click()
    assert f"p/{XSS_SCRIPT}.txt" in panel_text(page)
    assert page.locator("#kg-doc option").nth(1).inner_text().startswith(f"d{XSS_IMG}")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 4
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert browser_page.dialogs == [] and browser_page.errors == []
    assert browser_page.requests == [hostile_html.as_uri()]


# ---------------------------------------------------------------- layout


def test_positions_are_precomputed_and_physics_is_off(small_html):
    data = json.loads(blob_of(small_html.read_text(encoding="utf-8")))
    assert data["options"]["physics"]["enabled"] is False
    xy = {(n["x"], n["y"]) for n in data["nodes"]}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len(xy) == len(data["nodes"])
    geo = data["geo"]["positions"]
    assert set(geo) == {n["id"] for n in data["nodes"]}


def test_network_layout_separates_nodes_and_components():
    import networkx as nx

    from kg.html import _network_layout

    g = nx.MultiDiGraph()
    star = [f"s{i:02d}" for i in range(30)]
    for leaf in star[1:]:
        g.add_edge(star[0], leaf, key="r")
    g.add_edge("p", "q", key="r")
    g.add_node("lonely")
    for n in g:
        g.nodes[n].update(label=n)
    pos = _network_layout(g)
    assert pos == _network_layout(g)  # deterministic
    points = sorted(pos.values())
    closest = min(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
                  for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 40


def test_geo_layout_uses_coordinates():
    import networkx as nx

    from kg.html import _geo_layout

    g = nx.MultiDiGraph()
    places = {"aleppo": (36.2, 37.16), "raqqa": (35.95, 39.01), "damascus": (33.51, 36.29),
              "washington": (38.9, -77.04)}
    for name, (lat, long) in places.items():
        g.add_node(name, lat=lat, long=long)
    g.add_node("sdf", lat=None, long=None)
    g.add_node("loner", lat=None, long=None)
    g.add_edge("sdf", "raqqa", key="captured")
    geo = _geo_layout(g)
    pos = geo["positions"]
    assert pos["raqqa"][0] > pos["aleppo"][0]  # east
    assert pos["damascus"][0] < pos["raqqa"][0] and pos["damascus"][1] > pos["raqqa"][1]  # south-west
    assert pos["washington"][0] < pos["damascus"][0]  # far west, compressed but still west
    sdf, raqqa = pos["sdf"], pos["raqqa"]
    assert ((sdf[0] - raqqa[0]) ** 2 + (sdf[1] - raqqa[1]) ** 2) ** 0.5 < 200  # near its place
    assert pos["loner"][0] > max(pos[n][0] for n in places)  # on the band at the right
    assert _geo_layout(nx.MultiDiGraph()) is None


# ---------------------------------------------------------------- the seeds, end to end


@pytest.fixture(scope="module")
def seeds_page(seeds_build) -> Path:
    return seeds_build / "graph.html"


def seeds_edge(page, subject: str, relation: str, obj: str) -> str:
    return page.evaluate("""([s, r, o]) => Object.keys(kgRelations).find(id => {
            const rel = kgRelations[id];
            return rel.relation === r && [rel.from, rel.to].sort().join() === [s, o].sort().join();
        })""", [ENT + subject, relation, ENT + obj])


@pytest.mark.slow
@pytest.mark.browser
def test_seeds_page_loads_with_the_graphs_counts(browser_page, seeds_build, seeds_page):
    nxg = graph_to_networkx(rdflib.Graph().parse(seeds_build / "graph.ttl"))
    page = open_page(browser_page, seeds_page)
    counts = page.evaluate("""() => ({nodes: kgNetwork.body.data.nodes.length,
        edges: kgNetwork.body.data.edges.length, drawn: Object.keys(kgNetwork.getPositions()).length})""")
    n, e = nxg.number_of_nodes(), nxg.number_of_edges()
    assert counts == {"nodes": n, "edges": e, "drawn": n}
    assert page.locator("#kg-status").inner_text() == f"Showing {n} of {n} entities, {e} of {e} relations"
    assert browser_page.errors == [] and browser_page.blocked == []
    assert browser_page.requests == [seeds_page.as_uri()]


@pytest.mark.slow
@pytest.mark.browser
def test_seeds_click_on_the_truce_edge_shows_its_sentence(browser_page, seeds_page):
    page = open_page(browser_page, seeds_page)
    eid = seeds_edge(page, "sdf", "truce_with", "isis")
    assert eid, "no SDF-ISIS truce_with edge in the seeds graph"
    # zoom on the edge, then click the middle of its line
    x, y = page.evaluate("""id => {
        const edge = kgNetwork.body.edges[id];
        kgNetwork.fit({nodes: [edge.fromId, edge.toId], animation: false});
        const mid = edge.edgeType.getPoint(0.5);
        const dom = kgNetwork.canvasToDOM(mid);
        const box = document.getElementById("kg-graph").getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y];
    }""", eid)
    # as a user's pointer does: arrive on the line (its label shows on top of
    # any other edge's label there), then click
    page.mouse.move(x, y)
    page.wait_for_function("id => 'e:' + id in kgDrawnLabels().boxes", arg=eid)
    page.mouse.click(x, y)
    page.wait_for_selector("#kg-panel:not([hidden])")
    assert page.evaluate("kgNetwork.getSelectedEdges()") == [eid]
    text = panel_text(page)
    assert "have reached a one-month truce with the Islamic State" in text
    assert "001_" in text and "truce with" in page.locator("#kg-panel h2").inner_text()
    assert browser_page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_seeds_filters_hide_edges(browser_page, seeds_page):
    page = open_page(browser_page, seeds_page)
    total = page.evaluate("kgVisibleCounts()")["edges"]
    page.uncheck("input[data-family=territory]")
    no_territory = page.evaluate("kgVisibleCounts()")["edges"]
    assert 0 < no_territory < total
    page.check("input[data-family=territory]")
    page.uncheck("input[data-relation=truce_with]")
    assert page.evaluate("kgVisibleCounts()")["edges"] == total - 1
    page.check("input[data-relation=truce_with]")
    first = page.evaluate("document.querySelectorAll('#kg-doc option')[1].value")
    page.select_option("#kg-doc", first)
    one_doc = page.evaluate("kgVisibleCounts()")["edges"]
    assert 0 < one_doc < total
    assert browser_page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_seeds_map_puts_damascus_south_west_of_raqqa(browser_page, seeds_page):
    page = open_page(browser_page, seeds_page)
    assert page.evaluate("kgSetLayout('geo')") is True
    pos = page.evaluate("kgNetwork.getPositions()")
    damascus, raqqa = pos[ENT + "damascus"], pos[ENT + "raqqa"]
    assert damascus["x"] < raqqa["x"] and damascus["y"] > raqqa["y"]
    assert browser_page.errors == []


@pytest.fixture(scope="module")
def large_html(tmp_path_factory) -> Path:
    """900 relations: past the page's limit for drawing edge labels up front."""
    lines = ["@prefix kgo: <https://w3id.org/kg-conflict/ontology#> .",
             "@base <https://w3id.org/kg-conflict/id/> ."]
    for hub in range(30):
        lines.append(f"<entity/g{hub}> a kgo:ArmedGroup .")
        for leaf in range(30):
            lines.append(f"<entity/g{hub}> kgo:controls <entity/p{(hub * 7 + leaf) % 400}> .")
    out = tmp_path_factory.mktemp("large") / "graph.html"
    render_html(rdflib.Graph().parse(data="\n".join(lines), format="turtle"), out)
    return out


@pytest.mark.browser
def test_large_graph_gets_edge_labels_when_zoomed_in(browser_page, large_html):
    page = open_page(browser_page, large_html)
    assert page.evaluate("kgEdges.length") == 900
    assert page.evaluate("kgDrawnLabels().edges.length") == 0
    assert page.evaluate("kgNetwork.getScale()") < 0.55
    box = page.locator("#kg-graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(40):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(30)
        if page.evaluate("kgNetwork.getScale()") >= 0.55:
            break
    page.wait_for_function("kgDrawnLabels().edges.length > 0")
    labels = page.evaluate("kgDrawnLabels().edges.map(id => kgEdgeLabel(id))")
    assert set(labels) == {"controls"}
    assert browser_page.errors == []
