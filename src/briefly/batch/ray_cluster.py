"""Batch mode on a Ray cluster: the results of :mod:`briefly.batch.local`, spread over machines.

Articles are listed on the driver exactly as in local batch mode (so output names match), become
a Ray Dataset, are read and cleaned by parallel tasks, and are briefed by a pool of actors that
each build a :class:`~briefly.pipeline.Briefer` from the shipped :class:`BriefOptions` and load
the models once. Articles and briefs travel as objects (Ray pickles them). Results stream back
to the driver, which alone writes OUT_DIR through the same :class:`~briefly.batch.store.ResultStore`
as local mode. Input files and model paths must be readable from every node; OUT_DIR only from
the driver.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from briefly.batch.local import (
    BatchOptions,
    BatchReport,
    brief_isolating_failures,
    interrupt_on_sigterm,
)
from briefly.batch.sources import Item, content_hash, load_item, site_furniture, site_key
from briefly.batch.store import ResultStore, settings_hash
from briefly.errors import BrieflyError, UsageError
from briefly.options import BriefOptions
from briefly.pipeline import Briefer

__all__ = ["run_batch_ray"]

logger = logging.getLogger("briefly")

# CPUs a model worker holds, and what the reading and cleaning tasks need beside the workers:
# a pool that took every CPU would leave those tasks waiting for ever.
_WORKER_CPUS = 1.0
_CLEAN_CPUS = 0.5


def run_batch_ray(
    briefer: Briefer,
    items: Sequence[Item],
    out_dir: Path,
    options: BatchOptions | None = None,
    on_progress: Callable[[BatchReport, int], None] | None = None,
    *,
    address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float | None = None,
    out_format: str = "files",
) -> BatchReport:
    """Brief ``items`` into ``out_dir`` on Ray, with the guarantees of :func:`run_batch`.

    Only the briefer's options travel: each actor builds its own briefer and loads the models
    there. ``address`` is a running cluster (None: the one already connected, ``RAY_ADDRESS``,
    or a new local instance); ``workers`` fixes the number of model actors (None: from one up
    to what the cluster fits with CPU left for cleaning); ``gpus_per_worker`` defaults to one
    GPU per actor when the cluster has GPUs. A request the cluster cannot meet is a UsageError
    before any work starts.
    """
    options = options or BatchOptions()
    ray = _import_ray()
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    brief = briefer.options
    if options.article_timeout is not None:
        raise UsageError(
            "--article-timeout works with --engine local: leave it out with --engine ray"
        )
    store = ResultStore(
        out_dir,
        items,
        settings_hash(brief, site_furniture=options.site_furniture),
        options,
        out_format,
    )
    started_ray = not ray.is_initialized()
    try:
        if started_ray:
            _init(ray, address)
        # Checked before the run starts, so a refused request leaves OUT_DIR as it was.
        gpus = _gpus(ray, brief, gpus_per_worker)
        pool = _pool(ray, workers, gpus)
    except BaseException:
        store.release()
        if started_ray:
            ray.shutdown()
        raise
    try:
        started = time.perf_counter()
        store.report.stage = "loading models"
        if on_progress is not None:
            on_progress(store.report, len(items))
        try:
            with interrupt_on_sigterm():
                if items:
                    rows = _stream(ray, brief, store, options, pool, gpus)
                    _collect(rows, store, options, on_progress)
        except KeyboardInterrupt:
            store.report.interrupted = True
        finally:
            store.close(started)
    finally:
        if started_ray:
            ray.shutdown()
    return store.report


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as e:
        raise UsageError("Batch mode on Ray needs Ray: pip install 'briefly[ray]'") from e
    return ray


def _init(ray, address: str | None) -> None:
    """Join or start Ray, quietly unless briefly logs at debug level."""
    verbose = logger.isEnabledFor(logging.DEBUG)
    if not verbose:
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)
        # Ray's C++ core (core_worker.cc, raylet) logs to stderr on its own, at error level
        # for things it recovers from (a worker that exits at shutdown); processes read the
        # level when they start, and a local cluster's inherit it from this one.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    # Ray puts the driver's working directory first on every worker's sys.path, so a
    # ``briefly/`` folder there (a git clone) would shadow the installed package on the
    # workers. Starting from the package's own parent makes that entry harmless.
    with _working_directory(Path(__file__).resolve().parent.parent):
        ray.init(
            address=address,
            logging_level=logging.INFO if verbose else logging.ERROR,
            log_to_driver=verbose,
        )
    context = ray.data.DataContext.get_current()
    # briefly reports progress itself; Ray's bars would fight with its own.
    context.enable_progress_bars = False


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _gpus(ray, options: BriefOptions, gpus_per_worker: float | None) -> float:
    have = ray.cluster_resources().get("GPU", 0)
    if gpus_per_worker is None:
        return 1 if have > 0 and options.device != "cpu" else 0
    if gpus_per_worker > have:
        raise UsageError(
            f"--gpus-per-worker {gpus_per_worker:g} asks for more GPUs than this Ray cluster "
            f"has ({have:g}): use --gpus-per-worker 0 to brief on CPUs, or join a cluster "
            "with GPUs"
        )
    return gpus_per_worker


def _pool(ray, workers: int | None, gpus: float):
    """The actor pool: as many workers as fit with CPU left for reading and cleaning."""
    resources = ray.cluster_resources()
    cpus = resources.get("CPU", 0)
    most = int((cpus - _CLEAN_CPUS) // _WORKER_CPUS)
    if gpus > 0:
        most = min(most, int(resources.get("GPU", 0) // gpus))
    if most < 1:
        raise UsageError(
            f"This Ray cluster has {cpus:g} CPUs: a model worker takes {_WORKER_CPUS:g} and "
            f"reading articles {_CLEAN_CPUS:g} more; start Ray with at least "
            f"{_WORKER_CPUS + _CLEAN_CPUS:g} CPUs (ray start --num-cpus 2)"
        )
    if workers is not None and workers > most:
        raise UsageError(
            f"--workers {workers} does not fit this Ray cluster ({cpus:g} CPUs"
            + (f", {resources.get('GPU', 0):g} GPUs" if gpus else "")
            + f"; each worker takes {_WORKER_CPUS:g} CPU and reading articles needs "
            f"{_CLEAN_CPUS:g}): use --workers {most} or fewer"
        )
    if workers is not None:
        return ray.data.ActorPoolStrategy(size=workers)
    return ray.data.ActorPoolStrategy(min_size=1, max_size=most)


def _stream(ray, options: BriefOptions, store: ResultStore, batch: BatchOptions, pool, gpus):
    """Rows of results, one per item, in whatever order the cluster finishes them."""
    portable = [_portable(item) for item in store.items]
    rows = [
        {"position": i, "item": item, "known": store.known(original) or ""}
        for i, (item, original) in enumerate(zip(portable, store.items, strict=True))
    ]
    # Keyed as the cleaning tasks will see the items: with absolute paths.
    furniture = site_furniture(portable, max_bytes=batch.max_bytes) if batch.site_furniture else {}
    # Differing resources keep Ray from fusing cleaning into the model actors.
    cleaned = ray.data.from_items(rows).map(
        _clean,
        fn_kwargs={
            "max_bytes": batch.max_bytes,
            "furniture": furniture,
            "allow_private_urls": batch.allow_private_urls,
        },
        num_cpus=_CLEAN_CPUS,
    )
    briefed = cleaned.map_batches(
        _BriefActor,
        batch_size=batch.group_size,
        compute=pool,
        num_cpus=_WORKER_CPUS,
        num_gpus=gpus,
        fn_constructor_kwargs={"options": options.to_dict(), "cwd": os.getcwd()},
    )
    return briefed.iter_rows()


def _portable(item: Item) -> Item:
    """The item with an absolute path, since workers need not share the driver's directory."""
    # Not resolved: the driver has judged the links, and a loop has no resolved path.
    return item if item.path is None else replace(item, path=Path(os.path.abspath(item.path)))


def _clean(
    row: dict, max_bytes: int, furniture: dict[str, frozenset[str]], allow_private_urls: bool
) -> dict:
    """One article's row, read and cleaned unless its result is already up to date."""
    started = time.perf_counter()
    item: Item = row["item"]
    out = {"position": row["position"], "status": "todo", "digest": "", "payload": None}
    try:
        out["digest"] = content_hash(item, max_bytes=max_bytes)
        if out["digest"] == row["known"]:
            out["status"] = "skipped"
        else:
            lines = furniture.get(site_key(item), frozenset())
            out["payload"] = load_item(
                item,
                max_bytes=max_bytes,
                furniture=lines,
                allow_private_urls=allow_private_urls,
            )
    except OSError as e:
        out |= {"status": "failed", "payload": ("unreadable", f"cannot read it ({e.strerror})")}
    except BrieflyError as e:
        out |= {"status": "failed", "payload": (e.kind, str(e))}
    return out | {"seconds": time.perf_counter() - started}


class _BriefActor:
    """A model worker: builds a Briefer from the shipped options (models are never pickled)."""

    def __init__(self, options: dict, cwd: str) -> None:
        # Relative model and prompt paths mean the driver's folder (Ray was started elsewhere,
        # see _init). On another node that folder may not exist; paths must be shared there.
        with contextlib.suppress(OSError):
            os.chdir(cwd)
        self._briefer = Briefer(BriefOptions.from_dict(options))
        self._error: BrieflyError | None = None
        try:
            self._briefer.preload()
        except BrieflyError as e:
            # Ray reports a constructor's error without its type or message, so it goes to
            # the driver with the first batch instead, to stop the run as local mode does.
            self._error = e

    def __call__(self, batch: dict) -> dict:
        columns = list(batch)
        rows = [
            dict(zip(columns, values, strict=True)) for values in zip(*batch.values(), strict=True)
        ]
        if self._error is not None:
            for row in rows:
                row |= {"status": "fatal", "payload": self._error}
        todo = [row for row in rows if row["status"] == "todo"]
        if todo:
            started = time.perf_counter()
            briefs = brief_isolating_failures(self._briefer, [row["payload"] for row in todo])
            share = (time.perf_counter() - started) / len(todo)
            for row, brief in zip(todo, briefs, strict=True):
                row["seconds"] += share
                if isinstance(brief, BrieflyError):
                    row |= {"status": "failed", "payload": (brief.kind, str(brief))}
                else:
                    row |= {"status": "done", "payload": brief}
        return {key: [row[key] for row in rows] for key in columns}


def _collect(rows, store: ResultStore, options: BatchOptions, on_progress) -> None:
    """Write results as they arrive; a fatal worker error stops the run."""
    notify = on_progress or (lambda _report, _total: None)
    total = len(store.items)
    started = time.perf_counter()
    for handled, row in enumerate(rows, 1):
        position = int(row["position"])
        item = store.items[position]
        status, payload = row["status"], row["payload"]
        store.report.stage = "briefing"
        if status == "fatal":
            raise payload
        if status == "failed":
            store.fail(position, item, payload[0], payload[1], row["seconds"])
        elif status == "skipped":
            store.skip(position, item, row["digest"])
        else:
            store.save(position, item, payload, row["digest"], row["seconds"])
        store.report.seconds = time.perf_counter() - started
        if handled % options.group_size == 0 or handled == total:
            notify(store.report, total)
        if options.fail_fast and store.report.failed:
            break
