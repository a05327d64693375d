"""The faithfulness check: numbers and names of a brief against its article, numbers of a
translation against its source; then, with tiny models whose n-best lists are forced, the
re-ranking that picks a hypothesis that passes, and the warnings when none does."""

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app as cli_app
from briefly.models.engines import ct2_available, load_engine
from briefly.results import GuardWarning
from briefly.stages.faithfulness import check_brief, check_numbers
from briefly.stages.numbers import numbers
from briefly.stages.summarizer import Summarizer
from briefly.stages.translator import Translator

BACKENDS = [
    "torch",
    pytest.param("ct2", marks=pytest.mark.skipif(not ct2_available(), reason="no ct2")),
]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("85%", "85"),
        ("85 percent", "85"),
        ("1,000", "1000"),
        ("1 000", "1000"),
        ("1\u00a0000\u00a0000", "1000000"),
        ("1.000.000", "1000000"),
        ("2.9", "2.9"),
        ("2,9", "2.9"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("१२,५००", "12500"),
        ("२.९", "2.9"),
        ("$5m", "5000000"),
        ("5.2 billion", "5200000000"),
        ("5 мільйонів", "5000000"),
        ("3 млрд", "3000000000"),
        ("in 2024", "2024"),
        ("twenty-five", "25"),
        ("three million", "3000000"),
        ("2020-21", "2021"),
    ],
)
def test_numbers_are_read_as_values(written, value):
    assert Decimal(value) in numbers(written)[-1].values


def test_a_year_then_a_count_are_two_numbers_and_a_word_is_no_number():
    assert [n.text for n in numbers("in 2020 15 people were hurt on the A45")] == ["2020", "15"]


ARTICLE = (
    "About 1,200 people, 85 percent of the town's residents, voted on Tuesday. Mayor Anna "
    "Kowalczyk said three bridges would close in 2024 at a cost of $5 million."
)


def test_a_brief_that_restates_the_article_passes():
    brief = (
        "Mayor Anna Kowalczyk said 3 bridges will close in 2024, costing 5,000,000 dollars. "
        "No one objected; 1200 people (85%) voted on Tuesday."
    )
    assert check_brief(ARTICLE, brief) == []


def test_invented_numbers_and_names_are_each_reported_once():
    brief = "Mayor John Kowalczyk said 1,300 people voted. Officials said 4 bridges, 4 in all."
    assert check_brief(ARTICLE, brief) == [
        GuardWarning("unsupported_number", None, "'1,300' is not in the article"),
        GuardWarning("unsupported_number", None, "'4' is not in the article"),
        GuardWarning("unsupported_name", None, "'John' is not in the article"),
    ]


def test_a_translation_keeps_numbers_in_its_own_notation():
    source = "About 1,200 people, 85% of them, voted in 2020-21 on three bridges costing 2.9m."
    ukrainian = "Близько 1 200 людей, 85% з них, у 2020–2021 роках, 3 мости, 2,9 млн."
    hindi = "लगभग १२०० लोगों, ८५% ने 2020-21 में 3 पुलों, 2.9 मिलियन"
    assert check_numbers(source, ukrainian, "uk") == []
    assert check_numbers(source, hindi, "hi") == []


def test_a_lost_and_an_invented_number_in_a_translation_are_reported():
    assert check_numbers("About 1,200 people voted.", "Около 1300 человек.", "ru") == [
        GuardWarning("number_lost", "ru", "'1,200' of the source is not in the translation"),
        GuardWarning("unsupported_number", "ru", "'1300' is not in the source"),
    ]


# ---------------------------------------------------------------------------------------------
# Tiny models whose n-best lists are forced (tests/support/forced.py)
# ---------------------------------------------------------------------------------------------

# Beam search returns these, best first: a name and numbers, each after a forced "The".
BRIEFS = ["Tuesday", "20", "Mexico", "7"]
# And these, for any sentence.
TRANSLATIONS = ["20", "3", "2", "1"]


@pytest.fixture(scope="module")
def forced(tmp_path_factory, tiny_summarizer, tiny_translators):
    from tests.support.forced import force_outputs

    root = tmp_path_factory.mktemp("forced")
    return {
        "summarizer": force_outputs(tiny_summarizer, root / "bart", BRIEFS, first="The"),
        "translator": force_outputs(tiny_translators["uk"], root / "marian", TRANSLATIONS),
    }


def _summarize(forced, backend, article):
    engine = load_engine(str(forced["summarizer"]), device="cpu", backend=backend)
    return Summarizer(engine).summarize([article])[0]


def _translate(forced, backend, text):
    engine = load_engine(str(forced["translator"]), device="cpu", backend=backend)
    return Translator(engine, "uk").translate_checked([text])[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_brief_whose_best_hypothesis_passes_is_kept(forced, backend):
    summary = _summarize(forced, backend, "Voting ends on Tuesday.")
    assert (summary.text, summary.warnings) == ("The Tuesday", ())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_best_brief_hypothesis_that_passes_replaces_an_unfaithful_one(forced, backend):
    # "The Tuesday" names a day, "The 20" and "The Mexico" what the article does not say.
    summary = _summarize(forced, backend, "Police said 7 bridges were closed.")
    assert (summary.text, summary.warnings) == ("The 7", ())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_brief_no_hypothesis_of_which_passes_is_kept_with_a_warning(forced, backend):
    summary = _summarize(forced, backend, "Nothing happened.")
    assert summary.text == "The Tuesday"
    assert summary.warnings == (
        GuardWarning("unsupported_name", None, "'Tuesday' is not in the article"),
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("source", "text", "warnings"),
    [
        ("20 injured.", "20", ()),
        ("3 injured.", "3", ()),
        (
            "5 injured.",
            "20",
            (
                GuardWarning("number_lost", "uk", "'5' of the source is not in the translation"),
                GuardWarning("unsupported_number", "uk", "'20' is not in the source"),
            ),
        ),
    ],
    ids=["passes", "re-ranked", "none-passes"],
)
def test_translation_hypotheses_are_re_ranked_by_their_numbers(
    forced, backend, source, text, warnings
):
    translation = _translate(forced, backend, source)
    assert (translation.text, translation.warnings) == (text, warnings)


def test_faithfulness_warnings_reach_json_text_and_the_batch_summary(forced, tmp_path):
    article = tmp_path / "in" / "a.txt"
    article.parent.mkdir()
    article.write_text("Nothing happened.", encoding="utf-8")
    models = ["--summarizer", str(forced["summarizer"]), "--to", "uk", "--device", "cpu"]
    models += ["--translator", f"uk={forced['translator']}"]
    runner = CliRunner()
    as_json = runner.invoke(cli_app, ["brief", str(article), *models, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    warnings = json.loads(as_json.stdout)["warnings"]
    assert {
        "code": "unsupported_name",
        "lang": None,
        "detail": "'Tuesday' is not in the article",
    } in warnings
    assert {
        "code": "unsupported_number",
        "lang": "uk",
        "detail": "'20' is not in the source",
    } in warnings
    as_text = runner.invoke(cli_app, ["brief", str(article), *models])
    assert "warning: unsupported_name: 'Tuesday' is not in the article" in as_text.stderr
    assert "warning [uk]: unsupported_number: '20' is not in the source" in as_text.stderr
    batch = runner.invoke(
        cli_app, ["batch", str(article.parent), "--out", str(tmp_path / "out"), *models]
    )
    assert batch.exit_code == 0, batch.output
    assert "warnings: unsupported_name 1, unsupported_number 1" in batch.stderr


def test_health_counts_the_warnings_of_what_was_served(forced):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from briefly.options import BriefOptions
    from briefly.serve.app import ServiceState, create_app
    from briefly.serve.settings import ServeSettings

    options = BriefOptions(
        summarizer=str(forced["summarizer"]),
        languages=("uk",),
        translators={"uk": str(forced["translator"])},
        device="cpu",
    )
    state = ServiceState(ServeSettings(), options, models={})
    with TestClient(create_app(state)) as client:
        assert client.post("/brief", json={"text": "Nothing happened."}).status_code == 200
        translated = client.post("/translate", json={"q": "5 injured.", "target": "uk"})
        assert translated.json() == {"translatedText": "20"}
        warnings = client.get("/health").json()["warnings"]
    assert warnings == {"unsupported_name": 1, "unsupported_number": 2, "number_lost": 1}
