"""A large synthetic corpus of conflict news, for benchmarks and scale tests.

Document ``i`` of a corpus is drawn from its own random generator, seeded by
``(seed, i)``: the same seed always gives the same files, and the first 500
documents of a 5,000-document corpus are the 500-document corpus. Each
document is a variant of a source article, either one of the seeds (real
scraped pages, furniture included) or one of the short news-style articles
below, written for this generator:

* every actor and place the dictionaries know is, with some probability,
  swapped for another dictionary entry of the same type and kind (an armed
  group for an armed group, a town for a town, a country for a country),
  consistently through the article;
* dates (month and day, weekday, year) and other numbers are redrawn;
* the dateline (city and agency) is redrawn and, in the written articles,
  the body paragraphs after the lead are shuffled.

Usage::

    .venv/bin/python benchmarks/corpus.py OUT_DIR [--docs 500] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEFAULT_SEED = 20171015

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DATELINES = ("BEIRUT", "AMMAN", "BAGHDAD", "ISTANBUL", "DAMASCUS", "ERBIL", "GENEVA", "MOSCOW", "CAIRO",
             "ANKARA", "WASHINGTON", "PARIS")
AGENCIES = ("Reuters", "AFP", "AP", "Anadolu", "dpa", "Xinhua")

#: Short articles in news style, with the constructions kg reads (truces,
#: deals, evacuations, captures, withdrawals, backing, arrests, accusations,
#: attribution and hedging). ``{DATELINE}`` is filled per variant.
ARTICLES = (
    """Islamic State agrees to leave Raqqa under deal with Syrian Democratic Forces

{DATELINE} - Islamic State fighters agreed on Saturday to leave the city of Raqqa under a deal brokered by tribal elders with the Syrian Democratic Forces, a spokesman for the alliance said.

The deal allows about 300 fighters and their families to travel to the Syrian Desert, the spokesman told reporters in Ain Issa.

The US-led coalition, which backs the SDF, said it had not been party to the agreement but would not strike the convoy.

"We accepted the deal to save the lives of civilians," said Talal Silo, a commander of the SDF.

The Syrian Observatory for Human Rights said 12 buses had left the city by Sunday morning.

The SDF captured Tabqa from Islamic State in May after weeks of fighting.
""",
    """Russia brokers truce between Syrian army and rebels in Eastern Ghouta

{DATELINE} - Russia said on Monday it had brokered a truce between the Syrian army and Jaish al-Islam in Eastern Ghouta, the last rebel enclave near Damascus.

The Russian Defence Ministry said the ceasefire would take effect at noon and that military police would monitor it.

Jaish al-Islam confirmed the truce but accused government forces of shelling the town of Douma hours later.

Faylaq al-Rahman, a rival rebel group, rejected the agreement and said its fighters would keep defending the region.

The United Nations appealed to all parties to let aid convoys reach about 400,000 people besieged in the enclave.

Syrian government forces have besieged Eastern Ghouta since 2013.
""",
    """Hezbollah and Nusra Front complete prisoner swap on Lebanese border

{DATELINE} - Hezbollah and the Nusra Front completed a prisoner exchange on Wednesday under a deal that ended fighting in the mountains of Jurud Arsal, Lebanese officials said.

Under the agreement, mediated by Lebanon's General Security, some 9,000 refugees and fighters were evacuated to Idlib province.

Hezbollah said its fighters had taken control of the hills after a six-day offensive.

The Lebanese army, which was not part of the deal, later launched an attack on Islamic State positions in the area.

Nusra Front, which changed its name last year, is a member of the Hayat Tahrir al-Sham alliance.
""",
    """Turkey-backed rebels capture Afrin from Kurdish YPG

{DATELINE} - Turkish forces and their Syrian rebel allies captured the town of Afrin on Sunday, driving out the Kurdish People's Protection Units after a two-month offensive, Turkish President Tayyip Erdogan said.

The YPG said its fighters had withdrawn from the town to protect civilians and would continue the fight.

Turkey regards the YPG as an extension of the Kurdistan Workers' Party, which has waged an insurgency in Turkey since 1984.

The Free Syrian Army, backed by Ankara, said it controls the centre of the town.

Washington, which has armed the YPG in the war against Islamic State, called for restraint.

The Syrian Observatory for Human Rights said more than 280 civilians had been killed in the offensive.
""",
    """Iraqi forces arrest Islamic State commander near Mosul

{DATELINE} - Iraqi security forces arrested a senior Islamic State commander in a raid near Mosul on Thursday, the Joint Operations Command said in a statement.

The commander was accused of organising attacks on Iraqi troops in Nineveh province, the statement said.

Iraqi forces retook Mosul from the militants in July after a nine-month campaign backed by the US-led coalition.

Kurdish Peshmerga forces took part in the early stages of the offensive but withdrew from the front lines in October.

Prime Minister Haider al-Abadi said the arrest showed that the group no longer controls territory in Iraq.
""",
    """Syrian army enters Deir Ezzor as Islamic State retreats

{DATELINE} - The Syrian army and its allies broke a three-year siege of Deir Ezzor on Tuesday, state media reported, after Islamic State fighters retreated towards the Euphrates.

Russian warplanes backed the offensive with heavy airstrikes, the Russian Defence Ministry said.

Iranian-backed militias and Hezbollah fought alongside government troops, according to a commander in the pro-government alliance.

Islamic State had besieged some 93,000 people in government-held parts of the city since 2014.

The militants still control the town of Albu Kamal near the Iraqi border, a monitor said.
""",
    """Rebels and government agree on evacuation of wounded from Foua and Kefraya

{DATELINE} - Rebel groups and the Syrian government agreed on Friday to evacuate wounded people from the besieged towns of Foua and Kefraya, in exchange for the evacuation of fighters from Madaya, a source close to the negotiations said.

The deal was negotiated by Qatar and Iran, the source said, and would be carried out in stages.

Ahrar al-Sham, one of the groups that signed the agreement, denied reports that it had handed over prisoners.

The International Committee of the Red Cross said it was ready to help with the evacuation.

Buses entered Madaya on Saturday, but the operation was delayed after a car bomb hit the convoy near Aleppo.
""",
    """SDF says it will not hand Manbij to Turkish-backed forces

{DATELINE} - The Syrian Democratic Forces said on Monday they would not withdraw from Manbij, rejecting demands by Turkey, which accuses the Kurdish-led alliance of links to the PKK.

The Manbij Military Council, a member of the SDF, controls the city since it captured it from Islamic State in 2016.

The United States and Turkey agreed a road map for the city in June, under which US and Turkish troops would patrol the area, officials said.

Mazloum Abdi, who leads the SDF, said the alliance was ready to negotiate with Damascus over the future of the north.

Russia has offered to mediate between the Kurds and the Syrian government.
""",
    """Jordan closes border crossing after attack on army post

{DATELINE} - Jordan closed its Nassib border crossing with Syria on Wednesday after gunmen attacked an army post, killing 4 soldiers, the army said.

Jordanian officials blamed Islamic State for the attack and said the army had killed several of the attackers.

The Southern Front, a rebel alliance backed by Jordan and the United States, said it had fought off an assault by the Khalid ibn al-Walid Army in the Yarmouk Basin.

Jordan has hosted more than 650,000 Syrian refugees since the war began.
""",
    """Hayat Tahrir al-Sham seizes towns from rival rebels in Idlib

{DATELINE} - Hayat Tahrir al-Sham seized several towns in Idlib province from rival rebel groups on Thursday after days of clashes, a war monitor said.

The jihadist alliance captured Maarat al-Numan and Saraqib after the National Front for Liberation withdrew from the area, the Syrian Observatory for Human Rights said.

The two sides later reached a ceasefire brokered by Turkey, under which the rebels agreed to hand over administration to the Syrian Salvation Government.

Turkey, which backs the National Front for Liberation, has troops at twelve observation posts in Idlib under a deal with Russia and Iran.

Abu Mohammed al-Jolani, who leads Hayat Tahrir al-Sham, said the group would not attack Turkish troops.
""",
)


@lru_cache(maxsize=1)
def _name_table():
    """Dictionary names to swap: a regex over every name, name -> entity, class -> entities."""
    from kg.gazetteer import is_acronym, load_gazetteer

    gaz = load_gazetteer()
    by_name: dict[str, str] = {}
    classes: dict[tuple, list[str]] = {}
    for entity_id, info in sorted(gaz.entities.items()):
        key = (info.types, info.kind if "Place" in info.types else None)
        classes.setdefault(key, []).append(entity_id)
        for name in (info.label, *info.aliases):
            if len(name) >= 3 or is_acronym(name):
                by_name.setdefault(name, entity_id)
    names = sorted(by_name, key=lambda n: (-len(n), n))
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
    class_of = {eid: key for key, members in classes.items() for eid in members}
    labels = {eid: gaz.entities[eid].label for eid in gaz.entities}
    return pattern, by_name, classes, class_of, labels


@lru_cache(maxsize=None)
def _sources() -> tuple[tuple[str, str, tuple[tuple[int, int, str], ...]], ...]:
    """(kind, text, name occurrences) of every source article."""
    pattern, by_name, *_ = _name_table()
    texts = [("seed", p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    texts += [("article", t) for t in ARTICLES]
    out = []
    for kind, text in texts:
        hits = tuple((m.start(), m.end(), by_name[m.group(0)]) for m in pattern.finditer(text))
        out.append((kind, text, hits))
    return tuple(out)


_DATE = re.compile(r"\b(?:(" + "|".join(MONTHS) + r") (\d{1,2})\b|(" + "|".join(WEEKDAYS)
                   + r")\b|(19[89]\d|20[0-2]\d)\b|(\d{1,3}(?:,\d{3})*)\b)")
_DATELINE = re.compile(r"\{DATELINE\}")


def _redraw(text: str, rng: random.Random) -> str:
    """New dates, weekdays, years and numbers (year shift consistent in the text)."""
    shift = rng.randint(-4, 3)

    def sub(m: re.Match) -> str:
        if m.group(1):
            return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
        if m.group(3):
            return rng.choice(WEEKDAYS)
        if m.group(4):
            return str(int(m.group(4)) + shift)
        value = int(m.group(5).replace(",", ""))
        new = max(1, int(value * rng.uniform(0.5, 2.0)))
        return f"{new:,}" if "," in m.group(5) else str(new)

    return _DATE.sub(sub, text)


def variant(index: int, seed: int = DEFAULT_SEED) -> str:
    """The text of document ``index`` of the corpus ``seed``."""
    rng = random.Random(f"{seed}:{index}")
    sources = _sources()
    kind, text, hits = rng.choice(sources)
    _, _, classes, class_of, labels = _name_table()
    swap: dict[str, str] = {}
    parts, last = [], 0
    for start, end, entity_id in hits:
        if entity_id not in swap:
            members = classes[class_of[entity_id]]
            swap[entity_id] = rng.choice(members) if rng.random() < 0.7 and len(members) > 1 else entity_id
        new = swap[entity_id]
        parts.append(text[last:start])
        parts.append(text[start:end] if new == entity_id else labels[new])
        last = end
    parts.append(text[last:])
    text = "".join(parts)
    if kind == "article":
        paragraphs = text.strip().split("\n\n")
        head, lead, body = paragraphs[0], paragraphs[1], paragraphs[2:]
        if rng.random() < 0.5:
            rng.shuffle(body)
        dateline = f"{rng.choice(DATELINES)} ({rng.choice(AGENCIES)})"
        text = "\n\n".join([head, _DATELINE.sub(dateline, lead), *body]) + "\n"
    return _redraw(text, rng)


def iter_corpus(docs: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[str, str]]:
    """``(file name, text)`` of each document, generated lazily."""
    for i in range(docs):
        yield f"gen_{i:05d}.txt", variant(i, seed)


def write_corpus(out: str | Path, docs: int, seed: int = DEFAULT_SEED) -> tuple[list[Path], int]:
    """Write ``docs`` documents into folder ``out``; return their paths and word count."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths, words = [], 0
    for name, text in iter_corpus(docs, seed):
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        words += len(text.split())
    return paths, words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths, words = write_corpus(args.out, args.docs, args.seed)
    print(f"wrote {len(paths)} documents, {words} words, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
