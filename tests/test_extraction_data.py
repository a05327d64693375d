"""The labelled-page builder, its folder format, the 4-shingle metric and the cleaning
benchmark, on tiny pages and repositories written here (no corpora, no lynx needed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks import cleaning
from benchmarks.__main__ import main
from benchmarks.extraction import metric, sample
from benchmarks.extraction.build import as_utf8, build
from benchmarks.extraction.folder import (
    Meta,
    listed,
    read_pages,
    write_page,
    write_ready,
)
from benchmarks.extraction.site import named_site, site_of
from benchmarks.extraction.sources import Source
from briefly.errors import UsageError

STORY = [
    "The city council of Marlow voted on Tuesday to turn the old tram depot into a public "
    "library, ending a debate that had divided residents for more than a decade.",
    "Under the plan, the depot's iron roof will be kept and the building will open in 2028 "
    "with reading rooms, a children's floor and a cafe run by a local charity.",
    "Opponents had wanted the site sold to a developer, saying the money was needed to "
    "repair the city's roads, but the vote was carried by nineteen to six.",
]
TITLE = "Marlow council turns old tram depot into a library"


def page_html(story: list[str] = STORY, title: str = TITLE) -> str:
    menu = "".join(
        f'<li><a href="https://marlow-herald.example.com/{w}">{w}</a></li>'
        for w in ("News", "Sport", "Weather", "Video", "Opinion")
    )
    body = "".join(f"<p>{p}</p>" for p in story)
    return (
        f'<html><head><meta charset="windows-1252"><title>{title} | Marlow Herald</title>'
        '<link rel="canonical" href="https://www.marlow-herald.example.com/news/depot">'
        f"</head><body><nav><ul>{menu}</ul></nav><article><h1>{title}</h1>"
        f'<p class="byline">By Anna Berg</p>{body}</article>'
        "<footer><p>Sign up for our morning newsletter</p>"
        "<p>© 2026 Marlow Herald. All rights reserved.</p></footer></body></html>"
    )


# --- metric ----------------------------------------------------------------------------------


def test_identical_and_disjoint_texts_score_one_and_zero():
    text = "\n".join(STORY)
    assert metric.score(text, text) == metric.PRF(1.0, 1.0, 1.0)
    assert metric.score("Completely different words appear in this line", text).f1 == 0.0


def test_extra_furniture_costs_precision_and_missing_story_costs_recall():
    # 10 gold tokens → 7 shingles; the first 7 tokens alone → 4 shingles, all right.
    gold = "one two three four five six seven eight nine ten"
    half = metric.score("one two three four five six seven", gold)
    assert (half.precision, half.recall) == (1.0, pytest.approx(4 / 7))
    # 3 furniture tokens in front add 3 wrong shingles to the 7 right ones.
    padded = metric.score("home news sport " + gold, gold)
    assert (padded.precision, padded.recall) == (pytest.approx(7 / 10), 1.0)
    assert padded.f1 == pytest.approx(2 * 0.7 / 1.7)


def test_shingles_are_a_multiset_so_a_repeated_paragraph_costs_precision():
    gold = "alpha beta gamma delta epsilon"
    twice = metric.score(f"{gold}\n{gold}", gold)
    assert twice.recall == 1.0
    assert twice.precision < 0.5


def test_tokens_are_lower_cased_words_and_keep_devanagari_vowel_signs():
    assert metric.tokens("The Council's VOTE, 19-6.") == ["the", "council", "s", "vote", "19", "6"]
    assert metric.tokens("किताब पढ़ना") == ["किताब", "पढ़ना"]


def test_text_without_spaces_is_scored_per_character():
    gold = "東京都は新しい図書館を開くと発表した。市民は喜んでいる。"
    assert metric.tokens("図書館")[:3] == ["図", "書", "館"]
    first_half = metric.score("東京都は新しい図書館を開くと発表した。", gold)
    assert first_half.precision == 1.0
    assert 0.4 < first_half.recall < 0.7


def test_short_and_empty_texts_are_handled_explicitly():
    assert metric.score("Two words", "two words") == metric.PRF(1.0, 1.0, 1.0)
    assert metric.score("", "") == metric.PRF(1.0, 1.0, 1.0)
    assert metric.score("", "the story was lost here") == metric.PRF(0.0, 0.0, 0.0)
    assert metric.score("menu home news sport", "") == metric.PRF(0.0, 0.0, 0.0)
    means = metric.mean([metric.PRF(1.0, 0.5, 0.6), metric.PRF(0.0, 0.0, 0.0)])
    assert means == metric.PRF(0.5, 0.25, 0.3)


# --- the folder format -----------------------------------------------------------------------


def meta(name: str = "depot", **fields) -> Meta:
    values = {
        "id": name,
        "corpus": "own",
        "site": "marlow-herald.example.com",
        "url": None,
        "lang": "en",
        "title": TITLE,
        "authors": ["Anna Berg"],
        "licence": "test",
    }
    return Meta(**(values | fields))


def test_pages_are_written_whole_listed_and_read_back(tmp_path):
    dumps = {"bs4": "Home\nNews\n" + "\n".join(STORY)}
    write_page(tmp_path, meta(), page_html(), "\n".join(STORY) + "\n", dumps)
    write_page(tmp_path, meta("other", lang="de", gold_kind="trafilatura"), "<p>x</p>", "x\n", {})
    assert listed(tmp_path) == {"own--depot", "own--other"}
    entry = json.loads((tmp_path / "manifest.jsonl").read_text().splitlines()[0])
    assert entry["path"] == "pages/own--depot" and entry["dumps"] == ["bs4"]
    pages = list(read_pages(tmp_path))
    assert [p.meta.name for p in pages] == ["own--depot", "own--other"]
    assert pages[0].meta == meta() and pages[0].gold.splitlines() == STORY
    assert pages[0].text("bs4") == dumps["bs4"] and pages[0].text("lynx") is None
    assert not list((tmp_path / "pages").glob(".*")), "no half-written folder is left"
    counts = write_ready(tmp_path)
    assert counts["lang"] == {"en": 1, "de": 1}
    assert counts["gold_kind"] == {"human": 1, "trafilatura": 1}
    assert json.loads((tmp_path / "READY").read_text()) == counts


def test_a_folder_that_is_not_there_names_the_command_that_builds_one(tmp_path):
    with pytest.raises(UsageError, match="extraction-data"):
        list(read_pages(tmp_path / "missing"))


def test_site_is_the_registered_domain_of_the_page_or_of_its_file_name():
    assert site_of(None, page_html(), "x") == (
        "https://www.marlow-herald.example.com/news/depot",
        "example.com",
    )
    assert site_of("https://news.bbc.co.uk/a", "<p>x</p>", "x")[1] == "bbc.co.uk"
    assert named_site("nhk.or.jp.k100") == "nhk.or.jp"
    assert named_site("al.com2") == "al.com"
    assert site_of(None, "<p>no links</p>", "page-7")[1] == "page-7"


def test_saved_pages_declare_the_utf8_they_are_saved_in():
    assert 'charset="utf-8"' in as_utf8('<meta charset="windows-1252">')
    assert "charset=utf-8" in as_utf8(
        '<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">'
    )


# --- building from a repository --------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def l3s_repo(root: Path) -> tuple[Path, str]:
    """A clone with two L3S-GN1-style pages: the original and the labelled twin."""
    repo = root / "page-signal"
    for folder in ("original", "annotated"):
        (repo / "set" / folder).mkdir(parents=True)
    for name, story in (("a", STORY), ("b", STORY[:2])):
        (repo / "set" / "original" / f"{name}.html").write_text(page_html(story), "utf-8")
        # As in the real set: the labelled copy lost its typographic apostrophes ("?"),
        # nests labelled spans, splits words at inline markup, breaks paragraphs with <br>.
        labelled = (
            "<div>"
            + "<br>".join(
                f'<span class="x-nc-sel2"><span class="x-nc-sel2">{p[:40]}</span></span><b>'
                f'<span class="x-nc-sel2">{p[40:]}</span></b>'.replace("'", "?")
                for p in story
            )
            + "</div>"
        )
        (repo / "set" / "annotated" / f"{name}.html").write_text(
            '<html><body><h1><span class="x-nc-sel1">'
            f'<span class="x-nc-sel1">{TITLE}</span></span></h1>'
            '<p><span class="x-nc-sel1">The deck under the headline</span></p>'
            f'<span class="x-nc-sel0">Home</span>{labelled}</body></html>',
            "utf-8",
        )
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pages")
    return repo, git(repo, "rev-parse", "HEAD")


def test_build_reads_the_pinned_commit_and_resumes(tmp_path):
    repo, commit = l3s_repo(tmp_path / "sources")
    source = Source(
        "l3s",
        "geodrome/page-signal",
        commit,
        "research",
        "l3s",
        "set/original/*.html",
        "human",
        "labelled blocks",
    )
    out = tmp_path / "out"
    said: list[str] = []
    counts = build(tmp_path / "sources", out, sources=(source,), say=said.append)
    assert counts["corpus"] == {"l3s": 2}
    page = next(p for p in read_pages(out) if p.meta.id == "a")
    # One line per paragraph, each once, words whole, the lost apostrophes restored.
    assert page.gold.splitlines() == STORY
    assert page.meta.title == TITLE and page.meta.gold_kind == "human"
    # The corpus labels the headline; the byline trafilatura read is its, not the corpus's.
    assert page.meta.labelled == ["title"] and page.meta.authors == ["Anna Berg"]
    assert page.meta.site == "example.com" and page.meta.lang == "en"
    assert {"bs4", "html2text"} <= {p.stem for p in (page.path / "dumps").iterdir()}
    assert build(tmp_path / "sources", out, sources=(source,), say=said.append) == counts
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 2


def test_a_resumed_build_records_which_labels_are_the_corpus_s(tmp_path):
    repo, commit = l3s_repo(tmp_path / "sources")
    source = Source(
        "l3s", "geodrome/page-signal", commit, "", "l3s", "set/original/*.html", "human", ""
    )
    out = tmp_path / "out"
    # As a folder built before the record was kept: trafilatura's title, no record.
    for name in ("a", "b"):
        page = meta(name, corpus="l3s", title="Depot | Marlow Herald", labelled=None)
        write_page(out, page, page_html(), "\n".join(STORY) + "\n", {})
    build(tmp_path / "sources", out, sources=(source,), say=lambda _: None)
    pages = list(read_pages(out))
    assert [(p.meta.title, p.meta.labelled) for p in pages] == [(TITLE, ["title"])] * 2
    assert not list(out.glob("pages/*/.*")), "no half-written meta.json is left"


def test_the_teacher_s_gold_is_held_to_the_strings_people_chose(tmp_path):
    # trafilatura's evaluation set says, per page, strings its main text holds and does not.
    repo = tmp_path / "sources" / "trafilatura"
    (repo / "tests" / "eval").mkdir(parents=True)
    checks = {
        # The teacher kept a paragraph people call furniture: the line leaves the gold.
        "kept.html": {"with": [STORY[0][:30]], "without": ["the vote was carried"]},
        # The teacher lost a sentence people call story: the page teaches nothing.
        "lost.html": {"with": ["a sentence that no page holds"], "without": []},
    }
    evaldata = {}
    for name, entry in checks.items():
        (repo / "tests" / "eval" / name).write_text(page_html(), "utf-8")
        evaldata[f"https://{name[:-5]}.example.org/story"] = {"file": name, **entry}
    (repo / "tests" / "evaldata.json").write_text(json.dumps(evaldata), "utf-8")
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pages")
    source = Source(
        "trafilatura", "adbar/trafilatura", git(repo, "rev-parse", "HEAD"), "", "trafilatura_eval",
        "tests/eval/*.html", "trafilatura", "",
    )  # fmt: skip
    out = tmp_path / "out"
    build(tmp_path / "sources", out, sources=(source,), say=lambda _: None)
    (page,) = read_pages(out)
    assert page.meta.id == "kept" and page.gold.splitlines()[-2:] == STORY[:2]
    assert STORY[2] not in page.gold


def test_a_missing_repository_or_commit_says_how_to_get_it(tmp_path):
    repo, _ = l3s_repo(tmp_path / "sources")
    source = Source(
        "l3s", "geodrome/page-signal", "0" * 40, "", "l3s", "set/original/*.html", "human", ""
    )
    with pytest.raises(UsageError, match="fetch https://github.com/geodrome/page-signal"):
        build(tmp_path / "sources", tmp_path / "out", sources=(source,))
    with pytest.raises(UsageError, match="git clone https://github.com/geodrome/page-signal"):
        build(tmp_path / "elsewhere", tmp_path / "out", sources=(source,))


# --- the benchmark ---------------------------------------------------------------------------


def labelled_folder(root: Path) -> Path:
    for name, gold_kind in (("depot", "human"), ("roads", "trafilatura")):
        html = page_html()
        bs4 = "Home\nNews\nSport\n" + TITLE + "\nBy Anna Berg\n" + "\n\n".join(STORY)
        bs4 += "\nSign up for our morning newsletter\n© 2026 Marlow Herald. All rights reserved."
        page = meta(name, gold_kind=gold_kind)
        write_page(root, page, html, "\n".join(STORY) + "\n", {"bs4": bs4})
    return root


def test_benchmark_scores_briefly_against_the_floor_and_the_anchor(tmp_path):
    folder = labelled_folder(tmp_path)
    results = [r for p in read_pages(folder) for r in cleaning.score_page(p, ("html", "bs4"))]
    bs4 = [r for r in results if r.kind == "bs4"]
    assert len(results) == 4 and len(bs4) == 2
    for r in bs4:
        assert r.briefly.recall == 1.0
        assert r.briefly.f1 > r.floor.f1, "cleaning beats the dump as it is"
        # trafilatura is the anchor only where its extraction is not the gold itself.
        if r.page.meta.gold_kind == "human":
            assert r.anchor.f1 > 0.9
        else:
            assert r.anchor is None
        assert r.title_ok is True and r.author_ok is True and not r.emptied
    table = cleaning.main(folder, kinds=("html", "bs4", "lynx"), by=("lang", "gold_kind"))
    assert "| bs4 | 2 |" in table and "| html | 2 |" in table and "| lynx |" not in table
    assert "| en | 2 |" in table and "| trafilatura | 1 | 1.000 | 1.000 | — |" in table


def test_titles_and_authors_count_only_where_the_corpus_labels_them(tmp_path):
    bs4 = "Home\n" + TITLE + "\nBy Anna Berg\n" + "\n\n".join(STORY)
    for name, labelled in (("depot", ["authors"]), ("roads", [])):
        write_page(tmp_path, meta(name, labelled=labelled), page_html(), "x\n", {"bs4": bs4})
    results = [r for p in read_pages(tmp_path) for r in cleaning.score_page(p, ("bs4",))]
    assert [(r.title_ok, r.author_ok) for r in results] == [(None, True), (None, None)]
    table = cleaning.metadata_table(results, ("html", "bs4"), "lang")
    assert table.splitlines()[-1] == "| en | - (0) / 100.0 (1) |"


def test_benchmark_reads_the_shared_sample_layout(tmp_path, monkeypatch):
    news = tmp_path / "newspaper4k"
    for folder in ("html", "txt", "metadata"):
        (news / folder).mkdir(parents=True)
    (news / "html" / "depot.html").write_text(page_html(), "utf-8")
    (news / "txt" / "depot.txt").write_text("\n\n".join(STORY), "utf-8")
    (news / "metadata" / "depot.json").write_text(
        json.dumps({"title": TITLE, "authors": ["Anna Berg"]})
    )
    assert sample.is_sample(tmp_path)
    out = tmp_path / "converted"
    assert sample.convert(tmp_path, out) == 1
    (page,) = read_pages(out)
    assert page.meta.corpus == "newspaper4k" and page.gold.splitlines() == STORY


def test_cleaning_command_and_its_usage_errors(tmp_path, capsys):
    folder = labelled_folder(tmp_path)
    assert main(["cleaning", "--data", str(folder), "--kinds", "bs4", "--limit", "1"]) == 0
    assert "| bs4 | 1 |" in capsys.readouterr().out
    assert main(["cleaning", "--data", str(tmp_path / "none")]) == 2
    assert "extraction-data" in capsys.readouterr().err
    assert main(["cleaning", "--data", str(folder), "--kinds", "pdf"]) == 2
    assert "unknown pdf" in capsys.readouterr().err
    # One corpus alone: e.g. one the shipped model never saw.
    args = ["cleaning", "--data", str(folder), "--kinds", "bs4", "--corpora"]
    assert main([*args, "own"]) == 0
    assert "| bs4 | 2 |" in capsys.readouterr().out
    assert main([*args, "nosuch"]) == 2
    assert "no labelled pages of corpus nosuch" in capsys.readouterr().err


def test_a_limited_run_takes_pages_from_every_corpus(tmp_path):
    for corpus in ("alpha", "beta", "gamma"):
        for name in ("one", "two"):
            page = meta(name, corpus=corpus)
            write_page(tmp_path, page, page_html(), "\n".join(STORY) + "\n", {})
    table = cleaning.main(tmp_path, kinds=("html",), by=("corpus",), limit=3)
    assert all(f"| {corpus} | 1 |" in table for corpus in ("alpha", "beta", "gamma"))
