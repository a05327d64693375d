"""Fetching an article URL for a client without letting it reach the server's own network.

Every address a host name resolves to is checked, the connection goes to the checked address
(so a second DNS answer cannot swap in another), and every redirect is checked the same way.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse

from briefly.errors import InputError

_MAX_REDIRECTS = 5
_USER_AGENT = "Mozilla/5.0 (compatible; briefly article loader)"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ForbiddenURL(InputError):
    """The URL leads to an address the service must not fetch from."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "forbidden_url")


def fetch(url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str, str | None]:
    """GET a public http(s) URL: the body, its content type and its declared charset."""
    for _ in range(_MAX_REDIRECTS + 1):
        response, connection = _get(url, timeout)
        try:
            location = response.getheader("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                url = urllib.parse.urljoin(url, location)
                continue
            if response.status != 200:
                raise InputError(
                    f"Could not fetch {url}: HTTP {response.status} {response.reason}. "
                    "Send the article's text or HTML instead.",
                    "fetch",
                )
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InputError(
                    f"{url} is larger than {max_bytes:,} bytes: send a single article.",
                    "too_large",
                )
            return data, response.headers.get_content_type(), response.headers.get_content_charset()
        except (OSError, http.client.HTTPException) as e:
            raise _fetch_error(url, e) from e
        finally:
            connection.close()
    raise InputError(
        f"{url} redirects more than {_MAX_REDIRECTS} times: send the article's final URL.", "fetch"
    )


def public_address(host: str, port: int) -> str:
    """An address of ``host`` to connect to, when all of them are public; else ForbiddenURL."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise InputError(f"Cannot resolve {host}: check the URL's host name.", "fetch") from e
    # An IPv4 or IPv6 socket address starts with the address as text.
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise ForbiddenURL(
                f"{host} resolves to {ip}, a private, loopback or link-local address, which "
                "this service does not fetch from: send the article's text or HTML instead."
            )
    return addresses[0]


def _get(url: str, timeout: float) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ForbiddenURL(f"{url} is not an http(s) URL: send an http:// or https:// address.")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as e:
        raise InputError(f"{url} has an invalid port: check the URL.", "fetch") from e
    address = public_address(parts.hostname, port)
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = _PinnedHTTPS(parts.hostname, address, port, timeout)
    else:
        connection = _PinnedHTTP(parts.hostname, address, port, timeout)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as e:
        connection.close()
        raise _fetch_error(url, e) from e


def _fetch_error(url: str, error: BaseException) -> InputError:
    reason = "no answer in time" if isinstance(error, TimeoutError) else str(error) or "failed"
    return InputError(
        f"Could not fetch {url}: {reason}. Send the article's text or HTML instead.", "fetch"
    )


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to a checked address while the Host header names the host."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTP`, with the certificate checked against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=tls)
        self._address = address
        self._tls = tls

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
