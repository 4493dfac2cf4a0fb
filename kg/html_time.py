"""When, in the HTML page: evidence dates, the histogram of evidence by month,
and the list of agreements (:mod:`kg.html` puts them in the page's data; the
page's ``kg/static/timeline.js`` draws them).

* :func:`evidence_when` reads one evidence node's date (``kgo:eventDate``,
  ``kgo:datePrecision``, ``kgo:dateSource``, ``kgo:timeExpression``) and the
  last day of the period it stands for, so that the page keeps a sentence
  whose period overlaps the range the user picks ("October 2017" is kept by
  a range starting on 15 October);
* :func:`histogram` counts distinct evidence sentences by the month their
  date starts in, split into stated and inherited dates, from the first month
  to the last (empty months included), and counts the undated ones;
* :func:`agreements` lists every ``kgo:Agreement`` with its kind, parties,
  brokers, places, date and sentence, and the page's edges it stands for:
  edges between two of its actors or places that rest on its sentence, or
  (when none does) on its document.

>>> histogram([{"when": "2017-10-15", "dated": "stated", "doc": "d", "begin": 0, "end": 9},
...            {"when": "2017-12-01", "dated": "inherited", "doc": "d", "begin": 10, "end": 20},
...            {"when": None, "dated": None, "doc": "e", "begin": 0, "end": 5}])
{'months': ['2017-10', '2017-11', '2017-12'], 'stated': [1, 0, 0], 'inherited': [0, 0, 1], 'undated': 1}
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.temporal import period_end
from kg.vocab import KGO, TIME

__all__ = ["agreement_pairs", "agreements", "evidence_when", "histogram"]

_UNITS = {str(TIME[f"unit{name.title()}"]): name for name in ("day", "week", "month", "year")}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Months drawn at most: a corpus spanning centuries is drawn from its last ones.
MAX_MONTHS = 600


def evidence_when(value: Callable[[Any, Any], Any], ev: Any) -> dict[str, str | None]:
    """``when`` (first day), ``until`` (last day), ``precision``, ``dated`` (the
    source: stated, inherited, unresolved) and ``expr`` of one evidence node.

    ``value(subject, predicate)`` is the page's one-value look-up.
    """
    date, unit = value(ev, KGO.eventDate), value(ev, KGO.datePrecision)
    source, expression = value(ev, KGO.dateSource), value(ev, KGO.timeExpression)
    when = str(date) if isinstance(date, Literal) and _ISO.match(str(date)) else None
    precision = _UNITS.get(str(unit)) if unit is not None else None
    if when is not None and precision is None:
        precision = "day"
    try:
        until = period_end(when, precision) if when else None
    except ValueError:  # not a calendar date
        when = until = None
    return {"when": when, "until": until, "precision": precision if when else None,
            "dated": str(source) if isinstance(source, Literal) else None,
            "expr": str(expression) if isinstance(expression, Literal) else None}


def _month_index(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def histogram(evidence: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Evidence sentences by month (each sentence once, however many relations it supports)."""
    seen: dict[tuple, Mapping[str, Any]] = {}
    for ev in evidence:
        seen.setdefault((ev.get("doc"), ev.get("begin"), ev.get("end")), ev)
    dated = [ev for ev in seen.values() if ev.get("when")]
    if not dated:
        return {"months": [], "stated": [], "inherited": [], "undated": len(seen)}
    last = max(_month_index(ev["when"]) for ev in dated)
    first = max(min(_month_index(ev["when"]) for ev in dated), last - MAX_MONTHS + 1)
    months = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]
    stated, inherited = [0] * len(months), [0] * len(months)
    for ev in dated:
        index = _month_index(ev["when"]) - first
        if index >= 0:
            (inherited if ev.get("dated") == "inherited" else stated)[index] += 1
    return {"months": months, "stated": stated, "inherited": inherited, "undated": len(seen) - len(dated)}


def agreement_pairs(graph) -> set[tuple[str, str]]:
    """The pairs of entities (IRIs, sorted) that some agreement of ``graph`` names
    together (its parties, brokers and places): the edges :func:`agreements` looks at."""
    pairs = set()
    for node in set(graph.subjects(RDF.type, KGO.Agreement)):
        if isinstance(node, URIRef):
            members = sorted({str(o) for prop in (KGO.party, KGO.broker, KGO.place)
                              for o in graph.objects(node, prop) if isinstance(o, URIRef)})
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    return pairs


def agreements(graph, value: Callable[[Any, Any], Any], label: Callable[[Any], str],
               edges: Mapping[tuple[str, str], list[tuple[str, set, set]]]) -> list[dict[str, Any]]:
    """Every agreement of ``graph``, sorted by date (undated last), kind and id.

    ``edges`` maps an unordered pair of entity IRIs (sorted) to the page's
    edges between them: ``(edge id, {(doc, begin, end) of its evidence},
    {its documents})``.
    """
    out = []
    for node in sorted(set(graph.subjects(RDF.type, KGO.Agreement)), key=str):
        if not isinstance(node, URIRef):
            continue

        def ids(prop) -> list[str]:
            return sorted(str(o) for o in graph.objects(node, prop) if isinstance(o, URIRef))

        parties, brokers, places = ids(KGO.party), ids(KGO.broker), ids(KGO.place)
        evidence = sorted((e for e in graph.objects(node, PROV.wasDerivedFrom) if isinstance(e, URIRef)), key=str)
        sentences, docs, text, begin = set(), set(), None, None
        for ev in evidence:
            # where the sentence stands: each document printing it (kgo:occurrence), or on the evidence itself
            own = str(node).rsplit("/", 2)[-2]  # kgr:agreement/<doc>/<anchor>: its document's copy first
            for where in sorted(graph.objects(ev, KGO.occurrence),
                                key=lambda o: (str(o).rsplit("/", 2)[-2] != own, str(o))) or [ev]:
                doc = value(where, DCTERMS.isPartOf)
                doc_id = str(value(doc, DCTERMS.identifier) or "") if doc is not None else ""
                start, end = value(where, KGO.beginOffset), value(where, KGO.endOffset)
                key = (doc_id, _int(start), _int(end))
                sentences.add(key)
                docs.add(doc_id)
                if text is None:
                    text, begin = str(value(ev, KGO.text) or ""), key
        members = sorted(set(parties + brokers + places))
        selected, fallback = [], []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                for edge_id, edge_sentences, edge_docs in edges.get((a, b), ()):
                    if edge_sentences & sentences:
                        selected.append(edge_id)
                    elif edge_docs & docs:
                        fallback.append(edge_id)
        date = value(node, DCTERMS.date)
        unit, source = value(node, KGO.datePrecision), value(node, KGO.dateSource)
        when = str(date) if isinstance(date, Literal) and _ISO.match(str(date)) else None
        precision = (_UNITS.get(str(unit)) or "day") if when else None
        out.append({
            "id": str(node),
            "kind": str(value(node, KGO.agreementType) or "agreement"),
            "label": str(value(node, RDFS.label) or ""),
            "parties": parties, "brokers": brokers, "places": places,
            "names": {iri: label(URIRef(iri)) for iri in members},
            "when": when, "until": period_end(when, precision) if when else None, "precision": precision,
            "dated": str(source) if isinstance(source, Literal) else None,
            "doc": begin[0] if begin else None, "begin": begin[1] if begin else None,
            "end": begin[2] if begin else None, "text": text or "",
            "edges": sorted(set(selected or fallback)),
        })
    out.sort(key=lambda a: (a["when"] is None, a["when"] or "", a["kind"], a["id"]))
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
