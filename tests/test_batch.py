"""Batch mode: results, index, errors, resume, interruption, and equality with `brief`."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from briefly.article.loader import load_article
from briefly.batch.local import BatchOptions, run_batch
from briefly.batch.sources import list_articles
from briefly.cli.app import app
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from tests.support.models import FAST
from tests.support.processes import PROCESS_TIMEOUT_S

PARAGRAPH = (
    "Engineers in {city} finished testing the new flood barrier on {day}, officials said. "
    "The barrier, which cost {n} million dollars, protects about {k} thousand homes. "
    "Residents said they hoped the project would end years of damage from storms."
)
CITIES = ["Lviv", "Pune", "Gdansk", "Porto", "Leeds", "Nantes", "Kochi", "Malmo"]


def story(i: int, paragraphs: int = 2) -> str:
    body = "\n\n".join(
        PARAGRAPH.format(city=CITIES[(i + p) % len(CITIES)], day="Monday", n=i + p, k=3 * i + p)
        for p in range(paragraphs)
    )
    return f"Flood barrier number {i} passes its first test\n\n{body}\n\nAuthor: Reporter {i}\n"


def make_folder(root: Path) -> Path:
    src = root / "in"
    (src / "europe" / "north").mkdir(parents=True)
    (src / "asia").mkdir()
    (src / "short.txt").write_text(story(1), encoding="utf-8")
    # Five chunks for the tiny summariser (128 tokens), whose summaries take two more rounds.
    (src / "long.txt").write_text(story(2, paragraphs=6), encoding="utf-8")
    (src / "europe" / "a.txt").write_text(story(3), encoding="utf-8")
    (src / "europe" / "a.html").write_text(
        "<html><head><title>Harbour reopens</title></head><body><nav>Home | News</nav>"
        "<article><h1>Harbour reopens after repairs</h1>"
        + "".join(
            f"<p>{PARAGRAPH.format(city='Split', day='Friday', n=p, k=p)}</p>" for p in range(3)
        )
        + "</article><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    (src / "europe" / "north" / "kyiv.txt").write_bytes(
        (
            "Новий міст відкрили у Києві\n\n" + "Міська рада повідомила, що рух мостом "
            "відкрито для автобусів і трамваїв. " * 5
        ).encode("cp1251")
    )
    (src / "asia" / "empty.txt").write_text("   \n", encoding="utf-8")
    (src / "asia" / "broken.txt").write_bytes(b"\x00\x01\x02\xff" * 200)
    (src / "asia" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return src


@pytest.fixture
def briefer(tiny_summarizer, tiny_translators):
    return Briefer(
        BriefOptions(
            summarizer=str(tiny_summarizer),
            languages=("uk", "hi"),
            # A Marian model stands in for opus-mt-uk-en, for the Ukrainian article.
            translators={lang: str(path) for lang, path in tiny_translators.items()}
            | {"uk-en": str(tiny_translators["uk"])},
            device="cpu",
            backend="torch",
        )
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_results_index_and_errors(tmp_path, briefer):
    src = make_folder(tmp_path)
    out = tmp_path / "out"
    listing = list_articles([str(src)])
    assert listing.skipped_files == 1  # photo.png
    report = run_batch(briefer, listing.items, out, BatchOptions(fmt="markdown", group_size=3))
    assert (report.done, report.skipped, report.failed) == (5, 0, 2)

    results = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert results == [
        "europe/a.html.json",
        "europe/a.txt.json",
        "europe/north/kyiv.json",
        "long.json",
        "short.json",
    ]
    assert (out / "short.md").read_text(encoding="utf-8").startswith("# Flood barrier number 1")
    long = json.loads((out / "long.json").read_text(encoding="utf-8"))
    assert long["chunks"] > 1
    kyiv = json.loads((out / "europe/north/kyiv.json").read_text(encoding="utf-8"))
    assert kyiv["title"] == "Новий міст відкрили у Києві"

    index = read_jsonl(out / "index.jsonl")
    assert len(index) == 7
    assert {e["status"] for e in index} == {"done", "failed"}
    for entry in index:
        assert set(entry) >= {"source", "status", "title", "output", "content_hash", "seconds"}
    errors = read_jsonl(out / "errors.jsonl")
    assert sorted((Path(e["source"]).name, e["kind"]) for e in errors) == [
        ("broken.txt", "binary"),
        ("empty.txt", "empty"),
    ]
    assert all(e["message"] for e in errors)
    assert not list(out.rglob("*.tmp"))


def test_deterministic_batch_results_equal_single_briefs(tmp_path, briefer):
    # Equal whatever the group: the guarantee of --deterministic (docs/batch.md).
    briefer = Briefer(briefer.options.replace(deterministic=True))
    src = make_folder(tmp_path)
    listing = list_articles([str(src)], exclude=["asia/*"])
    run_batch(briefer, listing.items, tmp_path / "out", BatchOptions(group_size=8))
    for item in listing.items:
        alone = briefer.brief(load_article(item.path))
        batched = json.loads((tmp_path / "out" / f"{item.name}.json").read_text("utf-8"))
        assert batched["brief"] == alone.text
        assert batched["translations"] == alone.translations
        assert batched["chunks"] == alone.chunks


def test_resume_skips_done_and_redoes_changed(tmp_path, briefer):
    src = make_folder(tmp_path)
    out = tmp_path / "out"
    items = list_articles([str(src)]).items
    run_batch(briefer, items, out)
    again = run_batch(briefer, items, out)
    assert (again.done, again.skipped, again.failed) == (0, 5, 2)

    (src / "short.txt").write_text(story(7), encoding="utf-8")
    third = run_batch(briefer, items, out)
    assert (third.done, third.skipped) == (1, 4)
    done = [e for e in read_jsonl(out / "index.jsonl") if e["status"] == "done"]
    assert [Path(e["source"]).name for e in done] == ["short.txt"]

    changed = Briefer(briefer.options.replace(languages=("uk",)))
    assert run_batch(changed, items, out).done == 5
    assert run_batch(changed, items, out, BatchOptions(force=True)).done == 5


def test_outputs_never_escape_out_dir(tmp_path, briefer):
    jsonl = tmp_path / "in.jsonl"
    rows = [
        {"id": "../../escape", "text": story(1)},
        {"id": "/etc/passwd", "text": story(2)},
        {
            "id": "ok",
            "html": "<html><body><article><p>"
            + PARAGRAPH.format(city="Oslo", day="Sunday", n=1, k=2)
            + "</p></article></body></html>",
        },
        "not an object",
    ]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    from briefly.batch.sources import read_jsonl as read_input

    out = tmp_path / "deep" / "out"
    report = run_batch(briefer, read_input(str(jsonl)).items, out, BatchOptions(jsonl_output=True))
    assert (report.done, report.failed) == (3, 1)
    written = [p for p in tmp_path.rglob("*.json")]
    assert all(out in p.parents for p in written)
    assert len(read_jsonl(out / "results.jsonl")) == 3


def test_batch_accepts_every_option_of_brief():
    commands = get_command(app).commands

    def names(command: click.Command) -> set[str]:
        return {opt for p in command.params for opt in p.opts if opt.startswith("--")}

    assert names(commands["brief"]) - {"--output"} <= names(commands["batch"])


def test_cli_exit_codes_and_summary(tmp_path, tiny_summarizer, tiny_translators):
    src = make_folder(tmp_path)
    args = [
        "batch",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--summarizer",
        str(tiny_summarizer),
        "--to",
        "uk",
        "--translator",
        f"uk={tiny_translators['uk']}",
        "--device",
        "cpu",
        "--backend",
        "torch",
    ]
    result = CliRunner().invoke(app, args)
    # Two bad files, and the Ukrainian article needs opus-mt-uk-en, which is not here.
    assert result.exit_code == 1
    assert "done 4, skipped 0 (already done), failed 3" in result.stderr
    errors = read_jsonl(tmp_path / "out" / "errors.jsonl")
    kyiv = next(e for e in errors if e["source"].endswith("kyiv.txt"))
    assert kyiv["kind"] == "model" and "opus-mt-uk-en" in kyiv["message"]
    clean = CliRunner().invoke(app, [*args, "--exclude", "asia/*", "--exclude", "*/kyiv.txt"])
    assert clean.exit_code == 0, clean.stderr
    assert "done 0, skipped 4" in clean.stderr


ARTICLES = 8


@pytest.mark.slow
# Ctrl-C while torch works, and a kill on CTranslate2, whose CLI starts without importing torch
# (the kill leaves no chance to handle anything, so the engine is beside the point).
@pytest.mark.parametrize(
    ("sig", "backend"),
    [(signal.SIGINT, "torch"), (signal.SIGKILL, FAST)],
    ids=["sigint", "sigkill"],
)
def test_interrupted_run_resumes_to_the_same_results(tmp_path, briefer, sig, backend):
    briefer = Briefer(briefer.options.replace(backend=backend))
    src = tmp_path / "in"
    src.mkdir()
    # Eight articles, one per group: enough to stop the run between two of them.
    for i in range(ARTICLES):
        (src / f"story{i:02d}.txt").write_text(story(i, paragraphs=3), encoding="utf-8")
    # The uninterrupted run, first: it leaves the CTranslate2 conversions in the cache.
    reference = tmp_path / "reference"
    run_batch(briefer, list_articles([str(src)]).items, reference)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "briefly",
        "batch",
        str(src),
        "--out",
        str(out),
        "--summarizer",
        briefer.options.summarizer,
        "--to",
        "uk,hi",
        "--device",
        "cpu",
        "--backend",
        backend,
        "--group-size",
        "1",
    ]
    for lang in ("uk", "hi"):
        cmd += ["--translator", f"{lang}={briefer.options.translators[lang]}"]
    # A shell running tests in the background starts them with SIGINT ignored,
    # which children inherit; Ctrl-C in a terminal delivers it with the default.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + PROCESS_TIMEOUT_S
    while time.time() < deadline and len(list(out.glob("*.json"))) < 2:
        time.sleep(0.02)
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=60) == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    finished = len(list(out.glob("story*.json")))
    assert 0 < finished < ARTICLES, "the run should have been stopped midway"
    assert not list(out.glob(".*.tmp"))
    for path in out.glob("story*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # complete files only

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S)
    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {finished} (already done)" in resumed.stderr
    for path in reference.glob("story*.json"):
        expected = json.loads(path.read_text(encoding="utf-8"))
        got = json.loads((out / path.name).read_text(encoding="utf-8"))
        assert (got["brief"], got["translations"]) == (expected["brief"], expected["translations"])
