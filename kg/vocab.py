"""Namespaces, the one table of prefixes (:data:`NAMESPACES`) and IRI minting for kg's RDF contract (see DESIGN.md).

>>> str(entity_iri("isis"))
'https://w3id.org/kg-conflict/id/entity/isis'
>>> str(KGO.truce_with)
'https://w3id.org/kg-conflict/ontology#truce_with'
>>> str(geonames_iri(163843))
'https://sws.geonames.org/163843/'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

KGO = Namespace("https://w3id.org/kg-conflict/ontology#")
KGR = Namespace("https://w3id.org/kg-conflict/id/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
#: GeoNames features (``https://sws.geonames.org/ID/``), the targets of places' ``owl:sameAs``.
GEONAMES = Namespace("https://sws.geonames.org/")
#: OWL-Time: its temporal units are the values of ``kgo:datePrecision``.
TIME = Namespace("http://www.w3.org/2006/time#")
#: ``kgo:datePrecision`` of each precision kg.temporal gives.
PRECISION_UNITS = {"day": TIME.unitDay, "week": TIME.unitWeek, "month": TIME.unitMonth, "year": TIME.unitYear}

#: Ontology classes an entity can have.
ENTITY_CLASSES = ("State", "ArmedGroup", "Organization", "Coalition", "Person", "Place")

#: The store keeps each document's triples in the named graph ``DOCUMENT_GRAPHS + <doc id>``
#: (:mod:`kg.store`) and the triples derived from all of them in :data:`DERIVED_GRAPH` (:mod:`kg.derived`).
DOCUMENT_GRAPHS = str(KGR["graph/"])
DERIVED_GRAPH = KGR["derived"]
#: Sort ranks of names (:mod:`kg.order`) for the pages of the named queries: in the store only, never
#: in the default graph, so never in ``graph.ttl``.
ORDER_GRAPH = KGR["order"]
#: Private graphs a validation adds the ontology to for the time of a check (:mod:`kg.validate`);
#: one a killed process left is dropped by the next writer (:meth:`kg.store.Store.discard_staged`).
VALIDATION_GRAPHS = "urn:x-kg-shacl:ontology:"

#: The shapes of ``ontology/shapes.ttl`` (named in validation messages as ``kgsh:``).
KGSH = Namespace("https://w3id.org/kg-conflict/shapes#")
#: XML Schema datatypes (rdflib's own ``XSD`` warns when pytest's doctest finder inspects a module).
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
#: SPARQL 1.1 Service Description (``kg serve``'s description of its endpoint).
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: Name properties of other tools' graphs that ``kg evaluate`` reads besides kg's own.
SCHEMA = Namespace("https://schema.org/")
SCHEMA_HTTP = Namespace("http://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

#: Every prefix kg writes or reads, by name: the one table of prefixes. Each output takes the
#: names it needs, in the order it needs them (the tuples below), through :func:`prefixes`.
NAMESPACES = {
    "dcterms": DCTERMS, "geo": GEO, "kgo": KGO, "kgr": KGR, "kgsh": KGSH, "owl": OWL, "prov": PROV,
    "rdf": RDF, "rdfs": RDFS, "sd": SD, "skos": SKOS, "time": TIME, "xsd": XSD,
}
#: The prefixes of every RDF export (Turtle, TriG, JSON-LD's ``@context``: :mod:`kg.export`).
EXPORT_PREFIXES = ("dcterms", "geo", "kgo", "kgr", "owl", "prov", "rdf", "rdfs", "skos", "time", "xsd")
#: The prefixes at the top of every ``graph.ttl``, in this order (:func:`kg.rdf.turtle_chunks`).
TURTLE_PREFIXES = ("dcterms", "geo", "kgo", "owl", "prov", "rdf", "rdfs", "skos", "time", "xsd")
#: The prefixes every SPARQL query may use without declaring them (:mod:`kg.sparql`, :mod:`kg.results`).
SPARQL_PREFIXES = ("kgo", "kgr", "geo", "rdf", "rdfs", "xsd", "owl", "skos", "prov", "dcterms")
#: The prefixes bound (after rdflib's core ones) in a graph of :func:`kg.rdf.new_graph`, in this order.
BUILDER_PREFIXES = ("kgo", "kgr", "geo", "time", "prov", "dcterms", "skos", "owl")
#: Namespaces shortened to a prefix in validation messages (:mod:`kg.validate`), in this order.
MESSAGE_PREFIXES = ("kgo", "kgsh", "kgr", "rdf", "rdfs", "skos", "geo", "xsd", "prov", "dcterms")


def prefixes(names) -> dict[str, str]:
    """The IRIs of the prefixes ``names`` (as strings), in that order.

    >>> prefixes(("kgo", "xsd"))
    {'kgo': 'https://w3id.org/kg-conflict/ontology#', 'xsd': 'http://www.w3.org/2001/XMLSchema#'}
    """
    return {name: str(NAMESPACES[name]) for name in names}


def slug(text: str) -> str:
    """Turn any name into a safe IRI path segment: ASCII ``[a-z0-9_]``.

    Accents are dropped ("Hasaké" is "hasake"). A name with letters or digits
    that have no ASCII form (Arabic, Cyrillic, "ı", "ø") gets a short digest of
    the name after what is left of it, so that two such names never share an
    IRI. Slugs are their own slugs.

    >>> slug("Hay'at Tahrir al-Sham")
    'hayat_tahrir_al_sham'
    >>> slug("Hasaké") == slug("hasake")
    True
    >>> slug("\\u0000\\ud800")
    'x'
    >>> slug("Хезболла"), slug("Хамас")
    ('x_30b2618cd9', 'x_a63548ffa5')
    >>> slug("Kılıç")
    'klc_1e7abb7502'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    ascii_text = folded.encode("ascii", "ignore").decode().lower().replace("'", "")
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if any(c.isalnum() and not c.isascii() for c in folded):
        key = unicodedata.normalize("NFC", "".join(folded.split())).casefold()
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        out = f"{out or 'x'}_{digest}"
    return out or "x"


def entity_iri(entity_id: str) -> URIRef:
    """IRI of an actor or place by its id."""
    return KGR[f"entity/{slug(entity_id)}"]


def geonames_iri(geonames_id: int) -> URIRef:
    """IRI of a GeoNames feature by its id, as GeoNames' linked-data service names it (with the final slash)."""
    return GEONAMES[f"{int(geonames_id)}/"]


def document_iri(doc_id: str) -> URIRef:
    """IRI of a source document by its id (the file's stem).

    >>> str(document_iri("001_a2f90259e8779014"))
    'https://w3id.org/kg-conflict/id/document/001_a2f90259e8779014'
    """
    return KGR[f"document/{safe_segment(doc_id)}"]


def statement_iri(subject: str, relation: str, obj: str) -> URIRef:
    """IRI of the rdf:Statement that reifies one relation triple.

    Symmetric relations are minted by the caller in a canonical order.
    """
    key = f"{subject}|{relation}|{obj}".encode("utf-8", "surrogatepass")  # same bytes for valid text
    digest = hashlib.sha1(key).hexdigest()[:16]
    return KGR[f"statement/{digest}"]


def normalise_space(text: str) -> str:
    r"""Text with every run of white space made one space, and none at the ends.

    Two copies of a sentence that differ only in line breaks or spacing (a
    wire story syndicated by several papers) are one piece of evidence.

    >>> normalise_space("  Islamic State\n agreed\t a truce. ")
    'Islamic State agreed a truce.'
    """
    return " ".join(text.split())


def evidence_iri(text: str, *, qualifier: str = "") -> URIRef:
    r"""IRI of one piece of evidence: a sentence's text, in however many documents it appears.

    Minted from the text with white space normalised (:func:`normalise_space`),
    so the same sentence in several documents is one node with several
    sources. A claim that is not a plain assertion of the writer (reported
    by a speaker, denied, planned...) gets its own evidence node for the same
    sentence, told apart by ``qualifier``.

    >>> str(evidence_iri("SDF and ISIS agreed a truce."))
    'https://w3id.org/kg-conflict/id/evidence/8e0c2b90945f29d2'
    >>> evidence_iri("SDF and ISIS\n agreed a truce. ") == evidence_iri("SDF and ISIS agreed a truce.")
    True
    >>> str(evidence_iri("SDF and ISIS agreed a truce.", qualifier="reported-sohr")).rsplit("/", 2)[1:]
    ['8e0c2b90945f29d2', 'reported-sohr']
    """
    key = normalise_space(text).encode("utf-8", "surrogatepass")
    tail = f"/{safe_segment(qualifier)}" if qualifier else ""
    return KGR[f"evidence/{hashlib.sha1(key).hexdigest()[:16]}{tail}"]


def occurrence_iri(doc_id: str, start: int, end: int) -> URIRef:
    """IRI of where a piece of evidence stands in one document: the document and character offsets.

    >>> str(occurrence_iri("001", 10, 42))
    'https://w3id.org/kg-conflict/id/occurrence/001/10-42'
    """
    return KGR[f"occurrence/{safe_segment(doc_id)}/{start}-{end}"]


def agreement_iri(doc_id: str, anchor: int) -> URIRef:
    """IRI of an agreement event: the document and where its noun stands.

    >>> str(agreement_iri("001", 212))
    'https://w3id.org/kg-conflict/id/agreement/001/212'
    """
    return KGR[f"agreement/{safe_segment(doc_id)}/{anchor}"]


def safe_segment(text: str) -> str:
    """Keep an id readable in an IRI while dropping anything unsafe.

    >>> safe_segment("001_a2f9 copy (2)")
    '001_a2f9_copy_2'
    """
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[^A-Za-z0-9._~-]+", "_", text).strip("_")
    return text or "x"
