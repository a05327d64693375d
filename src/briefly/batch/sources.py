"""Finding the articles of a batch run and naming their results.

Inputs are folders (walked recursively), files, glob patterns, or a JSONL file
with one article per line. Each article gets a relative output name that
mirrors the input tree, can never point outside the output folder, fits the
file system's name limit and collides neither with another result nor with
the output folder's own files.

A symbolic link in an input folder is followed only when its target stays inside that
folder (or with ``follow_symlinks``); one that leads out, a broken one or a loop, and a
sub-folder that cannot be read, become items that fail with one line each, so the run
reports them. A file reached twice (through a link, or named twice) is one article. JSONL
text, ids and keys have any lone surrogate replaced by U+FFFD (see :mod:`briefly.unicode`).
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from briefly.article.fetch import Response, suggest_url
from briefly.article.reading import too_large
from briefly.errors import BrieflyError, InputError, UsageError
from briefly.unicode import replace_surrogates_in

logger = logging.getLogger("briefly")

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
# What a result name becomes on disk: the JSON result and the readable copies.
RESULT_SUFFIXES = (".json", ".md", ".txt")
# OUT_DIR's own files; a result folder of one of these names would block them.
RESERVED = re.compile(r"^(index|errors|results)\.jsonl$|^part-\d+\.(jsonl|parquet)$")

_UNSAFE = re.compile(r"[^\w.\-]+")
# Bytes per name part: NAME_MAX (255) less the room write_atomic's temporary
# ".NAME.json.briefly-XXXXXXXX.tmp" needs.
_MAX_PART_BYTES = 200
_HASH_CHARS = 12
_URL = re.compile(r"^https?://", re.I)
_READ_CHUNK = 1 << 20
# Plain-text articles, whose furniture no HTML extractor has removed.
_TEXT_SUFFIXES = (".txt", ".md")
# Articles per site read to find its recurring lines: enough to see a footer repeat, few
# enough that a folder of thousands starts at once.
_FURNITURE_SAMPLE = 200
_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Item:
    """One article to brief in a batch run."""

    source: str  # file path, or "FILE#ID" for a JSONL line
    name: str  # output name relative to OUT_DIR, without suffix, '/'-separated
    path: Path | None = None  # the article file, for folder and glob inputs
    record: dict | None = None  # the parsed JSONL line, for JSONL input
    # (kind, message) of an input that cannot be used: a bad JSONL line, a skipped link or folder
    problem: tuple[str, str] | None = None
    url: str | None = None  # a page to fetch, from --urls, --feed or --sitemap
    # When its feed or sitemap says the page last changed (ISO 8601, UTC), if it says.
    changed: str | None = None


@dataclass
class Listing:
    """Articles found, and how many other files were passed over."""

    items: list[Item]
    skipped_files: int  # files that are not articles (by suffix)
    excluded: int = 0  # articles left out by --include/--exclude


class _Found(NamedTuple):
    """A file (or a folder or link that cannot be used) found under an input."""

    path: Path
    relative: PurePosixPath  # its path below its input folder, or its name
    problem: tuple[str, str] | None = None  # why it cannot be used: (kind, message)
    folder: bool = False  # a folder that cannot be read, or a link to one that is left out


def list_articles(
    inputs: Sequence[str],
    *,
    recursive: bool = True,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    out_dir: Path | None = None,
    follow_symlinks: bool = False,
) -> Listing:
    """Find the article files named by folders, files and globs, in a stable order.

    ``include``/``exclude`` globs match a file's path relative to its input folder
    (``misc/*``) or as given on the command line (``in/misc/*``); a filter that matches
    nothing is warned about. Output names come from the input tree alone, so they do not
    change with the filters. ``out_dir`` is never read as input: given as an input it is
    refused, inside one it is passed over. Links: see the module docstring.
    """
    out = Path(out_dir).resolve() if out_dir is not None else None
    found: list[_Found] = []
    seen: set[str] = set()
    skipped = 0
    for spec in inputs:
        if out is not None and Path(spec).is_dir() and Path(spec).resolve() == out:
            raise UsageError(
                f"--out {out_dir} is also an input folder: write the results to another folder"
            )
        for entry in _expand(spec, recursive, out, follow_symlinks):
            if not entry.folder and entry.path.suffix.lower() not in ARTICLE_SUFFIXES:
                skipped += 1
                continue
            if entry.problem is None:
                real = os.path.realpath(entry.path)
                if real in seen:
                    continue
                seen.add(real)
            found.append(entry)
    items, excluded = [], 0
    matched = dict.fromkeys([*include, *exclude], False)
    for item, entry in zip(_name(found), found, strict=True):
        as_given = {entry.relative.as_posix(), entry.path.as_posix()}
        hits = {p for p in matched if _matches(as_given, p)}
        matched.update(dict.fromkeys(hits, True))
        if (not include or hits & set(include)) and not hits & set(exclude):
            items.append(item)
        else:
            excluded += 1
    for pattern in (p for p, hit in matched.items() if not hit):
        logger.warning(
            "%s %r matched none of the %d files found: a glob matches a file's whole path "
            "below its input folder (misc/a.txt) or as given (in/misc/a.txt), and * also "
            "matches /; try %r",
            "--include" if pattern in include else "--exclude",
            pattern,
            len(found),
            pattern if pattern.startswith("*") else f"*{pattern}",
        )
    return Listing(items=items, skipped_files=skipped, excluded=excluded)


def _matches(paths: set[str], pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    return any(fnmatch.fnmatch(path.removeprefix("./"), pattern) for path in paths)


def _expand(spec: str, recursive: bool, out: Path | None, follow: bool) -> Iterator[_Found]:
    path = Path(spec)
    if path.is_dir():
        yield from _walk(path, recursive, out, follow)
    elif path.exists():
        # A file named on the command line is read wherever it leads: the user chose it.
        yield _Found(path, PurePosixPath(path.name))
    else:
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            url = suggest_url(spec)
            hint = (
                f"; to brief the page {url}, list it in a file and pass --urls FILE" if url else ""
            )
            raise UsageError(f"No such file, folder or matching files: {spec}{hint}")
        # The glob's folder (the part before its first wildcard) is its input folder.
        parts = Path(spec).parts[:-1]
        magic = next((i for i, part in enumerate(parts) if _GLOB_MAGIC.search(part)), len(parts))
        root = os.path.realpath(Path(*parts[:magic]) if magic else Path())
        for match in matches:
            found = Path(match)
            if not found.is_dir():
                yield _Found(found, PurePosixPath(found.name), _link_problem(found, root, follow))


def _walk(top: Path, recursive: bool, out: Path | None, follow: bool) -> Iterator[_Found]:
    """The files below ``top``, following links to folders as the module docstring says."""
    root = os.path.realpath(top)
    visited = {root}
    unreadable: list[OSError] = []

    def relative(path: Path) -> PurePosixPath:
        return PurePosixPath(path.relative_to(top).as_posix())

    def report_unreadable() -> Iterator[_Found]:
        while unreadable:
            error = unreadable.pop(0)
            folder = Path(error.filename)
            problem = (
                "unreadable",
                f"cannot read the folder {folder} ({error.strerror}): its articles are "
                "left out; check its permissions",
            )
            yield _Found(folder, relative(folder), problem, folder=True)

    for here, dirs, files in os.walk(top, followlinks=True, onerror=unreadable.append):
        yield from report_unreadable()
        kept = []
        for name in sorted(dirs) if recursive else ():
            full = Path(here) / name
            real = os.path.realpath(full)
            # A loop, or a second way to a folder already walked: its files are there once.
            if real in visited or (out is not None and Path(real) == out):
                continue
            problem = _link_problem(full, root, follow)
            if problem is not None:
                yield _Found(full, relative(full), problem, folder=True)
                continue
            visited.add(real)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            full = Path(here) / name
            yield _Found(full, relative(full), _link_problem(full, root, follow))
    yield from report_unreadable()


def _link_problem(path: Path, root: str, follow: bool) -> tuple[str, str] | None:
    """Why a link found below the input folder ``root`` is not followed; None for the rest."""
    if not os.path.islink(path):
        return None
    if not os.path.exists(path):
        return "broken_link", f"{path} is a broken symbolic link or a loop: skipped"
    target = os.path.realpath(path)
    if follow or os.path.commonpath([root, target]) == root:
        return None
    return "symlink", (
        f"{path} links outside its input folder (to {target}): skipped; pass "
        "--follow-symlinks to read it"
    )


def _name(found: list[_Found]) -> list[Item]:
    """Name outputs after the article's stem; keep the suffix where stems collide."""
    stems: dict[str, int] = {}
    for entry in found:
        key = (entry.relative.parent / entry.relative.stem).as_posix()
        stems[key] = stems.get(key, 0) + 1
    names = Names()
    items = []
    for path, rel, problem, _folder in found:
        stem = (rel.parent / rel.stem).as_posix()
        name = names.claim(safe_name(stem if stems[stem] == 1 else rel.as_posix()))
        items.append(Item(source=str(path), name=name, path=path, problem=problem))
    return items


class Names:
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
    names = Names()
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
        record = replace_surrogates_in(json.loads(line))
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
    if item.problem is not None:
        raise InputError(item.problem[1], kind=item.problem[0])
    if item.url is not None:
        # Its content is known once fetched, politely: batch.prefetch does that.
        raise UsageError(
            "pages from --urls, --feed and --sitemap are fetched by the local engine: "
            "brief them without --engine ray"
        )
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
        # A link left out is never read, not even for its lines.
        if len(site) >= _FURNITURE_SAMPLE or item.problem is not None:
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
    page: Response | None = None,
):
    """Read and clean one item's article, also dropping ``furniture`` lines.

    A record's URL is someone else's: it may reach only public addresses unless
    ``allow_private_urls``. Setting ``stop`` cuts its fetch short. ``page`` is the item's
    page, already fetched (see :mod:`briefly.batch.web.polite`). Raises InputError on bad input.
    """
    from briefly.article.loader import load_article, load_url, parse_article, parse_response

    if item.problem is not None:
        raise InputError(item.problem[1], kind=item.problem[0])
    if item.path is not None:
        return load_article(item.path, max_bytes=max_bytes, furniture=furniture)
    if page is not None:
        return parse_response(item.source, page, furniture=furniture)
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
