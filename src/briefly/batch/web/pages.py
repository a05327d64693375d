"""What the web inputs share: a listed page, fetching a listing's text, dates and XML."""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from briefly.article.decode import decode_bytes
from briefly.article.fetch import redact
from briefly.article.reading import unpack
from briefly.batch.web.polite import PoliteFetcher

SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class Page:
    """A page a list, feed or sitemap names."""

    url: str
    changed: datetime | None = None  # when the listing says the page last changed
    problem: tuple[str, str] | None = None  # why a line of a list file gives no page


def fetch_text(fetcher: PoliteFetcher, url: str, *, from_data: bool) -> str:
    """A list's, feed's or sitemap's text, gzip unpacked; ``from_data`` as for fetches."""
    response = fetcher.get(url, from_data=from_data)
    data = unpack(response.data, fetcher.options.max_bytes, redact(url))
    return decode_bytes(data, redact(url), response.charset).strip()


def first_date(element, names: Iterable[str]) -> datetime | None:
    """The first of the dates named ``names`` (in order) that ``element`` holds."""
    values = {local_name(e): element_text(e) for e in element.iter()}
    return next(
        (w for name in names if (w := listing_date(values.get(name, ""))) is not None), None
    )


def listing_date(value: str) -> datetime | None:
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


def parse_xml(text: str):
    """The root element of ``text``, read leniently and without entities or network."""
    from lxml import etree

    parser = etree.XMLParser(
        encoding="utf-8", resolve_entities=False, no_network=True, recover=True
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def local_name(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def element_text(element) -> str:
    return (element.text or "").strip()
