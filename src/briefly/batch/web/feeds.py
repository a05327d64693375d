"""The pages a feed lists, through trafilatura's own feed reading; for a home page, its feeds'.

trafilatura finds a feed's links (RSS, Atom, JSON Feed: :func:`trafilatura.feeds.find_links`)
and a home page's feeds (:func:`trafilatura.feeds.determine_feed`); the dates of the entries,
which it does not keep, are read here.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime

from briefly.article.fetch import redact
from briefly.batch.web.pages import (
    SCHEMES,
    Page,
    element_text,
    fetch_text,
    first_date,
    listing_date,
    local_name,
    parse_xml,
)
from briefly.batch.web.polite import PoliteFetcher
from briefly.errors import UsageError

# A home page may link several feeds (news, comments, a category): the first few are read.
_FEEDS_PER_PAGE = 3
# Element names (without namespace) of a feed entry's date, most telling first.
_FEED_DATES = ("updated", "modified", "pubDate", "published", "date", "issued")


def feed_pages(url: str, fetcher: PoliteFetcher) -> list[Page]:
    """The pages a feed lists; for a home page, those of the feeds it links to."""
    from trafilatura.feeds import FeedParameters, determine_feed, find_links, is_potential_feed

    parts = urllib.parse.urlsplit(url)
    params = FeedParameters(f"{parts.scheme}://{parts.netloc}", parts.netloc, url)
    text = fetch_text(fetcher, url, from_data=False)
    feeds = [(url, text)]
    if not (is_potential_feed(text) or text.startswith("{")):
        found = determine_feed(text, params)[:_FEEDS_PER_PAGE]
        if not found:
            raise UsageError(
                f"{redact(url)} is neither a feed nor a page that links to one: pass the "
                "address of its RSS or Atom feed"
            )
        # A page's links are someone else's: they obey the public-address rule.
        feeds = [(feed, fetch_text(fetcher, feed, from_data=True)) for feed in found]
    pages: list[Page] = []
    for feed_url, feed in feeds:
        dates = _feed_dates(feed)
        for link in find_links(feed, params):
            absolute = urllib.parse.urljoin(feed_url, link.strip())
            # A feed's own links (its site's home page) stand beside its entries'.
            if absolute.lower().startswith(SCHEMES) and _has_path(absolute):
                pages.append(Page(absolute, dates.get(link.strip())))
    if not pages:
        raise UsageError(f"{redact(url)} lists no pages: check that it is an RSS or Atom feed")
    return pages


def _has_path(url: str) -> bool:
    return urllib.parse.urlsplit(url).path not in ("", "/")


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
            dated = listing_date(str(item.get("date_modified") or item.get("date_published") or ""))
            link = item.get("url") or item.get("id")
            if isinstance(link, str) and dated is not None:
                found[link] = dated
        return found
    root = parse_xml(feed)
    dates = {}
    for entry in root.iter() if root is not None else ():
        if local_name(entry) not in ("item", "entry"):
            continue
        when = first_date(entry, _FEED_DATES)
        for child in entry:
            if local_name(child) == "link" and when is not None:
                link = child.get("href") if child.get("rel", "alternate") == "alternate" else None
                dates[(link or element_text(child)).strip()] = when
    return dates
