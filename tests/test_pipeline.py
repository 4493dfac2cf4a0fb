"""End-to-end: the seeds build, the triples a reader of each seed finds, provenance and the CLI.

The seeds build is the session's one (``conftest.seeds_build``). What it must
hold is stated by meaning, not by a frozen copy of today's output: the
hand-made gold triples of ``tests/data/seeds_gold.json`` (who did what to
whom in each article, with the words that say so), evidence that is the
file's own characters, sourced statements, one node per entity; that two
builds give the same bytes is test_interop's two-builds comparison.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

import kg
from kg.cli import EXIT_REJECTED, cli
from kg.ingest import read_text
from kg.vocab import KGO

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEEDS_GOLD = Path(__file__).with_name("data") / "seeds_gold.json"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeds_out(seeds_build, seeds_report):
    return seeds_build, seeds_report


@pytest.fixture(scope="module")
def seeds_graph(seeds_out):
    out, _ = seeds_out
    return Graph().parse(out / "graph.ttl")


def _local(term) -> str:
    return str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _triples_by_document(graph: Graph) -> list[str]:
    rows = set()
    for st in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object)
        for ev in graph.objects(st, PROV.wasDerivedFrom):
            doc = graph.value(graph.value(ev, DCTERMS.isPartOf), DCTERMS.identifier)
            rows.add("\t".join((str(doc), _local(s), _local(p), _local(o))))
    return sorted(rows)


def test_build_writes_both_outputs_and_reports(seeds_out):
    out, report = seeds_out
    assert (out / "graph.ttl").stat().st_size > 0
    assert (out / "graph.html").stat().st_size > 0
    assert report.documents == 5
    assert report.sentences > 50
    assert report.relation_triples > 40
    assert "5 documents" in report.summary()


#: Gold triples the extractor does not find yet (document, relation, subject, object): known gaps, each
#: with what the article says. A test that still passes once one is found; take it out then.
KNOWN_GAPS = {
    # "the United States and partner countries launched operations to liberate ... the final Daesh
    # (ISIS) strongholds": no frame reads 'launched operations to liberate X' as an attack on its holder.
    ("000_ca4fe4f64e8fee60", "attacked", "usa", "isis"),
    # "The US-led coalition bombing IS in Syria since 2014 sent planes ...": the attack is a
    # participle modifying the subject, which no frame reads.
    ("004_17ae0a9fe3fd3c77", "attacked", "coalition", "isis"),
}

#: Triples found that the gold neither requires nor allows (document, relation, subject name, object name).
KNOWN_WRONG = {
    # "a new strike on a Daesh (ISIS) position inside Syria": a position of Daesh read as Daesh
    # active in (eastern) Syria; the gold has only isis controls syria.
    ("000_ca4fe4f64e8fee60", "active_in", "daesh", "eastern syria"),
}


def test_each_seed_article_gives_the_triples_a_reader_finds(seeds_graph):
    """Per seed article, the hand-made gold triples (``seeds_gold.json``: who did what to whom, with
    the words that say so) are found, and nothing is found that the gold neither requires nor
    allows, but for the gaps listed above. Matched as ``kg evaluate`` matches: entities by any
    alias, symmetric relations in either direction, statements sourced to the article."""
    from kg.evaluate import evaluate, load_gold

    gold = load_gold(SEEDS_GOLD)
    assert set(gold.documents) == {p.stem for p in SEEDS.glob("*.txt")}, "a seed article without gold"
    result = evaluate(gold, seeds_graph)
    missed = {(e.doc, *e.triple) for e in result.false_negatives}
    unexpected = {(e.doc, e.p, e.s, e.o) for e in result.false_positives}
    quotes = {f"{doc}: {s} {p} {o}": gold.evidence[doc].get((p, s, o)) for doc, p, s, o in missed - KNOWN_GAPS}
    assert missed <= KNOWN_GAPS, f"a reader of the article finds these, the graph does not: {quotes}"
    assert unexpected <= KNOWN_WRONG, f"found, but no reader of the article would: {unexpected - KNOWN_WRONG}"
    for doc in gold.documents:  # every article gives most of what its reader finds
        scores = result.per_document[doc]
        assert scores.tp >= 8 and scores.fn <= 1, (doc, scores)
    # the headline facts of the articles, by name, as the README tells them
    rows = {tuple(row.split("\t")) for row in _triples_by_document(seeds_graph)}
    for expected in [("001_a2f90259e8779014", "isis", "truce_with", "sdf"),  # symmetric: sorted
                     ("000_ca4fe4f64e8fee60", "france", "deal_with", "isis"),
                     ("000_ca4fe4f64e8fee60", "isis", "withdrew_from", "deir_ezzor")]:
        assert expected in rows, expected
    assert result.relation_triples_without_source == 0 and result.statements_not_asserted <= 1


def test_every_relation_triple_has_a_sourced_statement(seeds_graph):
    relations = set(json.loads((ROOT / "ontology" / "relations.json").read_text())["relations"])
    asserted = {(s, p, o) for s, p, o in seeds_graph if p.startswith(str(KGO)) and _local(p) in relations}
    assert asserted
    for s, p, o in asserted:
        statements = [st for st in seeds_graph.subjects(RDF.subject, s)
                      if seeds_graph.value(st, RDF.predicate) == p and seeds_graph.value(st, RDF.object) == o]
        assert len(statements) == 1, (s, p, o)
        evidence = list(seeds_graph.objects(statements[0], PROV.wasDerivedFrom))
        assert evidence, (s, p, o)
        for ev in evidence:
            doc = seeds_graph.value(ev, DCTERMS.isPartOf)
            assert seeds_graph.value(doc, DCTERMS.identifier) is not None


def test_evidence_offsets_slice_the_source_file(seeds_graph):
    checked = 0
    for ev in seeds_graph.subjects(RDF.type, KGO.Evidence):
        for where in seeds_graph.objects(ev, KGO.occurrence):  # each document printing the sentence
            doc = seeds_graph.value(where, DCTERMS.isPartOf)
            assert (ev, DCTERMS.isPartOf, doc) in seeds_graph
            path = ROOT / str(seeds_graph.value(doc, KGO.sourcePath))
            if not path.exists():  # paths are stored as given on the command line
                path = SEEDS / (str(seeds_graph.value(doc, DCTERMS.identifier)) + ".txt")
            text, _ = read_text(path)
            begin = int(seeds_graph.value(where, KGO.beginOffset))
            end = int(seeds_graph.value(where, KGO.endOffset))
            assert text[begin:end] == str(seeds_graph.value(where, KGO.text))
            assert " ".join(text[begin:end].split()) == str(seeds_graph.value(ev, KGO.text))
            checked += 1
    assert checked > 20


def test_aliases_collapse_to_one_node(seeds_graph):
    isis = [n for n in seeds_graph.subjects(RDF.type, KGO.ArmedGroup) if _local(n) == "isis"]
    assert len(isis) == 1
    from rdflib.namespace import SKOS
    names = {str(x) for x in seeds_graph.objects(isis[0], SKOS.altLabel)}
    assert {"ISIS", "IS", "Daesh", "Deash"} <= names
    labels = {str(x) for n in seeds_graph.all_nodes() for x in seeds_graph.objects(n, SKOS.altLabel)}
    assert "Syrian Democratic Forces" in labels or "SDF" in labels
    sdf_nodes = {n for n in seeds_graph.all_nodes()  # nodes: IRIs (the name key "sdf" is a literal)
                 if isinstance(n, URIRef) and _local(n) in ("sdf", "syrian_democratic_forces")}
    assert len(sdf_nodes) == 1


def test_no_triple_comes_from_page_furniture(seeds_graph):
    furniture = ("LVMH", "Taylor Swift", "TikTok", "ByteDance", "Arnault", "Comments", "You may also like")
    for ev in seeds_graph.subjects(RDF.type, KGO.Evidence):
        text = str(seeds_graph.value(ev, KGO.text))
        assert not any(word in text for word in furniture), text


def test_cli_build_prints_summary(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(SEEDS / "001_a2f90259e8779014.txt"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output and "relation triples" in result.output
    assert (tmp_path / "graph.ttl").exists() and (tmp_path / "graph.html").exists()


def test_cli_build_names_rejected_files_and_goes_on(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(empty), str(SEEDS / "003_8645f3b7bcb66531.txt"), "--out", str(out)])
    assert result.exit_code == EXIT_REJECTED
    assert "empty.txt" in result.output
    assert (out / "graph.ttl").exists()


# An article written for this test: furniture lines of several kinds in the middle,
# a list of other stories at the end. Every claim after the furniture is read; none
# comes from the furniture or the list.
FURNISHED = """Truce holds around Hasaka

HASAKA, Syria (Example Wire) - The Syrian Democratic Forces and the Islamic State agreed a truce in villages south of Hasaka on Friday, a monitor said.

RELATED:
Turkey warns Kurdish militia over Manbij

The Islamic State withdrew from Raqqa after four months of fighting, the coalition said on Monday.

ADVERTISEMENT

Hezbollah fighters captured Arsal after a week of clashes with the Nusra Front, a Lebanese security source said.

Read more: Why the battle for the border matters

Russian jets bombed Idlib on Tuesday night, according to the Syrian Observatory for Human Rights.

Photo: AFP/Getty Images

Share on Facebook Twitter WhatsApp

Turkey attacked Afrin with jets and artillery, the Kurdish-led administration said on Saturday.

Click here to subscribe

Iran backs the Syrian government with money, weapons and militias, diplomats said.

You may also like
Israel hits targets near Damascus
Israel struck Iranian positions near Damascus on Sunday, the army said.
Rebels leave Daraa
Rebels left Daraa under a deal with Russia, state media reported.
"""


def test_claims_after_furniture_inside_the_article_are_found(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "furnished.txt").write_text(FURNISHED, encoding="utf-8")
    report = kg.build([tmp_path / "in"], tmp_path / "out", html=False)
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    rows = {tuple(row.split("\t")[1:]) for row in _triples_by_document(graph)}
    after_furniture = {("isis", "withdrew_from", "raqqa"), ("hezbollah", "captured", "arsal"),
                       ("russia", "attacked", "idlib"), ("turkey", "attacked", "afrin"),
                       ("iran", "backs", "syrian_gov")}
    assert after_furniture <= rows
    assert not any("israel" in row or "daraa" in row or "manbij" in row for row in rows), rows
    [kept] = report.kept  # the article's sentences are all kept, the furniture is not
    sentences = [line for line in FURNISHED.split("You may also like")[0].splitlines() if line.endswith(".")]
    assert kept.path.endswith("furnished.txt")
    title, dateline = "TruceholdsaroundHasaka", "HASAKA,Syria(ExampleWire)-"
    assert kept.kept_chars == sum(len("".join(line.split())) for line in sentences) + len(title) - len(dateline)


def test_build_warns_naming_a_document_that_kept_little_text(tmp_path):
    thin = ("Menu\nSearch\nHome | World | Middle East\nTruce holds around Hasaka\n"
            "The Syrian Democratic Forces and the Islamic State agreed a truce near Hasaka, a monitor said.\n"
            "You may also like\n" + "\n".join(f"Headline number {n} about another story entirely"
                                               for n in ("one", "two", "three", "four", "five", "six")))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "thin.txt").write_text(thin, encoding="utf-8")
    (tmp_path / "in" / "full.txt").write_bytes((SEEDS / "001_a2f90259e8779014.txt").read_bytes())
    build = ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-html"]
    result = CliRunner().invoke(cli, build)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("kg: warning:")]
    assert len(warnings) == 1 and "thin.txt: kept" in warnings[0] and "less than 60%" in warnings[0]
    assert "of page text kept (lowest:" in result.stdout and "thin.txt" in result.stdout
    verbose = CliRunner().invoke(cli, ["-v", *build])
    kept = [line for line in verbose.stderr.splitlines() if line.startswith("kg: kept")]
    assert len(kept) == 2 and "full.txt" in kept[0] and "thin.txt" in kept[1]
    quiet = CliRunner().invoke(cli, ["-q", *build])
    assert quiet.exit_code == 0 and quiet.stderr == ""
