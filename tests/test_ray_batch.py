"""Batch mode on Ray: same results, records and resume as local batch mode, and fault tolerance.

Runs on one local Ray instance (2 CPUs, no dashboard) shared by the module, with the tiny models
on CTranslate2 where it is installed: every run starts model actors, and one that imports no
torch starts in seconds less. One test keeps torch in an actor.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from briefly.batch.local import BatchOptions, run_batch
from briefly.batch.ray_cluster import run_batch_ray
from briefly.batch.sources import list_articles, read_jsonl
from briefly.errors import ModelError, UsageError
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from tests.support.models import FAST
from tests.support.processes import PROCESS_TIMEOUT_S

# Ray integration: the tests start a cluster, or the CLI that starts one.
pytestmark = pytest.mark.slow


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


@pytest.fixture(scope="module")
def briefer(tiny_summarizer, tiny_translators):
    return Briefer(
        BriefOptions(
            summarizer=str(tiny_summarizer),
            languages=("uk",),
            translators={"uk": str(tiny_translators["uk"])},
            device="cpu",
            backend=FAST,
        )
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory, briefer) -> tuple[Path, Path]:
    """A folder of articles and what local batch mode writes for it; copy before changing."""
    root = tmp_path_factory.mktemp("reference")
    src = make_folder(root)
    run_batch(briefer, list_articles([str(src)]).items, root / "local")
    return src, root / "local"


def test_folder_with_bad_files_equals_local_engine(tmp_path, ray_cluster, briefer, reference):
    src, local = reference
    items = list_articles([str(src)]).items
    out = tmp_path / "out"
    report = run_batch_ray(
        briefer, items, out, BatchOptions(fmt="markdown", group_size=2), workers=1
    )

    assert (report.done, report.skipped, report.failed) == (3, 0, 2)
    for name in ("story0", "story1", "world/harbour"):
        expected, got = result(local, name), result(out, name)
        for key in ("title", "brief", "translations"):
            assert got[key] == expected[key], (name, key)
        assert (out / f"{name}.md").is_file()
    index, local_index = read_lines(out / "index.jsonl"), read_lines(local / "index.jsonl")
    assert [e["source"] for e in index] == [item.source for item in items]
    assert sorted((e["source"], e["status"]) for e in index) == sorted(
        (e["source"], e["status"]) for e in local_index
    )
    errors = sorted((Path(e["source"]).name, e["kind"]) for e in read_lines(out / "errors.jsonl"))
    assert errors == [("broken.txt", "binary"), ("empty.txt", "empty")]
    assert not list(out.rglob("*.tmp"))


def test_resume_skips_what_either_engine_did(tmp_path, ray_cluster, briefer, reference):
    src = shutil.copytree(reference[0], tmp_path / "in")
    out = shutil.copytree(reference[1], tmp_path / "out")
    items = list_articles([str(src)]).items

    again = run_batch_ray(briefer, items, out, workers=1)
    assert (again.done, again.skipped, again.failed) == (0, 3, 2)

    (src / "story0.txt").write_text(story(7), encoding="utf-8")
    third = run_batch_ray(briefer, items, out, workers=1)
    assert (third.done, third.skipped, third.failed) == (1, 2, 2)
    done = [e for e in read_lines(out / "index.jsonl") if e["status"] == "done"]
    assert [Path(e["source"]).name for e in done] == ["story0.txt"]
    assert result(out, "story0")["title"] == "Bridge number 7 opens"
    assert run_batch(briefer, items, out).skipped == 3


def test_shards_hold_each_article_once(tmp_path, ray_cluster, briefer, reference):
    pq = pytest.importorskip("pyarrow.parquet")
    src = shutil.copytree(reference[0], tmp_path / "in")
    items = list_articles([str(src)]).items
    out = tmp_path / "out"
    first = run_batch_ray(briefer, items, out, workers=1, out_format="parquet")
    assert (first.done, first.failed) == (3, 2)
    (src / "story1.txt").write_text(story(5), encoding="utf-8")
    second = run_batch_ray(briefer, items, out, workers=1, out_format="parquet")
    assert (second.done, second.skipped) == (1, 2)

    shards = sorted(out.glob("part-*.parquet"))
    assert [p.name for p in shards] == ["part-00000.parquet", "part-00001.parquet"]
    rows = [row for path in shards for row in pq.read_table(path).to_pylist()]
    assert sorted(row["name"] for row in rows) == ["story0", "story1", "world/harbour"]
    for row in rows:
        local = result(reference[1], row["name"])
        if row["name"] != "story1":
            # Parquet keeps nested fields as JSON text.
            translations = json.loads(row["translations"])
            assert (row["title"], translations) == (local["title"], local["translations"])
    assert [row["title"] for row in rows if row["name"] == "story1"] == ["Bridge number 5 opens"]
    assert not list(out.glob("*.json"))


def test_jsonl_input_resumes(tmp_path, ray_cluster, briefer):
    jsonl = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": story(1), "extra": [1.5, None]}, "not an object"]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    items = read_jsonl(str(jsonl)).items
    out = tmp_path / "out"
    first = run_batch_ray(briefer, items, out, out_format="jsonl")  # default, autoscaled pool
    assert (first.done, first.failed) == (1, 1)
    assert [e["kind"] for e in first.errors] == ["invalid_line"]
    assert read_lines(out / "part-00000.jsonl")[0]["title"] == "Bridge number 1 opens"
    again = run_batch_ray(briefer, items, out, workers=1, out_format="jsonl")
    assert (again.done, again.skipped, again.failed) == (0, 1, 1)


def test_model_that_cannot_load_stops_the_run(tmp_path, ray_cluster, briefer, reference):
    broken = Briefer(briefer.options.replace(summarizer=str(tmp_path / "missing")))
    items = list_articles([str(reference[0])]).items
    with pytest.raises(ModelError, match="missing") as raised:
        run_batch_ray(broken, items, tmp_path / "out", workers=1)
    assert "\n" not in str(raised.value)
    assert (tmp_path / "out" / "errors.jsonl").exists()


def briefing_actors() -> list[int]:
    """This test's Ray actors of the briefing stage: descendants named after the UDF class."""
    processes = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            processes[int(entry.name)] = (
                int(stat.rsplit(")", 1)[1].split()[1]),  # the parent's id
                b"_BriefActor" in (entry / "cmdline").read_bytes(),
            )
        except (OSError, ValueError):
            continue

    def ours(pid: int) -> bool:
        while pid > 1 and pid != os.getpid():
            pid = processes.get(pid, (0, False))[0]
        return pid == os.getpid()

    return [pid for pid, (_, briefing) in processes.items() if briefing and ours(pid)]


@pytest.mark.skipif(sys.platform != "linux", reason="finds the actor process through /proc")
def test_killed_worker_is_retried_without_loss_or_duplicates(tmp_path, ray_cluster, briefer):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        (src / f"story{i}.txt").write_text(story(i), encoding="utf-8")
    items = list_articles([str(src)]).items
    killed = []

    def kill_once(report, total):
        handled = report.done + report.skipped + report.failed
        if not killed and 0 < handled < total:
            killed.extend(briefing_actors())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    out = tmp_path / "out"
    report = run_batch_ray(briefer, items, out, BatchOptions(group_size=1), kill_once, workers=1)
    assert killed, "no briefing actor was running midway"
    assert (report.done, report.failed) == (5, 0)
    index = read_lines(out / "index.jsonl")
    assert sorted(e["source"] for e in index) == sorted(item.source for item in items)
    assert len(list(out.glob("story*.json"))) == 5


def test_without_ray_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(UsageError, match=r"pip install 'briefly\[ray\]'"):
        run_batch_ray(Briefer(BriefOptions(summarizer="unused")), [], tmp_path)


def test_requests_the_cluster_cannot_meet_stop_up_front(tmp_path, ray_cluster, briefer):
    items = list_articles([str(make_folder(tmp_path))]).items
    with pytest.raises(UsageError, match="--workers 1 or fewer") as raised:
        run_batch_ray(briefer, items, tmp_path / "out", workers=2)
    assert "\n" not in str(raised.value)
    with pytest.raises(UsageError, match="more GPUs than this Ray cluster has"):
        run_batch_ray(briefer, items, tmp_path / "out", gpus_per_worker=1)
    assert not list((tmp_path / "out").glob("*.json*"))


def test_parquet_shards_without_translations(tmp_path, ray_cluster, tiny_summarizer):
    pq = pytest.importorskip("pyarrow.parquet")
    # The module's torch run: an actor that loads a torch model.
    english = Briefer(
        BriefOptions(summarizer=str(tiny_summarizer), languages=(), device="cpu", backend="torch")
    )
    items = list_articles([str(make_folder(tmp_path))]).items
    report = run_batch_ray(english, items, tmp_path / "out", workers=1, out_format="parquet")
    assert (report.done, report.failed) == (3, 2)
    rows = pq.read_table(tmp_path / "out" / "part-00000.parquet").to_pylist()
    assert {json.dumps(json.loads(row["translations"])) for row in rows} == {"{}"}


def test_cli_from_a_folder_holding_a_briefly_clone(tmp_path):
    """Ray's workers must import the installed package, and Ray must not talk without --debug."""
    pytest.importorskip("ray")
    (tmp_path / "briefly").mkdir()
    (tmp_path / "briefly" / "__init__.py").write_text('raise ImportError("the clone shadowed it")')
    (tmp_path / "in").mkdir()
    for i in range(2):
        (tmp_path / "in" / f"story{i}.txt").write_text(story(i), encoding="utf-8")
    package = Path(__file__).resolve().parents[1] / "src"
    env = os.environ | {"PYTHONSAFEPATH": "1", "PYTHONPATH": str(package)}
    command = [sys.executable, "-m", "briefly", "batch", "in", "--out", "out", "--engine", "ray"]
    command += ["--summarizer", "extractive", "--to", "none"]
    run = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S
    )
    assert run.returncode == 0, run.stderr
    assert "done 2" in run.stderr
    noise = [line for line in run.stderr.splitlines() if "INFO" in line or "WARNING" in line]
    assert noise == []
