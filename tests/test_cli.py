"""The command line, through typer's CliRunner and as a real subprocess."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app

ARTICLE = """City council approves new tram line after years of debate

  1. HOME
  2. CITY
  • 4 min read
  • CITY
City council approves new tram line after years of debate

The city council voted on Tuesday to build a new tram line linking the northern suburbs with \
the central station, ending a debate that has lasted almost a decade.

The line will cost 420 million euros and is expected to open in 2029. Supporters said it would \
cut travel times by half for forty thousand commuters.

Opponents warned that construction would close the main shopping street for two years.

Author: Maria Lopez

Share
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "tram.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def model_args(tiny_summarizer, tiny_translators):
    args = ["--summarizer", str(tiny_summarizer), "--device", "cpu", "--backend", "torch"]
    for lang, path in tiny_translators.items():
        args += ["--translator", f"{lang}={path}"]
    return args


def test_brief_json_has_every_field_typed(runner, article, model_args):
    result = runner.invoke(app, ["brief", str(article), "--format", "json", *model_args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == str(article)
    assert data["title"] == "City council approves new tram line after years of debate"
    assert data["author"] == "Maria Lopez"
    assert data["published"] is None
    assert data["language"] == "en"
    assert isinstance(data["brief"], str) and data["brief"]
    assert set(data["translations"]) == {"uk", "ru", "hi"}
    assert all(isinstance(v, str) and v for v in data["translations"].values())
    assert data["models"]["summarizer"] == model_args[1]
    assert set(data["models"]) == {"summarizer", "translator:uk", "translator:ru", "translator:hi"}
    assert isinstance(data["chunks"], int) and data["chunks"] >= 1
    assert {"summarize", "translate:uk"} <= set(data["timings"])
    assert all(isinstance(v, float) for v in data["timings"].values())


def test_brief_text_from_stdin_english_only(runner, model_args):
    result = runner.invoke(app, ["brief", "-", "--to", "none", *model_args], input=ARTICLE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("City council approves new tram line")
    assert "[en] English" in result.stdout
    assert "[uk]" not in result.stdout


def test_brief_markdown_to_file(runner, article, model_args, tmp_path):
    out = tmp_path / "brief.md"
    args = ["brief", str(article), "--to", "uk", "-f", "markdown", "-o", str(out), *model_args]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# City council approves")
    assert "## English" in text and "## Ukrainian" in text
    assert result.stdout == ""


def test_translate_keeps_paragraphs_and_json(runner, model_args):
    text = "The vote was close. Many stayed home.\n\nResults come tomorrow."
    args = ["translate", text, "--to", "uk,hi", "-f", "json", *model_args[2:]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"translations", "warnings"}
    assert set(data["translations"]) == {"uk", "hi"}
    assert all(v.count("\n\n") == 1 for v in data["translations"].values())


def test_translate_rejects_no_languages(runner, model_args):
    result = runner.invoke(app, ["translate", "Hello.", "--to", "none", *model_args[2:]])
    assert result.exit_code == 2 and "at least one language" in result.stderr


def test_extract_shows_clean_article_without_models(runner, article):
    result = runner.invoke(app, ["extract", str(article), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["author"] == "Maria Lopez"
    assert data["body"].startswith("The city council voted on Tuesday")
    assert data["body"].endswith("main shopping street for two years.")
    assert "HOME" not in data["body"] and "Share" not in data["body"]


def bad_inputs(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n\n ", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "furniture.txt").write_text("1. HOME\n2. WORLD\n\nShare\n\nAdvertisement\n")
    return {
        "missing": (str(tmp_path / "nope.txt"), "No such file"),
        "directory": (str(tmp_path), "briefly batch"),
        "empty": (str(tmp_path / "empty.txt"), "empty"),
        "binary": (str(tmp_path / "binary.txt"), "binary"),
        "furniture": (str(tmp_path / "furniture.txt"), "no article text"),
        "unreachable": ("http://127.0.0.1:9/article", "127.0.0.1:9"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "directory", "empty", "binary", "furniture", "unreachable"]
)
def test_bad_input_is_one_line_and_exit_1(runner, tmp_path, model_args, case):
    source, expected = bad_inputs(tmp_path)[case]
    result = runner.invoke(app, ["brief", source, *model_args])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected.lower() in lines[0].lower()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--to", "english"], "not a language code"),
        (["--format", "yaml"], "'yaml' is not one of"),
        (["--device", "tpu"], "'tpu' is not one of"),
        (["--backend", "foo"], "'foo' is not one of"),
        (["--compute-type", "int4"], "'int4' is not one of"),
        (["--translator", "nonsense"], "LANG=MODEL"),
        (["--bogus"], "No such option"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(runner, article, args, expected):
    # Extractive and no languages: nothing would load, and still nothing bad is accepted.
    extractive = ["--summarizer", "extractive", *([] if "--to" in args else ["--to", "none"])]
    for extra in ([], extractive):
        result = runner.invoke(app, ["brief", str(article), *args, *extra])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert expected in lines[0]
        assert lines[0].endswith("(see 'briefly brief --help')")


def test_output_that_is_a_folder_is_a_usage_error(runner, article, tmp_path):
    result = runner.invoke(
        app, ["brief", str(article), "--summarizer", "extractive", "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "is a folder" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_version_and_short_help(runner):
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("briefly ")
    for command in (["-h"], ["brief", "-h"], ["models", "download", "-h"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0 and "Usage: briefly" in result.stdout


def test_help_offers_only_what_each_command_takes(runner):
    brief = runner.invoke(app, ["brief", "--help"]).stdout
    assert "<bool>" not in brief and "<text|markdown|json>" in brief
    for command in ("extract", "translate"):
        text = runner.invoke(app, [command, "--help"]).stdout
        assert "<text|json>" in text and "markdown" not in text
    assert "none" not in runner.invoke(app, ["translate", "--help"]).stdout


def test_models_download_fetches_nothing_for_the_extractive_summariser(runner, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = runner.invoke(
        app, ["models", "download", "--summarizer", "extractive", "--to", "none"]
    )
    assert result.exit_code == 0, result.output
    assert "Fetching" not in result.stderr


def test_missing_model_names_it_and_says_what_to_do(runner, article, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(app, ["brief", str(article), "--device", "cpu"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line and "sshleifer/distilbart-cnn-12-6" in line
    # The variable is why, and the summariser (only) has a model-free alternative.
    assert "HF_HUB_OFFLINE" in line and "extractive" in line
    assert "Traceback" not in result.output


def test_missing_translator_does_not_suggest_the_extractive_summariser(
    runner, article, tmp_path, monkeypatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    args = ["brief", str(article), "--summarizer", "extractive", "--to", "uk"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "Helsinki-NLP/opus-mt-en-uk" in result.stderr and "extractive" not in result.stderr


def test_failed_download_does_not_suggest_downloading(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(app, ["models", "download", "--to", "uk", "--summarizer", "extractive"])
    assert result.exit_code == 1
    assert "HF_HUB_OFFLINE" in result.stderr and "models download" not in result.stderr


def test_help_and_extract_do_not_import_torch(article):
    code = (
        "import sys\n"
        "from briefly.cli.app import main\n"
        f"sys.argv = ['briefly', 'extract', {str(article)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "tram line" in result.stdout


def test_python_dash_m_runs_the_cli(article):
    result = subprocess.run(
        [sys.executable, "-m", "briefly", "extract", str(article), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith("City council")


def test_a_batch_with_nothing_new_says_so_instead_of_a_rate(tmp_path):
    from briefly import BatchReport
    from briefly.cli.app import _summary_line

    line = _summary_line(BatchReport(skipped=3), tmp_path)
    assert line.endswith("; nothing new to brief") and "articles/s" not in line
    assert "articles/s" in _summary_line(BatchReport(done=2, seconds=1.0), tmp_path)


def test_a_batch_log_line_gives_no_rate_before_anything_is_briefed(runner, tmp_path):
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": "a"}\n', encoding="utf-8")
    args = ["batch", "--jsonl", str(records), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--summarizer", "extractive", "--to", "none"])
    assert result.exit_code == 1
    assert "1/1 articles (0 briefed, 1 failed)\n" in result.stderr


def test_translate_prints_the_guards_warnings(runner, model_args, monkeypatch):
    from briefly.results import GuardWarning, Translation

    flagged = {
        "uk": Translation("Привіт", (GuardWarning("wrong_language", "uk", "looks like ru"),))
    }
    monkeypatch.setattr("briefly.pipeline.Briefer.translate", lambda _self, _text: flagged)
    result = runner.invoke(app, ["translate", "Hello.", "--to", "uk", *model_args[2:]])
    assert result.exit_code == 0, result.output
    assert "warning [uk]: wrong_language: looks like ru" in result.stderr


def test_max_bytes_refuses_a_large_article_and_says_how_to_raise_it(runner, article):
    small = runner.invoke(app, ["extract", str(article), "--max-bytes", "100"])
    assert small.exit_code == 1
    assert small.stderr.count("\n") == 1
    assert "--max-bytes" in small.stderr
    assert runner.invoke(app, ["extract", str(article), "--max-bytes", "1000000"]).exit_code == 0
