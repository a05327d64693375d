"""The service's socket, bound before the models load.

A taken port or an address that is not this machine's is then one ``error:`` line within a
second, not a traceback among uvicorn's lines after a minute of loading; and the socket that
was checked is the one uvicorn serves on, so nothing can take the port in between.
"""

from __future__ import annotations

import errno
import socket

from briefly.errors import UsageError


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (not yet listening), or a UsageError saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as e:
        # The idna codec's UnicodeError is about a label, such as the empty one in "a..b".
        reason = e.strerror if isinstance(e, socket.gaierror) else "not a host name"
        raise UsageError(
            f"Cannot listen on --host {host!r} ({reason}): give an address of this machine, "
            "such as 127.0.0.1, or 0.0.0.0 for all of them"
        ) from e
    sock = socket.socket(family, kind, proto)
    # As uvicorn does: a restarted server can take its port back at once.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Port {port} on {host} is already in use: stop what uses it, or pick another "
                "with --port (0: any free one)"
            ) from e
        if e.errno == errno.EACCES:
            raise UsageError(
                f"Port {port} on {host} needs more privileges than this user has: pick a port "
                "from 1024 up with --port"
            ) from e
        raise UsageError(
            f"Cannot listen on {host} port {port} ({e.strerror or e}): give an address of this "
            "machine with --host, such as 127.0.0.1, or 0.0.0.0 for all of them"
        ) from e
    return sock
