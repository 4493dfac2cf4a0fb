"""Dates in the graph: documents, evidence (on each occurrence of a sentence: its
date is resolved against its own document's), agreements, statements' first and
last evidence dates (a derived-triple rule, kg/queries/build/derived/, the same
on an rdflib graph and in a store); and a build of small articles written here.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Literal, Namespace
from rdflib.namespace import DCTERMS, PROV

from kg.derived import add_derived, derive
from kg.rdf import GraphBuilder, oxigraph_copy, turtle_bytes
from kg.records import Agreement, Claim, Document, Entity, EventDate, Span
from kg.vocab import KGO, KGR, TIME, agreement_iri, occurrence_iri, statement_iri

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest inspects this module
ENTITIES = {"sdf": Entity("sdf", "Syrian Democratic Forces", ("ArmedGroup",)),
            "isis": Entity("isis", "Islamic State", ("ArmedGroup",)),
            "raqqa": Entity("raqqa", "Raqqa", ("Place",))}
SUNDAY = "The SDF captured Raqqa on Sunday."
LATER = "The SDF captured Raqqa again."
TRUCE = "The SDF and ISIS agreed a truce."


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def _fragment(doc_id: str, published: str | None, dates: dict) -> rdflib.Graph:
    text = " ".join((SUNDAY, LATER, TRUCE))
    doc = Document(id=doc_id, path=f"{doc_id}.txt", text=text, body=text, date=published,
                   date_source="date-line" if published else None)
    spans = [Span(0, len(SUNDAY)), Span(len(SUNDAY) + 1, len(SUNDAY) + 1 + len(LATER))]
    truce = Span(spans[1].end + 1, len(text))
    claims = [Claim("sdf", "captured", "raqqa", doc=doc_id, sentence=s, text=s.slice(text)) for s in spans]
    claims.append(Claim("sdf", "truce_with", "isis", doc=doc_id, sentence=truce, text=truce.slice(text)))
    agreement = Agreement(doc=doc_id, sentence=truce, text=truce.slice(text), kind="truce",
                          parties=("sdf", "isis"), anchor=truce.start + 26)
    builder = GraphBuilder()
    builder.add_document(doc)
    by_span = {spans[0]: dates.get(0), spans[1]: dates.get(1), truce: dates.get(2)}
    by_span = {k: v for k, v in by_span.items() if v is not None}
    builder.add_claims(claims, ENTITIES, {}, dates=by_span)
    builder.add_agreements([agreement], ENTITIES, {}, dates=by_span)
    return builder.graph


def test_evidence_agreement_and_document_dates():
    g = _fragment("d1", "2017-10-18", {0: EventDate("2017-10-15", "day", "stated", "Sunday"),
                                       1: EventDate("2017-10-18", "day", "inherited"),
                                       2: EventDate("2017-10-01", "month", "stated", "in October")})
    first = occurrence_iri("d1", 0, len(SUNDAY))
    assert g.value(first, KGO.eventDate) == _date("2017-10-15")
    assert g.value(first, KGO.datePrecision) == TIME.unitDay
    assert g.value(first, KGO.dateSource) == Literal("stated")
    assert g.value(first, KGO.timeExpression) == Literal("Sunday")
    second = occurrence_iri("d1", len(SUNDAY) + 1, len(SUNDAY) + 1 + len(LATER))
    assert g.value(second, KGO.dateSource) == Literal("inherited")
    assert g.value(second, KGO.timeExpression) is None
    doc = KGR["document/d1"]
    assert (g.value(doc, DCTERMS.date), g.value(doc, KGO.dateSource)) == (_date("2017-10-18"), Literal("date-line"))
    agreement = next(g.subjects(RDF.type, KGO.Agreement))
    assert g.value(agreement, DCTERMS.date) == _date("2017-10-01")
    assert g.value(agreement, KGO.datePrecision) == TIME.unitMonth
    assert g.value(agreement, KGO.dateSource) == Literal("stated")


def test_unresolved_evidence_has_no_date():
    g = _fragment("d2", None, {0: EventDate(None, None, "unresolved", "Sunday")})
    first = occurrence_iri("d2", 0, len(SUNDAY))
    assert g.value(first, KGO.eventDate) is None and g.value(first, KGO.datePrecision) is None
    assert g.value(first, KGO.dateSource) == Literal("unresolved")
    assert g.value(first, KGO.timeExpression) == Literal("Sunday")
    assert not list(g.triples((None, DCTERMS.date, None)))  # neither the document nor the agreement


def _union() -> rdflib.Graph:
    union = rdflib.Graph()
    for triple in _fragment("d1", "2017-10-18", {0: EventDate("2017-10-15", "day", "stated", "Sunday"),
                                                 1: EventDate("2017-10-18", "day", "inherited")}):
        union.add(triple)
    for triple in _fragment("d2", "2017-11-02", {0: EventDate("2017-09-01", "month", "stated", "in September"),
                                                 1: EventDate("2017-11-02", "day", "inherited")}):
        union.add(triple)
    for triple in _fragment("d3", None, {0: EventDate(None, None, "unresolved", "Sunday")}):
        union.add(triple)
    return union


def test_first_and_last_evidence_dates_of_a_statement():
    g = add_derived(_union())
    captured = statement_iri("sdf", "captured", "raqqa")
    assert g.value(captured, KGO.firstEvidenceDate) == _date("2017-09-01")
    assert g.value(captured, KGO.lastEvidenceDate) == _date("2017-11-02")
    # the three documents print the same two sentences: two pieces of evidence, three sources
    assert (int(g.value(captured, KGO.evidenceCount)), int(g.value(captured, KGO.sourceCount))) == (2, 3)
    truce = statement_iri("isis", "truce_with", "sdf")
    assert (truce, RDF.type, RDF.Statement) in g
    assert g.value(truce, KGO.firstEvidenceDate) is None  # no truce sentence is dated
    # recomputed, not added to: deriving twice changes nothing
    assert set(add_derived(g)) == set(g)


def test_python_and_store_compute_the_same_dates():
    union = _union()
    store = oxigraph_copy(union)
    derive(store)
    derive(store)  # replaced, not repeated
    assert turtle_bytes(store) == turtle_bytes(add_derived(union))


def test_dropping_evidence_moves_the_first_date():
    """The dates are derived again from what the store holds, as the counts are."""
    store = oxigraph_copy(_union())
    derive(store)
    for quad in list(store.quads_for_pattern(None, ox.NamedNode(str(KGO.occurrence)), None)):
        if "/occurrence/d2/" in quad.object.value:  # d2's copies of the sentences
            store.remove(quad)
    derive(store)
    captured = ox.NamedNode(str(statement_iri("sdf", "captured", "raqqa")))
    first = list(store.quads_for_pattern(captured, ox.NamedNode(str(KGO.firstEvidenceDate)), None,
                                         ox.DefaultGraph()))
    assert [q.object.value for q in first] == ["2017-10-15"]


def test_agreement_iri_is_unchanged_by_dates():
    g = _fragment("d1", "2017-10-18", {2: EventDate("2017-10-18", "day", "inherited")})
    assert (agreement_iri("d1", len(SUNDAY) + len(LATER) + 2 + 26), RDF.type, KGO.Agreement) in g


ARTICLES = {
    "dated.txt": ("Sunday, October 15, 2017\n\nSDF takes Raqqa\n\n"
                  "The Syrian Democratic Forces captured Raqqa from Islamic State on Sunday, a spokesman said.\n\n"
                  "Islamic State fighters withdrew from Tabqa last week, the SDF said.\n\n"
                  "The SDF and Islamic State agreed a truce in Hasaka province.\n"),
    "undated.txt": ("SDF advances\n\n"
                    "The Syrian Democratic Forces captured Tabqa from Islamic State on Saturday, a spokesman said.\n\n"
                    "Islamic State seized Raqqa in January 2014, residents said.\n"),
    "later.txt": ("date 2018-02-03\n\nGovernment retakes Tabqa\n\n"
                  "The Syrian army captured Tabqa from the SDF on Thursday, state media said.\n\n"
                  "The Syrian Democratic Forces withdrew from Tabqa, a monitor said.\n"),
}


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    import kg

    src = tmp_path_factory.mktemp("when-src")
    for name, text in ARTICLES.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("when-out")
    kg.build([src], out)
    return src, out


def _evidence_dates(graph: rdflib.Graph) -> dict[str, tuple]:
    """Each sentence's date where it stands (each is in one document here)."""
    out = {}
    for where in graph.subjects(RDF.type, KGO.Occurrence):
        text = str(graph.value(where, KGO.text))
        out[text] = tuple(None if v is None else str(v).rsplit("#", 1)[-1] for v in (
            graph.value(where, KGO.eventDate), graph.value(where, KGO.datePrecision),
            graph.value(where, KGO.dateSource), graph.value(where, KGO.timeExpression)))
    return out


@pytest.mark.slow
def test_a_build_dates_its_evidence(small_build):
    _src, out = small_build
    g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    dates = _evidence_dates(g)
    assert dates["The Syrian Democratic Forces captured Raqqa from Islamic State on Sunday, a spokesman said."] \
        == ("2017-10-15", "unitDay", "stated", "Sunday")
    assert dates["Islamic State fighters withdrew from Tabqa last week, the SDF said."] \
        == ("2017-10-02", "unitWeek", "stated", "last week")  # the week before Sunday 15's
    assert dates["The SDF and Islamic State agreed a truce in Hasaka province."] \
        == ("2017-10-15", "unitDay", "inherited", None)
    # no publication date: a weekday is unresolved, an explicit month is not
    assert dates["The Syrian Democratic Forces captured Tabqa from Islamic State on Saturday, a spokesman said."] \
        == (None, None, "unresolved", "Saturday")
    assert dates["Islamic State seized Raqqa in January 2014, residents said."] \
        == ("2014-01-01", "unitMonth", "stated", "January 2014")
    assert dates["The Syrian army captured Tabqa from the SDF on Thursday, state media said."] \
        == ("2018-02-01", "unitDay", "stated", "Thursday")
    docs = {str(g.value(d, DCTERMS.identifier)): (g.value(d, DCTERMS.date), g.value(d, KGO.dateSource))
            for d in g.subjects(RDF.type, KGO.Document)}
    assert docs == {"dated": (_date("2017-10-15"), Literal("date-line")), "undated": (None, None),
                    "later": (_date("2018-02-03"), Literal("iso-line"))}
    (agreement,) = g.subjects(RDF.type, KGO.Agreement)
    assert str(g.value(agreement, DCTERMS.date)) == "2017-10-15"
    assert g.value(agreement, KGO.dateSource) == Literal("inherited")
    captured = [s for s in g.subjects(RDF.predicate, KGO.captured)
                if str(g.value(s, RDF.object)).endswith("/raqqa")]
    assert captured
    for statement in captured:
        evidence = {str(g.value(where, KGO.eventDate)) for ev in g.objects(statement, PROV.wasDerivedFrom)
                    for where in g.objects(ev, KGO.occurrence) if g.value(where, KGO.eventDate) is not None}
        assert str(g.value(statement, KGO.firstEvidenceDate)) == min(evidence)
        assert str(g.value(statement, KGO.lastEvidenceDate)) == max(evidence)


@pytest.mark.slow
def test_the_same_inputs_give_the_same_bytes(small_build, tmp_path):
    import kg

    src, out = small_build
    again = tmp_path / "again"
    kg.build([src], again)
    assert (again / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()
    assert (again / "graph.html").read_bytes() == (out / "graph.html").read_bytes()


def test_ontology_declares_every_time_term():
    onto = rdflib.Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "kg.ttl")
    for term in ("eventDate", "datePrecision", "dateSource", "timeExpression", "firstEvidenceDate",
                 "lastEvidenceDate"):
        assert (KGO[term], RDF.type, None) in onto, term
    for unit in ("unitDay", "unitWeek", "unitMonth", "unitYear"):
        assert (TIME[unit], RDF.type, TIME.TemporalUnit) in onto


def _rows(result) -> list[dict]:
    return [{c: (None if v is None else str(v)) for c, v in zip(result.columns, row)} for row in result.rows]


def _label(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@pytest.mark.slow
def test_timeline_query(small_build):
    from kg.query import run_query

    _src, out = small_build
    rows = _rows(run_query(out / "store", "timeline"))
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and all(dates)
    assert dates[0] == "2014-01-01" and dates[-1] == "2018-02-03"
    assert {r["precision"] for r in rows} == {"day", "week", "month"}
    assert {r["source"] for r in rows} == {"stated", "inherited"}
    assert not [r for r in rows if "Saturday" in r["text"]]  # unresolved: no date, not in the timeline
    sdf = _rows(run_query(out / "store", "timeline", params={"actor": "SDF"}))
    assert sdf and all("sdf" in (_label(r["subject"]), _label(r["object"])) for r in sdf)
    assert len(sdf) < len(rows)
    october = _rows(run_query(out / "store", "timeline", params={"from": "2017-10", "to": "2017-10"}))
    assert october and all(r["date"].startswith("2017-10") for r in october)
    assert {r["date"] for r in _rows(run_query(out / "store", "timeline", params={"from": "2018"}))} \
        == {"2018-02-01", "2018-02-03"}
    assert all(r["date"] <= "2017-12-31" for r in _rows(run_query(out / "store", "timeline", params={"to": "2017"})))


def _holders(out, **params) -> dict[str, set]:
    from kg.query import run_query

    found: dict[str, set] = {}
    for r in _rows(run_query(out / "store", "as-of", params=params)):
        found.setdefault(r["placeLabel"], set()).add((_label(r["actor"]), _label(r["relation"]), r["latest"]))
    return found


@pytest.mark.slow
def test_as_of_query(small_build):
    _src, out = small_build
    assert _holders(out, date="2016") == {"Raqqa": {("isis", "captured", "2014-01-01")}}
    assert _holders(out, date="2017-10") == {"Raqqa": {("sdf", "captured", "2017-10-15")},
                                             "Tabqa": {("isis", "withdrew_from", "2017-10-02")}}
    assert _holders(out, date="2018-02-02")["Tabqa"] == {("syrian_gov", "captured", "2018-02-01")}
    assert _holders(out)["Tabqa"] == {("sdf", "withdrew_from", "2018-02-03")}  # no date: the latest of all
    assert set(_holders(out, date="2018-02-02", place="Raqqa")) == {"Raqqa"}


@pytest.mark.slow
def test_date_parameters_of_other_queries(small_build):
    from kg.query import run_query

    _src, out = small_build
    went = _rows(run_query(out / "store", "where-an-actor-went", params={"from": "2017-10-10", "to": "2017-12"}))
    assert went and all("2017-10-10" <= r["date"] <= "2017-12-31" for r in went)
    everything = _rows(run_query(out / "store", "where-an-actor-went"))
    assert [r for r in everything if r["date"] is None]  # undated evidence: listed without a range, last
    for actor in {r["actorLabel"] for r in everything}:  # per actor: in date order, undated last
        dates = [r["date"] for r in everything if r["actorLabel"] == actor]
        dated = [d for d in dates if d]
        assert dates == dated + [None] * (len(dates) - len(dated)) and dated == sorted(dated)
    dealt = _rows(run_query(out / "store", "who-dealt-with-whom", params={"actor": "ISIS", "from": "2017-10"}))
    assert dealt and all(r["first"] >= "2017-10-01" for r in dealt)
    assert not _rows(run_query(out / "store", "who-dealt-with-whom", params={"to": "2017-09"}))


def test_bad_date_parameter_is_a_clear_error():
    from kg.errors import QueryError
    from kg.query import resolve_params, load_query

    with pytest.raises(QueryError, match="bad date '15/10/2017' for --param from"):
        resolve_params({"from": "15/10/2017"}, query=load_query("timeline"))
    with pytest.raises(QueryError, match="bad date '2017-02-30' for --param to"):
        resolve_params({"to": "2017-02-30"}, query=load_query("timeline"))
