"""kg.ingest and kg.furniture: reading files into Documents, decoding, furniture removal.

Fast: no spaCy. The seeds are the five sample articles; tests/data/ingest/
holds synthetic pages in the style of other sites (Reuters dateline, AP
dateline with a "Related articles" list, share buttons and a byline), and the
furniture section below puts furniture lines of many kinds in the middle and
at the end of articles written for these tests, so the furniture rules are
checked beyond the seeds.
"""
from __future__ import annotations

import codecs
import re
import os
from pathlib import Path

import pytest

from kg.ingest import (
    decode_bytes,
    find_furniture,
    iter_documents,
    iter_paths,
    mask,
    read_document,
    read_text,
)
from kg.records import Document, IngestError

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"
PAGES = Path(__file__).parent / "data" / "ingest"

SEED_FILES = {
    "000": "000_ca4fe4f64e8fee60.txt",
    "001": "001_a2f90259e8779014.txt",
    "002": "002_beb97b786951395b.txt",
    "003": "003_8645f3b7bcb66531.txt",
    "004": "004_17ae0a9fe3fd3c77.txt",
}

# (file, title, publisher, date, strings absent from body, strings present in body)
CASES = [
    (
        SEEDS / SEED_FILES["000"],
        "France brokers evacuation deal for Daesh in eastern Syria",
        "Zaman Al Wasl",
        None,
        ["Search For Keyword", "(Zaman Al Wasl)-", "Zaman Al Wasl", "(62)", "(51)",
         "Total Comments", "Comments About This Article", "Please fill the fields below",
         "code confirming note"],
        ["France brokers evacuation deal for Daesh in eastern Syria",
         "The newly-deployed French forces in northeastern Syria have been brokering an evacuation deal",
         "Iraq has good relations with Iran and Russia"],
    ),
    (
        SEEDS / SEED_FILES["001"],
        "US-led forces, ISIS reach 1-month truce in Hasaka",
        "Zaman Al Wasl",
        None,
        ["Search For Keyword", "(Zaman Al Wasl)-", "Zaman A Wasl", "(54)", "Total Comments",
         "Please fill the fields below", "code confirming note"],
        ["U.S.-backed Syrian Democratic Forces have reached a one-month truce with the Islamic State",
         "On November 8, the SDF took Markada town"],
    ),
    (
        SEEDS / SEED_FILES["002"],
        "Daesh Militants Quit Raqqah Under US-backed Deal",
        "presstv.ir",
        "2017-10-15",
        ["Sunday, October 15, 2017", "Sun Oct 15, 2017 11:03AM", "presstv.ir",
         "(Photo by Reuters)", "No comments"],
        ["A member of the US-backed Syrian Democratic Forces (SDF) stands next to the debris of "
         "damaged buildings in Raqqah, September 25, 2017.",
         "says last Daesh elements have been evacuated from their one-time bastion of Raqqah",
         "is seen by many as a prelude to further flare-up of tensions."],
    ),
    (
        SEEDS / SEED_FILES["003"],
        None,
        "Deutsche Welle",
        None,
        ["To read the entire article", "click here", "Photo courtesy Wikipedia"],
        ["U.S.-backed Syrian Democratic Forces (SDF), have agreed to a proposal with the Islamic State",
         "The IS also lost the Syrian town of Mayadeen"],
    ),
    (
        SEEDS / SEED_FILES["004"],
        "More IS fighters leave Damascus district: monitor",
        "AFP",
        None,
        ["Connect with us", "Hi, what are you looking for?", "AFP", "Written By",
         "With 2,400 staff", "You may also like", "Stop pretending", "Business",
         "Entertainment", "Taylor Swift", "Social Media", "TikTok",
         "\u201cThey are heading to a pocket"],
        ["More IS fighters leave Damascus district: monitor",
         "A second batch of fighters from the Islamic State jihadist group left their final Damascus",
         '"They are heading to a pocket in the desert',
         "under a deal between IS on one side and the regime and the powerful Lebanese Shiite "
         "movement Hezbollah on the other."],
    ),
    (
        PAGES / "reuters_dateline.txt",
        "Syrian army takes last Islamic State pocket near Damascus",
        "Reuters",
        "2018-05-21",
        ["Skip to main content", "World", "Middle East", "By Jane Roe", "3 Min Read",
         "Updated 2 hours ago", "BEIRUT (Reuters)", "Reporting by", "Editing by",
         "Our Standards", "Related Coverage", "Russian jets strike"],
        ["The Syrian army said on Monday it had taken full control of an enclave",
         "buses had carried the last fighters towards the eastern desert overnight."],
    ),
    (
        PAGES / "related_list.txt",
        "Turkey and Russia agree ceasefire in Syria's Idlib",
        "AP",
        "2017-10-15",
        ["Home | News", "Published:", "DAMASCUS, Syria (AP)", "Read more:", "Tags:",
         "Related articles", "humanitarian catastrophe", "Comments (3)",
         '"The ceasefire will hold'],
        ["Turkey and Russia agreed on Sunday to a ceasefire in the northwestern province of Idlib",
         "\u201cThe ceasefire will hold as long as both sides respect it,\u201d",
         "The rebel coalition Hayat Tahrir al-Sham has not said whether it will withdraw"],
    ),
    (
        PAGES / "share_byline.txt",
        "Hezbollah and Nusra Front agree prisoner swap near Arsal",
        "The Daily Star",
        "2017-08-03",
        ["Menu", "Search", "looking for", "Lebanon\n", "By Jane Doe", "Thursday, 3 August 2017",
         "Share", "Tweet", "Facebook", "WhatsApp", "Email", "(AFP Photo/John Smith)",
         "The Daily Star", "newsletter", "latest headlines"],
        ["Hezbollah and the Nusra Front have agreed to exchange prisoners",
         "Buses wait near Arsal on the Lebanese-Syrian border to carry the fighters and their "
         "families to Idlib.",
         '"We will not allow the militants to return," the official said.'],
    ),
]
CASE_IDS = [case[0].stem for case in CASES]


def _document(path: Path) -> Document:
    doc = read_document(path)
    assert isinstance(doc, Document), doc
    return doc


def _same_visible_chars(doc: Document) -> None:
    assert len(doc.body) == len(doc.text)
    for i, (b, t) in enumerate(zip(doc.body, doc.text)):
        if not b.isspace():
            assert b == t, f"{doc.path}: body differs from text at offset {i}"


@pytest.mark.parametrize(("path", "title", "publisher", "date", "absent", "present"), CASES,
                         ids=CASE_IDS)
def test_page_metadata_and_furniture(path, title, publisher, date, absent, present):
    doc = _document(path)
    assert (doc.title, doc.publisher, doc.date) == (title, publisher, date)
    for furniture in absent:
        assert furniture not in doc.body, furniture
    for sentence in present:
        assert sentence in doc.body, sentence
        assert doc.body.index(sentence) == doc.text.index(sentence)
    _same_visible_chars(doc)
    assert doc.warnings == ()
    assert len(doc.sha256) == 64


@pytest.mark.parametrize("path", [case[0] for case in CASES], ids=CASE_IDS)
def test_title_stays_in_body_at_its_offset(path):
    doc = _document(path)
    if doc.title:
        start = doc.text.index(doc.title)
        assert doc.body[start:start + len(doc.title)] == doc.title


def test_seed_004_duplicate_copy_is_masked():
    doc = _document(SEEDS / SEED_FILES["004"])
    first = "A second batch of fighters from the Islamic State jihadist group"
    assert doc.text.count(first) == 2
    assert doc.body.count(first) == 1
    assert doc.body.index(first) == doc.text.index(first)
    # nothing of the second copy (which starts at the second occurrence) survives
    second = doc.text.index(first, doc.text.index(first) + 1)
    assert doc.body[second:].strip() == ""


def test_seed_ids_and_paths(monkeypatch):
    monkeypatch.chdir(ROOT)
    docs = list(iter_documents(["seeds"]))
    assert [d.id for d in docs] == [Path(f).stem for f in SEED_FILES.values()]
    assert docs[0].path == f"seeds/{SEED_FILES['000']}"
    assert [d.path for d in iter_documents([SEEDS], root=ROOT)] == [
        f"seeds/{f}" for f in SEED_FILES.values()
    ]


def test_find_furniture_and_mask_keep_lines():
    page = "Share\nIS left Raqqa under a deal with the SDF on Sunday, a monitor said.\nYou may also like\nX"
    spans = find_furniture(page)
    assert spans == [(0, 5), (page.index("You may"), len(page))]
    body = mask(page, spans)
    assert body.count("\n") == page.count("\n") and len(body) == len(page)


def test_tail_marker_before_article_is_only_a_line():
    page = ("Trending\nSyria\nIS fighters leave Raqqa\n"
            "Islamic State fighters left Raqqa under a deal with the SDF, a monitor said on Sunday.\n")
    body = mask(page, find_furniture(page))
    assert "Islamic State fighters left Raqqa" in body
    assert "Trending" not in body


def test_sentence_starting_like_a_marker_is_kept():
    page = ("Deal reached in Raqqa\n"
            "The SDF said fighters had left Raqqa under a deal agreed with tribal elders on Sunday.\n"
            "More from the convoy arrived in the desert overnight, the monitor said on Monday.\n"
            "By Saturday, the army had taken the last neighbourhood of the city, officials said.\n")
    assert mask(page, find_furniture(page)) == page


# ---------------------------------------------------------------- decoding

def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


ARTICLE = "IS fighters leave Raqqa\n\nThe SDF said Islamic State fighters left Raqqa under a deal on Sunday.\n"


def test_crlf_offsets_preserved(tmp_path):
    path = _write(tmp_path, "crlf.txt", ARTICLE.replace("\n", "\r\n").encode())
    doc = _document(path)
    assert "\r\n" in doc.text and doc.text.count("\r\n") == 3
    assert doc.body.count("\r\n") == 3
    sentence = "The SDF said Islamic State fighters left Raqqa"
    assert doc.body.index(sentence) == doc.text.index(sentence) == len("IS fighters leave Raqqa\r\n\r\n")
    assert doc.title == "IS fighters leave Raqqa"


def test_utf8_bom_dropped(tmp_path):
    doc = _document(_write(tmp_path, "bom.txt", ARTICLE.encode("utf-8-sig")))
    assert doc.text == ARTICLE and doc.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_32_with_bom(tmp_path, encoding):
    data = ("\ufeff" + ARTICLE).encode(encoding)
    assert data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    doc = _document(_write(tmp_path, "wide.txt", data))
    assert doc.text == ARTICLE and doc.warnings == ()
    assert doc.title == "IS fighters leave Raqqa"


def test_invalid_utf8_replaced_with_warning(tmp_path):
    data = ARTICLE.encode().replace(b"Raqqa under", b"Raqqa \xff\xfe under")
    doc = _document(_write(tmp_path, "bad.txt", data))
    assert "Raqqa \ufffd\ufffd under" in doc.text
    assert doc.warnings == ("2 invalid UTF-8 bytes replaced by U+FFFD",)


def test_control_characters_become_spaces(tmp_path):
    data = ARTICLE.replace("said", "sa\x07id\x1b").encode() + "\u0085".encode()
    doc = _document(_write(tmp_path, "ctl.txt", data))
    assert "sa id " in doc.text
    assert len(doc.text) == len(ARTICLE) + 3
    assert doc.warnings == ("3 control characters replaced by spaces",)
    assert decode_bytes(b"the a\t\fb\x0bc text") == ("the a\t b c text", ["2 control characters replaced by spaces"])


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b" \r\n\t\n", "empty file"),
    (b"%PDF\x00\x01\x02 some text", "binary file (NUL bytes)"),
    (bytes(range(128, 256)) * 4, "binary file"),
])
def test_unreadable_files_give_errors_naming_the_file(tmp_path, data, reason):
    path = _write(tmp_path, "weird.txt", data)
    error = read_document(path)
    assert isinstance(error, IngestError)
    assert reason in error.reason
    assert "weird.txt" in str(error)
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_text(path)


def test_unreadable_file_in_a_directory_does_not_stop_iteration(tmp_path):
    _write(tmp_path, "a.txt", b"")
    _write(tmp_path, "b.txt", ARTICLE.encode())
    results = list(iter_documents([tmp_path, tmp_path / "zzz.txt"], root=tmp_path))
    assert [type(r).__name__ for r in results] == ["IngestError", "Document", "IngestError"]
    assert str(results[0]) == "a.txt: empty file (0 bytes)"
    assert results[1].path == "b.txt"
    assert str(results[2]) == "zzz.txt: no such file or directory"


# ---------------------------------------------------------------- HTML

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>SDF and ISIS agree Raqqa exit</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2017-10-14T09:00:00Z">
<style>p { color: red; } .hidden-style-text {}</style>
<script>var secretTracking = "SCRIPT TEXT";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>SDF and ISIS agree Raqqa exit</h1>
<div class="share-buttons"><a>Share</a><a>Tweet</a></div>
<p>The SDF said on Saturday that Islamic State fighters
would leave Raqqa under a deal brokered by elders &amp; officials.</p><p>The convoy left the city at night, a spokesman for the SDF told reporters.</p>
<h3>Related articles</h3>
<ul><li>An unrelated story about football that is long enough to look like text.</li></ul>
</article>
<footer>Copyright 2017 Example News</footer>
</body></html>
"""


def test_html_page(tmp_path):
    doc = _document(_write(tmp_path, "page.html", HTML_PAGE.encode()))
    assert doc.text == HTML_PAGE
    assert len(doc.body) == len(doc.text)
    for i, (b, t) in enumerate(zip(doc.body, doc.text)):
        assert b.isspace() or b == t, i
    for hidden in ("secretTracking", "SCRIPT TEXT", "color: red", "<p>", "href", "Home",
                   "Share", "Tweet", "Related articles", "football", "Copyright", "Example News"):
        assert hidden not in doc.body, hidden
    for sentence in ("The SDF said on Saturday that Islamic State fighters",
                     "would leave Raqqa under a deal brokered by elders &amp; officials.",
                     "The convoy left the city at night, a spokesman for the SDF told reporters."):
        assert doc.body.index(sentence) == doc.text.index(sentence)
    # block-level tags separate paragraphs
    end = doc.text.index("</p><p>The convoy")
    assert doc.body[end] == "\n"
    assert (doc.title, doc.publisher, doc.date) == (
        "SDF and ISIS agree Raqqa exit", "Example News", "2017-10-14")
    assert "SDF and ISIS agree Raqqa exit" in doc.body  # the <h1>, not the <title>


def test_html_sniffed_without_suffix(tmp_path):
    doc = _document(_write(tmp_path, "page.txt", HTML_PAGE.encode()))
    assert "secretTracking" not in doc.body and "<h1>" not in doc.body


# ---------------------------------------------------------------- paths

def test_directory_without_usable_file(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    _write(folder, "notes.csv", b"a,b")
    _write(folder, ".hidden.txt", ARTICLE.encode())
    (folder / ".git").mkdir()
    _write(folder / ".git", "x.txt", ARTICLE.encode())
    results = list(iter_paths([folder]))
    assert len(results) == 1 and isinstance(results[0], IngestError)
    assert "no usable file" in results[0].reason and results[0].path.endswith("empty")


def test_missing_path(tmp_path):
    [error] = iter_paths([tmp_path / "nope"])
    assert isinstance(error, IngestError)
    assert error.reason == "no such file or directory" and "nope" in str(error)


def test_explicit_file_any_suffix_and_recursive_sorted_walk(tmp_path):
    (tmp_path / "b" / "c").mkdir(parents=True)
    for name in ("b/c/z.md", "b/a.HTM", "a.txt", "b/skip.csv", "x.log"):
        _write(tmp_path, name, ARTICLE.encode())
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path, tmp_path / "x.log"])]
    assert found == ["a.txt", "b/a.HTM", "b/c/z.md", "x.log"]
    # a file reached twice is read once
    assert len(list(iter_paths([tmp_path / "a.txt", tmp_path]))) == 3


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlink_loops_are_reported_not_followed(tmp_path):
    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    _write(folder / "sub", "a.txt", ARTICLE.encode())
    os.symlink(folder, folder / "sub" / "back")  # d/sub/back -> d
    os.symlink(tmp_path / "self.txt", tmp_path / "self.txt")  # a link to itself
    os.symlink(tmp_path / "gone.txt", folder / "broken.txt")
    results = list(iter_paths([folder, tmp_path / "self.txt"]))
    paths = [r for r in results if isinstance(r, Path)]
    errors = {Path(r.path).name: r.reason for r in results if isinstance(r, IngestError)}
    assert paths == [folder / "sub" / "a.txt"]
    assert errors["back"].startswith("symbolic link loop")
    assert errors["self.txt"] == "symbolic link loop"
    assert errors["broken.txt"] == "broken symbolic link"
    error = read_document(tmp_path / "self.txt")
    assert isinstance(error, IngestError) and "symbolic link loop" in str(error)


def test_linked_file_and_folder_are_followed(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    _write(real, "a.txt", ARTICLE.encode())
    walk = tmp_path / "walk"
    walk.mkdir()
    os.symlink(real, walk / "linked")
    assert list(iter_paths([walk])) == [walk / "linked" / "a.txt"]


def test_document_id_is_sanitised(tmp_path):
    doc = _document(_write(tmp_path, "Raqqa deal (1).txt", ARTICLE.encode()))
    assert re.fullmatch(r"Raqqa_deal_1_[0-9a-f]{8}", doc.id)  # a digest: "Raqqa_deal_1.txt" is another file
    other = _document(_write(tmp_path, "Raqqa_deal_1.txt", ARTICLE.encode()))
    assert other.id == "Raqqa_deal_1" != doc.id
    doc = _document(_write(tmp_path, "004_x.y-z.txt", ARTICLE.encode()))
    assert doc.id == "004_x.y-z"


def test_nul_bytes_after_utf8_bom_are_binary():
    with pytest.raises(ValueError, match="NUL bytes"):
        decode_bytes(codecs.BOM_UTF8 + b"a\x00b")


def test_html_article_with_furniture_like_class_is_kept(tmp_path):
    page = ('<html><body><article class="story has-comments"><h1>IS leaves Raqqa</h1>'
            '<p>Islamic State fighters left Raqqa under a deal with the SDF, a monitor said.</p>'
            '<div class="comments">Great article!</div></article></body></html>')
    doc = _document(_write(tmp_path, "c.html", page.encode()))
    assert "Islamic State fighters left Raqqa" in doc.body
    assert "Great article" not in doc.body
    assert doc.title == "IS leaves Raqqa"


def test_iter_paths_accepts_a_single_path(tmp_path):
    path = _write(tmp_path, "a.txt", ARTICLE.encode())
    assert list(iter_paths(str(path))) == [path]


# ---------------------------------------------------------------- furniture inside the article
# Synthetic pages, written for these tests: furniture in the middle of an article
# blanks its own lines (and a list marker the headlines under it), never the article
# text after it; the end of the page is blanked only when all of it is furniture.

LEDE = ("Kurds and rebels trade fire near Manbij\n\n"
        "The Kurdish-led forces repelled an attack by Turkish-backed rebels west of Manbij on "
        "Tuesday, a spokesman for the military council said.\n\n")
AFTER = ("Residents said the rebels had shelled two villages before the Kurdish units pushed them "
         "back across the river.",
         "The coalition said its aircraft had struck rebel positions near the town at the request "
         "of its partners on the ground.")

# (furniture put between the lede and the rest of the article, lines that must be blanked)
INLINE_FURNITURE = [
    ("RELATED:\nTurkey vows to drive the militia out of the town", ["RELATED:", "Turkey vows"]),
    ("RELATED:\n\nTurkey vows to drive the militia out of the town\n\nWho holds the north of the country",
     ["RELATED:", "Turkey vows", "Who holds"]),
    ("RELATED: Turkey vows to drive the militia out of the town", ["RELATED"]),
    ("SEE ALSO Turkey vows to drive the militia out of the town", ["SEE ALSO"]),
    ("Read more: What the fighting means for the truce", ["Read more", "What the fighting"]),
    ("Read more\nWhat the fighting means for the truce", ["Read more", "What the fighting"]),
    ("See also\n- Turkey vows to drive the militia out\n- Talks on the border stall", ["See also", "Talks on"]),
    ("ADVERTISEMENT", ["ADVERTISEMENT"]),
    ("- Advertisement -\nStory continues below advertisement", ["Advertisement", "Story continues"]),
    ("Continue reading the main story", ["Continue reading"]),
    ("Photo: AFP/Getty Images", ["Photo: AFP"]),
    ("Fighters at a checkpoint outside the town.\nAFP via Getty Images", ["Getty"]),
    ("Image 2 of 7\nCredit: Local Media Office", ["Image 2 of 7", "Local Media Office"]),
    ("Share on Facebook Twitter WhatsApp", ["Share on", "WhatsApp"]),
    ("Share this article\nFacebook Twitter Email Print", ["Share this", "Print"]),
    ("Click here to subscribe to our daily briefing", ["Click here"]),
    ("Sign up for our Middle East newsletter", ["newsletter"]),
    ("Recommended\nTurkey vows to drive the militia out of the town\nTalks on the border stall",
     ["Recommended", "Turkey vows", "Talks on"]),
    ("You may also like:\nTurkey vows to drive the militia out of the town", ["You may", "Turkey vows"]),
    ("Most read", ["Most read"]),
    ("Comments (12)", ["Comments"]),
    ("Written by Jane Roe", ["Jane Roe"]),
    ("WATCH: Drone footage of the front line", ["WATCH", "Drone footage"]),
    ("https://twitter.com/example/status/1234567890", ["twitter.com"]),
    ("The fighting has displaced thousands, an aid worker said on Twitter.\n"
     "\u2014 Jane Roe (@janeroe_aid) June 12, 2018", ["@janeroe_aid"]),
    ("Listen to this article\n4 min listen", ["Listen", "4 min"]),
    ("Beta 2.1 - Powered by automatic translation", ["Powered by"]),
]


@pytest.mark.parametrize(("furniture", "blanked"), INLINE_FURNITURE,
                         ids=[f[0].split("\n")[0][:30] for f in INLINE_FURNITURE])
def test_furniture_inside_the_article_blanks_only_its_lines(furniture, blanked):
    page = LEDE + furniture + "\n\n" + "\n\n".join(AFTER) + "\n"
    body = mask(page, find_furniture(page))
    for sentence in AFTER:
        assert body.index(sentence) == page.index(sentence), sentence
    assert "The Kurdish-led forces repelled an attack" in body
    assert "Kurds and rebels trade fire near Manbij" in body  # the headline
    for text in blanked:
        assert text not in body, text


def test_eleven_paragraphs_after_a_related_line_are_kept(tmp_path):
    """A "RELATED:" line and its headline after the first paragraph of twelve:
    the eleven after it are kept (one marker line once ended the article there)."""
    paragraphs = [f"Paragraph {i} says the Kurdish units held {i} villages near the river on Monday, "
                  "a local official said." for i in range(1, 12)]
    page = LEDE + paragraphs[0] + "\n\nRELATED:\nTurkey vows to drive the militia out\n\n" \
        + "\n\n".join(paragraphs[1:]) + "\n"
    doc = _document(_write(tmp_path, "related.txt", page.encode()))
    for paragraph in paragraphs:
        assert paragraph in doc.body
    assert doc.kept_share > 0.9


@pytest.mark.parametrize("marker", ["Comments (3)", "Written By", "Share this story", "You may also like",
                                    "Most read", "Related articles", "Sign up for our newsletter",
                                    "Leave a comment", "About the author"])
def test_a_marker_followed_by_article_text_never_ends_the_article(marker):
    page = LEDE + marker + "\n\n" + "\n\n".join(AFTER) + "\n"
    body = mask(page, find_furniture(page))
    assert marker not in body
    for sentence in AFTER:
        assert sentence in body


def test_one_paragraph_after_a_related_headline_at_the_end_is_kept():
    # a headline and a paragraph are not yet a list: the paragraph is the article's
    page = LEDE + "RELATED:\nTurkey vows to drive the militia out\n\n" + AFTER[0] + "\n"
    body = mask(page, find_furniture(page))
    assert AFTER[0] in body and "Turkey vows" not in body


# (tail of the page, text of it that must be blanked)
TAILS = [
    ("You may also like\nOil prices rise for a third day\nThe price of crude rose again on Monday as "
     "traders weighed worries about supply.\nA new phone goes on sale\nThe company showed its new "
     "model at an event in California on Tuesday evening.\n",
     ["Oil prices", "price of crude", "new phone", "California"]),
    ("Comments (2)\nJohn Smith\nThis is the worst coverage of the war I have read in years, honestly.\n"
     "Mary Jones\nI disagree with John, the reporting is careful and fair to everyone involved.\n",
     ["John Smith", "worst coverage", "I disagree"]),
    # a comment form: its field labels, a captcha's included, are furniture because of
    # where they are, whatever their words
    ("Leave a comment\nYour email address will not be published.\nName *\nEmail *\n"
     "*digits confirming entry\nType the characters shown\nPost Comment\n",
     ["email address", "digits confirming", "characters shown"]),
    ("Total Comments (0)\nPlease fill the fields below.\n*code you see below\n",
     ["Please fill", "code you see"]),
    ("About the author\nJane Roe has covered the Middle East for ten years from Beirut and Istanbul "
     "for several papers.\nMore from Jane Roe\nOil prices rise for a third day\nA new phone goes on sale\n",
     ["ten years", "Oil prices", "new phone"]),
    ("Share this article\nFacebook Twitter WhatsApp\nSign up for our newsletter\nGet the best of our "
     "coverage every morning in your inbox, with analysis from our team.\n",
     ["Share this", "best of our coverage"]),
    ("Related Coverage\n- Turkey vows to drive the militia out\n- Aid groups warn of a new exodus of "
     "families from the area.\nComments (3)\n", ["Turkey vows", "Aid groups"]),
]


@pytest.mark.parametrize(("tail", "blanked"), TAILS, ids=[t[0].split("\n")[0] for t in TAILS])
def test_tail_furniture_is_blanked(tail, blanked):
    page = LEDE + "\n\n".join(AFTER) + "\n\n" + tail
    body = mask(page, find_furniture(page))
    for sentence in AFTER:
        assert sentence in body
    for text in blanked:
        assert text not in body, text


def test_a_related_list_then_the_last_paragraph_then_a_tail():
    page = (LEDE + "RELATED:\nTurkey vows to drive the militia out\n\n" + AFTER[0] + "\n\n"
            "You may also like\nOil prices rise for a third day\nA new phone goes on sale\n")
    body = mask(page, find_furniture(page))
    assert AFTER[0] in body
    for text in ("Turkey vows", "Oil prices", "new phone"):
        assert text not in body


def test_html_related_list_inside_the_article(tmp_path):
    page = ("<html><body><article><h1>Kurds and rebels trade fire near Manbij</h1>"
            f"<p>{LEDE.split(chr(10))[2]}</p>"
            "<h3>Related</h3><ul><li><a href='/a'>Turkey vows to drive the militia out.</a></li>"
            "<li><a href='/b'>Aid groups warn of a new exodus.</a></li></ul>"
            + "".join(f"<p>{s}</p>" for s in AFTER)
            + "<h3>Related articles</h3><ul><li>An unrelated story about a cup final, told at "
              "length so that it reads like a sentence.</li></ul></article></body></html>")
    doc = _document(_write(tmp_path, "page.html", page.encode()))
    for sentence in AFTER:
        assert sentence in doc.body
    for text in ("Turkey vows", "Aid groups", "cup final"):
        assert text not in doc.body, text


# ---------------------------------------------------------------- share of the text kept

def test_kept_share_of_a_plain_page(tmp_path):
    page = "Menu\n" + LEDE + "\n\n".join(AFTER) + "\n"
    doc = _document(_write(tmp_path, "p.txt", page.encode()))
    visible = len("".join(page.split()))
    assert doc.text_chars == visible
    assert doc.kept_chars == visible - len("Menu")
    assert doc.kept_share == pytest.approx(1 - 4 / visible)


def test_a_repeated_copy_is_not_text_lost(tmp_path):
    page = LEDE + "\n\n".join(AFTER) + "\n\n" + "\n\n".join(AFTER) + "\n"
    doc = _document(_write(tmp_path, "twice.txt", page.encode()))
    assert doc.body.count(AFTER[0]) == 1
    assert doc.text_chars == len("".join(page.split())) - sum(len("".join(s.split())) for s in AFTER)
    assert doc.kept_share == 1.0


def test_kept_share_of_an_html_page_counts_text_not_markup(tmp_path):
    # markup, scripts, the head and declared chrome (<nav>, <footer>) are not the page's
    # text; a block dropped only because its class looks like furniture is
    page = ("<html><head><title>T</title><style>p { color: red }</style></head><body>"
            "<nav>Home World</nav><p>The SDF took Raqqa.</p><div class='share-box'>Share it</div>"
            "<script>var x = 1;</script><footer>About us</footer></body></html>")
    doc = _document(_write(tmp_path, "p.html", page.encode()))
    assert doc.text_chars == len("TheSDFtookRaqqa.Shareit")
    assert doc.kept_chars == len("TheSDFtookRaqqa.")


def test_a_page_that_is_mostly_furniture_keeps_a_small_share(tmp_path):
    page = ("Menu\nSearch\nHome | World | Middle East\n" + LEDE
            + "You may also like\n" + "\n".join(f"Headline number {w} about something else entirely"
                                                 for w in ("one", "two", "three", "four", "five", "six")))
    doc = _document(_write(tmp_path, "thin.txt", page.encode()))
    assert "The Kurdish-led forces repelled" in doc.body
    assert doc.kept_share < 0.6
