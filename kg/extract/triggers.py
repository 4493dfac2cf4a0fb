"""The trigger lexicon: verbs, nouns and modifiers that evoke relation frames.

Data, not code: the words and their frames live in ``ontology/triggers.json``
(see its ``about``), checked here against the relation vocabulary of
``ontology/relations.json``.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.errors import DataFileError
from kg.resources import load_data


@dataclass(frozen=True, slots=True)
class Frame:
    """One reading of a trigger: relation plus where its two ends come from."""

    rel: str
    s: tuple[str, ...]
    o: tuple[str, ...]
    reciprocal: bool = False
    support: tuple[str, ...] = ()
    o_type: str | None = None
    s_type: str | None = None
    requires: tuple[str, ...] = ()
    forbids: tuple[str, ...] = ()
    o_not_type: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Triggers:
    """The trigger lexicon: verb and noun frames by lemma, modifiers by word.

    Compared and hashed by identity: each loaded lexicon is one object.
    """

    verbs: dict
    nouns: dict
    modifiers: dict
    relations: dict
    lexicon: dict

    def noun_frames(self, word: str, lemma: str) -> tuple[Frame, ...]:
        """The frames of a noun: those of its form ('strikes'), then its lemma's ('strike').

        A plural listed for a reading of its own keeps every reading of the
        singular: 'killed in Israeli strikes' names victims as 'killed in an
        Israeli strike' does.
        """
        own = self.nouns.get(word, ())
        if lemma == word:
            return own
        return own + tuple(f for f in self.nouns.get(lemma, ()) if f not in own)


def _frames(entries) -> tuple[Frame, ...]:
    return tuple(Frame(rel=e["rel"], s=tuple(e["s"]), o=tuple(e["o"]), reciprocal=e.get("reciprocal", False),
                       support=tuple(e.get("support", ())), o_type=e.get("o_type"), s_type=e.get("s_type"),
                       requires=tuple(e.get("requires", ())), forbids=tuple(e.get("forbids", ())),
                       o_not_type=tuple(e.get("o_not_type", ()))) for e in entries)


def load_triggers(name: str = "triggers") -> Triggers:
    """Load the trigger lexicon by name, checked against the relation vocabulary.

    >>> t = load_triggers()
    >>> t.verbs["liberate"][0].rel, t.nouns["truce"][0].rel, t.modifiers["backed"]
    ('captured', 'truce_with', 'backs')
    """
    data = load_data(name)
    relations = load_data("relations")["relations"]
    verbs = {k: _frames(v) for k, v in data["verbs"].items()}
    nouns = {k: _frames(v) for k, v in data["nouns"].items()}
    modifiers = {k: v["rel"] for k, v in data["modifiers"].items() if isinstance(v, dict)}
    for table in (verbs, nouns):
        for word, frames in table.items():
            for frame in frames:
                if frame.rel not in relations:
                    raise DataFileError(f"{name}: trigger {word!r} names unknown relation {frame.rel!r}")
    return Triggers(verbs=verbs, nouns=nouns, modifiers=modifiers, relations=relations,
                    lexicon=load_data("lexicon"))
