"""Which addresses a URL from a data file or a client may reach: public ones only.

URLs typed on the command line are the user's own and may go anywhere; URLs that arrive in
a JSONL record or a service request are someone else's, and must not reach this machine's
own network (loopback, private ranges, link-local cloud metadata). Every address a host name
resolves to is judged, and the connection goes to a judged address.

Python's ``ipaddress`` calls several IPv6 forms that carry an IPv4 address "global"; the
IPv4 address inside decides for them: IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, SIIT ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``, 6to4 ``2002:AABB:CCDD::``
and Teredo. The local-use NAT64 prefix ``64:ff9b:1::/48`` places its IPv4 address where each
network chooses, and never leads anywhere public, so it is refused whole.
"""

from __future__ import annotations

import ipaddress
import socket

from briefly.errors import InputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Prefixes whose last 32 bits are an IPv4 address that the traffic is translated to.
_TRANSLATED = tuple(
    ipaddress.IPv6Network(prefix)
    for prefix in ("::ffff:0:0/96", "::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_BITS = 0xFFFFFFFF


class ForbiddenURL(InputError):
    """The URL leads to an address briefly fetches only for URLs from the command line."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "forbidden_url")


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip``, and any IPv4 address it carries, is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        if any(ip in prefix for prefix in _TRANSLATED):
            return is_public(ipaddress.IPv4Address(int(ip) & _IPV4_BITS))
        tunnelled = [ip.sixtofour] if ip.sixtofour else list(ip.teredo or ())
        if not all(is_public(inner) for inner in tunnelled if inner is not None):
            return False
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, for TCP."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses of ``host`` when every one is public; else :class:`ForbiddenURL`."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as e:
        raise InputError(f"Cannot resolve {host}: check the URL's host name.", "fetch") from e
    for address in addresses:
        # A link-local IPv6 address carries its interface after a '%'.
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not is_public(ip):
            raise ForbiddenURL(
                f"{host} resolves to {ip}, a private, loopback or link-local address, which "
                "briefly reaches only for URLs given on the command line: pass "
                "--allow-private-urls if this source is trusted."
            )
    return addresses
