"""The pages a sitemap lists, following sitemap indexes; for a site, those its robots.txt names.

Sitemaps are told from other answers as trafilatura tells them
(:func:`trafilatura.sitemaps.is_plausible_sitemap`), but their ``<loc>`` and ``<lastmod>`` are
read here: trafilatura's sitemap walker keeps no dates and drops hosts that are IP addresses.
"""

from __future__ import annotations

import logging
import urllib.parse

from briefly.article.fetch import redact
from briefly.batch.web.pages import (
    SCHEMES,
    Page,
    element_text,
    fetch_text,
    first_date,
    local_name,
    parse_xml,
)
from briefly.batch.web.polite import PoliteFetcher
from briefly.errors import UsageError

logger = logging.getLogger("briefly")

# Sitemap indexes of large sites nest; past this many sitemaps the rest are left.
_MAX_SITEMAPS = 100
_SITEMAP_SUFFIXES = (".xml", ".xml.gz", ".gz", "sitemap", ".txt")
_SITEMAP_DATES = ("lastmod", "publication_date")


def sitemap_pages(url: str, fetcher: PoliteFetcher) -> list[Page]:
    """The pages of a sitemap, following sitemap indexes; for a site, its robots.txt's."""
    from trafilatura.sitemaps import is_plausible_sitemap

    path = urllib.parse.urlsplit(url).path.lower()
    if path.endswith(_SITEMAP_SUFFIXES) or "sitemap" in path:
        queue = [url]
    else:
        site = urllib.parse.urljoin(url, "/")
        queue = fetcher.robots_sitemaps(url) or [urllib.parse.urljoin(site, "sitemap.xml")]
    seen: set[str] = set()
    pages: list[Page] = []
    while queue and len(seen) < _MAX_SITEMAPS:
        current = queue.pop(0)
        seen.add(current)
        text = fetch_text(fetcher, current, from_data=current != url)
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


def _sitemap_entries(text: str, url: str) -> tuple[list[str], list[Page]]:
    """(the sitemaps an index names, the pages a sitemap names) of one sitemap."""
    from trafilatura.sitemaps import DETECT_LINKS, SITEMAP_FORMAT

    if not SITEMAP_FORMAT.match(text):  # a text sitemap: one URL a line
        return [], [Page(link, None) for link in DETECT_LINKS.findall(text)]
    root = parse_xml(text)
    children: list[str] = []
    pages: list[Page] = []
    for element in root.iter() if root is not None else ():
        name = local_name(element)
        if name not in ("sitemap", "url"):
            continue
        loc = next((element_text(e) for e in element.iter() if local_name(e) == "loc"), "")
        absolute = urllib.parse.urljoin(url, loc)
        if not absolute.lower().startswith(SCHEMES):
            continue
        if name == "sitemap":
            children.append(absolute)
        else:
            pages.append(Page(absolute, first_date(element, _SITEMAP_DATES)))
    return children, pages
