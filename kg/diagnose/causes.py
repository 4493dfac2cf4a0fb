"""The causes an error can have, the record of one diagnosed error, and the reports."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Sequence

from kg.evaluate import Evaluation, micro_average

#: Causes of a miss, in the order they are tried.
MISS_CAUSES = MappingProxyType({
    "lost_in_ingest": "sentence lost in ingest",
    "not_linked": "gold entity mentioned but not linked, or linked to another entity",
    "no_frame": "both entities linked in one sentence, but no frame fired",
    "wrong_relation": "wrong relation or wrong direction",
    "no_shared_sentence": "no sentence with both entities (coreference or inference)",
    "no_source": "source text not found: not diagnosed",
})
#: Causes of a false positive, in the order they are tried.
FALSE_POSITIVE_CAUSES = MappingProxyType({
    "furniture": "read from page furniture",
    "wrong_relation": "wrong relation or wrong direction: gold relates the pair otherwise",
    "mislinked": "an end matches no gold entity, or the wrong one",
    "spurious_frame": "a frame fired where gold reads no relation",
})
#: Longest excerpt of a sentence shown in the report.
EXCERPT_CHARS = 160


@dataclass(frozen=True, slots=True)
class Diagnosed:
    """One error and its cause."""

    kind: str  #: "FN" (a miss) or "FP" (a false positive)
    doc: str
    triple: tuple[str, str, str]  #: (subject, relation, object): gold ids (FN) or node names (FP)
    cause: str  #: a key of :data:`MISS_CAUSES` or :data:`FALSE_POSITIVE_CAUSES`
    detail: str  #: what was seen, in a few words
    sentence: str = ""  #: the sentence concerned, whitespace collapsed
    surface: str = ""  #: the name not linked or mislinked, when that is the cause

    def to_dict(self) -> dict:
        return {"kind": self.kind, "doc": self.doc, "triple": list(self.triple), "cause": self.cause,
                "detail": self.detail, "sentence": self.sentence, "surface": self.surface}

    def lines(self) -> list[str]:
        s, p, o = self.triple
        out = [f"{self.kind} [{self.cause}] {self.doc}: {s} --{p}--> {o}", f"    {self.detail}"]
        if self.sentence:
            out.append(f"    \u00ab{excerpt(self.sentence)}\u00bb")
        return out


@dataclass(frozen=True)
class ErrorAnalysis:
    """A graph's evaluation and the cause of each of its errors."""

    evaluation: Evaluation
    errors: tuple[Diagnosed, ...]
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"false_negatives": {cause: n}, "false_positives": {cause: n}}``, every cause listed."""
        found = Counter((e.kind, e.cause) for e in self.errors)
        return {"false_negatives": {c: found["FN", c] for c in MISS_CAUSES},
                "false_positives": {c: found["FP", c] for c in FALSE_POSITIVE_CAUSES}}

    def to_dict(self) -> dict:
        """The evaluation as ``kg evaluate --json`` gives it, with ``diagnosis`` added."""
        return {**self.evaluation.to_dict(), "diagnosis": {
            "counts": self.counts(), "errors": [e.to_dict() for e in self.errors],
            "warnings": list(self.warnings)}}

    def count_lines(self) -> list[str]:
        counts = self.counts()
        lines = [f"misses by cause (fn={self.evaluation.overall.fn}):"]
        lines += [f"  {c:20} {n:4}  {MISS_CAUSES[c]}" for c, n in counts["false_negatives"].items()]
        lines.append(f"false positives by cause (fp={self.evaluation.overall.fp}):")
        lines += [f"  {c:20} {n:4}  {FALSE_POSITIVE_CAUSES[c]}" for c, n in counts["false_positives"].items()]
        return lines

    def report(self) -> str:
        """The score tables, the counts per cause, each error with its cause, the overall line."""
        lines = self.evaluation.table_lines() + [""] + self.count_lines() + [""]
        lines += [f"note: {w}" for w in self.warnings]
        for error in self.errors:
            lines += error.lines()
        lines.append(self.evaluation.overall_line())
        return "\n".join(lines)


def part_names(golds: Sequence[str | Path]) -> list[str]:
    """Short names for parts: the gold files' folders when distinct, else their stems, else numbers.

    >>> part_names(["eval/c/gold.json", "eval/d/gold.json"]), part_names(["c/a.json", "c/a.json"])
    (['c', 'd'], ['part1', 'part2'])
    """
    for names in ([Path(g).resolve().parent.name for g in golds], [Path(g).stem for g in golds]):
        if len(set(names)) == len(names):
            return names
    return [f"part{i + 1}" for i in range(len(golds))]


def _evaluation(result: Evaluation | ErrorAnalysis) -> Evaluation:
    return result.evaluation if isinstance(result, ErrorAnalysis) else result


def parts_report(results: Sequence[Evaluation | ErrorAnalysis], names: Sequence[str]) -> str:
    """Several parts: each one's report under its name; with error analyses, the
    counts per cause side by side and summed; last, the micro-averaged scores."""
    lines: list[str] = []
    for name, result in zip(names, results):
        lines += [f"== {name}: {_evaluation(result).graph} ==", result.report(), ""]
    if results and all(isinstance(r, ErrorAnalysis) for r in results):
        width = max([5, *(len(n) for n in names)])
        lines.append(f"{'errors by cause':32}" + "".join(f" {n:>{width}}" for n in names) + f" {'all':>5}")
        counts = [r.counts() for r in results]
        for kind, label, causes in (("false_negatives", "FN", MISS_CAUSES),
                                    ("false_positives", "FP", FALSE_POSITIVE_CAUSES)):
            for cause in causes:
                row = [c[kind][cause] for c in counts]
                lines.append(f"{label + ' ' + cause:32}" + "".join(f" {n:>{width}}" for n in row)
                             + f" {sum(row):>5}")
        lines.append("")
    o = micro_average([_evaluation(r) for r in results])
    lines.append(f"micro-averaged over {len(results)} parts: P={o.precision:.3f} R={o.recall:.3f} "
                 f"F1={o.f1:.3f} (tp={o.tp} fp={o.fp} fn={o.fn})")
    return "\n".join(lines)


def parts_dict(results: Sequence[Evaluation | ErrorAnalysis], names: Sequence[str]) -> dict:
    """Several parts as JSON data: each part's result by name and the micro-averaged scores."""
    return {"parts": {name: r.to_dict() for name, r in zip(names, results)},
            "overall": micro_average([_evaluation(r) for r in results]).to_dict(counts_first=False)}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` with white space collapsed, cut in the middle past ``limit`` characters.

    >>> excerpt("a  b\\n c")
    'a b c'
    >>> excerpt("x" * 10 + "y" * 10, 9)
    'xxxx\u2026yyyy'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "\u2026" + text[len(text) - half:]
