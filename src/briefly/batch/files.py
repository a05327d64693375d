"""Writing output files: atomically where a crash could leave half a file, as any tool would.

A regular file (or a new one) is written to a temporary file beside it and renamed over it, so
a reader never sees half a file; it keeps an existing file's mode and otherwise gets the
umask's. A symlink is written through to its target, and a device or FIFO (``/dev/null``) is
written directly, since renaming over them would replace them. Text is UTF-8 with any lone
surrogate (a file name that is not UTF-8) replaced, so no name stops a write. Failures are
one-line :class:`~briefly.errors.OutputError`\\ s.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from briefly.errors import OutputError, UsageError
from briefly.unicode import replace_surrogates

# Temporary files are ".NAME.briefly-XXXXXXXX.tmp" beside NAME: a pattern no one else uses, so
# that the leftovers of a killed run can be told from a user's own ".notes.tmp".
_TEMP_MARK = ".briefly-"
_TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.(.+)\.briefly-[a-z0-9_]{8}\.tmp$", re.S)


def write_atomic(path: Path, data: str | bytes, *, make_folders: bool = True) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path``; raises OutputError on failure.

    ``make_folders`` creates missing parent folders; without it a missing one is an error.
    """
    path = Path(path)
    payload = replace_surrogates(data).encode("utf-8") if isinstance(data, str) else data
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
            _write_replacing(target, payload, mode, make_folders)
    except OSError as e:
        raise _output_error(path, e) from e


def temp_target(name: str) -> str | None:
    """The file a temporary file of write_atomic's was for (left by a kill -9); None for others."""
    match = _TEMP_NAME.match(name)
    return match.group(1) if match else None


def _write_direct(path: Path, payload: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(payload)
        handle.flush()


def _write_replacing(path: Path, payload: bytes, mode: int, make_folders: bool = True) -> None:
    if make_folders:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{_TEMP_MARK}", suffix=_TEMP_SUFFIX
    )
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
