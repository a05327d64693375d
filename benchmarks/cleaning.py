"""How clean ``briefly extract`` makes real news pages, as HTML and as the text dumps users have.

The pages are trafilatura's evaluation set (``trafilatura/*.html`` with ``expected.json``:
``with`` strings must stay, ``without`` strings must go) and newspaper4k's test pages
(``newspaper4k/html``, with the expected body in ``txt/`` and title and authors in
``metadata/``). Each page is scored as HTML and as plain text made here, in a temporary
folder, the way users make it: ``lynx -dump -nolist``, ``w3m -dump``, BeautifulSoup's
``get_text("\\n")``, ``html2text``, and a lynx dump of just the ``<article>``/``<main>``.

A string counts only on the inputs that hold it (a dump that already lost a menu says
nothing about the cleaner), compared with whitespace collapsed and quotes made plain; so
do titles and authors. The expected title is the page's <title>, or its <h1> on inputs
that show only the <h1>.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefly.article.loader import decode_bytes, parse_article
from briefly.errors import InputError, UsageError

KINDS = ("html", "lynx", "w3m", "bs4", "html2text", "lynx-article")
# Furniture that trafilatura leaves in newspaper4k's pages (issue 12).
NEWSPAPER_WITHOUT = (
    "More Must-Reads From TIME",
    "Please share your videos",
    "Loading weather data",
    "The-CNN-Wire",
    "See more photos:",
)
# Sentences this long are story; shorter lines of the expected text are often captions.
_MIN_SENTENCE_CHARS = 60
_SENTENCES_PER_PAGE = 12
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "–": "-"})
_DUMP_TIMEOUT_S = 60


@dataclass(frozen=True)
class Page:
    """One HTML page and what a good extraction of it holds."""

    name: str
    path: Path
    # Strings that must stay in the body, and strings that must go.
    keep: tuple[str, ...]
    drop: tuple[str, ...]
    # Expected headline and first author (newspaper4k pages only).
    title: str | None = None
    # The page's visible headline (its first <h1>), which may differ from ``title``.
    headline: str | None = None
    author: str | None = None
    has_metadata: bool = False


@dataclass
class Score:
    """Counts for one input kind, summed over pages."""

    kept: int = 0
    keep_total: int = 0
    gone: int = 0
    drop_total: int = 0
    titles: int = 0
    authors: int = 0
    title_pages: int = 0
    author_pages: int = 0
    emptied: int = 0
    pages: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def row(self, kind: str) -> str:
        def pct(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f}" if whole else "    -"

        return (
            f"| {kind:<12} | {self.pages:>5} | {pct(self.kept, self.keep_total)} "
            f"({self.keep_total:>3}) | {pct(self.gone, self.drop_total)} ({self.drop_total:>3}) | "
            f"{pct(self.titles, self.title_pages)} | {pct(self.authors, self.author_pages)} | "
            f"{self.emptied:>7} | {1000 * self.seconds / max(self.pages, 1):6.1f} |"
        )


HEADER = (
    "| input        | pages | story kept % (n) | boilerplate gone % (n) | title % | author % "
    "| emptied | CPU ms/page |\n|---|---|---|---|---|---|---|---|"
)


def load_pages(data: Path) -> list[Page]:
    """The scored pages under ``data`` (the folder holding trafilatura/ and newspaper4k/)."""
    pages = []
    expected_file = data / "trafilatura" / "expected.json"
    if expected_file.exists():
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        for name, entry in sorted(expected.items()):
            path = data / "trafilatura" / name
            if path.exists():
                pages.append(Page(name, path, tuple(entry["with"]), tuple(entry["without"])))
    news = data / "newspaper4k"
    for path in sorted((news / "html").glob("*.html")):
        text_file = news / "txt" / f"{path.stem}.txt"
        meta_file = news / "metadata" / f"{path.stem}.json"
        if not text_file.exists() or not meta_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        authors = meta.get("authors") or []
        pages.append(
            Page(
                path.name,
                path,
                _story_sentences(text_file.read_text(encoding="utf-8")),
                NEWSPAPER_WITHOUT,
                title=meta.get("title"),
                headline=_first_heading(path),
                author=authors[0] if authors else None,
                has_metadata=True,
            )
        )
    if not pages:
        raise UsageError(f"No pages under {data}: pass --data with trafilatura/ or newspaper4k/")
    return pages


def _tree(html: str):
    """The page's element tree; bytes, since lxml refuses text with an encoding declaration."""
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")
    return lxml.html.fromstring(html.encode("utf-8"), parser=parser)


def _first_heading(path: Path) -> str | None:
    tree = _tree(decode_bytes(path.read_bytes()))
    texts = (comparable(h1.text_content()) for h1 in tree.iter("h1"))
    return next((text for text in texts if text), None)


def expected_title(page: Page, source: str) -> str | None:
    """The title a cleaner can find in ``source`` (comparable text of the input).

    newspaper4k's expected title is the page's <title>; text dumps leave that out and show
    the <h1>, which on some pages is worded differently, so there the <h1> is expected.
    """
    if page.title is None or _holds(source, page.title) or page.headline is None:
        return page.title
    return page.headline if _holds(source, page.headline) else page.title


def _holds(source: str, text: str) -> bool:
    return comparable(text).casefold() in source.casefold()


def _story_sentences(text: str) -> tuple[str, ...]:
    sentences = [
        s.strip()
        for paragraph in text.split("\n")
        for s in _SENTENCE_END.split(paragraph)
        if len(s.strip()) >= _MIN_SENTENCE_CHARS
    ]
    step = max(1, len(sentences) // _SENTENCES_PER_PAGE)
    return tuple(sentences[::step][:_SENTENCES_PER_PAGE])


def make_inputs(page: Page, folder: Path) -> Iterator[tuple[str, str, str]]:
    """(kind, input, its visible text) for each input kind that can be made from ``page``."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    html = decode_bytes(page.path.read_bytes())
    with warnings.catch_warnings():
        # XHTML pages: their visible text is what a user's get_text() gives all the same.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        visible = BeautifulSoup(html, "lxml").get_text("\n")
    yield "html", html, visible
    for kind, text in _dumps(page, html, visible, folder):
        yield kind, text, text


def _dumps(page: Page, html: str, visible: str, folder: Path) -> Iterator[tuple[str, str]]:
    yield "lynx", _run(["lynx", "-dump", "-nolist", *_LYNX_CHARSET, str(page.path)])
    yield "w3m", _run(["w3m", "-dump", "-T", "text/html", "-O", "UTF-8", str(page.path)])
    yield "bs4", visible
    import html2text

    yield "html2text", html2text.html2text(html)
    main = _main_element(html)
    if main is not None:
        part = folder / f"{page.path.stem}.main.html"
        part.write_text(main, encoding="utf-8")
        yield "lynx-article", _run(["lynx", "-dump", "-nolist", *_LYNX_CHARSET, str(part)])


_LYNX_CHARSET = ("-display_charset=utf-8", "-assume_charset=utf-8")


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, timeout=_DUMP_TIMEOUT_S, check=False)
    return result.stdout.decode("utf-8", errors="replace")


def _main_element(html: str) -> str | None:
    import lxml.html

    tree = _tree(html)
    for xpath in ("//article", "//main", "//*[@role='main']"):
        found = tree.xpath(xpath)
        if found:
            best = max(found, key=lambda e: len(e.text_content()))
            body = lxml.html.tostring(best, encoding="unicode")
            return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return None


def comparable(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split())


def score(
    pages: list[Page],
    extract: Callable[[str, str], tuple[str | None, str | None, str]],
    *,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, Score]:
    """Score ``extract(text, kind) -> (title, author, body)`` on every input of every page."""
    scores = {kind: Score() for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="briefly-cleaning-") as tmp:
        for page in pages:
            for kind, text, visible in make_inputs(page, Path(tmp)):
                if kind in scores:
                    _score_one(page, kind, text, visible, extract, scores[kind])
    return scores


def _score_one(
    page: Page,
    kind: str,
    text: str,
    visible: str,
    extract: Callable[[str, str], tuple[str | None, str | None, str]],
    into: Score,
) -> None:
    source = comparable(visible)
    keep = [s for s in page.keep if comparable(s) in source]
    drop = [s for s in page.drop if comparable(s) in source]
    # CPU time: the machine may be shared, and the target is per core.
    start = time.process_time()
    try:
        title, author, body = extract(text, kind)
    except InputError:
        title, author, body = None, None, ""
    into.seconds += time.process_time() - start
    into.pages += 1
    out = comparable(body)
    into.emptied += not out
    # The headline is kept as the title, not lost: story strings count there too.
    story = comparable(f"{title or ''}\n{body}")
    for s in keep:
        found = comparable(s) in story
        into.kept += found
        if not found:
            into.misses.append(f"{page.name} KEEP {s[:70]}")
    for s in drop:
        gone = comparable(s) not in out
        into.gone += gone
        if not gone:
            into.misses.append(f"{page.name} DROP {s[:70]}")
    into.keep_total += len(keep)
    into.drop_total += len(drop)
    if not page.has_metadata:
        return
    # Like the strings, a title or author counts only on the inputs that hold it (an
    # <article> dump may start below the headline and byline); no author is expected as none.
    wanted_title = expected_title(page, source)
    if wanted_title and _holds(source, wanted_title):
        into.title_pages += 1
        title_ok = comparable(title or "").casefold() == comparable(wanted_title).casefold()
        into.titles += title_ok
        if not title_ok:
            into.misses.append(f"{page.name} TITLE {title!r}")
    if page.author is None or _holds(source, page.author):
        into.author_pages += 1
        wanted = comparable(page.author or "").casefold()
        got = comparable(author or "").casefold()
        author_ok = wanted in got if wanted and got else wanted == got
        into.authors += author_ok
        if not author_ok:
            into.misses.append(f"{page.name} AUTHOR {author!r} (want {page.author!r})")


def briefly_extract(text: str, kind: str) -> tuple[str | None, str | None, str]:
    """What ``briefly extract`` gives for a saved page (.html) or dump (.txt)."""
    suffix = ".html" if kind == "html" else ".txt"
    article = parse_article(text, source=f"page{suffix}", is_html=kind == "html")
    return article.title, article.author, article.body


def raw_text(text: str, kind: str) -> tuple[str | None, str | None, str]:
    """No cleaning at all: the floor the cleaner is measured against."""
    return None, None, text


def main(data: Path, *, raw: bool = False, show_misses: bool = False) -> str:
    """Run the benchmark and return its table (Markdown)."""
    for tool in ("lynx", "w3m"):
        if shutil.which(tool) is None:
            raise UsageError(f"{tool} is not installed: apt-get install lynx w3m")
    pages = load_pages(data)
    # The first page would pay for importing trafilatura; the figures are warm.
    with contextlib.suppress(InputError):
        briefly_extract("<html><body><p>Warm up the extractor.</p></body></html>", "html")
    scores = score(pages, raw_text if raw else briefly_extract)
    lines = [HEADER, *(scores[kind].row(kind) for kind in KINDS)]
    if show_misses:
        lines += ["", *(f"{kind}: {m}" for kind in KINDS for m in scores[kind].misses)]
    return "\n".join(lines)
