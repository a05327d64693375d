"""The labelled-page folder: ``pages/<corpus>--<id>/`` with ``page.html``, ``gold.txt`` (the
main text, one paragraph a line), ``meta.json`` and ``dumps/<kind>.txt``; ``manifest.jsonl``
lists finished pages, one a line, appended as each is written; ``READY`` holds the counts when
a build is done."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from briefly.errors import UsageError

MANIFEST = "manifest.jsonl"
READY = "READY"
GOLD_KINDS = ("human", "trafilatura")


@dataclass(frozen=True)
class Meta:
    """What ``meta.json`` holds about one page."""

    id: str
    corpus: str
    # The grouping key for validation folds: the page's registered domain where known.
    site: str
    url: str | None
    # ISO 639-1.
    lang: str
    title: str | None
    authors: list[str] = field(default_factory=list)
    # "human": marked by people or a corpus's checked fixture; "trafilatura": its extraction.
    gold_kind: str = "human"
    licence: str = ""
    # Which of "title" and "authors" the corpus's own files give; the others are
    # trafilatura's (the teacher's). None: not recorded (a folder built before it was).
    labelled: list[str] | None = None

    @property
    def name(self) -> str:
        return f"{self.corpus}--{self.id}"


@dataclass(frozen=True)
class LabelledPage:
    """One page folder, read back."""

    path: Path
    meta: Meta

    @property
    def html(self) -> str:
        return (self.path / "page.html").read_text(encoding="utf-8")

    @property
    def gold(self) -> str:
        return (self.path / "gold.txt").read_text(encoding="utf-8")

    def text(self, kind: str) -> str | None:
        """The input of ``kind`` ("html" or a dump kind), None where the page has none."""
        if kind == "html":
            return self.html
        dump = self.path / "dumps" / f"{kind}.txt"
        return dump.read_text(encoding="utf-8") if dump.exists() else None


def write_page(out: Path, meta: Meta, html: str, gold: str, dumps: dict[str, str]) -> Path:
    """Write one page folder whole, then list it in the manifest.

    The folder is built under a hidden name and renamed into place, so a reader (a training
    run on a build still going) never sees half a page.
    """
    pages = out / "pages"
    final = pages / meta.name
    part = pages / f".{meta.name}.part"
    shutil.rmtree(part, ignore_errors=True)
    (part / "dumps").mkdir(parents=True)
    (part / "page.html").write_text(html, encoding="utf-8")
    (part / "gold.txt").write_text(gold, encoding="utf-8")
    (part / "meta.json").write_text(_meta_json(meta), encoding="utf-8")
    for kind, text in dumps.items():
        (part / "dumps" / f"{kind}.txt").write_text(text, encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(part, final)
    entry = {
        "name": meta.name,
        "path": f"pages/{meta.name}",
        "corpus": meta.corpus,
        "site": meta.site,
        "lang": meta.lang,
        "gold_kind": meta.gold_kind,
        "dumps": sorted(dumps),
    }
    with (out / MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return final


def rewrite_meta(page: LabelledPage, meta: Meta) -> None:
    """Replace a written page's ``meta.json`` whole (a new file renamed over the old one)."""
    part = page.path / ".meta.json.part"
    part.write_text(_meta_json(meta), encoding="utf-8")
    os.replace(part, page.path / "meta.json")


def _meta_json(meta: Meta) -> str:
    return json.dumps(asdict(meta), ensure_ascii=False, indent=1) + "\n"


def listed(out: Path) -> set[str]:
    """Names of the pages the manifest lists (a build resumes past them)."""
    manifest = out / MANIFEST
    if not manifest.exists():
        return set()
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["name"] for line in lines if line.strip()}


def write_ready(out: Path) -> dict[str, dict[str, int]]:
    """Write ``READY``: pages per corpus, language and gold kind."""
    pages = list(read_pages(out))
    counts = {
        "pages": {"all": len(pages)},
        "corpus": dict(Counter(p.meta.corpus for p in pages).most_common()),
        "lang": dict(Counter(p.meta.lang for p in pages).most_common()),
        "gold_kind": dict(Counter(p.meta.gold_kind for p in pages).most_common()),
    }
    (out / READY).write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    return counts


def read_pages(data: Path) -> Iterator[LabelledPage]:
    """The page folders under ``data`` (a build's folder or its ``pages/``), in name order."""
    root = data / "pages" if (data / "pages").is_dir() else data
    if not root.is_dir():
        raise UsageError(
            f"{data} is not a folder of labelled pages: build one with "
            "`python -m benchmarks extraction-data --sources DIR --out DIR`"
        )
    for path in sorted(root.iterdir()):
        meta_file = path / "meta.json"
        if path.name.startswith(".") or not meta_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        yield LabelledPage(path, Meta(**meta))
