"""Backends that run seq2seq and decoder-only models, and the one place that loads them.

Every engine (see :class:`briefly.models.engines.base.Engine`) has the same small
interface: ``count_tokens(texts)``, ``generate(texts, settings, max_new_tokens=None)``,
``vocabulary()``, ``settings`` (the model's own decoding settings), ``max_input_tokens``,
``family``, ``backend`` and ``compute_type``.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from briefly.errors import ModelError, UsageError
from briefly.models.engines.base import Engine, announcing
from briefly.models.engines.safety import LOAD_ERRORS, describe, refuse_custom_code
from briefly.models.hub import model_path, resolve_device

logger = logging.getLogger("briefly")

BACKENDS = ("auto", "torch", "ct2")
# Threads that ask for a model at once wait for one load instead of each loading a copy.
_LOADING = threading.Lock()


def ct2_available() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


def choose_backend(backend: str, path: Path) -> str:
    """``auto`` is CTranslate2 when it is installed and supports the model, else torch."""
    if backend not in BACKENDS:
        raise UsageError(f"Unknown backend '{backend}': use one of {', '.join(BACKENDS)}")
    if backend != "auto":
        if backend == "ct2" and not ct2_available():
            raise UsageError(
                "The ct2 backend needs CTranslate2: pip install 'briefly[fast]' (or ctranslate2)"
            )
        return backend
    if not ct2_available():
        return "torch"
    from briefly.models.engines.ct2_engine import SUPPORTED_MODEL_TYPES, model_type_of

    return "ct2" if model_type_of(path) in SUPPORTED_MODEL_TYPES else "torch"


def load_engine(
    name: str,
    *,
    device: str = "auto",
    backend: str = "auto",
    compute_type: str | None = None,
    max_batch_tokens: int | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Engine:
    """Load model ``name`` once per process for the given device and backend.

    ``compute_type`` is a CTranslate2 compute type, or for torch a dtype (float32, float16,
    bfloat16); None picks the device's default. ``max_batch_tokens`` is the padded tokens per
    batch the engine groups inputs into; None keeps the engine's default for the device.
    ``on_stage`` hears of slow first-use steps (a CTranslate2 conversion).
    """
    with _LOADING, announcing(on_stage):
        return _load_engine(name, device, backend, compute_type, max_batch_tokens)


@lru_cache(maxsize=8)
def _load_engine(
    name: str, device: str, backend: str, compute_type: str | None, max_batch_tokens: int | None
) -> Engine:
    path = model_path(name)
    refuse_custom_code(path)
    chosen = choose_backend(backend, path)
    device = resolve_device(device, chosen)
    logger.info("loading %s on %s with %s", name, device, chosen)
    try:
        if chosen == "ct2":
            from briefly.models.engines.ct2_engine import (
                CAUSAL_MODEL_TYPES,
                CT2Engine,
                model_type_of,
            )

            if model_type_of(path) in CAUSAL_MODEL_TYPES:
                from briefly.models.engines.ct2_causal import CT2CausalEngine

                return CT2CausalEngine(path, device, compute_type, max_batch_tokens)
            return CT2Engine(path, device, compute_type, max_batch_tokens)
        from briefly.models.engines.torch_engine import DTYPES

        if compute_type is not None and compute_type not in DTYPES:
            raise UsageError(
                f"compute type '{compute_type}' is not a torch dtype: use one of "
                f"{', '.join(DTYPES)}, or --backend ct2"
            )
        from transformers import AutoConfig

        from briefly.models.prompts import model_family

        if model_family(AutoConfig.from_pretrained(path, trust_remote_code=False)) == "causal":
            from briefly.models.engines.causal_engine import CausalEngine

            return CausalEngine(path, device, compute_type, max_batch_tokens)
        from briefly.models.engines.torch_engine import TorchEngine

        return TorchEngine(path, device, compute_type, max_batch_tokens)
    except LOAD_ERRORS as e:
        raise ModelError(
            f"Cannot load '{name}' as a seq2seq or causal language model ({describe(e)}): "
            "pass a summarisation, instruction or translation model saved with save_pretrained"
        ) from e
