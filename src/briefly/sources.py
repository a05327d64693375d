"""Finding the articles of a batch run and naming their results.

Inputs are folders (walked recursively), files, glob patterns, or a JSONL file
with one article per line. Each article gets a relative output name that
mirrors the input tree and can never point outside the output folder.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefly.errors import InputError, UsageError

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")

_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Item:
    """One article to brief in a batch run."""

    source: str  # file path, or "FILE#ID" for a JSONL line
    name: str  # output name relative to OUT_DIR, without suffix, '/'-separated
    path: Path | None = None  # the article file, for folder and glob inputs
    record: dict | None = None  # the parsed JSONL line, for JSONL input


@dataclass
class Listing:
    """Articles found, and how many other files were passed over."""

    items: list[Item]
    skipped_files: int


def list_articles(
    inputs: Sequence[str],
    *,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Listing:
    """Find the article files named by folders, files and globs, in a stable order."""
    found: list[tuple[Path, PurePosixPath]] = []
    skipped = 0
    for spec in inputs:
        for path, relative in _expand(spec, recursive):
            rel = relative.as_posix()
            wanted = path.suffix.lower() in ARTICLE_SUFFIXES
            if include and not any(fnmatch.fnmatch(rel, p) for p in include):
                wanted = False
            if any(fnmatch.fnmatch(rel, p) for p in exclude):
                wanted = False
            if wanted:
                found.append((path, relative))
            else:
                skipped += 1
    return Listing(items=_name(found), skipped_files=skipped)


def _expand(spec: str, recursive: bool) -> Iterator[tuple[Path, PurePosixPath]]:
    path = Path(spec)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            if not recursive:
                dirs.clear()
            for name in sorted(files):
                full = Path(root) / name
                yield full, PurePosixPath(full.relative_to(path).as_posix())
    elif path.is_file():
        yield path, PurePosixPath(path.name)
    else:
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            raise UsageError(f"No such file, folder or matching files: {spec}")
        for match in matches:
            if Path(match).is_file():
                yield Path(match), PurePosixPath(Path(match).name)


def _name(found: list[tuple[Path, PurePosixPath]]) -> list[Item]:
    """Name outputs after the article's stem; keep the suffix where stems collide."""
    stems: dict[str, int] = {}
    for _, rel in found:
        key = (rel.parent / rel.stem).as_posix()
        stems[key] = stems.get(key, 0) + 1
    items, used = [], set()
    for path, rel in found:
        stem = (rel.parent / rel.stem).as_posix()
        name = _safe(stem if stems[stem] == 1 else rel.as_posix())
        while name in used:  # the same file given twice, or a glob overlapping a folder
            name += "_"
        used.add(name)
        items.append(Item(source=str(path), name=name, path=path))
    return items


def read_jsonl(path: str) -> Listing:
    """Articles from a JSONL file: one ``{"id", "text"|"html"|"url"}`` object per line."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"Cannot read {path} ({e.strerror}): pass an existing JSONL file") from e
    items, used = [], set()
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = _parse_line(line, path, number)
            ident = str(record.get("id", number))
            name = _safe(ident)
            while name in used:
                name += "_"
            used.add(name)
            items.append(Item(source=f"{path}#{ident}", name=name, record=record))
    return Listing(items=items, skipped_files=0)


def _parse_line(line: str, path: str, number: int) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict) or not any(k in record for k in ("text", "html", "url")):
        # Kept as a record so the run reports it in errors.jsonl and goes on.
        return {"id": number, "invalid": f"line {number} of {path} is not a JSON object"}
    return record


def _safe(name: str) -> str:
    """A relative '/'-separated name with no '..', absolute parts or odd characters."""
    parts = [_UNSAFE.sub("_", part).strip(".") for part in PurePosixPath(name).parts]
    parts = [part for part in parts if part and part not in ("/", "..")]
    return "/".join(parts) or hashlib.sha1(name.encode()).hexdigest()[:12]


def load_item(item: Item, *, max_bytes: int):
    """Read and clean one item's article; raises InputError on bad input."""
    from briefly.loader import load_article, parse_article

    if item.path is not None:
        return load_article(item.path, max_bytes=max_bytes)
    record = item.record or {}
    if "invalid" in record:
        raise InputError(f"{record['invalid']}: fix or remove that line", kind="invalid_line")
    if "url" in record:
        return load_article(str(record["url"]), max_bytes=max_bytes)
    is_html = "html" in record
    return parse_article(
        str(record["html" if is_html else "text"]), source=item.source, is_html=is_html
    )
