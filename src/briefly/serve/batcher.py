"""Batching across requests: jobs that arrive together share one model call.

Only jobs with equal keys (the kind of work and the whole options object) are batched
together, and the work function must give each item the result it would get alone, so a
response never depends on what it was batched with. A failing batch is retried item by item,
so one bad request cannot fail its partners.

The work function is given a flag to check between its model calls: it is set once every
client of the batch has given up (a timeout, a disconnect) or the service is stopping, and
the work then raises :class:`Abandoned` instead of finishing for nobody.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

logger = logging.getLogger("briefly.serve")

# A job's key: equal keys may share a model call.
K = TypeVar("K", bound=Hashable)

# (key, items, stopped): ``stopped()`` turns true once no client waits for the result.
RunBatch = Callable[[K, Sequence[Any], Callable[[], bool]], Sequence[Any]]


class QueueFull(Exception):
    """More jobs are waiting than the service accepts; the client should retry later."""


class Abandoned(Exception):
    """Raised by the work when its flag says no one waits for the result any more."""


@dataclass
class _Job:
    item: Any
    cost: int
    future: asyncio.Future


class Batcher(Generic[K]):
    """Gathers jobs for ``wait_s`` (or until ``max_cost``) and runs them on one model thread.

    Model calls run one at a time on a single worker thread: the engines are not
    thread-safe, and one large batch uses the cores better than several small ones.
    """

    def __init__(
        self, run_batch: RunBatch[K], *, wait_s: float, max_cost: int, max_queued: int
    ) -> None:
        self._run_batch = run_batch
        self._wait_s = wait_s
        self._max_cost = max_cost
        self._max_queued = max_queued
        # Insertion-ordered: the key whose first job has waited longest comes first.
        self._pending: dict[K, list[_Job]] = {}
        self._queued = 0
        self._running = 0
        # Totals since start, for /health: jobs answered and the model calls they took.
        self.jobs_done = 0
        self.calls = 0
        self._arrived = asyncio.Event()
        self._full = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefly-model")
        self._task: asyncio.Task | None = None
        self._stopping = threading.Event()

    @property
    def queued(self) -> int:
        """Jobs waiting for the model."""
        return self._queued

    @property
    def running(self) -> int:
        """Jobs in the model call now."""
        return self._running

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        """Stop taking jobs and tell the model call under way to stop at its next check."""
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        # The interpreter joins the model thread at exit, once its current model call ends.
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def submit(self, key: K, item: Any, cost: int) -> Any:
        """The result for ``item``; raises :class:`QueueFull`, or what the work raised for it."""
        if self._queued >= self._max_queued:
            raise QueueFull
        job = _Job(item, cost, asyncio.get_running_loop().create_future())
        jobs = self._pending.setdefault(key, [])
        jobs.append(job)
        self._queued += 1
        self._arrived.set()
        if sum(j.cost for j in jobs) >= self._max_cost:
            self._full.set()
        return await job.future

    async def _loop(self) -> None:
        while True:
            await self._arrived.wait()
            # Give requests sent at the same moment time to join the first one.
            if self._wait_s > 0:
                try:
                    await asyncio.wait_for(self._full.wait(), self._wait_s)
                except TimeoutError:
                    pass
            self._arrived.clear()
            self._full.clear()
            # Work that arrives while the model is busy joins the next call without waiting.
            while self._pending:
                key, jobs = self._take()
                if jobs:
                    await self._execute(key, jobs)

    def _take(self) -> tuple[K, list[_Job]]:
        """The oldest key's jobs, in arrival order, up to the cost budget (at least one)."""
        key = next(iter(self._pending))
        waiting = self._pending.pop(key)
        taken: list[_Job] = []
        cost = 0
        while waiting:
            job = waiting[0]
            if taken and cost + job.cost > self._max_cost:
                break
            waiting.pop(0)
            self._queued -= 1
            if job.future.done():  # the client gave up (timeout or disconnect)
                continue
            taken.append(job)
            cost += job.cost
        if waiting:
            self._pending[key] = waiting
        return key, taken

    async def _execute(self, key: K, jobs: list[_Job]) -> None:
        jobs = [job for job in jobs if not job.future.done()]
        if not jobs:
            return
        loop = asyncio.get_running_loop()
        abandoned = threading.Event()

        def gave_up(_future: asyncio.Future) -> None:
            if all(job.future.done() for job in jobs):
                abandoned.set()

        for job in jobs:
            job.future.add_done_callback(gave_up)
        self._running = len(jobs)
        self.calls += 1
        try:
            results = await loop.run_in_executor(
                self._executor,
                self._run_batch,
                key,
                [j.item for j in jobs],
                lambda: abandoned.is_set() or self._stopping.is_set(),
            )
        except Abandoned as e:
            logger.info("batch of %d abandoned: no one waits for it", len(jobs))
            for job in jobs:
                _settle(job, error=e)
        except Exception as e:  # delivered to the job, or each job retried alone below
            if len(jobs) == 1:
                _settle(jobs[0], error=e)
                self.jobs_done += 1
            else:
                logger.info("batch of %d failed (%s); retrying one by one", len(jobs), e)
                for job in jobs:
                    await self._execute(key, [job])
        else:
            for job, result in zip(jobs, results, strict=True):
                _settle(job, result=result)
            self.jobs_done += len(jobs)
        finally:
            self._running = 0


def _settle(job: _Job, *, result: Any = None, error: BaseException | None = None) -> None:
    if job.future.done():
        return
    if error is not None:
        job.future.set_exception(error)
    else:
        job.future.set_result(result)
