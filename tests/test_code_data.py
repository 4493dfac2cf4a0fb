"""What stays out of kg's code: the parser's labels outside their adapter, word lists outside the lexicon.

The labels of spaCy's parse are named by one module, :mod:`kg.parse_labels`; the
English words the linker and extractor look for live in ``ontology/lexicon.json``.
Both tests read the code with ``ast``: string constants (docstrings aside) and
set, tuple, list and frozenset literals.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from kg import parse_labels
from astscan import docstring_ids

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
ADAPTER = PACKAGE / "parse_labels.py"

#: Strings outside the parse that happen to be spelled as a label: (module, string) -> what it is.
NOT_PARSE_LABELS = {
    ("ingest.py", "meta"): "the HTML element <meta>",
    ("shacl/sparql.py", "punct"): "a kind of SPARQL token",
    ("shacl/sparql.py", "IN"): "the SPARQL operator IN",
    ("temporal.py", "poss"): "a regular expression's group (a possessive 's after a date)",
}



def _strings(path: Path) -> list[tuple[int, str]]:
    """``(line, value)`` of the string constants of a module, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docs = docstring_ids(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def _labels_outside_adapter(labels: set[str]) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == ADAPTER:
            continue
        module = path.relative_to(PACKAGE).as_posix()
        found += [f"{module}:{line}: {value!r}" for line, value in _strings(path)
                  if value in labels and (module, value) not in NOT_PARSE_LABELS]
    return found


def test_only_the_adapter_names_dependency_labels(nlp):
    """No module but kg/parse_labels.py holds a dependency label of the loaded parser as a string."""
    labels = set(nlp.get_pipe("parser").labels)
    assert {"nsubj", "pobj", "prep", "conj"} <= labels
    found = _labels_outside_adapter(labels)
    assert not found, "dependency labels outside kg/parse_labels.py (name them there):\n" + "\n".join(found)


def test_only_the_adapter_names_parts_of_speech_and_tags(nlp):
    """Nor a universal part of speech or a (word-like) Penn Treebank tag of the loaded tagger."""
    from spacy.parts_of_speech import IDS

    tags = {t for t in nlp.get_pipe("tagger").labels if t.isalpha()}
    labels = {p for p in IDS if p} | tags
    assert {"NOUN", "PROPN", "NNS", "VBN"} <= labels
    found = _labels_outside_adapter(labels)
    assert not found, "POS or tag names outside kg/parse_labels.py (name them there):\n" + "\n".join(found)


def test_the_adapter_names_what_the_code_asks_for(nlp):
    """The adapter's dependency labels are the loaded parser's (Universal Dependencies' own names aside)."""
    names = {v for k, v in vars(parse_labels).items() if k.isupper() and isinstance(v, str)}
    labels = set(nlp.get_pipe("parser").labels)
    from spacy.parts_of_speech import IDS

    known = labels | set(IDS) | set(nlp.get_pipe("tagger").labels) | {parse_labels.UD_OBJECT, parse_labels.FLAT}
    assert names <= known, names - known


def test_the_exceptions_are_still_there():
    """Each entry of NOT_PARSE_LABELS names a string its module still holds (else it goes)."""
    for (module, value), _ in NOT_PARSE_LABELS.items():
        assert value in {v for _, v in _strings(PACKAGE / module)}, (module, value)


def test_the_label_scan_finds_a_label_in_code(tmp_path):
    """The scan reads comparisons, tuples and sets, and leaves docstrings alone."""
    path = tmp_path / "sample.py"
    path.write_text('"""nsubj in a docstring."""\nx = tok.dep_ == "pobj"\ny = ("amod", "of")\n', encoding="utf-8")
    assert sorted(v for _, v in _strings(path)) == ["amod", "of", "pobj"]


#: A word as the lexicon holds one: lower-case letters, apostrophes, hyphens; phrases of such words.
_WORD = re.compile(r"^['\u2019]?[a-z][a-z'\u2019-]*( [a-z][a-z'\u2019-]*)*$")


def _vocabulary() -> set[str]:
    """Names of kg's own vocabulary, which code may spell: relations and modalities."""
    from kg.extract.attribution import MODALITIES
    from kg.resources import load_data

    return set(load_data("relations")["relations"]) | set(MODALITIES)


def _word_lists(path: Path, vocabulary: set[str]) -> list[tuple[int, list[str]]]:
    """``(line, words)`` of the set, tuple and list literals of a module holding three words or more."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    slots = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
             and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Set, ast.Tuple, ast.List)) and id(node) not in slots:
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                     and _WORD.match(e.value) and e.value not in vocabulary]
            if len(words) >= 3:
                found.append((node.lineno, words))
    return found


def test_no_word_lists_in_the_linker_and_extractor():
    """Word lists live in ontology/lexicon.json, read by name: kg/extract and kg/linking hold none."""
    vocabulary = _vocabulary()
    found = [f"{path.relative_to(PACKAGE).as_posix()}:{line}: {words}"
             for folder in ("extract", "linking") for path in sorted((PACKAGE / folder).rglob("*.py"))
             for line, words in _word_lists(path, vocabulary)]
    assert not found, "word lists in code (move them to ontology/lexicon.json):\n" + "\n".join(found)


def test_the_word_list_scan_finds_a_word_list(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text('A = frozenset({"in", "inside", "within"})\nB = ("captured", "attacked", "fought")\n'
                    'C = ("of", "in")\nD = c.lower_ in ("a", "an", "one")\n', encoding="utf-8")
    assert [w for _, w in _word_lists(path, {"captured", "attacked", "fought"})] == [
        ["in", "inside", "within"], ["a", "an", "one"]]
