"""Reading article bytes from files and streams, never more than a size cap.

Only regular files are read: a FIFO would block forever and a device such as
/dev/zero never ends. The cap is applied while reading, and gzip data is unpacked
within the same cap, so no input can make briefly hold more than ``max_bytes``.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib
from pathlib import Path
from typing import BinaryIO

from briefly.errors import InputError

# The default cap on one article's bytes (after unpacking gzip).
MAX_BYTES = 10_000_000
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
# Opening a FIFO for reading blocks until a writer appears; non-blocking mode does not.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (gzip unpacked), at most ``max_bytes``.

    Raises :class:`InputError` with kind "not_found", "is_directory", "not_regular",
    "unreadable" or "too_large".
    """
    source = str(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError as e:
        raise InputError(
            f"No such file: {source}. Check the path, or pass '-' to read from stdin.", "not_found"
        ) from e
    except IsADirectoryError as e:
        raise _directory_error(source) from e
    except OSError as e:
        raise _unreadable(source, e) from e
    try:
        _check_regular(os.fstat(fd), source, max_bytes)
        handle = os.fdopen(fd, "rb", buffering=0)
    except BaseException as e:
        os.close(fd)
        if isinstance(e, OSError):
            raise _unreadable(source, e) from e
        raise
    with handle:
        try:
            data = read_limited(handle, max_bytes, source)
        except OSError as e:
            raise _unreadable(source, e) from e
    return unpack(data, max_bytes, source)


def read_stdin(max_bytes: int = MAX_BYTES, stream: BinaryIO | None = None) -> bytes:
    """Standard input's bytes (gzip unpacked), at most ``max_bytes``."""
    stream = stream if stream is not None else sys.stdin.buffer
    return unpack(read_limited(stream, max_bytes, "-"), max_bytes, "-")


def read_limited(stream: BinaryIO, max_bytes: int, source: str) -> bytes:
    """Read ``stream`` to its end, stopping with an error past ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    # read() waits to fill its whole chunk, so a terminal would need Ctrl-D twice; read1()
    # returns what one read gives.
    read = getattr(stream, "read1", stream.read)
    while chunk := read(min(_CHUNK, max_bytes + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise too_large(source, max_bytes)
    return b"".join(chunks)


def unpack(data: bytes, max_bytes: int, source: str) -> bytes:
    """``data`` itself, or its gzip content where it is gzip-compressed."""
    return gunzip(data, max_bytes, source) if data.startswith(_GZIP_MAGIC) else data


def gunzip(data: bytes, max_bytes: int, source: str) -> bytes:
    """Unpack gzip ``data`` (every member), stopping with an error past ``max_bytes``."""
    out = bytearray()
    try:
        while data:
            unpacker = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
            while data and not unpacker.eof:
                out += unpacker.decompress(data, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise too_large(source, max_bytes)
                data = unpacker.unconsumed_tail
            if not unpacker.eof:
                raise zlib.error("the data ends before the end of the gzip stream")
            data = unpacker.unused_data
    except zlib.error as e:
        raise InputError(
            f"{label(source)} is damaged gzip data ({e}): give the article uncompressed.", "binary"
        ) from e
    return bytes(out)


def label(source: str) -> str:
    """How messages name a source: "" is data given without one."""
    return {"-": "stdin", "": "The input"}.get(source, source)


def too_large(source: str, max_bytes: int) -> InputError:
    return InputError(
        f"{label(source)} is larger than {max_bytes:,} bytes: pass a single article, "
        "or raise the limit (--max-bytes N, or max_bytes=N in Python)",
        "too_large",
    )


def _check_regular(info: os.stat_result, source: str, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _directory_error(source)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{source} is not a regular file (a pipe, device or socket): "
            "save the article to a file and pass that file.",
            "not_regular",
        )
    if info.st_size > max_bytes:
        raise too_large(source, max_bytes)


def _directory_error(source: str) -> InputError:
    return InputError(
        f"{source} is a directory: to brief every article in it, "
        f"run `briefly batch {source} --out OUT`.",
        "is_directory",
    )


def _unreadable(source: str, error: OSError) -> InputError:
    return InputError(
        f"Cannot read {source}: {error.strerror or error}. Check its permissions.", "unreadable"
    )
