"""The build: files → documents → parses → mentions → claims → RDF + HTML.

>>> report = BuildReport(documents=2, sentences=10, entities=4, relation_triples=3, seconds=1.5)
>>> report.summary()
'2 documents, 10 sentences, 4 entities, 3 relation triples in 1.5 s'
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from kg.records import Document, IngestError

#: Texts parsed together; enough to keep spaCy busy, small enough to stream.
BATCH_SIZE = 32


@dataclass
class BuildReport:
    """What a build did, for the summary line and for callers."""

    documents: int = 0
    sentences: int = 0
    entities: int = 0
    relation_triples: int = 0
    statements: int = 0
    seconds: float = 0.0
    rejected: list[IngestError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: documents, sentences, entities, relation triples, seconds."""
        return (f"{self.documents} documents, {self.sentences} sentences, {self.entities} entities, "
                f"{self.relation_triples} relation triples in {self.seconds:.1f} s")


def build(inputs: Iterable[str | Path], out: str | Path, *, model: str | None = None,
          html: bool = True, on_document: Callable[[Document], None] | None = None) -> BuildReport:
    """Build ``out/graph.ttl`` and ``out/graph.html`` from articles.

    ``inputs`` are files or directories. Unreadable inputs are reported in
    ``report.rejected`` and the build goes on with the rest. ``on_document``
    is called after each document is processed (for progress bars).
    """
    from kg.gazetteer import load_gazetteer
    from kg.ingest import iter_documents
    from kg.linking import link
    from kg.nlp import load_pipeline
    from kg.rdf import GraphBuilder, add_counts, new_graph, turtle_bytes, write_atomic
    from kg.relations import load_triggers, read_article
    from kg.resources import load_data

    started = time.perf_counter()
    out = Path(out)
    report = BuildReport()
    gazetteer = load_gazetteer()
    lexicon = load_data("lexicon")
    triggers = load_triggers()
    nlp = load_pipeline(model, gazetteer.norm_exceptions)
    graph = new_graph()
    entity_ids: set[str] = set()

    documents = []
    for item in iter_documents(inputs):
        if isinstance(item, IngestError):
            report.rejected.append(item)
        else:
            documents.append(item)
            report.warnings += [f"{item.path}: {w}" for w in item.warnings]
    documents.sort(key=lambda d: (d.id, d.path))

    texts = ((doc.body, doc) for doc in documents)
    for parsed, document in nlp.pipe(texts, as_tuples=True, batch_size=BATCH_SIZE):
        linked = link(parsed, gazetteer, lexicon)
        claims, agreements = read_article(linked, document, triggers=triggers)
        fragment = GraphBuilder()
        fragment.add_document(document)
        fragment.add_claims(claims, linked.entities, linked.surface)
        fragment.add_agreements(agreements, linked.entities, linked.surface, date=document.date)
        graph += fragment.graph
        for claim in claims:
            entity_ids.update((claim.subject, claim.object))
        report.documents += 1
        report.sentences += sum(1 for s in parsed.sents if not all(t.is_space for t in s))
        if on_document is not None:
            on_document(document)

    add_counts(graph)
    from rdflib import RDF

    report.statements = sum(1 for _ in graph.subjects(RDF.type, RDF.Statement))
    report.relation_triples = report.statements
    report.entities = len(entity_ids)
    ttl = out / "graph.ttl"
    write_atomic(ttl, turtle_bytes(graph))
    report.outputs["turtle"] = ttl
    if html:
        from kg.html import render_html

        page = out / "graph.html"
        render_html(graph, page)
        report.outputs["html"] = page
    report.seconds = time.perf_counter() - started
    return report
