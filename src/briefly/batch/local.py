"""Briefing many articles: streaming groups, resuming, and recording every failure.

Built on :meth:`briefly.pipeline.Briefer.brief_many`, so each result equals
what ``briefly brief`` writes for the same article and settings. Results and
records go through :class:`briefly.batch.store.ResultStore`, which both engines share.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from briefly.article.loader import Article
from briefly.batch.sources import Item, content_hash, load_item, site_furniture, site_key
from briefly.batch.store import BatchOptions, BatchReport, ResultStore, settings_hash
from briefly.errors import BrieflyError, ModelError, first_line
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
) -> BatchReport:
    """Brief ``items`` into ``out_dir``; see the module docstring for the guarantees.

    While the models work on one group, a thread reads and cleans the next. Ctrl-C and
    SIGTERM abandon the group in flight and return a report marked ``interrupted``.
    """
    options = options or BatchOptions()
    settings = settings_hash(briefer.options, options.fmt, site_furniture=options.site_furniture)
    store = ResultStore(out_dir, items, settings, options)
    furniture = site_furniture(items, max_bytes=options.max_bytes) if options.site_furniture else {}
    started = time.perf_counter()
    notify = on_progress or (lambda _report, _total: None)
    positions = list(range(len(items)))
    groups = [positions[i : i + options.group_size] for i in positions[:: options.group_size]]
    if groups:
        # A model that cannot load stops the run before it starts, leaving OUT_DIR as it was.
        with interrupt_on_sigterm():
            briefer.preload()
    pool = ThreadPoolExecutor(max_workers=1)
    # Set when the run ends early: the reading thread stops between articles and mid-fetch.
    stop = threading.Event()
    try:
        with interrupt_on_sigterm():
            upcoming = (
                pool.submit(_prepare, groups[0], store, options, furniture, stop)
                if groups
                else None
            )
            for k in range(len(groups)):
                assert upcoming is not None  # group k, submitted before the loop or at k - 1
                todo, events = upcoming.result()
                if k + 1 < len(groups):
                    upcoming = pool.submit(_prepare, groups[k + 1], store, options, furniture, stop)
                for event in events:
                    event()
                _brief_group(briefer, todo, store)
                store.report.seconds = time.perf_counter() - started
                notify(store.report, len(items))
                if options.fail_fast and store.report.failed:
                    break
    except KeyboardInterrupt:
        # The group in flight is abandoned; its finished files are complete.
        store.report.interrupted = True
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        store.close(started)
    return store.report


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
    options: BatchOptions,
    furniture: Mapping[str, frozenset[str]],
    stop: threading.Event,
) -> tuple[list[Prepared], list[Callable[[], None]]]:
    """Read and clean a group: (articles to brief, store calls to make for the others).

    Runs in a worker thread, so it returns the calls instead of making them. With
    ``fail_fast`` it stops at the first bad article, keeping the good ones before it.
    """
    todo: list[Prepared] = []
    events: list[Callable[[], None]] = []
    for position in group:
        if stop.is_set():
            break
        item = store.items[position]
        started = time.perf_counter()
        try:
            digest = content_hash(item, max_bytes=options.max_bytes)
            if store.known(item) == digest:
                events.append(partial(store.skip, position, item, digest))
                continue
            lines = furniture.get(site_key(item), frozenset())
            article = load_item(
                item,
                max_bytes=options.max_bytes,
                furniture=lines,
                allow_private_urls=options.allow_private_urls,
                stop=stop,
            )
        except OSError as e:
            kind, message = "unreadable", f"cannot read it ({e.strerror})"
        except BrieflyError as e:
            kind, message = e.kind, str(e)
        else:
            todo.append((position, item, article, digest, time.perf_counter() - started))
            continue
        seconds = time.perf_counter() - started
        events.append(partial(store.fail, position, item, kind, message, seconds))
        if options.fail_fast:
            break
    return todo, events


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
