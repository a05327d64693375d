"""Long, messy and non-English input; length control; output guards."""

import json
import shutil
from dataclasses import replace

import pytest

from briefly.article.loader import parse_article
from briefly.models.engines import load_engine
from briefly.models.language_codes import language_tokens
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from briefly.results import GuardWarning
from briefly.stages.summarizer import Summarizer
from briefly.stages.translator import Translator
from tests.support.models import FAST

NEWS = (
    "The regional council in {place} approved a plan on {day} to rebuild {n} bridges damaged "
    "by floods. Engineers said work would start in spring and last two years. Residents "
    "welcomed the decision but asked for temporary crossings."
)


def news(paragraphs: int, words_per: int | None = None) -> str:
    places = ["Poltava", "Sumy", "Rivne", "Uzhhorod", "Cherkasy", "Ternopil"]
    days = ["Monday", "Tuesday", "Friday"]
    return "\n\n".join(
        NEWS.format(place=places[i % 6], day=days[i % 3], n=i + 2) for i in range(paragraphs)
    )


@pytest.fixture
def models(tiny_summarizer, tiny_translators):
    return str(tiny_summarizer), {k: str(v) for k, v in tiny_translators.items()}


def spy_inputs(engine, monkeypatch):
    """Record every text an engine is asked to generate from."""
    seen: list[str] = []
    generate = engine.generate

    def spy(texts, settings, max_new_tokens=None, languages=None):
        seen.extend(texts)
        return generate(texts, settings, max_new_tokens, languages)

    monkeypatch.setattr(engine, "generate", spy)
    return seen


@pytest.mark.parametrize("strategy", ["map-reduce", "extract"])
def test_20000_word_article_completes_and_every_input_fits(models, strategy, monkeypatch):
    text = news(550)
    assert len(text.split()) > 20_000
    engine = load_engine(models[0], device="cpu", backend=FAST)
    seen = spy_inputs(engine, monkeypatch)
    summary = Summarizer(engine, long_strategy=strategy).summarize([text])[0]
    assert summary.text
    assert max(engine.count_tokens(seen)) <= engine.max_input_tokens
    if strategy == "map-reduce":
        # Every sentence of the article reached the model, none twice.
        first_round = seen[: summary.chunks]
        assert " ".join(first_round).split() == text.split()
    else:
        assert summary.chunks == 1


def test_length_control_changes_generation_and_extract_sentences(models):
    engine = load_engine(models[0], device="cpu", backend=FAST)
    short = Summarizer(engine, length="short").settings
    long = Summarizer(engine, length="long").settings
    words = Summarizer(engine, max_words=10).settings
    assert short.new_token_limit() < engine.settings.new_token_limit() < long.new_token_limit()
    assert words.new_token_limit() <= 16
    article = news(6)
    for length, most in (("short", 2), ("medium", 3), ("long", 5)):
        brief = Briefer(
            BriefOptions(summarizer="extractive", languages=(), length=length)
        ).brief_many([parse_article(article, is_html=False)])[0]
        assert 1 <= brief.text.count(". ") + 1 <= most
    limited = Briefer(BriefOptions(summarizer="extractive", languages=(), max_words=40)).brief_many(
        [parse_article(article)]
    )[0]
    assert len(limited.text.split()) <= 40


def test_extractive_summarizer_needs_no_model_and_keeps_the_lead():
    article = parse_article(news(5), is_html=False)
    brief = Briefer(BriefOptions(summarizer="extractive", languages=())).brief_many([article])[0]
    assert brief.text.startswith("The regional council in Poltava")
    assert brief.models == {"summarizer": "extractive"}


def test_menu_fragments_upper_case_and_very_short_input(models):
    summarizer, translators = models
    briefer = Briefer(
        BriefOptions(
            summarizer=summarizer,
            languages=("uk",),
            translators=translators,
            device="cpu",
            backend=FAST,
        )
    )
    menu = "Home | World | Sport | Weather\n\nLogin\n\nMenu\n\nSearch\n\n" + news(2)
    shouting = news(2).upper()
    tiny = "Floods hit Sumy."
    results = briefer.brief_many([parse_article(t, is_html=False) for t in (menu, shouting, tiny)])
    assert [r.language for r in results] == ["en", "en", None]
    assert all(r.text and r.translations["uk"] for r in results)


@pytest.mark.parametrize(
    "text, lang",
    [
        (
            "Міська рада Полтави ухвалила план відновлення мостів. Роботи почнуться навесні. "
            "Мешканці просять тимчасові переправи.",
            "uk",
        ),
        (
            "Городской совет утвердил план восстановления мостов. Работы начнутся весной. "
            "Жители просят временные переправы.",
            "ru",
        ),
        (
            "नगर परिषद ने पुलों के पुनर्निर्माण की योजना को मंजूरी दी। काम वसंत में शुरू होगा। "
            "निवासियों ने अस्थायी पुलों की मांग की।",
            "hi",
        ),
    ],
)
def test_non_english_article_is_translated_into_english_first(models, text, lang):
    summarizer, translators = models
    # Any Marian model stands in for opus-mt-{lang}-en: the routing is under test.
    overrides = translators | {f"{lang}-en": translators["uk"]}
    briefer = Briefer(
        BriefOptions(
            summarizer=summarizer,
            languages=("uk", "hi"),
            translators=overrides,
            device="cpu",
            backend=FAST,
        )
    )
    brief = briefer.brief_many([parse_article(text, is_html=False)])[0]
    assert brief.language == lang
    assert brief.models[f"translator:{lang}-en"] == translators["uk"]
    assert f"translate:{lang}-en" in brief.timings
    if lang in ("uk", "hi"):
        # The article's own language gets an extract of the original, not a re-translation.
        assert brief.translations[lang] in text
        assert f"translate:{lang}" not in brief.timings or lang == "uk"


class Scripted:
    """Wraps a real engine: answers from a script first, then lets the model speak."""

    def __init__(self, engine, answers):
        self.engine = engine
        self.answers = list(answers)
        self.calls = []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def generate(self, texts, settings, max_new_tokens=None, languages=None):
        return [h[0] for h in self.generate_hypotheses(texts, settings, max_new_tokens, languages)]

    def generate_hypotheses(self, texts, settings, max_new_tokens=None, languages=None):
        self.calls.append(settings)
        real = self.engine.generate_hypotheses(texts, settings, max_new_tokens, languages)
        if not self.answers:
            return real
        answer = self.answers.pop(0)
        return [[answer]] * len(texts) if answer is not None else real


LOOP = "міст міст міст міст міст міст міст міст міст міст міст міст"
RUSSIAN = "Городской совет утвердил план восстановления мостов через реку."
UKRAINIAN = "Міська рада затвердила план відновлення мостів через річку."


def test_repetitive_translation_is_retried_with_stronger_settings(models):
    engine = load_engine(models[1]["uk"], device="cpu", backend=FAST)
    scripted = Scripted(engine, [LOOP, UKRAINIAN])
    result = Translator(scripted, "uk").translate_checked(["The council approved a plan."])[0]
    assert result.text == UKRAINIAN and result.warnings == ()
    first, retry = scripted.calls
    assert retry.repetition_penalty > first.repetition_penalty
    assert retry.no_repeat_ngram_size >= 3


def test_output_still_wrong_after_retry_is_flagged(models):
    engine = load_engine(models[1]["uk"], device="cpu", backend=FAST)
    scripted = Scripted(engine, [RUSSIAN, RUSSIAN])
    result = Translator(scripted, "uk").translate_checked(["The council approved a plan."])[0]
    assert scripted.calls[1].num_beams >= 6
    assert GuardWarning("wrong_language", "uk", "expected uk, looks like ru") in result.warnings


def test_without_guard_retries_a_flagged_output_is_reported_not_retried(models):
    engine = load_engine(models[1]["uk"], device="cpu", backend=FAST)
    scripted = Scripted(engine, [LOOP, UKRAINIAN])
    translator = Translator(scripted, "uk", retries=False)
    result = translator.translate_checked(["The council approved a plan."])[0]
    assert len(scripted.calls) == 1
    assert result.text == LOOP and [w.code for w in result.warnings] == ["repetition"]


def test_warnings_reach_the_json_and_stderr(models, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from briefly.cli import app as cli

    summarizer, translators = models
    engine = load_engine(translators["uk"], device="cpu", backend=FAST)
    always_russian = Scripted(engine, [RUSSIAN] * 10)
    real_load = cli_load = load_engine

    def load(name, **kwargs):
        return always_russian if name == translators["uk"] else real_load(name, **kwargs)

    monkeypatch.setattr("briefly.pipeline.load_engine", load)
    article = tmp_path / "a.txt"
    article.write_text(news(2), encoding="utf-8")
    args = [
        "brief",
        str(article),
        "--summarizer",
        summarizer,
        "--to",
        "uk",
        "--translator",
        f"uk={translators['uk']}",
        "--device",
        "cpu",
        "--backend",
        FAST,
    ]
    as_json = CliRunner().invoke(cli.app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    codes = {(w["code"], w["lang"]) for w in json.loads(as_json.stdout)["warnings"]}
    assert ("wrong_language", "uk") in codes
    as_text = CliRunner().invoke(cli.app, args)
    assert "warning [uk]: wrong_language" in as_text.stderr
    assert cli_load is load_engine


def test_multilingual_target_token_is_read_from_the_vocabulary(models, tmp_path, monkeypatch):
    model = tmp_path / "opus-mt-en-zle"
    shutil.copytree(models[1]["uk"], model)
    vocab = json.loads((model / "vocab.json").read_text(encoding="utf-8"))
    fillers = [t for t in vocab if t not in ("</s>", "<unk>", "<pad>")][-3:]
    for filler, code in zip(fillers, [">>ukr<<", ">>rus<<", ">>bel<<"], strict=True):
        vocab[code] = vocab.pop(filler)
    (model / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    engine = load_engine(str(model), device="cpu", backend="torch")
    tokens = language_tokens(engine.vocabulary())
    assert (tokens.token("uk"), tokens.token("be")) == (">>ukr<<", ">>bel<<")
    seen = spy_inputs(engine, monkeypatch)
    Translator(engine, "ru").translate(["Floods hit the town."])
    # (A second call is the guard retrying the random model's gibberish.)
    assert set(seen) == {">>rus<< Floods hit the town."}
    from briefly.errors import UsageError

    with pytest.raises(UsageError, match="no language code for 'hi'"):
        Translator(engine, "hi")
    plain = load_engine(models[1]["uk"], device="cpu", backend="torch")
    assert language_tokens(plain.vocabulary()) is None


def test_stronger_settings_for_each_problem():
    from briefly.models.generation import GenerationSettings
    from briefly.stages.retry import stronger

    base = GenerationSettings(num_beams=4)
    assert stronger(base, [GuardWarning("repetition", "uk", "")]).repetition_penalty > 1
    assert stronger(base, [GuardWarning("wrong_language", "uk", "")]).num_beams == 8
    assert (
        replace(stronger(base, [GuardWarning("length_ratio", "uk", "")]), repetition_penalty=1.0)
        != base
    )
