"""Converting a Hugging Face encoder-decoder model (BART, Marian, PEGASUS, T5, mT5, M2M100,
NLLB-200, mBART) or decoder-only chat model (Llama, Qwen2, Qwen3) for CTranslate2.

This is the CTranslate2 backend's only use of transformers (and so of torch): besides the
weights, it records the tokenizer (see :mod:`briefly.models.engines.ct2_tokenizer`), a chat model's
prompt format (see :mod:`briefly.models.engines.ct2_chat`) and the decoding settings that
transformers resolves, so that the engine runs the converted model with CTranslate2 alone.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from ctranslate2.converters import TransformersConverter

from briefly.models.engines.ct2_chat import export_chat_template
from briefly.models.engines.ct2_tokenizer import export_tokenizer
from briefly.models.engines.hf_model import HFModel, causal_settings

# Legacy config keys that transformers v5 dropped but CTranslate2's loaders still read, with the
# values each architecture always had (as the hub's older config.json files still record).
_LEGACY_KEYS = {
    "bart": {"normalize_before": False, "add_final_layer_norm": False},
    "mbart": {"normalize_before": True, "add_final_layer_norm": True},
    "pegasus": {"normalize_before": True, "normalize_embedding": False},
}


class _Converter(TransformersConverter):
    """The stock converter, made to work with configs written by transformers v5."""

    def load_model(self, model_class, model_name_or_path, **kwargs):
        # The stock converter passes trust_remote_code only when it is True; left unset,
        # transformers would ask on stdin whether to run a model's own code.
        kwargs["trust_remote_code"] = False
        model = super().load_model(model_class, model_name_or_path, **kwargs)
        for name, value in _LEGACY_KEYS.get(model.config.model_type, {}).items():
            if not hasattr(model.config, name):
                setattr(model.config, name, value)
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
    info = {
        "model_type": model.config.model_type,
        "family": model.family,
        # CTranslate2 reads neither: a forced first token becomes a target prefix, and a
        # forced last token shortens the length budget by one (see CT2Engine).
        "forced_bos_token": (
            None if forced_bos is None else model.tokenizer.convert_ids_to_tokens(forced_bos)
        ),
        "forced_eos": model.generation_config.forced_eos_token_id is not None,
    }
    if model.family == "causal":
        return info | _causal_info(model, out)
    return info | {
        "max_input_tokens": model.max_input_tokens,
        "settings": asdict(model.settings),
        "tokenizer": export_tokenizer(model.tokenizer, out),
    }


def _causal_info(model: HFModel, out: Path) -> dict:
    """A decoder-only model's window, prompt format and end tokens (see CT2CausalEngine)."""
    window = model.max_input_tokens
    settings = causal_settings(model.generation_config, window)
    reply = settings.max_new_tokens
    assert reply is not None  # causal_settings always sets the reply limit
    chat_template = export_chat_template(model.tokenizer)
    # generate() stops at any of the generation config's EOS ids, else at the tokenizer's.
    ends = model.generation_config.eos_token_id
    ends = [ends] if isinstance(ends, int) else ends or [model.tokenizer.eos_token_id]
    return {
        "max_input_tokens": window - reply,
        "settings": asdict(settings),
        "window": window,
        "chat_template": chat_template,
        "end_tokens": model.tokenizer.convert_ids_to_tokens(ends),
        # A rendered chat prompt holds its special tokens; a plain text gets the tokenizer's.
        "tokenizer": export_tokenizer(
            model.tokenizer, out, add_special_tokens=chat_template is None
        ),
    }
