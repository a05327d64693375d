"""Tiny NLLB-200, M2M100, mBART-50, T5, mT5 and PEGASUS models, built from scratch.

Each is the family's real model and tokenizer class with random weights, a SentencePiece model
trained on generated English, Ukrainian, Russian and Hindi text, and the family's special-token
layout, so it loads with AutoTokenizer/AutoModelForSeq2SeqLM like the hub model.
"""

import io
import json
from collections.abc import Sequence
from pathlib import Path

import sentencepiece
import torch
from transformers import (
    GenerationConfig,
    M2M100Config,
    M2M100ForConditionalGeneration,
    M2M100Tokenizer,
    MBart50Tokenizer,
    MBartConfig,
    MBartForConditionalGeneration,
    MT5Config,
    MT5ForConditionalGeneration,
    NllbTokenizer,
    PegasusConfig,
    PegasusForConditionalGeneration,
    PegasusTokenizer,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)

from tests.support.text import news_corpus, sentence_lines, target_sentences

MAX_POSITIONS = 128
# A few of each family's codes (M2M100's tokenizer always has its hundred): enough to be
# recognised as multilingual and to test a target the model does not have.
NLLB_CODES = ("eng_Latn", "hin_Deva", "rus_Cyrl", "ukr_Cyrl", "fra_Latn")
MBART50_CODES = ("en_XX", "hi_IN", "ru_RU", "uk_UA", "fr_XX")
_SMALL = {"d_model": 32, "layers": 2, "heads": 4, "ffn": 64}
_DECODING = {"num_beams": 2, "max_length": 40}


def training_text(seed: int = 0) -> list[str]:
    """Generated English news and target-language sentences, one sentence a line."""
    lines = sentence_lines(news_corpus(80, seed))
    for lang in ("uk", "ru", "hi"):
        lines += target_sentences(lang, 400, seed)
    return lines


def _spm(lines: Sequence[str], model_type: str, vocab_size: int = 400, **ids: int) -> bytes:
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type=model_type,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
        **ids,
    )
    return model.getvalue()


def _save(model_class, config, tokenizer, generation: dict, out: Path, seed: int) -> Path:
    tokenizer.model_max_length = MAX_POSITIONS
    tokenizer.save_pretrained(out)
    torch.manual_seed(seed)
    model = model_class(config)
    model.generation_config = GenerationConfig(**_DECODING, **generation)
    model.save_pretrained(out)
    return out


def _ids(tokenizer) -> dict[str, int]:
    return {
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "bos_token_id": tokenizer.bos_token_id
        if tokenizer.bos_token_id is not None
        else tokenizer.pad_token_id,
    }


def _seq2seq_sizes(vocab_size: int) -> dict[str, int]:
    return {
        "vocab_size": vocab_size,
        "d_model": _SMALL["d_model"],
        "encoder_layers": _SMALL["layers"],
        "decoder_layers": _SMALL["layers"],
        "encoder_attention_heads": _SMALL["heads"],
        "decoder_attention_heads": _SMALL["heads"],
        "encoder_ffn_dim": _SMALL["ffn"],
        "decoder_ffn_dim": _SMALL["ffn"],
        "max_position_embeddings": MAX_POSITIONS,
    }


def build_nllb(out: Path, lines: Sequence[str], seed: int = 0) -> Path:
    """NLLB-200's layout: an M2M100 model, NllbTokenizer, codes such as ukr_Cyrl."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "sentencepiece.bpe.model").write_bytes(_spm(lines, "bpe"))
    tokenizer = NllbTokenizer.from_pretrained(
        out, extra_special_tokens=list(NLLB_CODES), src_lang="eng_Latn"
    )
    ids = _ids(tokenizer) | {"decoder_start_token_id": tokenizer.eos_token_id}
    config = M2M100Config(**_seq2seq_sizes(len(tokenizer)), **ids, scale_embedding=True)
    return _save(M2M100ForConditionalGeneration, config, tokenizer, ids, out, seed)


def m2m100_tokenizer(
    out: Path, spm_model: bytes, fillers: Sequence[str] = (), madeup_words: int = 0
) -> M2M100Tokenizer:
    """M2M100's layout in ``out``: vocab.json (the SentencePiece pieces, then ``fillers``) and
    the SentencePiece model, then the hundred language codes such as __uk__ and
    ``madeup_words`` unused ids (8 on the hub)."""
    spm_file = out / "sentencepiece.bpe.model"
    spm_file.write_bytes(spm_model)
    spm = sentencepiece.SentencePieceProcessor(model_file=str(spm_file))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}  # fairseq's ids, as in M2M100
    for i in range(spm.get_piece_size()):
        if not (spm.is_control(i) or spm.is_unknown(i)):
            vocab.setdefault(spm.id_to_piece(i), len(vocab))
    for word in fillers:
        vocab.setdefault(word, len(vocab))
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    files = {"vocab_file": str(out / "vocab.json"), "spm_file": str(spm_file)}
    codes = list(M2M100Tokenizer(**files, num_madeup_words=0).lang_token_to_id)
    # As on the hub, the language tokens are special tokens, so decoding leaves them out.
    return M2M100Tokenizer(
        **files, src_lang="en", num_madeup_words=madeup_words, additional_special_tokens=codes
    )


def build_m2m100(out: Path, lines: Sequence[str], seed: int = 0) -> Path:
    """M2M100's layout: vocab.json + SentencePiece model, codes such as __uk__."""
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = m2m100_tokenizer(out, _spm(lines, "bpe"))
    vocab_size = max(tokenizer.get_vocab().values()) + 1
    ids = _ids(tokenizer) | {"decoder_start_token_id": tokenizer.eos_token_id}
    config = M2M100Config(**_seq2seq_sizes(vocab_size), **ids, scale_embedding=True)
    return _save(M2M100ForConditionalGeneration, config, tokenizer, ids, out, seed)


def build_mbart50(out: Path, lines: Sequence[str], seed: int = 0) -> Path:
    """mBART-50 many-to-many's layout: an mBART model, MBart50Tokenizer, codes such as uk_UA."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "sentencepiece.bpe.model").write_bytes(_spm(lines, "bpe"))
    tokenizer = MBart50Tokenizer.from_pretrained(out, src_lang="en_XX", bos_token="<s>")
    ids = _ids(tokenizer) | {"decoder_start_token_id": tokenizer.eos_token_id}
    config = MBartConfig(
        **_seq2seq_sizes(len(tokenizer)),
        **ids,
        scale_embedding=True,
        tokenizer_class="MBart50Tokenizer",  # as on the hub; it tells mBART-50 from mBART-25
    )
    return _save(MBartForConditionalGeneration, config, tokenizer, ids, out, seed)


def _t5_config(config_class, vocab_size: int, **extra):
    return config_class(
        vocab_size=vocab_size,
        d_model=_SMALL["d_model"],
        d_kv=_SMALL["d_model"] // _SMALL["heads"],
        d_ff=_SMALL["ffn"],
        num_layers=_SMALL["layers"],
        num_decoder_layers=_SMALL["layers"],
        num_heads=_SMALL["heads"],
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        **extra,
    )


def build_t5(out: Path, lines: Sequence[str], seed: int = 0, *, multilingual: bool = False) -> Path:
    """T5 (or, with ``multilingual``, mT5: gated GELU, untied output layer)."""
    out.mkdir(parents=True, exist_ok=True)
    # T5's SentencePiece ids: <pad> 0, </s> 1, <unk> 2, no <s>.
    t5_ids = {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1}
    (out / "spiece.model").write_bytes(_spm(lines, "unigram", **t5_ids))
    tokenizer = T5Tokenizer.from_pretrained(out, extra_ids=0)
    ids = {"pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0}
    if multilingual:
        config = _t5_config(
            MT5Config, len(tokenizer), feed_forward_proj="gated-gelu", tie_word_embeddings=False
        )
        model_class = MT5ForConditionalGeneration
    else:
        config = _t5_config(T5Config, len(tokenizer))
        model_class = T5ForConditionalGeneration
    return _save(model_class, config, tokenizer, ids, out, seed)


def build_pegasus(out: Path, lines: Sequence[str], seed: int = 0) -> Path:
    """PEGASUS's layout: <pad>, </s>, two mask tokens and 101 reserved tokens before the pieces."""
    out.mkdir(parents=True, exist_ok=True)
    spm = sentencepiece.SentencePieceProcessor(model_proto=_spm(lines, "unigram"))
    pieces = [
        (spm.id_to_piece(i), 0.0 if spm.is_unknown(i) else spm.get_score(i))
        for i in range(spm.get_piece_size())
        if not spm.is_control(i)
    ]
    reserved = [(f"<unk_{i}>", 0.0) for i in range(2, 103)]
    leading = [("<pad>", 0.0), ("</s>", 0.0), ("<mask_1>", 0.0), ("<mask_2>", 0.0)]
    tokenizer = PegasusTokenizer(vocab=leading + reserved + pieces)
    ids = {"pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0}
    config = PegasusConfig(
        **_seq2seq_sizes(len(tokenizer)), **ids, scale_embedding=True, forced_eos_token_id=1
    )
    return _save(PegasusForConditionalGeneration, config, tokenizer, ids, out, seed)
