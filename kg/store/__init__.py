"""The persistent RDF store: one named graph per source document, on disk.

``kg build`` keeps its graph in an embedded Oxigraph database at
``OUT/store/`` and exports ``graph.ttl`` from it. Every document's triples
live in their own named graph, ``kgr:graph/<doc id>``: its document node,
the descriptions of the entities it mentions (types, labels, altLabels,
coordinates), its asserted relation triples, their ``rdf:Statement``
reification and its evidence. Statement, entity and evidence IRIs are minted
from content (:mod:`kg.vocab`), so the same triple read from two documents
has the same statement IRI in both graphs and the union merges them.
Replacing or dropping one document's graph therefore replaces or drops
exactly its evidence, and a triple that no document supports any more
disappears from the union with it.

The union is materialised. Oxigraph's "default graph as union" option
yields a triple once per named graph holding it (a bag, not an RDF merge), so
``COUNT`` and row multiplicities would be wrong. The store's default graph
therefore holds the union itself, kept in step by every write: replacing a
document deletes from the default graph the triples only its old graph had,
then inserts its new triples in both places, in the same transaction. Queries
run on the default graph; ``GRAPH ?g { }`` still reaches each document.

Derived triples (evidence and source counts: :mod:`kg.derived`) are computed
over all documents by SPARQL rules, kept in the named graph ``kgr:derived``
and in the default graph, and recomputed in the same transaction as every
change of documents. So the default graph is always exactly what
``graph.ttl`` holds, and what a build of the same documents from nothing
gives.
The sort ranks of names that page the named queries (:mod:`kg.order`) live in
the named graph ``kgr:order``, outside the default graph: dropped by every
such transaction and written again right after it.

A build changes the store in one transaction (:meth:`Store.commit`): new and
changed documents' graphs are first written to staging graphs
(``kgr:staging/<doc id>``, outside the union and never read by queries of the
default graph), then one SPARQL Update swaps them in, drops the removed
documents and recomputes the derived triples. A build killed before the
commit leaves the store as it was (its staging graphs are dropped by the next
one); killed after, the store holds the new graph. Only a build into an empty
store writes directly, with Oxigraph's bulk loader (see
:meth:`Store.load_documents`), and a change of more than
:data:`COMMIT_DOCUMENTS` documents is committed in several transactions under
a journal that the next writer finishes (:meth:`Store.commit`).

Why pyoxigraph directly, and oxrdflib as a view. This subpackage is the only
code of kg that imports pyoxigraph (``tests/test_rdf_runtime.py``): the store
here, :mod:`kg.store.terms` (rdflib <-> pyoxigraph terms),
:mod:`kg.store.scratch` (in-memory stores for checks and derived triples) and
:mod:`kg.store.serialize` (kg's one writer of Turtle, N-Triples, N-Quads and
TriG: Oxigraph's). kg makes its triples as rdflib terms. Writes go through
Oxigraph's bulk loader (a store built from empty) or SPARQL Update, which
Oxigraph applies as one transaction; queries go to ``pyoxigraph.Store.query``
through :func:`kg.sparql.execute`. Measured on the 500 document graphs of a
build of ``benchmarks/corpus.py``'s documents (96,291 triples,
``benchmarks/bench_rdflib_store.py``, docs/performance.md, 2026-12-04, load
average 7.5 on 2 CPUs): rdflib's API over oxrdflib (``Dataset(store="Oxigraph")``)
wrote them in 4.6 s with ``addN`` and 2.9 s with ``Graph.parse``, quads only,
with no transaction (oxrdflib is not transaction-aware, so a commit cannot go
through it); the bulk loader with the derived triples in 1.6 s; a commit (one
transaction keeping the union, the derived triples and the sort ranks) in
10.1 s. A named query costs 1.3x through rdflib's ``Dataset.query`` (15.1 ms
against 11.6 ms): kg's own entry point is for the query check, bound values,
timeouts and formats. Users who want rdflib get the very same database as an
``rdflib.Dataset`` or ``Graph`` backed by oxrdflib's ``OxigraphStore``
(:meth:`Store.rdflib_view`, ``kg.dataset(out)``, ``kg.graph(out)``;
:meth:`Store.rdflib_dataset` for a store kg holds open), which is what
``rdflib.Graph(store="Oxigraph")`` is.

Locking. Oxigraph allows one writer. A writer holds an exclusive ``flock`` on
``kg.lock`` in the store folder; readers (``kg query``, ``kg serve``) hold a
shared one, because opening read-only while another process writes is
undefined behaviour in Oxigraph. Whoever cannot get the lock gets
:class:`~kg.errors.StoreLockedError` at once, naming the holder (its command
and pid); the database is never opened twice for writing. So a second build
into the same output stops at once, before it reads or writes anything, and
a build into a store that ``kg serve`` is serving is refused until the
server stops.

The store folder also holds ``kg-store.json``: the fingerprint of the
extraction code and data that produced the stored graphs, so that a changed
extractor re-reads unchanged files (see :func:`extraction_fingerprint`), and
whether ``graph.ttl`` was written since the store last changed.

>>> import tempfile
>>> from rdflib import Literal, URIRef
>>> from kg.rdf import new_graph
>>> frag = new_graph()
>>> _ = frag.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x")))
>>> with Store.open(tempfile.mkdtemp() + "/store") as store:
...     store.replace_document("d1", frag)
...     store.replace_document("d1", frag)   # idempotent: no duplicates
...     len(store.union_graph()), store.graph_names()
(1, ['d1'])
"""
from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.errors import StoreError, StoreLockedError
from kg.store.scratch import copy_graphs, load_ntriples, memory_store, oxigraph_copy, rdflib_triples  # noqa: F401
from kg.store.serialize import TURTLE_PREFIXES, ntriples, turtle_bytes, turtle_chunks  # noqa: F401 (kg.store's names)
from kg.store.view import GraphView  # noqa: F401 (kg.store's name)
from kg.store.terms import (_FromOxigraph, from_oxigraph, graph_name, lexical_view, oxigraph_terms,  # noqa: F401
                            plain_string, quad, to_oxigraph)
from kg.vocab import DERIVED_GRAPH, DOCUMENT_GRAPHS, KGO, KGR, SPARQL_PREFIXES, VALIDATION_GRAPHS, prefixes, safe_segment

#: Named graphs of documents are ``GRAPH_PREFIX + <doc id>``.
GRAPH_PREFIX = DOCUMENT_GRAPHS
#: New graphs of documents wait in ``STAGING_PREFIX + <doc id>`` until :meth:`Store.commit`.
STAGING_PREFIX = str(KGR["staging/"])
LOCK_FILE = "kg.lock"
META_FILE = "kg-store.json"
#: A commit of more documents than this goes in several transactions, under a journal (:meth:`Store.commit`).
COMMIT_DOCUMENTS = 500
#: Staging less N-Triples text than this is one SPARQL Update, not a bulk load.
_SMALL_STAGING = 1_000_000
#: Bumped when the layout of the store changes so that another version cannot read it. Format 1
#: stores made before the derived graph and staging graphs existed are read as they are (their
#: documents are read again, as the extractor changed, and the derived triples are computed).
STORE_FORMAT = 1


def document_graph(doc_id: str) -> URIRef:
    """IRI of the named graph holding everything derived from one document.

    >>> str(document_graph("001_a2f9"))
    'https://w3id.org/kg-conflict/id/graph/001_a2f9'
    """
    return URIRef(GRAPH_PREFIX + safe_segment(doc_id))


def staging_graph(doc_id: str) -> URIRef:
    """IRI of the graph where a document's new triples wait for :meth:`Store.commit`.

    >>> str(staging_graph("001_a2f9"))
    'https://w3id.org/kg-conflict/id/staging/001_a2f9'
    """
    return URIRef(STAGING_PREFIX + safe_segment(doc_id))


@dataclass(frozen=True)
class StoredFile:
    """One document node of the store: its graph, id, path (``kgo:sourcePath``) and hash."""

    key: str
    id: str
    path: str | None
    hash: str | None


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows of the file(s) behind one document graph.

    Normally one id, one hash and one path; several when two input files
    share an id (``a/x.txt`` and ``b/x.txt``), as they share a document node.
    """

    ids: frozenset[str]
    hashes: frozenset[str]
    paths: frozenset[str]


# --------------------------------------------------------------------------
# Locking
# --------------------------------------------------------------------------

class _Lock:
    """An ``flock`` on ``kg.lock``: exclusive for the writer, shared for readers.

    The holder writes its pid, whether it reads or writes, and what it is
    (``kg build``, ``kg serve``) into the file, for the message another
    process gets, and takes it out when it lets go. Of several readers the
    first still reading is named.
    """

    def __init__(self, folder: Path, exclusive: bool, holder: str = "another kg process"):
        self.path = folder / LOCK_FILE
        self.exclusive = exclusive
        self.holder = holder
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            try:  # a read-only copy of a store: readers still lock what they can
                fd = os.open(self.path, os.O_RDONLY)
            except OSError:
                if self.exclusive:
                    raise StoreError(f"{self.path.parent}: cannot create the lock file {self.path.name}") from None
                return
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, writing, holder = _read_holder(fd)
            os.close(fd)
            if not _alive(pid):  # the entry of a reader gone; others still read
                pid, holder = "?", "another kg process"
            raise StoreLockedError(_locked_message(self.path.parent, pid, writing, holder, self.exclusive)) from None
        self._fd = fd
        try:  # who holds it, for the message another process gets
            pid, writing, _ = _read_holder(fd)
            if self.exclusive or writing is not False or not _alive(pid):  # a live reader's entry stays
                os.ftruncate(fd, 0)
                mode = "writes" if self.exclusive else "reads"
                os.pwrite(fd, f"{os.getpid()}\t{mode}\t{' '.join(self.holder.split())}\n".encode(), 0)
        except OSError:
            pass

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            try:  # our entry goes with us (another reader's stays)
                if _read_holder(self._fd)[0] == str(os.getpid()):
                    os.ftruncate(self._fd, 0)
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "_Lock":
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def _alive(pid: str) -> bool:
    """Is process ``pid`` (a string, "?" when unknown) running?"""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _read_holder(fd: int) -> tuple[str, bool | None, str]:
    """``(pid, writing, holder)`` from a lock file (``"?"``, None, a generic name when unknown)."""
    try:
        fields = os.pread(fd, 256, 0).decode("utf-8", "replace").strip().split("\t")
    except OSError:
        fields = []
    pid = fields[0] if fields and fields[0].isdigit() else "?"
    writing = {"writes": True, "reads": False}.get(fields[1]) if len(fields) > 1 else None
    holder = fields[2] if len(fields) > 2 and fields[2] else "another kg process"
    return pid, writing, holder


def _locked_message(folder: Path, pid: str, writing: bool | None, holder: str, want_write: bool) -> str:
    """The one line for a store another process holds.

    >>> _locked_message(Path("out/store"), "12", False, "kg serve", True)
    'out/store: store is locked: kg serve (pid 12) is reading it, and a store cannot be written while it is read; stop kg serve, or build into another folder'
    >>> _locked_message(Path("out/store"), "12", True, "kg build", True)
    'out/store: store is locked: kg build (pid 12) is writing to it; wait until it has finished'
    """
    who = f"{holder} (pid {pid})"
    if writing is False:
        return (f"{folder}: store is locked: {who} is reading it, and a store cannot be written while it is "
                f"read; stop {holder}, or build into another folder")
    if writing is True:
        return f"{folder}: store is locked: {who} is writing to it; wait until it has finished"
    return f"{folder}: store is locked by {who}; wait until it has finished"


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------

def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the store: {exc.strerror or exc}") from None


def _has_database_files(path: Path) -> bool:
    """Does ``path`` hold what a RocksDB database leaves (a store without its CURRENT file)?"""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return any(n.startswith("MANIFEST-") or n.endswith((".sst", ".log")) for n in names)


def _damaged(path: Path, reason: str) -> str:
    """The one-line message for a store that cannot be read.

    >>> _damaged(Path("out/store"), "Corruption: bad block\\n  detail")
    'out/store: the store is damaged or not a kg store (Corruption: bad block detail); build into a new folder (kg build ... --out NEW) or delete out/store and build again'
    """
    reason = " ".join(reason.split())[:300]
    return (f"{path}: the store is damaged or not a kg store ({reason}); build into a new folder "
            f"(kg build ... --out NEW) or delete {path} and build again")


class Store:
    """kg's on-disk RDF store (Oxigraph), one named graph per document.

    Open it with :meth:`Store.open`; use it as a context manager, which
    flushes and closes it (and releases the lock) on exit.
    """

    def __init__(self, path: Path, ox_store, lock: _Lock | None, read_only: bool):
        self.path = path
        self.read_only = read_only
        self._ox = ox_store
        self._lock = lock

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False,
             lock: bool = True, holder: str | None = None, held: "_Lock | None" = None) -> "Store":
        """Open (or create) the store in folder ``path``.

        ``read_only`` opens without write access and takes a shared lock
        (many readers, no writer). ``lock=False`` skips locking: only for a
        process whose parent already holds the lock (kg's query workers).
        ``held`` is the writer's lock taken beforehand with :meth:`lock`
        (closing the store then leaves it held). ``holder`` names the opener
        (``"kg build"``) in the message another process gets while the lock
        is held. Raises :class:`StoreLockedError` when another process holds
        a conflicting lock and :class:`StoreError` when there is no store and
        ``create`` is false or the folder is not a store.
        """
        import pyoxigraph as ox

        path = Path(path)
        exists = (path / "CURRENT").is_file()
        if not exists and _has_database_files(path):
            raise StoreError(_damaged(path, "its CURRENT file is missing"))
        if not exists and (read_only or not create):
            raise StoreError(f"{path}: no kg store here (build one with `kg build ... --out {path.parent}`)")
        if exists or not read_only:
            _make_folder(path)
        if held is not None:
            if read_only or not held.exclusive or held.path != path / LOCK_FILE or not held.held:
                raise StoreError(f"{path}: the lock given is not this store's writer lock")
            lock = False
        guard = _Lock(path, exclusive=not read_only, holder=holder or "another kg process") if lock else None
        if guard is not None:
            guard.acquire()
        try:
            ox_store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            if guard is not None:
                guard.release()
            message = str(exc)
            if "lock" in message.lower():
                raise StoreLockedError(f"{path}: store is locked by another process ({message})") from None
            if "corrupt" in message.lower():
                raise StoreError(_damaged(path, message)) from None
            raise StoreError(f"{path}: cannot open the store: {message}") from None
        except (RuntimeError, ValueError) as exc:  # RocksDB: corruption, a foreign database
            if guard is not None:
                guard.release()
            raise StoreError(_damaged(path, str(exc))) from None
        store = cls(path, ox_store, guard, read_only)
        del ox_store  # the store object holds the only reference: closing it closes the database
        found = store.meta().get("format", STORE_FORMAT)
        if not read_only and found != STORE_FORMAT:  # never cleared: what it holds may be all there is
            store.close()  # (the error's traceback keeps this frame alive: it must hold no database)
            raise StoreError(f"{path}: a store of another layout (format {found!r}; this kg writes format "
                             f"{STORE_FORMAT}): build into a new folder, or use the kg that made it")
        return store

    @classmethod
    def lock(cls, path: str | os.PathLike[str], *, holder: str | None = None) -> "_Lock":
        """The writer's lock on the store in folder ``path`` (made if need be), taken now,
        without opening the database: a context manager, for :meth:`open` with ``held``.

        ``kg build`` takes it before it reads any input or starts extraction
        workers, so that a second build into the same output stops at once.
        """
        path = Path(path)
        _make_folder(path)
        guard = _Lock(path, exclusive=True, holder=holder or "another kg process")
        guard.acquire()
        return guard

    # -- context manager -------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _store(self):
        if self._ox is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._ox

    def _writable(self):
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only")
        return self._store()

    # -- reading -----------------------------------------------------------
    def graph_names(self) -> list[str]:
        """The document graphs in the store, by name (``<doc id>``), sorted."""
        names = (g.value for g in self._store().named_graphs())
        return sorted(n[len(GRAPH_PREFIX):] for n in names if n.startswith(GRAPH_PREFIX))

    def files(self) -> list[StoredFile]:
        """Every document node of the document graphs: graph, id, path and hash; sorted."""
        query = f"""
            SELECT ?g ?id ?hash ?path WHERE {{ GRAPH ?g {{
              ?d a <{KGO.Document}> ; <{DCTERMS.identifier}> ?id .
              OPTIONAL {{ ?d <{KGO.contentHash}> ?hash }}
              OPTIONAL {{ ?d <{KGO.sourcePath}> ?path }} }} }}"""
        found = set()
        for row in self._store().query(query):
            graph = row["g"].value
            if graph.startswith(GRAPH_PREFIX):
                found.add(StoredFile(graph[len(GRAPH_PREFIX):], row["id"].value,
                                     None if row["path"] is None else row["path"].value,
                                     None if row["hash"] is None else row["hash"].value))
        return sorted(found, key=lambda f: (f.key, f.id, f.path or "", f.hash or ""))

    def documents(self, files: Iterable[StoredFile] | None = None) -> dict[str, StoredDocument]:
        """Stored documents by graph name: their ids, content hashes and paths
        (from ``files``, when the caller has just read :meth:`files`)."""
        found: dict[str, dict[str, set[str]]] = {}
        for row in self.files() if files is None else files:
            entry = found.setdefault(row.key, {"ids": set(), "hashes": set(), "paths": set()})
            entry["ids"].add(row.id)
            if row.hash is not None:
                entry["hashes"].add(row.hash)
            if row.path is not None:
                entry["paths"].add(row.path)
        return {name: StoredDocument(frozenset(e["ids"]), frozenset(e["hashes"]), frozenset(e["paths"]))
                for name, e in sorted(found.items())}

    def document_hashes(self) -> dict[str, str]:
        """``kgo:contentHash`` of each stored document, by graph name.

        Several files sharing one id give their hashes sorted and joined by ",".
        """
        return {name: ",".join(sorted(doc.hashes)) for name, doc in self.documents().items()}

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Every quad of the document graphs, as rdflib terms (graph last)."""
        convert = _FromOxigraph()
        for quad in self._store():
            graph = quad.graph_name
            value = getattr(graph, "value", None)
            if value is None or not value.startswith(GRAPH_PREFIX):
                continue
            yield convert(quad.subject), convert(quad.predicate), convert(quad.object), convert(graph)

    def __len__(self) -> int:
        """How many quads the store holds (a triple in two graphs counts twice)."""
        return len(self._store())

    def union_graph(self) -> Graph:
        """The default graph (the union of all document graphs, with the derived
        triples) as an in-memory rdflib Graph.

        Prefixes are bound as by :func:`kg.rdf.new_graph`, so
        ``turtle_bytes(store.union_graph())`` equals the Turtle of the same
        documents built in memory (:meth:`kg.rdf.GraphBuilder.finish`).
        """
        from kg.rdf import new_graph

        import pyoxigraph as ox

        graph = new_graph()
        add = graph.add
        convert = _FromOxigraph()
        for quad in self._store().quads_for_pattern(None, None, None, ox.DefaultGraph()):
            add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
        return graph

    def database(self):
        """The ``pyoxigraph.Store`` itself, for readers of its default graph (the union):
        the SHACL check, the Turtle writer and the page of ``kg build``, which read it
        where it is, on disk, without copying it into memory."""
        return self._store()

    def documents_holding(self, iris: Iterable[str], limit: int = 10) -> list[str]:
        """The documents (graph names, sorted, at most ``limit``) whose graph has one of ``iris``
        as a subject: where a node a check reports comes from."""
        import pyoxigraph as ox

        store, found = self._store(), set()
        for iri in iris:
            if not iri.startswith(("http://", "https://", "urn:")):
                continue  # a blank node, or a name not written in full
            for quad in store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
                graph = getattr(quad.graph_name, "value", "")
                if graph.startswith(GRAPH_PREFIX):
                    found.add(graph[len(GRAPH_PREFIX):])
        return sorted(found)[:limit]

    def derived_triples(self) -> set[tuple[Node, Node, Node]]:
        """The derived triples (graph ``kgr:derived``, :mod:`kg.derived`), as rdflib terms."""
        import pyoxigraph as ox

        convert = _FromOxigraph()
        return {(convert(q.subject), convert(q.predicate), convert(q.object))
                for q in self._store().quads_for_pattern(None, None, None, ox.NamedNode(str(DERIVED_GRAPH)))}

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None, max_rows: int | None = None):
        """Run a SPARQL query over the union of the document graphs, in this process.

        ``bindings`` pre-bind variables (by name, to rdflib terms); see
        :func:`kg.sparql.execute`. Returns a :class:`kg.sparql.Result`. For a time
        limit or a separate process without network access, use
        :func:`kg.query.query_store` (or :func:`kg.query.run_query`).
        """
        from kg.sparql import execute

        return execute(self._store(), sparql, bindings=bindings, max_rows=max_rows)

    def rdflib_dataset(self):
        """This database as an ``rdflib.Dataset`` (through oxrdflib).

        Its default graph is the union of the document graphs, so
        ``store.rdflib_dataset().query(...)`` sees what ``kg query`` sees.
        Write only through :meth:`replace_document`, which keeps that union.
        """
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self._store()))

    @classmethod
    def rdflib_view(cls, path: str | os.PathLike[str], *, union: bool = False, holder: str | None = None):
        """The store at ``path``, opened read-only, as an rdflib ``Dataset`` (or, with ``union``, the rdflib
        ``Graph`` of its default graph, the union) backed by oxrdflib: nothing is copied.

        Its queries may use kg's prefixes undeclared, as ``kg query``'s do. The store's shared lock is held until the returned object is closed (``close()``) or collected,
        so a build into the same folder waits for it. Writing through it fails: the database is read-only.
        """
        import weakref

        from oxrdflib import OxigraphStore
        from rdflib import Dataset
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        store = cls.open(path, read_only=True, create=False, holder=holder or "an rdflib view of the store")

        class _View(OxigraphStore):
            def close(self, commit_pending_transaction: bool = False) -> None:  # noqa: ARG002 (rdflib's)
                store.close()

            def add_graph(self, graph) -> None:  # ``Dataset.graph(name)`` reads a graph: nothing to create
                pass

        view = _View(store=store._store())
        for name, iri in prefixes(SPARQL_PREFIXES).items():  # what a query of ``kg query`` may leave undeclared
            view.bind(name, URIRef(iri))
        found = Graph(store=view, identifier=DATASET_DEFAULT_GRAPH_ID) if union else Dataset(store=view)
        weakref.finalize(found, store.close)
        return found

    # -- writing -----------------------------------------------------------
    def _update(self, update: str, what: str) -> None:
        store = self._writable()
        try:
            store.update(update)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot {what}: {exc}") from None

    def replace_document(self, doc_id: str, fragment: Graph | Iterable[tuple[Node, Node, Node]] | str) -> None:
        """Make ``fragment`` the whole graph of document ``doc_id``, atomically,
        with the derived triples recomputed in the same transaction.

        ``fragment`` is a graph, triples, or N-Triples text made by
        :func:`ntriples` (what extraction workers send back).
        """
        from kg.derived import refresh_update

        self._writable()
        graph = f"<{document_graph(doc_id)}>"
        body = fragment if isinstance(fragment, str) else ntriples(fragment)
        changes = [_drop(graph), f"INSERT DATA {{\n{body}\nGRAPH {graph} {{\n{body}\n}} }}"]
        self._update(refresh_update(changes), f"store document {doc_id!r}")
        self._write_ranks()

    def load_documents(self, documents: Iterable[tuple[str, str]], *, staging: bool = False) -> None:
        """Add the graphs of documents at once, with Oxigraph's bulk loader.

        ``documents`` are ``(doc_id, N-Triples text)`` pairs (text made by
        :func:`ntriples`). Several times faster than :meth:`replace_document`,
        but not atomic. With ``staging``, the graphs go to the staging
        graphs only, for :meth:`commit`: out of the union, harmless if the
        process dies. Without, they go into their document graphs and into
        the union: for documents the store does not hold yet, in a store
        being built from empty only, whose fingerprint (:meth:`set_meta`)
        is set once everything is in, so that a build killed half-way
        leaves a store without one, which the next build clears. Derived
        triples are left to :meth:`refresh_derived`.
        """
        import pyoxigraph as ox

        store = self._writable()
        documents = list(documents)
        if staging and sum(len(body) for _, body in documents) < _SMALL_STAGING:
            # a few documents: one small transaction beats the bulk loader's new files
            inserts = [f"GRAPH <{staging_graph(doc_id)}> {{\n{body}\n}}" for doc_id, body in documents]
            if inserts:
                self._update(f"INSERT DATA {{\n{chr(10).join(inserts)}\n}}", "stage documents")
            return
        parts = []
        for doc_id, body in documents:
            lines = [line for line in body.split("\n") if line]
            graph = f"<{(staging_graph if staging else document_graph)(doc_id)}>"
            if not staging:
                parts.extend(lines)
            parts.extend(f"{line[:-1]}{graph} ." for line in lines)  # "s p o ." -> "s p o <g> ."
        if not parts:
            return
        try:
            store.bulk_load("\n".join(parts).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot store documents: {exc}") from None

    def staged(self) -> list[str]:
        """Names of the documents waiting in staging graphs, sorted."""
        names = (g.value for g in self._store().named_graphs())
        return sorted(n[len(STAGING_PREFIX):] for n in names if n.startswith(STAGING_PREFIX))

    def discard_staged(self) -> None:
        """Drop every staging graph (what a build killed before its commit left), and the
        ontology a check killed half-way left (:data:`kg.vocab.VALIDATION_GRAPHS`); a commit
        left half-done is finished first (:meth:`finish_commit`)."""
        self.finish_commit()
        names = [f"<{staging_graph(n)}>" for n in self.staged()]
        names += [f"<{g.value}>" for g in self._store().named_graphs() if g.value.startswith(VALIDATION_GRAPHS)]
        if names:
            self._update(" ;\n".join(f"DROP SILENT GRAPH {n}" for n in names), "drop the staging graphs")

    def commit(self, replace: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        """The staged documents ``replace`` their graphs (new ones are added), the
        documents ``remove`` go, and the derived triples are recomputed.

        Up to :data:`COMMIT_DOCUMENTS` documents, in one transaction: either
        all of it is in the store or none of it. More would make one
        transaction that Oxigraph holds in memory (about 5 GB for a million
        triples), so larger changes go in transactions of that many
        documents, the derived triples recomputed in the last one, under a
        journal in the side data (``committing``): a process killed half-way
        leaves the journal, and the next writer finishes the commit
        (:meth:`finish_commit`) before it does anything else.
        """
        from kg.derived import clear_update, refresh_update

        replace, remove = list(replace), list(remove)
        if len(replace) + len(remove) <= COMMIT_DOCUMENTS:
            self._update(refresh_update(self._swaps(replace, remove)), "update the store")
            self._write_ranks()
            return
        self.update_meta(committing={"replace": replace, "remove": remove})
        self._update(clear_update(), "update the store")
        for start in range(0, len(replace), COMMIT_DOCUMENTS):
            self._update(" ;\n".join(self._swaps(replace[start:start + COMMIT_DOCUMENTS], [])),
                         "update the store")
        self._update(refresh_update(self._swaps([], remove)), "update the store")
        self._write_ranks()
        self.update_meta(committing=None)

    def finish_commit(self) -> bool:
        """Finish a commit a killed process left half-done (see :meth:`commit`); True if there was one."""
        journal = self.meta().get("committing")
        if not journal:
            return False
        staged = set(self.staged())  # the documents swapped in already have no staging graph left
        self.commit(replace=[key for key in journal.get("replace", []) if key in staged],
                    remove=journal.get("remove", []))
        self.update_meta(committing=None)
        return True

    @staticmethod
    def _swaps(replace: list[str], remove: list[str]) -> list[str]:
        """SPARQL Update operations swapping staged graphs in and dropping removed ones."""
        changes = []
        for doc_id in replace:
            graph, staged = f"<{document_graph(doc_id)}>", f"<{staging_graph(doc_id)}>"
            changes += [_drop(graph), f"ADD SILENT {staged} TO {graph}", f"ADD SILENT {staged} TO DEFAULT",
                        f"DROP SILENT GRAPH {staged}"]
        for doc_id in remove:
            changes.append(_drop(f"<{document_graph(doc_id)}>"))
        return changes

    def refresh_derived(self) -> None:
        """Recompute the derived triples (:mod:`kg.derived`) in one transaction."""
        from kg.derived import refresh_update

        self._update(refresh_update(), "compute the derived triples")
        self._write_ranks()

    def _write_ranks(self) -> None:
        """The sort ranks of names (:mod:`kg.order`), written again after every change of the documents:
        the change dropped them in its own transaction."""
        from kg.order import write_ranks

        try:
            write_ranks(self._writable())
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: cannot write the sort ranks: {exc}") from None

    def remove_document(self, doc_id: str) -> None:
        """Drop document ``doc_id``'s graph (its evidence, and what only it supported),
        with the derived triples recomputed in the same transaction."""
        self.commit(remove=[doc_id])

    def clear(self) -> None:
        """Remove everything from the store."""
        self._writable().clear()
        self.set_meta({})

    def meta(self) -> dict:
        """The store's side data (``kg-store.json``): format, fingerprint, and
        ``exported``: False from just before the store changes until
        ``graph.ttl`` and ``graph.html`` have been written from it."""
        try:
            data = json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def set_meta(self, data: dict) -> None:
        """Replace the side data (written atomically; needs the writer's lock)."""
        from kg.rdf import write_atomic

        self._writable()
        payload = {"format": STORE_FORMAT, **data}
        write_atomic(self.path / META_FILE, json.dumps(payload, indent=1, sort_keys=True).encode())

    def update_meta(self, **changes) -> None:
        """Change some keys of the side data, keeping the others (a key given None goes)."""
        self.set_meta({key: value for key, value in {**self.meta(), **changes}.items()
                       if key != "format" and value is not None})

    def flush(self) -> None:
        """Write everything buffered to disk."""
        if self._ox is not None and not self.read_only:
            try:
                self._ox.flush()
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot flush the store: {exc}") from None

    def close(self) -> None:
        """Flush, close the database and release the lock. Idempotent."""
        if self._ox is None:
            return
        try:
            self.flush()
        finally:
            self._ox = None
            gc.collect()  # pyoxigraph closes the database when its object goes
            if self._lock is not None:
                self._lock.release()
                self._lock = None


#: kg modules and subpackages that cannot change what a document's graph holds.
_NOT_EXTRACTION = frozenset({"__init__", "__main__", "cli", "derived", "diagnose", "errors", "evaluate", "export",
                             "html", "html_time", "query", "server", "shacl", "store", "validate"})
#: Modules of the store subpackage that write a document's graph (its terms and N-Triples): extraction.
_FRAGMENT_WRITERS = frozenset({"store/terms.py", "store/serialize.py"})


def _drop(graph: str) -> str:
    """SPARQL Update dropping a document graph and what only it gave the union
    (a triple another document graph holds stays; staging and derived graphs do not count)."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
            f"FILTER(?other != {graph} && STRSTARTS(STR(?other), \"{GRAPH_PREFIX}\")) }} }} ;\n"
            f"DROP SILENT GRAPH {graph}")


def extraction_fingerprint(*parts: str, package: Path | None = None) -> str:
    """A digest of everything that shapes the graph of a file besides its bytes.

    kg's extraction code (every module but those in ``_NOT_EXTRACTION``), its data files (dictionaries, triggers) and the
    given ``parts`` (the spaCy pipeline's name and version). A build whose
    fingerprint differs from the stored one re-reads every file, so a changed
    rule or dictionary never leaves stale graphs behind.

    >>> extraction_fingerprint("a") == extraction_fingerprint("a") != extraction_fingerprint("b")
    True
    """
    from kg.resources import ontology_dir

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent if package is None else Path(package)  # (another copy: tests)
    # every module, in subpackages too (kg/extract/, kg/linking/): the rules live there
    code = [p for p in sorted(package.rglob("*.py"))
            if p.relative_to(package).parts[0].removesuffix(".py") not in _NOT_EXTRACTION
            or p.relative_to(package).as_posix() in _FRAGMENT_WRITERS]
    files = code + sorted(ontology_dir().glob("*.json"))
    for path in files:
        name = path.relative_to(package).as_posix() if path.is_relative_to(package) else path.name
        digest.update(name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            pass
        digest.update(b"\0")
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
