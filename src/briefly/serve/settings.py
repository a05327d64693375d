"""How the service runs: address, batching, limits and access (not how it briefs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefly.errors import UsageError


@dataclass(frozen=True)
class ServeSettings:
    """Everything ``briefly serve`` takes besides the brief options."""

    # Address to listen on; 127.0.0.1 keeps the service on this machine.
    host: str = "127.0.0.1"
    # TCP port; 0 picks a free one (the log says which).
    port: int = 8000
    # How long the first request of a batch waits for others to join it.
    batch_wait_ms: float = 10.0
    # Most estimated tokens one batched model call takes (a single larger request still runs).
    batch_tokens: int = 4096
    # Requests waiting for the model at once; more are turned away with 503 + Retry-After.
    max_queue: int = 256
    # Largest request body accepted, in bytes (413 above).
    max_body_bytes: int = 2_000_000
    # Longest article or text accepted, in characters (413 above).
    max_chars: int = 200_000
    # Most texts one /translate may ask for: items of q, or text runs of its HTML (413 above).
    max_texts: int = 1000
    # Seconds a request may take before it is answered with 504.
    timeout_s: float = 120.0
    # Valid API keys; empty: no key needed.
    api_keys: frozenset[str] = frozenset()
    # Whether /brief and /extract may fetch a URL (never a private or loopback address).
    allow_urls: bool = False
    # Whether those URLs may lead to private, loopback and link-local addresses too.
    allow_private_urls: bool = False
    # Log details of failures (never sent to clients).
    debug: bool = False
    # Serve the web page at / (its script and styles under /ui/).
    ui: bool = True
    # Requests per minute one client (API key, or address without one) may make; 0: no limit.
    req_limit: int = 0
    # Characters of text per minute one client may send; 0: no limit.
    char_limit: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise UsageError(f"Port {self.port} is out of range: use 1-65535, or 0 for any")
        for name in ("batch_tokens", "max_body_bytes", "max_chars", "max_texts"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name.replace('_', '-')} must be at least 1")
        for name in ("req_limit", "char_limit"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name.replace('_', '-')} must be 0 (no limit) or more")
        if self.max_queue < 1:
            raise UsageError("max-queue must be at least 1")
        if self.batch_wait_ms < 0 or self.timeout_s <= 0:
            raise UsageError("batch-wait must be 0 or more and timeout more than 0 seconds")


def read_api_keys(path: str) -> frozenset[str]:
    """Keys from a file, one a line; blank lines and ``#`` comments are ignored."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise UsageError(
            f"Cannot read API keys from {path}: {e.strerror or e}. Pass a file with one key a line"
        ) from e
    keys = frozenset(k for line in lines if (k := line.split("#", 1)[0].strip()))
    if not keys:
        raise UsageError(f"{path} holds no API key: write one key a line")
    return keys
