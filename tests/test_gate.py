"""The gate (kg/gate.py): a sentence in which nothing can be a mention is not parsed,
and gating never costs a claim.

The decisions are read where the engine makes them (``kg.engines.parse_batch``:
the Doc the extractor reads and the gate's records), with the real pipeline.
"Never costs a claim" is checked against the same extraction on the whole,
ungated text: on the seeds, on every construction item and on dev-real (read
in place from ../shared, skipped when absent).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kg.engines import extract_batch, extract_document, load_resources, parse_batch
from kg.ingest import read_document
from kg.nlp import parse_view
from kg.records import Document

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV_REAL = ROOT.parent.parent / "shared" / "eval" / "dev-real"
if not DEV_REAL.is_dir():  # a checkout at /work/main rather than a worktree under /work/wt
    DEV_REAL = ROOT.parent / "shared" / "eval" / "dev-real"


def _document(text: str, name: str = "t") -> Document:
    return Document(id=name, path=f"{name}.txt", text=text, body=text)


def _decisions(text: str):
    (doc, gated), = parse_batch([_document(text)])
    return doc, gated


# -- a construction table: which sentences are parsed --------------------------------

#: (text, the sentence judged, parsed?, the word that keeps it)
SENTENCES = [
    ("ISIS left Raqqa. So far, so good.", "So far, so good.", False, ""),
    ("ISIS left Raqqa. After that, nothing more happened.", "After that, nothing more happened.", False, ""),
    ("ISIS left Raqqa.\n\nPrices rose sharply over the weekend.\n", "Prices rose sharply over the weekend.", True,
     "Prices"),  # a capitalised first word that is no stop word may be a name NER types
    ("ISIS left Raqqa. Then it shelled the outskirts.", "Then it shelled the outskirts.", True, "it"),
    ("ISIS left Raqqa. Later the group withdrew.", "Later the group withdrew.", True, "Later"),
    ("ISIS left Raqqa. After that, the regime shelled the outskirts.",
     "After that, the regime shelled the outskirts.", True, "regime"),
    ("ISIS left Raqqa. After that, the militants regrouped.", "After that, the militants regrouped.", True,
     "militants"),
    ("The truce held. But the fighting went on.", "The truce held.", False, ""),
    ("The truce held. But the fighting went on.", "But the fighting went on.", False, ""),
    ("The truce held. But the SDF said otherwise.", "But the SDF said otherwise.", True, "SDF"),
]


@pytest.mark.parametrize("text, sentence, parsed, reason", SENTENCES, ids=[s[1] for s in SENTENCES])
def test_which_sentences_are_parsed(text, sentence, parsed, reason):
    doc, gated = _decisions(text)
    start = text.index(sentence)
    decision, = [d for d in gated.decisions if d.start == start]
    assert (decision.parse, decision.reason) == (parsed, reason)
    assert decision.end == start + len(sentence)
    end = start + len(sentence)
    tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start]
    if parsed:
        assert "".join(t.text_with_ws for t in tokens).strip() == sentence
    else:  # blanked: the parser saw white space there, and nothing else moved
        assert all(t.is_space for t in tokens) and tokens
        assert doc.text == gated.text and len(gated.text) == len(text)
        assert gated.text[start:end].strip() == "" and gated.text.count("\n") == text.count("\n")


def test_the_parsed_words_are_counted():
    text = "ISIS left Raqqa. So far, so good. The SDF said it would stay."
    _, gated = _decisions(text)
    assert gated.words() == 3 + 4 + 6
    assert gated.words("parse") == 3 + 6
    assert [d.reason for d in gated.blanked] == [""]


def test_a_blanked_sentence_keeps_offsets_and_line_breaks():
    text = "ISIS left Raqqa.\nSo far, so good.\nThe SDF took Tabqa.\n"
    doc, gated = _decisions(text)
    assert gated.text == "ISIS left Raqqa.\n                \nThe SDF took Tabqa.\n"
    (result,) = extract_batch([_document(text)])
    assert "Tabqa" in result.ntriples and "So far" not in result.ntriples


# -- gating never costs a claim ---------------------------------------------------------

def _ungated(documents: list[Document], parsed_texts) -> list[str]:
    """The N-Triples of each document extracted from a parse of its whole body (kg's pipeline,
    through conftest's parsed_texts: test_fast_paths.py and test_linking_component.py parse the
    construction table's texts too)."""
    _, gazetteer, lexicon, triggers = load_resources()
    texts = [parse_view(d.body) for d in documents]
    return [extract_document(doc, document, gazetteer, lexicon, triggers, text=text).ntriples
            for doc, document, text in zip(parsed_texts(texts), documents, texts)]


def _same_claims(documents: list[Document], parsed_texts) -> tuple[int, int]:
    """Assert that gated and ungated extraction give the same fragments; (words, words parsed)."""
    gated = [r.ntriples for r in extract_batch(documents)]
    assert gated == _ungated(documents, parsed_texts)
    records = [g for _, g in parse_batch(documents)]
    return sum(g.words() for g in records), sum(g.words("parse") for g in records)


def test_gating_costs_no_claim_on_the_seeds(parsed_texts):
    documents = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    words, parsed = _same_claims(documents, parsed_texts)
    assert parsed < words  # the seeds hold sentences the gate blanks


@pytest.mark.parametrize("part", ["c", "d"])
def test_gating_costs_no_claim_on_dev_real(part, parsed_texts):
    folder = DEV_REAL / part / "texts"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (../shared is not checked out)")
    _same_claims([read_document(p) for p in sorted(folder.iterdir()) if p.is_file()], parsed_texts)


def _constructions():
    path = ROOT / "benchmarks" / "constructions_report.py"
    spec = importlib.util.spec_from_file_location("constructions_report", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module.load_items(ROOT / "tests" / "data" / "constructions.jsonl")


def test_gating_costs_no_claim_on_the_construction_items(parsed_texts):
    """Where the gate blanks none of an item's sentences, the parser is given the whole text (the
    claims are those of the whole text by construction); where it blanks one, the item's claims
    are those of the whole text. (Every item has a mention in each sentence today.)"""
    from kg.gate import gate_text, load_screen

    nlp, gazetteer, lexicon, _ = load_resources()
    screen = load_screen(gazetteer, lexicon)
    documents = [_document(item["text"], item["id"]) for item in _constructions()]
    blanked = []
    for document in documents:
        view = parse_view(document.body)
        gated = gate_text(nlp, view, screen)
        if gated.blanked:
            blanked.append(document)
        else:
            assert gated.text == view and gated.doc is not None and gated.doc.text == view, document.id
    changed = []
    for start in range(0, len(blanked), 64):
        batch = blanked[start:start + 64]
        gated = [r.ntriples for r in extract_batch(batch)]
        for document, mine, whole in zip(batch, gated, _ungated(batch, parsed_texts)):
            if mine != whole:
                changed.append(document.id)
    assert not changed, changed
