"""Where briefly keeps what it derives once and reuses: CTranslate2 conversions, and an
unpacked copy of the language identifier's model."""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    """``$BRIEFLY_CACHE``, else ``$XDG_CACHE_HOME/briefly``, else ``~/.cache/briefly``."""
    base = os.environ.get("BRIEFLY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "briefly"
    )
    return Path(base)
