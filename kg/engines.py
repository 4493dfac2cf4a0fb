"""Where extraction runs: in this process, in local worker processes, or on Dask.

Extraction turns a batch of :class:`~kg.records.Document` records into one
:class:`Extracted` record per document: gate (:mod:`kg.gate`: sentences in
which nothing can be a mention are blanked) and parse (spaCy), link entities, read
claims and agreements, build the document's RDF fragment and return it as
N-Triples text (:func:`kg.store.ntriples`). :func:`extract_batch` does that,
the same way wherever it runs; an *engine* decides where:

* :class:`SerialEngine` (``jobs=1``) calls it in this process;
* :class:`ProcessEngine` (``jobs=N``) hands batches to N worker processes
  (``concurrent.futures``; forked on Linux, so the loaded pipeline, its
  ``kg_paragraph_breaks`` component and tokenizer special cases are the
  parent's; spawned elsewhere, where each worker loads them with
  :func:`kg.nlp.load_pipeline`);
* :class:`DaskEngine` submits batches as tasks to a ``dask.distributed``
  cluster. Tasks get the documents themselves (text included): workers need
  neither the input files nor a shared file system, only kg and the spaCy
  pipeline installed (the same versions: see :meth:`Engine.check`).

Every engine yields results in the order the batches were given, whatever
order workers finish in, and keeps only a few batches in flight (twice the
number of workers), reading more input only as results come back: memory
stays bounded however many documents there are, and the graph is the same
whatever the number of workers. Batches are cut by the caller, so they are
also the same: spaCy parses exactly the same groups of texts. The Dask
engine fetches each task's results as soon as it finishes
(``distributed.as_completed``) and holds those that come before an earlier
batch's in a reorder buffer, never more than its window of batches
(:attr:`DaskEngine.peak_held` says how many it held at most).

>>> engine = make_engine("local", jobs=1)
>>> type(engine).__name__, engine.jobs
('SerialEngine', 1)
>>> auto_jobs(10), auto_jobs(10_000) == min(cpu_count(), MAX_AUTO_JOBS)
(1, True)
"""
from __future__ import annotations

import os
import sys
import threading
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Sequence

from kg.errors import KgError
from kg.nlp import parse_view
from kg.records import Document

#: ``jobs=0`` uses at most this many processes ...
MAX_AUTO_JOBS = 4
#: ... and only for more documents than this (below, starting workers costs more than it gives).
AUTO_JOBS_MIN_DOCUMENTS = 50
ENGINES = ("local", "dask")


class EngineError(KgError):
    """Extraction workers cannot be started or reached, or disagree with this process."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction made of one document (or one part of a long one)."""

    id: str  #: ``Document.id``
    key: str  #: the document graph it belongs to (``safe_segment(id)``)
    ntriples: str  #: its RDF fragment, N-Triples lines
    sentences: int  #: non-blank sentences parsed


@dataclass(frozen=True, slots=True)
class ExtractorInfo:
    """What the process that extracts runs with; compared across workers."""

    fingerprint: str  #: :func:`kg.store.extraction_fingerprint` of its code, data and pipeline
    chunk_limit: int  #: longest body it parses at once (:func:`kg.chunking.chunk_limit`)
    model: str  #: spaCy pipeline name and version


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def auto_jobs(documents: int) -> int:
    """Processes for ``jobs=0``: one for small inputs, else one per CPU (at most 4)."""
    if documents <= AUTO_JOBS_MIN_DOCUMENTS:
        return 1
    return max(1, min(cpu_count(), MAX_AUTO_JOBS))


# --------------------------------------------------------------------------
# The work itself (runs in whichever process extracts)
# --------------------------------------------------------------------------

_lock = threading.Lock()  # a Dask worker may run several tasks at once in threads


def load_resources(model: str | None = None):
    """``(nlp, gazetteer, lexicon, triggers)``: the spaCy pipeline as kg adapts it and the data, loaded once per process."""
    return _resources(model)


@lru_cache(maxsize=4)
def _resources(model: str | None):
    """The pipeline and dictionaries, loaded once per process."""
    from kg.gazetteer import load_gazetteer
    from kg.nlp import load_pipeline
    from kg.extract import load_triggers
    from kg.linking.dictionary import add_dictionary_names
    from kg.resources import load_data

    gazetteer = load_gazetteer()
    lexicon = load_data("lexicon")
    forms = tuple(sorted(lexicon.get("verb_forms", {}).items()))
    nlp = load_pipeline(model, gazetteer.norm_exceptions, forms)
    add_dictionary_names(nlp)  # the dictionaries' names as spans, for linking's first pass
    return nlp, gazetteer, lexicon, load_triggers()


@lru_cache(maxsize=4)
def extractor_info(model: str | None = None) -> ExtractorInfo:
    """This process's :class:`ExtractorInfo` (loads the pipeline)."""
    from kg.chunking import chunk_limit
    from kg.store import extraction_fingerprint

    with _lock:
        nlp = _resources(model)[0]
    meta = nlp.meta
    fingerprint = extraction_fingerprint(str(meta.get("lang")), str(meta.get("name")), str(meta.get("version")))
    return ExtractorInfo(fingerprint, chunk_limit(nlp), f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}")


def extract_batch(documents: Sequence[Document], model: str | None = None) -> list[Extracted]:
    """Gate and parse ``documents`` together (one ``nlp.pipe`` call) and extract each.

    Documents longer than the pipeline takes at once must already be split
    (:func:`kg.chunking.split_documents`); parts come back one by one.
    """
    with _lock:
        _, gazetteer, lexicon, triggers = _resources(model)
        return [extract_document(doc, document, gazetteer, lexicon, triggers, text=gated.text)
                for doc, gated, document in zip(*_parse(documents, model), documents)]


def link_batch(documents: Sequence[Document], model: str | None = None) -> list:
    """Parse and link ``documents`` as :func:`extract_batch` does; one
    :class:`~kg.linking.LinkedDoc` each (for error analysis, :mod:`kg.diagnose`).

    Offsets are into each document's (or part's) ``body``.
    """
    with _lock:
        _, gazetteer, lexicon, _ = _resources(model)
        return [link_document(doc, document, gazetteer, lexicon, text=gated.text)
                for doc, gated, document in zip(*_parse(documents, model), documents)]


def parse_batch(documents: Sequence[Document], model: str | None = None) -> list[tuple]:
    """``(doc, gated)`` for each document: the spaCy Doc :func:`extract_batch` reads, and the
    gate's decisions (:mod:`kg.gate`) with the text it parsed."""
    with _lock:
        docs, gated = _parse(documents, model)
        return list(zip(docs, gated))


def _parse(documents: Sequence[Document], model: str | None):
    """The documents' bodies through the gate (:mod:`kg.gate`), then one ``nlp.pipe`` call:
    their Docs and the gate's records."""
    from kg.gate import gate_text

    nlp = _resources(model)[0]
    screen = _gate(model)
    gated = [gate_text(nlp, parse_view(document.body), screen) for document in documents]
    docs = nlp.pipe([g.text if g.doc is None else g.doc for g in gated], batch_size=max(1, len(documents)))
    return list(docs), gated


@lru_cache(maxsize=4)
def _gate(model: str | None):
    """The gate's :class:`~kg.gate.Screen` of the dictionaries and lexicon."""
    from kg.gate import load_screen

    _, gazetteer, lexicon, _ = _resources(model)
    return load_screen(gazetteer, lexicon)


def link_document(parsed, document: Document, gazetteer, lexicon, *, text: str | None = None):
    """The entity mentions of one parsed document (:func:`kg.linking.link`).

    ``text`` is what was parsed (:func:`kg.nlp.parse_view` of the body), when not the body itself.
    """
    from kg.linking import link

    return link(parsed, gazetteer, lexicon, text=document.body if text is None else text)


def extract_document(parsed, document: Document, gazetteer, lexicon, triggers, *, text: str | None = None) -> Extracted:
    """Entities, claims, agreements and the RDF fragment of one parsed document.

    ``text`` is what was parsed (:func:`kg.nlp.parse_view` of the body), when not the body itself.
    """
    from kg.chunking import to_file_offsets
    from kg.rdf import GraphBuilder
    from kg.extract import read_article
    from kg.store import ntriples
    from kg.temporal import date_sentences
    from kg.vocab import safe_segment

    linked = link_document(parsed, document, gazetteer, lexicon, text=text)
    reading = read_article(linked, document, triggers=triggers)
    claims, agreements = to_file_offsets(document, reading.claims, reading.agreements)
    # when each evidence sentence says it happened, against the publication date (kg.temporal)
    dates = date_sentences([(c.sentence, c.text) for c in claims] + [(a.sentence, a.text) for a in agreements],
                           document.date)
    fragment = GraphBuilder(_Triples())
    fragment.add_document(document)
    fragment.add_claims(claims, reading.entities, reading.names, dates=dates)
    fragment.add_agreements(agreements, reading.entities, reading.names, dates=dates)
    sentences = linked.sentence_count()
    return Extracted(document.id, safe_segment(document.id), ntriples(fragment.graph), sentences)


class _Triples(dict):
    """The triples of a fragment, in insertion order: all ``GraphBuilder`` needs of a graph.

    Much cheaper than an rdflib Graph (which keeps three indexes) for
    fragments that are only written out.
    """

    #: ``add(triple)``: the triple becomes a key (value None) unless it is one already,
    #: keeping its first place; ``dict.setdefault`` does that without a Python call.
    add = dict.setdefault


def _remote_batch(documents: Sequence[Document], model: str | None) -> tuple[str, list[Extracted]]:
    """A Dask task: the batch's results and the worker's fingerprint, to compare."""
    return extractor_info(model).fingerprint, extract_batch(documents, model)


# --------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------

class Engine:
    """Runs :func:`extract_batch` over batches somewhere; a context manager."""

    name = "engine"
    jobs = 1

    def __init__(self, model: str | None = None):
        self.model = model
        self._info: ExtractorInfo | None = None

    def info(self) -> ExtractorInfo:
        """The fingerprint and chunk limit of the processes that extract."""
        if self._info is None:
            self._info = self._fetch_info()
        return self._info

    def _fetch_info(self) -> ExtractorInfo:
        return extractor_info(self.model)

    def map(self, batches: Iterable[list[Document]]) -> Iterator[tuple[list[Document], list[Extracted]]]:
        """``(batch, results)`` for each batch, in the order given."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the workers (idempotent)."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name} engine, {self.jobs} process{'es' if self.jobs > 1 else ''}"


class SerialEngine(Engine):
    """Extraction in this process, batch after batch."""

    name = "local"

    def map(self, batches):
        for batch in batches:
            yield batch, extract_batch(batch, self.model)


def _bounded(submit, wait, batches: Iterable[list[Document]], window: int):
    """Submit batches with at most ``window`` in flight; yield results in order."""
    pending: deque = deque()
    for batch in batches:
        pending.append((batch, submit(batch)))
        if len(pending) >= window:
            done, handle = pending.popleft()
            yield done, wait(handle)
    while pending:
        done, handle = pending.popleft()
        yield done, wait(handle)


def _reordered(submit, fetch, finished, batches: Iterable[list[Document]], window: int,
               observe: Callable[[int], None]):
    """Submit batches with at most ``window`` outstanding; take results as tasks finish, yield them in order.

    ``finished`` is a ``distributed.as_completed`` (empty) to which every
    submitted future is added; a finished task's results are fetched at once
    (``fetch``). Those that finish before an earlier batch wait in a reorder
    buffer until it comes. A batch is outstanding from its submission until
    it is handed on, and at most ``window`` are, so the buffer never holds
    more than ``window`` batches' results: ``observe`` is told how many it
    holds after each arrival.
    """
    source = iter(batches)
    ready: dict[int, tuple[list[Document], list[Extracted]]] = {}  # index -> (batch, results): the buffer
    where: dict[str, tuple[int, list[Document]]] = {}  # future key -> (index, batch)
    submitted = handed = 0
    exhausted = False
    while True:
        while not exhausted and submitted - handed < window:
            batch = next(source, None)
            if batch is None:
                exhausted = True
                break
            future = submit(batch)
            where[future.key] = (submitted, batch)
            finished.add(future)
            submitted += 1
        if handed == submitted:
            return
        if handed not in ready:
            future = next(finished)
            index, batch = where.pop(future.key)
            ready[index] = (batch, fetch(future))
            observe(len(ready))
            continue
        yield ready.pop(handed)
        handed += 1


def _init_worker(model: str | None, parent: int) -> None:
    import signal

    from kg.children import watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's own handler is not ours
    watch_parent(parent)  # a parent killed outright takes its workers along
    _resources(model)
    _gate(model)


class ProcessEngine(Engine):
    """Extraction in ``jobs`` local worker processes."""

    name = "local"

    def __init__(self, jobs: int, model: str | None = None):
        super().__init__(model)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        # Loaded here first: forked workers share it (copy on write) and start at once.
        self.info()
        _gate(model)
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        try:
            self._pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                                             initargs=(model, os.getpid()))
        except OSError as exc:
            raise EngineError(f"cannot start {jobs} worker processes: {exc}") from None

    def map(self, batches):
        from concurrent.futures.process import BrokenProcessPool

        def wait(future):
            try:
                return future.result()
            except BrokenProcessPool:
                raise EngineError("a worker process died (out of memory?); try fewer --jobs") from None

        return _bounded(lambda batch: self._pool.submit(extract_batch, batch, self.model), wait, batches,
                        2 * self.jobs)

    def close(self) -> None:
        pool, self._pool = getattr(self, "_pool", None), None
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:  # do not wait for batches nobody will read
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join(5)


class DaskEngine(Engine):
    """Extraction as Dask tasks on a ``dask.distributed`` cluster.

    ``scheduler`` is the address of a running scheduler
    (``tcp://host:8786``); without it a :class:`distributed.LocalCluster` of
    ``jobs`` single-threaded worker processes is started for this build.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, jobs: int = 0, model: str | None = None):
        super().__init__(model)
        try:
            import logging

            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("the dask engine needs dask.distributed: pip install 'kg[dask]'") from None
        self._cluster = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout="30s")
            else:
                self._cluster = LocalCluster(n_workers=jobs or cpu_count(), threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = scheduler or "a local cluster"
            raise EngineError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
        self.scheduler = scheduler or self._cluster.scheduler_address
        self.jobs = max(1, sum(self._client.nthreads().values()))
        #: Batches whose results this process holds in its reorder buffer now, and at most so far
        #: (in this :meth:`map`): never more than :attr:`window`.
        self.held = self.peak_held = 0

    def _fetch_info(self) -> ExtractorInfo:
        return self._client.submit(extractor_info, self.model, pure=False).result()

    @property
    def window(self) -> int:
        """Batches submitted and not yet handed on (in flight or waiting for an earlier one): at most this."""
        return 2 * self.jobs

    def map(self, batches):
        """``(batch, results)`` in the order given; each task's results are fetched as soon as it finishes."""
        from distributed import as_completed

        fingerprint = self.info().fingerprint

        def fetch(future):
            theirs, results = future.result()
            if theirs != fingerprint:
                raise EngineError(
                    "a Dask worker runs different kg code, data or spaCy pipeline than the first "
                    "one asked: install the same versions on every worker")
            future.release()  # the cluster forgets it: the results are only here now
            return results

        def observe(held: int) -> None:
            self.held = held
            self.peak_held = max(self.peak_held, held)

        self.held = self.peak_held = 0
        return _reordered(lambda batch: self._client.submit(_remote_batch, batch, self.model, pure=False),
                          fetch, as_completed(loop=self._client.loop), batches, self.window, observe)

    def describe(self) -> str:
        return f"dask engine, {self.jobs} worker threads at {self.scheduler}"

    def close(self) -> None:
        client, self._client = getattr(self, "_client", None), None
        cluster, self._cluster = getattr(self, "_cluster", None), None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def make_engine(engine: str = "local", *, jobs: int = 0, scheduler: str | None = None,
                model: str | None = None, documents: int = 0) -> Engine:
    """The engine for ``kg build --engine ENGINE --jobs JOBS [--scheduler ADDRESS]``.

    ``jobs=0`` picks :func:`auto_jobs` for ``documents`` inputs (local), or one
    worker per CPU for a local Dask cluster.
    """
    if jobs < 0:
        raise EngineError(f"jobs must be 0 (auto) or more, not {jobs}")
    if engine == "dask":
        return DaskEngine(scheduler, jobs=jobs, model=model)
    if engine != "local":
        raise EngineError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if scheduler:
        raise EngineError("--scheduler goes with --engine dask")
    jobs = jobs or auto_jobs(documents)
    return SerialEngine(model) if jobs == 1 else ProcessEngine(jobs, model)
