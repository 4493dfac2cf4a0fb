"""The library API behind the package root: :func:`kg.extract` and :func:`kg.query` (``kg.build`` is
:func:`kg.pipeline.build`).

Imported only when one of them is called, so ``import kg`` loads neither spaCy nor rdflib.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.records import Agreement, Claim, Entity, Span


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence a claim is read from: its text and character offsets into the text given, who says so
    (an entity id, or None) and how firmly (``asserted``, ``reported``, ``planned``, ``denied``,
    ``unconfirmed``)."""

    text: str
    start: int
    end: int
    modality: str = "asserted"
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One ``(subject, relation, object)`` claim with its evidence; ends are entity ids and labels."""

    subject: str
    relation: str
    object: str
    subject_label: str
    object_label: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Extraction:
    """What :func:`kg.extract` read in a text: claims (in text order), agreement events, and the entities
    they name (sorted by id)."""

    claims: tuple[ExtractedClaim, ...]
    agreements: tuple[Agreement, ...]
    entities: tuple[Entity, ...]

    def triples(self) -> list[tuple[str, str, str]]:
        """The claims as ``(subject, relation, object)`` entity ids."""
        return [(c.subject, c.relation, c.object) for c in self.claims]


def extract(text: str, *, date: str | None = None, doc_id: str = "text", model: str | None = None) -> Extraction:
    """Claims, agreements and entities of one article given as text, read as ``kg build`` reads a ``.txt`` file.

    Page furniture is blanked as in a file; ``date`` (``YYYY-MM-DD``) is the publication date, for the
    agreements' dates. Offsets are into ``text``.
    """
    from kg.chunking import chunk_limit, split_document, to_file_offsets
    from kg.engines import _lock, link_document, load_resources
    from kg.extract import read_article
    from kg.furniture import analyse_page
    from kg.ingest import mask
    from kg.nlp import parse_view
    from kg.records import Document

    page = analyse_page(text)
    document = Document(id=doc_id, path=doc_id, text=text, body=mask(text, page.spans), title=page.title,
                        publisher=page.publisher, date=date)
    claims: list[Claim] = []
    agreements: list[Agreement] = []
    entities: dict[str, Entity] = {}
    with _lock:
        nlp, gazetteer, lexicon, triggers = load_resources(model)
        for part in split_document(document, chunk_limit(nlp)):
            parsed_text = parse_view(part.body)
            linked = link_document(nlp(parsed_text), part, gazetteer, lexicon, text=parsed_text)
            reading = read_article(linked, part, triggers=triggers)
            found, events = to_file_offsets(part, reading.claims, reading.agreements)
            claims += found
            agreements += events
            entities.update(reading.entities)

    def label(entity_id: str) -> str:
        entity = entities.get(entity_id)
        return entity.label if entity is not None else entity_id

    named = {c.subject for c in claims} | {c.object for c in claims} | {c.speaker for c in claims if c.speaker}
    for event in agreements:
        named.update(event.parties + event.brokers + event.places)
    return Extraction(
        claims=tuple(ExtractedClaim(c.subject, c.relation, c.object, label(c.subject), label(c.object),
                                    _evidence(c.sentence, c.text, c.modality, c.speaker)) for c in claims),
        agreements=tuple(agreements),
        entities=tuple(entities[e] for e in sorted(named) if e in entities),
    )


def _evidence(span: Span, text: str, modality: str, speaker: str | None) -> Evidence:
    return Evidence(text, span.start, span.end, modality, speaker)


def _store_folder(out: str | Path) -> Path:
    folder = Path(out)
    return folder / "store" if (folder / "store").is_dir() else folder


def dataset(out: str | Path, *, union: bool = False):
    """The store of the build folder ``out`` as an rdflib ``Dataset`` (``union``: a ``Graph``), read-only,
    through oxrdflib; see :meth:`kg.store.Store.rdflib_view`."""
    from kg.store import Store

    return Store.rdflib_view(_store_folder(out), union=union, holder="kg.dataset" if not union else "kg.graph")


def query(out: str | Path, query: str, *, params: dict[str, str] | None = None, timeout: float | None = None,
          max_rows: int | None = None):
    """Run a named query (``who-dealt-with-whom``) or SPARQL text on the store of the build folder ``out``
    (``out/store``, or ``out`` itself when it is a store); a :class:`kg.query.Result`."""
    from kg.query import run_query

    return run_query(_store_folder(out), query, params=params, timeout=timeout, max_rows=max_rows)
