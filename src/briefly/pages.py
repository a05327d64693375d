"""What trafilatura cannot be trusted with on hostile pages: deep nesting and menu-only pages."""

from __future__ import annotations

import html as html_lib
import re

# libxml2 stops building the tree at 256 levels of nesting and drops what lies deeper;
# layout tags carry no text of their own, so a page with more of them than that is
# parsed again without them when nothing was found.
_LAYOUT_TAG = re.compile(r"</?(?:div|span|section)\b[^>]*>", re.I)
_MAX_NESTING = 256
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
# A page whose "article" is this much link text is a menu, an index or a tag cloud.
_MAX_LINK_SHARE = 0.8


def flattened(page: str) -> str | None:
    """``page`` without layout tags when it has too many for the parser, else None."""
    if len(_LAYOUT_TAG.findall(page)) <= _MAX_NESTING:
        return None
    return _LAYOUT_TAG.sub("", page)


def is_link_list(paragraphs: tuple[str, ...] | list[str], page: str) -> bool:
    """Whether the extracted ``paragraphs`` are mostly the texts of the page's links."""
    links = {_words(html_lib.unescape(_TAG.sub(" ", text))) for text in _LINK.findall(page)}
    links.discard("")
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
