"""The build: files → documents → parses → mentions → claims → RDF + HTML; and removal.

A build adds to what the output already holds: new files become new
documents, changed ones replace their own graph, and a document that is not
among the inputs stays. ``prune=True`` makes the graph mirror exactly the
inputs; :func:`remove` takes named documents out. The summary states the
whole graph:

>>> report = BuildReport(in_graph=7, added=2, updated=1, removed=1, sentences=10, entities=4,
...                      relation_triples=3, seconds=1.5)
>>> report.summary()
'7 documents in the graph (2 added, 1 updated, 1 removed, 4 unchanged), 10 sentences parsed, 4 entities, 3 relation triples in 1.5 s'
>>> BuildReport(in_graph=1, added=1, split_documents=1, replaced_chars=2, seconds=1).summary()
'1 documents in the graph (1 added, 0 updated, 0 removed, 0 unchanged; 1 split to parse), 0 sentences parsed, 0 entities, 0 relation triples in 1.0 s; 2 characters replaced'
>>> report = BuildReport(documents=2, seconds=1, kept=[KeptText("a.txt", 950, 1000), KeptText("b.txt", 50, 500)])
>>> report.summary().split("; ")[1]
'67% of page text kept (lowest: 10% of b.txt)'
>>> [k.path for k in report.low_kept()], report.low_kept()[0].warning()[:50]
(['b.txt'], 'b.txt: kept 10% of its text (50 of 500 characters)')
"""
from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.errors import MissingInputError, StaleStoreError, StoreError, UnknownDocumentError
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


@dataclass(frozen=True, slots=True)
class RemovedDocument:
    """A document a command took out of the graph."""

    id: str
    path: str | None

    def __str__(self) -> str:
        return f"{self.id} ({self.path})" if self.path else self.id


@dataclass
class BuildReport:
    """What a build (or a removal) did, for the summary line and for callers."""

    #: Documents read from the inputs (unchanged ones included).
    documents: int = 0
    #: Documents in the graph once the command is done.
    in_graph: int = 0
    #: Documents new to the graph, and documents whose graph was made again (changed file or extractor).
    added: int = 0
    updated: int = 0
    sentences: int = 0
    entities: int = 0
    relation_triples: int = 0
    statements: int = 0
    #: Documents read but left as they were in the store (same bytes, path and extractor).
    skipped: int = 0
    #: Documents taken out of the graph (``prune``, :func:`remove`): how many, and which.
    removed: int = 0
    removed_documents: list[RemovedDocument] = field(default_factory=list)
    #: Documents too long for one spaCy call, parsed in parts (:mod:`kg.chunking`).
    split_documents: int = 0
    #: Characters ingest replaced (invalid bytes by U+FFFD, control characters by spaces).
    replaced_chars: int = 0
    seconds: float = 0.0
    rejected: list[IngestError] = field(default_factory=list)
    #: Documents left out because their own graph breaks ``ontology/shapes.ttl`` (each also in
    #: ``rejected``): document graph name -> pySHACL's report (:class:`kg.validate.ValidationReport`).
    invalid: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    #: Per document read (unchanged ones included), in the order of the inputs: the
    #: share of its page text kept once page furniture was blanked.
    kept: list[KeptText] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        """Documents of the graph this command left as they were (among the inputs or not)."""
        return max(0, self.in_graph - self.added - self.updated)

    def low_kept(self, threshold: float = LOW_KEPT_SHARE) -> list[KeptText]:
        """The documents that kept less than ``threshold`` of their page text."""
        return [k for k in self.kept if k.share < threshold]

    def summary(self) -> str:
        """One line: the documents of the graph and what happened to them, sentences parsed,
        entities and relation triples of the graph, seconds."""
        documents = (f"{self.in_graph} documents in the graph ({self.added} added, {self.updated} updated, "
                     f"{self.removed} removed, {self.unchanged} unchanged")
        documents += f"; {self.split_documents} split to parse)" if self.split_documents else ")"
        replaced = f"; {self.replaced_chars} characters replaced" if self.replaced_chars else ""
        kept = ""
        if self.kept:
            total = KeptText("", sum(k.kept_chars for k in self.kept), sum(k.text_chars for k in self.kept))
            lowest = min(self.kept, key=lambda k: k.share)
            kept = f"; {total.share:.0%} of page text kept (lowest: {lowest.share:.0%} of {lowest.path})"
        return (f"{documents}, {self.sentences} sentences parsed, {self.entities} entities, "
                f"{self.relation_triples} relation triples in {self.seconds:.1f} s{replaced}{kept}")


def check_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """The inputs as paths; :class:`~kg.errors.MissingInputError` for the first that does not exist.

    Called before anything is read or written: a mistyped path changes nothing.

    >>> check_inputs(["no/such/folder"])
    Traceback (most recent call last):
    ...
    kg.errors.MissingInputError: no/such/folder: no such file or directory; nothing was read or written
    """
    from kg.ingest import printable_path

    paths = [Path(item) for item in ([inputs] if isinstance(inputs, (str, os.PathLike)) else inputs)]
    for path in paths:
        if not os.path.exists(path):
            what = "a broken symbolic link" if os.path.islink(path) else "no such file or directory"
            raise MissingInputError(f"{printable_path(path.as_posix())}: {what}; nothing was read or written")
    return paths


def build(inputs: Iterable[str | Path], out: str | Path, *, model: str | None = None,
          html: bool = True, validate: bool = True,
          on_document: Callable[[Document], None] | None = None,
          jobs: int = 0, engine: str = "local", scheduler: str | None = None,
          batch_size: int = BATCH_SIZE, prune: bool = False) -> BuildReport:
    """Build ``out/graph.ttl`` and ``out/graph.html`` from articles, adding to what ``out`` holds.

    ``inputs`` are files or directories; one that does not exist raises
    :class:`kg.errors.MissingInputError` before anything is read or written.
    Unreadable files are reported in ``report.rejected`` and the build goes
    on with the rest. ``on_document`` is called after each document is
    processed (for progress bars). With ``validate`` (the default) each
    document's graph is checked against ``ontology/shapes.ttl`` before it
    goes into the store: one that breaks it is left out (the graph stored
    before for it, if any, stays, unless another version of the extractor
    made it), named in ``report.rejected`` with its
    first violations (pySHACL's report in ``report.invalid``), and the build
    goes on. The whole graph is then checked in the store before graph.ttl
    and graph.html are written; a violation there raises
    :class:`kg.errors.ValidationError` naming documents that hold its focus
    nodes, and the previous outputs stay.

    The graph lives in the store at ``out/store`` (:mod:`kg.store`), one named
    graph per document. A file with the same bytes, path and extraction code
    as last time is not parsed again (``report.skipped``); a new file adds a
    document (``report.added``); a changed one replaces exactly its own graph
    (``report.updated``); a document that is not among the inputs stays,
    unless ``prune`` is given, which removes it (``report.removed``). A file
    is known by its path as given (``kgo:sourcePath``) and keeps its document
    id from one build to the next; a new file whose id another document of the
    graph has gets a digest of its path added. All changes reach the store in
    one transaction (:meth:`kg.store.Store.commit`), with the derived triples
    recomputed; ``graph.ttl`` is then exported from the store.

    When the extraction code changed since the store was built, every
    document of the store is read again from its path, so that no graph made
    by other code stays; :class:`kg.errors.StaleStoreError` names those that
    cannot be, before anything is changed.

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
    paths = check_inputs(inputs)
    out = Path(out)
    report = BuildReport()
    messages: list[tuple[int, str, object]] = []  # (input index, "rejected" | "warning" | "kept", message)
    # The writer's lock first: a second build into the same output stops here, having read nothing.
    with Store.lock(out / "store", holder="kg build") as held:
        walked, walk_rejected = _walk(paths, messages)
        # Workers start before the store opens: forking a process that runs the store's threads is unsafe.
        extractor = make_engine(engine, jobs=jobs, scheduler=scheduler, model=model, documents=len(walked))
        try:
            with Store.open(out / "store", held=held) as store:
                with extractor:
                    _extract(walked, walk_rejected, store, extractor, report, messages, batch_size, on_document,
                             prune=prune, validate=validate)
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


def remove(names: Iterable[str], out: str | Path, *, html: bool = True, validate: bool = True) -> BuildReport:
    """Take the documents ``names`` out of the graph in ``out``; write graph.ttl and graph.html again.

    A name is a document id, its path as recorded (``kgo:sourcePath``), or a
    path to the file or to a folder holding files of the graph (every
    document under it goes). A name that matches no document raises
    :class:`kg.errors.UnknownDocumentError` and nothing is removed. The
    documents go in one transaction, with the derived triples recomputed, as
    in a build.
    """
    from kg.store import Store

    started = time.perf_counter()
    names = [names] if isinstance(names, str) else list(names)
    out = Path(out)
    report = BuildReport()
    with Store.open(out / "store", create=False, holder="kg remove") as store:
        store.discard_staged()  # and a commit a killed command left half-done is finished
        files = store.files()
        matched, unknown = match_documents(names, files)
        if unknown:
            if store.meta().get("exported") is False:  # outputs behind after an interrupted command
                _export(store, out, BuildReport(), html=html and (out / "graph.html").exists(), validate=validate)
            shown = ", ".join(repr(n) for n in unknown)
            raise UnknownDocumentError(f"{shown}: no document of {out} has this id or path; nothing was removed")
        keys = sorted({f.key for f in matched})
        store.update_meta(exported=False)
        store.commit(remove=keys)
        report.removed = len(keys)
        report.removed_documents = _removed(files, keys)
        _export(store, out, report, html=html, validate=validate)
    report.seconds = time.perf_counter() - started
    return report


def match_documents(names: Iterable[str], files) -> tuple[list, list[str]]:
    """The stored files (:class:`kg.store.StoredFile`) that ``names`` designate, and the names matching none.

    A name matches a document by id (or graph name), by its recorded path, or as
    a path (relative to here) to its file or to a folder above it.

    >>> from kg.store import StoredFile
    >>> files = [StoredFile("a", "a", "in/a.txt", None), StoredFile("b", "b", "in/sub/b.txt", None)]
    >>> [f.key for f in match_documents(["a"], files)[0]], match_documents(["in/sub", "c"], files)
    (['a'], ([StoredFile(key='b', id='b', path='in/sub/b.txt', hash=None)], ['c']))
    """
    found: dict = {}
    unknown = []
    for name in names:
        hits = [f for f in files if _designates(name, f)]
        if not hits:
            unknown.append(name)
        for f in hits:
            found[(f.key, f.id, f.path)] = f
    return [found[k] for k in sorted(found, key=lambda k: (k[0], k[1], k[2] or ""))], unknown


def _designates(name: str, stored) -> bool:
    if name in (stored.key, stored.id) or (stored.path is not None and name == stored.path):
        return True
    if stored.path is None:
        return False
    wanted, path = os.path.normpath(name), os.path.normpath(stored.path)
    if path == wanted or path.startswith(wanted.rstrip("/") + "/"):
        return True
    if os.path.exists(name) and os.path.exists(stored.path):
        real, here = os.path.realpath(name), os.path.realpath(stored.path)
        return here == real or here.startswith(real.rstrip("/") + "/")
    return False


def _removed(files, keys) -> list[RemovedDocument]:
    keys = set(keys)
    return sorted({RemovedDocument(f.id, f.path) for f in files if f.key in keys},
                  key=lambda r: (r.id, r.path or ""))


@dataclass(frozen=True, order=True)
class _Planned:
    """An input file, known by path only until its batch comes up."""

    key: str  #: the document graph (``safe_segment(id)``)
    id: str
    shown: str  #: ``Document.path``
    index: int  #: position in the walk of the inputs (the order messages are reported in)
    path: Path = field(compare=False)


def _walk(paths: list[Path], messages: list) -> tuple[list[tuple[int, Path]], list[str]]:
    """Every input file with its position in the walk, and the paths that could not be walked.

    Nothing is read yet; paths that cannot be walked go to ``messages``.
    """
    from kg.ingest import iter_paths

    files: list[tuple[int, Path]] = []
    failed: list[str] = []
    for index, item in enumerate(iter_paths(paths)):
        if isinstance(item, IngestError):
            messages.append((index, "rejected", item))
            failed.append(item.path)
        else:
            files.append((index, item))
    return files, failed


def _plan(walked: list[tuple[int, Path]], stored_files) -> list[_Planned]:
    """Every input file with its document id, sorted by document graph, id and path.

    A file whose path (``Document.path``) a stored document has is that
    document, with its id. Other files get ids of their own
    (:func:`kg.ingest.assign_ids`: a/x.txt and b/x.txt are told apart), and
    one that another stored document has gets a digest of its path added.
    The plan holds a path and a few names per file, no text.
    """
    from kg.ingest import _digest, _shown_path, assign_ids
    from kg.vocab import safe_segment

    by_path = {f.path: f for f in stored_files if f.path is not None}
    taken = {f.key for f in stored_files}
    shown = [_shown_path(path, None) for _, path in walked]
    known = [by_path.get(name) for name in shown]
    fresh = [i for i, k in enumerate(known) if k is None]
    fresh_ids = dict(zip(fresh, assign_ids([walked[i][1] for i in fresh], [shown[i] for i in fresh])))
    plan = []
    for i, ((index, path), name) in enumerate(zip(walked, shown)):
        if known[i] is not None:
            plan.append(_Planned(known[i].key, known[i].id, name, index, path))
            continue
        doc_id = fresh_ids[i]
        if safe_segment(doc_id) in taken:  # another document of the graph has this id
            doc_id = base = f"{doc_id}_{_digest(name)}"
            number = 1
            while safe_segment(doc_id) in taken:
                number += 1
                doc_id = f"{base}_{number}"
        taken.add(safe_segment(doc_id))
        plan.append(_Planned(safe_segment(doc_id), doc_id, name, index, path))
    plan.sort()
    return plan


def _stream(plan: list[_Planned], stored: dict, report: BuildReport, messages: list,
            on_document: Callable[[Document], None] | None, *, trust: bool) -> Iterator[Document]:
    """The documents to extract, read lazily, one document graph at a time.

    With ``trust``, a group whose files have the same bytes, paths and ids as
    the stored graph is counted as skipped.
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
        known = stored.get(key)
        if (trust and known is not None and known.ids == {d.id for d in docs}
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


def _extract(walked: list[tuple[int, Path]], walk_rejected: list[str], store, extractor, report: BuildReport,
             messages: list, batch_size: int, on_document: Callable[[Document], None] | None, *,
             prune: bool, validate: bool = True) -> None:
    """Extract what changed, stage it, and commit it to the store with the removals, in one transaction.

    Results come back in document order, whatever the engine; a document
    graph is staged as soon as its last file (or part) is extracted. Into an
    empty store, graphs go straight in with the bulk loader instead. With
    ``validate``, the graphs waiting for the store are checked against the
    shapes first (:func:`kg.validate.invalid_fragments`, a few hundred at a
    time) and one that breaks them is left out and named in ``report.rejected``.
    """
    from kg.chunking import is_last_part, split_documents, split_warning

    info = extractor.info()
    store.discard_staged()  # what a build killed before its commit left (a half-done commit is finished)
    meta = store.meta()
    if meta.get("fingerprint") is None and store.graph_names():
        store.clear()  # a first build that never finished: nothing in it is trusted
    files = store.files()
    fresh = not files  # an empty store: bulk-loaded directly (nothing to lose if killed)
    stale = not fresh and meta.get("fingerprint") != info.fingerprint
    if fresh and meta.get("fingerprint") is not None:
        store.set_meta({})  # until the load is complete: a build killed half-way leaves a store to clear
    stored = store.documents(files)
    removing = _prunable(stored, walked, walk_rejected) if prune else []
    gone = set(removing)
    # The documents removed free their ids: a pruned graph is the graph of its inputs.
    plan = _plan(walked, [f for f in files if f.key not in gone])
    planned = {entry.key for entry in plan}
    if stale:  # made by other extraction code: every document the graph keeps is read again
        plan = sorted(plan + _reread(files, planned, set(removing), len(walked)))

    def count_split(document: Document, parts: list[Document]) -> None:
        report.split_documents += 1
        report.warnings.append(split_warning(document, parts, info.chunk_limit))

    documents = split_documents(_stream(plan, stored, report, messages, on_document, trust=not stale),
                                info.chunk_limit, count_split)
    key, parts = None, []  # the document graph being written and its fragments
    pending: list[tuple[str, str]] = []  # document graphs waiting for the bulk loader
    sources: dict[str, list[str]] = {}  # their files' paths, to name one left out
    written: list[str] = []
    left_out: list[str] = []  # document graphs whose new graph broke the shapes
    unflushed = 0  # N-Triples characters since the last bulk load

    def write(key: str, parts: list[str]) -> None:
        nonlocal unflushed
        body = "\n".join(parts)
        unflushed += len(body)
        pending.append((key, body))
        if unflushed > FLUSH_CHARS:  # else the store's write buffers grow with the corpus
            flush()

    def flush() -> None:
        nonlocal unflushed, pending
        invalid = _invalid_fragments(pending) if validate else {}
        kept = [(key, body) for key, body in pending if key not in invalid]
        for key, found in invalid.items():
            left_out.append(key)
            report.invalid[key] = found
            # a graph made by another extractor never stays (the store vouches for its fingerprint)
            before = "stale" if stale and key in stored else key in stored and key not in gone
            report.rejected.extend(_left_out(path, found, before) for path in sources.get(key, [key]))
        for key, _ in kept:
            written.append(key)
            if key in stored and key not in gone:
                report.updated += 1
            else:
                report.added += 1
        if kept:
            store.load_documents(kept, staging=not fresh)
        pending, unflushed = [], 0
        sources.clear()

    try:
        batch_chars = min(BATCH_CHARS, info.chunk_limit)
        for batch, results in extractor.map(_batches(documents, batch_size, batch_chars)):
            for document, result in zip(batch, results):
                if result.key != key:
                    if parts:
                        write(key, parts)
                    key, parts = result.key, []
                parts.append(result.ntriples)
                if document.path not in sources.setdefault(result.key, []):
                    sources[result.key].append(document.path)
                report.documents += is_last_part(document)
                report.sentences += result.sentences
                if on_document is not None and is_last_part(document):
                    on_document(document)
        if parts:
            write(key, parts)
        if pending:
            flush()
        if stale:  # a document left out was read again too: its old graph goes at the commit
            _require_all_read(files, set(written) | set(removing) | set(left_out))
    except BaseException:
        if not fresh:
            try:
                store.discard_staged()
            except StoreError:
                pass  # the error that stopped the build is the one to report; the next build drops them
        raise
    if fresh:
        store.refresh_derived()
    else:
        store.update_meta(exported=False)  # until graph.ttl is written from the new store
        stale_left = [key for key in left_out if stale and key in stored and key not in removing]
        store.commit(replace=written, remove=[key for key in removing if key not in set(written)] + stale_left)
    report.removed = len(removing)
    report.removed_documents = _removed(files, removing)
    store.flush()
    if meta.get("fingerprint") != info.fingerprint or fresh:
        store.update_meta(fingerprint=info.fingerprint, exported=False)


def _prunable(stored: dict, walked: list[tuple[int, Path]], walk_rejected: list[str]) -> list[str]:
    """The stored documents ``prune`` removes: none of their paths among the inputs, and
    none under an input path that could not be walked (what is there is unknown, not gone)."""
    from kg.ingest import _shown_path

    inputs = {_shown_path(path, None) for _, path in walked}
    protected = [os.path.normpath(p) for p in walk_rejected]

    def under(path: str) -> bool:
        path = os.path.normpath(path)
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in protected)

    return sorted(key for key, doc in stored.items()
                  if not (doc.paths & inputs) and not any(under(p) for p in doc.paths))


def _reread(files, planned: set[str], removing: set[str], start: int) -> list[_Planned]:
    """Plan entries for the stored files that are not among the inputs, to be read again from their paths.

    :class:`kg.errors.StaleStoreError` when some of them are not there any more.
    """
    entries, missing = [], []
    for offset, f in enumerate(files):
        if f.key in planned or f.key in removing:
            continue
        if f.path is None or not os.path.isfile(f.path):
            missing.append(f"{f.path or f.id} ({f.id})")
            continue
        entries.append(_Planned(f.key, f.id, f.path, start + offset, Path(f.path)))
    if missing:
        raise StaleStoreError(_stale_message(missing))
    return entries


def _require_all_read(files, done: set[str]) -> None:
    """:class:`kg.errors.StaleStoreError` naming the stored files that were neither read again nor removed."""
    left = sorted({f"{f.path or f.id} ({f.id})" for f in files if f.key not in done})
    if left:
        raise StaleStoreError(_stale_message(left))


def _stale_message(names: list[str]) -> str:
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return (f"the store was built by another version of kg's extractor, so every document in it must be "
            f"read again, but these cannot be: {shown}; give them as inputs from where they are now, take "
            f"them out with `kg remove`, or build into a new folder (nothing was changed)")


def _invalid_fragments(pending: list[tuple[str, str]]) -> dict:
    from kg.validate import invalid_fragments

    return invalid_fragments(pending)


def _left_out(path: str, found, kept_before: bool | str) -> IngestError:
    """The rejection of a file whose document graph breaks the shapes (``found``, its report);
    ``kept_before``: True when the document's previous graph stays, ``"stale"`` when it was made
    by another extractor and goes.

    >>> from kg.validate import ValidationReport, Violation
    >>> found = ValidationReport(False, (Violation("kgr:entity/x", "rdfs:label", "needs a label"),), "")
    >>> print(_left_out("a.txt", found, kept_before=True))
    a.txt: its graph breaks the RDF contract (ontology/shapes.ttl), 1 violation: kgr:entity/x rdfs:label: needs a label; it was left out of the graph, which keeps its previous graph for this document
    """
    count = len(found.violations)
    shown = "; ".join(str(v) for v in found.violations[:3])
    more = f" (and {count - 3} more)" if count > 3 else ""
    kept = {True: ", which keeps its previous graph for this document",
            "stale": "; its previous graph, made by another version of kg's extractor, was taken out"
            }.get(kept_before, "")
    return IngestError(path, f"its graph breaks the RDF contract (ontology/shapes.ttl), {count} "
                             f"violation{'s' if count != 1 else ''}: {shown}{more}; it was left out of the graph{kept}")


def _export(store, out: Path, report: BuildReport, *, html: bool, validate: bool) -> None:
    """The store's default graph (the union of the documents and the derived triples):
    validation, graph.ttl, graph.html.

    Everything reads the on-disk store; the union is never copied into
    memory. The shapes run as SPARQL over the store's default graph
    (:func:`kg.validate.require_valid_oxigraph`, pySHACL writing the report
    when it does not conform); ``graph.ttl`` is streamed from it subject by
    subject into a temporary file that then replaces the old one
    (:func:`kg.rdf.turtle_chunks`, :func:`kg.rdf.write_atomic`); the page
    reads it through :class:`kg.store.GraphView`. Once both files are
    written, the store's side data says so (``exported``).
    """
    from kg.rdf import turtle_chunks, write_atomic
    from kg.resources import load_build_sparql

    union = store.database()
    row = next(iter(union.query(load_build_sparql("report-counts"))))
    report.statements = report.relation_triples = int(row["statements"].value)
    report.entities = int(row["entities"].value)
    report.in_graph = len(store.graph_names())
    if validate:
        from kg.errors import ValidationError
        from kg.validate import expand, require_valid_oxigraph

        # Loud failure before anything is written: the previous outputs stay.
        try:
            require_valid_oxigraph(union, name="the built graph")
        except ValidationError as exc:
            holders = store.documents_holding(expand(v.focus) for v in exc.report.violations[:3])
            if holders:
                error = ValidationError(f"{exc} (documents holding these nodes: {', '.join(holders)})")
                error.report = exc.report
                raise error from None
            raise
    ttl = out / "graph.ttl"
    write_atomic(ttl, turtle_chunks(union))
    report.outputs["turtle"] = ttl
    if html:
        from kg.html import render_html
        from kg.store import GraphView

        page = out / "graph.html"
        render_html(GraphView(union), page)
        report.outputs["html"] = page
    report.outputs["store"] = store.path
    if store.meta().get("exported") is not True:
        store.update_meta(exported=True)
