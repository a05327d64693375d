"""Replicas of the models briefly uses by default: their architectures, random weights.

Timings on them are real even though the generated text is gibberish; the builders live in
tests/support/models.py, shared with the tests' tiny models. Besides the default models
(opus-mt-tc-big-en-zle for uk and ru) it builds the other quality presets' models and the base
OPUS-MT models the defaults replaced.

    python -m benchmarks.replicas OUT_DIR [--tiny] [--pin-new-tokens N]
"""

import argparse
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from tests.support.models import (
    CNN_SUMMARY,
    TINY_BART,
    TINY_MARIAN,
    BartSpec,
    M2M100Spec,
    MarianSpec,
    build_replica,
)

DISTILBART_CNN_12_6 = BartSpec(
    name="distilbart-cnn-12-6",
    d_model=1024,
    encoder_layers=12,
    decoder_layers=6,
    heads=16,
    ffn=4096,
    vocab_size=50264,
    max_positions=1024,
    generation=CNN_SUMMARY,
)

# The `fast` preset's summariser: the same model with half the encoder (230M parameters).
DISTILBART_CNN_6_6 = replace(DISTILBART_CNN_12_6, name="distilbart-cnn-6-6", encoder_layers=6)


def _opus_mt(lang: str, vocab_size: int) -> MarianSpec:
    return MarianSpec(
        name=f"opus-mt-en-{lang}",
        target_lang=lang,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        heads=8,
        ffn=2048,
        vocab_size=vocab_size,
        max_positions=512,
        spm_vocab=32000,
        # As in the hub's generation_config.json for Helsinki-NLP/opus-mt-en-*.
        generation=MappingProxyType(
            {"num_beams": 4, "max_length": 512, "renormalize_logits": True}
        ),
    )


OPUS_MT_EN = {
    "uk": _opus_mt("uk", 61587),
    "ru": _opus_mt("ru", 62518),
    "hi": _opus_mt("hi", 61950),
}

# Helsinki-NLP/opus-mt-tc-big-en-zle, the default for uk and ru: a transformer-big as the
# opus-mt-tc-big configs give it (1024 wide, 16 heads, 4096 feed-forward, relu, 1024 positions,
# 4 beams). Its vocabulary size is taken from opus-mt-tc-big-zle-en's config (61,017: the same
# languages, vocab.json 2.49 MB there and 2.51 MB here); the generated target text is Cyrillic.
OPUS_MT_TC_BIG_EN_ZLE = MarianSpec(
    name="opus-mt-tc-big-en-zle",
    target_lang="uk",
    d_model=1024,
    encoder_layers=6,
    decoder_layers=6,
    heads=16,
    ffn=4096,
    vocab_size=61017,
    max_positions=1024,
    spm_vocab=32000,
    generation=MappingProxyType({"num_beams": 4, "max_length": 512}),
    activation="relu",
)

# facebook/m2m100_1.2B, the `best` preset's Hindi model, as its config.json gives it: 24 + 24
# layers 1024 wide, 16 heads, 8192 feed-forward, relu, 128,112 embeddings, 5 beams, at most
# 200 tokens. vocab.json holds 128,004 pieces; the language codes and 8 unused ids follow.
M2M100_1_2B = M2M100Spec(
    name="m2m100_1.2B",
    target_lang="hi",
    d_model=1024,
    encoder_layers=24,
    decoder_layers=24,
    heads=16,
    ffn=8192,
    vocab_size=128112,
    max_positions=1024,
    spm_vocab=32000,
    generation=MappingProxyType({"num_beams": 5, "max_length": 200, "early_stopping": True}),
    activation="relu",
)

# Replicas of the default (balanced) translators by target: one transformer-big for uk and ru.
DEFAULT_TRANSLATORS = {
    "uk": OPUS_MT_TC_BIG_EN_ZLE,
    "ru": OPUS_MT_TC_BIG_EN_ZLE,
    "hi": OPUS_MT_EN["hi"],
}

# The replica of each hub model a quality preset, or the defaults before them, names.
BY_HUB_ID = {
    "sshleifer/distilbart-cnn-12-6": DISTILBART_CNN_12_6,
    "sshleifer/distilbart-cnn-6-6": DISTILBART_CNN_6_6,
    "Helsinki-NLP/opus-mt-tc-big-en-zle": OPUS_MT_TC_BIG_EN_ZLE,
    **{f"Helsinki-NLP/opus-mt-en-{lang}": spec for lang, spec in OPUS_MT_EN.items()},
    "facebook/m2m100_1.2B": M2M100_1_2B,
}


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.replicas",
        description="Build the summariser and the uk/ru/hi translators with random weights.",
    )
    parser.add_argument("out_dir", type=Path, help="models are written to OUT_DIR/<name>")
    parser.add_argument("--tiny", action="store_true", help="build the tiny test models instead")
    parser.add_argument(
        "--pin-new-tokens",
        type=int,
        metavar="N",
        help="make every generation produce exactly N new tokens",
    )
    args = parser.parse_args(argv)
    # Every preset's models and the base models balanced replaced for uk and ru (7.6 GB).
    specs = (TINY_BART, *TINY_MARIAN.values()) if args.tiny else tuple(BY_HUB_ID.values())
    for spec in specs:
        start = time.perf_counter()
        path = build_replica(spec, args.out_dir / spec.name, args.pin_new_tokens)
        elapsed = time.perf_counter() - start
        print(f"{path}  {_dir_size(path) / 2**20:.1f} MiB  built in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
