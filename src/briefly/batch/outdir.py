"""Holding OUT_DIR for one run: an exclusive lock, and the leftovers of a killed run.

Two runs into one folder would overwrite each other's results and records, so a run holds an
exclusive lock (``flock`` on ``OUT_DIR/.briefly.lock``, released when the run ends or its
process dies) and a second run is refused, or waits. Under the lock, the temporary files a
killed run left are removed: only write_atomic's own (``.NAME.briefly-XXXXXXXX.tmp``), and
only beside files this run writes, so a user's ``.notes.tmp`` is never touched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from filelock import FileLock, Timeout

from briefly.batch.files import temp_target
from briefly.errors import UsageError

logger = logging.getLogger("briefly")

LOCK_NAME = ".briefly.lock"


def lock_out_dir(out_dir: Path, *, wait: bool = False) -> FileLock:
    """Take the run's lock on ``out_dir`` (an existing folder); release it with ``.release()``.

    Raises UsageError when another run holds it, unless ``wait``.
    """
    lock = FileLock(out_dir / LOCK_NAME, preserve_lock_file=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise UsageError(
                f"{out_dir} is in use by another briefly run: wait for it to finish, pass "
                "--wait to start when it does, or write to another --out folder"
            ) from None
        logger.warning("%s is in use by another briefly run: waiting for it to finish", out_dir)
        lock.acquire()
    return lock


def remove_leftovers(out_dir: Path, targets: Iterable[Path], own: re.Pattern[str]) -> None:
    """Remove write_atomic's temporary files left by a run killed mid-write.

    Only those for ``targets`` (the results this run writes) and, in ``out_dir`` itself, for
    files whose names match ``own`` (the run's records and shards).
    """
    by_folder: dict[Path, set[str]] = {out_dir: set()}
    for target in targets:
        by_folder.setdefault(target.parent, set()).add(target.name)
    for folder, names in by_folder.items():
        try:
            entries = list(folder.iterdir())
        except OSError:  # not created yet, or unreadable: nothing of ours is there
            continue
        for entry in entries:
            made_for = temp_target(entry.name)
            if made_for is not None and (
                made_for in names or (folder == out_dir and own.match(made_for))
            ):
                entry.unlink(missing_ok=True)
