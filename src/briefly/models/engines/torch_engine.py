"""Seq2seq generation with PyTorch and transformers ``generate``."""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import torch
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

from briefly.models.engines.base import Engine
from briefly.models.engines.hf_model import HFModel
from briefly.models.generation import GenerationSettings, Languages

DTYPES = ("float32", "float16", "bfloat16")


def _dtype_for(device: str, dtype: str | None) -> torch.dtype:
    if dtype is not None:
        return getattr(torch, dtype)
    # Half precision only pays off (and is only well supported) on GPUs; bf16
    # keeps fp32's range, which Marian's large activations need, where the GPU has it.
    if device != "cuda":
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class TorchEngine(Engine):
    """A Hugging Face seq2seq model run with ``model.generate``."""

    backend = "torch"
    model_class: ClassVar[type[AutoModelForSeq2SeqLM] | type[AutoModelForCausalLM]] = (
        AutoModelForSeq2SeqLM
    )

    def __init__(
        self,
        path: Path,
        device: str,
        dtype: str | None = None,
        max_batch_tokens: int | None = None,
    ) -> None:
        super().__init__(path, device)
        parts = HFModel.read(path)
        self.tokenizer = parts.tokenizer
        # A fast tokenizer switches its padding on and off per call, on the one Rust object
        # it shares between threads: a call made while another pads sees the other's setting
        # (and fails to make a tensor, or pads when it must not). One call at a time.
        self._tokenizing = threading.Lock()
        self.config = parts.config
        self.generation_config = parts.generation_config
        self.settings = parts.settings
        self.family = parts.family
        self.model_type = self.config.model_type
        self.max_input_tokens = parts.max_input_tokens
        self.model = self.model_class.from_pretrained(
            path, dtype=_dtype_for(device, dtype), trust_remote_code=False
        )
        # transformers' typing of to() loses its self argument.
        self.model.to(device).eval()  # type: ignore[arg-type]
        # On CPU batching gains little and padding costs compute, so batches stay small.
        self.max_batch_tokens = max_batch_tokens or (16384 if device == "cuda" else 2048)
        self._special = set(self.tokenizer.all_special_ids)
        self.compute_type = str(self.model.dtype).removeprefix("torch.")
        # NLLB, mBART-50 and M2M100 tokenizers start every input with a source-language token.
        self._source_id = (
            self.tokenizer("x")["input_ids"][0]
            if getattr(self.tokenizer, "src_lang", None)
            else None
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._encode(texts)["input_ids"]]

    def _encode(self, texts: Sequence[str], **kwargs):
        with self._tokenizing:
            return self.tokenizer(list(texts), **kwargs)

    def vocabulary(self) -> dict[str, int]:
        return self.tokenizer.get_vocab()

    def _generate_batch(
        self, texts: list[str], settings: GenerationSettings, languages: Languages
    ) -> list[str]:
        inputs = self._encode(texts, return_tensors="pt", padding=True).to(self.device)
        if languages.source is not None and self._source_id is not None:
            # The tokenizer wrote its own source language first; the shared tokenizer is not
            # switched, so one loaded model serves every language pair at once.
            first = inputs["input_ids"][:, 0]
            first[first == self._source_id] = self.tokenizer.convert_tokens_to_ids(languages.source)
        # A copy of the model's own config keeps its special-token rules (forced
        # BOS/EOS, bad words). transformers fills any length left unset from the
        # model's config, so both forms of each length are set, consistently:
        # decoder lengths count the start token, new-token counts do not.
        config = copy.deepcopy(self.generation_config)
        limit = settings.new_token_limit()
        minimum = settings.new_token_minimum()
        config.update(
            num_beams=settings.num_beams,
            length_penalty=settings.length_penalty,
            no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty,
            early_stopping=settings.early_stopping,
            do_sample=False,
            max_new_tokens=limit,
            min_new_tokens=minimum,
            max_length=None if limit is None else limit + 1,
            min_length=minimum + 1,
        )
        if languages.target is not None:
            config.forced_bos_token_id = self.tokenizer.convert_tokens_to_ids(languages.target)
        with torch.inference_mode():
            generated = self.model.generate(**inputs, generation_config=config)
        self._tally(generated)
        return self.tokenizer.batch_decode(generated, skip_special_tokens=True)

    def _tally(self, generated: torch.Tensor) -> None:
        self.stats.outputs += len(generated)
        self.stats.tokens += sum(i not in self._special for i in generated.flatten().tolist())

    def _is_out_of_memory(self, error: RuntimeError) -> bool:
        if isinstance(error, torch.cuda.OutOfMemoryError):
            torch.cuda.empty_cache()
            return True
        return False
