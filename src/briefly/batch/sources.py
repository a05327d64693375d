"""Finding the articles of a batch run and naming their results.

Inputs are folders (walked recursively), files, glob patterns, or a JSONL file
with one article per line. Each article gets a relative output name that
mirrors the input tree, can never point outside the output folder, fits the
file system's name limit and collides neither with another result nor with
the output folder's own files.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefly.article.reading import too_large
from briefly.errors import BrieflyError, InputError, UsageError

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
# What a result name becomes on disk: the JSON result and the readable copies.
RESULT_SUFFIXES = (".json", ".md", ".txt")
# OUT_DIR's own files; a result folder of one of these names would block them.
RESERVED = re.compile(r"^(index|errors|results)\.jsonl$|^part-\d+\.(jsonl|parquet)$")

_UNSAFE = re.compile(r"[^\w.\-]+")
# Bytes per name part: NAME_MAX (255) less the room write_atomic's temporary
# ".NAME.json.XXXXXXXX.tmp" needs.
_MAX_PART_BYTES = 200
_HASH_CHARS = 12
_URL = re.compile(r"^https?://", re.I)
_READ_CHUNK = 1 << 20
# Plain-text articles, whose furniture no HTML extractor has removed.
_TEXT_SUFFIXES = (".txt", ".md")
# Articles per site read to find its recurring lines: enough to see a footer repeat, few
# enough that a folder of thousands starts at once.
_FURNITURE_SAMPLE = 200


@dataclass(frozen=True)
class Item:
    """One article to brief in a batch run."""

    source: str  # file path, or "FILE#ID" for a JSONL line
    name: str  # output name relative to OUT_DIR, without suffix, '/'-separated
    path: Path | None = None  # the article file, for folder and glob inputs
    record: dict | None = None  # the parsed JSONL line, for JSONL input
    problem: tuple[str, str] | None = None  # (kind, message) of a JSONL line that is unusable


@dataclass
class Listing:
    """Articles found, and how many other files were passed over."""

    items: list[Item]
    skipped_files: int  # files that are not articles (by suffix)
    excluded: int = 0  # articles left out by --include/--exclude


def list_articles(
    inputs: Sequence[str],
    *,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    out_dir: Path | None = None,
) -> Listing:
    """Find the article files named by folders, files and globs, in a stable order.

    ``include``/``exclude`` globs match a file's path relative to its input folder
    (``misc/*``) or as given on the command line (``in/misc/*``). Output names come
    from the input tree alone, so they do not change with the filters. ``out_dir`` is
    never read as input: given as an input it is refused, inside one it is passed over.
    """
    out = Path(out_dir).resolve() if out_dir is not None else None
    found: list[tuple[Path, PurePosixPath]] = []
    skipped = 0
    for spec in inputs:
        if out is not None and Path(spec).is_dir() and Path(spec).resolve() == out:
            raise UsageError(
                f"--out {out_dir} is also an input folder: write the results to another folder"
            )
        for path, relative in _expand(spec, recursive, out):
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                found.append((path, relative))
            else:
                skipped += 1
    items, excluded = [], 0
    for item, (path, relative) in zip(_name(found), found, strict=True):
        as_given = {relative.as_posix(), path.as_posix()}
        wanted = not include or any(_matches(as_given, p) for p in include)
        if wanted and not any(_matches(as_given, p) for p in exclude):
            items.append(item)
        else:
            excluded += 1
    return Listing(items=items, skipped_files=skipped, excluded=excluded)


def _matches(paths: set[str], pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    return any(fnmatch.fnmatch(path.removeprefix("./"), pattern) for path in paths)


def _expand(spec: str, recursive: bool, out: Path | None) -> Iterator[tuple[Path, PurePosixPath]]:
    path = Path(spec)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if out is None or (Path(root) / d).resolve() != out)
            if not recursive:
                dirs.clear()
            for name in sorted(files):
                full = Path(root) / name
                yield full, PurePosixPath(full.relative_to(path).as_posix())
    elif path.exists():
        yield path, PurePosixPath(path.name)
    else:
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            raise UsageError(f"No such file, folder or matching files: {spec}")
        for match in matches:
            if not Path(match).is_dir():
                yield Path(match), PurePosixPath(Path(match).name)


def _name(found: list[tuple[Path, PurePosixPath]]) -> list[Item]:
    """Name outputs after the article's stem; keep the suffix where stems collide."""
    stems: dict[str, int] = {}
    for _, rel in found:
        key = (rel.parent / rel.stem).as_posix()
        stems[key] = stems.get(key, 0) + 1
    names = _Names()
    items = []
    for path, rel in found:
        stem = (rel.parent / rel.stem).as_posix()
        name = names.claim(safe_name(stem if stems[stem] == 1 else rel.as_posix()))
        items.append(Item(source=str(path), name=name, path=path))
    return items


class _Names:
    """Hands out result names that never collide on disk.

    Besides repeats (a file given twice, ids repeated), a name's folder must not be
    another result's file (``a`` then ``a.json/b``), its files must not be another's
    folder, and its top folder must not be one of OUT_DIR's own files (``index.jsonl/x``).
    """

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._files: set[str] = set()
        self._dirs: set[str] = set()

    def claim(self, name: str) -> str:
        parts = name.split("/")
        if len(parts) > 1 and RESERVED.match(parts[0]):
            parts[0] += "_"
        for i in range(len(parts) - 1):
            while "/".join(parts[: i + 1]) in self._files:
                parts[i] += "_"
        while "/".join(parts) in self._names or any(
            "/".join(parts) + suffix in self._dirs for suffix in RESULT_SUFFIXES
        ):
            parts[-1] += "_"
        name = "/".join(parts)
        self._names.add(name)
        self._files.update(name + suffix for suffix in RESULT_SUFFIXES)
        self._dirs.update("/".join(parts[: i + 1]) for i in range(len(parts) - 1))
        return name


def read_jsonl(path: str) -> Listing:
    """Articles from a JSONL file: one ``{"id", "text"|"html"|"url"}`` object per line.

    A line that cannot be used (invalid UTF-8 or JSON, no or several article fields, a
    ``url`` that is not http(s)) becomes an item that fails on its own; the rest run.
    """
    try:
        handle = open(path, "rb")
    except OSError as e:
        raise UsageError(f"Cannot read {path} ({e.strerror}): pass an existing JSONL file") from e
    items = []
    names = _Names()
    with handle:
        for number, raw in enumerate(handle, 1):
            record, problem = _parse_line(raw, path, number)
            if record is None and problem is None:
                continue
            ident = record.get("id") if isinstance(record, dict) else None
            ident = str(ident) if isinstance(ident, str | int) and str(ident) else str(number)
            items.append(
                Item(
                    source=f"{path}#{ident}",
                    name=names.claim(safe_name(ident)),
                    record=record if isinstance(record, dict) else None,
                    problem=problem,
                )
            )
    return Listing(items=items, skipped_files=0)


def _parse_line(raw: bytes, path: str, number: int):
    """(record, problem) for one line; (None, None) for a blank line."""
    where = f"line {number} of {path}"
    try:
        line = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None, ("invalid_line", f"{where} is not valid UTF-8: save the file as UTF-8")
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict):
        return None, ("invalid_line", f"{where} is not a JSON object: fix or remove that line")
    return record, _check_record(record, where)


def _check_record(record: dict, where: str) -> tuple[str, str] | None:
    fields = [key for key in ("text", "html", "url") if key in record]
    if not fields:
        return "invalid_line", f"{where} has no text, html or url field: give one of them"
    if len(fields) > 1:
        return "ambiguous", (
            f"{where} has both {fields[0]} and {fields[1]}: give only one of text, html or url"
        )
    value = record[fields[0]]
    if not isinstance(value, str):
        return "invalid_line", (
            f"the {fields[0]} of {where} is {type(value).__name__}, not a string: "
            "give the article as one string"
        )
    if fields[0] == "url" and not _URL.match(value):
        return "bad_url", (
            f"the url of {where} is not an http(s) URL: local files come only from the "
            "command line (pass them as FILE or folder arguments)"
        )
    return None


def safe_name(name: str) -> str:
    """A relative '/'-separated name: no '..', absolute or overlong parts, odd characters."""
    parts = [_UNSAFE.sub("_", part).strip(".") for part in PurePosixPath(name).parts]
    parts = [_shorten(part) for part in parts if part and part not in ("/", "..")]
    return "/".join(parts) or hashlib.sha1(name.encode()).hexdigest()[:_HASH_CHARS]


def _shorten(part: str) -> str:
    """``part`` itself when it fits the file system, else a prefix and a hash of the whole."""
    encoded = part.encode("utf-8")
    if len(encoded) <= _MAX_PART_BYTES:
        return part
    keep = encoded[: _MAX_PART_BYTES - _HASH_CHARS - 1].decode("utf-8", errors="ignore")
    return f"{keep}-{hashlib.sha1(encoded).hexdigest()[:_HASH_CHARS]}"


def content_hash(item: Item, *, max_bytes: int) -> str:
    """The hash of an item's article, read in pieces after checking that it is a small file."""
    if item.path is None:
        data = json.dumps(item.record, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(data).hexdigest()
    info = os.stat(item.path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{item.source} is not a regular file (a FIFO, device or socket): "
            "give article files only",
            "not_a_file",
        )
    if info.st_size > max_bytes:
        raise too_large(item.source, max_bytes)
    digest = hashlib.sha256()
    with open(item.path, "rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def site_key(item: Item) -> str:
    """What groups articles of one site: the folder a file is in, or the JSONL file."""
    return str(item.path.parent) if item.path is not None else item.source.rpartition("#")[0]


def site_furniture(items: Sequence[Item], *, max_bytes: int) -> dict[str, frozenset[str]]:
    """Per site (see :func:`site_key`), the lines that recur across its plain-text articles.

    A site's footer, newsletter box or "Most read" heading repeats on every page; a story
    line does not. Up to ``_FURNITURE_SAMPLE`` articles per site are read; pages are left to
    the HTML extractor, and unreadable articles are left for the run to report.
    """
    from briefly.article.cleaning import recurring_lines
    from briefly.article.decode import decode_bytes
    from briefly.article.loader import html_by_name, looks_like_page
    from briefly.article.reading import read_file

    texts: dict[str, list[str]] = {}
    for item in items:
        site = texts.setdefault(site_key(item), [])
        if len(site) >= _FURNITURE_SAMPLE:
            continue
        try:
            if item.path is not None and item.path.suffix.lower() in _TEXT_SUFFIXES:
                text = decode_bytes(read_file(item.path, max_bytes), item.source)
                declared = html_by_name(item.path)
            elif isinstance(record_text := (item.record or {}).get("text"), str):
                text, declared = record_text[:max_bytes], False
            else:
                continue
        except (BrieflyError, OSError):
            continue
        # A page saved under a text name goes to the HTML extractor, as load_item reads it.
        if not looks_like_page(text, declared):
            site.append(text)
    return {key: recurring_lines(found) for key, found in texts.items() if found}


def load_item(
    item: Item,
    *,
    max_bytes: int,
    furniture: frozenset[str] = frozenset(),
    allow_private_urls: bool = False,
    stop: threading.Event | None = None,
):
    """Read and clean one item's article, also dropping ``furniture`` lines.

    A record's URL is someone else's: it may reach only public addresses unless
    ``allow_private_urls``. Setting ``stop`` cuts its fetch short. Raises InputError on bad
    input.
    """
    from briefly.article.loader import load_article, load_url, parse_article

    if item.problem is not None:
        raise InputError(item.problem[1], kind=item.problem[0])
    if item.path is not None:
        return load_article(item.path, max_bytes=max_bytes, furniture=furniture)
    record = item.record or {}
    if "url" in record:
        return load_url(
            record["url"],
            max_bytes=max_bytes,
            furniture=furniture,
            public_only=not allow_private_urls,
            stop=stop,
        )
    field = "html" if "html" in record else "text"
    if len(record[field].encode("utf-8")) > max_bytes:
        raise too_large(item.source, max_bytes)
    return parse_article(
        record[field], source=item.source, is_html=field == "html", furniture=furniture
    )
