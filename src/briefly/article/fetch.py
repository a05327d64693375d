"""Fetching an article over http(s) with one deadline and one size cap for the whole fetch.

Connecting, the headers, every redirect and the body share a single deadline: a server
that drips a byte at a time cannot keep briefly busy longer than ``timeout`` seconds.
URLs with credentials are refused, and every URL this module names in a message or a
log line has its user information masked, so a password never reaches a terminal or a log.
"""

from __future__ import annotations

import functools
import http.client
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from briefly.article.reading import gunzip, too_large
from briefly.errors import InputError

logger = logging.getLogger("briefly")

# Some news sites turn away clients that do not say they are a browser.
_USER_AGENT = "Mozilla/5.0 (compatible; briefly article loader)"
_SCHEMES = ("http", "https")
_HINT = "Save the page to a file and pass the file instead."
_CHUNK = 64 * 1024
_GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})


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


def fetch(url: str, *, max_bytes: int, timeout: float) -> Response:
    """GET ``url`` within ``timeout`` seconds in all; raise :class:`InputError` on any failure."""
    check_url(url)
    shown = redact(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
    )
    logger.info("Fetching %s", shown)
    watchdog = _Watchdog(timeout)
    try:
        with watchdog, _opener(watchdog).open(request, timeout=timeout) as response:
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
        raise _fetch_error(shown, f"HTTP {e.code} {e.reason}") from e
    except urllib.error.URLError as e:
        reason = _timed_out(timeout) if watchdog.expired else str(e.reason)
        raise _fetch_error(shown, reason) from e
    except (http.client.HTTPException, OSError, ValueError) as e:
        expired = watchdog.expired or isinstance(e, TimeoutError)
        raise _fetch_error(
            shown, _timed_out(timeout) if expired else str(e).replace(url, shown)
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


def _fetch_error(shown: str, reason: str) -> InputError:
    return InputError(f"Could not fetch {shown}: {reason}. {_HINT}", "fetch")


def _timed_out(timeout: float) -> str:
    return f"no complete answer within {timeout:g} s"


class _Watchdog:
    """Shuts every socket of one fetch down when its deadline passes.

    Socket timeouts bound each read, not their sum; shutting the sockets down ends
    whatever read, header line or redirect is under way.
    """

    def __init__(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

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

    def __init__(self, *args, watchdog: _Watchdog, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog
        create = self._create_connection

        def create_watched(*args, **kwargs) -> socket.socket:
            # Watched before the TLS handshake, which a slow server could drip as well.
            sock = create(*args, **kwargs)
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
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, watchdog=self.watchdog), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req):
        connection = functools.partial(_HTTPSConnection, watchdog=self.watchdog)
        # The default TLS context, as HTTPSConnection makes it when given none.
        return self.do_open(connection, req)


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """An http(s)-only opener whose connections all answer to ``watchdog``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(watchdog),
        _HTTPSHandler(watchdog),
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
