"""Readers of each corpus's layout: the pages of a repository snapshot with their gold text.

Each reader takes the source and its snapshot and yields :class:`RawPage`; ``gold=None``
asks the builder for trafilatura's extraction (the teacher).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from benchmarks.extraction.dumps import tree, visible_text
from benchmarks.extraction.git import Snapshot
from benchmarks.extraction.sources import Source
from briefly.article.decode import decode_bytes
from briefly.errors import InputError

# Pages named by a bare 32-hex id: the ScrapingHub article-extraction-benchmark names its
# pages so, and extractor repositories copy them into their test sets. Never read.
RESERVED_NAME = re.compile(r"^[0-9a-f]{32}(\.html?)?(\.gz)?$")
_BLOCKS = frozenset(
    "p div li td th h1 h2 h3 h4 h5 h6 blockquote pre dd dt article section body tr".split()
)


@dataclass(frozen=True)
class RawPage:
    """A page as its corpus gives it."""

    id: str
    html: str
    # The main text, one paragraph a line; None: trafilatura's extraction is the gold.
    gold: str | None
    title: str | None = None
    # None where the corpus does not say; [] where it says no one is credited.
    authors: list[str] | None = None
    url: str | None = None
    lang: str | None = None
    # Strings people chose that the main text must hold, and that it must not: a teacher's
    # gold that fails them is wrong about this page.
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


def decode(data: bytes, name: str) -> str:
    """The page's text; a page that briefly takes for binary (stray NUL bytes in a 2008 page)
    is kept, read as UTF-8 with the NULs dropped."""
    try:
        return decode_bytes(data, name)
    except InputError:
        return data.decode("utf-8", errors="replace").replace("\x00", "")


def paragraphs(lines: list[str]) -> str:
    """One paragraph a line, whitespace collapsed, empty lines gone."""
    kept = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in kept if line)


def page_id(path: str) -> str:
    """A file's name without its extensions, safe as part of a folder name."""
    stem = PurePosixPath(path).name.split(".html")[0]
    return re.sub(r"[^\w.-]+", "_", stem).strip("_")[:80]


def _reserved(path: str) -> bool:
    return bool(RESERVED_NAME.match(PurePosixPath(path).name))


def l3s(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """L3S-GN1: ``original/<uuid>.html`` and its labelled twin ``annotated/<uuid>.html``."""
    for path in snap.paths(source.files):
        annotated = path.replace("/original/", "/annotated/")
        if not snap.exists(annotated):
            continue
        labelled = tree(decode(snap.read(annotated), annotated))
        html = decode(snap.read(path), path)
        visible = " ".join(visible_text(html).split())
        blocks = _labelled_blocks(labelled, "x-nc-sel2")
        # Headline blocks: the headline, then any deck or subheadline under it.
        headline = (_restored(p, visible) for p in _labelled_blocks(labelled, "x-nc-sel1"))
        yield RawPage(
            id=page_id(path),
            html=html,
            gold=paragraphs([_restored(parts, visible) for parts in blocks]),
            title=next((" ".join(h.split()) for h in headline if h.strip()), None),
        )


def _labelled_blocks(root, label: str) -> list[list[str]]:
    """The text of spans labelled ``label``, grouped by the block-level element they sit in;
    a ``<br>`` between two spans starts a new line too (pages that break paragraphs so)."""
    blocks: list[list[str]] = []
    last_block, broken = None, False
    spans = f"//span[contains(concat(' ', @class, ' '), ' {label} ')]"
    for element in root.xpath(f"{spans} | //br"):
        if element.tag == "br":
            broken = True
            continue
        if any("x-nc-sel" in (a.get("class") or "") for a in element.iterancestors("span")):
            continue  # a span inside another labelled span: its text is counted there
        block = next((a for a in element.iterancestors() if a.tag in _BLOCKS), None)
        if blocks and block is not None and block is last_block and not broken:
            blocks[-1].append(element.text_content())
        else:
            blocks.append([element.text_content()])
        last_block, broken = block, False
    return blocks


def _restored(parts: list[str], visible: str) -> str:
    """One line from the labelled spans ``parts``, as the original page shows it.

    The labelled copy splits a line wherever markup did (``Tues<b>day``) and lost characters
    ("?" for "’", "–"); the original page's text, where the line is found in it, has both
    right. Elsewhere the parts are joined with spaces.
    """
    words = [" ".join(part.split()) for part in parts if part.strip()]
    if not words:
        return ""

    def pattern(part: str) -> str:
        return r"\s+".join(re.escape(w).replace(r"\?", ".") for w in part.split())

    found = re.search(r"\s*".join(pattern(w) for w in words), visible)
    return found.group(0) if found else " ".join(words)


def newspaper4k(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """newspaper4k: ``html/X.html`` with the expected ``txt/X.txt`` and ``metadata/X.json``."""
    for path in snap.paths(source.files):
        stem = PurePosixPath(path).stem
        folder = path.rsplit("/html/", 1)[0]
        text_path, meta_path = f"{folder}/txt/{stem}.txt", f"{folder}/metadata/{stem}.json"
        if not snap.exists(text_path):
            continue
        meta = json.loads(snap.read(meta_path)) if snap.exists(meta_path) else {}
        yield RawPage(
            id=page_id(path),
            html=decode(snap.read(path), path),
            gold=paragraphs(snap.read(text_path).decode("utf-8").splitlines()),
            title=meta.get("title"),
            authors=meta.get("authors"),
            url=meta.get("url"),
            lang=meta.get("language"),
        )


def fundus(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """fundus: ``<country>/<Publisher>_<date>.html.gz``, expected ``<Publisher>.json`` (one
    entry per parser version) and ``meta.info`` (each page's url)."""
    for path in snap.paths(source.files):
        folder, name = path.rsplit("/", 1)
        publisher = name.removesuffix(".html.gz").split("_")[0]
        expected_path, info_path = f"{folder}/{publisher}.json", f"{folder}/meta.info"
        if _reserved(path) or not snap.exists(expected_path):
            continue
        html = decode(gzip.decompress(snap.read(path)), path)
        versions = json.loads(snap.read(expected_path)).values()
        best = _matching_version(html, list(versions))
        if best is None:
            continue
        info = json.loads(snap.read(info_path)) if snap.exists(info_path) else {}
        body = best.get("body") or {}
        lines = list(body.get("summary") or [])
        for section in body.get("sections") or []:
            lines += [*(section.get("headline") or []), *(section.get("paragraphs") or [])]
        yield RawPage(
            id=f"{folder.rsplit('/', 1)[1]}-{page_id(path)}",
            html=html,
            gold=paragraphs(lines),
            title=best.get("title"),
            authors=best.get("authors"),
            url=(info.get(name) or {}).get("url"),
        )


def _matching_version(html: str, versions: list[dict]) -> dict | None:
    """The expected entry whose paragraphs the page holds (most of them), if any does."""
    visible = " ".join(visible_text(html).split())

    def held(version: dict) -> float:
        body = version.get("body") or {}
        lines = [p for s in body.get("sections") or [] for p in s.get("paragraphs") or []]
        found = [" ".join(p.split())[:60] in visible for p in lines if p.strip()]
        return sum(found) / len(found) if found else 0.0

    scored = [(held(v), i) for i, v in enumerate(versions)]
    score, index = max(scored, default=(0.0, 0))
    return versions[index] if score >= 0.6 else None


def goose3(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """goose3: ``content/X.html`` with ``X.json`` (url, expected title; its cleaned_text is
    only the opening, so trafilatura gives the gold)."""
    for path in snap.paths(source.files):
        meta_path = path.removesuffix(".html") + ".json"
        meta = json.loads(snap.read(meta_path)) if snap.exists(meta_path) else {}
        expected = meta.get("expected") or {}
        yield RawPage(
            id=page_id(path),
            html=decode(snap.read(path), path),
            gold=None,
            title=expected.get("title"),
            url=expected.get("final_url") or meta.get("url"),
            lang=expected.get("meta_lang") or None,
        )


def trafilatura_eval(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """trafilatura's evaluation pages, their urls and the strings people said the main text
    holds and does not hold (``with``, ``without``) from ``tests/evaldata.json``."""
    evaldata = json.loads(snap.read("tests/evaldata.json"))
    entries = {entry["file"]: (url, entry) for url, entry in evaldata.items()}
    for path in snap.paths(source.files):
        url, entry = entries.get(PurePosixPath(path).name, (None, {}))
        if not _reserved(path):
            yield RawPage(
                page_id(path),
                decode(snap.read(path), path),
                None,
                url=url,
                must=tuple(entry.get("with", ())),
                must_not=tuple(entry.get("without", ())),
            )


def trafilatura_cache(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """trafilatura's cached test pages, less those also in its ``tests/eval/``."""
    for path in snap.paths(source.files):
        if not snap.exists("tests/eval/" + PurePosixPath(path).name):
            yield from _taught(source, snap, path)


def teacher(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """Any other pages: trafilatura's extraction is the gold; the id is the path below the
    pattern's folder (``tests/163/1.html`` → ``163-1``)."""
    for path in snap.paths(source.files):
        yield from _taught(source, snap, path)


def _taught(source: Source, snap: Snapshot, path: str) -> Iterator[RawPage]:
    if _reserved(path):
        return
    folder = source.files.split("*", 1)[0]
    relative = path.removeprefix(folder).replace("/", "-")
    html = snap.read(path)
    if path.endswith(".gz"):
        html = gzip.decompress(html)
    yield RawPage(page_id(relative), decode(html, path), None)


def cwced(source: Source, snap: Snapshot) -> Iterator[RawPage]:
    """Chinese-Web-Content-Extraction-Dataset: ``original/X.html``, its hand-copied content
    ``cleaned/X.txt`` and authors ``author/X.txt`` (space-separated, or "UNKNOWN")."""
    for path in snap.paths(source.files):
        stem = PurePosixPath(path).stem
        text_path, author_path = f"cleaned/{stem}.txt", f"author/{stem}.txt"
        if not snap.exists(text_path):
            continue
        names = None
        if snap.exists(author_path):
            names = snap.read(author_path).decode("utf-8").split()
        yield RawPage(
            id=stem,
            html=decode(snap.read(path), path),
            gold=paragraphs(decode(snap.read(text_path), text_path).splitlines()),
            authors=None if names is None else [n for n in names if n != "UNKNOWN"],
            lang="zh",
        )


READERS: dict[str, Callable[[Source, Snapshot], Iterator[RawPage]]] = {
    "l3s": l3s,
    "newspaper4k": newspaper4k,
    "fundus": fundus,
    "goose3": goose3,
    "trafilatura_eval": trafilatura_eval,
    "trafilatura_cache": trafilatura_cache,
    "teacher": teacher,
    "cwced": cwced,
}
