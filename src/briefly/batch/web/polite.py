"""Fetching many pages as a well-behaved crawler does, through briefly's own fetch.

Every fetch keeps :func:`briefly.article.fetch.fetch`'s guarantees (one deadline, http(s)
only, checked redirects, a size cap, credentials never shown, and for URLs that come from
data, public addresses only). On top of them: robots.txt is honoured (RFC 9309: a missing
one allows everything, one that cannot be read for a server error disallows everything,
and a ``Crawl-delay`` lengthens the delay), at most ``per_host`` fetches go to one host at
once, ``delay`` seconds apart, and a 429 or 503 answer is tried again after its
``Retry-After``, or after a back-off that doubles.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
import urllib.robotparser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from briefly.article.addresses import ForbiddenURL
from briefly.article.decode import decode_bytes
from briefly.article.fetch import (
    ROBOTS_AGENT,
    HTTPStatusError,
    Response,
    check_url,
    fetch,
    redact,
)
from briefly.article.reading import MAX_BYTES
from briefly.errors import InputError, UsageError
from briefly.options import check_fields

logger = logging.getLogger("briefly")

# Statuses that ask a client to come back later.
_BUSY = (429, 503)
# robots.txt files are small; a larger answer is not one.
_MAX_ROBOTS_BYTES = 500_000
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]


@dataclass(frozen=True)
class WebOptions:
    """How pages are fetched for ``--urls``, ``--feed`` and ``--sitemap``."""

    per_host: int = 2  # fetches at once to one host
    delay: float = 1.0  # seconds between the starts of two fetches from one host
    fetchers: int = 8  # fetches at once in all
    robots: bool = True  # honour robots.txt
    retries: int = 3  # tries again after a 429 or 503 answer
    backoff: float = 1.0  # seconds before the first retry when no Retry-After is given
    max_wait: float = 300.0  # the longest wait honoured; a longer Retry-After fails the page
    timeout: float = 20.0  # seconds for one whole fetch
    max_bytes: int = MAX_BYTES  # largest page
    # Let URLs from lists, feeds and sitemaps reach private, loopback and link-local addresses.
    allow_private_urls: bool = False

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("per_host", "fetchers", "max_bytes"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("delay", "backoff", "max_wait", "retries"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must be 0 or more, not {getattr(self, name)}")
        if self.timeout <= 0:
            raise UsageError(f"timeout must be above 0, not {self.timeout}")


class PoliteFetcher:
    """Fetches pages from many threads at once, politely; see the module docstring.

    Setting ``stop`` ends waits and fetches under way at once.
    """

    def __init__(self, options: WebOptions | None = None) -> None:
        self.options = options or WebOptions()
        self.stop = threading.Event()
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def get(self, url: str, *, from_data: bool = True) -> Response:
        """GET ``url``; ``from_data`` applies the public-address rule (not to the user's URLs).

        Raises :class:`InputError`: the fetch's own, or robots.txt's refusal.
        """
        check_url(url)
        host = self._host(url)
        public_only = from_data and not self.options.allow_private_urls
        if self.options.robots:
            host.check_robots(url, public_only)
        return host.fetch(url, public_only)

    def robots_sitemaps(self, url: str) -> list[str]:
        """The sitemaps the robots.txt of the site of ``url`` (the user's own) names."""
        check_url(url)
        return list(self._host(url).robots(public_only=False).site_maps() or ())

    def _host(self, url: str) -> _Host:
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        with self._lock:
            if origin not in self._hosts:
                self._hosts[origin] = _Host(origin, self.options, self.stop)
            return self._hosts[origin]


class _Host:
    """One site's slots, pace and robots.txt."""

    def __init__(self, origin: str, options: WebOptions, stop: threading.Event) -> None:
        self.origin = origin
        self._options = options
        self._stop = stop
        self._slots = threading.BoundedSemaphore(options.per_host)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._delay = options.delay
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._robots_problem: str | None = None
        self._robots_lock = threading.Lock()

    def fetch(self, url: str, public_only: bool) -> Response:
        options = self._options
        for attempt in range(options.retries + 1):
            with self._slot():
                try:
                    return fetch(
                        url,
                        max_bytes=options.max_bytes,
                        timeout=options.timeout,
                        public_only=public_only,
                        stop=self._stop,
                    )
                except HTTPStatusError as e:
                    if e.status not in _BUSY or attempt == options.retries:
                        raise
                    wait = e.retry_after
                    if wait is None:
                        wait = options.backoff * 2**attempt
                    if wait > options.max_wait:
                        raise InputError(
                            f"{redact(url)} answered HTTP {e.status} and asks briefly to wait "
                            f"{wait:.0f} s, longer than the {options.max_wait:.0f} s it waits: "
                            "run the same command again later",
                            "busy",
                        ) from e
                    logger.info("%s: HTTP %d, trying again in %.1f s", redact(url), e.status, wait)
                    # The whole site asked for the pause, not only this page.
                    self._hold(wait)
        raise AssertionError("the last try returns or raises")

    def check_robots(self, url: str, public_only: bool) -> None:
        robots = self.robots(public_only)
        if self._robots_problem is not None:
            raise InputError(
                f"Cannot fetch {redact(url)}: {self.origin}/robots.txt could not be read "
                f"({self._robots_problem}), which means no page may be fetched: run the same "
                "command again later, or pass --ignore-robots if the site allows it",
                "robots",
            )
        if not robots.can_fetch(ROBOTS_AGENT, url):
            raise InputError(
                f"{self.origin}/robots.txt does not allow {ROBOTS_AGENT} to fetch {redact(url)}: "
                "leave it out, or pass --ignore-robots if the site allows it",
                "robots",
            )

    def robots(self, public_only: bool) -> urllib.robotparser.RobotFileParser:
        """The site's robots.txt rules, fetched once."""
        with self._robots_lock:
            if self._robots is None:
                self._robots = self._read_robots(public_only)
            return self._robots

    def _read_robots(self, public_only: bool) -> urllib.robotparser.RobotFileParser:
        url = f"{self.origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(url)
        try:
            with self._slot():
                response = fetch(
                    url,
                    max_bytes=_MAX_ROBOTS_BYTES,
                    timeout=self._options.timeout,
                    public_only=public_only,
                    stop=self._stop,
                )
        except ForbiddenURL:
            raise
        except HTTPStatusError as e:
            if e.status >= 500:
                self._robots_problem = f"HTTP {e.status}"
                parser.parse(_DISALLOW_ALL)
            else:
                parser.parse([])
            return parser
        except InputError as e:
            logger.warning("%s", e)
            self._robots_problem = "no answer"
            parser.parse(_DISALLOW_ALL)
            return parser
        parser.parse(decode_bytes(response.data, url, response.charset).splitlines())
        crawl_delay = parser.crawl_delay(ROBOTS_AGENT)
        if crawl_delay is not None:
            with self._lock:
                self._delay = max(self._delay, min(float(crawl_delay), self._options.max_wait))
        return parser

    @contextmanager
    def _slot(self) -> Iterator[None]:
        """One of the host's ``per_host`` slots, from the time its pace allows."""
        while not self._slots.acquire(timeout=0.1):
            self._stopped()
        try:
            with self._lock:
                start = max(time.monotonic(), self._next_start)
                self._next_start = start + self._delay
            if self._stop.wait(max(0.0, start - time.monotonic())):
                self._stopped()
            yield
        finally:
            self._slots.release()

    def _hold(self, seconds: float) -> None:
        with self._lock:
            self._next_start = max(self._next_start, time.monotonic() + seconds)

    def _stopped(self) -> None:
        if self._stop.is_set():
            raise InputError("stopped, as briefly is shutting down", "fetch")
