"""Small immutable records passed between pipeline stages.

Every stage of kg is a plain function over these records (see DESIGN.md):
ingest makes :class:`Document`, entity linking makes :class:`Mention`,
relation extraction makes :class:`Claim`. Offsets are character offsets into
``Document.text``, which is the source file's decoded text, unchanged.

>>> span = Span(4, 9)
>>> span.slice("The SDF took Markada.")
'SDF t'
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` in a document's text.

    >>> Span(0, 3).slice("SDF and ISIS")
    'SDF'
    """

    start: int
    end: int

    def slice(self, text: str) -> str:
        """Return the characters of ``text`` this span covers."""
        return text[self.start:self.end]


@dataclass(frozen=True, slots=True)
class Document:
    """One input article.

    ``text`` is the whole decoded file (offsets refer to it); ``body`` is the
    same text with page furniture (search boxes, comment forms, "You may also
    like" lists, share buttons, bylines) blanked out by spaces, so it has the
    same length and every offset into it is an offset into the file.

    >>> doc = Document(id="a", path="a.txt", text="Menu\\nIS left.", body="    \\nIS left.")
    >>> len(doc.text) == len(doc.body)
    True
    """

    id: str
    path: str
    text: str
    body: str
    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when the page gives one
    #: How ``date`` was found (:data:`kg.pubdate.SOURCES`: "html-meta", "date-line", ...).
    date_source: str | None = None
    sha256: str = ""
    warnings: tuple[str, ...] = ()
    #: Characters ingest replaced: U+FFFD for invalid bytes, spaces for control characters.
    replaced_chars: int = 0
    #: Visible (non-space) characters of the page's readable text: no markup,
    #: scripts or chrome the HTML declares (<nav>, <footer>, forms, hidden
    #: elements), a paragraph the page repeats counted once. 0: not measured,
    #: the visible characters of ``text`` are used.
    text_chars: int = 0

    def __post_init__(self) -> None:
        if len(self.text) != len(self.body):
            raise ValueError(f"{self.path}: body must have the same length as text")

    @property
    def kept_chars(self) -> int:
        """Visible characters left in ``body`` once page furniture is blanked."""
        return len(self.body) - sum(map(str.isspace, self.body))

    @property
    def kept_share(self) -> float:
        """Share of the page's readable text kept in ``body`` (0 to 1).

        >>> doc = Document(id="a", path="a.txt", text="Menu\\nIS left.", body="    \\nIS left.")
        >>> doc.kept_chars, round(doc.kept_share, 2)
        (7, 0.64)
        """
        total = self.text_chars or len(self.text) - sum(map(str.isspace, self.text))
        return min(1.0, self.kept_chars / total) if total else 1.0


@dataclass(frozen=True, slots=True)
class IngestError:
    """A file that could not be read as an article, with the reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical actor or place from the dictionaries or from NER.

    ``types`` are ontology class names (State, ArmedGroup, Organization,
    Coalition, Person, Place). ``geonames`` is the GeoNames id of a place
    GeoNames knows (written as ``owl:sameAs <https://sws.geonames.org/ID/>``).
    """

    id: str
    label: str
    types: tuple[str, ...]
    lat: float | None = None
    long: float | None = None
    geonames: int | None = None

    @property
    def is_place(self) -> bool:
        return "Place" in self.types

    @property
    def is_actor(self) -> bool:
        return any(t != "Place" for t in self.types)


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text that names an entity."""

    entity: str  # Entity.id
    span: Span
    text: str
    sentence: Span


@dataclass(frozen=True, slots=True)
class Claim:
    """One relation triple read from one sentence of one document.

    >>> c = Claim("sdf", "truce_with", "isis", doc="001", sentence=Span(0, 10), text="SDF-ISIS..")
    >>> (c.subject, c.relation, c.object)
    ('sdf', 'truce_with', 'isis')
    """

    subject: str
    relation: str
    object: str
    doc: str
    sentence: Span
    text: str  # the sentence, exactly as in the source file
    rule: str = ""  # which pattern produced it, for debugging and evaluation
    speaker: str | None = None
    modality: str = "asserted"
    extra: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Agreement:
    """A truce, deal, evacuation or surrender named in one sentence.

    >>> a = Agreement(doc="000", sentence=Span(0, 9), text="...", kind="evacuation",
    ...               parties=("france", "isis"), brokers=("france",), places=("deir_ezzor",))
    >>> a.kind, a.parties
    ('evacuation', ('france', 'isis'))
    """

    doc: str
    sentence: Span
    text: str
    kind: str
    parties: tuple[str, ...]
    brokers: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    modality: str = "asserted"
    speaker: str | None = None
    anchor: int = 0  # character offset of the noun that names it


@dataclass(frozen=True, slots=True)
class EventDate:
    """The date an evidence sentence speaks of (:func:`kg.temporal.date_sentence`).

    ``date`` is the first day (ISO 8601) of the period of ``precision``
    (``day``, ``week``, ``month`` or ``year``); ``source`` is ``stated`` (the
    sentence's own ``expression``), ``inherited`` (the publication date) or
    ``unresolved`` (an expression that needs the publication date the document
    lacks: no date).

    >>> EventDate("2017-10-15", "day", "stated", "on Sunday").precision
    'day'
    """

    date: str | None
    precision: str | None
    source: str
    expression: str | None = None
