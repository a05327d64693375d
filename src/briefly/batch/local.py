"""Briefing many articles: streaming groups, resuming, and recording every failure.

Built on :meth:`briefly.pipeline.Briefer.brief_many`, so each result equals
what ``briefly brief`` writes for the same article and settings. Results and
records go through :class:`briefly.batch.store.ResultStore`, which both engines share.

With ``article_timeout``, each article is read and cleaned in a separate worker process
that is killed when it takes longer (a pathological page, a dripping server), so that
article fails with kind "timeout" and the run goes on; the models' work is not timed, since
stopping it would mean reloading them. The worker is started afresh after a kill.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from briefly.article.fetch import Response
from briefly.article.loader import Article
from briefly.batch.sources import Item, content_hash, load_item, site_furniture, site_key
from briefly.batch.store import BatchOptions, BatchReport, ResultStore, settings_hash
from briefly.batch.web.polite import PoliteFetcher, WebOptions
from briefly.batch.web.prefetch import Prefetch
from briefly.errors import BrieflyError, InputError, ModelError, first_line
from briefly.pipeline import Briefer
from briefly.results import Brief

# An article read and cleaned for briefing: its position, item, article, content hash and
# the seconds reading took.
Prepared = tuple[int, Item, Article, str, float]

__all__ = [
    "BatchOptions",
    "BatchReport",
    "brief_isolating_failures",
    "interrupt_on_sigterm",
    "run_batch",
]


def run_batch(
    briefer: Briefer,
    items: Sequence[Item],
    out_dir: Path,
    options: BatchOptions | None = None,
    on_progress: Callable[[BatchReport, int], None] | None = None,
    fetcher: PoliteFetcher | None = None,
) -> BatchReport:
    """Brief ``items`` into ``out_dir``; see the module docstring for the guarantees.

    While the models work on one group, a thread reads and cleans the next, and the pages
    of items with a URL are fetched ahead by ``fetcher`` (see :mod:`briefly.batch.web.prefetch`;
    by default one with :class:`~briefly.batch.web.polite.WebOptions`' defaults). Ctrl-C and
    SIGTERM abandon the group in flight and return a report marked ``interrupted``.
    """
    options = options or BatchOptions()
    settings = settings_hash(briefer.options, site_furniture=options.site_furniture)
    store = ResultStore(out_dir, items, settings, options)
    started = time.perf_counter()
    notify = on_progress or (lambda _report, _total: None)
    positions = list(range(len(items)))
    groups = [positions[i : i + options.group_size] for i in positions[:: options.group_size]]
    try:
        # A model that cannot load stops the run before it starts, leaving OUT_DIR as it was.
        with interrupt_on_sigterm():
            store.report.stage = "loading models"
            notify(store.report, len(items))
            furniture = (
                site_furniture(items, max_bytes=options.max_bytes) if options.site_furniture else {}
            )
            if groups:
                briefer.preload()
    except BaseException:
        store.release()
        raise
    store.report.stage = "briefing"
    pool = ThreadPoolExecutor(max_workers=1)
    loader = _Loader(options)
    web = None
    if any(item.url is not None for item in items):
        fetcher = fetcher or PoliteFetcher(
            WebOptions(max_bytes=options.max_bytes, allow_private_urls=options.allow_private_urls)
        )
        ahead = 2 * max(options.group_size, fetcher.options.fetchers)
        web = Prefetch(fetcher, store, items, ahead)
    prepare = partial(_prepare, store=store, loader=loader, furniture=furniture, web=web)
    try:
        with interrupt_on_sigterm():
            upcoming = pool.submit(prepare, groups[0]) if groups else None
            for k in range(len(groups)):
                assert upcoming is not None  # group k, submitted before the loop or at k - 1
                todo, events = upcoming.result()
                if k + 1 < len(groups):
                    upcoming = pool.submit(prepare, groups[k + 1])
                for event in events:
                    event()
                _brief_group(briefer, todo, store)
                store.report.fetched = web.fetched if web is not None else 0
                store.report.seconds = time.perf_counter() - started
                notify(store.report, len(items))
                if options.fail_fast and store.report.failed:
                    break
    except KeyboardInterrupt:
        # The group in flight is abandoned; its finished files are complete.
        store.report.interrupted = True
    finally:
        loader.stop()
        if web is not None:
            web.close()
            store.report.fetched = web.fetched
        pool.shutdown(wait=True, cancel_futures=True)
        store.close(started)
    return store.report


class _Loader:
    """Reads and cleans articles, in a worker process when they have a time limit."""

    def __init__(self, options: BatchOptions) -> None:
        self._options = options
        # Set when the run ends early: the reading thread stops between articles and mid-fetch.
        self.stopped = threading.Event()
        self._pool: ProcessPool | None = None
        if options.article_timeout is not None:
            # Spawned, not forked: the models' threads make fork unsafe.
            self._pool = ProcessPool(
                max_workers=1,
                context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts,
            )

    def load(self, item: Item, furniture: frozenset[str], page: Response | None = None):
        how = partial(
            load_item,
            max_bytes=self._options.max_bytes,
            furniture=furniture,
            allow_private_urls=self._options.allow_private_urls,
            page=page,
        )
        if self._pool is None:
            return how(item, stop=self.stopped)
        # An event cannot reach the spawned worker: stop() ends the worker instead.
        limit = self._options.article_timeout
        future = self._pool.schedule(how, (item,), timeout=limit)
        try:
            return future.result()
        except TimeoutError:
            raise InputError(
                f"reading and cleaning it took longer than --article-timeout {limit:g}s: "
                "check the page, or give it a longer --article-timeout",
                "timeout",
            ) from None
        except ProcessExpired as e:
            raise InputError(
                f"the process reading it ended ({e}): rerun it alone with `briefly extract`",
                "crashed",
            ) from None

    def stop(self) -> None:
        self.stopped.set()
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()


def _ignore_interrupts() -> None:
    """In the worker process: Ctrl-C reaches the whole process group, but the run handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM (timeout, systemd, schedulers) like Ctrl-C while a run is going."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _prepare(
    group: Sequence[int],
    store: ResultStore,
    loader: _Loader,
    furniture: Mapping[str, frozenset[str]],
    web: Prefetch | None,
) -> tuple[list[Prepared], list[Callable[[], None]]]:
    """Read and clean a group: (articles to brief, store calls to make for the others).

    Runs in a worker thread, so it returns the calls instead of making them. With
    ``fail_fast`` it stops at the first bad article, keeping the good ones before it.
    """
    options = store.options
    todo: list[Prepared] = []
    events: list[Callable[[], None]] = []
    for position in group:
        if loader.stopped.is_set():
            break
        item = store.items[position]
        started = time.perf_counter()
        try:
            page = None
            if web is not None and item.url is not None:
                current = web.current(position)
                if current is not None:  # briefed, and unchanged as far as its listing says
                    events.append(partial(store.skip, position, item, current))
                    continue
                fetched = web.page(position)
                events.append(partial(store.note_fetch, position, fetched.when))
                page, digest = fetched.response, fetched.digest
            else:
                digest = content_hash(item, max_bytes=options.max_bytes)
            if store.known(item) == digest:
                events.append(partial(store.skip, position, item, digest))
                continue
            article = loader.load(item, furniture.get(site_key(item), frozenset()), page)
        except OSError as e:
            kind, message = "unreadable", f"cannot read it ({e.strerror})"
        except BrieflyError as e:
            kind, message = e.kind, str(e)
        else:
            if page is not None and _older(article, options.since):
                reason = f"published {article.published}, before --since {options.since}"
                events.append(partial(store.exclude, position, item, digest, reason))
            else:
                todo.append((position, item, article, digest, time.perf_counter() - started))
            continue
        seconds = time.perf_counter() - started
        events.append(partial(store.fail, position, item, kind, message, seconds))
        if options.fail_fast:
            break
    return todo, events


def _older(article: Article, since: str | None) -> bool:
    return since is not None and article.published is not None and article.published < since


def _brief_group(briefer: Briefer, todo: list[Prepared], store: ResultStore) -> None:
    if not todo:
        return
    started = time.perf_counter()
    briefs = brief_isolating_failures(briefer, [t[2] for t in todo])
    share = (time.perf_counter() - started) / len(todo)
    for (position, item, _article, digest, load_seconds), brief in zip(todo, briefs, strict=True):
        if isinstance(brief, BrieflyError):
            store.fail(position, item, brief.kind, str(brief), load_seconds + share)
        else:
            store.save(position, item, brief, digest, load_seconds + share)


def brief_isolating_failures(briefer: Briefer, articles: list) -> list[Brief | BrieflyError]:
    """Brief a group together; when a model fails, brief one by one to find the culprit.

    The main models were loaded before the run; a ModelError here comes from a
    model only some articles need (translating a language into English).
    """
    try:
        return list(briefer.brief_many(articles))
    except ModelError as e:
        if len(articles) == 1:
            return [e]
    except (RuntimeError, ValueError, IndexError) as e:
        if len(articles) == 1:
            return [
                ModelError(
                    f"the model failed on this article ({first_line(e)}): "
                    "rerun it alone with `briefly brief --debug` to see why"
                )
            ]
    return [out for article in articles for out in brief_isolating_failures(briefer, [article])]
