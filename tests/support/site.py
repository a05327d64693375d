"""A small news site on 127.0.0.1 for the web-input tests: feeds, sitemaps, robots.txt, pages.

The site counts the requests for each path, and for the ``/slow/`` pages how many were
being answered at once, so that tests can see from the server's side what briefly did.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.support.documents import pdf_article

PARAGRAPH = (
    "The harbour authority said on Monday that the new ferry terminal will open in spring, "
    "after two years of building work that closed the old pier to visitors and traders."
)


def page(number: int | str, published: str = "") -> bytes:
    body = "".join(f"<p>Story {number}, part {i}. {PARAGRAPH}</p>" for i in range(4))
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f"<html><head><title>Ferry news {number}</title>{meta}</head><body><article>"
        f"<h1>Ferry news {number}</h1>{body}</article></body></html>"
    ).encode()


@dataclass
class Site:
    """What the site serves and what it has seen."""

    # (path, pubDate) of the feed's items, newest first; "" leaves the date out.
    feed_items: list[tuple[str, str]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    agents: set[str] = field(default_factory=set)
    # Pages of /slow/ being answered now, the most at once, and when each request came.
    in_flight: int = 0
    most_in_flight: int = 0
    arrivals: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_s: float = 0.3
    robots_status: int = 200  # what /robots.txt answers

    def rss(self, host: str) -> bytes:
        items = "".join(
            f"<item><title>{path}</title><link>http://{host}{path}</link>"
            + (f"<pubDate>{date}</pubDate>" if date else "")
            + "</item>"
            for path, date in self.feed_items
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Ferry news</title>'
            f"<link>http://{host}/</link>{items}</channel></rss>"
        ).encode()


def atom(host: str) -> bytes:
    entries = "".join(
        f'<entry><title>{n}</title><link href="/news/{n}"/><updated>{day}</updated></entry>'
        for n, day in ((7, "2026-12-06T10:00:00Z"), (8, "2026-12-07T09:30:00+01:00"))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>Ferry news</title><link href="http://{host}/"/>'
        f'<link rel="self" href="http://{host}/atom.xml"/>{entries}</feed>'
    ).encode()


def sitemap_index(host: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>http://{host}/sitemap-news.xml</loc></sitemap></sitemapindex>"
    ).encode()


def sitemap(host: str) -> bytes:
    urls = "".join(
        f"<url><loc>http://{host}{path}</loc><lastmod>{date}</lastmod></url>"
        for path, date in (("/news/1", "2026-12-01"), ("/news/old", "2020-01-01"))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves :attr:`site`, which each test sets to a fresh :class:`Site`."""

    site = Site()

    def do_GET(self) -> None:
        site = self.site
        path = self.path
        host = self.headers["Host"]
        with site.lock:
            site.hits[path] += 1
            hits = site.hits[path]
            site.agents.add(self.headers.get("User-Agent", ""))
        if path == "/robots.txt" and site.robots_status != 200:
            self.send_error(site.robots_status)
        elif path == "/robots.txt":
            rules = f"User-agent: *\nDisallow: /private/\nSitemap: http://{host}/sitemap.xml\n"
            self._send(rules.encode(), "text/plain")
        elif path == "/feed.xml":
            self._send(site.rss(host), "application/rss+xml")
        elif path == "/atom.xml":
            self._send(atom(host), "application/atom+xml")
        elif path == "/home":
            link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            self._send(f"<html><head>{link}</head><body>Home</body></html>".encode())
        elif path == "/sitemap.xml":
            self._send(sitemap_index(host), "application/xml")
        elif path == "/sitemap-news.xml":
            self._send(sitemap(host), "application/xml")
        elif path.startswith(("/news/", "/private/")):
            self._send(page(path.rsplit("/", 1)[1]))
        elif path.startswith("/dated/"):  # /dated/YYYY-MM-DD: a page published that day
            self._send(page("dated", published=path.rsplit("/", 1)[1]))
        elif path == "/report.pdf":
            self._send(pdf_article(), "application/pdf")
        elif path.startswith("/busy/"):
            if hits == 1:
                self.send_response(429)
                self.send_header("Retry-After", path.rsplit("/", 1)[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(page("busy"))
        elif path.startswith("/slow/"):
            self._slow(site, path)
        else:
            self.send_error(404)

    def _slow(self, site: Site, path: str) -> None:
        with site.lock:
            site.arrivals.append(time.monotonic())
            site.in_flight += 1
            site.most_in_flight = max(site.most_in_flight, site.in_flight)
        try:
            time.sleep(site.slow_s)
            self._send(page(path.rsplit("/", 1)[1]))
        finally:
            with site.lock:
                site.in_flight -= 1

    def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the counts instead."""
