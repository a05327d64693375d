"""Cleaning never loses story (issue 23's defects), on articles written here for the purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.article.cleaning import clean_text, normalize_text, recurring_lines
from briefly.article.loader import load_article, parse_article
from briefly.cli.app import app

TITLE = "Council closes the harbour bridge to cars after cracks are found"
# Four paragraphs of different lengths: the last two are short, as news endings often are.
STORY = (
    "The city council voted on Tuesday to close the old harbour bridge to cars from next "
    "spring, after engineers found cracks in two of the piers that carry it over the river.",
    "Council members said the bridge, built in 1931, would stay open to people on foot and "
    "on bicycles while the repairs, which are expected to take two years, are carried out.",
    "Shop owners on the east bank fear losing trade.",
    "The council will discuss a free shuttle bus in March.",
)
FOOTER = ["", "Share", "Tweet", "", "© 2026 Harbour Gazette. All rights reserved."]


def article(*between: str, after: int = 2, footer: bool = False) -> str:
    """The story with ``between`` lines (a block of their own) after paragraph ``after``."""
    blocks = [TITLE, *STORY[:after], "\n".join(between), *STORY[after:]]
    return "\n\n".join(blocks) + "\n" + ("\n".join(FOOTER) + "\n" if footer else "")


@pytest.mark.parametrize(
    "between",
    [
        ["Advertisement"],
        ["ADVERTISEMENT"],
        ["Photo: Anna Berg / Harbour Gazette"],
        ["Getty Images"],
        ["Related stories", "* Storm season starts early this year", "* How the ferry got back"],
        [
            "Read more:",
            "- Bridge repairs will cost millions",
            "- The new ferry timetable",
        ],
    ],
    ids=["ad", "ad-upper", "credit", "agency-credit", "related", "read-more"],
)
@pytest.mark.parametrize("after", [1, 2, 3])
@pytest.mark.parametrize("footer", [False, True], ids=["bare", "footer"])
def test_story_after_in_story_furniture_stays(between: list[str], after: int, footer: bool) -> None:
    cleaned = clean_text(article(*between, after=after, footer=footer))
    assert cleaned.title == TITLE
    assert cleaned.paragraphs == STORY


def test_a_teaser_list_after_the_story_still_goes() -> None:
    text = article("Advertisement", after=4) + "\nMost read\n\n* Storm season\n* Ferry news\n"
    assert clean_text(text).paragraphs == STORY


# Three different articles of one site: what they share is the site's.
SITE_FOOTER = "Harbour Gazette is delivered free to every home in the valley"
SHARED_PARAGRAPH = (
    "The bridge, which carries about 12,000 cars a day, was closed for two weeks last year "
    "after floods reached its deck, and inspectors have watched its piers closely since then."
)


def site_article(number: int, *, shared: bool = False) -> str:
    topics = ["the harbour bridge", "the ferry timetable", "the river wall", "the fish market"]
    topic = topics[number % len(topics)]
    story = [
        f"Officials on day {number} said work on {topic} would start in the spring, "
        "according to a plan published by the council on its website.",
        f"Residents asked about {topic} at a meeting that lasted {number + 2} hours, "
        "and the mayor promised answers by the end of the month.",
    ]
    if shared:
        story.insert(1, SHARED_PARAGRAPH)
    return "\n\n".join([f"Plan {number} for {topic}", *story, "Share", SITE_FOOTER]) + "\n"


def test_recurring_lines_count_copies_of_one_article_once() -> None:
    text = site_article(1)
    assert recurring_lines([text] * 5) == frozenset()
    furniture = recurring_lines([text] * 5 + [site_article(n) for n in range(2, 5)])
    assert {"share", SITE_FOOTER.casefold()} <= furniture
    assert not any("officials" in line for line in furniture)


def test_recurring_lines_keep_a_long_sentence_syndicated_stories_share() -> None:
    furniture = recurring_lines([site_article(n, shared=True) for n in range(1, 7)])
    assert SITE_FOOTER.casefold() in furniture
    assert SHARED_PARAGRAPH.casefold().rstrip(".") not in furniture
    cleaned = clean_text(site_article(3, shared=True), furniture=furniture)
    assert SHARED_PARAGRAPH in cleaned.paragraphs


def test_batch_furniture_never_empties_an_article() -> None:
    text = "\n\n".join(STORY)
    every_line = frozenset(normalize_text(line).casefold().rstrip(".") for line in STORY)
    assert clean_text(text, furniture=every_line).paragraphs == STORY


def _batch(tmp_path: Path, *args: str) -> tuple[list[dict], list[str]]:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["batch", *args, "--out", str(out), "--summarizer", "extractive", "--to", "none"]
    )
    assert result.exit_code == 0, result.output
    errors = out / "errors.jsonl"
    failed = errors.read_text().splitlines() if errors.exists() else []
    results = [json.loads(p.read_text()) for p in sorted(out.rglob("*.json"))]
    return results, failed


def test_batch_of_copies_of_one_article_briefs_every_copy(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = article("Advertisement") + "\n".join(FOOTER) + "\n"
    for name in ("saved.txt", "saved-again.txt", "wire-a.txt", "wire-b.txt"):
        (folder / name).write_text(text, encoding="utf-8")
    results, failed = _batch(tmp_path, str(folder))
    assert failed == []
    assert len(results) == 4


def test_batch_jsonl_export_with_repeats_briefs_every_record(tmp_path: Path) -> None:
    records = [{"id": f"r{n}", "text": site_article(1)} for n in range(4)]
    records += [{"id": f"s{n}", "text": site_article(n)} for n in range(2, 6)]
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    results, failed = _batch(tmp_path, "--jsonl", str(jsonl))
    assert failed == []
    assert len(results) == len(records)


@pytest.mark.parametrize(
    "call",
    [
        "The network will soon launch Palace Notes, a weekly newsletter on the royal family.",
        "Get Palace Notes delivered to your inbox every Friday.",
        "We may earn a commission when you buy through the links in this story.",
    ],
)
def test_a_call_to_action_is_cut_at_a_sentence_boundary(call: str) -> None:
    story = (
        "The wedding drew about two million viewers, the largest audience for a royal event "
        "since the coronation, according to figures released by the broadcaster on Sunday."
    )
    cleaned = clean_text("\n\n".join([*STORY[:2], f"{story} {call}", *STORY[2:]]))
    assert cleaned.paragraphs == (*STORY[:2], story, *STORY[2:])
    assert [r.line for r in cleaned.removed if r.reason == "call to action"] == [call]


@pytest.mark.parametrize("before", ["", "House prices rose by 4% last year in the valley. "])
def test_a_story_sentence_about_commissions_stays(before: str) -> None:
    line = before + "Estate agents may earn a commission of up to 3% on each sale, the study says."
    assert line in clean_text("\n\n".join([*STORY[:2], line, *STORY[2:]])).paragraphs


HINDI = (
    "नगर निगम ने पुराने पुल को कारों के लिए बंद करने का फैसला किया।",
    "इंजीनियरों को पुल के दो खंभों में दरारें मिली थीं और मरम्मत में दो साल लगेंगे।",
    "पैदल चलने वाले और साइकिल सवार मरम्मत के दौरान भी पुल का इस्तेमाल कर सकेंगे।",
)


@pytest.mark.parametrize("separator", ["\n", "\n\n"], ids=["lines", "paragraphs"])
def test_a_hindi_sentence_is_no_title(separator: str) -> None:
    cleaned = clean_text(separator.join(HINDI))
    assert cleaned.title is None
    assert " ".join(cleaned.paragraphs) == " ".join(HINDI)


RUSSIAN_SENTENCES = (
    "Новое исследование, опубликованное в понедельник, показало, что пожилые люди, которые "
    "каждый день гуляют не меньше получаса, реже болеют, сообщила группа профессора медицины в "
    "Университете города Тарту.",
    "Группа двенадцать лет наблюдала за здоровьем более чем двух тысяч добровольцев старше "
    "шестидесяти лет.",
    "Учёные сравнивали тех, кто много ходит пешком, с теми, кто большую часть дня проводит дома.",
    "Среди первых болезни сердца встречались почти вдвое реже.",
    "Авторы считают, что дело не только в движении, но и в общении с соседями по дороге.",
    "Многие участники рассказывали, что во время прогулок встречают знакомых и друзей.",
    "Исследователи предупреждают, что их данные не доказывают прямой причинной связи.",
    "Люди с хорошим здоровьем, возможно, просто чаще выходят на улицу.",
    "Следующий этап работы будет посвящён людям, которые начали гулять уже после выхода на пенсию.",
    "Городские власти Тарту уже пообещали проложить в парках новые пешеходные дорожки.",
    "Часть денег на них выделит университет.",
    "Результаты опубликованы в журнале о здоровье пожилых людей.",
)


def wrap(text: str, width: int) -> str:
    """``text`` hard-wrapped at ``width`` columns, as a dump or an e-mail client leaves it."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line]) + "\n"


# At 175-187 columns the first line stops at "профессора медицины в", a name after it.
@pytest.mark.parametrize("width", [120, 160, 180, 200, 230])
def test_a_wide_hard_wrapped_russian_article_has_no_title_from_its_first_line(width: int) -> None:
    cleaned = clean_text(wrap(" ".join(RUSSIAN_SENTENCES), width))
    assert cleaned.title is None
    assert " ".join(cleaned.paragraphs) == " ".join(RUSSIAN_SENTENCES)


PAGE = (
    "<!DOCTYPE html><html><head><title>Council closes the harbour bridge</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
    "<h1>Council closes the harbour bridge</h1>"
    + "".join(f"<p>{paragraph}</p>" for paragraph in STORY)
    + "</article><footer>© 2026 Harbour Gazette</footer></body></html>"
)


@pytest.mark.parametrize("name", ["page.txt", "page.md", "page", "page.htm"])
def test_a_page_is_read_as_html_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(PAGE, encoding="utf-8")
    from_file = load_article(path)
    from_stdin = parse_article(PAGE.encode("utf-8"))
    assert from_file.body == from_stdin.body == "\n\n".join(STORY)
    assert from_file.title == from_stdin.title


def test_text_that_mentions_tags_stays_text(tmp_path: Path) -> None:
    text = (
        "How to write a web page\n\nA paragraph starts with <p>, a line break is <br> and a "
        "block is <div>: three tags every beginner meets on the first day of the course.\n"
    )
    path = tmp_path / "lesson.md"
    path.write_text(text, encoding="utf-8")
    assert "<br>" in load_article(path).body


def test_a_page_saved_as_txt_is_briefed_in_a_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.txt").write_text(PAGE, encoding="utf-8")
    results, failed = _batch(tmp_path, str(folder))
    assert failed == []
    assert [r["title"] for r in results] == ["Council closes the harbour bridge"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "™ & © 2026 Harbour Broadcasting Group, Inc. A Northwind Media Company. "
            "All Rights Reserved.",
            "copyright",
        ),
        ("® and © 2025 Valley Radio Ltd. All rights reserved.", "copyright"),
        (
            "When you buy through links on our site, we may earn an affiliate commission. "
            "Here is how it works.",
            "site notice",
        ),
        ("We may earn a commission from links on this page.", "site notice"),
        ("This article contains affiliate links.", "site notice"),
        ("Our Standards: The Harbour Press Trust Principles.", "site notice"),
        ("Our standards: the Valley Post editorial code", "site notice"),
        ("If you are running an ad-blocker, please turn it off to keep reading.", "call to action"),
        ("Previous articleMayor opens new bus station", "pager"),
        ("Next story: Tram line to reopen in May", "pager"),
        ("3 hours ago", "date line"),
    ],
)
def test_notices_the_readme_promises_to_drop_go(line: str, reason: str) -> None:
    cleaned = clean_text(article(line, after=4))
    assert cleaned.paragraphs == STORY
    assert (line, reason) in {(r.line, r.reason) for r in cleaned.removed}


def test_a_sentence_that_opens_like_a_pager_stays() -> None:
    line = "Previous articles in this series looked at the cost of the repairs."
    assert clean_text(article(line, after=4)).paragraphs == (*STORY, line)


@pytest.mark.parametrize("line", ["Article by Maria Lindqvist", "Article by: Maria Lindqvist"])
def test_an_article_by_line_is_the_author(line: str) -> None:
    cleaned = clean_text(f"{TITLE}\n\n{line}\n\n" + "\n\n".join(STORY))
    assert cleaned.author == "Maria Lindqvist"
    assert cleaned.paragraphs == STORY


HOSTILE = "\u0080\u009b\u009f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_c1_controls_and_bidi_overrides_are_dropped_from_text() -> None:
    dirty = [p.replace("bridge", f"bri{HOSTILE}dge", 1) for p in STORY]
    assert normalize_text(dirty[0]) == STORY[0]
    assert normalize_text("one line\u0085the next") == "one line\nthe next"
    assert clean_text("\n\n".join([TITLE, *dirty])).paragraphs == STORY
    assert parse_article("\n\n".join(dirty), clean=False).body == "\n\n".join(STORY)


def test_c1_controls_and_bidi_overrides_are_dropped_from_pages() -> None:
    page = PAGE.replace("bridge", f"bri{HOSTILE}dge")
    article_ = parse_article(page)
    assert article_.body == "\n\n".join(STORY)
    assert article_.title == "Council closes the harbour bridge"
    assert parse_article(page, clean=False).body.endswith("\n\n".join(STORY))
