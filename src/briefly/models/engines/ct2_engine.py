"""Seq2seq generation with CTranslate2, converting Hugging Face models on first use.

Decoder-only chat models run on the same conversion (see :mod:`briefly.models.engines.ct2_causal`).

Converted models live in briefly's cache, keyed by the model's files and the
quantization. A conversion is written to a temporary folder, stamped with the
sizes of its files and only then renamed into place, so a crash mid-conversion
can never leave a model that loads. Running a converted model imports neither
transformers nor torch (see :mod:`briefly.models.engines.ct2_convert`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import ctranslate2

from briefly.errors import ModelError, UsageError, first_line
from briefly.models.engines.base import Engine, announce
from briefly.models.engines.ct2_tokenizer import load_tokenizer
from briefly.models.engines.safety import LOAD_ERRORS, describe
from briefly.models.generation import GenerationSettings, Languages
from briefly.models.hub import read_config

logger = logging.getLogger("briefly")

# Encoder-decoder families CTranslate2's converter takes; m2m_100 covers NLLB-200 too.
SEQ2SEQ_MODEL_TYPES = ("bart", "marian", "pegasus", "t5", "mt5", "m2m_100", "mbart")
# Decoder-only families whose conversion gives transformers' greedy output (tested). The
# converter also registers others, but under transformers 5 it fails on Mistral, Phi-3 and
# GPT-2 configs, and Gemma 3's sliding-window layers see a different prompt than
# transformers' once the prompt is longer than the window (512 or 1024 tokens).
CAUSAL_MODEL_TYPES = ("llama", "qwen2", "qwen3")
SUPPORTED_MODEL_TYPES = SEQ2SEQ_MODEL_TYPES + CAUSAL_MODEL_TYPES
_STAMP = "briefly-conversion.json"
# What runs the converted model besides CTranslate2: tokenizer, decoding settings, and for a
# chat model its window, prompt format and end tokens.
_MODEL_INFO = "briefly-model.json"
# Bump when the conversion recipe changes, so old conversions are redone.
_RECIPE = 4


def default_compute_type(device: str) -> str:
    return "int8_float16" if device == "cuda" else "int8"


def cache_root() -> Path:
    base = os.environ.get("BRIEFLY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "briefly"
    )
    return Path(base) / "ct2"


def converted_model(path: Path, quantization: str) -> Path:
    """The CTranslate2 conversion of the model at ``path``, converting it if needed."""
    target = cache_root() / f"{path.name}-{_fingerprint(path, quantization)}"
    if _is_complete(target):
        return target
    if target.exists():
        logger.warning("discarding incomplete conversion %s", target)
        shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        out = work / "model"
        announce(f"Converting {_display_name(path)} for CTranslate2 (once)")
        # Imported here: conversion needs transformers and torch, running does not.
        from briefly.models.engines.ct2_convert import convert

        info = convert(path, out, quantization)
        (out / _MODEL_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        files = {f.name: f.stat().st_size for f in out.iterdir()}
        (out / _STAMP).write_text(json.dumps({"files": files, "source": str(path)}))
        try:
            os.replace(out, target)
        except OSError:
            # Another process finished the same conversion first; theirs is as good.
            if not _is_complete(target):
                raise
    except (RuntimeError, AttributeError, *LOAD_ERRORS) as e:
        raise ModelError(
            f"Cannot convert {path} for CTranslate2 ({describe(e)}): use --backend torch"
        ) from e
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _display_name(path: Path) -> str:
    # A hub model lives in .../models--org--name/snapshots/<commit>.
    if path.parent.name == "snapshots":
        return path.parent.parent.name.removeprefix("models--").replace("--", "/")
    return path.name


def _fingerprint(path: Path, quantization: str) -> str:
    """Identify a model by its files' names, sizes and times, plus the quantization.

    Hub snapshots live in folders named after their commit, so the resolved path
    already names the revision; sizes and times catch a local folder re-saved in place.
    """
    digest = hashlib.sha256(f"{_RECIPE}:{quantization}:{path.resolve()}".encode())
    for file in sorted(path.iterdir()):
        if file.is_file():
            stat = file.stat()
            digest.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _is_complete(target: Path) -> bool:
    try:
        stamp = json.loads((target / _STAMP).read_text())
        return all((target / name).stat().st_size == size for name, size in stamp["files"].items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


class CT2Engine(Engine):
    """A Hugging Face seq2seq model converted to and run with CTranslate2."""

    backend = "ct2"
    # What runs the converted model; loaded as ``translator``.
    runtime = ctranslate2.Translator
    # Texts are only grouped by output bound and length here; CTranslate2 itself splits
    # each group into token-budget batches.
    max_batch_tokens = 1 << 30
    # CTranslate2's CPU kernels can give a text different results when its batch is padded
    # longer than the text (issue 13: a 369-token article briefed with the summariser changed
    # with partners of 385-700 tokens; the batch size alone changed nothing). Tiny and
    # mid-size random models do not show it, so no "safe" padded length can be measured
    # that holds for every model and CPU; batching only equal lengths never pads, which is
    # exact at any length. Its cost is in `python -m benchmarks batching`.
    equal_length_batches = True

    def __init__(
        self,
        path: Path,
        device: str,
        compute_type: str | None = None,
        max_batch_tokens: int | None = None,
    ) -> None:
        super().__init__(path, device)
        model_type = model_type_of(path)
        if model_type not in SUPPORTED_MODEL_TYPES:
            raise UsageError(
                f"CTranslate2 in briefly runs {', '.join(SUPPORTED_MODEL_TYPES)} models, not "
                f"'{model_type}': use --backend torch"
            )
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise UsageError("CTranslate2 sees no CUDA device: use --device cpu")
        self.compute_type = compute_type or default_compute_type(device)
        supported = ctranslate2.get_supported_compute_types(device)
        if self.compute_type not in supported and self.compute_type != "auto":
            raise UsageError(
                f"compute type '{self.compute_type}' is not supported on {device}: "
                f"use one of {', '.join(sorted(supported))}"
            )
        # On CPU a larger budget barely speeds up decoding but raises peak memory
        # by hundreds of MB with a BART-large-sized summariser (docs/benchmarks.md).
        self.token_budget = max_batch_tokens or (8192 if device == "cuda" else 1024)
        self.translator = self._load(path)
        # What the conversion recorded besides the weights (see ct2_convert.convert).
        self.model_info = info = json.loads(
            (self.model_dir / _MODEL_INFO).read_text(encoding="utf-8")
        )
        self.tokenizer = load_tokenizer(self.model_dir, info["tokenizer"])
        self.settings = GenerationSettings(**info["settings"])
        self.family = info["family"]
        self.model_type = info["model_type"]
        self.max_input_tokens = info["max_input_tokens"]
        self._prefix = info["forced_bos_token"]
        # CTranslate2 cannot force EOS at the last step; HF's forced EOS takes a
        # slot of the length budget, so one fewer free token matches HF's output.
        self._forced_eos = info["forced_eos"]

    def _load(self, path: Path):
        quantization = "int8" if self.compute_type.startswith("int8") else self.compute_type
        options: dict[str, str | int] = {"device": self.device, "compute_type": self.compute_type}
        if self.device == "cpu":
            options |= {"inter_threads": 1, "intra_threads": os.cpu_count() or 0}
        self.model_dir = converted_model(path, quantization)
        try:
            return self.runtime(str(self.model_dir), **options)
        except (RuntimeError, ValueError) as e:
            # A conversion that passed its stamp check but still does not load
            # is corrupt: convert again once.
            logger.warning("reconverting %s: %s", self.model_dir, first_line(e))
            shutil.rmtree(self.model_dir, ignore_errors=True)
            self.model_dir = converted_model(path, quantization)
            return self.runtime(str(self.model_dir), **options)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.tokenizer.tokenize(texts)]

    def vocabulary(self) -> dict[str, int]:
        return self.tokenizer.vocabulary()

    def _generate_batch(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        limit = settings.new_token_limit()
        maximum = 256 if limit is None else limit - int(self._forced_eos)
        options = {
            "beam_size": settings.num_beams,
            "length_penalty": settings.length_penalty,
            "no_repeat_ngram_size": settings.no_repeat_ngram_size,
            "repetition_penalty": settings.repetition_penalty,
            # A pinned length (min = max new tokens) loses the same forced-EOS slot.
            "min_decoding_length": min(settings.new_token_minimum(), maximum),
            "max_decoding_length": maximum,
            "batch_type": "tokens",
            "max_batch_size": self.token_budget,
            "return_scores": False,
        }
        prefix = languages.target or self._prefix
        if prefix is not None:
            options["target_prefix"] = [[prefix]] * len(texts)
        tokens = self.tokenizer.tokenize(texts, source=languages.source)
        results = self.translator.translate_batch(tokens, **options)
        return self._decoded([result.hypotheses[0] for result in results])

    def _decoded(self, outputs: list[list[str]]) -> list[str]:
        """The text of each output's tokens, counted in ``stats``."""
        special = self.tokenizer.special_tokens
        self.stats.outputs += len(outputs)
        self.stats.tokens += sum(t not in special for tokens in outputs for t in tokens)
        return [self.tokenizer.decode(tokens) for tokens in outputs]

    def _is_out_of_memory(self, error: RuntimeError) -> bool:
        return self.device == "cuda" and "out of memory" in str(error).lower()


def model_type_of(path: Path) -> str | None:
    """The ``model_type`` in a model folder's config.json, or None where it cannot be read."""
    model_type = read_config(path).get("model_type")
    return model_type if isinstance(model_type, str) else None
