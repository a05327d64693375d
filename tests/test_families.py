"""NLLB-200, M2M100, mBART-50, T5, mT5 and PEGASUS on both backends, with tiny real models."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from briefly.errors import UsageError
from briefly.models.engines import _load_engine, choose_backend, ct2_available, load_engine
from briefly.models.hub import translator_name
from briefly.models.language_codes import language_tokens
from briefly.stages.translator import Translator
from tests.support import families

needs_ct2 = pytest.mark.skipif(not ct2_available(), reason="CTranslate2 is not installed")
TRANSLATORS = ("nllb", "m2m100", "mbart50")
SUMMARIZERS = ("t5", "mt5", "pegasus")
# What each family calls Ukrainian, Russian and Hindi.
CODES = {
    "nllb": ("ukr_Cyrl", "rus_Cyrl", "hin_Deva"),
    "m2m100": ("__uk__", "__ru__", "__hi__"),
    "mbart50": ("uk_UA", "ru_RU", "hi_IN"),
}
TEXT = "Officials in Kyiv approved a new budget on Monday.\n\nPrices rose by 3.5 percent in May."


@pytest.fixture(scope="session")
def family_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("families")
    lines = families.training_text()
    return {
        "nllb": families.build_nllb(root / "nllb", lines),
        "m2m100": families.build_m2m100(root / "m2m100", lines),
        "mbart50": families.build_mbart50(root / "mbart50", lines),
        "t5": families.build_t5(root / "t5", lines),
        "mt5": families.build_t5(root / "mt5", lines, multilingual=True),
        "pegasus": families.build_pegasus(root / "pegasus", lines),
    }


def _engine(path: Path, backend: str):
    compute_type = "float32" if backend == "ct2" else None
    return load_engine(str(path), device="cpu", backend=backend, compute_type=compute_type)


def _backends():
    return ["torch", pytest.param("ct2", marks=needs_ct2)]


@pytest.mark.parametrize("family", TRANSLATORS)
def test_language_codes_are_the_familys_own(family_models, family):
    engine = _engine(family_models[family], "torch")
    tokens = language_tokens(engine.vocabulary())
    assert tokens.forced
    assert tuple(tokens.token(lang) for lang in ("uk", "ru", "hi")) == CODES[family]


@pytest.mark.parametrize("family", TRANSLATORS)
def test_unknown_target_names_the_known_codes_before_generating(family_models, family):
    engine = _engine(family_models[family], "torch")
    with pytest.raises(UsageError, match=r"no language code for 'qq': it knows .*\S") as raised:
        Translator(engine, "qq")
    assert "\n" not in str(raised.value)
    assert CODES[family][0] in str(raised.value) or "…" in str(raised.value)


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("family", TRANSLATORS)
def test_forced_target_token_is_the_first_generated_token(family_models, family, backend):
    engine = _engine(family_models[family], backend)
    first = _record_first_tokens(engine)
    translations = Translator(engine, "ru").translate([TEXT])
    assert first and set(first) == {CODES[family][1]}
    assert translations[0].count("\n\n") == 1  # paragraphs kept
    assert CODES[family][1] not in translations[0]  # the code itself is not output text


def _record_first_tokens(engine) -> list[str]:
    """The first generated token of every output the engine produces."""
    first: list[str] = []
    if engine.backend == "ct2":
        real = engine.translator

        class Recording:
            def translate_batch(self, tokens, **options):
                results = real.translate_batch(tokens, **options)
                first.extend(r.hypotheses[0][0] for r in results)
                return results

        engine.translator = Recording()
    else:
        model = engine.model
        generate = model.generate

        def recording(**kwargs):
            out = generate(**kwargs)
            # Position 0 is the decoder start token; the first generated one follows.
            first.extend(engine.tokenizer.convert_ids_to_tokens(out[:, 1].tolist()))
            return out

        model.generate = recording
    return first


def test_one_multilingual_model_serves_three_targets_with_one_load(family_models, monkeypatch):
    overrides = {"*": str(family_models["nllb"])}
    _load_engine.cache_clear()
    translators = [
        Translator(_engine(Path(translator_name(lang, overrides)), "torch"), lang)
        for lang in ("uk", "ru", "hi")
    ]
    assert _load_engine.cache_info().misses == 1
    assert len({id(t.engine) for t in translators}) == 1
    assert [t._languages.target for t in translators] == list(CODES["nllb"])
    engine = translators[0].engine
    decode = engine._generate_batch
    targets = []

    def recording(texts, settings, languages):
        targets.append(languages.target)
        return decode(texts, settings, languages)

    monkeypatch.setattr(engine, "_generate_batch", recording)
    for translator in translators:
        translator.translate([TEXT])
    # Each target really is decoded with its own token (the random model's text may not differ).
    assert set(targets) == set(CODES["nllb"])
    assert translator_name("uk", {"all": "m"}) == translator_name("hi", {"all": "m"}) == "m"
    assert translator_name("uk", {"all": "m", "uk": "x"}) == "x"


@needs_ct2
@pytest.mark.parametrize("family", TRANSLATORS)
def test_ct2_greedy_translation_equals_torch(family_models, family):
    outputs = []
    for backend in ("torch", "ct2"):
        engine = _engine(family_models[family], backend)
        languages = Translator(engine, "uk", source="en")._languages
        greedy = replace(engine.settings, num_beams=1)
        texts = [TEXT, "Rain fell in Lviv."]
        outputs.append(engine.generate(texts, greedy, [16, 16], languages))
    assert outputs[0] == outputs[1]


@needs_ct2
@pytest.mark.parametrize("family", SUMMARIZERS)
def test_ct2_greedy_summary_equals_torch(family_models, family):
    texts = [TEXT, "Rain fell in Lviv on Tuesday, and the river rose."]
    outputs = []
    for backend in ("torch", "ct2"):
        engine = _engine(family_models[family], backend)
        settings = replace(engine.settings, num_beams=1)
        outputs.append(engine.generate(texts, settings, max_new_tokens=[12, 12]))
    assert outputs[0] == outputs[1]
    assert all(outputs[0])


@needs_ct2
@pytest.mark.parametrize("family", TRANSLATORS + SUMMARIZERS)
def test_auto_backend_picks_ct2_and_the_runtime_tokenizer_matches(family_models, family):
    path = family_models[family]
    assert choose_backend("auto", path) == "ct2"
    torch_engine, ct2_engine = _engine(path, "torch"), _engine(path, "ct2")
    texts = ["Kyiv, 12 May: prices rose 3.5%.", "Ціни зросли.", "कीमतें बढ़ीं।"]
    assert ct2_engine.count_tokens(texts) == torch_engine.count_tokens(texts)
    assert ct2_engine.vocabulary() == torch_engine.vocabulary()


def test_a_family_ct2_cannot_run_falls_back_under_auto_and_is_one_line_under_ct2(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "prophetnet"}))
    assert choose_backend("auto", tmp_path) == "torch"
    if not ct2_available():
        return
    from briefly.models.engines.ct2_engine import CT2Engine

    with pytest.raises(UsageError, match="not 'prophetnet': use --backend torch") as raised:
        CT2Engine(tmp_path, "cpu")
    assert "\n" not in str(raised.value)


def test_cli_one_model_for_every_target(family_models, tmp_path):
    from typer.testing import CliRunner

    from briefly.cli import app as cli

    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    _load_engine.cache_clear()
    args = ["brief", str(article), "--summarizer", "extractive", "--to", "uk,ru,hi"]
    args += ["--translator", f"*={family_models['m2m100']}", "--device", "cpu"]
    result = CliRunner().invoke(cli.app, [*args, "--backend", "torch", "--format", "json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    assert {models[f"translator:{lang}"] for lang in ("uk", "ru", "hi")} == {
        str(family_models["m2m100"])
    }
    assert _load_engine.cache_info().misses == 1


RUSSIAN = (
    "Городской совет Одессы в понедельник утвердил новый план восстановления мостов через "
    "реку. По словам мэра, работы начнутся весной и продлятся около двух лет.\n\n"
    "Жители города давно жаловались на состояние старых мостов. Правительство страны "
    "выделит на проект более ста миллионов гривен, сообщил министр."
)


def _brief(text: str, **options):
    from briefly.article.loader import parse_article
    from briefly.options import BriefOptions
    from briefly.pipeline import Briefer

    briefer = Briefer(BriefOptions(device="cpu", backend="torch", **options))
    return briefer.brief_many([parse_article(text)])[0]


def test_unknown_target_fails_before_the_summariser_runs(family_models, monkeypatch):
    def summarize(*_args, **_kwargs):
        raise AssertionError("the summariser ran before the target language was checked")

    monkeypatch.setattr("briefly.stages.summarizer.Summarizer.summarize", summarize)
    english = "The council approved the new tram line on Monday. Work starts in spring."
    with pytest.raises(UsageError, match="no language code for 'qq'"):
        _brief(
            english,
            summarizer=str(family_models["t5"]),
            languages=("qq",),
            translators={"*": str(family_models["nllb"])},
        )


def test_multilingual_summariser_briefs_a_russian_article_in_russian(family_models):
    brief = _brief(RUSSIAN, summarizer=str(family_models["mt5"]), languages=("ru",))
    assert brief.language == "ru" and brief.brief_language == "ru"
    assert brief.models == {"summarizer": str(family_models["mt5"])}  # no ru-en model ran
    assert brief.translations == {"ru": brief.text}


def test_extractive_brief_of_a_russian_article_needs_no_model_at_all():
    brief = _brief(RUSSIAN, summarizer="extractive", languages=())
    assert brief.models == {"summarizer": "extractive"}
    assert brief.brief_language == "ru" and brief.text.startswith("Городской совет Одессы")


ENGLISH = (
    "The city council voted on Tuesday to build a new tram line to the northern suburbs. "
    "The line will cost 420 million euros and open in 2029. Supporters said it would cut "
    "travel times by half. Opponents warned that the works would close the main street."
)


@pytest.mark.parametrize(("text", "target"), [(RUSSIAN, "ru"), (ENGLISH, "en")])
def test_the_cli_needs_no_model_for_a_target_in_the_articles_own_language(tmp_path, text, target):
    from typer.testing import CliRunner

    from briefly.cli.app import app

    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    args = ["brief", str(article), "--summarizer", "extractive", "--to", target, "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    brief = json.loads(result.stdout)
    # The extract itself, from the article's first sentence, and no model ran.
    assert brief["translations"] == {target: brief["brief"]}
    assert brief["brief"].startswith(text.split(".")[0])
    assert brief["models"] == {"summarizer": "extractive"}


def test_the_cli_names_the_model_english_needs_for_a_russian_extract(tmp_path):
    from typer.testing import CliRunner

    from briefly.cli.app import app

    article = tmp_path / "ru.txt"
    article.write_text(RUSSIAN, encoding="utf-8")
    args = ["brief", str(article), "--summarizer", "extractive", "--to", "ru,en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    # One line, with the advice for a translator (the tests run with HF_HUB_OFFLINE=1).
    assert result.output.startswith("error: Model 'Helsinki-NLP/opus-mt-ru-en' is not in")
    assert result.output.count("\n") == 1
    assert "give that language another model" in result.output


def test_extract_goes_straight_to_a_target_with_a_direct_or_multilingual_model(family_models):
    nllb = str(family_models["nllb"])
    direct = _brief(
        RUSSIAN, summarizer="extractive", languages=("uk", "ru"), translators={"ru-uk": nllb}
    )
    assert direct.models == {"summarizer": "extractive", "translator:ru-uk": nllb}
    assert direct.translations["ru"] == direct.text  # the target in the brief's language
    every = _brief(RUSSIAN, summarizer="extractive", languages=("uk",), translators={"*": nllb})
    assert set(every.models) == {"summarizer", "translator:ru-uk"}


def test_extract_reaches_other_targets_through_english(family_models, tiny_translators):
    nllb, marian = str(family_models["nllb"]), str(tiny_translators["uk"])
    brief = _brief(
        RUSSIAN,
        summarizer="extractive",
        languages=("uk",),
        translators={"ru-en": nllb, "uk": marian},
    )
    assert brief.models == {
        "summarizer": "extractive",
        "translator:ru-en": nllb,
        "translator:uk": marian,
    }


def test_english_target_of_an_english_article_is_the_brief_itself():
    brief = _brief(
        TEXT + " The mayor welcomed the decision.", summarizer="extractive", languages=("en",)
    )
    assert brief.translations == {"en": brief.text}
    assert brief.models == {"summarizer": "extractive"}
