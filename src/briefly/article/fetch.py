"""Fetching an article over http(s) with one deadline and one size cap for the whole fetch.

Connecting, the headers, every redirect and the body share a single deadline: a server
that drips a byte at a time cannot keep briefly busy longer than ``timeout`` seconds.
URLs with credentials are refused, and every URL this module names in a message or a
log line has its user information masked, so a password never reaches a terminal or a log.
With ``public_only``, every connection, the first and each redirect's, goes to a checked
public address (:mod:`briefly.article.addresses`), directly rather than through a proxy
that would resolve the name itself.
"""

from __future__ import annotations

import email.utils
import functools
import http.client
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from briefly.article.addresses import public_addresses
from briefly.article.reading import gunzip, too_large
from briefly.errors import InputError
from briefly.version import __version__

logger = logging.getLogger("briefly")

# The token robots.txt rules name briefly by.
ROBOTS_AGENT = "briefly"
# Named as crawlers name themselves: some news sites turn away clients that do not start as
# a browser does, and a site's operator should see who fetched and where to read about it.
_ABOUT = "https://pypi.org/project/briefly/"
USER_AGENT = f"Mozilla/5.0 (compatible; {ROBOTS_AGENT}/{__version__}; +{_ABOUT})"
_SCHEMES = ("http", "https")
_HINT = "Save the page to a file and pass the file instead."
_CHUNK = 64 * 1024
_GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
# How often a fetch that can be stopped looks at its stop flag.
_STOP_POLL_S = 0.1


# Statuses that say the page is not there, and will not be on a second try.
_GONE = (404, 410)
_DIGITS = re.compile(r"^\d+$")
_SCHEMELESS = re.compile(
    r"^(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})(?::\d{1,5})?(?P<path>/\S*)?$",
    re.IGNORECASE,
)


class HTTPStatusError(InputError):
    """The server answered with an error status; ``retry_after`` is its Retry-After, in s."""

    def __init__(self, message: str, kind: str, status: int, retry_after: float | None) -> None:
        super().__init__(message, kind)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    """A fetched body, unpacked, with what its headers say about it."""

    data: bytes
    content_type: str
    charset: str | None


def redact(url: str) -> str:
    """``url`` with any user information masked: ``http://***@host/...``."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def suggest_url(source: str) -> str | None:
    """``https://SOURCE`` when ``source`` reads as a web address without its scheme.

    A host with a dot and a path (``example.com/news/1``) or a ``www.`` host; a bare
    ``notes.md`` is a file name, whatever the country code.
    """
    match = _SCHEMELESS.match(source)
    if match is None or not (match["path"] or match["host"].lower().startswith("www.")):
        return None
    return f"https://{source}"


def check_url(url: str) -> None:
    """Refuse URLs briefly will not fetch: other schemes, and user:password@ credentials."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise InputError(
            f"Cannot fetch {redact(url)}: only http(s) URLs are fetched. {_HINT}", "fetch"
        )
    if "@" in parts.netloc:
        raise InputError(
            f"Cannot fetch {redact(url)}: URLs with a user name or password are not supported. "
            f"{_HINT}",
            "credentials",
        )


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    public_only: bool = False,
    stop: threading.Event | None = None,
) -> Response:
    """GET ``url`` within ``timeout`` seconds in all; raise :class:`InputError` on any failure.

    ``public_only`` refuses private, loopback and link-local addresses at every hop
    (:class:`~briefly.article.addresses.ForbiddenURL`); setting ``stop`` ends the fetch at once.
    """
    check_url(url)
    shown = redact(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
    )
    logger.info("Fetching %s", shown)
    watchdog = _Watchdog(timeout, stop)
    try:
        with watchdog, _opener(watchdog, public_only).open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise too_large(shown, max_bytes)
            data = _read_body(response, watchdog, max_bytes, shown)
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding in _GZIP_ENCODINGS:
                data = gunzip(data, max_bytes, shown)
            elif encoding not in ("", "identity"):
                raise InputError(
                    f"Could not fetch {shown}: unsupported content encoding {encoding!r}. {_HINT}",
                    "fetch",
                )
            headers = response.headers
            return Response(data, headers.get_content_type(), headers.get_content_charset())
    except urllib.error.HTTPError as e:
        raise _status_error(shown, e) from e
    except urllib.error.URLError as e:
        reason = watchdog.reason(timeout) if watchdog.expired else str(e.reason)
        raise _fetch_error(shown, reason) from e
    except (http.client.HTTPException, OSError, ValueError) as e:
        expired = watchdog.expired or isinstance(e, TimeoutError)
        raise _fetch_error(
            shown, watchdog.reason(timeout) if expired else str(e).replace(url, shown)
        ) from e


def _read_body(response, watchdog: _Watchdog, max_bytes: int, shown: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise too_large(shown, max_bytes)
        chunks.append(chunk)
    if watchdog.expired:
        # The watchdog shut the socket, which reads as an early end of the body.
        raise TimeoutError
    return b"".join(chunks)


def _status_error(shown: str, error: urllib.error.HTTPError) -> HTTPStatusError:
    status = f"HTTP {error.code} {error.reason}"
    retry_after = retry_after_seconds(error.headers.get("Retry-After", ""))
    if error.code in _GONE:
        message = f"Could not fetch {shown}: {status}: the page is gone; check the address."
        return HTTPStatusError(message, "gone", error.code, retry_after)
    message = f"Could not fetch {shown}: {status}. {_HINT}"
    return HTTPStatusError(message, "fetch", error.code, retry_after)


def retry_after_seconds(value: str) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date); None without one."""
    value = value.strip()
    if _DIGITS.match(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _fetch_error(shown: str, reason: str) -> InputError:
    return InputError(f"Could not fetch {shown}: {reason}. {_HINT}", "fetch")


class _Watchdog:
    """Shuts every socket of one fetch down when its deadline passes or ``stop`` is set.

    Socket timeouts bound each read, not their sum; shutting the sockets down ends
    whatever read, header line or redirect is under way.
    """

    def __init__(self, timeout: float, stop: threading.Event | None = None) -> None:
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self._stop = stop
        self._done = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def reason(self, timeout: float) -> str:
        if self._stop is not None and self._stop.is_set():
            return "stopped, as briefly is shutting down"
        return f"no complete answer within {timeout:g} s"

    def _watch(self) -> None:
        while True:
            left = self.deadline - time.monotonic()
            stopped = self._stop is not None and self._stop.is_set()
            if left <= 0 or stopped:
                self._expire()
                return
            if self._done.wait(left if self._stop is None else min(left, _STOP_POLL_S)):
                return

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        logger.debug("socket already closed at the fetch deadline")


class _HTTPConnection(http.client.HTTPConnection):
    """Registers its sockets with the fetch's watchdog, raw and (for HTTPS) TLS-wrapped."""

    # Set by http.client's __init__ (socket.create_connection), undeclared in its stubs.
    _create_connection: Callable[..., socket.socket]

    def __init__(self, *args, watchdog: _Watchdog, public_only: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog
        create = self._create_connection

        def create_watched(address: tuple[str, int], *args, **kwargs) -> socket.socket:
            host, port = address
            # To the checked addresses themselves: a second DNS answer cannot swap in another.
            targets = public_addresses(host, port) if public_only else [host]
            for i, target in enumerate(targets):
                try:
                    sock = create((target, port), *args, **kwargs)
                    break
                except OSError:
                    if i == len(targets) - 1:
                        raise
            # Watched before the TLS handshake, which a slow server could drip as well.
            watchdog.watch(sock)
            return sock

        self._create_connection = create_watched

    def connect(self) -> None:
        self.timeout = self.watchdog.remaining()
        super().connect()
        self.watchdog.watch(self.sock)


class _HTTPSConnection(_HTTPConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, connection: functools.partial) -> None:
        super().__init__()
        self.connection = connection

    def http_open(self, req):
        return self.do_open(self.connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, connection: functools.partial) -> None:
        super().__init__()
        self.connection = connection

    def https_open(self, req):
        # The default TLS context, as HTTPSConnection makes it when given none.
        return self.do_open(self.connection, req)


def _opener(watchdog: _Watchdog, public_only: bool) -> urllib.request.OpenerDirector:
    """An http(s)-only opener whose connections all answer to ``watchdog``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        # A proxy would resolve the host itself, past the address check.
        urllib.request.ProxyHandler({} if public_only else None),
        urllib.request.UnknownHandler(),
        _HTTPHandler(
            functools.partial(_HTTPConnection, watchdog=watchdog, public_only=public_only)
        ),
        _HTTPSHandler(
            functools.partial(_HTTPSConnection, watchdog=watchdog, public_only=public_only)
        ),
        urllib.request.HTTPDefaultErrorHandler(),
        _RedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) URLs without credentials only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if parts.scheme.lower() not in _SCHEMES:
            raise urllib.error.URLError(f"redirected to a {parts.scheme or 'relative'}: URL")
        if "@" in parts.netloc:
            raise urllib.error.URLError("redirected to a URL with a user name or password")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
