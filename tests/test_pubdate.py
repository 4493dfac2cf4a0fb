"""Publication dates of documents (kg.pubdate, through kg.ingest): where each
rule finds the date, what it must not take, and the dev-real documents that
show their date (read in place from ../shared, never copied).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.ingest import read_document
from kg.pubdate import SOURCES, publication_date

DEV_REAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-real"
STORY = ("The two sides agreed to open the road to the besieged villages, local officials said, "
         "after a week of shelling.")


def _doc(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert not isinstance(doc, Exception) and hasattr(doc, "date"), doc
    return doc


HTML = [
    ("meta", '<meta property="article:published_time" content="2017-10-15T11:03:00Z">', "2017-10-15"),
    ("json-ld", '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
                '"datePublished": "2018-06-11T08:00:00+03:00", "dateModified": "2018-06-13"}</script>',
     "2018-06-11"),
    ("dc", '<meta name="DC.date.issued" content="2016-12-14">', "2016-12-14"),
    ("published-before-modified", '<meta property="article:modified_time" content="2020-03-08">'
                                  '<meta property="article:published_time" content="2020-03-06">', "2020-03-06"),
    ("future", '<meta property="article:published_time" content="2031-05-01">', "2031-05-01"),
]


@pytest.mark.parametrize("head, expected", [(h, e) for _, h, e in HTML], ids=[i for i, _, _ in HTML])
def test_html_markup_dates(tmp_path, head, expected):
    doc = _doc(tmp_path, "page.html", f"<!doctype html><html><head><title>Road opens</title>{head}</head>"
                                      f"<body><article><h1>Road opens</h1><p>{STORY}</p></article></body></html>")
    assert (doc.date, doc.date_source) == (expected, "html-meta")


def test_html_time_element(tmp_path):
    doc = _doc(tmp_path, "page.html", "<html><body><article><time datetime=\"2019-12-31T09:00\">31 Dec</time>"
                                      f"<p>{STORY}</p></article></body></html>")
    assert (doc.date, doc.date_source) == ("2019-12-31", "html-meta")


def test_html_without_markup_date_falls_back_to_a_date_line(tmp_path):
    doc = _doc(tmp_path, "page.html", "<html><body><article><p>Updated Dec 14, 2016</p>"
                                      f"<p>{STORY}</p></article></body></html>")
    assert (doc.date, doc.date_source) == ("2016-12-14", "date-line")


PLAIN = [
    ("iso-line", "x.txt", "date 2019-10-17 BEIRUT (Reuters) -\n\n" + STORY, "2019-10-17", "iso-line"),
    ("iso-colon", "x.txt", "Road opens\n\nPublished: 2019-10-17\n\n" + STORY, "2019-10-17", "iso-line"),
    ("updated", "x.txt", "Road opens\n\nUpdated Dec 14, 2016\n\n" + STORY, "2016-12-14", "date-line"),
    ("weekday-line", "x.txt", "Sunday, October 15, 2017\n\nRoad opens\n\n" + STORY, "2017-10-15", "date-line"),
    ("time-line", "x.txt", "Road opens\n\n2:11 a.m., October 17, 2017\n\n" + STORY, "2017-10-17", "date-line"),
    ("dateline", "x.txt", "Road opens\n\nWASHINGTON, Dec. 14, 2016 (AP) \u2014 " + STORY, "2016-12-14", "dateline"),
    ("file-name", "2018-06-11_road.txt", "Road opens\n\n" + STORY, "2018-06-11", "file-name"),
    ("file-name-compact", "road-20180611.txt", "Road opens\n\n" + STORY, "2018-06-11", "file-name"),
    ("caption-agrees", "x.txt", "Road opens\n\nTrucks wait at the crossing, Syria, May 10, 2018.\n\n"
                                "The two sides said Thursday they had agreed to open the road to the besieged "
                                "villages after a week of shelling.", "2018-05-10", "text-weekday"),
    ("weekday-and-day", "x.txt", "Road opens\n\nSpeaking at a rally on Monday, June 11, the governor said the "
                                 "road to the villages would open, a year after the siege that began in "
                                 "November 2015 and lasted two years.", "2018-06-11", "text-weekday"),
]


@pytest.mark.parametrize("name, text, expected, source", [p[1:] for p in PLAIN], ids=[p[0] for p in PLAIN])
def test_plain_text_rules(tmp_path, name, text, expected, source):
    doc = _doc(tmp_path, name, text)
    assert (doc.date, doc.date_source) == (expected, source)
    assert source in SOURCES


NO_DATE = [
    ("nothing", "Road opens\n\n" + STORY),
    ("old-photo", "Road opens\n\nThe governor at a meeting in the capital, September 18, 2016.\n\n"
                  "The two sides said Friday they had agreed to open the road to the besieged villages "
                  "after a week of shelling."),
    ("weekday-alone", "Road opens\n\nThe two sides said on Sunday they had agreed to open the road to the "
                      "besieged villages after a week of shelling."),
    ("day-without-year", "Road opens\n\nOn Monday, June 11, the two sides said they had agreed to open the "
                         "road to the besieged villages after a week of shelling."),
    ("iso-deep-in-text", "\n".join(["Road opens"] + [STORY] * 7 + ["date 2019-10-17 was the deadline."])),
]


@pytest.mark.parametrize("text", [t for _, t in NO_DATE], ids=[i for i, _ in NO_DATE])
def test_pages_that_print_no_date_get_none(tmp_path, text):
    doc = _doc(tmp_path, "story.txt", text)
    assert (doc.date, doc.date_source) == (None, None)


def test_the_order_of_sources():
    """Markup first, then the lines of the page, the name of the file, the text."""
    markup = ('<html><head><meta property="article:published_time" content="2017-01-01"></head>'
              '<body><p>Updated Dec 14, 2016</p></body></html>')
    assert publication_date(markup, html=True, path="2015-05-05.html").source == "html-meta"
    assert publication_date("Updated Dec 14, 2016\n\n" + STORY, path="2015-05-05.txt").source == "date-line"
    assert publication_date(STORY, path="2015-05-05.txt").date == "2015-05-05"
    assert publication_date(STORY, path="2015-13-45.txt").date is None  # not a date


def _dev_real_dates() -> list[tuple[Path, str, bool]]:
    """(file, true date, whether its text shows it) for each dev-real document."""
    rows = []
    for part in ("c", "d"):
        with open(DEV_REAL / part / "sources.tsv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                note = row["date"]
                shown = "not visible" not in note and "from URL" not in note
                rows.append((DEV_REAL / part / "texts" / f"{row['stem']}.txt", note[:10], shown))
    return rows


@pytest.mark.skipif(not DEV_REAL.is_dir(), reason="../shared/eval/dev-real is not there")
def test_dev_real_documents_show_their_dates():
    rows = _dev_real_dates()
    assert len(rows) == 14
    for path, true, shown in rows:
        doc = read_document(path)
        if shown:
            assert doc.date == true, (path.name, doc.date, doc.date_source)
        else:
            assert doc.date is None, (path.name, doc.date, doc.date_source)  # never a guess
    assert sum(shown for _, _, shown in rows) == 7
