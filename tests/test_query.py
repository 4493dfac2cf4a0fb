"""Named queries, parameters, query checks, result formats and `kg query`."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef

from kg.cli import cli
from kg.errors import QueryError, QueryRefusedError
from kg.query import (Result, bind_values, check_query, format_result, list_queries, load_query,
                      parse_header, resolve_param, run_query)
from kg.vocab import KGO, entity_iri

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {"who-dealt-with-whom", "where-an-actor-went", "who-backs-whom", "evidence-for-triple",
            "claims-by-speaker", "denied-or-unconfirmed", "single-source-claims", "places-with-coordinates",
            "timeline", "as-of"}


@pytest.fixture(scope="session")
def seeds(seeds_build):
    return seeds_build / "store", rdflib.Graph().parse(seeds_build / "graph.ttl")


# --------------------------------------------------------------------------
# Named queries and their headers
# --------------------------------------------------------------------------

def test_the_named_queries_ship_with_headers():
    queries = {q.name: q for q in list_queries()}
    assert REQUIRED <= set(queries)
    for query in queries.values():
        assert query.title and query.description, query.name
        assert query.text.lstrip().startswith("# title:"), query.name
        check_query(query.text)  # each parses, none uses SERVICE or FROM
    assert [p.name for p in queries["who-dealt-with-whom"].params] == ["actor", "from", "to"]
    assert [p.name for p in queries["timeline"].params] == ["actor", "from", "to"]
    assert [p.name for p in queries["as-of"].params] == ["date", "place"]
    assert [p.name for p in queries["evidence-for-triple"].params] == ["subject", "relation", "object", "from", "to"]
    assert all(p.optional for q in queries.values() for p in q.params)


def test_header_parsing():
    q = parse_header("# title: T\n# description: first\n#   second\n# param: place - where\nSELECT * {}", "x")
    assert (q.title, q.description) == ("T", "first second")
    assert q.params[0].name == "place" and not q.params[0].optional


def test_unknown_query_name_lists_the_available_ones():
    with pytest.raises(QueryError, match="unknown query 'who-is-who'; available: .*who-dealt-with-whom"):
        load_query("who-is-who")
    with pytest.raises(QueryError):
        load_query("../secrets")


# --------------------------------------------------------------------------
# What is refused
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, reason", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "SPARQL Update"),
    ("DELETE WHERE { ?s ?p ?o }", "SPARQL Update"),
    ("LOAD <file:///etc/passwd>", "LOAD"),
    ("DROP ALL", "SPARQL Update"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x/> { ?s ?q ?r } } }", "SERVICE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }", "SERVICE"),
    ("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/x.ttl> WHERE { ?s ?p ?o }", "FROM"),
])
def test_updates_service_and_from_are_refused(text, reason):
    with pytest.raises(QueryRefusedError, match=reason):
        check_query(text)


def test_syntax_errors_are_query_errors():
    import pyoxigraph as ox

    from kg.query import execute

    with pytest.raises(QueryError, match="syntax error"):
        execute(ox.Store(), "SELECT * WHERE { ?s ?p }")  # found by the engine itself
    with pytest.raises(QueryError, match="syntax error: line 1, column 18: unterminated"):
        check_query('SELECT * WHERE { "a\nb" }')  # found before the engine reads it


def test_query_kinds():
    assert check_query("ASK { ?s ?p ?o }") == "ask"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }") == "graph"
    assert check_query("DESCRIBE <http://x>") == "graph"


# --------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------

def test_actor_params_accept_any_alias():
    for name in ("SDF", "Syrian Democratic Forces", "sdf", "the SDF"):
        assert resolve_param("actor", name) == entity_iri("sdf")
    for name in ("Daesh", "ISIS", "Islamic State"):
        assert resolve_param("actor", name) == entity_iri("isis")
    assert resolve_param("actor", "https://example.org/x") == URIRef("https://example.org/x")
    assert resolve_param("relation", "truce_with") == KGO.truce_with
    assert resolve_param("modality", "denied") == KGO.denied
    assert resolve_param("note", "x") == Literal("x")


def test_unknown_params_are_clear_errors():
    with pytest.raises(QueryError, match="unknown actor 'Zorglub'"):
        resolve_param("actor", "Zorglub")
    with pytest.raises(QueryError, match="unknown relation 'loves'"):
        resolve_param("relation", "loves")


def test_bind_values_is_a_trailing_values_clause():
    text = bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("http://x"), "o": Literal("a\"b")})
    assert text.endswith('VALUES (?s ?o) { (<http://x> "a\\"b") }\n')
    check_query(text)


def test_bind_values_goes_where_the_query_asks_so_that_filters_see_it():
    import pyoxigraph as ox

    from kg.query import date_param, execute

    text = ("SELECT ?d WHERE {\n  # --param values here\n  VALUES ?d { \"2017-01-05\"^^xsd:date \"2018-03-01\"^^xsd:date }\n"
            "  FILTER (!BOUND(?from) || ?d >= ?from)\n}")
    bound = bind_values(text, {"from": date_param("from", "2018")})
    assert "VALUES (?from)" in bound.splitlines()[1] and not bound.rstrip().endswith("}\n}")
    assert [str(r[0]) for r in execute(ox.Store(), bound).rows] == ["2018-03-01"]
    assert len(execute(ox.Store(), text).rows) == 2  # no parameter: no filter
    trailing = bind_values(text.replace("  # --param values here\n", ""), {"from": date_param("from", "2018")})
    assert len(execute(ox.Store(), trailing).rows) == 2  # a trailing VALUES comes after the FILTER: unfiltered


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------

SAMPLE = Result(columns=["who", "text", "n", "lang", "blank"],
                rows=[(entity_iri("sdf"), Literal('said "no",\tthen\nleft'), Literal(3), Literal("Daech", lang="fr"),
                       BNode("b1")),
                      (entity_iri("isis"), None, Literal(1), None, None)])


def test_csv_follows_sparql_csv():
    rows = list(csv.reader(io.StringIO(format_result(SAMPLE, "csv"))))
    assert rows[0] == SAMPLE.columns
    assert rows[1] == [str(entity_iri("sdf")), 'said "no",\tthen\nleft', "3", "Daech", "_:b1"]
    assert rows[2][1] == ""


def test_tsv_follows_sparql_tsv():
    lines = format_result(SAMPLE, "tsv").splitlines()
    assert lines[0] == "?who\t?text\t?n\t?lang\t?blank"
    cells = lines[1].split("\t")
    assert cells[0] == f"<{entity_iri('sdf')}>"
    assert cells[1] == '"said \\"no\\",\\tthen\\nleft"'
    assert cells[3] == '"Daech"@fr'
    assert len(lines) == 3


def test_json_follows_sparql_json():
    data = json.loads(format_result(SAMPLE, "json"))
    assert data["head"]["vars"] == SAMPLE.columns
    first, second = data["results"]["bindings"]
    assert first["who"] == {"type": "uri", "value": str(entity_iri("sdf"))}
    assert first["n"]["datatype"].endswith("#integer")
    assert first["lang"]["xml:lang"] == "fr" and first["blank"]["type"] == "bnode"
    assert "text" not in second
    assert json.loads(format_result(Result([], [], kind="ask", boolean=True), "json")) == {"head": {}, "boolean": True}


def test_xml_follows_sparql_xml():
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(format_result(SAMPLE, "xml"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == SAMPLE.columns
    results = root.findall("r:results/r:result", ns)
    assert len(results) == 2
    assert results[0].find("r:binding[@name='text']/r:literal", ns).text == 'said "no",\tthen\nleft'


def _parsed(text: str, fmt: str):
    """``text`` read back by rdflib's SPARQL results parser of ``fmt``."""
    from rdflib.query import Result as RdflibResult

    return RdflibResult.parse(io.BytesIO(text.encode("utf-8")), format=fmt)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_every_results_format_reads_back_as_the_same_solutions(fmt):
    """rdflib's parsers of the SPARQL 1.1 results formats read the rows back, in order, with every
    binding (CSV keeps only the values: SPARQL's CSV is lossy by design)."""
    rows = SAMPLE.rows + [(URIRef("https://e.org/x?a=1&b=%3C2%3E"), Literal("tab\there, \"q\"; <&>"),
                           Literal("2017-10-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
                           None, BNode("b1"))]
    parsed = _parsed(format_result(Result(SAMPLE.columns, rows), fmt), fmt)
    assert [str(v) for v in parsed.vars] == SAMPLE.columns
    got = [tuple(row) for row in parsed]
    assert len(got) == len(rows)
    for mine, theirs in zip(rows, got):
        for term, read in zip(mine, theirs):
            if term is None:
                assert read is None or (fmt == "csv" and str(read) == "")
            elif isinstance(term, BNode):
                assert isinstance(read, BNode) or fmt == "csv"
            elif fmt == "csv":
                assert str(read) == str(term)
            else:
                assert read == term, (fmt, term, read)
    if fmt in ("json", "xml", "tsv"):  # one blank node, the same in both rows that name it
        assert got[0][4] == got[2][4]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_answers_read_back(fmt):
    for value in (True, False):
        assert _parsed(format_result(Result([], [], kind="ask", boolean=value), fmt), fmt).askAnswer is value


def test_xml_results_hold_no_character_xml_cannot():
    text = format_result(Result(["x"], [(Literal("a\x01b\x0c"),)]), "xml")
    ET.fromstring(text)  # well-formed
    assert [str(row[0]) for row in _parsed(text, "xml")] == ["a b "]


def test_results_with_no_variables_or_no_rows():
    assert json.loads(format_result(Result([], [()]), "json"))["results"]["bindings"] == [{}]
    assert json.loads(format_result(Result(["x"], []), "json")) == {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def test_table_is_readable_and_cut():
    long = Result(columns=["x"], rows=[(Literal("y" * 500),)], truncated=True, max_rows=1)
    text = format_result(long, "table")
    assert "…" in text and "cut at 1" in text
    table = format_result(SAMPLE, "table")
    assert f"<{entity_iri('sdf')}>" in table and "kgr:entity/sdf" not in table and "(2 rows)" in table


# --------------------------------------------------------------------------
# The named queries on the seeds
# --------------------------------------------------------------------------

def rows_of(result) -> list[dict[str, str]]:
    return [{c: ("" if t is None else str(t)) for c, t in zip(result.columns, row)} for row in result.rows]


def normalised(rows, columns) -> list[tuple]:
    """Rows as comparable tuples (concatenated lists sorted, decimals canonical)."""
    out = []
    for row in rows:
        cells = []
        for column, value in zip(columns, row):
            text = "" if value is None else str(value)
            if column in {"kinds", "places", "dates", "documents", "names", "types"}:
                text = ",".join(sorted(x.strip() for x in text.replace(";", ",").split(",") if x.strip()))
            cells.append(text)
        out.append(tuple(cells))
    return sorted(out)


ISIS, SDF = str(entity_iri("isis")), str(entity_iri("sdf"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["claims-by-speaker", "denied-or-unconfirmed", "entities",
                                  "places-with-coordinates", "single-source-claims", "who-backs-whom"])
def test_named_queries_agree_with_rdflib_on_graph_ttl(seeds, name):
    store, graph = seeds
    query = load_query(name)
    ours = run_query(store, name)
    theirs = graph.query(query.text)
    assert ours.columns == [str(v) for v in theirs.vars]
    assert normalised(ours.rows, ours.columns) == normalised(list(theirs), ours.columns)


@pytest.mark.slow
def test_who_dealt_with_whom(seeds):
    store, _ = seeds
    result = run_query(store, "who-dealt-with-whom")
    assert result.columns == ["subject", "subjectLabel", "relation", "object", "objectLabel",
                              "kinds", "places", "first", "last", "documents", "evidence"]
    rows = rows_of(result)
    truce = [r for r in rows if {r["subject"], r["object"]} == {SDF, ISIS} and r["relation"] == str(KGO.truce_with)]
    assert truce, rows
    assert "001_a2f90259e8779014" in truce[0]["documents"]
    assert {r["relation"] for r in rows} <= {str(KGO[x]) for x in ("truce_with", "deal_with", "negotiated_with",
                                                                    "mediated")}
    only_sdf = rows_of(run_query(store, "who-dealt-with-whom", params={"actor": "US-backed Syrian Democratic Forces"}))
    assert only_sdf and all(SDF in (r["subject"], r["object"]) for r in only_sdf)
    assert [r for r in only_sdf if r in truce]
    assert len(only_sdf) < len(rows)


@pytest.mark.slow
def test_where_an_actor_went(seeds):
    store, graph = seeds
    result = run_query(store, "where-an-actor-went", params={"actor": "Daesh"})
    rows = rows_of(result)
    assert rows and all(r["actor"] == ISIS for r in rows)
    assert {r["relation"] for r in rows} <= {str(KGO[x]) for x in ("withdrew_from", "moved_to", "captured")}
    assert any(r["relation"] == str(KGO.withdrew_from) and r["placeLabel"] == "Raqqa" for r in rows)
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated)
    assert all(r["date"] for r in rows[:len(dated)])  # dated rows first
    everyone = rows_of(run_query(store, "where-an-actor-went"))
    expected = {(str(s), str(o)) for s, o in graph.query(
        "SELECT ?s ?o WHERE { VALUES ?p { kgo:withdrew_from kgo:moved_to kgo:captured } ?s ?p ?o }",
        initNs={"kgo": KGO})}
    assert {(r["actor"], r["place"]) for r in everyone} == expected


@pytest.mark.slow
def test_who_backs_whom(seeds):
    store, graph = seeds
    rows = rows_of(run_query(store, "who-backs-whom"))
    assert {(r["backer"], r["backed"]) for r in rows} == {(str(s), str(o)) for s, o in
                                                        graph.subject_objects(KGO.backs)}
    sources = [int(r["sources"]) for r in rows]
    assert sources == sorted(sources, reverse=True)


@pytest.mark.slow
def test_evidence_for_a_triple(seeds):
    store, _ = seeds
    params = {"subject": "SDF", "relation": "truce_with", "object": "ISIS"}
    rows = rows_of(run_query(store, "evidence-for-triple", params=params))
    assert rows and {r["document"] for r in rows} >= {"001_a2f90259e8779014"}
    assert all("truce" in r["text"].lower() or "truce" in r.get("title", "").lower() for r in rows)
    source = (ROOT / "seeds" / "001_a2f90259e8779014.txt").read_text(encoding="utf-8")
    for r in rows:
        if r["document"] == "001_a2f90259e8779014":
            assert source[int(r["begin"]):int(r["end"])] == r["text"]
    swapped = rows_of(run_query(store, "evidence-for-triple",
                                params={"subject": "Daesh", "relation": "truce_with", "object": "SDF"}))
    assert swapped == rows  # symmetric relations match either way


@pytest.mark.slow
def test_claims_by_speaker_and_modalities(seeds):
    store, graph = seeds
    result = run_query(store, "claims-by-speaker")
    assert result.columns == ["speaker", "speakerLabel", "subjectLabel", "relation", "objectLabel", "modality",
                              "date", "precision", "text", "document"]
    speakers = {r["speaker"] for r in rows_of(result)}
    for speaker in speakers:
        label = graph.value(URIRef(speaker), rdflib.RDFS.label)
        assert {r["speaker"] for r in rows_of(run_query(store, "claims-by-speaker",
                                                        params={"speaker": str(label)}))} == {speaker}
    denied = run_query(store, "denied-or-unconfirmed")
    assert denied.columns[:4] == ["subjectLabel", "relation", "objectLabel", "modality"]
    assert {r["modality"] for r in rows_of(denied)} <= {str(KGO.denied), str(KGO.unconfirmed)}


@pytest.mark.slow
def test_single_source_claims_have_one_source(seeds):
    store, graph = seeds
    rows = rows_of(run_query(store, "single-source-claims"))
    single = [s for s in graph.subjects(KGO.sourceCount, Literal(1))]
    assert len(rows) == len(single)
    assert all(int(r["evidence"]) >= 1 for r in rows)


@pytest.mark.slow
def test_places_with_coordinates(seeds):
    store, graph = seeds
    rows = rows_of(run_query(store, "places-with-coordinates"))
    raqqa = [r for r in rows if r["label"] == "Raqqa"]
    assert raqqa and abs(float(raqqa[0]["lat"]) - 35.95) < 0.01 and abs(float(raqqa[0]["long"]) - 39.01) < 0.01
    lat = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    assert len(rows) == len({s for s in graph.subjects(lat, None)})


# --------------------------------------------------------------------------
# kg query
# --------------------------------------------------------------------------

def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_kg_query_list():
    result = invoke("query", "--list")
    assert result.exit_code == 0
    for name in REQUIRED:
        assert name in result.output
    assert "who-dealt-with-whom [--param actor=...]" in result.output


def test_kg_query_needs_a_query():
    assert invoke("query").exit_code == 2
    assert invoke("query", "entities", "--sparql", "ASK {}").exit_code == 2
    assert invoke("query", "entities", "--param", "novalue").exit_code == 2


def test_kg_query_missing_store(tmp_path):
    result = invoke("query", "entities", "--store", str(tmp_path / "none"))
    assert result.exit_code == 1 and "no kg store here" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_kg_query_formats(seeds, fmt):
    store, _ = seeds
    result = invoke("query", "who-dealt-with-whom", "--store", str(store), "--format", fmt, "--param", "actor=SDF")
    assert result.exit_code == 0, result.output
    out = result.output
    if fmt == "json":
        bindings = json.loads(out)["results"]["bindings"]
        assert any(b["relation"]["value"] == str(KGO.truce_with) for b in bindings)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert any(r["relation"] == str(KGO.truce_with) and "001_a2f90259e8779014" in r["documents"] for r in rows)
    elif fmt == "tsv":
        assert out.startswith("?subject\t?subjectLabel\t?relation")
        assert f"<{KGO.truce_with}>" in out
    elif fmt == "xml":
        assert ET.fromstring(out).tag.endswith("sparql")
    else:
        assert "kgo:truce_with" in out and "Syrian Democratic Forces" in out


@pytest.mark.slow
def test_kg_query_errors_and_sources(seeds, tmp_path):
    store, _ = seeds
    unknown = invoke("query", "who-is-who", "--store", str(store))
    assert unknown.exit_code == 1 and "available: " in unknown.output
    nobody = invoke("query", "who-dealt-with-whom", "--store", str(store), "--param", "actor=Zorglub")
    assert nobody.exit_code == 1 and "unknown actor 'Zorglub'" in nobody.output
    wrong = invoke("query", "who-dealt-with-whom", "--store", str(store), "--param", "place=Raqqa")
    assert wrong.exit_code == 1 and "has no parameter 'place'" in wrong.output
    refused = invoke("query", "--store", str(store), "--sparql", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    assert refused.exit_code == 1 and "SERVICE is not allowed" in refused.output
    inline = invoke("query", "--store", str(store), "-f", "csv", "--sparql",
                    "SELECT ?l WHERE { ?place rdfs:label ?l }", "--param", "place=Raqqah")
    assert inline.exit_code == 0 and inline.output.splitlines() == ["l", "Raqqa"]
    rq = tmp_path / "mine.rq"
    rq.write_text("# title: Mine\n# description: d\n# param: actor — who\n"
                  "SELECT ?label WHERE { ?actor rdfs:label ?label }\n", encoding="utf-8")
    from_file = invoke("query", str(rq), "--store", str(store), "-f", "csv", "-p", "actor=Daesh")
    assert from_file.exit_code == 0 and from_file.output.splitlines() == ["label", "Islamic State"]
    construct = invoke("query", "--store", str(store), "-f", "turtle", "--sparql",
                       "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e rdfs:label ?l } LIMIT 2")
    assert construct.exit_code == 0 and "rdfs:label" in construct.output
    timed = invoke("query", "--store", str(store), "--timeout", "1", "--sparql",
                   "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert timed.exit_code == 1 and "time limit of 1 s" in timed.output


# --------------------------------------------------------------------------
# What kg query prints can be pasted back; every listed name is accepted
# --------------------------------------------------------------------------

def table_cells(text: str) -> list[list[str]]:
    """The cells of a ``table``, cut at the columns its dashes line marks."""
    lines = text.rstrip("\n").split("\n")
    spans, start = [], None
    for i, char in enumerate(lines[1] + " "):
        if char == "-" and start is None:
            start = i
        elif char != "-" and start is not None:
            spans.append((start, i))
            start = None
    return [[line[a:b].strip() if b != spans[-1][1] else line[a:].strip() for a, b in spans]
            for line in lines[2:-1]]


def assert_valid_terms(cells: list[list[str]], columns: int) -> None:
    """Every cell parses as an RDF term in a SPARQL VALUES clause, as it is printed."""
    import pyoxigraph as ox

    from kg.query import PREFIXES

    assert cells
    for row in cells:
        terms = " ".join(cell if cell else "UNDEF" for cell in row)
        names = " ".join(f"?v{i}" for i in range(columns))
        answer = list(ox.Store().query(f"SELECT * WHERE {{ VALUES ({names}) {{ ({terms}) }} }}",
                                       prefixes=PREFIXES))
        assert len(answer) == 1, row


@pytest.mark.slow
@pytest.mark.parametrize("name", ["who-dealt-with-whom", "entities", "timeline", "evidence-for-triple",
                                  "places-with-coordinates", "as-of"])
def test_table_and_tsv_terms_paste_back_into_sparql(seeds, name):
    store, _ = seeds
    out = invoke("query", name, "--store", str(store))
    assert out.exit_code == 0, out.output
    cells = table_cells(out.output)
    assert_valid_terms(cells, len(cells[0]))
    # a row's IRIs find the same row again when pasted into a query
    tsv = invoke("query", name, "--store", str(store), "-f", "tsv").output.splitlines()
    assert_valid_terms([line.split("\t") for line in tsv[1:]], len(tsv[0].split("\t")))
    first = next(cell for cell in cells[0] if cell.startswith("<https://w3id.org/kg-conflict/id/"))
    again = invoke("query", "--store", str(store), "-f", "csv", "--sparql",
                   f"SELECT (COUNT(*) AS ?n) WHERE {{ {first} ?p ?o }}")
    assert again.exit_code == 0 and int(again.output.splitlines()[1]) > 0, (first, again.output)


@pytest.mark.slow
def test_every_name_the_entities_query_lists_is_accepted(seeds):
    """--param actor= takes every label and other name the entities query lists, and gives its entity."""
    from kg.store import Store

    store_path, _ = seeds
    listed = run_query(store_path, "entities")
    assert len(listed.rows) > 20
    checked = 0
    with Store.open(store_path, read_only=True) as store:
        names: dict[str, set] = {}
        for entity, label, _types, others in listed.rows:
            for name in [str(label), *(str(others).split("; ") if others is not None else [])]:
                names.setdefault(name.casefold(), set()).add(entity)
        for entity, label, _types, others in listed.rows:
            for name in [str(label), *(str(others).split("; ") if others is not None else [])]:
                if len(names[name.casefold()]) > 1:
                    with pytest.raises(QueryError, match="ambiguous"):
                        resolve_param("actor", name, store=store)
                else:
                    assert resolve_param("actor", name, store=store) == entity, name
                checked += 1
    assert checked > 60
    # "Washington" is a name of the United States in this graph (the dictionaries' city is not in it)
    out = invoke("query", "who-dealt-with-whom", "--store", str(store_path), "-f", "csv", "-p", "actor=Washington")
    assert out.exit_code == 0 and len(out.output.splitlines()) > 1


@pytest.mark.slow
def test_a_name_that_matches_nothing_is_one_line_not_an_empty_result(seeds):
    store, _ = seeds
    for name, message in (("Mosul", "no actor of the graph is named 'Mosul'"),  # in the dictionaries only
                          ("Zorglub", "unknown actor 'Zorglub'"),
                          ("https://w3id.org/kg-conflict/id/entity/nowhere", "no actor of the graph")):
        out = invoke("query", "who-dealt-with-whom", "--store", str(store), "-p", f"actor={name}")
        assert out.exit_code == 1 and message in out.output, out.output
        assert len(out.output.strip().splitlines()) == 1 and out.output.startswith("kg: error: ")


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("ntriples", "nt"),
                                                     ("rdfxml", "xml"), ("jsonld", "json-ld")])
def test_kg_query_graph_formats(seeds, fmt, rdflib_format):
    store, _ = seeds
    sparql = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kgo:ArmedGroup ; rdfs:label ?l }"
    out = invoke("query", "--store", str(store), "-f", fmt, "--sparql", sparql)
    assert out.exit_code == 0, out.output
    graph = rdflib.Graph().parse(data=out.output, format=rdflib_format)
    assert (entity_iri("sdf"), rdflib.RDFS.label, Literal("Syrian Democratic Forces")) in graph


# --------------------------------------------------------------------------
# Pages (--limit / --offset) and name keys
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(q.name for q in list_queries()))
def test_pages_follow_the_whole_listing_in_order(seeds, name):
    from kg.query import run_query

    store, _graph = seeds
    whole = run_query(store, name).rows
    size = max(1, len(whole) // 3)
    pages = [run_query(store, name, limit=size, offset=start).rows for start in range(0, len(whole) + size, size)]
    assert [row for page in pages for row in page] == whole
    assert all(len(page) <= size for page in pages) and pages[-1] == []
    assert run_query(store, name, offset=len(whole)).rows == []


def test_limit_and_offset_on_the_command_line(seeds):
    store, _graph = seeds
    runner = CliRunner()
    whole = runner.invoke(cli, ["query", "entities", "--store", str(store), "-f", "csv"])
    page = runner.invoke(cli, ["query", "entities", "--store", str(store), "-f", "csv", "--limit", "2", "--offset", "3"])
    assert whole.exit_code == 0 and page.exit_code == 0, page.output
    header, *rows = whole.output.splitlines()
    assert page.output.splitlines() == [header, *rows[3:5]]
    own = runner.invoke(cli, ["query", "--store", str(store), "--sparql", "SELECT ?s { ?s ?p ?o } LIMIT 3",
                              "--limit", "2"])
    assert own.exit_code == 1 and "own LIMIT or OFFSET" in own.output
    negative = runner.invoke(cli, ["query", "entities", "--store", str(store), "--limit", "-1"])
    assert negative.exit_code == 2


def test_every_name_of_an_entity_has_its_key(seeds):
    """--param actor=... finds entities by kgo:nameKey: one per label and alias, lower-cased."""
    from kg.query import run_query

    store, graph = seeds
    names = {(str(s), str(o).lower()) for p in (rdflib.RDFS.label, rdflib.SKOS.altLabel)
             for s, o in graph.subject_objects(p)}
    keys = {(str(s), str(o)) for s, o in graph.subject_objects(KGO.nameKey)}
    assert keys == names and keys
    stored = run_query(store, "SELECT ?e ?k WHERE { ?e kgo:nameKey ?k }").rows
    assert {(str(e), str(k)) for e, k in stored} == keys
    assert run_query(store, "who-backs-whom", params={"actor": "SYRIAN DEMOCRATIC FORCES"}).rows == \
        run_query(store, "who-backs-whom", params={"actor": "sdf"}).rows


# --------------------------------------------------------------------------
# Pages walked entity by entity (kg.pages, ranks of kg.order)
# --------------------------------------------------------------------------

PAGED = sorted(q.name for q in list_queries() if "# page:" in q.text)


def test_the_paged_queries_are_the_large_listings():
    assert set(PAGED) == {"as-of", "claims-by-speaker", "denied-or-unconfirmed", "evidence-for-triple",
                          "single-source-claims", "timeline", "where-an-actor-went", "who-dealt-with-whom"}


@pytest.mark.parametrize("name", PAGED)
def test_walked_pages_are_the_order_by_order_on_a_generated_graph(generated_store, name):
    """The pages a walk gives (ranks of kg.order, one entity group at a time) are the rows of the
    query's own ORDER BY, whole, in its order: at several page sizes and offsets (pages of 5 and 13
    rows through the whole listing, of one row at each offset of its start and end), and for a page
    of everything. And they are walked: the store has the ranks, so no page is cut the slow way."""
    from kg import pages
    from kg.query import ENTITY_PARAMS, drop_unbound_lines
    from kg.store import Store

    query = load_query(name)
    with Store.open(generated_store, read_only=True) as store:
        whole = run_query(store, name).rows
        assert len(whole) > 10, "the generated graph gives every paged query rows"
        unbound = drop_unbound_lines(query.text, {})
        walk = pages.plan(unbound, query.text, {}, 7, 3, ENTITY_PARAMS)
        walked = pages.run_walk(lambda text: store.query(text), walk, {})
        assert walked is not None and walked.rows == whole[3:10]
        for first, largest in ((1, 1), (1, 2), (2, 3)):  # many small runs: their joins must be exact
            for start, size in ((0, len(whole)), (1, 9), (len(whole) // 2, 11)):
                small = pages.run_walk(lambda text: store.query(text), pages.plan(
                    unbound, query.text, {}, size, start, ENTITY_PARAMS), {}, first=first, largest=largest)
                assert small.rows == whole[start:start + size]
        for size in (5, 13):
            rows = []
            for start in range(0, len(whole) + size, size):
                rows += run_query(store, name, limit=size, offset=start).rows
            assert rows == whole
        # pages of one row at every offset of the first 20 rows and of the last 6 (and past the end):
        # one query each, the test's largest cost when it went through all 200 or so
        starts = sorted(set(range(min(20, len(whole)))) | set(range(max(0, len(whole) - 6), len(whole) + 2)))
        assert [run_query(store, name, limit=1, offset=start).rows for start in starts] == \
            [whole[start:start + 1] for start in starts]
        assert run_query(store, name, limit=len(whole) + 5).rows == whole


def test_a_walk_keeps_date_parameters_and_leaves_entity_parameters_to_the_query(generated_store):
    from kg.store import Store

    with Store.open(generated_store, read_only=True) as store:
        whole = run_query(store, "timeline", params={"from": "2016-02"}).rows
        assert whole and run_query(store, "timeline", params={"from": "2016-02"}, limit=4, offset=2).rows == whole[2:6]
        actor = run_query(store, "evidence-for-triple", params={"subject": "A3"}).rows
        assert run_query(store, "evidence-for-triple", params={"subject": "A3"}, limit=2).rows == actor[:2]


def test_ranks_live_in_the_store_only_and_follow_every_change(generated_store, tmp_path):
    """The ranks are in the named graph kgr:order, never in the default graph (so never in graph.ttl);
    a removal drops them with its change and writes the ranks of what is left; without ranks a
    page is cut the slow way, with the same rows."""
    import shutil

    from kg.order import rank_quads
    from kg.store import Store
    from kg.vocab import ORDER_GRAPH

    path = tmp_path / "store"
    shutil.copytree(generated_store, path)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ORDER_GRAPH}> {{ ?s ?p ?o }} }}"
    with Store.open(path) as store:
        assert int(store.query(count).rows[0][0]) > 100
        assert not store.query("ASK { ?s kgo:subjectRank ?r }").boolean  # not in the default graph
        victim = store.graph_names()[0]
        store.remove_document(victim)
        stored = {(str(q.subject), str(q.predicate), str(q.object)) for q in
                  store._store().quads_for_pattern(None, None, None, __import__("pyoxigraph").NamedNode(str(ORDER_GRAPH)))}
        assert stored == {(str(q.subject), str(q.predicate), str(q.object)) for q in rank_quads(store._store())}
        whole = run_query(store, "who-dealt-with-whom").rows
        store._store().update(f"DROP GRAPH <{ORDER_GRAPH}>")
        assert run_query(store, "who-dealt-with-whom", limit=3, offset=1).rows == whole[1:4]


def test_a_node_with_two_names_gets_no_rank():
    import pyoxigraph as ox

    from kg.order import rank_quads

    store = ox.Store()
    store.update("""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        INSERT DATA { <x:s> a rdf:Statement ; rdf:subject <x:a> ; rdf:predicate <x:p> . <x:a> rdfs:label "A", "B" .
                      <x:t> a rdf:Statement ; rdf:subject <x:b> ; rdf:predicate <x:p> . <x:b> rdfs:label "C" }""")
    predicates = {q.predicate.value.rsplit("#", 1)[1] for q in rank_quads(store)}
    assert "subjectRank" not in predicates and "statementRank" not in predicates
