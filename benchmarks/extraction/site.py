"""Where a page comes from and what language it is in, for grouping and reporting."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin

from benchmarks.extraction.dumps import tree

# A page's own address, as publishers declare it, best first.
_URL_XPATHS = (
    "//link[@rel='canonical']/@href",
    "//meta[@property='og:url']/@content",
    "//meta[@name='twitter:url']/@content",
    "//base/@href",
)


def registered_domain(url: str | None) -> str | None:
    """``news.bbc.co.uk`` → ``bbc.co.uk`` (public-suffix aware), None for no web address."""
    from courlan import extract_domain

    if not url or not url.startswith(("http://", "https://", "//")):
        return None
    return extract_domain(urljoin("https:", url)) or None


def declared_url(html: str) -> str | None:
    """The address the page declares for itself (canonical link, og:url...), if any."""
    root = tree(html)
    for xpath in _URL_XPATHS:
        for value in root.xpath(xpath):
            if registered_domain(value.strip()):
                return value.strip()
    return None


def linked_site(html: str) -> str | None:
    """The domain most of the page's absolute links point to: on a page saved with no address
    of its own (L3S-GN1), its own navigation makes that its site."""
    domains = Counter(
        domain
        for href in tree(html).xpath("//a/@href")
        if (domain := registered_domain(href.strip()))
    )
    return domains.most_common(1)[0][0] if domains else None


def named_site(name: str) -> str | None:
    """The domain a test file is named after: ``dw.com.colonial`` → ``dw.com``,
    ``al.com1`` → ``al.com``, ``abc7news.com-Napa`` → ``abc7news.com``."""
    parts = re.sub(r"\d+$", "", name.split("-")[0].removeprefix("archive.org.")).split(".")
    for end in range(len(parts), 1, -1):
        domain = registered_domain("http://" + ".".join(parts[:end]))
        if domain:
            return domain
    return None


def site_of(url: str | None, html: str, name: str) -> tuple[str | None, str]:
    """(url, site): the page's address (given, else declared) and its grouping key.

    The key is the registered domain of that address, else of the domain the file is named
    after, else of most of its links, else ``name`` itself (so a page of unknown site never
    joins another's fold).
    """
    url = url or declared_url(html)
    site = registered_domain(url) or named_site(name) or linked_site(html) or name
    return url, site


def language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, by py3langid."""
    import py3langid

    code, _ = py3langid.classify(text)
    return code
