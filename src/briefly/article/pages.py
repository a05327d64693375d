"""What trafilatura cannot be trusted with on hostile pages: deep nesting, menu-only pages,
and pages that cost far more to parse than any article.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from briefly.article.reading import label
from briefly.errors import InputError

if TYPE_CHECKING:
    from lxml.html import HtmlElement, HTMLParser

# Extraction time grows faster than the page (40,000 elements: 17 s, 100,000: minutes);
# news pages have a few thousand.
MAX_ELEMENTS = 50_000
# libxml2 checks each attribute against the element's others, so time grows with the square.
MAX_ATTRIBUTES = 1_000
_ELEMENT = re.compile(r"<[A-Za-z]")
# A tag with more than MAX_ATTRIBUTES attributes is at least twice as many characters long;
# [^<>] keeps each scan within one tag, so the search stays linear.
_LONG_TAG = re.compile(rf"<[A-Za-z][^<>]{{{2 * MAX_ATTRIBUTES},}}")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
# libxml2 builds trees 256 levels deep, or 2,048 with huge_tree, and drops what lies deeper.
_DEFAULT_DEPTH = 256
DEEPEST = 2048

# libxml2 stops building the tree at 256 levels of nesting and drops what lies deeper;
# layout tags carry no text of their own, so a page with more of them than that is
# parsed again without them when nothing was found.
_LAYOUT_TAG = re.compile(r"</?(?:div|span|section)\b[^>]*>", re.I)
_MAX_NESTING = 256
# A page whose "article" is this much link text is a menu, an index or a tag cloud.
_MAX_LINK_SHARE = 0.8


def flattened(page: str) -> str | None:
    """``page`` without layout tags when it has too many for the parser, else None."""
    if len(_LAYOUT_TAG.findall(page)) <= _MAX_NESTING:
        return None
    return _LAYOUT_TAG.sub("", page)


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """The texts of the page's links, whitespace collapsed."""
    texts = frozenset(_words(" ".join(link.itertext())) for link in tree.iter("a"))
    return texts - {""}


def is_link_list(paragraphs: tuple[str, ...] | list[str], links: frozenset[str]) -> bool:
    """Whether the extracted ``paragraphs`` are mostly ``links`` (:func:`link_texts`)."""
    lines = [_words(line) for paragraph in paragraphs for line in paragraph.split("\n")]
    total = sum(len(line.split()) for line in lines)
    linked = sum(len(line.split()) for line in lines if line in links)
    if not linked:
        # Extraction may have joined the link texts into one run of words.
        text = f" {' '.join(lines)} "
        linked = sum(len(link.split()) for link in links if f" {link} " in text)
    return total > 0 and linked >= _MAX_LINK_SHARE * total


def _words(text: str) -> str:
    return " ".join(text.split())


def check_cost(html: str, source: str) -> None:
    """Refuse a page with more elements, or an element with more attributes, than any article.

    Counted with linear scans before any parsing, so that such a page costs little.
    """
    instead = "far more than a news page has: save the article's text to a .txt file instead"
    elements = sum(1 for _ in _ELEMENT.finditer(html))
    if elements > MAX_ELEMENTS:
        raise InputError(
            f"{label(source)} has {elements:,} elements, more than the {MAX_ELEMENTS:,} briefly "
            f"reads, {instead}",
            "too_complex",
        )
    for tag in _LONG_TAG.finditer(html):
        attributes = len(_QUOTED.sub("", tag[0]).split()) - 1
        if attributes > MAX_ATTRIBUTES:
            raise InputError(
                f"{label(source)} has an element with {attributes:,} attributes, more than the "
                f"{MAX_ATTRIBUTES:,} briefly reads, {instead}",
                "too_complex",
            )


def reparsed_if_cut(tree: HtmlElement, page: str) -> tuple[HtmlElement, bool]:
    """``tree``, or ``page`` parsed again when the parser cut it at 256 levels of nesting;
    and whether even that parse dropped elements, below :data:`DEEPEST` levels."""
    from lxml import etree
    from lxml.html import fromstring

    depth = deepest = 0
    for event, _element in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest < _DEFAULT_DEPTH:
        return tree, False
    parser = deep_parser()
    try:
        deeper = fromstring(page, parser=parser)
    except (ValueError, etree.ParserError):  # an encoding declaration, or no elements at all
        return tree, True
    return deeper, cut_short(parser)


def deep_parser() -> HTMLParser:
    """trafilatura's parser settings, keeping 2,048 levels of nesting instead of 256.

    A new one per parse: a parser keeps the errors of its last run, and is not shared
    between threads.
    """
    from lxml.html import HTMLParser

    return HTMLParser(
        collect_ids=False,
        default_doctype=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )


def cut_short(parser: HTMLParser) -> bool:
    """Whether ``parser``'s last run dropped elements nested deeper than :data:`DEEPEST`."""
    return any("depth" in error.message for error in parser.error_log)
