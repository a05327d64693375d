"""Labelled pages on disk: the gold text, the page's metadata and its text dumps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from briefly.errors import UsageError

KINDS = ("lynx", "w3m", "bs4", "html2text", "lynx-article")


@dataclass(frozen=True)
class Dump:
    """One text dump of a labelled page."""

    page: str
    # The page's site: folds never split one.
    site: str
    lang: str
    kind: str
    text: str
    gold: str


def read_dumps(data: Path) -> Iterator[Dump]:
    """Every dump of every page under ``data``/pages, in a stable order."""
    folders = sorted((data / "pages").glob("*/meta.json"))
    if not folders:
        raise UsageError(f"No labelled pages under {data}/pages: pass --data with pages/*/")
    for meta_file in folders:
        folder = meta_file.parent
        gold_file = folder / "gold.txt"
        if not gold_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        gold = gold_file.read_text(encoding="utf-8")
        for kind in KINDS:
            dump = folder / "dumps" / f"{kind}.txt"
            if dump.exists():
                text = dump.read_text(encoding="utf-8", errors="replace")
                yield Dump(folder.name, meta["site"], meta.get("lang") or "?", kind, text, gold)
