"""Model builders and replica specs: built models load and behave like hub models."""

import re
from dataclasses import replace

import pytest
import torch
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    BartForConditionalGeneration,
    M2M100Config,
    M2M100ForConditionalGeneration,
    MarianMTModel,
)

from benchmarks.replicas import (
    DISTILBART_CNN_6_6,
    DISTILBART_CNN_12_6,
    M2M100_1_2B,
    OPUS_MT_EN,
    OPUS_MT_TC_BIG_EN_ZLE,
    main,
)
from tests.support.models import TINY_BART, TINY_MARIAN, build_bart, build_replica, replica_config
from tests.support.text import news_article, news_corpus

# Real sentences, not generated ones, so the target tokenizers are tried on unseen text.
TARGET_TEXT = {
    "uk": "Президент заявив, що уряд країни також може це зробити до кінця року.",
    "ru": "Президент заявил, что правительство страны также может это сделать.",
    "hi": "प्रधानमंत्री ने कहा कि सरकार देश के लोगों के लिए काम करेगी।",
}


def load(path):
    return AutoTokenizer.from_pretrained(path), AutoModelForSeq2SeqLM.from_pretrained(path)


def test_news_corpus_is_seeded_and_varies_in_length():
    corpus = news_corpus(50, seed=3)
    assert corpus == news_corpus(50, seed=3) != news_corpus(50, seed=4)
    lengths = [len(article.split()) for article in corpus]
    assert min(lengths) < 150 and max(lengths) > 800
    assert 600 <= len(news_article(600).split()) < 700


def test_tiny_summarizer_generates_within_its_limits(tiny_summarizer):
    tokenizer, model = load(tiny_summarizer)
    assert isinstance(model, BartForConditionalGeneration)
    assert len(tokenizer) == model.config.vocab_size == TINY_BART.vocab_size
    assert tokenizer.model_max_length == model.config.max_position_embeddings == 128
    inputs = tokenizer([news_article(300)], truncation=True, return_tensors="pt")
    assert inputs.input_ids.shape[1] == 128  # an ordinary article overflows: callers must chunk
    output = model.generate(**inputs)
    generation = model.generation_config
    assert generation.min_length <= output.shape[1] <= generation.max_length
    assert output[0, :2].tolist() == [2, 0]  # decoder start </s>, then distilbart's forced <s>
    assert tokenizer.decode(output[0], skip_special_tokens=True).strip()


@pytest.mark.parametrize("lang", ["uk", "ru", "hi"])
def test_tiny_translators_generate_within_their_limits(tiny_translators, lang):
    tokenizer, model = load(tiny_translators[lang])
    assert isinstance(model, MarianMTModel)
    pad = TINY_MARIAN[lang].vocab_size - 1
    assert len(tokenizer) == model.config.vocab_size == pad + 1
    assert tokenizer.pad_token_id == model.config.decoder_start_token_id == pad
    assert model.generation_config.bad_words_ids == [[pad]]
    inputs = tokenizer(["The minister said talks would continue."], return_tensors="pt")
    output = model.generate(**inputs)
    assert output.shape[1] <= model.generation_config.max_length
    assert pad not in output[0, 1:].tolist()
    assert tokenizer.decode(output[0], skip_special_tokens=True).strip()


def test_summarizer_tokenizer_round_trips_any_text(tiny_summarizer):
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer)
    for text in (news_article(300, seed=5), "Zelenskyy’s café — naïve “quotes” ₴5, 😀\n\tend"):
        ids = tokenizer(text).input_ids
        assert ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.eos_token_id
        assert tokenizer.decode(ids, skip_special_tokens=True) == text


@pytest.mark.parametrize("lang", ["uk", "ru", "hi"])
def test_translator_tokenizers_round_trip_both_sides(tiny_translators, lang):
    tokenizer = AutoTokenizer.from_pretrained(tiny_translators[lang])
    article = news_article(200, seed=6)
    ids = tokenizer(article).input_ids
    assert ids[-1] == tokenizer.eos_token_id and tokenizer.unk_token_id not in ids
    # SentencePiece collapses whitespace, as the real OPUS-MT tokenizers do.
    assert tokenizer.decode(ids, skip_special_tokens=True) == " ".join(article.split())
    ids = tokenizer(text_target=TARGET_TEXT[lang]).input_ids
    assert tokenizer.unk_token_id not in ids
    decoded = tokenizer.decode(ids, skip_special_tokens=True, use_source_tokenizer=False)
    assert decoded == TARGET_TEXT[lang]


@pytest.mark.parametrize("spec", [TINY_BART, TINY_MARIAN["hi"]], ids=lambda spec: spec.name)
def test_pinned_models_generate_exactly_n_new_tokens(tmp_path, spec):
    # 45 exceeds the tiny summariser's max_length (40): the pin must win over the spec.
    tokenizer, model = load(build_replica(spec, tmp_path, pin_new_tokens=45))
    texts = ["Rain.", news_article(80)]
    inputs = tokenizer(texts, truncation=True, padding=True, return_tensors="pt")
    output = model.generate(**inputs)
    assert output.shape == (2, 1 + 45)  # the decoder start token, then 45 generated ones
    assert (output[:, -1] == model.config.eos_token_id).all()


def test_builds_are_reproducible_for_a_seed(tmp_path):
    first = build_replica(TINY_BART, tmp_path / "first")
    again = build_replica(TINY_BART, tmp_path / "again")
    other = build_replica(TINY_BART, tmp_path / "other", seed=1)
    for name in ("model.safetensors", "vocab.json", "merges.txt", "generation_config.json"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / "vocab.json").read_bytes() != (other / "vocab.json").read_bytes()
    model = (first / "model.safetensors").read_bytes()
    assert model != (other / "model.safetensors").read_bytes()


def test_bart_vocab_is_padded_to_the_exact_size_with_unreachable_words(tmp_path):
    path = build_bart(
        tmp_path,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        heads=2,
        ffn=16,
        vocab_size=6000,  # more than BPE can learn from generated news
        max_positions=64,
        generation={},
    )
    tokenizer, model = load(path)
    assert len(tokenizer) == model.config.vocab_size == 6000
    assert tokenizer.mask_token_id == 5999
    merges = (path / "merges.txt").read_text(encoding="utf-8").splitlines()[1:]
    learned = 4 + 256 + len(merges)  # specials, byte alphabet, one token per merge
    assert re.fullmatch(r" [a-z]+", tokenizer.decode([learned]))
    assert max(max(ids) for ids in tokenizer(news_corpus(20, seed=9)).input_ids) < learned


def test_main_builds_the_four_tiny_models(tmp_path, capsys):
    main([str(tmp_path), "--tiny", "--pin-new-tokens", "7"])
    names = [TINY_BART.name, *(spec.name for spec in TINY_MARIAN.values())]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert capsys.readouterr().out.count("built in") == 4
    assert load(tmp_path / TINY_BART.name)[1].generation_config.max_new_tokens == 7


def test_distilbart_replica_has_the_hub_architecture():
    config = replica_config(DISTILBART_CNN_12_6)
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (1024, 12, 6)
    assert config.encoder_attention_heads == config.decoder_attention_heads == 16
    assert config.encoder_ffn_dim == config.decoder_ffn_dim == 4096
    assert (config.vocab_size, config.max_position_embeddings) == (50264, 1024)
    assert config.activation_function == "gelu" and not config.scale_embedding
    assert not config.normalize_before and not config.add_final_layer_norm
    ids = (config.bos_token_id, config.pad_token_id, config.eos_token_id)
    assert ids + (config.decoder_start_token_id, config.forced_eos_token_id) == (0, 1, 2, 2, 2)
    assert dict(DISTILBART_CNN_12_6.generation) == {
        "num_beams": 4,
        "length_penalty": 2.0,
        "min_length": 56,
        "max_length": 142,
        "no_repeat_ngram_size": 3,
        "early_stopping": True,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,
    }
    with torch.device("meta"):
        model = BartForConditionalGeneration(config)
    assert model.num_parameters() == 305_510_400  # the hub checkpoint's "306M params"


@pytest.mark.parametrize("lang, vocab_size", [("uk", 61587), ("ru", 62518), ("hi", 61950)])
def test_opus_mt_replicas_have_the_hub_architecture(lang, vocab_size):
    spec = OPUS_MT_EN[lang]
    config = replica_config(spec)
    assert spec.target_lang == lang
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (512, 6, 6)
    assert config.encoder_attention_heads == config.decoder_attention_heads == 8
    assert config.encoder_ffn_dim == config.decoder_ffn_dim == 2048
    assert config.vocab_size == config.decoder_vocab_size == vocab_size
    assert config.max_position_embeddings == 512
    assert config.activation_function == "swish" and config.scale_embedding
    assert config.share_encoder_decoder_embeddings and config.static_position_embeddings
    assert config.pad_token_id == config.decoder_start_token_id == vocab_size - 1
    assert config.eos_token_id == config.forced_eos_token_id == 0
    assert dict(spec.generation) == {"num_beams": 4, "max_length": 512, "renormalize_logits": True}
    with torch.device("meta"):
        model = MarianMTModel(config)
    shared = model.model.shared.weight
    assert model.lm_head.weight is shared and model.model.encoder.embed_tokens.weight is shared


def test_tc_big_en_zle_replica_is_a_transformer_big():
    config = replica_config(OPUS_MT_TC_BIG_EN_ZLE)
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (1024, 6, 6)
    assert config.encoder_attention_heads == config.decoder_attention_heads == 16
    assert config.encoder_ffn_dim == config.decoder_ffn_dim == 4096
    assert config.max_position_embeddings == 1024 and config.activation_function == "relu"
    with torch.device("meta"):
        model = MarianMTModel(config)
    # Three times an OPUS-MT base model's 76M parameters.
    assert model.num_parameters() == 240_935_936


def test_fast_and_best_replicas_have_the_hub_architectures():
    assert replica_config(DISTILBART_CNN_6_6).encoder_layers == 6
    config = replica_config(M2M100_1_2B)
    assert isinstance(config, M2M100Config)
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (1024, 24, 24)
    assert config.encoder_attention_heads == config.decoder_attention_heads == 16
    assert config.encoder_ffn_dim == config.decoder_ffn_dim == 8192
    assert (config.vocab_size, config.max_position_embeddings) == (128112, 1024)
    assert config.activation_function == "relu" and config.scale_embedding
    with torch.device("meta"):
        fast = BartForConditionalGeneration(replica_config(DISTILBART_CNN_6_6))
        best = M2M100ForConditionalGeneration(config)
    # The hub checkpoints' "230M" and "1.2B".
    assert fast.num_parameters() == 229_933_056
    assert best.num_parameters() == 1_239_470_080


def test_m2m100_replica_fills_the_hub_vocabulary_and_converts_for_ct2(tmp_path):
    ctranslate2 = pytest.importorskip("ctranslate2")
    spec = replace(M2M100_1_2B, d_model=16, encoder_layers=1, decoder_layers=1, heads=2, ffn=16)
    spec = replace(spec, vocab_size=3000, spm_vocab=1000, max_positions=64)
    path = build_replica(spec, tmp_path / "m2m", pin_new_tokens=6)
    tokenizer, model = load(path)
    # The hundred language codes and 8 unused ids follow vocab.json, as on the hub: CTranslate2
    # refuses a vocabulary of another size than the embedding table.
    assert len(tokenizer) + tokenizer.num_madeup_words == model.config.vocab_size == 3000
    inputs = tokenizer(["The minister said talks would continue."], return_tensors="pt")
    output = model.generate(**inputs, forced_bos_token_id=tokenizer.get_lang_id("hi"))
    assert output.shape == (1, 1 + 6)
    assert re.search("[\u0900-\u097f]", tokenizer.decode(output[0], skip_special_tokens=True))
    converter = ctranslate2.converters.TransformersConverter(str(path))
    converter.convert(str(tmp_path / "ct2"))
