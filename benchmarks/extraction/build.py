"""Build the labelled-page folder from the recipe's repository snapshots."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.extraction import corpora, teacher
from benchmarks.extraction.dumps import DUMP_KINDS, make_dumps
from benchmarks.extraction.folder import (
    LabelledPage,
    Meta,
    listed,
    read_pages,
    rewrite_meta,
    write_page,
    write_ready,
)
from benchmarks.extraction.git import snapshot
from benchmarks.extraction.site import language, site_of
from benchmarks.extraction.sources import SOURCES, Source, select
from briefly.errors import InputError

logger = logging.getLogger("benchmarks")

# Less main text than this is no article (a tag page, a video with a caption): left out.
MIN_GOLD_CHARS = 200
# Pages are saved as UTF-8, so what they declare must say so, or lynx and w3m misread them.
_CHARSET = re.compile(r"""(<meta[^>]*?charset\s*=\s*["']?)([\w:.-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])([\w:.-]+)""", re.IGNORECASE)


def as_utf8(html: str) -> str:
    """``html`` with its charset declarations (meta, XML) saying UTF-8."""
    html = _CHARSET.sub(r"\g<1>utf-8", html)
    return _XML_ENCODING.sub(r"\g<1>utf-8", html, count=1)


def build(
    sources_dir: Path,
    out: Path,
    *,
    corpora_names: tuple[str, ...] = (),
    limit: int | None = None,
    say: Callable[[str], None] = print,
    sources: tuple[Source, ...] = SOURCES,
) -> dict[str, dict[str, int]]:
    """Write every page of the selected corpora of ``sources`` (default: the recipe) under
    ``out``; pages already in its manifest are kept (a build resumes), and given the record
    of which metadata their corpus labels where they lack it. Returns the counts written to
    ``READY``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "READY").unlink(missing_ok=True)
    done = listed(out)
    # The same page in two corpora (a fixture kept in two places) is written once.
    pages = {page.meta.name: page for page in read_pages(out)}
    seen = {_digest(page.html) for page in pages.values()}
    for source in select(sources, corpora_names):
        snap = snapshot(sources_dir, source.repo, source.commit)
        written = skipped = 0
        for raw in corpora.READERS[source.reader](source, snap):
            if limit is not None and written >= limit:
                break
            name = f"{source.corpus}--{raw.id}"
            if name in done:
                _record_labels(pages.get(name), raw)
                continue
            if write_raw(out, source, raw, seen):
                written += 1
                if written % 25 == 0:
                    say(f"{source.corpus}: {written} pages")
            else:
                skipped += 1
        say(
            f"{source.corpus}: {written} pages written, {skipped} duplicates, too short or "
            "failing people's checks"
        )
    return write_ready(out)


def write_raw(out: Path, source: Source, raw: corpora.RawPage, seen: set[str]) -> bool:
    """Write ``raw`` as a labelled page (gold from trafilatura where the corpus has none);
    False for a page already in ``seen`` or with too little main text to be an article."""
    html = as_utf8(raw.html)
    digest = _digest(html)
    if digest in seen:
        return False
    seen.add(digest)
    found = teacher.extract(html, raw.url)
    gold = raw.gold if raw.gold is not None else corpora.paragraphs(found.text.splitlines())
    gold = teacher.checked(gold, raw.must, raw.must_not) or ""
    if len(gold) < MIN_GOLD_CHARS:
        return False
    url, site = site_of(raw.url or found.url, html, raw.id)
    meta = Meta(
        id=raw.id,
        corpus=source.corpus,
        site=site,
        url=url,
        lang=_language(raw.lang, gold),
        title=found.title,
        authors=found.authors,
        gold_kind=source.gold_kind,
        licence=source.licence,
    )
    meta = with_corpus_labels(meta, raw)
    try:
        dumps = dict(make_dumps(html, DUMP_KINDS))
    except InputError as e:
        logger.warning("%s: no dumps: %s", meta.name, e)
        return False
    write_page(out, meta, html, gold + "\n", dumps)
    return True


def with_corpus_labels(meta: Meta, raw: corpora.RawPage) -> Meta:
    """``meta`` with the title and authors the corpus gives for ``raw`` (none credited is an
    answer too) in place of trafilatura's, and the record of which they are."""
    labels: dict[str, Any] = {"title": raw.title} if raw.title else {}
    if raw.authors is not None:
        labels["authors"] = raw.authors
    return replace(meta, **labels, labelled=sorted(labels))


def _record_labels(page: LabelledPage | None, raw: corpora.RawPage) -> None:
    """A page written before the labels' source was recorded gets the record."""
    if page is not None and page.meta.labelled is None:
        rewrite_meta(page, with_corpus_labels(page.meta, raw))


def _digest(html: str) -> str:
    return hashlib.sha1(html.encode("utf-8")).hexdigest()


def _language(given: str | None, gold: str) -> str:
    """The corpus's language code where it gives a plain one, else py3langid's on the gold."""
    if given and re.fullmatch(r"[a-z]{2}", given.strip().lower()):
        return given.strip().lower()
    return language(gold)
