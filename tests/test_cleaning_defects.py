"""Cleaning never loses story (issue 23's defects), on articles written here for the purpose."""

from __future__ import annotations

import pytest

from briefly.article.cleaning import clean_text

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
