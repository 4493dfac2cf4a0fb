"""The dictionaries' names as a spaCy component (kg/linking/dictionary.py).

kg's pipeline ends with ``kg_dictionary_names``, whose spans carry the
canonical entity id; linking's first pass reads them. On the seeds and on the
construction texts it gives exactly the mentions of the window matcher it
replaced (which still reads a Doc parsed without the component).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.linking import link
from kg.linking.dictionary import COMPONENT, SPANS_KEY
from kg.nlp import parse_view
from kg.resources import load_data

ROOT = Path(__file__).resolve().parent.parent


def test_the_pipeline_ends_with_the_dictionary_component(nlp):
    assert nlp.pipe_names[-1] == COMPONENT
    doc = nlp("The SDF agreed a truce with ISIS, and IS fighters left Raqqa for the town of Mayadin.")
    found = {(span.text, span.kb_id_) for span in doc.spans[SPANS_KEY]}
    assert {("SDF", "sdf"), ("ISIS", "isis"), ("IS", "isis"), ("Raqqa", "raqqa")} <= found
    folded = nlp("Fighters left Raqq\u0101 on Friday, Russia\u2019s Defense Ministry said.")
    assert {("Raqq\u0101", "raqqa"), ("Russia\u2019s Defense Ministry", "russia")} <= {
        (span.text, span.kb_id_) for span in folded.spans[SPANS_KEY]}  # as the gazetteer folds names
    lower = nlp("This is what it is.")
    assert not any(span.kb_id_ == "isis" for span in lower.spans[SPANS_KEY])  # acronyms only in capitals


def _texts() -> list[str]:
    seeds = [parse_view(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    table = (ROOT / "tests" / "data" / "constructions.jsonl").read_text(encoding="utf-8")
    folded = ["Hayat Tahrir al\u2013Sham fighters left Raqq\u0101 for Idl\u00efb under a deal with the SDF\u2019s commanders.",
              "\u201cThe Syrian Democratic Forces\u2019 offensive on Raqq\u0101,\u201d said Turkey\u2019s president."]
    return seeds + folded + [parse_view(json.loads(line)["text"]) for line in table.splitlines() if line.strip()]


def _mentions(linked) -> list[tuple]:
    return [(m.entity, m.span.start, m.span.end, m.text, m.sentence.start, m.sentence.end) for m in linked.mentions]


@pytest.fixture(scope="module")
def parsed(parsed_texts):
    texts = _texts()
    return texts, parsed_texts(texts)


def test_the_component_gives_the_window_matchers_mentions(parsed, gaz):
    texts, docs = parsed
    lexicon = load_data("lexicon")
    count = 0
    for doc, text in zip(docs, texts):
        assert SPANS_KEY in doc.spans
        with_component = _mentions(link(doc, gaz, lexicon, text=text))
        spans = doc.spans.pop(SPANS_KEY)
        try:
            by_windows = _mentions(link(doc, gaz, lexicon, text=text))
        finally:
            doc.spans[SPANS_KEY] = spans
        assert with_component == by_windows, text[:200]
        count += len(with_component)
    assert count > 2000
