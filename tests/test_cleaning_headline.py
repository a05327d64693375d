"""The learned headline ranker: its shipped weights, its candidates, the titles it picks."""

from __future__ import annotations

import json
from importlib import resources

from briefly.article.cleaning import clean_text
from briefly.article.cleaning.headline import MODEL_FILE, load, title_text
from briefly.article.cleaning.headline_features import NAMES
from briefly.article.cleaning.layout import Unit

STORY = [
    "The old footbridge over the Lune will close for repairs on Friday, the county council "
    "said, after inspectors found rust in two of the steel beams that carry its deck.",
    "Walkers and cyclists will be sent over the road bridge a mile downstream, where a "
    "temporary path with a barrier has been built along the edge of the carriageway.",
    "The repairs are expected to take eleven weeks and to cost about two hundred thousand "
    "pounds, which the council will take from its budget for roads and bridges.",
]
HEADLINE = "Footbridge over the Lune to close for repairs"


def test_shipped_weights_match_the_features() -> None:
    text = resources.files("briefly.article.cleaning").joinpath(MODEL_FILE).read_text("utf-8")
    assert tuple(json.loads(text)["features"]) == NAMES
    trees = load()
    assert trees.feature.max() < len(NAMES)


def test_the_headline_over_the_byline_is_the_title() -> None:
    menu = ["Home", "News", "Local", "Sport", "Weather"]
    text = "\n\n".join([*menu, HEADLINE, "By Anna Berg", "25 November 2026", *STORY])
    cleaned = clean_text(text)
    assert cleaned.title == HEADLINE
    assert HEADLINE not in cleaned.paragraphs


def test_a_headline_in_german_low_quotes_is_a_candidate() -> None:
    headline = "„Wir haben keine Wahl“: Stadt sperrt die Brücke"
    text = "\n\n".join(["Startseite", "Nachrichten", headline, "Von Anna Berg", *STORY])
    assert clean_text(text).title == headline


def test_an_html2text_table_cell_loses_its_rules_as_a_title() -> None:
    cells = [f"| | | {HEADLINE}", f"| {HEADLINE} | |", f"| | | {HEADLINE} | ---|---"]
    found = [Unit(text=cell, block=index, raw=cell) for index, cell in enumerate(cells)]
    assert [title_text(found, index) for index in range(len(cells))] == [HEADLINE] * 3


def test_the_first_line_of_a_paragraph_is_never_the_title() -> None:
    # A paragraph hard-wrapped at one width: its first line is no headline, however short.
    wrapped = [
        "The county council said on Friday that the old footbridge over the Lune",
        "would close for repairs after inspectors found rust in two of the steel",
        "beams that carry its deck, and that the work would take eleven weeks.",
    ]
    cleaned = clean_text("\n".join(wrapped) + "\n\n" + "\n\n".join(STORY[1:]))
    assert cleaned.title is None
    assert cleaned.paragraphs[0].startswith("The county council said on Friday")


def test_a_chinese_reporter_credited_inside_a_line_is_the_author() -> None:
    story = [
        "市政府昨天宣布，新建的城市图书馆将于下个月正式向市民开放，馆内藏书超过五十万册。",
        "图书馆位于市中心的老火车站旧址，改造工程历时三年，总投资约两亿元。",
        "记者了解到，开馆后的第一个月，市民可以免费办理借书证。（本报记者 王小明）",
    ]
    cleaned = clean_text("\n\n".join(story))
    assert cleaned.author == "王小明"
    # The credit is read, not cut: the paragraph keeps it.
    assert cleaned.paragraphs[-1] == story[-1]


def test_a_reporter_who_learnt_something_is_no_author() -> None:
    story = ["记者了解到，开馆后的第一个月，市民可以免费办理借书证，图书馆每天开放十二个小时。"]
    assert clean_text("\n\n".join(story * 3)).author is None
