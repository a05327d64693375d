"""The dumps of labelled pages (clean-data's folders, :mod:`benchmarks.extraction.folder`).

Besides each tool's dump, every page gives a *clean* text: its headline and its gold story
alone, as a user who copied the article would paste it. Dumps teach the model what furniture
looks like; clean texts teach it that a text of story alone is all story, edges included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.extraction import metric
from benchmarks.extraction.dumps import DUMP_KINDS
from benchmarks.extraction.folder import read_pages

CLEAN = "clean"
# Fewer gold tokens than this: the page has no story marked (some L3S-GN1 pages mark none),
# and every line of it would be taught as furniture, the story's included.
MIN_GOLD_TOKENS = 20
# A dump that holds less of the gold's 4-shingles than this lost the story itself (html2text
# failing on a page, an <article> element holding another story): there is nothing for a
# cleaner to find, so it is neither learnt from nor scored.
MIN_DUMP_RECALL = 0.5


@dataclass(frozen=True)
class Dump:
    """One text dump of a labelled page."""

    page: str
    corpus: str
    # The page's site: folds never split one.
    site: str
    lang: str
    kind: str
    text: str
    gold: str


def unusable(dump: Dump) -> str:
    """Why ``dump`` can teach or test a cleaner nothing ("" when it can)."""
    if len(metric.tokens(dump.gold)) < MIN_GOLD_TOKENS:
        return "the page has no story marked"
    if dump.kind != CLEAN and metric.score(dump.text, dump.gold).recall < MIN_DUMP_RECALL:
        return "the dump lost the story"
    return ""


def read_dumps(data: Path) -> Iterator[Dump]:
    """Every dump of every page under ``data``, in a stable order."""
    for page in read_pages(data):
        gold, meta = page.gold, page.meta
        for kind in DUMP_KINDS:
            text = page.text(kind)
            if text is not None:
                yield Dump(meta.name, meta.corpus, meta.site, meta.lang, kind, text, gold)
        story = "\n\n".join(line for line in gold.split("\n") if line.strip())
        clean = f"{meta.title}\n\n{story}" if meta.title else story
        yield Dump(meta.name, meta.corpus, meta.site, meta.lang, CLEAN, clean, gold)
