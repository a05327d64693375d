"""Pages to brief from the web: a file of URLs, RSS/Atom/JSON feeds, sitemaps.

Each page becomes an :class:`~briefly.batch.sources.Item` whose source is its URL, named
after its host and path in OUT_DIR. Feeds are read with trafilatura's own functions: a
feed's links (:func:`trafilatura.feeds.find_links`) and, for a site's home page, the feeds it
links to (:func:`trafilatura.feeds.determine_feed`). Sitemaps are told from other answers as
trafilatura tells them (:func:`trafilatura.sitemaps.is_plausible_sitemap`), but their
``<loc>`` and ``<lastmod>`` are read here: trafilatura's sitemap walker keeps no dates and
drops hosts that are IP addresses. Every fetch goes through a
:class:`~briefly.batch.polite.PoliteFetcher`.

A feed, sitemap or list that cannot be read becomes an item that fails with one line, so
the run reports it and goes on with the others.
"""

from __future__ import annotations

import email.utils
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from briefly.article.decode import decode_bytes
from briefly.article.fetch import redact, suggest_url
from briefly.article.reading import read_file, unpack
from briefly.batch.polite import PoliteFetcher
from briefly.batch.sources import Item, Listing, Names, safe_name
from briefly.errors import BrieflyError, UsageError

logger = logging.getLogger("briefly")

_SCHEMES = ("http://", "https://")
# A home page may link several feeds (news, comments, a category): the first few are read.
_FEEDS_PER_PAGE = 3
# Sitemap indexes of large sites nest; past this many sitemaps the rest are left.
_MAX_SITEMAPS = 100
_SITEMAP_SUFFIXES = (".xml", ".xml.gz", ".gz", "sitemap", ".txt")
# Element names (without namespace) of a feed entry's date, most telling first.
_FEED_DATES = ("updated", "modified", "pubDate", "published", "date", "issued")
_SITEMAP_DATES = ("lastmod", "publication_date")


@dataclass(frozen=True)
class _Page:
    url: str
    changed: datetime | None = None  # when the listing says the page last changed
    problem: tuple[str, str] | None = None  # why a line of a list file gives no page


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
    sources: list[tuple[str, list[_Page] | BrieflyError]] = []
    for path in url_files:
        sources.append((path, _read_list(path, fetcher.options.max_bytes)))
    for url in feeds:
        sources.append((url, _pages(_feed_pages, url, fetcher)))
    for url in sitemaps:
        sources.append((url, _pages(_sitemap_pages, url, fetcher)))
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


def _before(page: _Page, since: date | None) -> bool:
    return since is not None and page.changed is not None and page.changed.date() < since


def _pages(
    read: Callable[[str, PoliteFetcher], list[_Page]], url: str, fetcher: PoliteFetcher
) -> list[_Page] | BrieflyError:
    try:
        return read(url, fetcher)
    except BrieflyError as e:
        return e


def _newest(pages: list[_Page], max_items: int | None) -> list[_Page]:
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


def _read_list(path: str, max_bytes: int) -> list[_Page] | BrieflyError:
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
        if line.lower().startswith(_SCHEMES):
            pages.append(_Page(line))
            continue
        guess = suggest_url(line)
        hint = f"did you mean {guess}?" if guess else "give an http(s) URL"
        message = f"line {number} of {path} is not an http(s) URL: {hint}"
        pages.append(_Page(f"{path}#{number}", problem=("bad_url", message)))
    return pages


def _text(fetcher: PoliteFetcher, url: str, *, from_data: bool) -> str:
    response = fetcher.get(url, from_data=from_data)
    data = unpack(response.data, fetcher.options.max_bytes, redact(url))
    return decode_bytes(data, redact(url), response.charset).strip()


def _feed_pages(url: str, fetcher: PoliteFetcher) -> list[_Page]:
    """The pages a feed lists; for a home page, those of the feeds it links to."""
    from trafilatura.feeds import FeedParameters, determine_feed, find_links, is_potential_feed

    parts = urllib.parse.urlsplit(url)
    params = FeedParameters(f"{parts.scheme}://{parts.netloc}", parts.netloc, url)
    text = _text(fetcher, url, from_data=False)
    feeds = [(url, text)]
    if not (is_potential_feed(text) or text.startswith("{")):
        found = determine_feed(text, params)[:_FEEDS_PER_PAGE]
        if not found:
            raise UsageError(
                f"{redact(url)} is neither a feed nor a page that links to one: pass the "
                "address of its RSS or Atom feed"
            )
        # A page's links are someone else's: they obey the public-address rule.
        feeds = [(feed, _text(fetcher, feed, from_data=True)) for feed in found]
    pages: list[_Page] = []
    for feed_url, feed in feeds:
        dates = _feed_dates(feed)
        for link in find_links(feed, params):
            absolute = urllib.parse.urljoin(feed_url, link.strip())
            # A feed's own links (its site's home page) stand beside its entries'.
            if absolute.lower().startswith(_SCHEMES) and _has_path(absolute):
                pages.append(_Page(absolute, dates.get(link.strip())))
    if not pages:
        raise UsageError(f"{redact(url)} lists no pages: check that it is an RSS or Atom feed")
    return pages


def _has_path(url: str) -> bool:
    return urllib.parse.urlsplit(url).path not in ("", "/")


def _sitemap_pages(url: str, fetcher: PoliteFetcher) -> list[_Page]:
    """The pages of a sitemap, following sitemap indexes; for a site, its robots.txt's."""
    from trafilatura.sitemaps import is_plausible_sitemap

    path = urllib.parse.urlsplit(url).path.lower()
    if path.endswith(_SITEMAP_SUFFIXES) or "sitemap" in path:
        queue = [url]
    else:
        site = urllib.parse.urljoin(url, "/")
        queue = fetcher.robots_sitemaps(url) or [urllib.parse.urljoin(site, "sitemap.xml")]
    seen: set[str] = set()
    pages: list[_Page] = []
    while queue and len(seen) < _MAX_SITEMAPS:
        current = queue.pop(0)
        seen.add(current)
        text = _text(fetcher, current, from_data=current != url)
        if not is_plausible_sitemap(current, text):
            if current == url:
                raise UsageError(f"{redact(url)} is not a sitemap: pass a sitemap's address")
            logger.warning("%s is not a sitemap: left out", redact(current))
            continue
        children, found = _sitemap_entries(text, current)
        queue += [child for child in children if child not in seen and child not in queue]
        pages += found
    if not pages:
        raise UsageError(f"{redact(url)} lists no pages: check that it is a sitemap")
    return pages


def _sitemap_entries(text: str, url: str) -> tuple[list[str], list[_Page]]:
    """(the sitemaps an index names, the pages a sitemap names) of one sitemap."""
    from trafilatura.sitemaps import DETECT_LINKS, SITEMAP_FORMAT

    if not SITEMAP_FORMAT.match(text):  # a text sitemap: one URL a line
        return [], [_Page(link, None) for link in DETECT_LINKS.findall(text)]
    root = _xml(text)
    children: list[str] = []
    pages: list[_Page] = []
    for element in root.iter() if root is not None else ():
        name = _local(element)
        if name not in ("sitemap", "url"):
            continue
        loc = next((_text_of(e) for e in element.iter() if _local(e) == "loc"), "")
        absolute = urllib.parse.urljoin(url, loc)
        if not absolute.lower().startswith(_SCHEMES):
            continue
        if name == "sitemap":
            children.append(absolute)
        else:
            pages.append(_Page(absolute, _first_date(element, _SITEMAP_DATES)))
    return children, pages


def _feed_dates(feed: str) -> dict[str, datetime]:
    """Each entry's link and the date it gives (RSS, Atom, JSON Feed)."""
    if feed.startswith("{"):
        try:
            items = json.loads(feed).get("items", [])
        except (ValueError, AttributeError, RecursionError):
            return {}
        found = {}
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            when = _when(str(item.get("date_modified") or item.get("date_published") or ""))
            link = item.get("url") or item.get("id")
            if isinstance(link, str) and when is not None:
                found[link] = when
        return found
    root = _xml(feed)
    dates = {}
    for entry in root.iter() if root is not None else ():
        if _local(entry) not in ("item", "entry"):
            continue
        when = _first_date(entry, _FEED_DATES)
        for child in entry:
            if _local(child) == "link" and when is not None:
                link = child.get("href") if child.get("rel", "alternate") == "alternate" else None
                dates[(link or _text_of(child)).strip()] = when
    return dates


def _first_date(element, names: Iterable[str]) -> datetime | None:
    values = {_local(e): _text_of(e) for e in element.iter()}
    return next((w for name in names if (w := _when(values.get(name, ""))) is not None), None)


def _when(value: str) -> datetime | None:
    """A feed's or sitemap's date (RFC 822 or ISO 8601), in UTC; None when it has none."""
    value = value.strip()
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _xml(text: str):
    from lxml import etree

    parser = etree.XMLParser(
        encoding="utf-8", resolve_entities=False, no_network=True, recover=True
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text_of(element) -> str:
    return (element.text or "").strip()
