"""``briefly extract --show-removed`` and ``--no-clean`` through typer's CliRunner."""

import json

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app

DUMP = """   Skip to content

     * Home
     * News
     * Sport

Marlow council turns old tram depot into a library

   By Anna Berg

   The city council of Marlow voted on Tuesday to turn the old tram depot
   into a public library, ending a debate that had divided residents for
   more than a decade.

   Sign up for our morning newsletter
"""
PAGE = """<html><head><title>Depot to become library | Marlow Herald</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Depot to become library</h1>
<p>The city council of Marlow voted on Tuesday to turn the old tram depot into a public library,
ending a debate that had divided residents for more than a decade and cost two mayors.</p>
<p>Under the plan the iron roof will be kept and the building will open in 2028 with reading
rooms, a children's floor and a cafe run by a local charity.</p>
<p>Sign up for our morning newsletter</p></article></body></html>"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize(("name", "text"), [("dump.txt", DUMP), ("page.html", PAGE)])
def test_show_removed_lists_dropped_lines_with_reasons(runner, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--show-removed"])
    assert result.exit_code == 0, result.output
    assert "The city council of Marlow voted on Tuesday" in result.stdout
    assert "Sign up for our morning newsletter" not in result.stdout
    assert "[furniture phrase] Sign up for our morning newsletter" in result.stderr


def test_json_has_removed_lines(runner, tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(DUMP, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["title"] == "Marlow council turns old tram depot into a library"
    assert data["author"] == "Anna Berg"
    assert {"line": "Skip to content", "reason": "furniture label"} in data["removed"]


def test_no_clean_passes_text_through(runner, tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(DUMP, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--no-clean", "--show-removed"])
    assert result.exit_code == 0, result.output
    assert "Skip to content" in result.stdout and "* Sport" in result.stdout
    assert result.stderr == "(cleaning removed no lines)\n"
