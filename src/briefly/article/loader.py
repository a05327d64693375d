"""Loading articles: read a file, a URL or stdin, decode it, extract the story.

``load_article`` does the I/O; ``parse_article`` turns bytes or text into an
:class:`Article` without any, so batch mode can feed it JSONL records.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, overload

from briefly.article.cleaning import (
    CleanedText,
    Removed,
    clean_paragraphs,
    clean_text,
    normalize_text,
    parse_date,
)
from briefly.article.decode import check_not_binary as _check_not_binary
from briefly.article.decode import decode_bytes
from briefly.article.documents import document_kind, read_document
from briefly.article.fetch import Response, fetch, redact, suggest_url
from briefly.article.page_title import PageText, page_headline, page_text
from briefly.article.pages import (
    DEEPEST,
    check_cost,
    flattened,
    is_link_list,
    link_texts,
    reparsed_if_cut,
)
from briefly.article.reading import MAX_BYTES, read_file, read_stdin
from briefly.article.reading import label as _label
from briefly.errors import InputError, UsageError
from briefly.unicode import has_surrogates, replace_surrogates

if TYPE_CHECKING:
    from lxml.etree import _Element
    from trafilatura.settings import Document

logger = logging.getLogger("briefly")


@dataclass(frozen=True)
class Article:
    """One news article, ready to brief."""

    # The path, URL or "-" (stdin) the article came from.
    source: str
    # The headline, where one was found.
    title: str | None
    # The author or authors, where named.
    author: str | None
    # ISO date (YYYY-MM-DD) of publication, where known.
    published: str | None
    # The cleaned story text, paragraphs separated by a blank line.
    body: str
    # Each line cleaning dropped, with the reason, for ``briefly extract --show-removed``.
    removed: tuple[Removed, ...] = field(default=())

    def __post_init__(self) -> None:
        # However it was built, an article's text can be tokenized, hashed and written.
        for name in ("source", "title", "author", "published", "body"):
            value = getattr(self, name)
            if isinstance(value, str) and has_surrogates(value):
                object.__setattr__(self, name, replace_surrogates(value))


# What a name or a content type says; a page saved as .txt or served as text/plain is still
# a page (see looks_like_page). Markdown may hold a few tags of its own.
_IS_HTML_BY_SUFFIX = {".html": True, ".htm": True, ".md": False, ".markdown": False}
_IS_HTML_BY_TYPE = {
    "text/html": True,
    "application/xhtml+xml": True,
    "text/plain": False,
    "text/markdown": False,
}
_MARKDOWN_SUFFIXES = (".md", ".markdown")

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HTML_START = re.compile(
    r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAG = re.compile(r"<(p|br|div|body|article)\b[^>]*>", re.I)
# Plain text mentions a tag now and then; a page is full of them.
_MIN_HTML_TAGS = 3
_NOT_AUTHORS = frozenset({"no author", "unknown", "admin", "administrator"})
# Elements of trafilatura's output that stand on lines of their own.
_BLOCK_TAGS = frozenset({"p", "head", "quote", "div", "list", "item", "table", "row", "code"})
_WHITESPACE = re.compile(r"\s+")
# trafilatura tidies source whitespace itself; a newline it leaves inside an element is
# where its fallback extraction joined two elements (a headline and the paragraph after it).
_LINE_BREAK = re.compile(r"[^\S\n]*\n\s*")


def load_article(
    source: str | os.PathLike[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = 20.0,
    clean: bool = True,
    furniture: frozenset[str] = frozenset(),
) -> Article:
    """Load one article from a file path, an http(s) URL, or "-" for stdin.

    ``clean=False`` skips furniture removal and ``furniture`` adds lines to drop (see
    :func:`parse_article`).

    Raises :class:`InputError` (with a ``kind``) when the source cannot be read
    or has no article text, and :class:`UsageError` for other URL schemes.
    """
    if not isinstance(source, str | os.PathLike):
        raise UsageError(f"source must be a str or a path, not {source!r:.40}")
    source = os.fspath(source)
    if not source:
        raise UsageError("No article given: pass a file path, an http(s) URL, or '-' for stdin.")
    if source == "-":
        return parse_article(
            read_stdin(max_bytes, stdin), source="-", clean=clean, furniture=furniture
        )
    scheme = _URL_SCHEME.match(source)
    if scheme:
        if scheme[1].lower() not in ("http", "https"):
            raise UsageError(
                f"Unsupported URL scheme {scheme[1]!r} in {redact(source)}: use an http(s) URL, "
                "or a local file path."
            )
        return load_url(
            source, max_bytes=max_bytes, timeout=timeout, clean=clean, furniture=furniture
        )
    path = Path(source)
    url = suggest_url(source)
    if url is not None and not path.exists():
        raise InputError(f"No such file: {source}. Did you mean {url}?", "not_found")
    data = read_file(path, max_bytes)
    is_html = html_by_name(path)
    return parse_article(data, source=source, is_html=is_html, clean=clean, furniture=furniture)


def html_by_name(path: Path) -> bool | None:
    """What a file's name says it holds: a page (True), text (False) or nothing (None)."""
    suffix = Path(path.stem).suffix if path.suffix.lower() == ".gz" else path.suffix
    return _IS_HTML_BY_SUFFIX.get(suffix.lower())


def load_url(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = 20.0,
    clean: bool = True,
    furniture: frozenset[str] = frozenset(),
    public_only: bool = False,
    stop: threading.Event | None = None,
) -> Article:
    """Fetch and parse the article at an http(s) ``url``; anything else is an InputError.

    ``public_only`` and ``stop`` are :func:`briefly.article.fetch.fetch`'s: for URLs that
    come from data rather than the user, and for fetches a shutdown must cut short.
    """
    response = fetch(url, max_bytes=max_bytes, timeout=timeout, public_only=public_only, stop=stop)
    return parse_response(url, response, clean=clean, furniture=furniture)


def parse_response(
    url: str, response: Response, *, clean: bool = True, furniture: frozenset[str] = frozenset()
) -> Article:
    """The article in a page fetched from ``url``, read as its headers say."""
    if document_kind(response.data) is not None:
        return parse_article(response.data, source=url, clean=clean, furniture=furniture)
    text = decode_bytes(response.data, redact(url), response.charset, nfc=False)
    is_html = _IS_HTML_BY_TYPE.get(response.content_type)
    return parse_article(text, source=url, is_html=is_html, clean=clean, furniture=furniture)


def parse_article(
    data: bytes | str,
    *,
    source: str = "-",
    is_html: bool | None = None,
    clean: bool = True,
    furniture: frozenset[str] = frozenset(),
) -> Article:
    """Build an :class:`Article` from raw bytes or text; ``is_html=None`` sniffs the markup.

    ``is_html=False`` (a text field, a text file's name) still reads a whole HTML document
    as a page: see :func:`looks_like_page`.

    ``clean=False`` keeps the text as it is (decoded, whitespace tidied; for a page, the
    extractor's text). ``furniture`` holds lines to drop wherever they stand, such as
    :func:`briefly.article.cleaning.recurring_lines` of the article's batch.
    """
    if not isinstance(data, bytes | str):
        raise UsageError(f"data must be bytes or a str, not {data!r:.40}")
    if not isinstance(source, str):
        raise UsageError(f"source must be a str, not {source!r:.40}")
    if isinstance(data, bytes) and (document := document_kind(data)) is not None:
        cleaned = read_document(data, document, source, clean=clean, furniture=furniture)
        return _article(cleaned, source)
    if isinstance(data, bytes):
        text = decode_bytes(data, source, nfc=False)
    else:
        text = replace_surrogates(data)
        _check_not_binary(text, source)
    if not text.strip():
        raise InputError(f"{_label(source)} is empty: give an article with some text.", "empty")
    if looks_like_page(text, is_html):
        check_cost(text, source)
        # Only the story is normalised, not the whole page: most of a page is markup.
        cleaned = _extract_html(text, source, clean=clean, furniture=furniture)
    else:
        text = unicodedata.normalize("NFC", text)
        if not clean:
            cleaned = CleanedText(None, None, None, tuple(normalize_text(text).split("\n\n")))
        else:
            markdown = True if source.lower().endswith(_MARKDOWN_SUFFIXES) else None
            cleaned = clean_text(text, markdown=markdown, furniture=furniture)
    return _article(cleaned, source)


def _article(cleaned: CleanedText, source: str) -> Article:
    if not cleaned.paragraphs:
        raise InputError(
            f"{_label(source)} has no article text left after removing page furniture: "
            "check that it holds the story itself, or save its text to a .txt file.",
            "no_content",
        )
    return Article(
        source=source,
        title=cleaned.title,
        author=cleaned.author,
        published=cleaned.published,
        body="\n\n".join(cleaned.paragraphs),
        removed=cleaned.removed,
    )


def looks_like_page(text: str, declared: bool | None = None) -> bool:
    """Whether ``text`` is read as a web page, given what its name or type ``declared``.

    A whole HTML document is a page whatever it was called; text that only holds a few
    tags is one when nothing said it was text.
    """
    if declared or _HTML_START.match(text):
        return True
    return declared is None and len(_HTML_TAG.findall(text)) >= _MIN_HTML_TAGS


def _extract_html(
    html: str, source: str, *, clean: bool = True, furniture: frozenset[str] = frozenset()
) -> CleanedText:
    """Extract the story and its metadata from a web page with trafilatura.

    trafilatura leaves some furniture behind (link lists, calls to action, credits); the
    text cleaner's furniture rules take it out unless ``clean`` is False.
    """
    url = source if _URL_SCHEME.match(source) else None
    # No extensive date search: it turns a footer's "© 2024" into 2024-01-01.
    options: dict[str, Any] = {"url": url, "with_metadata": True, "include_comments": False}
    options["date_extraction_params"] = {"extensive_search": False}
    flat = flattened(html)
    document, links, page = _extract(html, source, options, last_try=flat is None)
    if flat is not None and (document is None or document.body is None):
        document, links, page = _extract(flat, source, options, last_try=True)
    if document is None or document.body is None:
        return CleanedText(title=None, author=None, published=None, paragraphs=())
    headline = page_headline(
        _normal(document.title),
        page,
        document.sitename,
        document.hostname,
        document.author,
    )
    title = headline.text
    author = _normal(document.author)
    blocks = [_normal(block) for block in _html_blocks(document.body)]
    if not clean:
        return CleanedText(title, author, parse_date(document.date or ""), tuple(blocks))
    cleaned = clean_paragraphs(
        blocks,
        title=title,
        author=author,
        furniture=furniture,
        site_heading=headline.overruled,
    )
    if is_link_list(cleaned.paragraphs, links):
        return CleanedText(title=None, author=None, published=None, paragraphs=())
    # Pages name the site or a placeholder where no person is credited.
    if author and author.lower() in {*_NOT_AUTHORS, (document.sitename or "").lower()}:
        author = None
    return CleanedText(
        title=title,
        author=author.replace("; ", ", ") if author else cleaned.author,
        published=parse_date(document.date or "") or cleaned.published,
        paragraphs=cleaned.paragraphs,
        removed=cleaned.removed,
    )


def _extract(
    html: str, source: str, options: dict, *, last_try: bool
) -> tuple[Document | None, frozenset[str], PageText]:
    """trafilatura's document for ``html``, the texts of the page's links, and its <h1>s and
    its body's text.

    A page nested too deeply to parse whole is left for its flattened form, or on the
    ``last_try`` read as far as it goes, with a warning.
    """
    import trafilatura  # Slow to import; only pages need it.

    tree = trafilatura.load_html(html)
    if tree is None:
        return None, frozenset(), PageText((), "")
    tree, cut = reparsed_if_cut(tree, html)
    if cut and not last_try:
        return None, frozenset(), PageText((), "")
    if cut:
        logger.warning(
            "%s nests tags more than %d deep: the text below that depth is left out",
            _label(source),
            DEEPEST,
        )
    # Read before extraction, which prunes the tree it is given.
    links, page = link_texts(tree), page_text(tree)
    document = trafilatura.bare_extraction(tree, **options)
    # A dict only with as_dict=True, which briefly never asks for.
    return (None if isinstance(document, dict) else document), links, page


@overload
def _normal(text: str) -> str: ...
@overload
def _normal(text: str | None) -> str | None: ...
def _normal(text: str | None) -> str | None:
    """The extractor's text normalised as plain text is (controls and bidi overrides out)."""
    return normalize_text(text) if text else text


def _html_blocks(body: _Element) -> list[str]:
    """One text block per extracted element; <br> and nested blocks start new lines."""
    blocks = []
    for element in body:
        parts: list[str] = []
        _render(element, parts)
        lines = (line.strip() for line in "".join(parts).split("\n"))
        blocks.append("\n".join(line for line in lines if line))
    return [block for block in blocks if block]


def _render(element: _Element, parts: list[str]) -> None:
    """Append an element's text to ``parts``: source whitespace collapsed, structure kept."""
    is_block = element.tag in _BLOCK_TAGS
    if is_block or element.tag == "lb":
        parts.append("\n")
    if element.tag == "item":
        parts.append("- ")
    elif element.tag == "cell" and element.getprevious() is not None:
        parts.append(" | ")
    parts.append(_tidy(element.text or ""))
    for child in element:
        _render(child, parts)
        parts.append(_tidy(child.tail or ""))
    if is_block:
        parts.append("\n")


def _tidy(text: str) -> str:
    """``text`` with runs of spaces made one, keeping the line breaks the extractor put in."""
    return "\n".join(_WHITESPACE.sub(" ", line) for line in _LINE_BREAK.split(text))
