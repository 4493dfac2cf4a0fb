"""People and their roles: titles, role nouns and appositions.

'SDF spokesman Mostafa Bali', 'Omar Alloush, an official of the council',
'U.S. President Donald Trump', "Jordan's King Abdullah": a person named with
a role is a member or the leader of the organisation or state the role is
of; the role words are data (``ontology/lexicon.json``, ``roles``).
"""
from __future__ import annotations

from kg.extract.reader import Reader
from kg.extract.syntax import unique
from kg.linking import LinkedDoc
from kg.parse_labels import (
    ADJ_MODIFIER,
    APPOSITION,
    CASE_MARKER,
    COMPOUND,
    DETERMINER,
    DETERMINER_WORD,
    NOUN_MODIFIER,
    POSSESSOR,
    PREPOSITION,
    PREP_OBJECT,
    PRONOUN,
    PROPER_NOUN,
    PUNCTUATION,
    SINGULAR_NOUN,
)


def _person_roles(reader: Reader, sent):
    """'SDF spokesman Mostafa Bali', 'Omar Alloush, an official of the council'."""
    linked = reader.linked
    doc = sent.doc
    done: set[str] = set()
    for mention in linked.mentions:
        if not (sent.start_char <= mention.span.start < sent.end_char):
            continue
        if "Person" not in linked.types(mention.entity) or mention.entity in done:
            continue
        span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        person = mention.entity
        head = span.root
        found = False
        for role_tok in _role_tokens(reader, head, span):
            rel = _role_relation(reader, role_tok)
            if rel == "leads" and _of_subunit(reader, role_tok):
                rel = "member_of"  # "the head of the SDF media office": a member of the SDF
            orgs = _role_orgs(reader, role_tok)
            if not orgs:  # "Commander Jamal Haddad of the Falcons Brigade"
                orgs = reader.nps([p for c in head.children if c.dep_ == PREPOSITION and c.lower_ in ("of", "from")
                                   for p in c.children if p.dep_ == PREP_OBJECT])
            orgs = [o for o in orgs if o != person and linked.is_actor(o) and "Person" not in linked.types(o)]
            info = linked.info(person)
            if orgs and info is not None and info.affiliation and info.affiliation[1] not in orgs \
                    and info.affiliation[1] in linked.entities \
                    and any(c.dep_ == POSSESSOR and c.pos_ == PRONOUN for c in role_tok.children):
                # "designated HTS ... and offered a reward for its leader, al-Jolani": a pronoun's
                # nearest actor is not his group, which the article names
                orgs = [info.affiliation[1]]
            for org in orgs:
                found = True
                org_rel = rel
                if rel == "member_of" and info is not None and info.affiliation == ("leads", org) \
                        and not _subordinate_role(reader, role_tok):
                    org_rel = "leads"  # "SDF commander Mazloum Abdi": the dictionary knows he leads it
                yield person, org_rel, org, f"role:{role_tok.lower_}", "asserted", None
        if found:
            done.add(person)
            continue
        title = _title(reader, span)
        if title:
            title_rel, named = title
            info = linked.info(person)
            target = None
            if named:
                target = named[0]
            elif info and info.affiliation:
                target = info.affiliation[1]
                if title_rel == "leads" and info.affiliation[0] != "leads":
                    title_rel = info.affiliation[0]
                reader.introduce(target)
            else:
                states = [reader.coerce(m.entity, "Actor") for m in linked.mentions
                          if sent.start_char <= m.span.start < sent.end_char and m.entity != person]
                states = [e for e in states if "State" in linked.types(e)]
                target = states[0] if states else None
            if target and target != person:
                done.add(person)
                yield person, title_rel, target, "title", "asserted", None


def _subordinate_role(reader: Reader, role_tok) -> bool:
    """'deputy commander', 'former commander', 'a commander', 'commanders': not the one head."""
    words = [c.lower_ for c in role_tok.lefts if c.dep_ in (COMPOUND, ADJ_MODIFIER)]
    if any(w in reader.subordinate_roles for w in words) or role_tok.tag_ != SINGULAR_NOUN:
        return True
    return any(c.dep_ == DETERMINER and c.lower_ in reader.indefinite_determiners for c in role_tok.children)


def _role_relation(reader: Reader, role_tok) -> str:
    """'leads' for a leader's role, else 'member_of'.

    The role's words with their compounds decide ("secretary general",
    "general commander" lead; "deputy commander", "vice president" do
    not); a bare "commander" leads only as the commander of something
    named in an of-phrase ("Soleimani, commander of the Quds Force"), not
    as one of several ("a commander of", "commanders") nor in a compound
    ("Quds Force commander").
    """
    words = [c.lower_ for c in role_tok.lefts if c.dep_ in (COMPOUND, ADJ_MODIFIER) and c.pos_ != DETERMINER_WORD]
    words.append(role_tok.lower_)
    phrase = " ".join(words)
    if any(w in reader.subordinate_roles for w in words):
        return "member_of"
    for size in range(min(3, len(words)), 0, -1):
        tail = " ".join(words[-size:])
        if tail in reader.leader_roles or tail in reader.leader_titles:
            return "leads"
        if tail in reader.member_roles and size > 1:
            return "member_of"
    if role_tok.lemma_.lower() in reader.conditional_leader_roles and role_tok.tag_ == SINGULAR_NOUN \
            and phrase == role_tok.lower_ and any(c.dep_ == PREPOSITION and c.lower_ == "of" for c in role_tok.children) \
            and not any(c.dep_ == DETERMINER and c.lower_ in reader.indefinite_determiners for c in role_tok.children):
        return "leads"
    return "member_of"


def _role_word(tok, words) -> bool:
    return tok.lower_ in words or tok.lemma_.lower() in words


def _role_tokens(reader: Reader, head, span) -> list:
    roles = reader.leader_roles | reader.member_roles
    out = []
    for child in head.children:
        if child.i >= span.start and child.i < span.end:
            continue
        if child.dep_ in (COMPOUND, APPOSITION, NOUN_MODIFIER) and _role_word(child, roles):
            out.append(child)
    if head.dep_ == APPOSITION and _role_word(head.head, roles):
        out.append(head.head)
    elif head.dep_ == APPOSITION:
        # "the UN envoy for Syria, Geir Pedersen": the parser hung the name on the role's phrase
        anchor = head.head
        for _ in range(3):
            if anchor.dep_ not in (PREP_OBJECT, PREPOSITION) or anchor.head == anchor:
                break
            anchor = anchor.head
            if _role_word(anchor, roles):
                out.append(anchor)
                break
    # "Mostafa Bali, SDF spokesman"
    if head.dep_ in (COMPOUND,) and _role_word(head.head, roles):
        out.append(head.head)
    return out


def _role_phrase(role_tok) -> str:
    """'Prime Minister', 'Defense Secretary': the role with its compound words."""
    words = [c.lower_ for c in role_tok.lefts if c.dep_ == COMPOUND and c.pos_ != DETERMINER_WORD]
    return " ".join(words + [role_tok.lower_])


def _role_orgs(reader: Reader, role_tok) -> list[str]:
    linked = reader.linked
    orgs: list[str] = []
    title_words = set(" ".join(reader.leader_titles + reader.member_titles).split())
    for child in role_tok.children:
        if child.dep_ in (POSSESSOR, COMPOUND, ADJ_MODIFIER, NOUN_MODIFIER):
            if child.dep_ == COMPOUND and child.lower_ in title_words and linked.entity_at(child) is None:
                continue  # "Defense Minister": part of the title, not an organisation
            found = reader.np(child)
            # a lone capitalised word NER guessed at is no organisation
            orgs += [e for e in found if e in linked.gazetteer.entities or _multiword(linked, e)]
            gaz_hit = linked.gazetteer.demonyms.get(child.lower_)
            if gaz_hit:
                reader.introduce(gaz_hit)
                orgs.append(gaz_hit)
        elif child.dep_ == PREPOSITION and child.lower_ in reader.role_organisation_preps:
            if child.lower_ in reader.liaison_preps and role_tok.lemma_.lower() in reader.liaison_roles:
                continue  # "the UN envoy for Syria": the country the envoy deals with, not his own
            orgs += reader.nps([p for p in child.children if p.dep_ == PREP_OBJECT])
    ethnic = frozenset(linked.lexicon["ethnic_modifiers"])
    if any(c.dep_ in (ADJ_MODIFIER, COMPOUND) and c.lower_ in ethnic for c in role_tok.children):
        # "Iraqi Kurdish leader Masoud Barzani": a leader of the Kurds, not of Iraq
        orgs = [o for o in orgs if "State" not in linked.types(o)]
    return unique(orgs)


def _of_subunit(reader: Reader, role_tok) -> bool:
    """Is the role one of a unit inside the organisation ('head of the SDF media office')?"""
    for prep in role_tok.children:
        if prep.dep_ == PREPOSITION and prep.lower_ in reader.subunit_preps:
            for pobj in prep.children:
                if pobj.dep_ == PREP_OBJECT and reader.linked.entity_at(pobj) is None \
                        and pobj.lemma_.lower() in reader.subunit_nouns:
                    return True
    return False


def _multiword(linked: LinkedDoc, entity_id: str) -> bool:
    entity = linked.entities.get(entity_id)
    return entity is not None and (len(entity.label.split()) > 1 or entity.label.isupper())


def _title(reader: Reader, span) -> tuple[str, list[str]] | None:
    """'President Bashar al-Assad', 'U.S. President Donald Trump', "Jordan's King Abdullah".

    Reads the words before the name, inside or just outside the mention,
    for the longest title that ends before the name proper (honorifics
    such as "Ayatollah" may follow it). Returns the relation the title
    gives and the actors named before the title ("U.S.", "Russian",
    "Jordan's", "UN"), nearest first; None without a title.
    """
    doc = span.doc
    linked = reader.linked
    start = span.start
    sent_start = linked.sentence_bounds(start)[0]  # span.sent.start
    i = start - 1
    while i >= sent_start and doc[i].dep_ in (COMPOUND, ADJ_MODIFIER, POSSESSOR, CASE_MARKER,
                                              PUNCTUATION) and doc[i].head.i >= i \
            and doc[i].head.i < span.end and doc[i].text not in (",", "(", ")", '"'):
        i -= 1
    first = i + 1
    tokens = list(doc[first:span.end])
    words = [t.lower_ for t in tokens]
    person = linked.entity_at(span.root)
    honorifics = reader.honorifics
    best = None  # (end index in words, length, relation)
    for titles, rel in ((reader.leader_titles, "leads"), (reader.member_titles, "member_of")):
        for title in titles:
            parts = title.split()
            size = len(parts)
            for k in range(len(words) - size):
                if words[k:k + size] != parts:
                    continue
                after = k + size
                while after < len(words) - 1 and words[after] in honorifics:
                    after += 1
                if after >= len(words) or linked.entity_at(tokens[after]) != person or person is None:
                    continue  # the title must lead up to the name itself
                key = (k + size, size)
                if best is None or key > best[:2]:
                    best = (k + size, size, rel)
    if best is None:
        return None
    title_start = best[0] - best[1]
    orgs: list[str] = []
    ethnic = frozenset(linked.lexicon["ethnic_modifiers"])
    for tok in reversed(tokens[:title_start]):
        if tok.lower_ in ethnic and linked.entity_at(tok) is None:
            break  # "Iraqi Kurdish leader Masoud Barzani": a leader of the Kurds, not of Iraq
        entity = linked.entity_at(tok)
        if entity is None and tok.lower_ in linked.gazetteer.demonyms:
            entity = reader.introduce(linked.gazetteer.demonyms[tok.lower_])  # "Bahraini King Hamad"
        if entity and entity != person and linked.is_actor(entity) and entity not in orgs:
            orgs.append(entity)
        elif entity and entity != person and not linked.is_actor(entity):
            state = reader.coerce(entity, "Actor")
            if state != entity and state not in orgs:
                orgs.append(state)  # "Damascus-based", a capital before the title: its state
    return best[2], orgs



def _possessive_members(reader: Reader, sent):
    """"Iran's Quds Force", "the Revolutionary Guard Corps' Quds Force commander": an organisation of its possessor.

    The possessed noun phrase must name an armed group or organisation
    (itself or through a compound: "Corps' Quds Force commander"); the
    possessor must be a state or organisation (a capital counts as its state).
    A state's possession is one of its forces ("Iran's Quds Force"), not a
    group of its people: organisations, and groups the dictionaries know as
    rebels, Kurdish or jihadist ("Syria's Kurdish National Council"), are
    not members of the state.
    """
    linked = reader.linked
    for tok in reader.scan.tokens(reader.scan.locatives, sent.start, sent.end):
        if tok.dep_ != POSSESSOR:
            continue
        owner = linked.entity_at(tok)
        if owner is not None and owner == linked.entity_at(tok.head):
            # "Iran's Revolutionary Guards" is one alias: the possessor's own name
            owner = reader.own_name(tok)
            if owner is not None:
                reader.introduce(owner)
        if owner is None:
            continue
        owner = reader.coerce(owner, "Actor")
        if not linked.is_actor(owner) or "Person" in linked.types(owner):
            continue
        head = tok.head
        candidates = [head] + [c for c in head.children if c.dep_ == COMPOUND and c.i > tok.i]
        for candidate in candidates:
            org = linked.entity_at(candidate)
            if org is None or org == owner:
                continue
            types = linked.types(org)
            info = linked.info(org)
            if info is not None and info.tags & {"media", "monitor"}:
                break  # "Syria's official news agency": a source, not a member
            if "State" in linked.types(owner) and ("ArmedGroup" not in types or (
                    info is not None and info.tags & reader.non_state_tags)):
                break
            if any(t in ("ArmedGroup", "Organization") for t in types) and "Person" not in types:
                yield org, "member_of", owner, "possessive:member", reader.modality(head), None
                break


def _rulers_named(reader: Reader, sent):
    """'the Assad regime', 'the Abadi government', 'the Trump administration': the ruler
    whose name qualifies his government leads it (a dictionary person who leads that state)."""
    linked = reader.linked
    gaz = linked.gazetteer
    doc = sent.doc
    for mention in linked.mentions:
        if not (sent.start_char <= mention.span.start < sent.end_char):
            continue
        span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
        if span is None:
            continue
        government = reader.ruled(mention.entity)  # "the Abadi government": the mention may be the person
        if "Person" in linked.types(mention.entity):
            head = span.root.head
            if span.root.dep_ != COMPOUND or head.lower_ not in reader.government_nouns or government == mention.entity:
                continue
            yield mention.entity, "leads", government, "ruler:government", reader.modality(head), None
            continue
        if "State" not in linked.types(mention.entity) or span.root.lower_ not in reader.government_nouns:
            continue
        for tok in span:
            person = gaz.lookup(tok.text) if tok.pos_ == PROPER_NOUN else None
            info = gaz.entities.get(person) if person else None
            if info is not None and "Person" in info.types and info.affiliation == ("leads", mention.entity):
                reader.introduce(person)
                yield person, "leads", mention.entity, "ruler:government", reader.modality(span.root), None
                break
