"""Page-furniture removal from plain-text articles (no I/O, no models)."""

from __future__ import annotations

import pytest

from briefly.article.cleaning import clean_paragraphs, clean_text, normalize_text, parse_date

STORY = [
    "The regional water board on Thursday raised its forecast for this summer's "
    "shortfall, saying reservoirs stood at 61% of capacity after the driest spring "
    "since records began in 1921.",
    "Farmers in the south of the region have been told to expect cuts to irrigation "
    "from July, and the board asked households to avoid watering gardens with hoses.",
]
HEADLINE = "Water board warns of summer shortfall after driest spring on record"


def scraped(*, head: list[str], tail: list[str], body: list[str] = STORY) -> str:
    """An article as a scraper saves it: furniture lines around the body."""
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(tail) + "\n"


def test_scraped_article_loses_all_furniture() -> None:
    text = scraped(
        head=[
            HEADLINE,
            "",
            "  1. HOME",
            "  2. ENVIRONMENT",
            f"  3. {HEADLINE}",
            "  • Last update: 5 hours ago",
            "  • 2 min read",
            "  • 12.5K Views",
            "  • ENVIRONMENT",
            HEADLINE,
        ],
        tail=["Author: Lena Hartmann", "", "Share"],
    )
    cleaned = clean_text(text)
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Lena Hartmann"
    assert cleaned.published is None  # only a relative time was given
    assert cleaned.paragraphs == tuple(STORY)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 3% on Monday.",
        "Subscribers to the service rose by a fifth.",
        "Updated figures will be released in June.",
        "By the end of the year, the plant will close.",
        "Read more about the plan than ever before, officials urged residents.",
        "Follow-up inspections found no further leaks.",
        "WORLD LEADERS MET IN GENEVA ON FRIDAY TO DISCUSS THE CRISIS.",
    ],
)
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_body_lines_that_look_like_furniture_survive(line: str, where: str) -> None:
    body = {"first": [line, *STORY], "middle": [STORY[0], line, STORY[1]], "last": [*STORY, line]}
    cleaned = clean_text(scraped(head=[HEADLINE], tail=["Share"], body=body[where]))
    assert line in cleaned.paragraphs


def test_numbered_list_in_body_survives() -> None:
    steps = "1. Fill a bucket.\n2. Water the roots, not the leaves.\n3. Water early."
    for body in ([steps, *STORY], [STORY[0], steps, STORY[1]], [*STORY, steps]):
        cleaned = clean_text(scraped(head=[HEADLINE, "WORLD"], tail=[], body=body))
        assert steps in cleaned.paragraphs


def test_short_numbered_list_right_after_headline_survives() -> None:
    ranking = "1. Oslo\n2. Bergen\n3. Tromsø"
    cleaned = clean_text(scraped(head=[HEADLINE], tail=[], body=[ranking, *STORY]))
    assert cleaned.paragraphs[0] == ranking


def test_furniture_in_the_middle_of_the_body_is_removed() -> None:
    body = [STORY[0], "Advertisement", "Read more: Dry rivers force fish rescue", STORY[1]]
    body += ["Sign up for our weekly climate newsletter", "Follow us on Telegram"]
    cleaned = clean_text(scraped(head=[HEADLINE], tail=[], body=body))
    assert cleaned.paragraphs == tuple(STORY)


def test_leading_byline_and_dates() -> None:
    head = [HEADLINE, "By Jean-Luc Moreau and Ana Díaz", "Published: 25 November 2026, 09:14"]
    cleaned = clean_text(scraped(head=head, tail=["Updated 26 November 2026"]))
    assert cleaned.author == "Jean-Luc Moreau and Ana Díaz"
    assert cleaned.published == "2026-11-25"
    assert cleaned.paragraphs == tuple(STORY)


def test_metadata_fields_on_one_line_and_bulleted_tags() -> None:
    head = [HEADLINE, "• Europe", "By Jane Doe | 25 November 2026 · 3 min read"]
    cleaned = clean_text(scraped(head=head, tail=[]))
    assert (cleaned.author, cleaned.published) == ("Jane Doe", "2026-11-25")
    assert cleaned.paragraphs == tuple(STORY)


def test_key_points_list_at_the_top_survives() -> None:
    points = "- Reservoirs at 61%\n- Hose ban"
    cleaned = clean_text(scraped(head=[HEADLINE], tail=[], body=[points, *STORY]))
    assert cleaned.paragraphs[0] == points


def test_updated_date_is_used_when_no_published_date() -> None:
    cleaned = clean_text(scraped(head=[HEADLINE, "Last updated: 2026-03-02 18:40"], tail=[]))
    assert cleaned.published == "2026-03-02"


def test_path_breadcrumbs_and_copyright() -> None:
    head = ["Home > Environment > Water", HEADLINE, "3 min read"]
    tail = ["Tags: drought, water", "© 2026 Northern Post. All rights reserved."]
    cleaned = clean_text(scraped(head=head, tail=tail))
    assert cleaned.title == HEADLINE
    assert cleaned.paragraphs == tuple(STORY)


def test_author_names_over_the_byline_are_not_the_title() -> None:
    # The author photos' alt text stands between the headline and the byline.
    head = [HEADLINE, "", "Mara Lindqvist Tomas Oyelaran", "By Mara Lindqvist and Tomas Oyelaran"]
    cleaned = clean_text(scraped(head=head, tail=[]))
    assert cleaned.title == HEADLINE


def test_lead_photo_caption_under_the_byline_is_not_the_title() -> None:
    caption = "Dry reservoir beds near the old mill"
    head = [
        HEADLINE,
        "",
        "By Mara Lindqvist",
        "Updated 9:22 AM, March 2, 2026",
        "",
        caption,
        caption,
    ]
    cleaned = clean_text(scraped(head=head, tail=[]))
    assert cleaned.title == HEADLINE


def test_no_title_when_text_starts_with_a_sentence() -> None:
    cleaned = clean_text("\n\n".join(STORY))
    assert cleaned.title is None
    assert cleaned.paragraphs == tuple(STORY)


def test_a_single_short_line_is_body_not_title() -> None:
    cleaned = clean_text("Rain is back in the valley")
    assert (cleaned.title, cleaned.paragraphs) == (None, ("Rain is back in the valley",))


def test_hard_wrapped_paragraphs_are_joined() -> None:
    wrapped = (
        "The regional water board on Thursday raised its forecast for this\n"
        "summer's shortfall, saying reservoirs stood at 61% of capacity after\n"
        "the driest spring since records began."
    )
    cleaned = clean_text(f"{HEADLINE}\n\n{wrapped}\n")
    assert cleaned.paragraphs == (" ".join(wrapped.split("\n")),)


def test_one_paragraph_per_line_is_kept_apart() -> None:
    cleaned = clean_text(HEADLINE + "\n" + "\n".join(STORY))
    assert cleaned.title == HEADLINE
    assert cleaned.paragraphs == tuple(STORY)


def test_markdown_is_turned_into_plain_text() -> None:
    text = (
        "---\ntitle: Water board warns of shortfall\nauthor: Lena Hartmann\n"
        "date: 2026-05-04\n---\n\n# Water board warns of shortfall\n\n"
        "The **water board** raised its [forecast](https://example.org/f) on _Thursday_.\n\n"
        "![chart](chart.png)\n\n## Farmers\n\n- cuts from July\n- hoses banned\n"
    )
    cleaned = clean_text(text, markdown=True)
    assert cleaned.title == "Water board warns of shortfall"
    assert cleaned.author == "Lena Hartmann"
    assert cleaned.published == "2026-05-04"
    assert cleaned.paragraphs == (
        "The water board raised its forecast on Thursday.",
        "Farmers",
        "- cuts from July\n- hoses banned",
    )


def test_clean_paragraphs_drops_repeated_title_and_links() -> None:
    paragraphs = [HEADLINE, STORY[0], "READ MORE: Dry rivers force fish rescue", STORY[1], "Share"]
    cleaned = clean_paragraphs(paragraphs, title=HEADLINE)
    assert cleaned.title == HEADLINE
    assert cleaned.paragraphs == tuple(STORY)


def test_normalize_text() -> None:
    text = "Cafe\u0301\u00a0 menu\t\tprices\u200b\r\n\r\n\r\n\r\n  next\x07 line  \n"
    assert normalize_text(text) == "Café menu prices\n\nnext line"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 November 2026", "2026-11-25"),
        ("Tuesday, 3rd Sept. 2026", "2026-09-03"),
        ("November 25, 2026 10:32 AM", "2026-11-25"),
        ("2026-11-25T10:32:00Z", "2026-11-25"),
        ("25.11.2026", "2026-11-25"),
        ("7 जून 2026", "2026-06-07"),
        ("12 फ़रवरी 2026", "2026-02-12"),
        ("4 Febbraio 2026 - 14:41", "2026-02-04"),
        ("15 de março de 2026", "2026-03-15"),
        ("3 mei 2026", "2026-05-03"),
        ("12 października 2026", "2026-10-12"),
        ("20 MAYIS 2026", "2026-05-20"),
        ("3 ſeptember 2026", None),
        ("31 February 2026", None),
        ("1 hours ago", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_a_closing_quotation_is_a_sentence_not_a_title() -> None:
    quote = 'He added, "The reservoirs will recover."'
    cleaned = clean_text("\n\n".join([STORY[0], quote, STORY[1]]))
    assert cleaned.title is None
    assert cleaned.paragraphs == (STORY[0], quote, STORY[1])


def test_an_unmarked_caption_inside_the_story_is_not_the_title() -> None:
    caption = "Dry reservoir beds near the old mill in the south"
    cleaned = clean_text("\n\n".join([STORY[0], caption, STORY[1]]))
    assert cleaned.title is None
    assert caption in cleaned.paragraphs


def test_a_standfirst_without_a_full_stop_is_kept() -> None:
    standfirst = (
        "Households are asked to save water as the reservoirs stand at their lowest level "
        "since records began"
    )
    # As BeautifulSoup dumps a page: its <title>, a menu, the <h1>, the standfirst, a button,
    # the byline, a sign-up box and a gallery, one element a line.
    menu = ["Log in with Valley Post", "Email", "Please enter a valid email", "Password"]
    menu += ["Forgotten your password?", "Submit", "Not registered?", "Register here", "News"]
    byline = ["Close", "By Mara Lindqvist", "Updated 9:22 AM, March 2, 2026"]
    boxes = ["Essential news, delivered daily", "Email", "Sign up", "1", "/12"]
    gallery = ["AFP via Getty Images", "A dry reservoir bed near the old mill", "Getty Images"]
    headline = "Three valley towns added to the hosepipe ban list"
    head = [f"{headline} | Valley Post", "", *menu, headline, standfirst, *byline, *boxes]
    cleaned = clean_text(scraped(head=head + gallery * 4, tail=[]))
    assert cleaned.title == headline
    assert cleaned.paragraphs == (standfirst, *STORY)
