"""Refusing model folders that would run their own code.

A config or tokenizer config with ``auto_map`` names Python classes that transformers
imports from the folder (or another hub repository). briefly never runs model code:
such folders are refused before transformers reads anything, and every load also
passes ``trust_remote_code=False`` so that transformers never asks on stdin.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from safetensors import SafetensorError

from briefly.errors import ModelError, first_line

# What loading a damaged or hostile model folder raises, besides transformers' own errors.
LOAD_ERRORS = (OSError, ValueError, KeyError, pickle.UnpicklingError, SafetensorError)

# The files transformers reads auto_map from when briefly loads a model.
_CONFIG_FILES = ("config.json", "tokenizer_config.json")


def refuse_custom_code(path: Path) -> None:
    """Raise :class:`ModelError` when the model folder at ``path`` asks to run its own code."""
    for name in _CONFIG_FILES:
        file = path / name
        if not file.is_file():
            continue
        try:
            config = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ModelError(
                f"Cannot read {file} ({e.__class__.__name__}): "
                "pass a model folder saved with save_pretrained"
            ) from e
        if isinstance(config, dict) and "auto_map" in config:
            raise ModelError(
                f"{path} needs custom model code ('auto_map' in {name}), which briefly never "
                "runs: use a model whose architecture transformers supports natively"
            )


def describe(error: BaseException) -> str:
    """One line on why a model folder did not load, for :data:`LOAD_ERRORS`."""
    if isinstance(error, pickle.UnpicklingError):
        # torch's own message suggests weights_only=False, which would run the pickle's code.
        return "its pytorch_model.bin holds objects other than tensors, which briefly never loads"
    if isinstance(error, SafetensorError):
        return f"damaged safetensors weights: {first_line(error)}"
    return first_line(error)
