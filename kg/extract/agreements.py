"""Agreements as events: a truce, deal, evacuation or surrender with its parties.

Beside the binary triples a sentence gives ("France deal_with ISIS", "ISIS
withdrew_from Deir Ezzor"), the agreement itself becomes one node linked to
its parties, its broker, the places it moves people between or covers, and
the sentence stating its terms: "France brokers an evacuation deal for Daesh
to leave Deir Ezzor for Hasaka" is one event linked to France, ISIS, Deir
Ezzor and Hasaka.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.extract.attribution import modality_and_speaker
from kg.extract.syntax import between_parties, unique
from kg.parse_labels import ADJ_MODIFIER, COMPOUND, NOUN, PREPOSITION, PREP_OBJECT, PROPER_NOUN
from kg.records import Agreement, Claim, Span

_PLACE_RELATIONS = frozenset({"withdrew_from", "moved_to", "captured", "active_in"})


def brokered(reader, sent) -> Iterator[tuple]:
    """'a ceasefire brokered by Russia and Jordan', 'the Russian-brokered deal': the broker mediated for each party."""
    for tok in reader.scan.tokens(reader.scan.agreement_nouns, sent.start, sent.end):
        if tok.pos_ not in (NOUN, PROPER_NOUN):
            continue
        brokers = reader.brokers_of(tok)
        if not brokers:
            continue
        modality = reader.modality(tok)
        for broker in brokers:
            broker = reader.coerce(broker, "Actor")
            for party in reader.agreement_parties(tok):
                if party != broker:
                    yield broker, "mediated", party, "agreement:broker", modality, tok


def extract_agreements(reader, sentence_claims: Iterable[Claim], sent, *, doc_id: str,
                       span: Span, text: str) -> Iterator[Agreement]:
    """Yield the agreements named in one sentence.

    ``reader`` is the relation extractor's reader for the article,
    ``sentence_claims`` the claims already read from this sentence.
    """
    spec = reader.t.lexicon["agreements"]
    nouns, refinements = spec["nouns"], spec["refinements"]
    brokers_verbs = frozenset(spec["broker_verbs"])
    claims = list(sentence_claims)
    for tok in reader.scan.tokens(reader.scan.agreement_nouns, sent.start, sent.end):
        if tok.pos_ not in (NOUN, PROPER_NOUN):
            continue
        kind = nouns.get(tok.lower_) or nouns.get(tok.lemma_.lower())
        if kind is None:
            continue
        base = reader.modality(tok)
        support = reader.support_verb(tok)
        if base == "asserted" and support is not None:
            base = reader.modality(support)
        if base == "negated":
            continue
        for child in tok.children:
            if child.dep_ in (COMPOUND, ADJ_MODIFIER) and child.lower_ in refinements:
                kind = refinements[child.lower_]
        frames = reader.t.noun_frames(tok.lower_, tok.lemma_.lower())
        parties: list[str] = []
        for frame in frames:
            if frame.support and (support is None or support.lemma_.lower() not in frame.support):
                continue
            for role in (*frame.s, *frame.o):
                parties += [e for e in reader.role(tok, role, is_noun=True, frame=frame)
                            if reader.fits(e, "Actor", "deal_with")]
        for group_a, group_b in between_parties(reader, tok):
            parties += group_a + group_b
        brokers: list[str] = []
        if support is not None and support.lemma_.lower() in brokers_verbs:
            brokers = [e for e in reader.nps(reader.subject_tokens(support)) if reader.fits(e, "Actor", "mediated")]
        # "a deal for Daesh to leave": the beneficiary is a party
        for prep in tok.children:
            if prep.dep_ == PREPOSITION and prep.lower_ == "for":
                parties += [e for e in reader.nps([p for p in prep.children if p.dep_ == PREP_OBJECT])
                            if reader.fits(e, "Actor", "deal_with")]
        parties = unique(parties)
        if not parties and not brokers:
            continue
        places = [c.object for c in claims if c.relation in _PLACE_RELATIONS and c.subject in parties]
        for head in (tok, support):
            if head is None:
                continue
            for prep in head.children:
                if prep.dep_ == PREPOSITION and prep.lower_ in reader.agreement_place_preps:
                    places += [e for e in reader.nps([p for p in prep.children if p.dep_ == PREP_OBJECT])
                               if reader.linked.is_place(e)]
        modality, speaker = modality_and_speaker(reader, tok, base)
        yield Agreement(doc=doc_id, sentence=span, text=text, kind=kind, parties=tuple(parties),
                        brokers=tuple(unique(brokers)), places=tuple(unique(places)),
                        modality=modality, speaker=speaker, anchor=tok.idx)
