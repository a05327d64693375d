"""Briefing many articles: streaming groups, resuming, and recording every failure.

Built on :meth:`briefly.pipeline.Briefer.brief_many`, so each result equals
what ``briefly brief`` writes for the same article and settings. Result files
are written atomically and carry the hash of the article and of the settings
that made them, which is what lets a re-run skip finished work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from briefly.errors import BrieflyError, ModelError, first_line
from briefly.files import write_atomic
from briefly.pipeline import Briefer
from briefly.render import render_brief
from briefly.results import Brief
from briefly.sources import Item

logger = logging.getLogger("briefly")

# With --format markdown or text, a readable copy is written beside each JSON result.
_READABLE_SUFFIX = {"markdown": ".md", "text": ".txt"}


@dataclass(frozen=True)
class BatchOptions:
    """How a batch run writes and paces its work."""

    fmt: str = "json"  # "json"; "markdown" or "text" add a .md or .txt beside each .json
    force: bool = False  # redo articles that already have a result
    fail_fast: bool = False  # stop at the first failed article
    group_size: int = 16  # articles read and briefed together
    max_bytes: int = 10_000_000  # larger articles are recorded as failures
    jsonl_output: bool = False  # also gather all results into results.jsonl


@dataclass
class BatchReport:
    """What a batch run did."""

    done: int = 0  # articles briefed in this run
    skipped: int = 0  # articles whose result was already up to date
    failed: int = 0  # articles recorded in errors.jsonl
    ignored_files: int = 0  # files that are not articles
    seconds: float = 0.0  # wall-clock time of the run
    interrupted: bool = False  # stopped by Ctrl-C
    index: list[dict] = field(default_factory=list)  # one entry per article
    errors: list[dict] = field(default_factory=list)  # one entry per failure

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def settings_hash(briefer: Briefer, fmt: str) -> str:
    """Identify everything that changes a result: models, languages, backend, format."""
    from briefly import __version__
    from briefly.engines import ct2_available

    options = briefer.options
    settings = {
        "options": options.to_dict(),
        # "auto" means ct2 or torch depending on what is installed.
        "backend": options.backend if options.backend != "auto" else f"auto:{ct2_available()}",
        "format": fmt,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def content_hash(item: Item) -> str:
    if item.path is not None:
        data = item.path.read_bytes()
    else:
        data = json.dumps(item.record, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def run_batch(
    briefer: Briefer,
    items: Sequence[Item],
    out_dir: Path,
    options: BatchOptions = BatchOptions(),
    on_progress: Callable[[BatchReport, int], None] | None = None,
) -> BatchReport:
    """Brief ``items`` into ``out_dir``; see the module docstring for the guarantees.

    While the models work on one group, a thread reads and cleans the next.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = BatchReport()
    settings = settings_hash(briefer, options.fmt)
    started = time.perf_counter()
    notify = on_progress or (lambda _report, _total: None)
    groups = [items[i : i + options.group_size] for i in range(0, len(items), options.group_size)]
    if groups:
        briefer.preload()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        upcoming = pool.submit(_prepare, groups[0], out_dir, settings, options) if groups else None
        for k in range(len(groups)):
            todo, events = upcoming.result()
            if k + 1 < len(groups):
                upcoming = pool.submit(_prepare, groups[k + 1], out_dir, settings, options)
            for entry, error in events:
                report.index.append(entry)
                if error is None:
                    report.skipped += 1
                else:
                    report.failed += 1
                    report.errors.append(error)
            if not (options.fail_fast and report.failed):
                _brief_group(briefer, todo, out_dir, settings, options, report)
            report.seconds = time.perf_counter() - started
            notify(report, len(items))
            if options.fail_fast and report.failed:
                break
    except KeyboardInterrupt:
        # The group in flight is abandoned; its finished files are complete.
        report.interrupted = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        report.seconds = time.perf_counter() - started
        _write_records(out_dir, report, options)
    return report


def _prepare(group: Sequence[Item], out_dir: Path, settings: str, options: BatchOptions):
    """Read and clean a group: (articles to brief, [(index entry, error or None)] for the rest).

    Runs in a worker thread, so it reports instead of touching the shared report.
    """
    todo, events = [], []
    for item in group:
        started = time.perf_counter()
        try:
            digest = content_hash(item)
            result_path = out_dir / f"{item.name}.json"
            previous = _read_result(result_path)
            if not options.force and previous.get("_batch") == _stamp(digest, settings):
                events.append(
                    (_entry(item, "skipped", previous.get("title"), result_path, digest), None)
                )
                continue
            article = _load(item, options)
        except OSError as e:
            events.append(_failure(item, "unreadable", f"cannot read it ({e.strerror})", started))
        except BrieflyError as e:
            events.append(_failure(item, e.kind, str(e), started))
        else:
            todo.append((item, article, digest, time.perf_counter() - started))
            continue
        if options.fail_fast:
            break
    return todo, events


def _brief_group(briefer, todo, out_dir: Path, settings: str, options, report) -> None:
    if not todo:
        return
    started = time.perf_counter()
    briefs = _brief_isolating_failures(briefer, [t[1] for t in todo])
    share = (time.perf_counter() - started) / len(todo)
    for (item, _article, digest, load_seconds), brief in zip(todo, briefs, strict=True):
        if isinstance(brief, BrieflyError):
            entry, error = _failure(item, brief.kind, str(brief), time.perf_counter())
            report.index.append(entry)
            report.errors.append(error)
            report.failed += 1
            continue
        result_path = out_dir / f"{item.name}.json"
        record = brief.to_dict() | {"_batch": _stamp(digest, settings)}
        if options.fmt in _READABLE_SUFFIX:
            readable = out_dir / f"{item.name}{_READABLE_SUFFIX[options.fmt]}"
            write_atomic(readable, render_brief(brief, options.fmt))
        # The JSON goes last: its presence is what marks the article done.
        write_atomic(result_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        report.done += 1
        report.index.append(
            _entry(item, "done", brief.title, result_path, digest, load_seconds + share)
        )


def _stamp(digest: str, settings: str) -> dict:
    """What a result records about how it was made, to decide whether it is still current."""
    return {"content": digest, "settings": settings}


def _load(item: Item, options: BatchOptions):
    from briefly.sources import load_item

    return load_item(item, max_bytes=options.max_bytes)


def _brief_isolating_failures(briefer: Briefer, articles: list) -> list[Brief | BrieflyError]:
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
    return [out for article in articles for out in _brief_isolating_failures(briefer, [article])]


def _failure(item: Item, kind: str, message: str, started: float) -> tuple[dict, dict]:
    """An index entry and an errors.jsonl entry for a failed article."""
    logger.warning("%s: %s", item.source, message)
    seconds = time.perf_counter() - started
    entry = _entry(item, "failed", None, None, None, seconds) | {"error": kind}
    return entry, {"source": item.source, "kind": kind, "message": message}


def _entry(item, status, title, output, digest, seconds=0.0) -> dict:
    return {
        "source": item.source,
        "status": status,
        "title": title,
        "output": None if output is None else str(output),
        "content_hash": digest,
        "seconds": round(seconds, 3),
    }


def _read_result(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_records(out_dir: Path, report: BatchReport, options: BatchOptions) -> None:
    def lines(rows):
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    write_atomic(out_dir / "index.jsonl", lines(report.index))
    write_atomic(out_dir / "errors.jsonl", lines(report.errors))
    if options.jsonl_output:
        results = (
            _read_result(Path(entry["output"]))
            for entry in report.index
            if entry["output"] is not None
        )
        write_atomic(out_dir / "results.jsonl", lines(results))
