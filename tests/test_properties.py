"""Property-based tests (hypothesis) of what must hold for any input.

* ingest: any bytes give a Document or an IngestError, never an exception,
  and ``body`` always has the length of ``text``;
* IRI minting: any string gives an IRI that pyoxigraph accepts;
* serialization: any text, through titles, paths, labels and evidence, gives
  Turtle that strict pyoxigraph parses into the very graph rdflib holds;
* the graph page: any text comes back intact from its JSON blob, which never
  holds ``<``, ``>`` or ``&``;
* chunking: parts cover the text, in order, within the limit.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kg.chunking import split_spans
from kg.ingest import _doc_id, decode_bytes, printable_path, read_document
from kg.rdf import GraphBuilder, clean_literal, turtle_bytes
from kg.records import Claim, Document, Entity, IngestError, Span
from kg.store import document_graph, to_oxigraph
from kg.vocab import (agreement_iri, document_iri, entity_iri, evidence_iri, normalise_space, occurrence_iri,
                      safe_segment, slug,
                      statement_iri)

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Any Unicode, lone surrogates and control characters included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
#: Text with what news pages and hostile inputs hold: markup, quotes, escapes, newlines.
tricky_text = st.lists(
    st.one_of(st.characters(codec=None, exclude_categories=()),
              st.sampled_from(['"', "'", '"""', "\\", "\r", "\n", "\r\n", "<", ">", "&", "</script>",
                               "\u2028", "\u2029", "\ufeff", "\ufffd", "\ud800", "\udfff", "\x00", "\x7f",
                               "\x85", "\ufffe", "\U0010ffff", "@prefix", "#", "%", ".", ";", " "])),
    max_size=30).map("".join)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("props")


# ---------------------------------------------------------------------------
# ingest
# ---------------------------------------------------------------------------

html_like = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[",
                     "<div class='share'>", "</div>", "&amp;", "&#0;", "&#xD800;", "&#x110000;", "&",
                     "<title>", "</title>", "<h1>", "<br/>", "<", ">", "\n", "\r\n", "<!doctype html>",
                     "<meta name='date' content='2018-02-30'>", "<time datetime='x'>"]),
    st.text(max_size=12)), max_size=30).map("".join)


def check_document(item, data: bytes) -> None:
    assert isinstance(item, (Document, IngestError))
    if isinstance(item, IngestError):
        assert item.reason and "\n" not in str(item)
        return
    assert len(item.body) == len(item.text)
    for t, b in zip(item.text, item.body):  # body is text with some characters blanked
        assert b == t or b.isspace()
    controls = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
    assert not re.search(controls, item.text)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return  # UTF-16/32: decoded as such
    try:
        clean = data.decode("utf-8")
    except UnicodeDecodeError:  # every replacement is counted
        assert item.replaced_chars >= 1
    else:
        assert item.replaced_chars == len(re.findall(controls, clean))


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".html"]))
def test_any_bytes_give_a_document_or_an_error(folder, data, suffix):
    path = folder / f"in{suffix}"
    path.write_bytes(data)
    check_document(read_document(path), data)


@SETTINGS
@given(text=st.one_of(html_like, tricky_text),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1"]),
       suffix=st.sampled_from([".txt", ".html"]))
def test_any_text_in_any_encoding_gives_a_document_or_an_error(folder, text, encoding, suffix):
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    path = folder / f"enc{suffix}"
    path.write_bytes(data)
    item = read_document(path)
    check_document(item, data)
    if isinstance(item, Document) and encoding in ("utf-8", "utf-8-sig") and text.isprintable() \
            and "\ufeff" not in text:
        assert item.text == text  # valid input is kept exactly, offsets included


@SETTINGS
@given(data=st.binary(max_size=200))
def test_decode_never_fails_but_with_a_reason(data):
    try:
        text, warnings = decode_bytes(data)
    except ValueError as exc:
        assert str(exc).startswith(("empty file", "binary file"))
    else:
        assert text.strip() and all("\n" not in w for w in warnings)


@SETTINGS
@given(name=any_text.filter(lambda s: s not in ("", ".", "..")))
def test_any_file_name_gives_a_safe_id_and_a_printable_path(name):
    doc_id = _doc_id(Path(name.replace("/", "_")))
    assert re.fullmatch(r"[A-Za-z0-9._-]+", doc_id)
    shown = printable_path(name)
    assert shown.isprintable() and printable_path(shown) == shown


# ---------------------------------------------------------------------------
# IRIs
# ---------------------------------------------------------------------------

@SETTINGS
@given(text=any_text, other=any_text, start=st.integers(0, 10**9), end=st.integers(0, 10**9))
def test_any_string_mints_a_valid_iri(text, other, start, end):
    iris = [entity_iri(text), document_iri(text), evidence_iri(text, qualifier=other), occurrence_iri(text, start, end),
            agreement_iri(text, start), statement_iri(text, other, text), document_graph(text)]
    for iri in iris:
        ox.NamedNode(str(iri))  # raises ValueError on an invalid IRI
        assert re.fullmatch(r"https://w3id\.org/kg-conflict/id/[A-Za-z0-9._~/-]+", str(iri))
    assert re.fullmatch(r"[a-z0-9_]+", slug(text)) and slug(slug(text)) == slug(text)
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", safe_segment(text))


@SETTINGS
@given(a=any_text, b=any_text)
def test_different_names_in_other_scripts_do_not_share_an_entity(a, b):
    """slug drops what has no ASCII form, but never merges names whose letters differ."""
    import unicodedata

    def letters(s: str) -> str:
        folded = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
        return unicodedata.normalize("NFC", "".join(c for c in folded if c.isalnum())).casefold()

    assume(letters(a) != letters(b) and not letters(a + b).isascii())
    assert slug(a) != slug(b)


# ---------------------------------------------------------------------------
# serialization
# ---------------------------------------------------------------------------

def oxigraph_triples(graph: rdflib.Graph) -> set:
    return {ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph}


@SETTINGS
@given(doc_id=tricky_text, path=tricky_text, title=tricky_text, publisher=tricky_text,
       sentence=tricky_text, label=tricky_text, alias=tricky_text, speaker=tricky_text)
def test_any_text_serializes_to_turtle_that_strict_parsers_read_back(
        doc_id, path, title, publisher, sentence, label, alias, speaker):
    doc = Document(id=doc_id or "d", path=path, text=sentence, body=sentence, title=title or None,
                   publisher=publisher or None, sha256="0" * 64, date="2018-01-02")
    entities = {
        "a": Entity(id=label, label=label or "A", types=("ArmedGroup",)),
        "b": Entity(id="b", label="B", types=("State", "Place"), lat=35.5, long=-0.25),
        "s": Entity(id=speaker, label=speaker or "S", types=("Person",)),
    }
    claim = Claim("a", "attacked", "b", doc=doc.id, sentence=Span(0, len(sentence)), text=sentence,
                  rule=f"rule {alias}", modality="reported", speaker="s")
    builder = GraphBuilder()
    builder.add_document(doc)
    builder.add_claims([claim], entities, {"a": {alias, label}, "b": {alias}})
    graph = builder.finish()
    for _, _, o in graph:
        if isinstance(o, rdflib.Literal):
            assert str(o) == clean_literal(str(o))  # nothing unserialisable gets in
    ttl = turtle_bytes(graph)
    ttl.decode("utf-8")  # strict UTF-8: no lone surrogate written
    parsed = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE)}
    assert parsed == oxigraph_triples(graph)
    assert isomorphic(rdflib.Graph().parse(data=ttl, format="turtle"), graph)
    # and the N-Triples pyoxigraph writes say the same
    nt = ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES)
    assert isomorphic(rdflib.Graph().parse(data=nt, format="nt"), graph)


@SETTINGS
@given(text=any_text)
def test_clean_literal_keeps_length_and_drops_only_what_rdf_cannot_hold(text):
    cleaned = clean_literal(text)
    assert len(cleaned) == len(text)
    for before, after in zip(text, cleaned):
        assert after == before or after == " "
        if after != before:
            assert ord(before) < 0x20 or 0xD800 <= ord(before) <= 0xDFFF or before in "\ufffe\uffff"
    cleaned.encode("utf-8")


# ---------------------------------------------------------------------------
# the graph page
# ---------------------------------------------------------------------------

BLOB = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(label=tricky_text, sentence=tricky_text, title=tricky_text)
def test_any_text_comes_back_intact_from_the_page(folder, label, sentence, title):
    from kg.html import render_html

    label, sentence, title = clean_literal(label), clean_literal(sentence), clean_literal(title)
    assume(label.strip() and sentence.strip())
    doc = Document(id="d", path="d.txt", text=sentence, body=sentence, title=title or None)
    entities = {"a": Entity(id="a", label=label, types=("ArmedGroup",)),
                "b": Entity(id="b", label="B", types=("State",))}
    builder = GraphBuilder()
    builder.add_document(doc)
    builder.add_claims([Claim("a", "attacked", "b", doc="d", sentence=Span(0, len(sentence)),
                              text=sentence)], entities, {})
    page = folder / "graph.html"
    render_html(builder.finish(), page)
    html = page.read_text(encoding="utf-8")
    assert html.count("</script>") == 4 and not re.search(r"<img\b", html, re.I)
    blob = BLOB.search(html).group(1)
    assert not set("<>&") & set(blob)
    data = json.loads(blob)
    (relation,) = data["relations"].values()
    assert "".join(relation["evidence"][0]["parts"]) == normalise_space(sentence)  # the evidence's text
    assert data["entities"][str(entity_iri("a"))]["label"] == label


# ---------------------------------------------------------------------------
# chunking
# ---------------------------------------------------------------------------

@SETTINGS
@given(text=st.text(st.sampled_from("ab .!?\n\r\t\u2028x"), max_size=300), limit=st.integers(1, 60))
def test_parts_cover_the_text_in_order_within_the_limit(text, limit):
    spans = split_spans(text, limit)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(0 < b - a <= limit for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
