"""Hostile and damaged model folders and prompt templates: one line, exit 1 or 2, no code run.

Model folders are copies of the session's tiny BART summariser with one thing broken.
A folder whose code would run leaves a marker file; no test may ever find one.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app
from briefly.models.engines.hf_model import HFModel

SRC = Path(__file__).resolve().parents[1] / "src"
HANG_LIMIT_S = 300
ARTICLE = (
    "The harbour board on Monday approved the expansion of the container port after a "
    "long debate about dredging, noise and truck traffic in the old town.\n"
)
MODULE = "modeling_evil"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def copy_model(tiny_summarizer: Path, tmp_path: Path):
    def copy(name: str) -> Path:
        return Path(shutil.copytree(tiny_summarizer, tmp_path / name))

    return copy


def _plant_code(folder: Path, marker: Path) -> None:
    """A module that creates ``marker`` when imported, with classes auto_map can name."""
    (folder / f"{MODULE}.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).touch()\n"
        "from transformers import BartConfig, BartForConditionalGeneration, BartTokenizerFast\n"
        "class EvilConfig(BartConfig):\n    pass\n"
        "class EvilModel(BartForConditionalGeneration):\n    pass\n"
        "class EvilTokenizer(BartTokenizerFast):\n    pass\n",
        encoding="utf-8",
    )


def _add_auto_map(file: Path, auto_map: dict) -> None:
    config = json.loads(file.read_text(encoding="utf-8"))
    config["auto_map"] = auto_map
    file.write_text(json.dumps(config), encoding="utf-8")


@pytest.fixture(params=["config.json", "tokenizer_config.json"])
def custom_code_model(request, copy_model, tmp_path: Path) -> tuple[Path, Path]:
    folder = copy_model("custom-code")
    marker = tmp_path / "CODE-RAN"
    _plant_code(folder, marker)
    if request.param == "config.json":
        auto_map = {
            "AutoConfig": f"{MODULE}.EvilConfig",
            "AutoModelForSeq2SeqLM": f"{MODULE}.EvilModel",
        }
    else:
        auto_map = {"AutoTokenizer": [None, f"{MODULE}.EvilTokenizer"]}
    _add_auto_map(folder / request.param, auto_map)
    return folder, marker


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "briefly", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT_S,
        env={**os.environ, "PYTHONPATH": path},
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("answer", ["", "y\n"])
@pytest.mark.parametrize("backend", ["torch", "auto"])
def test_custom_code_folder_is_refused_and_its_code_never_runs(
    custom_code_model, article: Path, answer: str, backend: str
) -> None:
    folder, marker = custom_code_model
    result = run_cli(
        "brief", str(article), "--summarizer", str(folder), "--to", "none",
        "--device", "cpu", "--backend", backend, stdin=answer,
    )  # fmt: skip
    assert result.returncode == 1
    assert "custom model code" in one_error_line(result.stderr)
    assert not marker.exists()


def test_transformers_is_told_never_to_run_custom_code(custom_code_model) -> None:
    """Past briefly's own check, every load passes trust_remote_code=False."""
    folder, marker = custom_code_model
    try:
        HFModel.read(folder)
    except ValueError:
        pass  # transformers may refuse instead of falling back to the built-in classes
    assert not marker.exists()


def _brief(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["brief", *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("backend", ["torch", "auto"])
def test_truncated_safetensors_is_one_line(copy_model, article: Path, backend: str) -> None:
    folder = copy_model("truncated")
    weights = folder / "model.safetensors"
    os.truncate(weights, weights.stat().st_size // 2)
    code, stderr = _brief(
        str(article), "--summarizer", str(folder), "--to", "none", "--backend", backend
    )
    assert code == 1
    assert "damaged safetensors weights" in one_error_line(stderr)


def test_config_only_folder_on_torch_is_one_line(tiny_summarizer: Path, tmp_path, article) -> None:
    folder = tmp_path / "config-only"
    folder.mkdir()
    shutil.copy(tiny_summarizer / "config.json", folder)
    code, stderr = _brief(str(article), "--summarizer", str(folder), "--to", "none",
                          "--backend", "torch")  # fmt: skip
    assert code == 1
    assert "Cannot load" in one_error_line(stderr)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("backend", ["torch", "auto"])
def test_malicious_pickle_is_refused_without_a_traceback(
    copy_model, article: Path, tmp_path: Path, backend: str
) -> None:
    folder = copy_model("pickled")
    marker = tmp_path / "PICKLE-RAN"
    (folder / "model.safetensors").unlink()
    with open(folder / "pytorch_model.bin", "wb") as handle:
        pickle.dump(_Payload(marker), handle)
    code, stderr = _brief(
        str(article), "--summarizer", str(folder), "--to", "none", "--backend", backend
    )
    assert code == 1
    assert "objects other than tensors" in one_error_line(stderr)
    assert not marker.exists()


@pytest.mark.parametrize(
    "template, expected",
    [
        ("Summarise: {article:999999999}", "format spec"),
        ("Summarise: {article!r}", "format spec"),
        ("Summarise: {article.upper}", "unknown placeholder"),
        ("Summarise {0}: {article}", "unknown placeholder"),
        ("Summarise: {article", "not a valid template"),
    ],
)
def test_hostile_prompt_template_is_a_usage_error(
    tiny_llama: Path, article: Path, tmp_path: Path, template: str, expected: str
) -> None:
    # An instruction model: a seq2seq summariser uses no prompt, so it never reads one.
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(template, encoding="utf-8")
    code, stderr = _brief(str(article), "--summarizer", str(tiny_llama), "--to", "none",
                          "--backend", "torch", "--prompt", str(prompt))  # fmt: skip
    assert code == 2
    # The template is checked once the model is loaded (its family picks the default
    # template), so transformers' progress bar may come first.
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in stderr
    assert expected in errors[0]
