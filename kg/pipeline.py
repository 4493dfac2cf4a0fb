"""The build: files → documents → parses → mentions → claims → RDF + HTML.

>>> report = BuildReport(documents=2, sentences=10, entities=4, relation_triples=3, seconds=1.5)
>>> report.summary()
'2 documents, 10 sentences, 4 entities, 3 relation triples in 1.5 s'
>>> BuildReport(documents=5, skipped=3, removed=1, sentences=40, seconds=1).summary()
'5 documents (3 unchanged, 1 removed), 40 sentences parsed, 0 entities, 0 relation triples in 1.0 s'
>>> BuildReport(documents=1, split_documents=1, replaced_chars=2, seconds=1).summary()
'1 documents (1 split to parse), 0 sentences, 0 entities, 0 relation triples in 1.0 s; 2 characters replaced'
>>> report = BuildReport(documents=2, seconds=1, kept=[KeptText("a.txt", 950, 1000), KeptText("b.txt", 50, 500)])
>>> report.summary().split("; ")[1]
'67% of page text kept (lowest: 10% of b.txt)'
>>> [k.path for k in report.low_kept()], report.low_kept()[0].warning()[:50]
(['b.txt'], 'b.txt: kept 10% of its text (50 of 500 characters)')
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.records import Document, IngestError

#: Texts parsed together; enough to keep spaCy busy, small enough to stream ...
BATCH_SIZE = 32
#: ... and at most this many characters of them (with the pipeline's chunk limit, if
#: lower): spaCy holds a whole batch in memory, so a batch is bounded by size, not
#: by count alone, and the parts of a long document are parsed one by one.
BATCH_CHARS = 100_000
#: A document keeping less than this share of its page text is named in a warning.
LOW_KEPT_SHARE = 0.60
#: The store is flushed after this much N-Triples text (about 250 news articles): its
#: in-memory write buffers otherwise grow by about 200 MB per 1,000 documents.
FLUSH_CHARS = 4_000_000


@dataclass(frozen=True, slots=True)
class KeptText:
    """How much of one document's page text ingest kept; the rest was page furniture.

    ``text_chars`` counts the page's readable characters, spaces, markup and
    a paragraph the page repeats left out (:attr:`kg.records.Document.text_chars`).
    """

    path: str
    kept_chars: int
    text_chars: int

    @property
    def share(self) -> float:
        return min(1.0, self.kept_chars / self.text_chars) if self.text_chars else 1.0

    def warning(self) -> str:
        """The message naming a document that kept too little of its text."""
        return (f"{self.path}: kept {self.share:.0%} of its text ({self.kept_chars} of {self.text_chars} "
                f"characters), less than {LOW_KEPT_SHARE:.0%}: check that page furniture did not cut "
                "the article")


@dataclass
class BuildReport:
    """What a build did, for the summary line and for callers."""

    documents: int = 0
    sentences: int = 0
    entities: int = 0
    relation_triples: int = 0
    statements: int = 0
    #: Documents left as they were in the store (same bytes, path and extractor).
    skipped: int = 0
    #: Documents dropped from the store because they are no longer among the inputs.
    removed: int = 0
    #: Documents too long for one spaCy call, parsed in parts (:mod:`kg.chunking`).
    split_documents: int = 0
    #: Characters ingest replaced (invalid bytes by U+FFFD, control characters by spaces).
    replaced_chars: int = 0
    seconds: float = 0.0
    rejected: list[IngestError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    #: Per document read (unchanged ones included), in the order of the inputs: the
    #: share of its page text kept once page furniture was blanked.
    kept: list[KeptText] = field(default_factory=list)

    def low_kept(self, threshold: float = LOW_KEPT_SHARE) -> list[KeptText]:
        """The documents that kept less than ``threshold`` of their page text."""
        return [k for k in self.kept if k.share < threshold]

    def summary(self) -> str:
        """One line: documents, sentences, entities, relation triples, seconds."""
        documents = f"{self.documents} documents"
        if self.skipped or self.removed or self.split_documents:
            notes = [f"{self.skipped} unchanged"] if self.skipped else []
            notes += [f"{self.removed} removed"] if self.removed else []
            notes += [f"{self.split_documents} split to parse"] if self.split_documents else []
            documents += f" ({', '.join(notes)})"
        sentences = f"{self.sentences} sentences" + (" parsed" if self.skipped else "")
        replaced = f"; {self.replaced_chars} characters replaced" if self.replaced_chars else ""
        kept = ""
        if self.kept:
            total = KeptText("", sum(k.kept_chars for k in self.kept), sum(k.text_chars for k in self.kept))
            lowest = min(self.kept, key=lambda k: k.share)
            kept = f"; {total.share:.0%} of page text kept (lowest: {lowest.share:.0%} of {lowest.path})"
        return (f"{documents}, {sentences}, {self.entities} entities, "
                f"{self.relation_triples} relation triples in {self.seconds:.1f} s{replaced}{kept}")


def build(inputs: Iterable[str | Path], out: str | Path, *, model: str | None = None,
          html: bool = True, validate: bool = True,
          on_document: Callable[[Document], None] | None = None,
          jobs: int = 0, engine: str = "local", scheduler: str | None = None,
          batch_size: int = BATCH_SIZE) -> BuildReport:
    """Build ``out/graph.ttl`` and ``out/graph.html`` from articles.

    ``inputs`` are files or directories. Unreadable inputs are reported in
    ``report.rejected`` and the build goes on with the rest. ``on_document``
    is called after each document is processed (for progress bars). With
    ``validate`` (the default) the graph is checked against
    ``ontology/shapes.ttl`` before anything is written, and a violation raises
    :class:`kg.errors.ValidationError`.

    The graph lives in the store at ``out/store`` (:mod:`kg.store`), one named
    graph per document: a file with the same bytes, path and extraction code
    as last time is not parsed again (``report.skipped``); a changed one
    replaces exactly its own graph; a document no longer among the inputs is
    removed (``report.removed``). ``graph.ttl`` is exported from the store.

    Documents stream through in batches of ``batch_size`` documents and at
    most :data:`BATCH_CHARS` characters (see :func:`_stream` and
    :func:`_batches`): files are read as their batch comes up, each document's
    graph is written to the store as soon as it is extracted, and only a few
    batches are held at a time. Extraction runs where ``engine`` says
    (:mod:`kg.engines`): ``"local"`` with ``jobs`` processes (0: one per CPU,
    at most 4, for more than 50 files; else 1), or ``"dask"`` on the cluster
    at ``scheduler`` (a local one if None). The graph is the same whatever the
    engine and number of jobs.
    """
    from kg.engines import make_engine
    from kg.store import Store

    started = time.perf_counter()
    out = Path(out)
    report = BuildReport()
    messages: list[tuple[int, str, object]] = []  # (input index, "rejected" | "warning" | "kept", message)
    plan = _plan(inputs, messages)
    # Workers start before the store opens: forking a process that runs the store's threads is unsafe.
    extractor = make_engine(engine, jobs=jobs, scheduler=scheduler, model=model, documents=len(plan))
    try:
        with Store.open(out / "store") as store:
            with extractor:
                _extract(plan, store, extractor, report, messages, batch_size, on_document)
            # Messages in the order of the inputs, as a reader of the walk would meet them.
            messages.sort(key=lambda item: item[0])
            report.rejected[:0] = [m for _, kind, m in messages if kind == "rejected"]
            report.warnings[:0] = [m for _, kind, m in messages if kind == "warning"]
            report.kept[:0] = [m for _, kind, m in messages if kind == "kept"]
            _export(store, out, report, html=html, validate=validate)
    finally:
        extractor.close()
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True, order=True)
class _Planned:
    """An input file, known by path only until its batch comes up."""

    key: str  #: the document graph (``safe_segment(id)``)
    id: str
    shown: str  #: ``Document.path``
    index: int  #: position in the walk of the inputs (the order messages are reported in)
    path: Path = field(compare=False)


def _plan(inputs: Iterable[str | Path], messages: list) -> list[_Planned]:
    """Every input file, sorted by document graph, id and path; nothing is read yet.

    Every file gets its own id, hence its own document graph
    (:func:`kg.ingest.assign_ids`: a/x.txt and b/x.txt are told apart). Paths
    that cannot be walked go to ``messages``. The plan holds a path and a few
    names per file, no text.
    """
    from kg.ingest import _shown_path, assign_ids, iter_paths
    from kg.vocab import safe_segment

    files: list[tuple[int, Path]] = []
    for index, item in enumerate(iter_paths(inputs)):
        if isinstance(item, IngestError):
            messages.append((index, "rejected", item))
        else:
            files.append((index, item))
    shown = [_shown_path(path, None) for _, path in files]
    ids = assign_ids([path for _, path in files], shown)
    plan = [_Planned(safe_segment(doc_id), doc_id, name, index, path)
            for (index, path), name, doc_id in zip(files, shown, ids)]
    plan.sort()
    return plan


def _stream(plan: list[_Planned], stored: dict, report: BuildReport, messages: list, seen: set[str],
            on_document: Callable[[Document], None] | None) -> Iterator[Document]:
    """The documents to extract, read lazily, one document graph at a time.

    A group whose files have the same bytes, paths and ids as the stored
    graph is counted as skipped. ``seen`` gets the key of every group read.
    """
    from kg.ingest import iter_documents

    for key, entries in groupby(plan, key=lambda p: p.key):
        docs = []
        for entry in entries:
            for item in iter_documents([entry.path]):
                if isinstance(item, IngestError):
                    messages.append((entry.index, "rejected", item))
                else:
                    if item.id != entry.id:  # told apart from another input's
                        item = dataclasses.replace(item, id=entry.id)
                    docs.append(item)
                    messages.extend((entry.index, "warning", f"{item.path}: {w}") for w in item.warnings)
                    kept = KeptText(item.path, item.kept_chars, item.text_chars)
                    messages.append((entry.index, "kept", kept))
                    report.replaced_chars += item.replaced_chars
        if not docs:
            continue
        seen.add(key)
        known = stored.get(key)
        if (known is not None and known.ids == {d.id for d in docs}
                and known.hashes == {d.sha256 for d in docs} and known.paths == {d.path for d in docs}):
            report.documents += len(docs)
            report.skipped += len(docs)
            for doc in docs:
                if on_document is not None:
                    on_document(doc)
        else:
            yield from docs


def _batches(items: Iterable[Document], size: int, chars: int | None = None) -> Iterator[list[Document]]:
    """Consecutive lists of at most ``size`` items and ``chars`` characters of body, lazily.

    A document longer than ``chars`` makes a batch of its own.

    >>> docs = [Document(id=str(n), path="x", text="x" * n, body="x" * n) for n in (5, 5, 9, 1, 1, 1)]
    >>> [[len(d.body) for d in b] for b in _batches(docs, 2, chars=10)]
    [[5, 5], [9, 1], [1, 1]]
    >>> [[len(d.body) for d in b] for b in _batches(docs, 9, chars=6)]
    [[5], [5], [9], [1, 1, 1]]
    """
    size = max(1, size)
    if chars is None:
        iterator = iter(items)
        while batch := list(islice(iterator, size)):
            yield batch
        return
    batch, held = [], 0
    for item in items:
        if batch and held + len(item.body) > chars:
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += len(item.body)
        if len(batch) >= size or held >= chars:  # full: out at once, without reading ahead
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _extract(plan: list[_Planned], store, extractor, report: BuildReport, messages: list, batch_size: int,
             on_document: Callable[[Document], None] | None) -> None:
    """Extract what changed and write it to the store, one document graph at a time.

    Results come back in document order, whatever the engine; a document
    graph is written as soon as its last file (or part) is extracted.
    """
    from kg.chunking import is_last_part, split_documents

    info = extractor.info()
    # A store made by other extraction code, or by a build that never finished (no
    # fingerprint), is rebuilt from empty, with the bulk loader; else documents are
    # replaced one by one, each in its own transaction.
    fresh = store.meta().get("fingerprint") != info.fingerprint
    if fresh:
        store.clear()
    stored = {} if fresh else store.documents()
    seen: set[str] = set()
    documents = split_documents(_stream(plan, stored, report, messages, seen, on_document),
                                info.chunk_limit, report)
    key, parts = None, []  # the document graph being written and its fragments
    pending: list[tuple[str, str]] = []  # fresh: document graphs waiting for the bulk loader
    unflushed = 0  # N-Triples characters written since the store last flushed

    def write(key: str, parts: list[str]) -> None:
        nonlocal unflushed, pending
        body = "\n".join(parts)
        unflushed += len(body)
        if fresh:
            pending.append((key, body))
        else:
            store.replace_document(key, body)
        if unflushed > FLUSH_CHARS:
            if pending:
                store.load_documents(pending)
                pending = []
            else:
                store.flush()  # else the store's write buffers grow with the corpus
            unflushed = 0

    batch_chars = min(BATCH_CHARS, info.chunk_limit)
    for batch, results in extractor.map(_batches(documents, batch_size, batch_chars)):
        for document, result in zip(batch, results):
            if result.key != key:
                if parts:
                    write(key, parts)
                key, parts = result.key, []
            parts.append(result.ntriples)
            report.documents += is_last_part(document)
            report.sentences += result.sentences
            if on_document is not None and is_last_part(document):
                on_document(document)
    if parts:
        write(key, parts)
    if pending:
        store.load_documents(pending)
    for name in store.graph_names():
        if name not in seen:
            store.remove_document(name)
            report.removed += 1
    store.flush()
    if store.meta().get("fingerprint") != info.fingerprint:
        store.set_meta({"fingerprint": info.fingerprint})


def _export(store, out: Path, report: BuildReport, *, html: bool, validate: bool) -> None:
    """The union of the document graphs: counts, validation, graph.ttl, graph.html.

    The union is copied out of the store into an in-memory Oxigraph store
    (:meth:`kg.store.Store.union_store`, with evidence and source counts);
    validation, the Turtle writer and the page read it there. This is the
    one stage that holds the whole graph in memory, in Oxigraph's compact
    form, not as rdflib objects.
    """
    from kg.rdf import turtle_bytes, write_atomic
    from kg.resources import load_build_sparql

    union = store.union_store()
    row = next(iter(union.query(load_build_sparql("report-counts"))))
    report.statements = report.relation_triples = int(row["statements"].value)
    report.entities = int(row["entities"].value)
    if validate:
        from kg.validate import require_valid_oxigraph

        # Loud failure before anything is written: the previous outputs stay.
        require_valid_oxigraph(union, name="the built graph")
    ttl = out / "graph.ttl"
    write_atomic(ttl, turtle_bytes(union))
    report.outputs["turtle"] = ttl
    if html:
        from kg.html import render_html
        from kg.store import GraphView

        page = out / "graph.html"
        render_html(GraphView(union), page)
        report.outputs["html"] = page
    report.outputs["store"] = store.path
