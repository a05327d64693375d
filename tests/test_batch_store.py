"""Batch mode against hostile inputs and faults: names, records, the user's data, disk full.

Runs with the built-in extractive summariser and no translations, so no model is needed.
"""

import errno
import json
import logging
import os
import signal
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.batch import files
from briefly.batch.local import BatchOptions, interrupt_on_sigterm, run_batch
from briefly.batch.sources import list_articles, read_jsonl
from briefly.batch.store import ResultStore, settings_hash
from briefly.cli.app import app
from briefly.errors import OutputError
from briefly.options import BriefOptions
from briefly.pipeline import Briefer

SENTENCES = (
    "Engineers in {city} finished testing the new flood barrier on Monday, officials said. "
    "The barrier cost {n} million dollars and protects about {n} thousand homes. "
    "Residents said they hoped the project would end years of damage from storms. "
    "The city council will vote on a second barrier next year."
)


def story(i: int) -> str:
    return f"Flood barrier number {i} passes its test\n\n{SENTENCES.format(city='Lviv', n=i)}\n"


@pytest.fixture
def briefer():
    return Briefer(BriefOptions(summarizer="extractive", languages=()))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def batch_cli(*args: str):
    return CliRunner().invoke(app, ["batch", "--summarizer", "extractive", "--to", "none", *args])


def one_line_error(result) -> bool:
    return result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


# --- the user's own data -------------------------------------------------------------------


def test_out_equal_to_an_input_folder_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(story(1))
    result = batch_cli(str(tmp_path / "in"), "--out", str(tmp_path / "in"), "--format", "text")
    assert result.exit_code == 2 and one_line_error(result)
    assert (tmp_path / "in" / "a.txt").read_text() == story(1)


def test_out_inside_an_input_folder_is_never_read(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    for _ in range(2):
        result = batch_cli(str(src), "--out", str(src / "briefs"), "--format", "text")
        assert result.exit_code == 0, result.stderr
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*.txt")) == [
        "a.txt",
        "briefs/a.txt",
    ]
    assert "skipped 1" in result.stderr


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text(story(1))
    (tmp_path / "out").write_text("keep me")
    result = batch_cli(str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and one_line_error(result)
    assert (tmp_path / "out").read_text() == "keep me"


def test_a_result_never_overwrites_an_input(tmp_path, briefer):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text(story(1))
    items = list_articles([str(out / "a.txt")]).items
    report = run_batch(briefer, items, out, BatchOptions(fmt="text"))
    assert (report.done, report.failed) == (0, 1)
    assert report.errors[0]["kind"] == "overwrite"
    assert (out / "a.txt").read_text() == story(1)


def test_results_respect_the_umask(tmp_path, briefer):
    (tmp_path / "a.txt").write_text(story(1))
    previous = os.umask(0o022)
    try:
        run_batch(briefer, list_articles([str(tmp_path / "a.txt")]).items, tmp_path / "out")
    finally:
        os.umask(previous)
    for name in ("a.json", "index.jsonl", "errors.jsonl"):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o644


def test_stamp_follows_prompt_text_and_model_files(tmp_path):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Summarise: {article}")
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights")
    options = BriefOptions(summarizer=str(model), languages=(), prompt=str(prompt))
    first = settings_hash(options)
    assert settings_hash(options) == first
    prompt.write_text("Brief this: {article}")
    second = settings_hash(options)
    assert second != first
    (model / "model.safetensors").write_bytes(b"retrained weights")
    assert settings_hash(options) != second


# --- filters and counts --------------------------------------------------------------------


def test_names_do_not_depend_on_filters(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(story(1))
    (tmp_path / "in" / "a.html").write_text(f"<html><body><p>{story(2)}</p></body></html>")
    listing = list_articles([str(tmp_path / "in")], exclude=["*.txt"])
    assert [item.name for item in listing.items] == ["a.html"]
    assert listing.excluded == 1


def test_globs_match_relative_and_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in" / "misc").mkdir(parents=True)
    (tmp_path / "in" / "misc" / "x.txt").write_text(story(1))
    (tmp_path / "in" / "y.txt").write_text(story(2))
    for pattern in ("in/misc/*", "misc/*", "./in/misc/*"):
        listing = list_articles(["in"], exclude=[pattern])
        assert [item.name for item in listing.items] == ["y"], pattern
        assert (listing.excluded, listing.skipped_files) == (1, 0)
    assert [i.name for i in list_articles(["in/"], include=["in/misc/*"]).items] == ["misc/x"]


def test_cli_counts_excluded_apart_from_other_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    (src / "b.txt").write_text(story(2))
    (src / "photo.png").write_bytes(b"\x89PNG")
    result = batch_cli(str(src), "--out", str(tmp_path / "out"), "--exclude", "b.txt")
    assert result.exit_code == 0, result.stderr
    assert "not articles 1, excluded 1" in result.stderr


def test_quiet_prints_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(story(1))
    (src / "empty.txt").write_text(" \n")
    result = batch_cli(str(src), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 1
    assert result.stderr == ""


def test_warning_names_the_path_once(tmp_path, caplog):
    (tmp_path / "empty.txt").write_text(" \n")
    briefer = Briefer(BriefOptions(summarizer="extractive", languages=()))
    with caplog.at_level(logging.WARNING, logger="briefly"):
        run_batch(briefer, list_articles([str(tmp_path / "empty.txt")]).items, tmp_path / "out")
    [record] = [r for r in caplog.records if r.name == "briefly"]
    assert record.getMessage().count(str(tmp_path / "empty.txt")) == 1


def test_index_lists_articles_in_input_order(tmp_path, briefer):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "c", "e"):
        (src / f"{name}.txt").write_text(story(ord(name)))
    for name in ("b", "d"):
        (src / f"{name}.txt").write_text(" \n")
    report = run_batch(briefer, list_articles([str(src)]).items, tmp_path / "out")
    assert [Path(e["source"]).stem for e in lines(tmp_path / "out" / "index.jsonl")] == list(
        "abcde"
    )
    assert [e["status"] for e in report.index] == ["done", "failed"] * 2 + ["done"]


# --- one bad article must not stop the run ------------------------------------------------


def test_overlong_and_colliding_names_get_safe_suffixes(tmp_path, briefer):
    rows = [
        {"id": "x" * 300, "text": story(1)},
        {"id": "м" * 120, "text": story(2)},
        {"id": "a", "text": story(3)},
        {"id": "a.json/b", "text": story(4)},
        {"id": "index.jsonl/x", "text": story(5)},
        {"id": "a", "text": story(6)},
    ]
    items = read_jsonl(str(write_jsonl(tmp_path / "in.jsonl", rows))).items
    assert len({item.name for item in items}) == len(items)
    out = tmp_path / "out"
    report = run_batch(briefer, items, out)
    assert (report.done, report.failed) == (6, 0)
    assert (out / "index.jsonl").is_file() and (out / "a.json").is_file()
    assert all(len(part.encode()) <= 255 for p in out.rglob("*") for part in p.parts)
    # Deterministic: the same ids give the same names.
    assert [i.name for i in read_jsonl(str(tmp_path / "in.jsonl")).items] == [i.name for i in items]


def test_long_file_name_is_shortened(tmp_path, briefer):
    path = tmp_path / ("n" * 240 + ".txt")
    path.write_text(story(1))
    report = run_batch(briefer, list_articles([str(path)]).items, tmp_path / "out")
    assert report.done == 1


@pytest.mark.parametrize("previous", ["[]", "garbage", '{"_batch": 3}', ""])
def test_unusable_previous_result_is_redone(tmp_path, briefer, previous):
    (tmp_path / "a.txt").write_text(story(1))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text(previous)
    report = run_batch(briefer, list_articles([str(tmp_path / "a.txt")]).items, out)
    assert report.done == 1
    assert json.loads((out / "a.json").read_text())["title"].startswith("Flood barrier")


def test_jsonl_bad_bytes_and_bom_are_handled_per_line(tmp_path, briefer):
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps({"id": "first", "text": story(1)}).encode()
        + b"\n"
        + b'{"id": "bad", "text": "\xff\xfe broken"}\n'
        + json.dumps({"id": "last", "text": story(2)}).encode()
        + b"\n"
    )
    report = run_batch(briefer, read_jsonl(str(path)).items, tmp_path / "out")
    assert (report.done, report.failed) == (2, 1)
    assert "not valid UTF-8" in report.errors[0]["message"]


@pytest.mark.parametrize(
    "record, kind, words",
    [
        ({"id": "s", "url": "/etc/hostname"}, "bad_url", "local files come only"),
        ({"id": "s", "url": "../x"}, "bad_url", "command line"),
        ({"id": "s", "url": "-"}, "bad_url", "http(s)"),
        ({"id": "s", "url": "/dev/zero"}, "bad_url", "http(s)"),
        ({"id": "s", "url": "file:///etc/hostname"}, "bad_url", "http(s)"),
        ({"id": "s", "text": None}, "invalid_line", "not a string"),
        ({"id": "s", "text": ["a", "b"]}, "invalid_line", "not a string"),
        ({"id": "s", "text": "x", "url": "https://example.org"}, "ambiguous", "only one"),
        ({"id": "s", "title": "no article"}, "invalid_line", "no text, html or url"),
    ],
)
def test_unusable_records_fail_alone(tmp_path, briefer, record, kind, words):
    rows = [record, {"id": "ok", "text": story(1)}]
    items = read_jsonl(str(write_jsonl(tmp_path / "in.jsonl", rows))).items
    report = run_batch(briefer, items, tmp_path / "out")
    assert (report.done, report.failed) == (1, 1)
    [error] = report.errors
    assert error["kind"] == kind and words in error["message"]
    assert error["source"].endswith("#s")  # the record keeps its id
    assert "\n" not in error["message"]
    assert "hostname" not in (tmp_path / "out" / "ok.json").read_text()


def test_record_text_is_capped_like_files(tmp_path, briefer):
    rows = [{"id": "big", "text": story(1) * 100}, {"id": "ok", "text": story(2)}]
    items = read_jsonl(str(write_jsonl(tmp_path / "in.jsonl", rows))).items
    report = run_batch(briefer, items, tmp_path / "out", BatchOptions(max_bytes=5000))
    assert (report.done, report.failed) == (1, 1)
    assert report.errors[0]["kind"] == "too_large"
    assert "--max-bytes" in report.errors[0]["message"]


def test_large_file_is_refused_before_it_is_read(tmp_path, briefer, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: no disk used
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read whole"))
    report = run_batch(briefer, list_articles([str(big)]).items, tmp_path / "out")
    assert report.errors[0]["kind"] == "too_large"


def test_fifo_in_an_input_folder_does_not_hang(tmp_path, briefer):
    src = tmp_path / "in"
    src.mkdir()
    os.mkfifo(src / "pipe.txt")
    (src / "zero.txt").symlink_to("/dev/zero")
    (src / "a.txt").write_text(story(1))
    # Followed on request: a link out of the folder is otherwise skipped unread.
    items = list_articles([str(src)], follow_symlinks=True).items
    report = run_batch(briefer, items, tmp_path / "out")
    assert (report.done, report.failed) == (1, 2)
    assert {e["kind"] for e in report.errors} == {"not_a_file"}


def test_fail_fast_keeps_the_records_before_the_bad_line(tmp_path, briefer):
    rows = [{"id": "a", "text": story(1)}, {"id": "b", "text": story(2)}, "bad"]
    rows += [{"id": "c", "text": story(3)}]
    items = read_jsonl(str(write_jsonl(tmp_path / "in.jsonl", rows))).items
    report = run_batch(briefer, items, tmp_path / "out", BatchOptions(fail_fast=True))
    assert (report.done, report.failed) == (2, 1)
    assert not (tmp_path / "out" / "c.json").exists()


# --- faults -------------------------------------------------------------------------------


def test_leftover_temporary_files_are_removed(tmp_path, briefer):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / ".a.json.briefly-k3j2h1ab.tmp").write_text('{"half')
    (out / ".index.jsonl.briefly-x8y7z6ab.tmp").write_text("{")
    (out / "notes.txt").write_text("mine")
    (tmp_path / "a.txt").write_text(story(1))
    run_batch(briefer, list_articles([str(tmp_path / "a.txt")]).items, out)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert (out / "notes.txt").read_text() == "mine"


def test_disk_full_stops_the_run_and_resumes_later(tmp_path, briefer, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        (src / f"s{i}.txt").write_text(story(i))
    items = list_articles([str(src)]).items
    out = tmp_path / "out"
    real = files._write_replacing
    written = []

    def fill_up(path, payload, mode, make_folders=True):
        if path.suffix == ".json" and len(written) >= 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(path)
        real(path, payload, mode, make_folders)

    monkeypatch.setattr(files, "_write_replacing", fill_up)
    with pytest.raises(OutputError, match="No space left") as raised:
        run_batch(briefer, items, out, BatchOptions(group_size=2))
    assert "\n" not in str(raised.value)
    index = lines(out / "index.jsonl")
    assert [e["status"] for e in index] == ["done", "done"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]

    monkeypatch.setattr(files, "_write_replacing", real)
    resumed = run_batch(briefer, items, out)
    assert (resumed.done, resumed.skipped, resumed.failed) == (4, 2, 0)


def test_sigterm_is_treated_like_ctrl_c(tmp_path, briefer):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"s{i}.txt").write_text(story(i))
    items = list_articles([str(src)]).items

    def terminate(report, total):
        if report.done:
            os.kill(os.getpid(), signal.SIGTERM)

    report = run_batch(briefer, items, tmp_path / "out", BatchOptions(group_size=1), terminate)
    assert report.interrupted
    assert 0 < report.done < 4
    assert len(lines(tmp_path / "out" / "index.jsonl")) == report.done
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_sigterm_handler_is_only_installed_for_the_run():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), interrupt_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) == before


# --- shards --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_shards_without_translations_are_written_and_read_back(tmp_path, briefer, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    (tmp_path / "a.txt").write_text(story(1))
    items = list_articles([str(tmp_path / "a.txt")]).items
    brief = briefer.brief(str(items[0].path))
    out = tmp_path / "out"
    store = ResultStore(out, items, "s1", BatchOptions(), fmt)
    store.save(0, items[0], brief, "d1", 0.0)
    store.close(0.0)
    again = ResultStore(out, items, "s1", BatchOptions(), fmt)
    assert again.known(items[0]) == "d1"
    assert (out / f"part-00000.{fmt}").is_file()


def test_model_that_cannot_load_leaves_the_previous_records(tmp_path, briefer):
    from briefly.errors import ModelError

    (tmp_path / "a.txt").write_text(story(1))
    items = list_articles([str(tmp_path / "a.txt")]).items
    out = tmp_path / "out"
    run_batch(briefer, items, out)
    missing = Briefer(BriefOptions(summarizer=str(tmp_path / "missing"), languages=()))
    with pytest.raises(ModelError):
        run_batch(missing, items, out)
    assert [e["status"] for e in lines(out / "index.jsonl")] == ["done"]


# --- a site's recurring lines ---------------------------------------------------------------

FOOTER = "The Millbrook Courier is owned by its readers and printed in Millbrook since 1921."


def site_story(i: int) -> str:
    lead = f"Bridge number {i} reopened to traffic on Monday after repairs, the mayor said."
    return f"Bridge {i} reopens\n\n{lead}\n\n{FOOTER}\n"


def test_a_line_on_every_page_of_a_folder_is_dropped(tmp_path, briefer):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"a{i}.txt").write_text(site_story(i), encoding="utf-8")
    items = list_articles([str(folder)]).items

    run_batch(briefer, items, tmp_path / "out")
    dropped = json.loads((tmp_path / "out" / "a0.json").read_text(encoding="utf-8"))
    assert "Bridge number 0 reopened" in dropped["brief"]
    assert "Millbrook Courier" not in dropped["brief"]

    run_batch(briefer, items, tmp_path / "kept", BatchOptions(site_furniture=False))
    kept_brief = json.loads((tmp_path / "kept" / "a0.json").read_text(encoding="utf-8"))
    assert "Millbrook Courier" in kept_brief["brief"]


def test_a_line_in_a_few_articles_is_story(tmp_path, briefer):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        text = site_story(i) if i < 2 else site_story(i).replace(FOOTER, "")
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
    run_batch(briefer, list_articles([str(folder)]).items, tmp_path / "out")
    brief = json.loads((tmp_path / "out" / "a0.json").read_text(encoding="utf-8"))
    assert "Millbrook Courier" in brief["brief"]
