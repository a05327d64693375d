"""The shared sample's layout (``newspaper4k/`` with ``html/``, ``txt/``, ``metadata/``;
``trafilatura/*.html``) turned into labelled pages, so one benchmark reads both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.extraction.build import write_raw
from benchmarks.extraction.corpora import RESERVED_NAME, RawPage, decode, page_id, paragraphs
from benchmarks.extraction.sources import Source


def is_sample(data: Path) -> bool:
    return (data / "newspaper4k" / "html").is_dir() or (data / "trafilatura").is_dir()


def convert(data: Path, out: Path) -> int:
    """Write the sample under ``data`` as labelled pages under ``out``; the page count."""
    written, seen = 0, set[str]()
    for source, raw in _pages(data):
        written += write_raw(out, source, raw, seen)
    return written


def _source(corpus: str, gold_kind: str) -> Source:
    return Source(corpus, "", "", "see the sample's licence file", "", "", gold_kind, "")


def _pages(data: Path) -> Iterator[tuple[Source, RawPage]]:
    news = data / "newspaper4k"
    human = _source("newspaper4k", "human")
    for path in sorted((news / "html").glob("*.html")):
        text_file, meta_file = (
            news / "txt" / f"{path.stem}.txt",
            news / "metadata" / f"{path.stem}.json",
        )
        if not text_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        yield (
            human,
            RawPage(
                id=page_id(path.name),
                html=decode(path.read_bytes(), str(path)),
                gold=paragraphs(text_file.read_text(encoding="utf-8").splitlines()),
                title=meta.get("title"),
                authors=meta.get("authors"),
                url=meta.get("url"),
                lang=meta.get("language"),
            ),
        )
    taught = _source("trafilatura", "trafilatura")
    for path in sorted((data / "trafilatura").glob("*.html")):
        if not RESERVED_NAME.match(path.name):
            yield taught, RawPage(page_id(path.name), decode(path.read_bytes(), str(path)), None)
