"""Pages to brief from the web: files of URLs, feeds and sitemaps, as one batch listing.

Each page becomes an :class:`~briefly.batch.sources.Item` whose source is its URL, named
after its host and path in OUT_DIR (:mod:`.feeds` and :mod:`.sitemaps` read those). Every
fetch goes through a :class:`~briefly.batch.web.polite.PoliteFetcher`. A feed, sitemap or
list that cannot be read becomes an item that fails with one line, so the run reports it and
goes on with the others.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from briefly.article.decode import decode_bytes
from briefly.article.fetch import suggest_url
from briefly.article.reading import read_file
from briefly.batch.sources import Item, Listing, Names, safe_name
from briefly.batch.web.feeds import feed_pages
from briefly.batch.web.pages import SCHEMES, Page
from briefly.batch.web.polite import PoliteFetcher
from briefly.batch.web.sitemaps import sitemap_pages
from briefly.errors import BrieflyError


def web_listing(
    fetcher: PoliteFetcher,
    *,
    url_files: Sequence[str] = (),
    feeds: Sequence[str] = (),
    sitemaps: Sequence[str] = (),
    since: date | None = None,
    max_items: int | None = None,
) -> Listing:
    """The pages of URL lists, feeds and sitemaps, each once, in the order they are listed.

    ``since`` leaves out pages their feed or sitemap dates before that day, and
    ``max_items`` keeps the newest N of each feed or sitemap (the first N where undated).
    """
    sources: list[tuple[str, list[Page] | BrieflyError]] = []
    for path in url_files:
        sources.append((path, _read_list(path, fetcher.options.max_bytes)))
    for url in feeds:
        sources.append((url, _pages(feed_pages, url, fetcher)))
    for url in sitemaps:
        sources.append((url, _pages(sitemap_pages, url, fetcher)))
    items: list[Item] = []
    seen: set[str] = set()
    names = Names()
    excluded = 0
    for source, listed in sources:
        if isinstance(listed, BrieflyError):
            problem = (listed.kind, str(listed))
            items.append(Item(source, names.claim(_url_name(source)), problem=problem))
            continue
        recent = [page for page in listed if not _before(page, since)]
        excluded += len(listed) - len(recent)
        for page in _newest(recent, max_items):
            if page.problem is not None:
                items.append(Item(page.url, names.claim(safe_name(page.url)), problem=page.problem))
                continue
            # A fragment names a place in the page, which is fetched whole.
            url = urllib.parse.urldefrag(page.url).url
            if url not in seen:
                seen.add(url)
                changed = page.changed.isoformat() if page.changed else None
                items.append(Item(url, names.claim(_url_name(url)), url=url, changed=changed))
    return Listing(items=items, skipped_files=0, excluded=excluded)


def _before(page: Page, since: date | None) -> bool:
    return since is not None and page.changed is not None and page.changed.date() < since


def _pages(
    read: Callable[[str, PoliteFetcher], list[Page]], url: str, fetcher: PoliteFetcher
) -> list[Page] | BrieflyError:
    try:
        return read(url, fetcher)
    except BrieflyError as e:
        return e


def _newest(pages: list[Page], max_items: int | None) -> list[Page]:
    if max_items is None or len(pages) <= max_items:
        return pages
    if all(page.changed is not None for page in pages):
        newest = sorted(pages, key=lambda p: p.changed or datetime.min, reverse=True)
        kept = {page.url for page in newest[:max_items]}
        return [page for page in pages if page.url in kept]
    return pages[:max_items]


def _url_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return safe_name(f"{parts.netloc}{parts.path}{query}")


def _read_list(path: str, max_bytes: int) -> list[Page] | BrieflyError:
    """The URLs of a list file: one a line, ``#`` comments and blank lines skipped."""
    try:
        text = decode_bytes(read_file(Path(path), max_bytes), path)
    except BrieflyError as e:
        return e
    pages = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith(SCHEMES):
            pages.append(Page(line))
            continue
        guess = suggest_url(line)
        hint = f"did you mean {guess}?" if guess else "give an http(s) URL"
        message = f"line {number} of {path} is not an http(s) URL: {hint}"
        pages.append(Page(f"{path}#{number}", problem=("bad_url", message)))
    return pages
