"""A web page's headline: trafilatura's title, less the site's name, or the page's own <h1>."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefly.article.cleaning.layout import comparable, word_count
from briefly.article.cleaning.metadata import strip_site_name

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " -- ", " :: ")
# Titles end in "| Section" or "| Site"; longer tails are part of the headline.
_MAX_SITE_WORDS = 3
_MIN_HEADING_WORDS = 2


def headings(tree: HtmlElement) -> tuple[str, ...]:
    """The texts of the page's <h1> elements, whitespace collapsed (read before extraction,
    which prunes the tree)."""
    texts = (" ".join(h1.text_content().split()) for h1 in tree.iter("h1"))
    return tuple(text for text in texts if text)


def page_title(title: str | None, h1s: tuple[str, ...], *names: str | None) -> str | None:
    """The headline of a page whose metadata title is ``title`` and whose <h1> texts are
    ``h1s``; ``names`` are the site's (trafilatura's sitename, the host name).

    The <title> often adds the site's name, a section or a date to the headline ("Headline
    – DW – 30.01.2024"): an <h1> that is all of the title but those is the headline. Else
    the site's name goes from either end of the title.
    """
    if not title:
        return None
    whole = comparable(title)
    within = [h1 for h1 in h1s if word_count(h1) >= _MIN_HEADING_WORDS and comparable(h1) in whole]
    if within:
        return max(within, key=len)
    known = tuple(name for name in names if name)
    return strip_site_name(_strip_known_names(title, known), known) or None


def _strip_known_names(title: str, names: tuple[str, ...]) -> str:
    """Drop the " | Site Name" (or "Site - ") that pages add to their <title>."""
    known = {name.lower().removeprefix("www.") for name in names}
    suffixes = [separator + name for separator in _TITLE_SEPARATORS for name in known]
    prefixes = [name + separator for separator in _TITLE_SEPARATORS for name in known]
    while True:
        lowered = title.lower()
        suffix = next((s for s in suffixes if lowered.endswith(s) and lowered != s), None)
        prefix = next((p for p in prefixes if lowered.startswith(p) and lowered != p), None)
        head, found, tail = title.rpartition(" | ")
        if suffix:
            title = title[: -len(suffix)]
        elif prefix:
            title = title[len(prefix) :]
        elif found and head and len(tail.split()) <= _MAX_SITE_WORDS:
            title = head
        else:
            return title.strip()
        title = title.strip()
