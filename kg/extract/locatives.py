"""Places inside places: located_in from locative phrases, possessives and appositions."""
from __future__ import annotations

from kg.extract.reader import _LOCATIVE_OR_OF, Reader, _unique
from kg.linking import LinkedDoc


def _locatives(reader: Reader, sent):
    """Places inside places.

    'Markada, in the southern countryside of Hasaka', 'Harasta, Arbin and
    Zamalka in Eastern Ghouta', 'Sheikh Maqsoud, a district of Aleppo',
    'Damascus is the capital of Syria', "Iraq's Anbar province".
    """
    linked = reader.linked
    for tok in reader.scan.tokens(reader.scan.locatives, sent.start, sent.end):
        if tok.dep_ == "poss" and linked.entity_at(tok) and _is_country(linked, linked.entity_at(tok)):
            inner = linked.entity_at(tok.head)
            if inner and inner != linked.entity_at(tok) and linked.is_place(inner) and not _is_country(linked, inner):
                yield inner, "located_in", linked.entity_at(tok), "locative:possessive", "asserted", None
            continue
        if tok.dep_ != "prep" or tok.lower_ not in _LOCATIVE_OR_OF:
            continue
        head = tok.head
        if head.pos_ not in ("NOUN", "PROPN"):
            continue
        entity = linked.entity_at(head)
        if tok.lower_ == "of":
            # only "a district of Aleppo" said of a place, never "the town of Saraqib"
            if entity is not None or head.lower_ not in reader.place_containers:
                continue
            indefinite = head.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in head.children)
            if not (indefinite or head.lemma_.lower() in ("capital", "part", "suburb")):
                continue  # "the neighbourhoods of Tadamun and Hajar al-Aswad" names them
            members = reader.described(head)
        elif entity is not None:
            members = [entity] + [linked.entity_at(c) for c in head.conjuncts if linked.entity_at(c)]
        elif head.lower_ in reader.place_containers:
            members = reader.described(head) or reader.np(head)
        else:
            continue
        places_in = [p for p in reader.nps([c for c in tok.children if c.dep_ == "pobj"]) if linked.is_place(p)]
        modality = reader.modality(head)
        for member in _unique(members):
            for outer in places_in:
                if member != outer and linked.is_place(member) and not _is_country(linked, member):
                    yield member, "located_in", outer, "locative", modality, None


def _is_country(linked: LinkedDoc, entity: str) -> bool:
    types = linked.types(entity)
    return "State" in types
