"""OUT_DIR of a batch run: results, their settings stamps, and the run's records.

Both engines (:mod:`briefly.batch.local` and :mod:`briefly.batch.ray_cluster`) write through one
:class:`ResultStore`. A result is ``NAME.json`` (plus a readable ``NAME.md``/``NAME.txt``
with ``--format markdown|text``) or a row of a JSONL/Parquet shard; it carries a stamp of
the article's content and of the settings that made it, which is what lets a re-run skip
finished work. ``index.jsonl`` lists every article in input order, ``errors.jsonl`` the
failed ones, ``results.jsonl`` (JSONL input) every result. A run holds OUT_DIR's lock (see
:mod:`briefly.batch.outdir`); the records it ends with keep the previous run's entries for
articles it did not reach (interrupted, crashed), so they never hold less than before.
A shard that cannot be read is set aside as ``NAME.damaged`` and its articles are redone.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from briefly.batch.files import write_atomic
from briefly.batch.outdir import lock_out_dir, remove_leftovers
from briefly.batch.sources import RESERVED, RESULT_SUFFIXES, Item
from briefly.errors import OutputError, UsageError, first_line
from briefly.options import BriefOptions, check_fields
from briefly.results import Brief

logger = logging.getLogger("briefly")

# With --format markdown or text, a readable copy is written beside each JSON result.
READABLE_SUFFIX = {"markdown": ".md", "text": ".txt"}
OUT_FORMATS = ("files", "jsonl", "parquet")
# Results per shard: a run stopped by a crash (not Ctrl-C) redoes at most this many articles.
SHARD_ROWS = 1000
_SHARD_NAME = re.compile(r"part-(\d+)$")
_STAMP = "_batch"
# Parquet schema metadata: the columns that hold JSON text.
_NESTED_KEY = b"briefly:json_columns"


@dataclass(frozen=True)
class BatchOptions:
    """How a batch run writes and paces its work."""

    # "json"; "markdown" or "text" add a .md or .txt beside each .json
    fmt: Literal["json", "markdown", "text"] = "json"
    force: bool = False  # redo articles that already have a result
    fail_fast: bool = False  # stop at the first failed article
    group_size: int = 16  # articles read and briefed together
    max_bytes: int = 10_000_000  # larger articles are recorded as failures
    jsonl_output: bool = False  # also gather all results into results.jsonl
    # Drop lines that recur across many plain-text articles of one folder (a site's footer).
    site_furniture: bool = True
    # Let JSONL records' URLs reach private, loopback and link-local addresses.
    allow_private_urls: bool = False
    wait: bool = False  # wait for another run that holds OUT_DIR instead of stopping
    # Seconds one article may take to read and clean (local engine); None: no limit.
    article_timeout: float | None = None
    # Pages (from --urls, --feed, --sitemap) published before this ISO date are left out.
    since: str | None = None

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("group_size", "max_bytes"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.article_timeout is not None and self.article_timeout <= 0:
            raise UsageError(f"article_timeout must be above 0, not {self.article_timeout}")


@dataclass
class BatchReport:
    """What a batch run did."""

    done: int = 0  # articles briefed in this run
    fetched: int = 0  # pages fetched (--urls, --feed, --sitemap)
    skipped: int = 0  # articles whose result was already up to date
    failed: int = 0  # articles recorded in errors.jsonl
    ignored_files: int = 0  # files that are not articles
    excluded: int = 0  # articles left out by --include/--exclude, or as older than --since
    seconds: float = 0.0  # wall-clock time of the run
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM
    stage: str = ""  # what the run is doing: "loading models", then "briefing"
    index: list[dict] = field(default_factory=list)  # one entry per article, in input order
    errors: list[dict] = field(default_factory=list)  # one entry per failure, in input order

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def settings_hash(options: BriefOptions, *, site_furniture: bool = True) -> str:
    """Identify everything that changes a result, by content rather than by name.

    The options, the prompt template's text, the files of local model folders, the
    backend ``auto`` resolves to and briefly's version: an edited prompt file or retrained
    weights in place redo the articles. The format of the readable copy is not among them: a
    new one is rendered from the stored result.
    """
    from briefly import __version__
    from briefly.models.engines import ct2_available
    from briefly.models.hub import translator_name
    from briefly.models.prompts import load_prompt

    models = {options.summarizer, *options.translators.values()}
    models |= {translator_name(lang, options.translators) for lang in options.languages}
    settings = {
        "options": options.to_dict(),
        "prompt": None if options.prompt is None else load_prompt(options.prompt).text,
        "model_files": {name: _fingerprint(Path(name)) for name in sorted(models)},
        "backend": options.backend if options.backend != "auto" else f"auto:{ct2_available()}",
        "site_furniture": site_furniture,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def _fingerprint(folder: Path) -> str | None:
    """Name, size and modification time of a local model folder's files; None for hub ids."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        info = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class ResultStore:
    """Where a batch run's results and records go; see the module docstring."""

    def __init__(
        self,
        out_dir: Path,
        items: Sequence[Item],
        settings: str,
        options: BatchOptions,
        out_format: str = "files",
    ) -> None:
        if out_format not in OUT_FORMATS:
            raise UsageError(
                f"Unknown output format '{out_format}': use one of {', '.join(OUT_FORMATS)}"
            )
        if out_format != "files" and options.fmt in READABLE_SUFFIX:
            raise UsageError(
                f"--format {options.fmt} writes a file beside each JSON result: "
                "use --format json with --out-format jsonl or parquet"
            )
        self.dir = Path(out_dir)
        if self.dir.exists() and not self.dir.is_dir():
            raise UsageError(
                f"--out {self.dir} is a file, not a folder: give a folder for the results"
            )
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(
                f"Cannot create {self.dir} ({e.strerror}): give an --out folder you may write to",
                e.errno,
            ) from e
        self._lock = lock_out_dir(self.dir, wait=options.wait)
        try:
            remove_leftovers(
                self.dir,
                (self.dir / f"{i.name}{suffix}" for i in items for suffix in RESULT_SUFFIXES),
                RESERVED,
            )
            self._previous = _previous_records(self.dir)
            if out_format == "files":
                self._sink: _Files | _Shards = _Files(self.dir, options.fmt)
            else:
                self._sink = _Shards(self.dir, out_format)
        except BaseException:
            self._lock.release()
            raise
        self.items = items
        self.report = BatchReport()
        self._settings = settings
        self.options = options
        self._out_format = out_format
        self._readable = READABLE_SUFFIX.get(options.fmt) if out_format == "files" else None
        self._inputs = {
            Path(os.path.realpath(item.path)) for item in items if item.path is not None
        }
        self._entries: dict[int, dict] = {}
        self._errors: dict[int, dict] = {}
        self._fetch_times: dict[int, str] = {}

    def _stamp(self, digest: str) -> dict:
        """What a result records about how it was made, to decide whether it is still current."""
        return {"content": digest, "settings": self._settings, "readable": self._readable}

    def known(self, item: Item) -> str | None:
        """The content hash of ``item``'s current result (same settings), if it has one."""
        if self.options.force:
            return None
        previous = self._sink.previous(item.name)
        stamp = previous.get(_STAMP)
        if not isinstance(stamp, dict) or stamp.get("settings") != self._settings:
            return None
        if _readable(previous) != self._readable and _brief(previous) is None:
            return None  # no readable copy can be rendered from it: brief it again
        return stamp.get("content")

    def fetched_before(self, item: Item) -> str | None:
        """When the previous run fetched ``item``'s page (ISO 8601), if it did."""
        fetched = self._previous[0].get(item.source, {}).get("fetched")
        return fetched if isinstance(fetched, str) else None

    def note_fetch(self, position: int, when: str) -> None:
        """Record when the page of the item at ``position`` was fetched, for index.jsonl."""
        self._fetch_times[position] = when

    def exclude(self, position: int, item: Item, digest: str, reason: str) -> None:
        """Leave an article out for what the page says about itself (its date)."""
        self.report.excluded += 1
        self._entries[position] = _entry(item, "excluded", None, None, digest) | {"reason": reason}

    def skip(self, position: int, item: Item, digest: str) -> None:
        """Keep a current result; only a readable copy in another format is rendered anew."""
        previous = self._sink.previous(item.name)
        brief = _brief(previous)
        if _readable(previous) != self._readable and brief is not None:
            if self._write(position, item, brief, digest, 0.0) is None:
                return
        self.report.skipped += 1
        self._entries[position] = _entry(
            item, "skipped", previous.get("title"), previous.get("output"), digest
        )

    def fail(self, position: int, item: Item, kind: str, message: str, seconds: float) -> None:
        logger.warning("%s", message if item.source in message else f"{item.source}: {message}")
        self.report.failed += 1
        self._entries[position] = _entry(item, "failed", None, None, None, seconds) | {
            "error": kind
        }
        self._errors[position] = {"source": item.source, "kind": kind, "message": message}

    def save(self, position: int, item: Item, brief: Brief, digest: str, seconds: float) -> None:
        """Write one result; a result that cannot be written fails its article.

        A full disk stops the run instead (raises OutputError): nothing after it could be
        written either.
        """
        output = self._write(position, item, brief, digest, seconds)
        if output is not None:
            self.report.done += 1
            self._entries[position] = _entry(item, "done", brief.title, output, digest, seconds)

    def _write(self, position: int, item: Item, brief: Brief, digest: str, seconds: float):
        """Write a result (see :meth:`save`); its path, or None when its article failed."""
        paths = self._sink.paths(item.name)
        clash = next((p for p in paths if _real(p) in self._inputs), None)
        if clash is not None:
            message = (
                f"its result {clash} would overwrite an input file: "
                "write the results to another --out folder"
            )
            self.fail(position, item, "overwrite", message, seconds)
            return None
        readable = _readable(self._sink.previous(item.name))
        record = brief.to_dict() | {_STAMP: self._stamp(digest)}
        try:
            output = self._sink.write(item.name, brief, record)
        except OutputError as e:
            if e.errno == errno.ENOSPC:
                raise
            self.fail(position, item, "output", str(e), seconds)
            return None
        # A readable copy in the format of an earlier run would be left beside the new one.
        old = self.dir / f"{item.name}{readable}" if readable in RESULT_SUFFIXES else None
        if old is not None and old not in paths and _real(old) not in self._inputs:
            old.unlink(missing_ok=True)
        return output

    def close(self, started: float) -> BatchReport:
        """Finish the shards, write the records and release OUT_DIR; returns the run's report."""
        try:
            return self._close(started)
        finally:
            self.release()

    def release(self) -> None:
        """Let other runs use OUT_DIR; without :meth:`close`, its records stay as they were."""
        self._lock.release()

    def _close(self, started: float) -> BatchReport:
        report = self.report
        for position, done in self._entries.items():
            page = self.items[position]
            if page.url is not None:
                done["fetched"] = self._fetch_times.get(position) or self.fetched_before(page)
        report.index = [self._entries[k] for k in sorted(self._entries)]
        report.errors = [self._errors[k] for k in sorted(self._errors)]
        report.seconds = time.perf_counter() - started
        self._sink.close()
        # Articles this run did not reach keep what the previous run recorded for them.
        index, errors = [], []
        for position, item in enumerate(self.items):
            entry = self._entries.get(position) or self._previous[0].get(item.source)
            index += [entry] if entry else []
            error = self._errors.get(position)
            if position not in self._entries:
                error = self._previous[1].get(item.source)
            errors += [error] if error else []
        # Pages a feed or sitemap no longer lists keep their entries: their results stay.
        listed = {item.source for item in self.items}
        index += [e for s, e in self._previous[0].items() if s not in listed and _is_url(s)]
        write_atomic(self.dir / "index.jsonl", _lines(index))
        write_atomic(self.dir / "errors.jsonl", _lines(errors))
        # Shards already gather all results; results.jsonl is for per-article files.
        if self.options.jsonl_output and self._out_format == "files":
            outputs = (e["output"] for e in index if e.get("output") is not None)
            results = (_read_json(Path(output)) for output in outputs)
            write_atomic(self.dir / "results.jsonl", _lines(r for r in results if r))
        return report


def _previous_records(out_dir: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """The entries of the last run's index.jsonl and errors.jsonl, by source."""
    records: tuple[dict[str, dict], dict[str, dict]] = ({}, {})
    for name, found in zip(("index.jsonl", "errors.jsonl"), records, strict=True):
        try:
            lines = (out_dir / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("source"), str):
                found[row["source"]] = row
    return records


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _readable(record: dict) -> str | None:
    """The suffix of the readable copy a stored result says it has (None: none)."""
    stamp = record.get(_STAMP)
    return stamp.get("readable") if isinstance(stamp, dict) else None


def _brief(record: dict) -> Brief | None:
    """The Brief a stored result holds; None when it is not a whole one."""
    try:
        return Brief.from_dict(record)
    except TypeError:
        return None


def _real(path: Path) -> Path:
    """``path`` with symlinks resolved; a symlink loop stays as it is."""
    return Path(os.path.realpath(path))


def _entry(item: Item, status, title, output, digest, seconds=0.0) -> dict:
    return {
        "source": item.source,
        "status": status,
        "title": title,
        "output": None if output is None else str(output),
        "content_hash": digest,
        "seconds": round(seconds, 3),
    }


def _lines(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _read_json(path: Path) -> dict:
    """A previous result, or {} when it is missing, unreadable or not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _Files:
    """One JSON file per article (plus a readable copy)."""

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self._dir = out_dir
        self._fmt = fmt

    def paths(self, name: str) -> list[Path]:
        paths = [self._dir / f"{name}.json"]
        if self._fmt in READABLE_SUFFIX:
            paths.insert(0, self._dir / f"{name}{READABLE_SUFFIX[self._fmt]}")
        return paths

    def previous(self, name: str) -> dict:
        path = self._dir / f"{name}.json"
        return _read_json(path) | {"output": path}

    def write(self, name: str, brief: Brief, record: dict) -> Path:
        from briefly.render import render_brief

        *readable, path = self.paths(name)
        for copy in readable:
            write_atomic(copy, render_brief(brief, self._fmt))
        # The JSON goes last: its presence is what marks the article done.
        write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return path

    def close(self) -> None:
        """Nothing is buffered: each result is written as it arrives."""


class _Shards:
    """Results gathered into numbered shards, ``part-NNNNN.jsonl`` or ``.parquet``.

    An article redone (changed, new settings, --force) lands in a new shard; on close, older
    shards are rewritten without it, so each article appears once. After a crash the newest
    copy wins until the next run cleans up. In Parquet, nested values (translations, models,
    timings, warnings, the stamp) are JSON strings, so an empty one (``--to none``) still
    has a type.
    """

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self._dir = out_dir
        self._fmt = fmt
        self._previous: dict[str, dict] = {}  # name -> stamp and title of a result
        self._names: dict[Path, list[str]] = {}  # shard -> its article names, oldest first
        self._rows: list[dict] = []  # results waiting for the next shard
        numbered = []
        for path in out_dir.glob(f"part-*.{fmt}"):
            match = _SHARD_NAME.match(path.stem)
            if match:
                numbered.append((int(match.group(1)), path))
        for _, path in sorted(numbered):
            try:
                rows = _read_shard(path, fmt)
            except (OSError, ValueError) as e:
                _set_aside(path, e)
                continue
            self._names[path] = [row["name"] for row in rows]
            for row in rows:
                self._previous[row["name"]] = row | {"output": path}
        self._next = max((n for n, _ in numbered), default=-1) + 1

    def paths(self, name: str) -> list[Path]:
        return [self._shard_path()]

    def previous(self, name: str) -> dict:
        return self._previous.get(name, {})

    def write(self, name: str, brief: Brief, record: dict) -> Path:
        self._rows.append(record | {"name": name})
        path = self._shard_path()
        if len(self._rows) == SHARD_ROWS:
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
    """A shard's rows; ValueError (pyarrow's errors among them) when it is damaged."""
    if fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        nested = json.loads((table.schema.metadata or {}).get(_NESTED_KEY, b"[]"))
        rows = table.to_pylist()
        for row in rows:
            for name in nested if isinstance(nested, list) else ():
                if not isinstance(row.get(name), str):
                    raise ValueError(f"a row has no JSON text in its column {name!r}")
                row[name] = json.loads(row[name])
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise ValueError("a row is not a result with a name")
    return rows


def _set_aside(path: Path, error: Exception) -> None:
    """Move a damaged shard out of the way, so that this and later runs go on without it."""
    aside = path.with_name(f"{path.name}.damaged")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{number}")
    path.rename(aside)
    logger.warning(
        "%s is damaged (%s): set aside as %s; its articles are briefed again",
        path,
        first_line(error),
        aside.name,
    )


def _write_shard(path: Path, rows: list[dict], fmt: str) -> None:
    if fmt == "jsonl":
        write_atomic(path, _lines(rows))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    nested = sorted({k for row in rows for k, v in row.items() if isinstance(v, dict | list)})
    table = pa.Table.from_pylist(
        [
            {k: json.dumps(v, ensure_ascii=False) if k in nested else v for k, v in row.items()}
            for row in rows
        ]
    )
    table = table.replace_schema_metadata({_NESTED_KEY: json.dumps(nested)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_atomic(path, sink.getvalue().to_pybytes())
