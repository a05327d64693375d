"""Batch mode on Ray: same results, records and resume as local batch mode, and fault tolerance.

Runs on one local Ray instance (2 CPUs, no dashboard) shared by the module, with the tiny models.
"""

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from briefly.batch import BatchOptions, run_batch
from briefly.errors import ModelError, UsageError
from briefly.pipeline import Briefer
from briefly.ray_batch import run_batch_ray
from briefly.sources import list_articles, read_jsonl

STORY = (
    "Workers in {city} opened a new bridge on Monday, officials said. "
    "The bridge cost {n} million dollars and carries trams and buses.\n\n"
    "Residents said the crossing would cut their journeys by {n} minutes."
)
CITIES = ["Lviv", "Pune", "Gdansk", "Porto", "Leeds", "Nantes", "Kochi", "Malmo"]


def story(i: int) -> str:
    return f"Bridge number {i} opens\n\n{STORY.format(city=CITIES[i % len(CITIES)], n=i + 2)}\n"


def make_folder(root: Path, count: int = 3) -> Path:
    """``count`` good articles (one of them HTML in a sub-folder), two bad ones, one image."""
    src = root / "in"
    (src / "world").mkdir(parents=True)
    for i in range(count - 1):
        (src / f"story{i}.txt").write_text(story(i), encoding="utf-8")
    (src / "world" / "harbour.html").write_text(
        "<html><head><title>Harbour reopens</title></head><body><nav>Home</nav><article>"
        f"<h1>Harbour reopens</h1><p>{STORY.format(city='Split', n=9)}</p></article></body></html>",
        encoding="utf-8",
    )
    (src / "world" / "empty.txt").write_text("  \n", encoding="utf-8")
    (src / "world" / "broken.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (src / "world" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return src


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def result(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False)
    yield ray
    ray.shutdown()


@pytest.fixture
def briefer(tiny_summarizer, tiny_translators):
    return Briefer(
        str(tiny_summarizer),
        ("uk", "hi"),
        {lang: str(path) for lang, path in tiny_translators.items()},
        device="cpu",
        backend="torch",
    )


def test_folder_with_bad_files_equals_local_engine(tmp_path, ray_cluster, briefer):
    listing = list_articles([str(make_folder(tmp_path))])
    local = run_batch(briefer, listing.items, tmp_path / "local", BatchOptions(fmt="markdown"))
    out = tmp_path / "ray"
    report = run_batch_ray(briefer, listing.items, out, BatchOptions(fmt="markdown", group_size=2))

    assert (
        (report.done, report.skipped, report.failed) == (local.done, 0, local.failed) == (3, 0, 2)
    )
    for item in listing.items:
        if (tmp_path / "local" / f"{item.name}.json").exists():
            expected, got = result(tmp_path / "local", item.name), result(out, item.name)
            for key in ("title", "brief", "translations", "_batch"):
                assert got[key] == expected[key], (item.name, key)
            assert (out / f"{item.name}.md").is_file()
    index, local_index = read_lines(out / "index.jsonl"), read_lines(tmp_path / "local/index.jsonl")
    assert [(e["source"], e["status"]) for e in index] == [
        (e["source"], e["status"]) for e in local_index
    ]
    assert read_lines(out / "errors.jsonl") == read_lines(tmp_path / "local" / "errors.jsonl")
    assert not list(out.rglob("*.tmp"))


def test_resume_skips_done_articles_from_either_engine(tmp_path, ray_cluster, briefer):
    src = make_folder(tmp_path)
    items = list_articles([str(src)]).items
    out = tmp_path / "out"
    run_batch(briefer, items, out)

    again = run_batch_ray(briefer, items, out)
    assert (again.done, again.skipped, again.failed) == (0, 3, 2)

    (src / "story0.txt").write_text(story(7), encoding="utf-8")
    third = run_batch_ray(briefer, items, out)
    assert (third.done, third.skipped, third.failed) == (1, 2, 2)
    done = [e for e in read_lines(out / "index.jsonl") if e["status"] == "done"]
    assert [Path(e["source"]).name for e in done] == ["story0.txt"]
    assert result(out, "story0")["title"] == "Bridge number 7 opens"


def test_shards_hold_each_article_once(tmp_path, ray_cluster, briefer):
    src = make_folder(tmp_path)
    items = list_articles([str(src)]).items
    run_batch(briefer, items, tmp_path / "files")
    out = tmp_path / "shards"
    first = run_batch_ray(briefer, items, out, out_format="parquet")
    assert (first.done, first.failed) == (3, 2)
    (src / "story1.txt").write_text(story(5), encoding="utf-8")
    second = run_batch_ray(briefer, items, out, out_format="parquet")
    assert (second.done, second.skipped) == (1, 2)

    import pyarrow.parquet as pq

    rows = [
        row
        for path in sorted(out.glob("part-*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]
    assert sorted(row["name"] for row in rows) == ["story0", "story1", "world/harbour"]
    for row in rows:
        if row["name"] != "story1":
            assert row["translations"] == result(tmp_path / "files", row["name"])["translations"]
    assert {row["title"] for row in rows} >= {"Bridge number 5 opens"}
    assert not list(out.glob("*.json"))


def test_jsonl_input_and_model_errors(tmp_path, ray_cluster, briefer):
    jsonl = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": story(1)}, {"id": "b", "html": "<p>x</p>"}, "not an object"]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    items = read_jsonl(str(jsonl)).items
    report = run_batch_ray(briefer, items, tmp_path / "out", out_format="jsonl")
    assert report.done + report.failed == 3
    assert [e["kind"] for e in report.errors][-1] == "invalid_line"

    broken = Briefer(str(tmp_path / "missing"), ("uk",), briefer.translators, "cpu", "torch")
    with pytest.raises(ModelError, match="missing"):
        run_batch_ray(broken, items, tmp_path / "broken")


def actor_pids() -> list[int]:
    """Processes of Ray actors running the briefing stage (named after the UDF class)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"_BriefActor" in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@pytest.mark.skipif(sys.platform != "linux", reason="finds the actor process through /proc")
def test_killed_worker_is_retried_without_loss_or_duplicates(tmp_path, ray_cluster, briefer):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        (src / f"story{i}.txt").write_text(story(i), encoding="utf-8")
    items = list_articles([str(src)]).items
    killed = []

    def kill_once(report, total):
        handled = report.done + report.skipped + report.failed
        if not killed and 0 < handled < total:
            killed.extend(actor_pids())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    out = tmp_path / "out"
    report = run_batch_ray(briefer, items, out, BatchOptions(group_size=1), kill_once, workers=1)
    assert killed, "no briefing actor was running midway"
    assert (report.done, report.failed) == (8, 0)
    index = read_lines(out / "index.jsonl")
    assert sorted(e["source"] for e in index) == sorted(item.source for item in items)
    assert len(list(out.glob("story*.json"))) == 8


def test_without_ray_says_how_to_install_it(tmp_path, monkeypatch, briefer):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(UsageError, match=r"pip install 'briefly\[ray\]'"):
        run_batch_ray(briefer, [], tmp_path)
