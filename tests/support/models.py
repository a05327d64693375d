"""Build seq2seq models from scratch: random weights, tokenizers trained on generated text.

The hub cannot be reached here, so tests and benchmarks use stand-ins that load exactly like hub
models (`AutoTokenizer.from_pretrained(dir)` + `AutoModelForSeq2SeqLM.from_pretrained(dir)`).
Tiny specs make tests fast; benchmarks/replicas.py holds specs that copy the architectures of the
models briefly uses by default, so timings are real even though the generated text is gibberish.
"""

import io
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sentencepiece
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    M2M100Config,
    M2M100ForConditionalGeneration,
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
)

from briefly.models.engines import ct2_available
from tests.support.families import m2m100_tokenizer
from tests.support.text import (
    LATIN,
    SCRIPTS,
    news_corpus,
    pseudo_words,
    sentence_lines,
    target_sentences,
)

# Enough generated text for the tokenizers to learn every word of the lists below.
_TOKENIZER_ARTICLES = 300
_MARIAN_TARGET_SENTENCES = 6000

# ---------------------------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------------------------


def _bart_tokenizer(
    out_dir: Path, texts: Sequence[str], vocab_size: int, max_positions: int, seed: int
) -> BartTokenizer:
    """Byte-level BPE with BART's special-token layout, exactly `vocab_size` tokens long.

    Written as vocab.json + merges.txt, the files the hub's BART repos ship, so any
    transformers version loads it the way it loads the real model's.
    """
    leading = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0-3, as in facebook/bart-*
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(leading) - 1,  # the last id is <mask>
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(texts, trainer)
    trained = json.loads(bpe.to_str())["model"]
    pieces = [*leading, *sorted(trained["vocab"], key=trained["vocab"].get)]
    # Generated text saturates BPE (every word becomes one token) long before 50k entries, so
    # the rest of the vocabulary is filler: "Ġ"-prefixed non-words that no merge reaches but that
    # decode to plausible text when a random model samples them.
    missing = vocab_size - len(pieces) - 1
    taken = {p.removeprefix("Ġ") for p in pieces}
    fillers = pseudo_words(LATIN, random.Random(seed), missing, taken)
    pieces += ["Ġ" + word for word in fillers] + ["<mask>"]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = "".join(f"{left} {right}\n" for left, right in trained["merges"])
    (out_dir / "merges.txt").write_text("#version: 0.2\n" + merges, encoding="utf-8")
    return BartTokenizer.from_pretrained(out_dir, model_max_length=max_positions)


def _train_spm(sentences: Sequence[str], vocab_size: int) -> bytes:
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        # OPUS-MT uses unigram models, but on generated text's small lexicon unigram EM settles
        # on ~1.9 pieces per English word (it even splits "its"); BPE gives ~1.1, close to what
        # real news costs.
        model_type="bpe",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # small generated corpora cannot always fill the request
        character_coverage=1.0,
        minloglevel=2,
    )
    return model.getvalue()


def _marian_tokenizer(
    out_dir: Path,
    source: Sequence[str],
    target: Sequence[str],
    *,
    target_lang: str,
    vocab_size: int,
    spm_vocab: int,
    max_positions: int,
    seed: int,
) -> MarianTokenizer:
    """OPUS-MT layout: source.spm, target.spm and one joint vocab.json, `vocab_size` entries."""
    (out_dir / "source.spm").write_bytes(_train_spm(source, spm_vocab))
    (out_dir / "target.spm").write_bytes(_train_spm(target, spm_vocab))
    vocab = {"</s>": 0, "<unk>": 1}  # OPUS-MT ids; <pad> takes the last id below
    for name in ("source.spm", "target.spm"):
        spm = sentencepiece.SentencePieceProcessor(model_file=str(out_dir / name))
        for i in range(spm.get_piece_size()):
            if not (spm.is_control(i) or spm.is_unknown(i)):
                vocab.setdefault(spm.id_to_piece(i), len(vocab))
    missing = vocab_size - len(vocab) - 1
    if missing < 0:
        raise ValueError(f"{len(vocab) + 1} tokens do not fit vocab_size {vocab_size}")
    # Real joint vocabularies hold ~60k pieces; generated text yields far fewer. Target-script
    # fillers stand in for the rest so that random outputs still decode to target-looking text.
    taken = {p.removeprefix("▁") for p in vocab}
    for word in pseudo_words(SCRIPTS[target_lang], random.Random(seed), missing, taken):
        vocab["▁" + word] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="en",
        target_lang=target_lang,
        model_max_length=max_positions,
    )


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


# The quicker engine where it is installed: CTranslate2 loads without importing torch.
FAST = "ct2" if ct2_available() else "torch"

# fairseq's dictionary order, which BART and M2M100 keep: <s> <pad> </s>, and decoding starts
# from </s>.
_FAIRSEQ_TOKEN_IDS = {
    "bos_token_id": 0,
    "pad_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
}


def _hf_sizes(
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
) -> dict[str, int]:
    """An architecture in the keyword arguments of transformers' encoder-decoder configs."""
    return {
        "vocab_size": vocab_size,
        "d_model": d_model,
        "encoder_layers": encoder_layers,
        "decoder_layers": decoder_layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "max_position_embeddings": max_positions,
    }


def bart_config(**sizes: int) -> BartConfig:
    """The BartConfig build_bart saves (``sizes`` as _hf_sizes takes them), with
    facebook/bart-*'s fixed choices and token ids."""
    return BartConfig(
        **_hf_sizes(**sizes),
        activation_function="gelu",
        scale_embedding=False,
        **_FAIRSEQ_TOKEN_IDS,
        forced_eos_token_id=2,
        architectures=["BartForConditionalGeneration"],
        # Legacy keys the hub's BART configs still carry. transformers 5 ignores them, but
        # CTranslate2's converter reads normalize_before and fails without it.
        normalize_before=False,
        add_final_layer_norm=False,
        normalize_embedding=True,
        static_position_embeddings=False,
        add_bias_logits=False,
        extra_pos_embeddings=2,
    )


def marian_config(*, activation: str = "swish", **sizes: int) -> MarianConfig:
    """The MarianConfig build_marian saves (``sizes`` as _hf_sizes takes them), with OPUS-MT's
    fixed choices and token ids.

    ``activation`` is "swish" in the OPUS-MT base models, "relu" in the opus-mt-tc-big ones.
    """
    pad = sizes["vocab_size"] - 1
    return MarianConfig(
        **_hf_sizes(**sizes),
        decoder_vocab_size=sizes["vocab_size"],
        activation_function=activation,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        architectures=["MarianMTModel"],
        # Legacy keys the hub's OPUS-MT configs still carry (see bart_config).
        normalize_before=False,
        add_final_layer_norm=False,
        normalize_embedding=False,
        static_position_embeddings=True,
        add_bias_logits=False,
    )


def build_bart(
    out_dir: str | Path,
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
    generation: Mapping[str, Any],
    seed: int = 0,
    corpus: Sequence[str] | None = None,
) -> Path:
    """Save a randomly initialised BartForConditionalGeneration with a trained tokenizer.

    `generation` holds decoding settings (num_beams, min_length, ...); special-token ids are
    filled in here because they follow from the tokenizer layout. `corpus` (English articles)
    trains the tokenizer; it defaults to generated news.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = corpus if corpus is not None else news_corpus(_TOKENIZER_ARTICLES, seed)
    _bart_tokenizer(out, texts, vocab_size, max_positions, seed).save_pretrained(out)
    config = bart_config(
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab_size,
        max_positions=max_positions,
    )
    ids = {"bos_token_id": 0, "pad_token_id": 1, "eos_token_id": 2, "decoder_start_token_id": 2}
    _save_model(BartForConditionalGeneration, config, {**ids, **generation}, out, seed)
    return out


def build_marian(
    out_dir: str | Path,
    *,
    target_lang: str,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    vocab_size: int,
    max_positions: int,
    spm_vocab: int,
    generation: Mapping[str, Any],
    seed: int = 0,
    corpus: Sequence[str] | None = None,
    activation: str = "swish",
) -> Path:
    """Save a randomly initialised English-to-`target_lang` MarianMTModel with its tokenizer.

    `corpus` (English articles) trains the source side; target text is generated in the
    target language's script.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    english = corpus if corpus is not None else news_corpus(_TOKENIZER_ARTICLES, seed)
    source = sentence_lines(english)
    target = target_sentences(target_lang, _MARIAN_TARGET_SENTENCES, seed)
    tokenizer = _marian_tokenizer(
        out,
        source,
        target,
        target_lang=target_lang,
        vocab_size=vocab_size,
        spm_vocab=spm_vocab,
        max_positions=max_positions,
        seed=seed,
    )
    tokenizer.save_pretrained(out)
    config = marian_config(
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab_size,
        max_positions=max_positions,
        activation=activation,
    )
    pad = vocab_size - 1
    ids = {
        "bos_token_id": 0,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "pad_token_id": pad,
        "decoder_start_token_id": pad,
        "bad_words_ids": [[pad]],  # the decoder starts from <pad>; never emit it
    }
    _save_model(MarianMTModel, config, {**ids, **generation}, out, seed)
    return out


def m2m100_config(**sizes: int) -> M2M100Config:
    """The M2M100Config build_m2m100_replica saves (``sizes`` as _hf_sizes takes them), with
    facebook/m2m100_*'s fixed choices."""
    return M2M100Config(
        **_hf_sizes(**sizes),
        activation_function="relu",
        scale_embedding=True,
        **_FAIRSEQ_TOKEN_IDS,
        architectures=["M2M100ForConditionalGeneration"],
    )


def build_m2m100_replica(spec: "M2M100Spec", out_dir: str | Path, generation, seed: int) -> Path:
    """Save a randomly initialised M2M100 of ``spec``'s sizes with an M2M100 tokenizer whose
    vocab.json is filled to the hub's size with words in ``spec.target_lang``'s script."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = sentence_lines(news_corpus(_TOKENIZER_ARTICLES, seed))
    target = target_sentences(spec.target_lang, _MARIAN_TARGET_SENTENCES, seed)
    spm_model = _train_spm([*source, *target], spec.spm_vocab)
    learned = m2m100_tokenizer(out, spm_model)
    # The hub's vocab.json plus its hundred language codes and eight unused ids fill the
    # embedding table; the fillers stand in for the pieces generated text cannot teach.
    missing = spec.vocab_size - len(learned) - 8
    taken = {p.removeprefix("▁") for p in learned.get_vocab()}
    rng = random.Random(seed)
    fillers = ["▁" + w for w in pseudo_words(SCRIPTS[spec.target_lang], rng, missing, taken)]
    tokenizer = m2m100_tokenizer(out, spm_model, fillers, madeup_words=8)
    tokenizer.model_max_length = spec.max_positions
    tokenizer.save_pretrained(out)
    config = replica_config(spec)
    ids = {"bos_token_id": 0, "pad_token_id": 1, "eos_token_id": 2, "decoder_start_token_id": 2}
    _save_model(M2M100ForConditionalGeneration, config, {**ids, **generation}, out, seed)
    return out


def _save_model(model_class, config, generation: Mapping[str, Any], out: Path, seed: int) -> None:
    torch.manual_seed(seed)
    model = model_class(config)
    model.generation_config = GenerationConfig(**generation)
    model.save_pretrained(out)  # safetensors is the transformers 5 default


# ---------------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BartSpec:
    name: str  # directory the model is saved under by main()
    d_model: int  # hidden size
    encoder_layers: int  # transformer blocks in the encoder
    decoder_layers: int  # transformer blocks in the decoder
    heads: int  # attention heads in every encoder and decoder block
    ffn: int  # inner size of every feed-forward block
    vocab_size: int  # embedding rows; the tokenizer has exactly this many tokens
    max_positions: int  # learned position table: the longest input (in tokens) the model takes
    generation: Mapping[str, Any]  # decoding defaults written to generation_config.json


@dataclass(frozen=True)
class MarianSpec:
    name: str  # directory the model is saved under by main()
    target_lang: str  # "uk", "ru" or "hi": script of the generated target text and fillers
    d_model: int  # hidden size
    encoder_layers: int  # transformer blocks in the encoder
    decoder_layers: int  # transformer blocks in the decoder
    heads: int  # attention heads in every encoder and decoder block
    ffn: int  # inner size of every feed-forward block
    vocab_size: int  # shared embedding rows incl. <pad> (last id); vocab.json has this many
    max_positions: int  # sinusoidal position table: the longest input (in tokens) it takes
    spm_vocab: int  # pieces requested from each SentencePiece model (source and target)
    generation: Mapping[str, Any]  # decoding defaults written to generation_config.json
    activation: str = "swish"  # feed-forward activation: "relu" in the opus-mt-tc-big models


class M2M100Spec(MarianSpec):
    """An M2M100 model: one SentencePiece model for all languages, target_lang's script fills
    the vocabulary; ``activation`` is always relu."""


# As in sshleifer/distilbart-cnn-12-6's config.json (its task_specific_params.summarization).
CNN_SUMMARY = MappingProxyType(
    {
        "num_beams": 4,
        "length_penalty": 2.0,
        "min_length": 56,
        "max_length": 142,
        "no_repeat_ngram_size": 3,
        "early_stopping": True,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,
    }
)

TINY_BART = BartSpec(
    name="tiny-bart",
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    heads=4,
    ffn=64,
    vocab_size=1000,
    max_positions=128,  # short enough that a few-hundred-word article must be chunked
    generation=MappingProxyType({**CNN_SUMMARY, "num_beams": 2, "min_length": 8, "max_length": 40}),
)


def _tiny_marian(lang: str, vocab_size: int) -> MarianSpec:
    return MarianSpec(
        name=f"tiny-marian-en-{lang}",
        target_lang=lang,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        heads=4,
        ffn=64,
        vocab_size=vocab_size,
        max_positions=128,
        spm_vocab=250,
        generation=MappingProxyType({"num_beams": 2, "max_length": 64}),
    )


# Distinct vocab sizes per language, like the real models, so mixed-up models fail loudly.
TINY_MARIAN = {
    "uk": _tiny_marian("uk", 700),
    "ru": _tiny_marian("ru", 720),
    "hi": _tiny_marian("hi", 740),
}


def _architecture(spec: BartSpec | MarianSpec) -> dict[str, int]:
    return {
        "d_model": spec.d_model,
        "encoder_layers": spec.encoder_layers,
        "decoder_layers": spec.decoder_layers,
        "heads": spec.heads,
        "ffn": spec.ffn,
        "vocab_size": spec.vocab_size,
        "max_positions": spec.max_positions,
    }


def replica_config(spec: BartSpec | MarianSpec) -> BartConfig | MarianConfig | M2M100Config:
    """The model config build_replica(spec) saves, without building anything."""
    if isinstance(spec, BartSpec):
        return bart_config(**_architecture(spec))
    if isinstance(spec, M2M100Spec):
        return m2m100_config(**_architecture(spec))
    return marian_config(**_architecture(spec), activation=spec.activation)


def build_replica(
    spec: BartSpec | MarianSpec,
    out_dir: str | Path,
    pin_new_tokens: int | None = None,
    seed: int = 0,
) -> Path:
    """Build `spec` into `out_dir`.

    `pin_new_tokens=N` makes every generate() call produce exactly N new tokens (the forced
    BOS/EOS included): random weights would otherwise stop at arbitrary points, and benchmarks
    must compare equal work.
    """
    generation = dict(spec.generation)
    if pin_new_tokens is not None:
        # min/max_length would be overridden anyway; dropping them leaves every engine one
        # unambiguous length and stops transformers warning about the conflict on each call.
        generation.pop("min_length", None)
        generation.pop("max_length", None)
        generation |= {"min_new_tokens": pin_new_tokens, "max_new_tokens": pin_new_tokens}
    if isinstance(spec, BartSpec):
        return build_bart(out_dir, **_architecture(spec), generation=generation, seed=seed)
    if isinstance(spec, M2M100Spec):
        return build_m2m100_replica(spec, out_dir, generation, seed)
    return build_marian(
        out_dir,
        **_architecture(spec),
        target_lang=spec.target_lang,
        spm_vocab=spec.spm_vocab,
        generation=generation,
        seed=seed,
        activation=spec.activation,
    )
