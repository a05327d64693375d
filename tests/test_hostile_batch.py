"""Hostile and careless batch input, round two: lone surrogates, two runs into one folder, the
user's own temporary files, links out of the input folder and loops, unreadable folders, file
names that are not UTF-8, damaged shards, an article that never finishes, and the CLI's
filters, formats, progress and output paths.

Runs with the built-in extractive summariser and no translations, so no model is needed.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.article.loader import Article, parse_article
from briefly.batch import local
from briefly.batch.files import write_atomic
from briefly.batch.local import BatchOptions, run_batch
from briefly.batch.outdir import LOCK_NAME, lock_out_dir
from briefly.batch.sources import list_articles, read_jsonl
from briefly.batch.store import ResultStore, settings_hash
from briefly.cli.app import app
from briefly.errors import UsageError
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from briefly.results import Translation
from tests.support import slow
from tests.support.asgi import asgi_post
from tests.support.processes import PROCESS_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "Harbour board approves port expansion {n}\n\n"
    "The harbour board on Monday approved the expansion of the container port after a long "
    "debate about dredging, noise and truck traffic in the old town. Work starts in spring "
    "and is expected to take three years, the board said. Residents asked for a new bus line."
)
EXTRACTIVE = ["--summarizer", "extractive", "--to", "none"]


@pytest.fixture
def briefer() -> Briefer:
    return Briefer(BriefOptions(summarizer="extractive", languages=()))


def story(n: int) -> str:
    return STORY.format(n=n)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def folder(root: Path, count: int = 3) -> Path:
    src = root / "in"
    src.mkdir()
    for i in range(count):
        (src / f"a{i}.txt").write_text(story(i), encoding="utf-8")
    return src


def cli(*args: str, stdin=subprocess.DEVNULL, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen(
        [sys.executable, "-m", "briefly", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        **popen,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    _, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    return proc.returncode, err.decode("utf-8", "replace")


# --- lone surrogates -------------------------------------------------------------------------

SURROGATE_RECORD = '{"id": "x\\udc80", "text\\ud800": 1, "text": "%s \\ud800 end"}\n'


def test_jsonl_surrogates_are_replaced_and_the_run_goes_on(tmp_path, briefer):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        SURROGATE_RECORD % story(1).replace("\n", "\\n")
        + json.dumps({"id": "plain", "text": story(2)})
        + "\n",
        encoding="utf-8",
    )
    listing = read_jsonl(str(jsonl))
    assert [item.name for item in listing.items] == ["x_", "plain"]
    report = run_batch(briefer, listing.items, tmp_path / "out", BatchOptions(jsonl_output=True))
    assert (report.done, report.failed) == (2, 0)
    results = lines(tmp_path / "out" / "results.jsonl")
    assert len(results) == 2
    assert results[0]["source"].endswith("#x\ufffd")


def test_a_crashed_rerun_never_shrinks_the_records(tmp_path, briefer, monkeypatch):
    src = folder(tmp_path)
    out = tmp_path / "out"
    items = list_articles([str(src)]).items
    run_batch(briefer, items, out, BatchOptions(jsonl_output=True, group_size=1))
    before = {name: (out / name).read_text() for name in ("index.jsonl", "results.jsonl")}
    assert len(lines(out / "index.jsonl")) == 3

    class Crash(Exception):
        pass

    def crash(item, **_):
        raise Crash("a fault no one foresaw")

    monkeypatch.setattr(local, "content_hash", crash)
    with pytest.raises(Crash):
        run_batch(briefer, items, out, BatchOptions(jsonl_output=True, force=True))
    for name, text in before.items():
        assert (out / name).read_text() == text


class Utf8Translator:
    """Stands in for a translator where what is under test is its input: a tokenizer's first
    step is to encode the text as UTF-8, which a lone surrogate stops."""

    def translate_checked(self, texts):
        return [Translation(text.encode("utf-8").decode("utf-8")) for text in texts]


def test_articles_and_translations_take_surrogates(monkeypatch):
    assert "\ufffd" in parse_article(story(1) + " \ud800 more text here.").body
    article = Article("s\udce9.txt", "T\ud800", None, None, "Body \udfff text.")
    assert (article.source, article.title, article.body) == (
        "s\ufffd.txt",
        "T\ufffd",
        "Body \ufffd text.",
    )
    briefer = Briefer(BriefOptions(summarizer="extractive", languages=("uk",)))
    monkeypatch.setattr(briefer, "_translator", lambda *_: Utf8Translator())
    translated = briefer.translate("The port opens \ud800 in spring.")
    assert translated["uk"].text == "The port opens \ufffd in spring."


def test_written_text_never_fails_on_a_surrogate(tmp_path):
    write_atomic(tmp_path / "out.txt", "caf\udce9.txt")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "caf\ufffd.txt"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/translate", b'{"q": ["fine", "x \\ud800"], "target": "uk"}'),
        ("/extract", b'{"text": "The port \\udfff opens."}'),
        ("/translate", b'{"q": "fine", "target": "uk", "api_key": "k\\ud800"}'),
    ],
)
def test_service_refuses_surrogates_with_a_400(path, body):
    pytest.importorskip("fastapi")
    status, answer = asgi_post(path, body)
    assert status == 400
    assert "lone surrogate" in answer["error"]


# --- one run per output folder, and the user's own files ---------------------------------------

HOLDER = (
    "import sys; from pathlib import Path; from briefly.batch.outdir import lock_out_dir; "
    "lock = lock_out_dir(Path(sys.argv[1])); print('locked', flush=True); sys.stdin.read()"
)


@pytest.mark.slow
def test_a_second_run_into_one_folder_is_refused_or_waits(tmp_path):
    src = folder(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        assert holder.stdout.readline() == b"locked\n"
        refused = CliRunner().invoke(app, ["batch", str(src), "--out", str(out), *EXTRACTIVE])
        assert refused.exit_code == 2
        assert refused.stderr.count("\n") == 1
        assert "in use by another briefly run" in refused.stderr
        assert not (out / "a0.json").exists()

        waiting = cli("batch", str(src), "--out", str(out), "--wait", *EXTRACTIVE)
        # It says it waits before it does anything else; then the first run ends.
        assert b"waiting" in waiting.stderr.readline()
        holder.stdin.close()
        code, err = finish(waiting)
        assert code == 0, err
        assert (out / "a0.json").exists()
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_held_for_the_run_only(tmp_path, briefer):
    src = folder(tmp_path, 1)
    out = tmp_path / "out"
    out.mkdir()
    lock = lock_out_dir(out)
    with pytest.raises(UsageError, match="--wait"):
        run_batch(briefer, list_articles([str(src)]).items, out)
    lock.release()
    assert run_batch(briefer, list_articles([str(src)]).items, out).done == 1
    # Released at the end: the next run takes it.
    lock_out_dir(out).release()
    assert (out / LOCK_NAME).exists()


def test_only_briefly_temporary_files_are_removed(tmp_path, briefer):
    src = folder(tmp_path, 1)
    out = tmp_path / "out"
    (out / "photos" / "2024").mkdir(parents=True)
    mine = [out / ".notes.tmp", out / "photos" / "2024" / ".album.tmp"]
    # briefly's pattern, but beside no file this run writes: not ours to judge.
    mine.append(out / "photos" / "2024" / ".x.json.briefly-abcd1234.tmp")
    for path in mine:
        path.write_text("mine")
    leftovers = [out / ".a0.json.briefly-k3j2h1ab.tmp", out / ".errors.jsonl.briefly-00000000.tmp"]
    for path in leftovers:
        path.write_text("{half")
    run_batch(briefer, list_articles([str(src)]).items, out)
    assert all(p.read_text() == "mine" for p in mine)
    assert not any(p.exists() for p in leftovers)


# --- links, loops and unreadable folders -------------------------------------------------------


def test_links_out_of_the_input_folder_are_skipped_and_reported(tmp_path, briefer, caplog):
    src = folder(tmp_path, 1)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET LINE one.\n\nSECRET LINE two, which must never be read.")
    (src / "shadow.txt").symlink_to(secret)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "b.txt").write_text(story(9))
    (src / "more").symlink_to(outside)
    (src / "alias.txt").symlink_to(src / "a0.txt")  # inside: followed, once
    (src / "self.txt").symlink_to("self.txt")  # a loop

    listing = list_articles([str(src)])
    assert sorted(item.name for item in listing.items) == ["a0", "more", "self", "shadow"]
    with caplog.at_level(logging.WARNING, logger="briefly"):
        report = run_batch(briefer, listing.items, tmp_path / "out")
    assert (report.done, report.failed) == (1, 3)
    kinds = {Path(e["source"]).name: e["kind"] for e in lines(tmp_path / "out" / "errors.jsonl")}
    assert kinds == {"shadow.txt": "symlink", "more": "symlink", "self.txt": "broken_link"}
    warnings = [r.getMessage() for r in caplog.records]
    assert sum("--follow-symlinks" in w for w in warnings) == 2
    assert not any("SECRET" in p.read_text() for p in (tmp_path / "out").rglob("*.*"))

    followed = list_articles([str(src)], follow_symlinks=True)
    assert sorted(item.name for item in followed.items) == ["a0", "more/b", "self", "shadow"]


def test_a_link_loop_never_multiplies_items(tmp_path):
    src = folder(tmp_path)
    (src / "sub").mkdir()
    (src / "sub" / "up").symlink_to("..")
    (src / "sub" / "deep.txt").write_text(story(7))
    for given in ([str(src)], [f"{src}/**/*.txt"]):
        items = list_articles(given).items
        assert len(items) == 4, given
        assert all(item.problem is None for item in items)


def test_an_unreadable_folder_is_reported(tmp_path, briefer, monkeypatch):
    src = folder(tmp_path, 1)
    (src / "locked").mkdir()
    (src / "locked" / "x.txt").write_text(story(5))
    real_scandir = os.scandir

    def scandir(path):
        # chmod 000 as any user, root included.
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    listing = list_articles([str(src)])
    monkeypatch.undo()
    report = run_batch(briefer, listing.items, tmp_path / "out")
    assert (report.done, report.failed) == (1, 1)
    (error,) = lines(tmp_path / "out" / "errors.jsonl")
    assert error["kind"] == "unreadable" and "Permission denied" in error["message"]


# --- one bad file never stops a run ------------------------------------------------------------


def test_a_file_name_that_is_not_utf8(tmp_path, briefer):
    src = tmp_path / "in"
    src.mkdir()
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "w") as handle:
        handle.write(story(1))
    report = run_batch(briefer, list_articles([str(src)]).items, tmp_path / "out")
    assert report.done == 1
    (entry,) = lines(tmp_path / "out" / "index.jsonl")
    assert entry["source"].endswith("caf\ufffd.txt")

    (article,) = src.iterdir()
    target = os.path.join(os.fsencode(tmp_path), b"brief-caf\xe9.json")
    result = CliRunner().invoke(
        app, ["brief", str(article), *EXTRACTIVE, "-f", "json", "-o", os.fsdecode(target)]
    )
    assert result.exit_code == 0, result.stderr
    with open(target, encoding="utf-8") as handle:
        assert json.load(handle)["source"].endswith("caf\ufffd.txt")


@pytest.mark.parametrize(
    ("fmt", "damage"),
    [
        ("jsonl", b'{"name": "a0", "brief": "ok"}\n{"half'),
        ("jsonl", b'{"brief": "a row with no name"}\n'),
        ("parquet", b"PAR1 not really parquet"),
    ],
)
def test_a_damaged_shard_is_set_aside(tmp_path, fmt, damage, caplog):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"part-00000.{fmt}").write_bytes(damage)
    items = list_articles([str(folder(tmp_path, 1))]).items
    settings = settings_hash(BriefOptions(summarizer="extractive", languages=()))
    with caplog.at_level(logging.WARNING, logger="briefly"):
        store = ResultStore(out, items, settings, BatchOptions(), fmt)
        store.close(0.0)
    (warning,) = [r.getMessage() for r in caplog.records]
    assert "damaged" in warning and "set aside" in warning
    assert not (out / f"part-00000.{fmt}").exists()
    assert (out / f"part-00000.{fmt}.damaged").read_bytes() == damage
    # A second damaged copy does not replace the first.
    (out / f"part-00000.{fmt}").write_bytes(damage)
    ResultStore(out, items, settings, BatchOptions(), fmt).close(0.0)
    assert (out / f"part-00000.{fmt}.damaged-2").exists()


@pytest.mark.slow
def test_an_article_that_never_finishes_times_out(tmp_path, briefer, monkeypatch):
    src = folder(tmp_path, 2)
    (src / "stuck.txt").write_text(story(3))
    monkeypatch.setattr(local, "load_item", slow.load_item)
    items = list_articles([str(src)]).items
    report = run_batch(briefer, items, tmp_path / "out", BatchOptions(article_timeout=2))
    assert (report.done, report.failed) == (2, 1)
    (error,) = report.errors
    assert error["kind"] == "timeout" and "--article-timeout" in error["message"]


# --- filters, formats, progress and output paths -------------------------------------------------


def test_a_filter_that_matches_nothing_is_warned_about(tmp_path, caplog):
    src = folder(tmp_path, 1)
    (src / "2024").mkdir()
    (src / "2024" / "cnn-port.txt").write_text(story(4))
    with caplog.at_level(logging.WARNING, logger="briefly"):
        listing = list_articles([str(src)], include=["cnn*"], exclude=["a0.txt"])
    assert listing.items == [] and listing.excluded == 2
    (warning,) = [r.getMessage() for r in caplog.records]
    assert "--include 'cnn*' matched none" in warning and "'*cnn*'" in warning
    assert [i.name for i in list_articles([str(src)], include=["*cnn*"]).items] == ["2024/cnn-port"]


def test_a_new_format_is_rendered_from_the_stored_result(tmp_path, briefer, monkeypatch):
    src = folder(tmp_path, 2)
    out = tmp_path / "out"
    items = list_articles([str(src)]).items
    run_batch(briefer, items, out, BatchOptions(fmt="markdown"))
    assert (out / "a0.md").exists()
    stored = (out / "a0.json").read_text()

    def no_models(_articles):
        raise AssertionError("a new format must not brief again")

    monkeypatch.setattr(briefer, "brief_many", no_models)
    report = run_batch(briefer, items, out, BatchOptions(fmt="text"))
    assert (report.skipped, report.done) == (2, 0)
    assert not (out / "a0.md").exists()
    assert (out / "a0.txt").read_text().startswith("Harbour board approves port expansion 0")
    assert json.loads((out / "a0.json").read_text())["brief"] == json.loads(stored)["brief"]
    run_batch(briefer, items, out, BatchOptions(fmt="json"))
    assert sorted(p.name for p in out.glob("a0.*")) == ["a0.json"]


def test_a_stored_result_that_is_not_whole_is_briefed_again_for_a_new_format(tmp_path, briefer):
    items = list_articles([str(folder(tmp_path, 1))]).items
    out = tmp_path / "out"
    run_batch(briefer, items, out, BatchOptions(fmt="markdown"))
    record = json.loads((out / "a0.json").read_text())
    del record["brief"]  # the stamp still says it is current
    (out / "a0.json").write_text(json.dumps(record))
    report = run_batch(briefer, items, out, BatchOptions(fmt="text"))
    assert (report.done, report.failed) == (1, 0)
    assert (out / "a0.txt").exists() and not (out / "a0.md").exists()


def test_a_readable_copy_that_is_an_input_is_kept(tmp_path, briefer):
    # The input a0.txt sits in OUT: switching to --format text must neither overwrite nor
    # delete it.
    out = folder(tmp_path, 1)
    items = list_articles([str(out / "a0.txt")]).items
    run_batch(briefer, items, out, BatchOptions(fmt="markdown"))
    report = run_batch(briefer, items, out, BatchOptions(fmt="text"))
    assert report.failed == 1 and report.errors[0]["kind"] == "overwrite"
    assert (out / "a0.txt").read_text() == story(0)


def test_progress_knows_the_total_from_the_start(tmp_path, briefer):
    items = list_articles([str(folder(tmp_path))]).items
    seen = []
    run_batch(
        briefer,
        items,
        tmp_path / "out",
        BatchOptions(group_size=2),
        lambda report, total: seen.append((report.stage, report.done, total)),
    )
    assert seen[0] == ("loading models", 0, 3)
    assert seen[-1] == ("briefing", 3, 3)


def test_brief_to_a_missing_folder_is_an_error(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(story(1))
    target = tmp_path / "missing" / "dir" / "x.txt"
    result = CliRunner().invoke(app, ["brief", str(article), *EXTRACTIVE, "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "mkdir -p" in result.stderr
    assert not (tmp_path / "missing").exists()
