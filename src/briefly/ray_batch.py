"""Batch mode on a Ray cluster: the results of :mod:`briefly.batch`, spread over machines.

Articles are listed on the driver exactly as in local batch mode (so output names match), become
a Ray Dataset, are read and cleaned by parallel tasks, and are briefed by a pool of actors that
each build a :class:`~briefly.pipeline.Briefer` from its settings and load the models once.
Results stream back to the driver, which alone writes OUT_DIR: per-article JSON stamped for
resume as in local batch mode, or numbered JSONL/Parquet shards. Input files and model paths
must be readable from every node; OUT_DIR only from the driver.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from briefly.batch import (
    _READABLE_SUFFIX,
    BatchOptions,
    BatchReport,
    _brief_isolating_failures,
    _entry,
    _failure,
    _read_result,
    _stamp,
    _write_records,
    content_hash,
    settings_hash,
)
from briefly.errors import BrieflyError, UsageError
from briefly.files import write_atomic
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from briefly.results import Brief
from briefly.sources import Item, load_item

OUT_FORMATS = ("files", "jsonl", "parquet")

# Results per shard: a run stopped by a crash (not Ctrl-C) redoes at most this many articles.
_SHARD_ROWS = 1000
_SHARD_NAME = re.compile(r"part-(\d+)$")


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

    Only the briefer's settings travel: each actor builds its own and loads the models there.
    ``address`` is a running cluster (None: the one already connected, ``RAY_ADDRESS``, or a new
    local instance); ``workers`` fixes the number of model actors (None: from one up to what the
    cluster fits); ``gpus_per_worker`` defaults to one GPU per actor when the cluster has GPUs.
    """
    options = options or BatchOptions()
    ray = _import_ray()
    if out_format not in OUT_FORMATS:
        raise UsageError(
            f"Unknown output format '{out_format}': use one of {', '.join(OUT_FORMATS)}"
        )
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    if out_format != "files" and options.fmt in _READABLE_SUFFIX:
        raise UsageError(
            f"--format {options.fmt} writes a file beside each JSON result: "
            "use --format json with --out-format jsonl or parquet"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = settings_hash(briefer, options.fmt)
    sink = _Files(out_dir, options.fmt) if out_format == "files" else _Shards(out_dir, out_format)
    done = {} if options.force else sink.done(items, settings)
    started_ray = not ray.is_initialized()
    if started_ray:
        ray.init(address=address)
    try:
        gpus = _gpus(ray, briefer, gpus_per_worker)
        rows = _stream(briefer, items, done, settings, options, workers, gpus) if items else ()
        return _collect(rows, items, sink, out_dir, options, on_progress, out_format)
    finally:
        if started_ray:
            ray.shutdown()


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as e:
        raise UsageError("Batch mode on Ray needs Ray: pip install 'briefly[ray]'") from e
    return ray


def _gpus(ray, briefer: Briefer, gpus_per_worker: float | None) -> float:
    if gpus_per_worker is not None:
        return gpus_per_worker
    has_gpus = ray.cluster_resources().get("GPU", 0) > 0
    return 1 if has_gpus and briefer.options.device != "cpu" else 0


def _stream(briefer, items, done, settings, options, workers, gpus):
    """Rows of results, one per item, in whatever order the cluster finishes them."""
    import ray.data

    rows = [
        {
            "position": i,
            "source": item.source,
            "path": "" if item.path is None else str(item.path),
            "record": "" if item.record is None else json.dumps(item.record, ensure_ascii=False),
            "known": done.get(item.name, {}).get("content", ""),
        }
        for i, item in enumerate(items)
    ]
    dataset = ray.data.from_items(rows)
    # briefly reports progress itself; Ray's bars would fight with its own.
    dataset.context.enable_progress_bars = False
    # Half a CPU: cleaning is light and often waits on disk or network. Differing resources
    # also keep Ray from fusing it into the model actors, so it runs in tasks of its own.
    cleaned = dataset.map(_clean, fn_kwargs={"max_bytes": options.max_bytes}, num_cpus=0.5)
    pool = (
        ray.data.ActorPoolStrategy(size=workers)
        if workers is not None
        else ray.data.ActorPoolStrategy(min_size=1)
    )
    briefed = cleaned.map_batches(
        _BriefActor,
        batch_size=options.group_size,
        batch_format="pyarrow",
        compute=pool,
        num_gpus=gpus,
        fn_constructor_kwargs={
            "briefer_settings": briefer.options.to_dict(),
            "settings": settings,
        },
    )
    return briefed.iter_rows()


def _clean(row: dict, max_bytes: int) -> dict:
    """One article's row, read and cleaned unless its result is already up to date."""
    started = time.perf_counter()
    item = Item(
        source=row["source"],
        name="",
        path=Path(row["path"]) if row["path"] else None,
        record=json.loads(row["record"]) if row["record"] else None,
    )
    # Every row has every column, so that Ray sees one schema.
    out = {"position": row["position"], "kind": "", "message": "", "digest": "", "article": ""}
    out |= _read(item, row["known"], max_bytes)
    return out | {"result": "", "error": b"", "seconds": time.perf_counter() - started}


def _read(item: Item, known: str, max_bytes: int) -> dict:
    try:
        digest = content_hash(item)
    except OSError as e:
        return {
            "status": "failed",
            "kind": "unreadable",
            "message": f"cannot read it ({e.strerror})",
        }
    if digest == known:
        return {"status": "skipped", "digest": digest}
    try:
        article = load_item(item, max_bytes=max_bytes)
    except BrieflyError as e:
        return {"status": "failed", "kind": e.kind, "message": str(e), "digest": digest}
    return {"status": "todo", "digest": digest, "article": json.dumps(asdict(article))}


class _BriefActor:
    """A model worker: builds its Briefer from plain settings, as models must not be pickled."""

    def __init__(self, briefer_settings: dict, settings: str) -> None:
        self._briefer = Briefer(BriefOptions.from_dict(briefer_settings))
        self._settings = settings
        self._error: BrieflyError | None = None
        try:
            self._briefer.preload()
        except BrieflyError as e:
            # Ray reports a constructor's error without its type or message, so it goes to
            # the driver with the first batch instead, to stop the run as local mode does.
            self._error = e

    def __call__(self, batch):
        import pyarrow as pa

        rows = batch.to_pylist()
        todo = [row for row in rows if row["status"] == "todo"]
        if self._error is not None:
            for row in rows:
                row |= {"status": "fatal", "error": pickle.dumps(self._error)}
        elif todo:
            self._brief(todo)
        for row in rows:
            del row["article"]
        return pa.Table.from_pylist(rows)

    def _brief(self, todo: list[dict]) -> None:
        from briefly.loader import Article

        started = time.perf_counter()
        articles = [Article(**json.loads(row["article"])) for row in todo]
        briefs = _brief_isolating_failures(self._briefer, articles)
        share = (time.perf_counter() - started) / len(todo)
        for row, brief in zip(todo, briefs, strict=True):
            row["seconds"] += share
            if isinstance(brief, BrieflyError):
                row |= {"status": "failed", "kind": brief.kind, "message": str(brief)}
                continue
            record = brief.to_dict() | {"_batch": _stamp(row["digest"], self._settings)}
            row |= {"status": "done", "result": json.dumps(record, ensure_ascii=False)}


def _collect(rows, items, sink, out_dir, options, on_progress, out_format) -> BatchReport:
    """Write results as they arrive; on any stop, keep what is finished and write the records."""
    report = BatchReport()
    started = time.perf_counter()
    notify = on_progress or (lambda _report, _total: None)
    try:
        for handled, row in enumerate(rows, 1):
            _handle(row, items[row["position"]], sink, report)
            report.seconds = time.perf_counter() - started
            if handled % options.group_size == 0 or handled == len(items):
                notify(report, len(items))
            if options.fail_fast and report.failed:
                break
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        sink.close()
        report.seconds = time.perf_counter() - started
        # Listed in input order, whatever order the cluster finished the articles in.
        rank = {item.source: i for i, item in enumerate(items)}
        report.index.sort(key=lambda entry: rank[entry["source"]])
        report.errors.sort(key=lambda error: rank[error["source"]])
        # Shards already gather all results; results.jsonl is for per-article files.
        records = options if out_format == "files" else replace(options, jsonl_output=False)
        _write_records(out_dir, report, records)
    return report


def _handle(row: dict, item: Item, sink, report: BatchReport) -> None:
    if row["status"] == "fatal":
        raise pickle.loads(row["error"])
    if row["status"] == "failed":
        # _failure times from a start; this article's time was spent on the cluster.
        started = time.perf_counter() - row["seconds"]
        entry, error = _failure(item, row["kind"], row["message"], started)
        report.failed += 1
        report.index.append(entry)
        report.errors.append(error)
    elif row["status"] == "skipped":
        previous = sink.previous[item.name]
        report.skipped += 1
        report.index.append(
            _entry(item, "skipped", previous["title"], previous["output"], row["digest"])
        )
    else:
        record = json.loads(row["result"])
        output = sink.write(item, record)
        report.done += 1
        report.index.append(
            _entry(item, "done", record["title"], output, row["digest"], row["seconds"])
        )


class _Files:
    """One JSON file per article (plus a readable copy), as local batch mode writes."""

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self._dir = out_dir
        self._fmt = fmt
        self.previous: dict[str, dict] = {}  # name -> stamp, title and output of a result

    def done(self, items: Sequence[Item], settings: str) -> dict[str, dict]:
        """The results already made with ``settings``, by article name."""
        for item in items:
            path = self._dir / f"{item.name}.json"
            result = _read_result(path)
            stamp = result.get("_batch")
            if isinstance(stamp, dict) and stamp.get("settings") == settings:
                self.previous[item.name] = stamp | {"title": result.get("title"), "output": path}
        return self.previous

    def write(self, item: Item, record: dict) -> Path:
        from briefly.render import render_brief

        if self._fmt in _READABLE_SUFFIX:
            brief = Brief.from_dict(record)
            readable = self._dir / f"{item.name}{_READABLE_SUFFIX[self._fmt]}"
            write_atomic(readable, render_brief(brief, self._fmt))
        path = self._dir / f"{item.name}.json"
        # The JSON goes last: its presence is what marks the article done.
        write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return path

    def close(self) -> None:
        """Nothing is buffered: each result is written as it arrives."""


class _Shards:
    """Results gathered into numbered shards, ``part-NNNNN.jsonl`` or ``.parquet``.

    An article redone (changed, new settings, --force) lands in a new shard; on close, older
    shards are rewritten without it, so each article appears once. After a crash the newest
    copy wins until the next run cleans up.
    """

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self._dir = out_dir
        self._fmt = fmt
        self.previous: dict[str, dict] = {}  # name -> stamp, title and output of a result
        self._names: dict[Path, list[str]] = {}  # shard -> its article names, oldest first
        self._rows: list[dict] = []  # results waiting for the next shard
        numbered = []
        for path in out_dir.glob(f"part-*.{fmt}"):
            match = _SHARD_NAME.match(path.stem)
            if match:
                numbered.append((int(match.group(1)), path))
        for _, path in sorted(numbered):
            rows = _read_shard(path, fmt)
            self._names[path] = [row["name"] for row in rows]
            for row in rows:
                self.previous[row["name"]] = row["_batch"] | {"title": row["title"], "output": path}
        self._next = max((n for n, _ in numbered), default=-1) + 1

    def done(self, items: Sequence[Item], settings: str) -> dict[str, dict]:
        """The results already made with ``settings``, by article name."""
        wanted = {item.name for item in items}
        return {
            name: result
            for name, result in self.previous.items()
            if name in wanted and result["settings"] == settings
        }

    def write(self, item: Item, record: dict) -> Path:
        self._rows.append(record | {"name": item.name})
        path = self._shard_path()
        if len(self._rows) == _SHARD_ROWS:
            self._flush()
        return path

    def close(self) -> None:
        self._flush()
        latest = {name: path for path, names in self._names.items() for name in names}
        for path, names in list(self._names.items()):
            if all(latest[name] == path for name in names):
                continue
            keep = [row for row in _read_shard(path, self._fmt) if latest[row["name"]] == path]
            if keep:
                _write_shard(path, keep, self._fmt)
            else:
                path.unlink()
            self._names[path] = [row["name"] for row in keep]

    def _shard_path(self) -> Path:
        return self._dir / f"part-{self._next:05d}.{self._fmt}"

    def _flush(self) -> None:
        if not self._rows:
            return
        path = self._shard_path()
        _write_shard(path, self._rows, self._fmt)
        self._names[path] = [row["name"] for row in self._rows]
        self._rows = []
        self._next += 1


def _read_shard(path: Path, fmt: str) -> list[dict]:
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def _write_shard(path: Path, rows: list[dict], fmt: str) -> None:
    if fmt == "jsonl":
        write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Same pattern as write_atomic, for bytes: a reader never sees half a shard.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pq.write_table(pa.Table.from_pylist(rows), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
