"""How clean ``briefly extract`` makes real news pages, as HTML and as the text dumps users have.

Reads a folder of labelled pages (``benchmarks/extraction/folder.py``: each page's HTML, its
gold main text and the dumps made with lynx, w3m, BeautifulSoup, html2text and lynx of the
``<article>``), or the shared sample's layout, converted on the fly. Per input kind it scores
briefly's ``parse_article`` with the token 4-shingle P/R/F1 of the extraction benchmarks
(``extraction/metric.py``), next to the dump as it is (the floor) and trafilatura on the same
page's HTML (the anchor, on pages whose gold people marked); plus titles and first authors
found, and pages emptied.

Titles and authors are scored only on pages whose corpus labels them (``meta.labelled``;
trafilatura's, which fill the others, would score the HTML path against itself), and only
on the inputs that hold them (an ``<article>`` dump may start below the headline and
byline). A title is right when its tokens (the metric's: lower-cased words, punctuation
left out) are those of the title expected, in order: an exact match, not a token overlap.
The title expected is the page's labelled title, or its first ``<h1>`` on inputs that show
only that. An author is right when the author found holds the first labelled one, so
compared; a page whose corpus credits no one expects no author.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.extraction import metric, sample
from benchmarks.extraction.dumps import KINDS, tree, visible_text
from benchmarks.extraction.folder import LabelledPage, read_pages
from briefly.article.loader import parse_article
from briefly.errors import InputError, UsageError

DEFAULT_DATA = Path("~/.cache/briefly/benchmarks/cleaning")
GROUPS = ("lang", "site", "corpus", "gold_kind")
# Pages scored below this F1 are listed by --misses.
_MISS_F1 = 0.5

Extract = Callable[[str, str], tuple[str | None, str | None, str]]


@dataclass(frozen=True)
class Result:
    """One input of one page, scored."""

    page: LabelledPage
    kind: str
    briefly: metric.PRF
    # The input as it is, against the gold (None for the HTML itself).
    floor: metric.PRF | None
    # trafilatura on the page's HTML; None where the gold is trafilatura's own extraction.
    anchor: metric.PRF | None
    # None where the input does not hold a title (an author) to find.
    title_ok: bool | None
    author_ok: bool | None
    emptied: bool
    seconds: float
    title: str | None
    author: str | None


def comparable(text: str) -> str:
    """``text`` as the metric's tokens (lower-cased words; a character each in scripts written
    without spaces): punctuation, quotes and spacing make no difference."""
    return " ".join(metric.tokens(text))


def _holds(text: str, part: str) -> bool:
    """Whether comparable ``text`` holds comparable ``part`` as whole tokens."""
    return f" {part} " in f" {text} "


def briefly_extract(text: str, kind: str) -> tuple[str | None, str | None, str]:
    """What ``briefly extract`` gives for a saved page (.html) or dump (.txt)."""
    suffix = ".html" if kind == "html" else ".txt"
    article = parse_article(text, source=f"page{suffix}", is_html=kind == "html")
    return article.title, article.author, article.body


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def score_page(
    page: LabelledPage, kinds: Iterable[str], extract: Extract = briefly_extract
) -> Iterator[Result]:
    """Each input kind of ``page`` that the page has, scored."""
    html, gold = page.html, page.gold
    taught = page.meta.gold_kind == "trafilatura"
    anchor = None if taught else metric.score(trafilatura_text(html), gold)
    headline = first_heading(html)
    for kind in kinds:
        text = page.text(kind)
        if text is None:
            continue
        shown = comparable(visible_text(html) if kind == "html" else text)
        # CPU time: the machine may be shared, and the targets are per core.
        start = time.process_time()
        try:
            title, author, body = extract(text, kind)
        except InputError:
            title, author, body = None, None, ""
        seconds = time.process_time() - start
        yield Result(
            page=page,
            kind=kind,
            briefly=metric.score(body, gold),
            floor=None if kind == "html" else metric.score(text, gold),
            anchor=anchor,
            title_ok=_title_ok(page, headline, shown, title),
            author_ok=_author_ok(page, shown, author),
            emptied=not body.strip(),
            seconds=seconds,
            title=title,
            author=author,
        )


def first_heading(html: str) -> str | None:
    texts = (comparable(h1.text_content()) for h1 in tree(html).iter("h1"))
    return next((text for text in texts if text), None)


def _labelled(page: LabelledPage, field: str) -> bool:
    """Whether the corpus gives ``field``; a folder built before this was recorded: all do."""
    return page.meta.labelled is None or field in page.meta.labelled


def expected_title(page: LabelledPage, headline: str | None, shown: str) -> str | None:
    """The title an input ``shown`` (comparable) should give, comparable; None where the
    corpus labels none or the input does not hold it."""
    if not _labelled(page, "title"):
        return None
    return next(
        (t for t in (comparable(page.meta.title or ""), headline) if t and _holds(shown, t)), None
    )


def _title_ok(page: LabelledPage, headline: str | None, shown: str, got: str | None) -> bool | None:
    wanted = expected_title(page, headline, shown)
    return None if wanted is None else comparable(got or "") == wanted


def _author_ok(page: LabelledPage, shown: str, got: str | None) -> bool | None:
    if not _labelled(page, "authors"):
        return None
    authors = page.meta.authors
    wanted = comparable(authors[0]) if authors else ""
    if wanted and not _holds(shown, wanted):
        return None
    found = comparable(got or "")
    return _holds(found, wanted) if wanted and found else wanted == found


@dataclass
class Tally:
    """Results of one row of a table."""

    results: list[Result]

    def mean(self, pick: Callable[[Result], metric.PRF | None]) -> metric.PRF:
        return metric.mean([s for r in self.results if (s := pick(r)) is not None])

    def share(self, pick: Callable[[Result], bool | None]) -> str:
        found = [ok for r in self.results if (ok := pick(r)) is not None]
        return f"{100 * sum(found) / len(found):5.1f}" if found else "    -"

    def scored(self, pick: Callable[[Result], bool | None]) -> int:
        return sum(pick(r) is not None for r in self.results)


def _prf(s: metric.PRF) -> str:
    return f"{s.precision:.3f} / {s.recall:.3f} / **{s.f1:.3f}**"


def kind_table(results: list[Result], kinds: tuple[str, ...]) -> str:
    """One row per input kind: briefly, the floor, the anchor, titles, authors, emptied."""
    lines = [
        "| input | pages | briefly P / R / F1 | dump as it is F1 | trafilatura on HTML F1 "
        "| title % | author % | emptied | CPU ms/page |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    by_kind = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    for kind in kinds:
        rows = Tally(by_kind.get(kind, []))
        if not rows.results:
            continue
        floor = rows.mean(lambda r: r.floor)
        seconds = sum(r.seconds for r in rows.results) / len(rows.results)
        lines.append(
            f"| {kind} | {len(rows.results)} | {_prf(rows.mean(lambda r: r.briefly))} | "
            f"{'—' if kind == 'html' else f'{floor.f1:.3f}'} | "
            f"{_f1(rows.mean(lambda r: r.anchor))} | {rows.share(lambda r: r.title_ok)} | "
            f"{rows.share(lambda r: r.author_ok)} | {sum(r.emptied for r in rows.results)} | "
            f"{1000 * seconds:.1f} |"
        )
    return "\n".join(lines)


def group_table(results: list[Result], kinds: tuple[str, ...], by: str) -> str:
    """briefly's F1 per ``by`` (lang, site, corpus, gold_kind) and input kind, with pages and
    the anchor."""
    groups: dict[str, dict[str, list[Result]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        groups[str(getattr(r.page.meta, by))][r.kind].append(r)
    shown = [k for k in kinds if any(k in g for g in groups.values())]
    lines = [
        f"| {by} | pages | {' | '.join(shown)} | trafilatura on HTML |",
        "|---|---|" + "---|" * (len(shown) + 1),
    ]
    for name, rows in sorted(groups.items(), key=lambda item: (-_pages(item[1]), item[0])):
        cells = [
            f"{Tally(rows[k]).mean(lambda r: r.briefly).f1:.3f}" if rows.get(k) else "—"
            for k in shown
        ]
        anchor = Tally([r for k in rows for r in rows[k]]).mean(lambda r: r.anchor)
        lines.append(f"| {name} | {_pages(rows)} | {' | '.join(cells)} | {_f1(anchor)} |")
    return "\n".join(lines)


def metadata_table(results: list[Result], kinds: tuple[str, ...], by: str) -> str:
    """Titles and authors right per ``by`` and input kind: "title % (inputs scored) / author %
    (inputs scored)"."""
    groups: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(lambda: Tally([])))
    for r in results:
        if r.title_ok is not None or r.author_ok is not None:
            groups[str(getattr(r.page.meta, by))][r.kind].results.append(r)
    shown = [k for k in kinds if any(k in g for g in groups.values())]
    lines = [
        f"| {by} | {' | '.join(f'{k} title / author' for k in shown)} |",
        "|---|" + "---|" * len(shown),
    ]

    def scored(item: tuple[str, dict[str, Tally]]) -> tuple[int, str]:
        return -sum(len(tally.results) for tally in item[1].values()), item[0]

    for name, rows in sorted(groups.items(), key=scored):
        cells = [
            " / ".join(
                f"{rows[k].share(pick).strip()} ({rows[k].scored(pick)})"
                for pick in (lambda r: r.title_ok, lambda r: r.author_ok)
            )
            if k in rows
            else "—"
            for k in shown
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _f1(score: metric.PRF) -> str:
    """An F1 for a table; "—" where no page had one (the anchor on teacher-gold pages)."""
    return "—" if math.isnan(score.f1) else f"{score.f1:.3f}"


def _pages(rows: dict[str, list[Result]]) -> int:
    return len({r.page.path for k in rows for r in rows[k]})


def misses(results: list[Result]) -> list[str]:
    """Inputs scored below F1 0.5, and titles and authors missed."""
    lines = []
    for r in results:
        name = f"{r.kind}: {r.page.meta.name}"
        if r.briefly.f1 < _MISS_F1:
            lines.append(f"{name} F1 {r.briefly.f1:.3f} (dump {r.floor.f1 if r.floor else 0:.3f})")
        if r.title_ok is False:
            lines.append(f"{name} TITLE {r.title!r} (want {r.page.meta.title!r})")
        if r.author_ok is False:
            lines.append(f"{name} AUTHOR {r.author!r} (want {r.page.meta.authors[:1]!r})")
    return lines


@contextlib.contextmanager
def labelled_folder(data: Path) -> Iterator[Path]:
    """``data`` itself, or the shared sample's layout under it converted in a temporary folder."""
    data = data.expanduser()
    if not sample.is_sample(data):
        yield data
        return
    for tool in ("lynx", "w3m"):
        if shutil.which(tool) is None:
            raise UsageError(f"{tool} is not installed: apt-get install lynx w3m")
    with tempfile.TemporaryDirectory(prefix="briefly-cleaning-") as tmp:
        sample.convert(data, Path(tmp))
        yield Path(tmp)


def main(
    data: Path = DEFAULT_DATA,
    *,
    kinds: tuple[str, ...] = KINDS,
    by: tuple[str, ...] = ("lang",),
    limit: int | None = None,
    gold_kind: str | None = None,
    corpora: tuple[str, ...] = (),
    show_misses: bool = False,
) -> str:
    """Run the benchmark and return its tables (Markdown)."""
    unknown = sorted(set(kinds) - set(KINDS)) + sorted(set(by) - set(GROUPS))
    if unknown:
        raise UsageError(
            f"unknown {', '.join(unknown)}: kinds are {', '.join(KINDS)}; "
            f"--by takes {', '.join(GROUPS)}"
        )
    with labelled_folder(data) as folder:
        pages = [
            p
            for p in read_pages(folder)
            if (gold_kind is None or p.meta.gold_kind == gold_kind)
            and (not corpora or p.meta.corpus in corpora)
        ]
        if limit is not None:
            # Every k-th page in name order: each corpus keeps its share of a smaller run.
            pages = pages[:: -(-len(pages) // limit)]
        if not pages:
            only = f" of corpus {', '.join(corpora)}" if corpora else ""
            raise UsageError(
                f"no labelled pages{only} under {data}: build them with python -m benchmarks "
                "extraction-data"
            )
        # The first page would pay for importing trafilatura; the figures are warm.
        with contextlib.suppress(InputError):
            briefly_extract("<html><body><p>Warm up the extractor.</p></body></html>", "html")
        results = [r for page in pages for r in score_page(page, kinds)]
    parts = [kind_table(results, kinds)]
    parts += [group_table(results, kinds, group) for group in by]
    parts += [metadata_table(results, kinds, group) for group in by]
    if show_misses:
        parts.append("\n".join(misses(results)))
    return "\n\n".join(parts)
