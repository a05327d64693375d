"""Converting a Hugging Face BART or Marian model for CTranslate2.

This is the CTranslate2 backend's only use of transformers (and so of torch): besides the
weights, it records the tokenizer (see
:mod:`briefly.engines.ct2_tokenizer`) and the decoding settings that transformers resolves,
so that the engine runs the converted model with CTranslate2 alone.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from ctranslate2.converters import TransformersConverter

from briefly.engines.ct2_tokenizer import export_tokenizer
from briefly.engines.hf_model import HFModel


class _Converter(TransformersConverter):
    """The stock converter, made to work with BART configs written by transformers v5.

    transformers v5 dropped ``normalize_before`` and ``add_final_layer_norm`` from
    BartConfig, but CTranslate2's BART loader still reads them. BART never
    used either (both False), so they are restored on the loaded config.
    """

    def load_model(self, model_class, model_name_or_path, **kwargs):
        # The stock converter passes trust_remote_code only when it is True; left unset,
        # transformers would ask on stdin whether to run a model's own code.
        kwargs["trust_remote_code"] = False
        model = super().load_model(model_class, model_name_or_path, **kwargs)
        if model.config.model_type == "bart":
            for name in ("normalize_before", "add_final_layer_norm"):
                if not hasattr(model.config, name):
                    setattr(model.config, name, False)
        return model

    def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
        kwargs["trust_remote_code"] = False
        return super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)


def convert(path: Path, out: Path, quantization: str) -> dict:
    """Write the CTranslate2 model for ``path`` into ``out``; return what else runs it."""
    converter = _Converter(str(path), low_cpu_mem_usage=True, trust_remote_code=False)
    converter.convert(str(out), quantization=quantization)
    model = HFModel.read(path)
    forced_bos = model.generation_config.forced_bos_token_id
    return {
        "model_type": model.config.model_type,
        "family": model.family,
        "max_input_tokens": model.max_input_tokens,
        "settings": asdict(model.settings),
        # CTranslate2 reads neither: a forced first token becomes a target prefix, and a
        # forced last token shortens the length budget by one (see CT2Engine).
        "forced_bos_token": (
            None if forced_bos is None else model.tokenizer.convert_ids_to_tokens(forced_bos)
        ),
        "forced_eos": model.generation_config.forced_eos_token_id is not None,
        "tokenizer": export_tokenizer(model.tokenizer, out),
    }
