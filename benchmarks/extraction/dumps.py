"""The plain text users make from a page: lynx, w3m, BeautifulSoup, html2text, and a lynx dump
of the page's ``<article>``/``<main>`` alone, each with the options people use."""

from __future__ import annotations

import logging
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger("benchmarks")

# "html" is the page itself; the others are text made from it.
KINDS = ("html", "lynx", "w3m", "bs4", "html2text", "lynx-article")
DUMP_KINDS = KINDS[1:]
# The Python dumps: no program outside the virtual environment needed.
PYTHON_KINDS = ("bs4", "html2text")
LYNX_CHARSET = ("-display_charset=utf-8", "-assume_charset=utf-8")
DUMP_TIMEOUT_S = 60


def visible_text(html: str) -> str:
    """BeautifulSoup's ``get_text("\\n")``: what a user's two-line scraper saves."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        # XHTML pages: their visible text is what a user's get_text() gives all the same.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml").get_text("\n")


def make_dumps(html: str, kinds: tuple[str, ...] = DUMP_KINDS) -> Iterator[tuple[str, str]]:
    """(kind, text) for each dump of ``html`` that its tool could make.

    A tool that is missing, fails or runs past ``DUMP_TIMEOUT_S`` gives no dump of that kind
    (logged), so one bad page never stops a build.
    """
    with tempfile.TemporaryDirectory(prefix="briefly-dumps-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        for kind in kinds:
            text = _dump(kind, html, page)
            if text is not None:
                yield kind, text


def _dump(kind: str, html: str, page: Path) -> str | None:
    if kind == "bs4":
        return visible_text(html)
    if kind == "html2text":
        import html2text

        return html2text.html2text(html)
    if kind == "lynx":
        return _run(["lynx", "-dump", "-nolist", *LYNX_CHARSET, str(page)])
    if kind == "w3m":
        return _run(["w3m", "-dump", "-T", "text/html", "-O", "UTF-8", str(page)])
    if kind == "lynx-article":
        main = main_element(html)
        if main is None:
            return None
        part = page.with_name("main.html")
        part.write_text(main, encoding="utf-8")
        return _run(["lynx", "-dump", "-nolist", *LYNX_CHARSET, str(part)])
    raise ValueError(f"unknown dump kind {kind!r}: one of {', '.join(DUMP_KINDS)}")


def _run(command: list[str]) -> str | None:
    try:
        # Not check=True: lynx exits non-zero on some pages it still dumps whole.
        result = subprocess.run(command, capture_output=True, timeout=DUMP_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        logger.warning("%s made no dump: %s", command[0], e)
        return None
    return result.stdout.decode("utf-8", errors="replace")


def tree(html: str):
    """The page's element tree; bytes, since lxml refuses text with an encoding declaration."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")
    return lxml.html.fromstring(html.encode("utf-8"), parser=parser)


def main_element(html: str) -> str | None:
    """The page's largest ``<article>`` (else ``<main>``, else role=main) as a page of its own."""
    import lxml.html

    root = tree(html)
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = root.xpath(xpath)
        if found:
            best = max(found, key=lambda e: len(e.text_content()))
            body = lxml.html.tostring(best, encoding="unicode")
            return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return None
