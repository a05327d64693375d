"""What trafilatura cannot be trusted with on hostile pages: deep nesting and menu-only pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.html import HtmlElement

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
