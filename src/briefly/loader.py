"""Loading articles: read a file, a URL or stdin, decode it, extract the story.

``load_article`` does the I/O; ``parse_article`` turns bytes or text into an
:class:`Article` without any, so batch mode can feed it JSONL records.
"""

from __future__ import annotations

import codecs
import contextlib
import http.client
import logging
import os
import re
import sys
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import charset_normalizer

from briefly.cleaning import (
    CleanedText,
    Removed,
    clean_paragraphs,
    clean_text,
    normalize_text,
    parse_date,
)
from briefly.errors import InputError, UsageError

if TYPE_CHECKING:
    from lxml.etree import _Element

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


# Whether a file or response is a web page; others are sniffed.
_IS_HTML_BY_SUFFIX = {".html": True, ".htm": True, ".txt": False, ".md": False}
_IS_HTML_BY_TYPE = {
    "text/html": True,
    "application/xhtml+xml": True,
    "text/plain": False,
    "text/markdown": False,
}
_MARKDOWN_SUFFIXES = (".md", ".markdown")

# Some news sites turn away clients that do not say they are a browser.
_USER_AGENT = "Mozilla/5.0 (compatible; briefly article loader)"
# Binary files decoded by a lenient detector come out full of control
# characters; real text, even badly scraped, has almost none.
_MAX_CONTROL_RATIO = 0.02
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# Pages declare their encoding near the top; looking further only finds
# "charset" in the article text.
_CHARSET_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Short texts fit several single-byte code pages about as well; windows-1252 is
# by far the most common legacy encoding of news pages, so it wins near-ties.
_CP1252_MARGIN = 0.1
# Browsers read these labels as windows-1252 (WHATWG Encoding).
_WESTERN_LABELS = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HTML_START = re.compile(
    r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAG = re.compile(r"<(p|br|div|body|article)\b[^>]*>", re.I)
# Plain text mentions a tag now and then; a page is full of them.
_MIN_HTML_TAGS = 3
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NOT_AUTHORS = frozenset({"no author", "unknown", "admin", "administrator"})
# Elements of trafilatura's output that stand on lines of their own.
_BLOCK_TAGS = frozenset({"p", "head", "quote", "div", "list", "item", "table", "row", "code"})
_WHITESPACE = re.compile(r"\s+")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " -- ", " :: ")
# Titles end in "| Section" or "| Site"; longer tails are part of the headline.
_MAX_SITE_WORDS = 3


def load_article(
    source: str | os.PathLike[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = 10_000_000,
    timeout: float = 20.0,
    clean: bool = True,
) -> Article:
    """Load one article from a file path, an http(s) URL, or "-" for stdin.

    ``clean=False`` skips furniture removal (see :func:`parse_article`).

    Raises :class:`InputError` (with a ``kind``) when the source cannot be read
    or has no article text, and :class:`UsageError` for other URL schemes.
    """
    source = os.fspath(source)
    if not source:
        raise UsageError("No article given: pass a file path, an http(s) URL, or '-' for stdin.")
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return parse_article(_read_limited(stream, max_bytes, "-"), source="-", clean=clean)
    scheme = _URL_SCHEME.match(source)
    if scheme:
        if scheme[1].lower() not in ("http", "https"):
            raise UsageError(
                f"Unsupported URL scheme {scheme[1]!r} in {source}: use an http(s) URL, "
                "or a local file path."
            )
        return _load_url(source, max_bytes=max_bytes, timeout=timeout, clean=clean)
    return _load_file(Path(source), source, max_bytes=max_bytes, clean=clean)


def parse_article(
    data: bytes | str,
    *,
    source: str = "-",
    is_html: bool | None = None,
    clean: bool = True,
    furniture: frozenset[str] = frozenset(),
) -> Article:
    """Build an :class:`Article` from raw bytes or text; ``is_html=None`` sniffs the markup.

    ``clean=False`` keeps the text as it is (decoded, whitespace tidied; for a page, the
    extractor's text). ``furniture`` holds lines to drop wherever they stand, such as
    :func:`briefly.cleaning.recurring_lines` of the article's batch.
    """
    if isinstance(data, bytes):
        text = _decode_bytes(data, source)
    else:
        text = unicodedata.normalize("NFC", data)
        _check_not_binary(text, source)
    if not text.strip():
        raise InputError(f"{_label(source)} is empty: give an article with some text.", "empty")
    if is_html is None:
        is_html = _looks_like_html(text)
    if is_html:
        cleaned = _extract_html(text, source, clean=clean, furniture=furniture)
    elif not clean:
        cleaned = CleanedText(None, None, None, tuple(normalize_text(text).split("\n\n")))
    else:
        markdown = True if source.lower().endswith(_MARKDOWN_SUFFIXES) else None
        cleaned = clean_text(text, markdown=markdown, furniture=furniture)
    if not cleaned.paragraphs:
        raise InputError(
            f"No article text found in {_label(source)} after removing page furniture: "
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


def decode_bytes(data: bytes) -> str:
    """Decode article bytes to NFC text: BOMs, UTF-8, a page's <meta charset>, then detection.

    Raises :class:`InputError` (kind "binary") for data that is not text.
    """
    return _decode_bytes(data, "")


def _decode_bytes(data: bytes, source: str) -> str:
    text = _decode(data, source)
    _check_not_binary(text, source)
    return unicodedata.normalize("NFC", text)


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise _binary_error(source) from e
    # Of the encodings we read, only UTF-16 and UTF-32 have NUL bytes in text,
    # and we take those with a BOM only.
    if b"\x00" in data:
        raise _binary_error(source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        logger.debug("Input is not UTF-8; looking for its encoding")
    declared = _META_CHARSET.search(data[:_CHARSET_SNIFF_BYTES])
    if declared:
        text = _decode_as(data, declared[1].decode("ascii"))
        if text is not None:
            return text
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise _binary_error(source)
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos + _CP1252_MARGIN:
        best = western
    logger.debug("Detected encoding %s", best.encoding)
    return str(best)


def _decode_as(data: bytes, label: str) -> str | None:
    """Decode with a declared charset, or None when it is unknown or wrong."""
    try:
        encoding = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        logger.debug("Ignoring unknown charset %r", label)
        return None
    if encoding in _WESTERN_LABELS:
        # Servers send these labels by default, for UTF-8 pages too; bytes that
        # decode as UTF-8 are UTF-8.
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-8")
        encoding = "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        logger.debug("Data does not decode as its declared charset %r", label)
        return None


def _check_not_binary(text: str, source: str) -> None:
    controls = len(_CONTROL_CHARS.findall(text))
    if "\x00" in text or controls > _MAX_CONTROL_RATIO * len(text):
        raise _binary_error(source)


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{_label(source)} looks like a binary file, not text: give a .txt, .md or .html article.",
        "binary",
    )


def _label(source: str) -> str:
    """How messages name a source: "" is data given without one."""
    return {"-": "stdin", "": "The input"}.get(source, source)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text)) or len(_HTML_TAG.findall(text)) >= _MIN_HTML_TAGS


def _load_file(path: Path, source: str, *, max_bytes: int, clean: bool = True) -> Article:
    try:
        if path.is_dir():
            raise InputError(
                f"{source} is a directory: to brief every article in it, "
                f"run `briefly batch {source} --out OUT`.",
                "is_directory",
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(source, max_bytes)
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(
            f"No such file: {source}. Check the path, or pass '-' to read from stdin.", "not_found"
        ) from e
    except OSError as e:
        raise InputError(
            f"Cannot read {source}: {e.strerror or e}. Check its permissions.", "unreadable"
        ) from e
    is_html = _IS_HTML_BY_SUFFIX.get(path.suffix.lower())
    return parse_article(data, source=source, is_html=is_html, clean=clean)


def _load_url(url: str, *, max_bytes: int, timeout: float, clean: bool = True) -> Article:
    data, content_type, charset = _fetch(url, max_bytes=max_bytes, timeout=timeout)
    text = _decode_as(data, charset) if charset else None
    is_html = _IS_HTML_BY_TYPE.get(content_type)
    if text is None:
        return parse_article(data, source=url, is_html=is_html, clean=clean)
    return parse_article(text.removeprefix("\ufeff"), source=url, is_html=is_html, clean=clean)


def _fetch(url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str, str | None]:
    """GET ``url``; return the body, its content type and its declared charset."""
    request = urllib.request.Request(
        url, headers={"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
    )
    hint = "Save the page to a file and pass the file instead."
    logger.info("Fetching %s", url)
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, max_bytes)
            data = _read_limited(response, max_bytes, url)
            return data, response.headers.get_content_type(), response.headers.get_content_charset()
    except urllib.error.HTTPError as e:
        raise InputError(f"Could not fetch {url}: HTTP {e.code} {e.reason}. {hint}", "fetch") from e
    except urllib.error.URLError as e:
        raise InputError(f"Could not fetch {url}: {e.reason}. {hint}", "fetch") from e
    except TimeoutError as e:
        raise InputError(
            f"Could not fetch {url}: no answer within {timeout:g} s. {hint}", "fetch"
        ) from e
    except (http.client.HTTPException, OSError, ValueError) as e:
        raise InputError(f"Could not fetch {url}: {e}. {hint}", "fetch") from e


def _opener() -> urllib.request.OpenerDirector:
    """An opener for http(s) only, so that a redirect cannot lead to file:// or ftp://."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _read_limited(
    stream: BinaryIO | http.client.HTTPResponse, max_bytes: int, source: str
) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(source, max_bytes)
    return data


def _too_large(source: str, max_bytes: int) -> InputError:
    return InputError(
        f"{_label(source)} is larger than {max_bytes:,} bytes: pass a single article, "
        "or raise the size limit.",
        "too_large",
    )


def _extract_html(
    html: str, source: str, *, clean: bool = True, furniture: frozenset[str] = frozenset()
) -> CleanedText:
    """Extract the story and its metadata from a web page with trafilatura.

    trafilatura leaves some furniture behind (link lists, calls to action, credits); the
    text cleaner's furniture rules take it out unless ``clean`` is False.
    """
    import trafilatura  # Slow to import; only pages need it.

    url = source if _URL_SCHEME.match(source) else None
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False
    )
    if document is None or document.body is None:
        return CleanedText(title=None, author=None, published=None, paragraphs=())
    title = _strip_site_name(document.title, document.sitename, document.hostname, document.author)
    blocks = _html_blocks(document.body)
    if not clean:
        return CleanedText(title, document.author, parse_date(document.date or ""), tuple(blocks))
    cleaned = clean_paragraphs(blocks, title=title, furniture=furniture)
    author = document.author
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
    parts.append(_WHITESPACE.sub(" ", element.text or ""))
    for child in element:
        _render(child, parts)
        parts.append(_WHITESPACE.sub(" ", child.tail or ""))
    if is_block:
        parts.append("\n")


def _strip_site_name(title: str | None, *names: str | None) -> str | None:
    """Drop the " | Site Name" (or "Site - ") that pages add to their <title>."""
    if not title:
        return None
    known = {name.lower().removeprefix("www.") for name in names if name}
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
