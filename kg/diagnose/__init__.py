"""Error analysis: why each miss and each false positive happened (``kg evaluate --errors``).

:func:`diagnose` scores a graph against gold (:func:`kg.evaluate.evaluate`,
the rules of ``../shared/eval/score.py``), then gives every error exactly one
cause, so that the counts per cause say where the work is.

For a **miss** (a gold triple no statement matched) the gold evidence is
found again in the source file (whitespace-, case- and quote-insensitive;
pieces joined by "..." are found one by one) and the file is read again the
way ``kg build`` reads it: ingest (:func:`kg.ingest.read_document`, which
masks page furniture), the spaCy pipeline and the linker
(:func:`kg.engines.link_batch`). The first of these that holds is the cause:

1. ``lost_in_ingest``: ingest masked most of the evidence, or every mention
   of one of the two gold entities in it;
2. ``wrong_relation``: the graph has a triple between the two entities read
   from the evidence sentence, with another relation or the other direction;
3. ``not_linked``: no sentence of the evidence has both entities linked, but
   one names both (by a gold alias or a name of the entity's graph node) and
   one of the names is not linked, or linked to an entity that is not the
   gold one;
4. ``no_frame`` / ``wrong_relation``: a sentence has both entities linked;
   the graph has no triple between them in that document (no frame fired),
   or only with another relation or direction;
5. ``no_shared_sentence``: no sentence of the evidence names both (it spans
   sentences, or one entity is only implied: coreference or inference). A
   triple between the two read from another sentence is named as a hint,
   not counted as a relation error: this evidence could not give the triple.

``no_source`` says the source file was not found (nothing re-read).

A **false positive** is read from its evidence sentences in the graph:
``furniture`` when every one of them is page furniture ingest let through (a
caption whose credit ingest masked, a headline-like line right after masked
furniture; a line a gold evidence quotes is never furniture);
``wrong_relation`` when the gold relates the pair otherwise; ``mislinked``
when an end matches no gold entity, or is named nowhere in the sentence (it
came from coreference; the gold names there that nothing links are shown);
``spurious_frame`` otherwise.

An entity "is" a gold entity when one of its names (its graph node's labels,
its label, the names it has in the document) normalises to a gold alias, as
the scorer matches nodes.

>>> sorted(MISS_CAUSES) == sorted(['lost_in_ingest', 'not_linked', 'no_frame', 'wrong_relation',
...                                'no_shared_sentence', 'no_source'])
True
>>> Folded("The U.S.-backed  \u201cSDF\u201d").lower
'the us backed sdf'
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping, Sequence

from kg.diagnose.causes import (EXCERPT_CHARS, FALSE_POSITIVE_CAUSES, MISS_CAUSES, Diagnosed, ErrorAnalysis,
                                excerpt, part_names, parts_dict, parts_report)
from kg.diagnose.classify import Diagnoser
from kg.diagnose.inputs import GraphIndex, Source, find_source, read_source
from kg.diagnose.names import Folded, NameFinder, Occurrence
from kg.errors import InputError
from kg.evaluate import Gold, as_gold, evaluate, parse_graph

__all__ = ["EXCERPT_CHARS", "FALSE_POSITIVE_CAUSES", "MISS_CAUSES", "Diagnosed", "Diagnoser", "ErrorAnalysis",
           "Folded", "GraphIndex", "NameFinder", "Occurrence", "Source", "diagnose", "excerpt", "find_source",
           "part_names", "parts_dict", "parts_report", "read_source"]


def diagnose(gold: Gold | Mapping | str | Path, graph, *, texts: Sequence[str | Path] = (),
             model: str | None = None, sources: Mapping[str, Source | None] | None = None,
             name: str | None = None) -> ErrorAnalysis:
    """Evaluate ``graph`` against ``gold`` and give each error its cause.

    ``graph`` is an rdflib graph or a file; ``texts`` are folders holding the
    source files by document stem (searched before the graph's recorded
    paths). ``sources`` gives the :class:`Source` of documents directly
    (tests); others are read with :func:`read_source` using the spaCy
    pipeline ``model``. Errors come in the order of the causes, then by document.
    """
    gold_path = Path(gold) if isinstance(gold, (str, Path)) else None
    gold = as_gold(gold)
    g, label = parse_graph(graph)
    graph_path = Path(graph) if isinstance(graph, (str, Path)) else None
    evaluation = evaluate(gold, g, name=name if name is not None else label)
    index = GraphIndex(g, gold)
    warnings: list[str] = []
    wanted = sorted({e.doc for e in evaluation.false_negatives} | {e.doc for e in evaluation.false_positives})
    found: dict[str, Source | None] = dict(sources or {})
    for doc in wanted:
        if doc in found:
            continue
        path = find_source(doc, index, texts=texts, graph_path=graph_path, gold_path=gold_path)
        if path is None:
            warnings.append(f"{doc}: source file not found (give --texts DIR)")
            found[doc] = None
            continue
        try:
            found[doc] = read_source(path, model=model)
        except InputError as exc:
            warnings.append(str(exc))
            found[doc] = None
            continue
        recorded = index.paths.get(doc, ("", ""))[1]
        if recorded and hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
            warnings.append(f"{path}: changed since the graph was built; the diagnosis reads it as it is now")
    diagnoser = Diagnoser(gold, index, found)
    errors = [diagnoser.miss(e.doc, e.triple) for e in evaluation.false_negatives]
    errors += [diagnoser.false_positive(e.doc, e.nodes[0], e.p, e.nodes[1], (e.s, e.o))
               for e in evaluation.false_positives]
    order = {**{("FN", c): i for i, c in enumerate(MISS_CAUSES)},
             **{("FP", c): len(MISS_CAUSES) + i for i, c in enumerate(FALSE_POSITIVE_CAUSES)}}
    errors.sort(key=lambda e: (order[e.kind, e.cause], e.doc, e.triple))
    return ErrorAnalysis(evaluation, tuple(errors), tuple(warnings))
