"""How well kg dates documents and evidence: figures, not a test.

Prints:

* **document dates on dev-real** (``../shared/eval/dev-real/*/sources.tsv``
  gives each text's true publication date and whether the text shows it):
  kg's date and how it was found, against the truth. Right means the date
  shown in the text found, or no date where the text shows none (never a
  guess);
* **evidence dated**, for builds of the seeds and of each dev-real part (or
  of the ``graph.ttl`` files given): the share of evidence sentences with a
  date, by source (stated in the sentence, inherited from the document,
  unresolved, none) and by precision; and of agreements.

::

    .venv/bin/python benchmarks/dates_report.py [--graph OUT/graph.ttl ...]
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_REAL = ROOT.parent / "shared" / "eval" / "dev-real"


def document_dates() -> None:
    from kg.ingest import read_document

    if not DEV_REAL.is_dir():
        print(f"{DEV_REAL} is not there: no document dates to check")
        return
    rows = []
    for part in sorted(p.name for p in DEV_REAL.iterdir() if (p / "sources.tsv").is_file()):
        with open(DEV_REAL / part / "sources.tsv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                note = row["date"]
                shown = "not visible" not in note and "from URL" not in note
                true = note[:10] if note[:4].isdigit() else None
                doc = read_document(DEV_REAL / part / "texts" / f"{row['stem']}.txt")
                right = doc.date == true if shown else doc.date is None
                rows.append((row["stem"], true, shown, doc.date, doc.date_source, right))
    print("document dates on dev-real (true date; shown in the text?; kg's date and source):")
    for stem, true, shown, date, source, right in rows:
        print(f"  {'ok ' if right else 'BAD'} {stem:36} true {true or '-':10} {'shown' if shown else 'not shown':9} "
              f"kg {date or '-':10} {source or ''}")
    known = [r for r in rows if r[1]]
    print(f"  right: {sum(r[5] for r in rows)} of {len(rows)}; the text shows the date for "
          f"{sum(r[2] for r in rows)}, found for {sum(r[2] and r[3] == r[1] for r in rows)}; "
          f"dated {sum(r[3] == r[1] for r in known)} of the {len(known)} with a known date; "
          f"wrong dates: {sum(bool(r[3]) and r[3] != r[1] for r in rows)}")


def evidence_dates(name: str, graph_path: Path) -> None:
    import rdflib
    from rdflib import RDF
    from rdflib.namespace import DCTERMS

    from kg.vocab import KGO

    g = rdflib.Graph().parse(graph_path, format="turtle")
    # an evidence sentence once per document printing it, whatever its modality or speaker: its occurrence there
    sentences: dict[tuple, tuple] = {}
    for ev in g.subjects(RDF.type, KGO.Occurrence):
        key = (str(g.value(ev, DCTERMS.isPartOf)), int(g.value(ev, KGO.beginOffset)), int(g.value(ev, KGO.endOffset)))
        unit = g.value(ev, KGO.datePrecision)
        sentences[key] = (str(g.value(ev, KGO.dateSource) or "none"),
                          str(unit).rsplit("#unit", 1)[-1].lower() if unit is not None else "none")
    n = len(sentences) or 1
    sources = Counter(s for s, _ in sentences.values())
    precisions = Counter(p for _, p in sentences.values())
    dated = sum(p != "none" for _, p in sentences.values())
    agreements = list(g.subjects(RDF.type, KGO.Agreement))
    dated_agreements = sum(g.value(a, DCTERMS.date) is not None for a in agreements)
    docs = list(g.subjects(RDF.type, KGO.Document))
    print(f"{name}: {len(docs)} documents, {sum(g.value(d, DCTERMS.date) is not None for d in docs)} dated; "
          f"{len(sentences)} evidence sentences, {dated} dated ({dated / n:.0%}); "
          f"agreements dated {dated_agreements} of {len(agreements)}")
    print("  by source:    " + ", ".join(f"{k} {sources[k]} ({sources[k] / n:.0%})"
                                         for k in ("stated", "inherited", "unresolved", "none")))
    print("  by precision: " + ", ".join(f"{k} {precisions[k]} ({precisions[k] / n:.0%})"
                                         for k in ("day", "week", "month", "year", "none")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, action="append", default=[], help="a built graph.ttl (repeatable)")
    args = parser.parse_args()
    document_dates()
    if args.graph:
        for path in args.graph:
            evidence_dates(str(path), path)
        return
    import kg

    corpora = [("seeds", ROOT / "seeds")] + [(f"dev-real/{p.name}", p / "texts") for p in sorted(DEV_REAL.glob("*"))
                                             if (p / "texts").is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in corpora:
            out = Path(tmp) / name.replace("/", "-")
            kg.build([folder], out, html=False)
            evidence_dates(name, out / "graph.ttl")


if __name__ == "__main__":
    sys.exit(main())
