"""Hyphenated participles: 'U.S.-backed SDF', 'US-led coalition', 'ISIS-held Raqqa'."""
from __future__ import annotations

from kg.extract.reader import Reader
from kg.gazetteer import normalize_name
from kg.linking import LinkedDoc
from kg.parse_labels import PROPER_NOUN


def _modifier(reader: Reader, tok):
    """'U.S.-backed SDF', 'US-led coalition', 'ISIS-held Raqqa'."""
    rel = reader.t.modifiers[tok.lower_]
    if tok.i < 2 or tok.nbor(-1).text != "-":
        return
    linked = reader.linked
    gaz = linked.gazetteer
    first = tok.nbor(-2)
    left = first
    sent_start = linked.sentence_bounds(tok.i)[0]
    while left.i > sent_start and left.nbor(-1).text not in ("-", ",", "(") and not left.nbor(-1).is_space \
            and left.nbor(-1).pos_ in (PROPER_NOUN,) and tok.i - left.i < 5:
        left = left.nbor(-1)
    doc = tok.doc
    actor = None
    for begin in range(left.i, first.i + 1):
        name = doc[begin:first.i + 1].text
        actor = gaz.lookup(name) or gaz.demonyms.get(name.lower()) or _metonym(linked, name)
        if actor:
            break
    if actor is None or actor not in gaz.entities:
        return
    spec = reader.t.relations[rel]
    reader.introduce(actor)
    actor = reader.coerce(actor, spec["domain"], rel)  # "a Tehran-backed faction": Iran backs it
    linked.surface.setdefault(actor, set()).add(doc[begin:first.i + 1].text)
    head = tok.head
    if head == tok:
        return
    exclude = frozenset(range(left.i, tok.i + 1))
    following = linked.entity_at(tok.nbor(1)) if tok.i + 1 < len(doc) else None
    named = reader.known_as(head, exclude)
    if named:
        targets = named  # "Iran-backed militias known as the PMF"
    elif following is not None:
        targets = [following]  # the name right after the participle: "US-led coalition"
    elif linked.entity_at(head):
        targets = [linked.entity_at(head)]
    else:
        targets = reader.np(head, exclude=exclude)
    modality = reader.modality(head)
    for target in targets:
        if target and target != actor and reader.fits(actor, spec["domain"], rel) \
                and reader.fits(target, spec["range"], rel):
            yield actor, rel, target, f"modifier:{tok.lower_}", modality, None


def _metonym(linked: LinkedDoc, name: str) -> str | None:
    """'rebel-held': a metonym valid in this article's country."""
    for entity_id in linked.gazetteer.metonyms.get(normalize_name(name), ()):
        contexts = linked.gazetteer.entities[entity_id].contexts
        if not contexts or linked.country in contexts:
            return entity_id
    return None
