"""Writing output files: atomically where a crash could leave half a file, as any tool would.

A regular file (or a new one) is written to a temporary file beside it and renamed over it, so
a reader never sees half a file; it keeps an existing file's mode and otherwise gets the
umask's. A symlink is written through to its target, and a device or FIFO (``/dev/null``) is
written directly, since renaming over them would replace them. Failures are one-line
:class:`~briefly.errors.OutputError`\\ s.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from briefly.errors import OutputError, UsageError

TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path``; raises OutputError on failure."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as e:
        raise _output_error(path, e) from e
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise UsageError(f"{path} is a folder: give a file name to write to, e.g. {path}/out.txt")
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            _write_direct(target, payload)
        else:
            mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
            _write_replacing(target, payload, mode)
    except OSError as e:
        raise _output_error(path, e) from e


def temp_name(name: str) -> bool:
    """Whether a file name is one of write_atomic's temporary files (left by a kill -9)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX) and len(name) > 1 + len(TEMP_SUFFIX)


def _write_direct(path: Path, payload: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(payload)
        handle.flush()


def _write_replacing(path: Path, payload: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:  # not Linux
        status = ""
    for line in status.splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    # Elsewhere the only way to read it sets it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _output_error(path: Path, e: OSError) -> OutputError:
    reason = e.strerror or str(e)
    if e.errno == errno.ENOSPC:
        hint = "free some space (or write elsewhere) and run the command again"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "write somewhere you may write to"
    else:
        hint = "check the path and run the command again"
    return OutputError(f"Cannot write {path} ({reason}): {hint}", e.errno)
