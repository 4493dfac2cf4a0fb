"""Entity linking: find the actors and places a parsed article names.

:func:`link` turns a spaCy ``Doc`` of one article into a :class:`LinkedDoc`:
every dictionary alias, acronym defined in the text, demonym standing for a
state's forces ("Iraqi air force"), government metonym ("the regime"), capital
standing for its state ("Washington said") and unknown named entity from
spaCy's NER becomes a :class:`~kg.records.Mention` of a canonical entity.
Definite descriptions ("the group", "the monitor") and pronouns are resolved
lazily, on request of the relation extractor, to the most recent compatible
entity (:meth:`LinkedDoc.resolve`).
"""
from __future__ import annotations

from kg.gazetteer import Gazetteer
from kg.linking.dictionary import match_dictionary_names
from kg.linking.doc import LinkedDoc
from kg.linking.names import _match_defined_acronyms, _match_misspellings, _match_named_places, _match_ner
from kg.linking.phrases import (_apply_capital_metonymy, _coordinated_parties, _drop_datelines, _match_demonyms,
                                _match_metonyms, _match_office_holders, main_country)

__all__ = ["LinkedDoc", "link", "main_country"]


def link(doc, gazetteer: Gazetteer, lexicon: dict, *, text: str | None = None) -> LinkedDoc:
    """Find and canonicalise the entity mentions of a parsed article.

    ``text`` is the text ``doc`` was parsed from (``doc.text``), when the
    caller has it: spaCy rebuilds ``doc.text`` token by token when asked.
    """
    linked = LinkedDoc(doc=doc, gazetteer=gazetteer, lexicon=lexicon)
    if text is not None:
        linked._cache["text"] = text
    taken: set[int] = set()
    match_dictionary_names(linked, taken)  # the spans of the pipeline's kg_dictionary_names
    _match_defined_acronyms(linked, taken)
    _match_office_holders(linked, taken)
    _match_demonyms(linked, taken)
    linked.country = main_country(gazetteer, linked.mentions)
    _match_metonyms(linked, taken)
    _match_misspellings(linked, taken)
    _match_ner(linked, taken)
    _match_named_places(linked, taken)
    _match_defined_acronyms(linked, taken)  # acronyms and "also known as" names only NER found
    _drop_datelines(linked)
    _apply_capital_metonymy(linked)
    _coordinated_parties(linked)
    linked.mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return linked
