"""The recipe: which public repositories, at which commits, give which labelled pages.

Each source is one corpus, read from a public git repository at a pinned commit; the pages
are fetched by whoever builds the set (``git clone``), never committed here. Excluded
everywhere: the ScrapingHub article-extraction-benchmark and Mozilla Readability's test
pages, and any copy of them in another repository (see benchmarks/README.md, "Cleaning
data").
"""

from __future__ import annotations

from dataclasses import dataclass

from briefly.errors import UsageError


@dataclass(frozen=True)
class Source:
    """One corpus: a repository snapshot and how its pages and gold text are read."""

    corpus: str
    # GitHub owner/name, and the commit read.
    repo: str
    commit: str
    licence: str
    # The name of the reader in corpora.py.
    reader: str
    # Which files are pages (fnmatch; * crosses folders).
    files: str
    # "human" or "trafilatura" (the teacher).
    gold_kind: str
    # What the gold text is, in words (for the README).
    gold: str
    # Whether the licence lets a model learnt from the pages ship with briefly; a corpus
    # that may not only tests the cleaner.
    trains: bool = True


SOURCES = (
    Source(
        corpus="l3s-gn1",
        repo="geodrome/page-signal",
        commit="186d8153b3d111f84865ddc180600a9cbe35ac7f",
        licence="L3S-GN1: research use only (Kohlschütter, Fankhauser, Nejdl, WSDM 2010)",
        reader="l3s",
        files="L3S-GN1-20100130203947-00001/original/*.html",
        # Research use only, non-transferable: the shipped weights are not learnt from it.
        trains=False,
        gold_kind="human",
        gold=(
            "blocks people labelled full text (x-nc-sel2) in annotated/, one block-level "
            "element a line; the first headline block (x-nc-sel1) is the title, not the deck "
            "under it"
        ),
    ),
    Source(
        corpus="newspaper4k",
        repo="AndyTheFactory/newspaper4k",
        commit="540bff3e8344cb8291c4829fafd98860f30d9692",
        licence="MIT",
        reader="newspaper4k",
        files="tests/data/html/*.html",
        gold_kind="human",
        gold=(
            "tests/data/txt/<name>.txt, the body the project's tests expect; title, authors, "
            "language from tests/data/metadata/<name>.json"
        ),
    ),
    Source(
        corpus="newspaper4k-2023",
        repo="AndyTheFactory/newspaper4k",
        commit="a012967cfe4158ea6713476a3b2fe7e39c42b552",
        licence="MIT",
        reader="newspaper4k",
        files="tests/data/html/*.html",
        gold_kind="human",
        gold=(
            "as newspaper4k: the fulltext fixtures (about 90 English sites) the project kept "
            "until commit 1da8e69 removed them; pages also at the newer commit are left out "
            "as duplicates"
        ),
    ),
    Source(
        corpus="cwced",
        repo="immortal-autumn/Chinese-Web-Content-Extraction-Dataset",
        commit="99d0ef08419109b5489b12e38f771f25b952d774",
        licence="MIT",
        reader="cwced",
        files="original/*.html",
        gold_kind="human",
        gold="cleaned/<name>.txt, the content area copied by hand; authors from author/<name>.txt",
    ),
    Source(
        corpus="fundus",
        repo="flairNLP/fundus",
        commit="18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
        licence="MIT",
        reader="fundus",
        files="tests/resources/parser/test_data/*.html.gz",
        gold_kind="human",
        gold=(
            "the body (summary, section headlines, paragraphs) the project's per-publisher "
            "parser tests expect, the version whose paragraphs the page holds; url from "
            "meta.info"
        ),
    ),
    Source(
        corpus="goose3",
        repo="goose3/goose3",
        commit="c5a8902eed0c4592a1ff5ec51a0277cf73a3aca7",
        licence="Apache-2.0",
        reader="goose3",
        files="tests/data/content/*.html",
        gold_kind="trafilatura",
        gold=(
            "trafilatura's extraction (the fixtures' cleaned_text is only the article's "
            "opening); url and title from the fixture's JSON"
        ),
    ),
    Source(
        corpus="gne",
        repo="GeneralNewsExtractor/GeneralNewsExtractor",
        commit="3d5a67c65f4d6c8e13c3047754a4c18fc0b0754a",
        licence=(
            "GPL-3.0 (the repository's; the pages are public Chinese news pages kept as test data)"
        ),
        reader="teacher",
        files="tests/*.html",
        gold_kind="trafilatura",
        gold="trafilatura's extraction of the Chinese news test pages",
    ),
    Source(
        corpus="postlight",
        repo="postlight/parser",
        commit="e8ba7ece291efa4d915d50dd4deeec17d54359f2",
        licence=(
            "MIT or Apache-2.0 (the repository's; the pages are public web pages kept as test"
            " fixtures)"
        ),
        reader="teacher",
        files="fixtures/*.html",
        gold_kind="trafilatura",
        gold=(
            "trafilatura's extraction of the custom-extractor fixtures (about 170 sites, some"
            " 25 Japanese)"
        ),
    ),
    Source(
        corpus="trafilatura-cache",
        repo="adbar/trafilatura",
        commit="e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
        licence=(
            "Apache-2.0 (the repository's licence; the pages are public web pages kept as "
            "test data)"
        ),
        reader="trafilatura_cache",
        files="tests/cache/*.html",
        gold_kind="trafilatura",
        gold="trafilatura's extraction; pages also under tests/eval/ and 32-hex names are left out",
    ),
    Source(
        corpus="trafilatura",
        repo="adbar/trafilatura",
        commit="e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
        licence=(
            "Apache-2.0 (the repository's licence; the pages are public web pages kept as "
            "test data)"
        ),
        reader="trafilatura_eval",
        files="tests/eval/*.html",
        gold_kind="trafilatura",
        gold=(
            "trafilatura's extraction; url from tests/evaldata.json. Pages named by a 32-hex "
            "id are left out: they may be copies of the ScrapingHub benchmark"
        ),
    ),
)


def select(sources: tuple[Source, ...], corpora: tuple[str, ...]) -> list[Source]:
    """The sources named in ``corpora`` (all when empty), in recipe order."""
    known = {s.corpus for s in sources}
    unknown = sorted(set(corpora) - known)
    if unknown:
        raise UsageError(f"unknown corpus {', '.join(unknown)}: one of {', '.join(sorted(known))}")
    return [s for s in sources if not corpora or s.corpus in corpora]


# Corpora whose pages only test the cleaner (their licence keeps them out of its weights).
TEST_ONLY = frozenset(source.corpus for source in SOURCES if not source.trains)
