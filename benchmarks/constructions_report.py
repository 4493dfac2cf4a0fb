"""Score the extractor on the generalisation table ``tests/data/constructions.jsonl``.

    .venv/bin/python benchmarks/constructions_report.py [--failures] [--json] [TABLE]

Each line of the table is one short news-wire text written for the test, with
the triples a careful annotator marks (``expected``), readings that are
defensible but not required (``optional``: neither rewarded nor penalised),
and triples that must not come out (``forbidden``). Every text goes through
the library stages (spaCy parse, entity linking, relation extraction); no
ingest, no RDF.

Printed: micro precision, recall and F1 over the whole table (a predicted
triple that is neither expected nor optional is a false positive), then per
construction: items passed (all expected found, nothing forbidden) and micro
P/R/F1. ``--failures`` lists every failing item with its missing, extra and
forbidden triples. Symmetric relations match in either direction.

``tests/test_constructions.py`` uses the same functions.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.evaluate import Scores

TABLE = Path(__file__).parents[1] / "tests" / "data" / "constructions.jsonl"

Triple = tuple[str, str, str]


def load_items(path: str | Path = TABLE) -> list[dict]:
    """The table's items, in file order."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: invalid JSON: {exc}") from None
    return items


class Extractor:
    """The library's stages, loaded once: text in, set of triples out."""

    def __init__(self, model: str | None = None):
        from kg.engines import load_resources
        from kg.resources import load_data

        self.model = model
        self.nlp, self.gazetteer, self.lexicon, self.triggers = load_resources(model)
        self.symmetric = frozenset(r for r, spec in load_data("relations")["relations"].items() if spec["symmetric"])

    def claims(self, item_id: str, text: str) -> list:
        from kg.linking import link
        from kg.records import Document
        from kg.extract import extract_claims

        document = Document(id=item_id, path=f"{item_id}.txt", text=text, body=text)
        from kg.engines import parse_batch

        (doc, gated), = parse_batch([document], self.model)  # as a build parses: through kg.gate
        linked = link(doc, self.gazetteer, self.lexicon, text=gated.text)
        from kg.rdf import ASSERTING

        # Denied and unconfirmed claims are kept with their modality but never
        # asserted: only asserting claims count as predicted triples.
        return list(extract_claims(linked, document, triggers=self.triggers, keep_modalities=ASSERTING))

    def triples(self, item_id: str, text: str) -> set[Triple]:
        """Canonical (subject, relation, object) triples of one text."""
        return {self.canon((c.subject, c.relation, c.object)) for c in self.claims(item_id, text)}

    def triples_of_items(self, items: list[dict], batch: int = 64) -> dict[str, set[Triple]]:
        """:meth:`triples` of each item (by id), the texts parsed ``batch`` at a time as a build
        parses a batch of documents (one ``parse_batch``): the same triples, in less time."""
        from kg.engines import parse_batch
        from kg.extract import extract_claims
        from kg.linking import link
        from kg.rdf import ASSERTING
        from kg.records import Document

        found = {}
        for start in range(0, len(items), batch):
            documents = [Document(id=item["id"], path=f"{item['id']}.txt", text=item["text"], body=item["text"])
                         for item in items[start:start + batch]]
            for document, (doc, gated) in zip(documents, parse_batch(documents, self.model)):
                linked = link(doc, self.gazetteer, self.lexicon, text=gated.text)
                found[document.id] = {self.canon((c.subject, c.relation, c.object)) for c in extract_claims(
                    linked, document, triggers=self.triggers, keep_modalities=ASSERTING)}
        return found

    def canon(self, triple) -> Triple:
        s, rel, o = triple
        if rel in self.symmetric and o < s:
            s, o = o, s
        return (s, rel, o)


@dataclass(frozen=True)
class ItemResult:
    """How one item fared."""

    id: str
    construction: str
    text: str
    predicted: frozenset[Triple]
    expected: frozenset[Triple]
    optional: frozenset[Triple]
    forbidden: frozenset[Triple]

    @property
    def missing(self) -> frozenset[Triple]:
        return self.expected - self.predicted

    @property
    def found(self) -> frozenset[Triple]:
        return self.expected & self.predicted

    @property
    def forbidden_found(self) -> frozenset[Triple]:
        return self.forbidden & self.predicted

    @property
    def extra(self) -> frozenset[Triple]:
        """Predicted triples that are neither expected nor optional (false positives)."""
        return self.predicted - self.expected - self.optional

    @property
    def passed(self) -> bool:
        return not self.missing and not self.forbidden_found


def judge(item: dict, predicted: set[Triple], canon) -> ItemResult:
    """Compare one item's predictions with its expectations."""
    def triples(key):
        return frozenset(canon(tuple(t)) for t in item.get(key, ()))

    return ItemResult(item["id"], item["construction"], item["text"], frozenset(predicted),
                      triples("expected"), triples("optional"), triples("forbidden"))


@dataclass
class Tally:
    items: int = 0
    passed: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    failures: list = field(default_factory=list)

    def add(self, result: ItemResult) -> None:
        self.items += 1
        self.passed += result.passed
        self.tp += len(result.found)
        self.fp += len(result.extra)
        self.fn += len(result.missing)

    @property
    def scores(self) -> Scores:
        """Micro precision, recall and F1 (kg's own scorer, as ``kg evaluate`` reports them)."""
        return Scores(self.tp, self.fp, self.fn)

    def row(self, name: str) -> str:
        return (f"{name:22} {self.passed:3}/{self.items:<3} {self.tp:4} {self.fp:4} {self.fn:4}  "
                f"{self.scores.precision:5.2f} {self.scores.recall:5.2f} {self.scores.f1:5.2f}")


def run(items: list[dict], extractor: Extractor) -> list[ItemResult]:
    found = extractor.triples_of_items(items)
    return [judge(item, found[item["id"]], extractor.canon) for item in items]


def summarise(results: list[ItemResult]) -> tuple[Tally, dict[str, Tally]]:
    overall, per = Tally(), defaultdict(Tally)
    for result in results:
        overall.add(result)
        per[result.construction].add(result)
    return overall, dict(per)


def _fmt(triples) -> str:
    return ", ".join(" ".join(t) for t in sorted(triples)) or "-"


def report(results: list[ItemResult], *, failures: bool = False) -> str:
    overall, per = summarise(results)
    lines = [f"{'construction':22} {'pass':>7} {'tp':>4} {'fp':>4} {'fn':>4}  {'P':>5} {'R':>5} {'F1':>5}"]
    lines += [tally.row(name) for name, tally in per.items()]
    lines.append(overall.row("all"))
    if failures:
        for r in results:
            if r.passed and not r.extra:
                continue
            lines.append(f"\n{'FAIL' if not r.passed else 'extra'} {r.id} [{r.construction}] {r.text}")
            if r.missing:
                lines.append(f"  missing:   {_fmt(r.missing)}")
            if r.forbidden_found:
                lines.append(f"  forbidden: {_fmt(r.forbidden_found)}")
            if r.extra - r.forbidden_found:
                lines.append(f"  extra:     {_fmt(r.extra - r.forbidden_found)}")
    lines.append(f"\nmicro: P={overall.scores.precision:.3f} R={overall.scores.recall:.3f} F1={overall.scores.f1:.3f} "
                 f"(tp={overall.tp} fp={overall.fp} fn={overall.fn}); items passed {overall.passed}/{overall.items}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", nargs="?", type=Path, default=TABLE)
    parser.add_argument("--failures", action="store_true", help="list failing items and false positives")
    parser.add_argument("--json", action="store_true", help="print per-item results as JSON")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: kg's)")
    args = parser.parse_args(argv)
    results = run(load_items(args.table), Extractor(args.model))
    if args.json:
        print(json.dumps([{"id": r.id, "construction": r.construction, "passed": r.passed,
                           "missing": sorted(r.missing), "forbidden": sorted(r.forbidden_found),
                           "extra": sorted(r.extra)} for r in results], indent=1))
    else:
        print(report(results, failures=args.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
