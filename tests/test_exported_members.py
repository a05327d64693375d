"""The public surface: what ``import briefly`` offers, pinned so that changes are deliberate."""

import subprocess
import sys

import briefly

EXPECTED = {
    "Article",
    "BatchOptions",
    "BatchReport",
    "Brief",
    "BriefOptions",
    "Briefer",
    "BrieflyError",
    "GuardWarning",
    "InputError",
    "ModelError",
    "Summary",
    "Translation",
    "UsageError",
    "list_articles",
    "load_article",
    "parse_article",
    "read_jsonl",
    "run_batch",
    "run_batch_ray",
}


def test_all_is_the_pinned_surface():
    assert set(briefly.__all__) == EXPECTED
    assert sorted(briefly.__all__) == briefly.__all__


def test_every_exported_name_resolves_and_names_its_home():
    for name in briefly.__all__:
        member = getattr(briefly, name)
        assert member.__module__.startswith("briefly."), name


def test_importing_briefly_loads_no_heavy_library():
    code = (
        "import sys, briefly\n"
        "heavy = {'torch', 'transformers', 'trafilatura', 'ctranslate2', 'ray'}\n"
        "heavy &= set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
