"""Per-client limits: requests and characters per minute (``--req-limit``, ``--char-limit``).

A client is its API key where the server has keys, else its address, as LibreTranslate counts
them. The window slides: the last 60 seconds, counted as this clock minute plus the previous one
weighted by how much of it is still in them, so a client cannot send two minutes' worth across
a minute's edge; two counters a client, whatever its limit (a moving window would keep an entry
per character).
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from briefly.serve.failures import ApiError


def key_id(key: str) -> str:
    """A short name for an API key that logs and metrics can show: never the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


class Quotas:
    def __init__(self, req_limit: int, char_limit: int) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._requests = RateLimitItemPerMinute(req_limit, namespace="requests")
        self._chars = RateLimitItemPerMinute(char_limit, namespace="chars")
        self.req_limit = req_limit
        self.char_limit = char_limit

    def charge(self, client: str, chars: int) -> None:
        """Count one request of ``chars`` characters for ``client``, or refuse it with 429."""
        if self.req_limit and not self._limiter.hit(self._requests, client):
            raise self._refusal(self._requests, client, f"{self.req_limit:,} requests")
        if not self.char_limit or not chars:
            return
        if chars > self.char_limit:
            # No wait would let it through: 413, not 429.
            raise ApiError(
                413,
                f"The request holds {chars:,} characters, more than this server's limit of "
                f"{self.char_limit:,} a minute: send less, or ask the operator to raise "
                "--char-limit",
            )
        if not self._limiter.hit(self._chars, client, cost=chars):
            raise self._refusal(self._chars, client, f"{self.char_limit:,} characters")

    def _refusal(self, item: RateLimitItemPerMinute, client: str, what: str) -> ApiError:
        reset = self._limiter.get_window_stats(item, client).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        return ApiError(
            429,
            f"Too many requests: this server allows {what} a minute per client; retry in {wait} s",
            {"Retry-After": str(wait)},
        )
