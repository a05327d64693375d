"""Fetching a run's pages ahead of the models, a bounded number at once.

While the models brief one group, the pages of the next groups are fetched, up to
``fetchers`` at a time (and the fetcher's per-host limit), and never more than ``ahead``
pages wait in memory. A page already briefed with the run's settings is not fetched again
unless its feed or sitemap says it changed after it was fetched; one fetched again whose
content is the same is not briefed again (the run compares content hashes).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

from briefly.article.fetch import Response
from briefly.batch.sources import Item
from briefly.batch.store import ResultStore
from briefly.batch.web.polite import PoliteFetcher
from briefly.errors import InputError


@dataclass(frozen=True)
class Fetched:
    """A page as fetched for a run."""

    response: Response
    digest: str  # the hash of its bytes, which decides whether it changed
    when: str  # when it was fetched (ISO 8601, UTC)


class Prefetch:
    """The pages of a run's ``items`` that have a URL, fetched ahead; see the module docstring."""

    def __init__(
        self, fetcher: PoliteFetcher, store: ResultStore, items: Sequence[Item], ahead: int
    ) -> None:
        self._fetcher = fetcher
        self._pool = ThreadPoolExecutor(max_workers=fetcher.options.fetchers)
        self._ahead = ahead
        # Position -> content hash of the items whose results are current without a fetch.
        self._current = {
            position: digest
            for position, item in enumerate(items)
            if item.url is not None and (digest := _current(store, item)) is not None
        }
        self._queue = [
            (position, item.url)
            for position, item in enumerate(items)
            if item.url is not None and item.problem is None and position not in self._current
        ]
        self._next = 0
        self._futures: dict[int, Future[Fetched]] = {}
        self._lock = threading.Lock()
        self.fetched = 0  # pages fetched so far
        self._fill()

    def current(self, position: int) -> str | None:
        """The content hash of the current result of the item at ``position``, which is not
        fetched again; None for the items that are."""
        return self._current.get(position)

    def page(self, position: int) -> Fetched:
        """The fetched page of the item at ``position`` (one :meth:`current` gives no hash).

        Raises the fetch's :class:`InputError`. Called from one thread only.
        """
        future = self._futures.pop(position)
        self._fill()
        try:
            return future.result()
        except CancelledError:
            raise InputError("stopped, as briefly is shutting down", "fetch") from None

    def close(self) -> None:
        """Stop the fetches under way and drop the rest."""
        self._fetcher.stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self) -> None:
        while self._next < len(self._queue) and len(self._futures) < self._ahead:
            position, url = self._queue[self._next]
            self._next += 1
            self._futures[position] = self._pool.submit(self._fetch, url)

    def _fetch(self, url: str) -> Fetched:
        response = self._fetcher.get(url)
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self.fetched += 1
        return Fetched(response, hashlib.sha256(response.data).hexdigest(), when)


def _current(store: ResultStore, item: Item) -> str | None:
    """The content hash of ``item``'s result of these settings, unless its listing says the
    page changed after it was fetched."""
    known = store.known(item)
    if known is None or item.changed is None:
        return known
    fetched = store.fetched_before(item)
    try:
        changed = fetched is None or _utc(fetched) < _utc(item.changed)
    except ValueError:  # an index.jsonl edited by hand: fetch the page again
        changed = True
    return None if changed else known


def _utc(when: str) -> datetime:
    parsed = datetime.fromisoformat(when)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
