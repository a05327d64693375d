"""A web page's headline: the heading its titles hold, trafilatura's title less the site's
name, or what the text cleaner finds in its body."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from briefly.article.cleaning import clean_text
from briefly.article.cleaning.layout import comparable, normalize_text, word_count
from briefly.article.cleaning.metadata import strip_site_name

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " -- ", " :: ")
# Titles end in "| Section" or "| Site"; longer tails are part of the headline.
_MAX_SITE_WORDS = 3
_MIN_HEADING_WORDS = 2
_WORD = re.compile(r"\w+")


class PageText(NamedTuple):
    """What a page shows of its headline, read before extraction (which prunes the tree);
    its titles and headings normalised as plain text is, each on one line."""

    # The texts of its <h1> elements.
    h1s: tuple[str, ...]
    # The text of its body, a line per text node, as BeautifulSoup's get_text("\n") gives it.
    body: str
    # Its <title> element's text, and the texts of its <h1>, <h2> and <h3> elements.
    title: str = ""
    headings: tuple[str, ...] = ()


def page_text(tree: HtmlElement) -> PageText:
    found = [(h.tag, _one_line(h.text_content())) for h in tree.iter("h1", "h2", "h3")]
    headings = tuple(text for _, text in found if text)
    h1s = tuple(text for tag, text in found if text and tag == "h1")
    nodes = tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
    body = "\n".join(" ".join(node.split()) for node in nodes if not node.isspace())
    title = _one_line(tree.findtext(".//title", default=""))
    return PageText(h1s, body, title, headings)


def _one_line(text: str) -> str:
    return normalize_text(" ".join(text.split()))


class Headline(NamedTuple):
    """A page's headline, and the heading trafilatura took for it that the page's <title>
    element overruled: the site's or the section's name, furniture wherever it stands."""

    text: str | None
    overruled: str | None = None


def page_headline(title: str | None, page: PageText, *names: str | None) -> Headline:
    """The headline of a page whose metadata title is ``title``; ``names`` are the site's
    (trafilatura's sitename, the host name).

    The <title> often adds the site's name, a section or a date to the headline ("Headline
    – DW – 30.01.2024"): an <h1> that is all of the title but those is the headline. Else
    the site's name goes from either end of the title. Where that leaves a heading of the
    page (older pages head it with the site's or the section's name, which trafilatura then
    takes), a longer heading that the page's <title> element holds is the headline. A
    title the body never shows (the site's name alone, as older pages have it), or none,
    gives way to the headline the text cleaner finds in the body.
    """
    found = _metadata_headline(title, page.h1s, names)
    overruled = None
    held = _held_by_title_tag(found, page)
    if held:
        found, overruled = held, found
    if not page.body.strip() or (found and f" {_words(found)} " in f" {_words(page.body)} "):
        return Headline(found, overruled)
    return Headline(clean_text(page.body).title or found, overruled)


def _words(text: str) -> str:
    """``text``'s words, lower-cased: quotes, dashes and spacing make no difference."""
    return " ".join(_WORD.findall(text.casefold()))


def _metadata_headline(
    title: str | None, h1s: tuple[str, ...], names: tuple[str | None, ...]
) -> str | None:
    if not title:
        return None
    whole = comparable(title)
    within = [h1 for h1 in h1s if word_count(h1) >= _MIN_HEADING_WORDS and comparable(h1) in whole]
    if within:
        return max(within, key=len)
    known = tuple(name for name in names if name)
    return strip_site_name(_strip_known_names(title, known), known) or None


def _held_by_title_tag(found: str | None, page: PageText) -> str | None:
    """The longest heading the <title> element holds, when ``found`` is none or a heading
    of the page too, and that heading is longer and not ``found`` with a kicker before it."""
    wanted = comparable(found or "")
    whole = comparable(page.title)
    if not whole or (wanted and wanted not in {comparable(h) for h in page.headings}):
        return None
    held = [
        heading
        for heading in page.headings
        if word_count(heading) >= _MIN_HEADING_WORDS
        and len(heading) > len(found or "")
        and comparable(heading) in whole
        and not (wanted and wanted in comparable(heading))
    ]
    return max(held, key=len, default=None)


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
