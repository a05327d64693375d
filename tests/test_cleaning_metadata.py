"""Titles and bylines found in text dumps and pages, in the scripts briefly reads (issue 23).

All text here is written for these tests; none comes from the labelled corpora.
"""

from __future__ import annotations

import pytest

from briefly.article.cleaning import clean_text
from briefly.article.cleaning.layout import units
from briefly.article.cleaning.metadata import byline
from briefly.article.loader import parse_article
from briefly.article.page_title import PageText, page_headline

STORY = (
    "The city council voted on Tuesday to turn the old tram depot into a public library, "
    "ending a debate that had divided residents for more than a decade.",
    "Under the plan, the depot's iron roof will be kept and the building will open in 2028 "
    "with reading rooms, a children's floor and a cafe run by a local charity.",
    "Opponents had wanted the site sold to a developer, but the vote was carried by "
    "nineteen to six.",
)
HEADLINE = "Council turns the old tram depot into a library"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Von Anna Berg", "Anna Berg"),
        ("von Laura Meier, Berlin", "Laura Meier"),
        ("Ein Kommentar von Jan Sellner", "Jan Sellner"),
        ("Von dpa", "dpa"),
        ("Автор: Иван Петров", "Иван Петров"),
        ("Текст: Ольга Смирнова", "Ольга Смирнова"),
        ("Автор: Іван Петренко", "Іван Петренко"),
        ("Автор матеріалу: Оксана Коваль", "Оксана Коваль"),
        ("लेखक: राम शर्मा", "राम शर्मा"),
        ("राम शर्मा द्वारा", "राम शर्मा"),
        ("作者：王小明", "王小明"),
        ("本报记者 李华", "李华"),
        ("김민수 기자", "김민수"),
        ("Por Carmen López", "Carmen López"),
    ],
)
def test_bylines_in_the_languages_news_is_scraped_in(line: str, name: str) -> None:
    assert byline(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "Von Berlin nach Paris fahren jeden Tag drei Züge",
        "Par ailleurs, le gouvernement a annoncé un plan",
        "Автор этой идеи — городской совет",
        "作者认为，这座城市需要更多的公园和图书馆来服务市民",
    ],
)
def test_a_sentence_that_opens_with_a_byline_word_is_no_byline(line: str) -> None:
    assert byline(line) is None


@pytest.mark.parametrize(
    ("head", "author"),
    [
        (["Von", "Anna Berg"], "Anna Berg"),
        (["Anna Berg", "30.01.2024"], "Anna Berg"),
        (["Anna Berg", "3. Mai 2024, 17:47"], "Anna Berg"),
        (["Carmen López", "25 de mayo de 2025 16:51 h"], "Carmen López"),
        (["Author of the article:", "Anna Berg"], "Anna Berg"),
        (["Anna Berg", "7 hours ago"], "Anna Berg"),
        (["Anna Berg", "Published"], "Anna Berg"),
        (["Read More", "7 hours ago"], None),
    ],
    ids=[
        "label-alone",
        "over-a-date",
        "over-a-german-date",
        "over-a-spanish-date",
        "under-a-long-label",
        "over-a-time",
        "over-a-label",
        "no-name",
    ],
)
def test_a_name_under_its_label_or_over_the_date_is_the_author(
    head: list[str], author: str | None
) -> None:
    cleaned = clean_text("\n\n".join([HEADLINE, *head, *STORY]))
    assert cleaned.author == author
    assert cleaned.title == HEADLINE
    assert cleaned.paragraphs == STORY


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Anna Berg", "Anna Berg"),
        ("Anna Berg | Published 4 months ago", "Anna Berg"),
        ("Anna Berg / MARLOW HERALD / Sep 2, 2026, 17:07 IST", "Anna Berg"),
        ("Anna Berg5 hours ago", "Anna Berg"),
        ("Associated PressApril 28, 2026", "Associated Press"),
        ("María R. Sahuquillo", "María R. Sahuquillo"),
    ],
    ids=["alone", "before-fields", "before-site-and-date", "glued-time", "glued-month", "initial"],
)
def test_a_name_alone_under_the_headline_is_the_author(line: str, author: str) -> None:
    cleaned = clean_text("\n\n".join([HEADLINE, line, *STORY]))
    assert (cleaned.title, cleaned.author) == (HEADLINE, author)
    assert cleaned.paragraphs == STORY
    assert (line, "byline") in cleaned.removed


def test_a_name_in_an_address_below_does_not_make_the_name_a_common_word() -> None:
    story = (*STORY, "Write to the reporter at anna.berg@herald.example or on @anna_berg.")
    cleaned = clean_text("\n\n".join([HEADLINE, "Anna Berg", *story]))
    assert cleaned.author == "Anna Berg"


@pytest.mark.parametrize(
    "line",
    ["Reading Rooms", "LOCAL NEWS", "Under The Plan", "Anna Berg Reading Rooms Cafe"],
    ids=["words-the-story-writes-in-lower-case", "capitals", "stopwords", "too-long"],
)
def test_a_heading_in_title_case_under_the_headline_is_no_author(line: str) -> None:
    assert clean_text("\n\n".join([HEADLINE, line, *STORY])).author is None


JAPANESE = (
    "東京都は十日、古い倉庫を改装した新しい中央図書館を来年の春に開館すると発表した。"
    "閲覧室と子ども向けの階を備え、夜九時まで利用できる。",
    "都の担当者は、地域の人々が集まる場所にしたいと話している。",
    "費用は約三十億円で、都と区が半分ずつ負担する。",
)
CHINESE = (
    "北京市政府十日宣布，将在城市东部新建三座公园，总面积约两百公顷，明年秋天开放。",
    "官员表示，新公园将种植本地树木，并修建自行车道和步行道。",
    "市民可以免费入园，周末还将举办音乐会。",
)


@pytest.mark.parametrize(
    ("title", "story"),
    [("東京都、新しい図書館を来年開館へ", JAPANESE), ("北京市宣布新建三座公园", CHINESE)],
    ids=["ja", "zh"],
)
def test_a_cjk_headline_is_the_title(title: str, story: tuple[str, ...]) -> None:
    cleaned = clean_text("\n\n".join([title, *story]))
    assert cleaned.title == title
    assert cleaned.paragraphs == story


@pytest.mark.parametrize(
    ("trail", "title", "story"),
    [
        ("网易首页 > 新闻中心 > 国内新闻 > 正文", "北京市宣布新建三座公园", CHINESE),
        (f"Startseite » Lokales » {HEADLINE}", HEADLINE, STORY),
        ("Home › News › Local", HEADLINE, STORY),
    ],
    ids=["zh", "ending-in-the-headline", "guillemets"],
)
def test_a_trail_of_sections_is_breadcrumbs_not_the_title(
    trail: str, title: str, story: tuple[str, ...]
) -> None:
    cleaned = clean_text("\n\n".join([trail, title, *story]))
    assert cleaned.title == title
    assert cleaned.paragraphs == story
    assert (trail, "breadcrumbs") in cleaned.removed


def w3m_wrapped(text: str, columns: int = 80) -> str:
    """``text`` wrapped as w3m wraps Chinese and Japanese: at a width in terminal columns,
    each character two of them, anywhere in a word."""
    per_line = columns // 2
    return "\n".join(text[i : i + per_line] for i in range(0, len(text), per_line))


def test_a_wrapped_japanese_paragraph_is_one_paragraph_and_its_first_line_no_title() -> None:
    paragraph = "".join(JAPANESE) * 2
    text = w3m_wrapped(paragraph) + "\n\n" + w3m_wrapped(JAPANESE[1])
    assert [unit.text for unit in units(text)] == [paragraph, JAPANESE[1]]
    cleaned = clean_text(text)
    assert cleaned.title is None
    assert cleaned.paragraphs == (paragraph, JAPANESE[1])


def test_a_page_title_is_its_h1_without_the_site_name_section_or_date() -> None:
    h1 = "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära"
    page = PageText((h1,), "\n".join(["DW", h1, *STORY]))
    assert page_headline(f"{h1} – DW – 30.01.2024", page).text == h1
    # No <h1> in the title: the site's name still goes from either end.
    page = PageText((), "\n".join(["Depot to be library", *STORY]))
    assert page_headline("Depot to be library - Marlow Herald", page).text == "Depot to be library"
    assert page_headline("Marlow Herald | Depot to be library", page, "Marlow Herald").text == (
        "Depot to be library"
    )


def test_a_page_title_the_body_never_shows_gives_way_to_the_body_s_headline() -> None:
    body = "\n".join(["Home", "News", "Sport", HEADLINE, "By Anna Berg", *STORY])
    assert page_headline("Marlow Herald Online", PageText((), body)).text == HEADLINE
    assert page_headline(None, PageText((), body)).text == HEADLINE
    assert page_headline(None, PageText((), "")).text is None


def test_the_html_path_takes_the_h1_the_title_tag_holds() -> None:
    html = (
        f"<html><head><title>{HEADLINE} – Marlow Herald – News</title></head><body>"
        f"<header><a href='/'>Marlow Herald</a></header><article><h1>{HEADLINE}</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</article></body></html>"
    )
    assert parse_article(html, source="depot.html").title == HEADLINE


@pytest.mark.parametrize(
    ("title_tag", "headline_tag"),
    [
        (f"Marlow Herald: Local News : {HEADLINE}", "h2"),
        (f"News - {HEADLINE} - Marlow Herald", "h2"),
        (f"Marlow Herald: {HEADLINE}", "h3"),
    ],
)
def test_the_html_path_takes_the_heading_the_title_tag_holds_not_the_site_s_h1(
    title_tag: str, headline_tag: str
) -> None:
    # Older pages: a table whose cells hold an <h1> of the site's and the section's name,
    # which trafilatura takes for the title, and the headline in a later heading that the
    # <title> holds.
    html = (
        f"<html><head><title>{title_tag}</title></head><body><table><tr><td>"
        "<h1>Marlow Herald: Local News</h1><ul><li><a href='/'>Home</a></li></ul></td><td>"
        f"<{headline_tag}>{HEADLINE}</{headline_tag}>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "<h2>Most read</h2></td></tr></table></body></html>"
    )
    article = parse_article(html, source="depot.html")
    assert article.title == HEADLINE
    # That <h1> names the site and its section: it leaves the story too, and the audit
    # trail says why.
    assert "Marlow Herald" not in article.body
    assert ("Marlow Herald: Local News", "site's or section's name") in article.removed


def test_the_first_line_of_a_wrapped_paragraph_is_no_title_when_the_wrap_stays() -> None:
    # One paragraph wrapped at 72 columns among long unwrapped ones: no width to undo, and
    # the first line stops before a name, so nothing joins it to the next.
    opening = (
        "The city council of Marlow announced on Tuesday that Deputy Mayor Anna\n"
        "Berg will lead the project to turn the old tram depot into a library,\n"
        "which the council approved by nineteen votes to six."
    )
    rest = [(" ".join(STORY) + " ") * 2 for _ in range(4)]
    cleaned = clean_text("\n\n".join([opening, *rest]))
    assert cleaned.title is None
    assert " ".join(cleaned.paragraphs).split() == " ".join([opening, *rest]).split()


def test_the_headline_is_the_title_not_the_deck_under_it() -> None:
    deck = "A decade of debate over the site ends with a vote of nineteen to six"
    cleaned = clean_text("\n\n".join(["Home", "News", HEADLINE, deck, "By Anna Berg", *STORY]))
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Anna Berg"


def test_the_headline_the_title_line_of_a_soup_dump_wraps_is_the_title() -> None:
    # BeautifulSoup's text opens with the <title>: here the site and section before a short
    # headline, too long a head to cut off as a site's name.
    headline = "Depot becomes library"
    opening = f"Marlow Herald Online - Local News and Sport - {headline}"
    text = "\n".join([opening, "Home", "News", "Sport", headline, "By Anna Berg", *STORY])
    assert clean_text(text).title == headline


def test_a_line_over_the_date_in_a_script_without_case_is_no_author() -> None:
    # A headline in two clauses, or a commenter's name, reads like a name without capitals.
    headline = "北京市宣布新建三座公园 明年秋天开放"
    cleaned = clean_text("\n\n".join([headline, "2026-03-04", *CHINESE]))
    assert (cleaned.title, cleaned.author) == (headline, None)
