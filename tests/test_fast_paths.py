"""Shortcuts taken for speed give exactly what the plain code gave.

* The RDF fragment: ``kg.store.ntriples`` (Oxigraph's writer) converts terms
  through a cache (``kg.store.terms.oxigraph_terms``) instead of
  ``to_oxigraph`` for each, ``kg.rdf.clean_literal`` uses one pattern instead
  of a loop over characters, ``GraphBuilder`` reuses terms.
* Linking reads offsets, sentences and first words from a table made with one
  ``Doc.to_array`` (``_TokenTable``) instead of asking spaCy token by token, and
  leaves out windows that cannot match a dictionary key.
* Relation extraction loops only over the tokens ``_Scan`` picked out.

These tests hold each to the code or library it replaces, on tricky text.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from kg.engines import _Triples
from kg.gazetteer import normalize_name
from kg.linking import link
from kg.linking.doc import _MAX_ALIAS_TOKENS, LinkedDoc, _first_words, _last_words, _table, _windows
from kg.rdf import GraphBuilder, clean_literal
from kg.records import Agreement, Claim, Document, Entity, Span
from kg.extract import _verb_key, load_triggers
from kg.extract.reader import _Scan
from kg.resources import load_data
from kg.store import ntriples, oxigraph_terms, to_oxigraph

DATA = Path(__file__).resolve().parent / "data"

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

#: Every code point but the surrogates, in one string.
ALL_CHARACTERS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
TRICKY = [
    "", " ", "plain", 'say "hi"', "back\\slash", "\\\"", "a\nb\r\nc\td", "\b\f\v\x00\x01\x1f\x7f\x80\x9f",
    "Hasaké", "قوات سوريا الديمقراطية", "“curly” ‘quotes’ – dash", "\u2028\u2029\u0085\ufeff",
    "\ufffe\uffff\ufffd", "emoji 😀 and 𝕏", "\\u0041 is not A", "ends with backslash\\", '"', "\x00",
]


def _old_clean_literal(text: str) -> str:
    """``clean_literal`` before it used a pattern."""
    text = text.translate({c: " " for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)})
    return "".join(" " if 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" else c for c in text)


@pytest.mark.parametrize("text", TRICKY + [ALL_CHARACTERS, "a\ud800b\udfffc", "\udc80" * 3])
def test_clean_literal_is_unchanged(text):
    assert clean_literal(text) == _old_clean_literal(text)


def _oxigraph(term) -> str:
    return str(to_oxigraph(term))


_S, _P = URIRef("https://example.org/s"), URIRef("https://example.org/p")


def _nt_term(term) -> str:
    """The N-Triples form ``kg.store.ntriples`` gives ``term`` (as the object of a triple)."""
    line = ntriples([(_S, _P, term)])
    prefix = f"<{_S}> <{_P}> "
    assert line.startswith(prefix) and line.endswith(" .") and "\n" not in line
    return line[len(prefix):-2]


@pytest.mark.parametrize("text", TRICKY + [ALL_CHARACTERS])
def test_literals_are_written_as_oxigraph_writes_them(text):
    """The cached conversion gives Oxigraph the very term to_oxigraph makes, and what is written reads
    back as that term."""
    convert = oxigraph_terms()
    for term in (Literal(text), Literal(text, datatype=XSD.string), Literal(text, datatype=XSD.token),
                 Literal(text, lang="en"), Literal(text, lang="EN-gb")):
        assert convert(term) == to_oxigraph(term)
        assert _nt_term(term) == _oxigraph(term)
        parsed = ox.Store()
        parsed.load(ntriples([(_S, _P, term)]).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        assert [q.object for q in parsed] == [to_oxigraph(term)]


def test_typed_literals_and_other_terms():
    terms = [
        Literal(180), Literal(-3), Literal(True), Literal(2.5), Literal("39.0", datatype=XSD.decimal),
        Literal("1.50", datatype=XSD.decimal), Literal("2017-10-15", datatype=XSD.date),
        Literal("not a date", datatype=XSD.date), Literal("x", datatype=URIRef("https://example.org/dt#é")),
        Literal("x", datatype=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")),
        URIRef("https://w3id.org/kg-conflict/id/entity/isis"), URIRef("https://example.org/é/ü?q=1#f"),
        URIRef("urn:x:y"), BNode("b0"),
    ]
    convert = oxigraph_terms()
    for term in terms:
        assert convert(term) == to_oxigraph(term), term
        assert convert(term) == to_oxigraph(term), term  # the second time from the cache
        if not isinstance(term, BNode):
            assert _nt_term(term) == _oxigraph(term), term


@pytest.mark.parametrize("term", [
    URIRef("not an iri"), URIRef("https://example.org/a b"), URIRef("https://example.org/%zz"),
    Literal("lone \ud800 surrogate"), Literal("\udfff", datatype=XSD.string),
    Literal("x", datatype=URIRef("bad datatype")), URIRef("https://example.org/\ud800"),
])
def test_bad_terms_fail_the_same_way(term):
    with pytest.raises(Exception) as expected:  # StoreError, or rdflib's own when it cannot show the term
        _oxigraph(term)
    convert = oxigraph_terms()
    for _ in range(2):  # never remembered
        with pytest.raises(Exception) as got:
            convert(term)
        assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))
        with pytest.raises(Exception) as got:
            ntriples([(term, _P, _S) if isinstance(term, URIRef) else (_S, _P, term)])
        assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))


def _fragment(graph) -> GraphBuilder:
    text = ('He said "ISIS \\ SDF" agreed a truce.\nThe SDF and ISIS agreed a truce in Raqqa, a monitor '
            "said. \x00 Hasaké ‘x’")
    doc = Document(id="d 1 é", path='a/"b"\\c é.txt', text=text, body=text, title='T "x"\t\\ \x01 \ud800',
                   publisher="Pub “é” 😀", date="2017-10-15", sha256="ab" * 32)
    entities = {
        "sdf": Entity("sdf", "Syrian Democratic Forces", ("ArmedGroup",)),
        "isis": Entity("isis", 'Islamic "State"', ("ArmedGroup",)),
        "raqqa": Entity("raqqa", "Raqqa", ("Place",), lat=35.95, long=39.0),
        "sohr": Entity("sohr", "Syrian Observatory", ("Organization",)),
        "x": Entity("Хезболла", "Хезболла\n", ("State", "Place"), lat=1, long=-0.1234567),
    }
    names = {"sdf": ["SDF", " SDF ", "Syrian Democratic Forces", "\x00"], "isis": ("IS", "Daesh \\", ""),
             "x": ["Хезболла", "X"]}
    claims = [
        Claim("sdf", "truce_with", "isis", doc=doc.id, sentence=Span(38, 95), text=text[38:95]),
        Claim("isis", "truce_with", "sdf", doc=doc.id, sentence=Span(38, 95), text=text[38:95],
              modality="reported", speaker="sohr", rule="noun:truce:truce_with"),
        Claim("isis", "active_in", "raqqa", doc=doc.id, sentence=Span(0, 37), text=text[:37], modality="denied"),
        Claim("x", "active_in", "raqqa", doc=doc.id, sentence=Span(0, 37), text=text[:37]),
    ]
    agreements = [Agreement(doc=doc.id, sentence=Span(38, 95), text=text[38:95], kind="truce",
                            parties=("sdf", "isis", "unknown"), places=("raqqa",), speaker="sohr", anchor=60)]
    builder = GraphBuilder(graph)
    builder.add_document(doc)
    builder.add_claims(claims, entities, names)
    builder.add_agreements(agreements, entities, names, date=doc.date)
    return builder


def test_fragment_is_the_graph_builders_graph():
    """The shortcut writer gives exactly the triples of the rdflib graph builder, each once, as
    N-Triples that Oxigraph reads back as those triples; built again (from the caches), the same text."""
    fast = ntriples(_fragment(_Triples()).graph)
    graph = _fragment(Graph()).graph
    slow = [f"{_oxigraph(s)} {_oxigraph(p)} {_oxigraph(o)} ." for s, p, o in graph]
    assert sorted(fast.split("\n")) == sorted(slow)
    assert len(set(fast.split("\n"))) == len(graph) == 92
    parsed = ox.Store()
    parsed.load(fast.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert {f"{q.subject} {q.predicate} {q.object} ." for q in parsed} == set(slow)
    assert ntriples(_fragment(_Triples()).graph) == fast  # built again from the caches


# -- linking and relation extraction ---------------------------------------------------

TEXTS = [
    "U.S.-backed Syrian Democratic Forces (SDF) took Raqqa from ISIS.  The group\tleft\n\nHasaké on Monday , "
    "according to the Syrian Observatory.\u00a0Iraqi air force jets struck IS positions in al-Qaim, Anbar province.",
    "Headline without a stop\nRebels and the regime agreed a truce\u2009in Eastern Ghouta; Russia brokered the "
    "deal between them.\r\n  Il a dit « oui » — 😀 ...   \nThe towns of al-Hajeen and al-Baghouz fell to the SDF,"
    " Kurdish-led fighters said. Strikes by the coalition on ISIS-held areas were pulled out of Deir Ezzor.\n",
    "", "   \n\n ", "ISIS", "\u00e9l\u00e8ve Hayat Tahrir al-Sham \u00e9 Kılıç Хамас",
]
CONSTRUCTIONS = DATA / "constructions.jsonl"


@pytest.fixture(scope="module")
def docs(parsed_texts):
    """The texts above and the construction table's, parsed (conftest's parsed_texts: test_gate.py and
    test_linking_component.py parse the table too)."""
    texts = TEXTS + [json.loads(line)["text"] for line in CONSTRUCTIONS.read_text(encoding="utf-8").splitlines()]
    return parsed_texts(texts)


def _old_normalize_name(text: str) -> str:
    import unicodedata

    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.mark.parametrize("text", TRICKY + TEXTS + [ALL_CHARACTERS, "  a \x1c b\x1f\u3000c\u2028 ", "\t\n",
                                  "The U.S.\u2019s", "Hasake\u0301 e\u0301\u0327x \u0301", "\ufb01\u2460 \u00bd"])
def test_normalize_name_is_unchanged(text):
    assert normalize_name(text) == _old_normalize_name(text)


def test_token_table_answers_as_spacy_does(docs, gaz):
    from spacy.strings import hash_string

    lexicon = load_data("lexicon")
    determiners = {hash_string(d) for d in lexicon["definite_determiners"]}
    for doc in docs:
        text, n = doc.text, len(doc)
        table = _table(LinkedDoc(doc=doc, gazetteer=gaz, lexicon=lexicon))
        linked = link(doc, gaz, lexicon, text=text)
        assert table.text == text and table.token_text(n - 1) == doc[-1].text if n else True
        for token in doc:
            i, begin = token.i, token.idx
            assert (table.starts[i], table.ends[i], table.is_space[i]) == (begin, begin + len(token), token.is_space)
            assert table.opens[i] == (not (token.is_space or token.is_punct and token.text != "'"
                                           or token.lower in determiners))
            assert linked.sentence_bounds(i) == (token.sent.start, token.sent.end)
            for j in {i + 1, min(n, i + 12)}:  # the shortest and the longest window from here (spaCy
                sent = doc[i:j].sent            # gives a window the sentence of its first token)
                assert (table.starts[table.sent_start[i]], table.ends[table.sent_end[i] - 1]) == \
                    (sent.start_char, sent.end_char)
            if table.opens[i]:  # the first word of windows from here, as _windows found it
                space = re.compile(r"\s").search(text, begin)
                word_end = space.start() if space is not None else len(text)
                assert table.word_ends[i] == word_end
                longest = text[begin:table.ends[min(n, i + _MAX_ALIAS_TOKENS) - 1]]
                assert table.words[i] == (text[begin:word_end].lower() if longest.isascii() else None)
            if not token.is_space:  # the word a window ending here ends with
                word_start = max((m.end() for m in re.finditer(r"\s", text[:table.ends[i]])), default=0)
                assert (table.word_starts[i], table.ending_words[i]) == \
                    (word_start, text[word_start:table.ends[i]].lower())
        assert linked.sentence_count() == sum(1 for s in doc.sents if not all(t.is_space for t in s))
        for char in range(len(text)):
            span = doc.char_span(char, char + 1, alignment_mode="expand")
            assert linked._token_index(char) == (span.start if span is not None else 0)


def test_windows_left_out_cannot_match(gaz, nlp):
    """Every window that matches a dictionary key is still offered once the filters apply."""
    keys = [*gaz.aliases, *gaz.acronyms, *gaz.metonyms]
    texts = [f"Yesterday {a}, {b} and the {c} of {d}-backed {e}." for a, b, c, d, e in zip(*[iter(keys)] * 5)]
    lexicon = load_data("lexicon")
    for doc in nlp.pipe(texts + TEXTS):
        linked = LinkedDoc(doc=doc, gazetteer=gaz, lexicon=lexicon)
        every = list(_windows(linked, set()))
        for keys, matches in (((gaz.aliases, gaz.acronyms), gaz.lookup),
                              ((gaz.metonyms,), lambda t: gaz.metonyms.get(normalize_name(t)))):
            offered = set(_windows(linked, set(), _first_words(*keys), _last_words(*keys)))
            assert offered <= set(every)
            assert {w for w in every if matches(w[2])} <= offered


def test_scan_offers_every_token_the_loops_act_on(docs):
    triggers = load_triggers()
    for doc in docs:
        scan = _Scan(doc, triggers)
        expected = _scan_expected(doc, triggers)
        for name, indexes in expected.items():
            assert indexes <= set(getattr(scan, name)), name
        assert set(scan.locatives) == expected["locatives"] and set(scan.according) == expected["according"]
        for sent in doc.sents:
            tokens = [t for t in sent if not t.is_space]
            assert scan.extent(sent) == (Span(tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)) if tokens
                                         else None)
            assert [t.i for t in scan.tokens(scan.triggers, sent.start, sent.end)] == \
                [i for i in scan.triggers if sent.start <= i < sent.end]


def _scan_expected(doc, triggers) -> dict[str, set[int]]:
    """The tokens each loop acts on, by its own tests (what ``_Scan`` must offer)."""
    agreement_nouns = triggers.lexicon["agreements"]["nouns"]
    expected = {name: set() for name in ("triggers", "agreement_nouns", "locatives", "according", "prepositions")}
    for tok in doc:
        lemma = tok.lemma_.lower()
        if ((tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"))
                and (_verb_key(tok) in triggers.verbs or lemma in triggers.verbs)
                or tok.pos_ in ("NOUN", "PROPN") and (tok.lower_ in triggers.nouns or lemma in triggers.nouns)
                or tok.lower_ in triggers.modifiers):
            expected["triggers"].add(tok.i)
        if tok.pos_ in ("NOUN", "PROPN") and (tok.lower_ in agreement_nouns or lemma in agreement_nouns):
            expected["agreement_nouns"].add(tok.i)
        if tok.dep_ == "poss" or tok.dep_ == "prep" and tok.lower_ in ("in", "inside", "within", "of"):
            expected["locatives"].add(tok.i)
        if tok.lower_ == "according":
            expected["according"].add(tok.i)
        if tok.dep_ in ("prep", "agent"):
            expected["prepositions"].add(tok.i)
    return expected


def test_scan_offers_every_token_of_made_up_parses(nlp):
    """Words of the lexicons under every part of speech, tag, lemma case and label, particles included."""
    from itertools import cycle, product

    from spacy.tokens import Doc

    triggers = load_triggers()
    words = sorted({*triggers.verbs, *triggers.nouns, *triggers.modifiers, *triggers.lexicon["agreements"]["nouns"],
                    "according", "in", "of", "within", "by", "said", "Truce", "DEALS"})
    labels = cycle(product(("VERB", "AUX", "NOUN", "PROPN", "ADJ"), ("VBG", "VBN", "NN", "NNP", "JJ"),
                           ("prep", "poss", "agent", "nsubj", "compound")))
    tokens = []  # (text, pos, tag, lemma, dep, head offset)
    for word, (pos, tag, dep) in zip(words * 4, labels):
        verb, _, particle = word.partition(" ")
        lemma = verb if len(tokens) % 3 else verb.capitalize()
        tokens.append((verb.capitalize() if len(tokens) % 2 else verb, pos, tag, lemma, dep, 0))
        if particle:
            tokens.append((particle, "ADP", "RP", particle, "prt", -1))
    doc = Doc(nlp.vocab, words=[t[0] for t in tokens], pos=[t[1] for t in tokens], tags=[t[2] for t in tokens],
              lemmas=[t[3] for t in tokens], deps=[t[4] for t in tokens],
              heads=[i + t[5] for i, t in enumerate(tokens)])
    scan = _Scan(doc, triggers)
    for name, indexes in _scan_expected(doc, triggers).items():
        assert indexes <= set(getattr(scan, name)), name
