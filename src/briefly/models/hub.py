"""The one place that turns a model name into files on disk and picks a device.

A name is a language code (``uk``), a Hugging Face hub id or a local directory
saved with ``save_pretrained``; all three end up as a local directory that the
backends load in the same way.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from briefly.errors import ModelError, UsageError, first_line

logger = logging.getLogger("briefly")

TRANSLATOR_TEMPLATE = "Helsinki-NLP/opus-mt-en-{lang}"
# Non-English articles are translated into English before an English summariser.
SOURCE_TRANSLATOR_TEMPLATE = "Helsinki-NLP/opus-mt-{lang}-en"

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# An organisation and a repository name, as the hub spells them.
_HUB_ID = re.compile(r"[A-Za-z0-9][\w-]*/[\w.-]+")
# --translator keys: a target ("uk"), a pair ("ru-en", "ru-uk"), or every target ("*", "all").
_TRANSLATOR_KEY = re.compile(r"^([a-z]{2,3}(-[a-z]{2,3})?|\*|all)$")
EVERY_TARGET = ("*", "all")

# Files a seq2seq model needs; weights are added separately so that safetensors
# are preferred and a PyTorch pickle is fetched only where a repo has nothing else.
_MODEL_FILES = [
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "*.spm",
    "spiece.model",
    "added_tokens.json",
]


def parse_languages(value: str) -> tuple[str, ...]:
    """Parse ``--to``: a comma-separated list of language codes, or ``none``."""
    value = value.strip().lower()
    if value in ("", "none"):
        return ()
    langs = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    bad = [lang for lang in langs if not _LANGUAGE_CODE.match(lang)]
    if bad:
        raise UsageError(
            f"'{bad[0]}' is not a language code: use two- or three-letter codes such as "
            "--to uk,ru,hi, or --to none for the English brief only"
        )
    return langs


def parse_translator_overrides(values: list[str] | None) -> dict[str, str]:
    """Parse repeated ``--translator LANG=ID_OR_DIR`` options."""
    overrides: dict[str, str] = {}
    for value in values or []:
        lang, sep, name = value.partition("=")
        lang = lang.strip().lower()
        if not sep or not name.strip() or not _TRANSLATOR_KEY.match(lang):
            raise UsageError(
                "--translator expects LANG=MODEL (e.g. uk=Helsinki-NLP/opus-mt-en-uk, "
                "ru-en=MODEL for Russian articles into English, ru-uk=MODEL for a direct pair, "
                f"or '*=facebook/nllb-200-distilled-600M' for every target), got '{value}'"
            )
        overrides[lang] = name.strip()
    return overrides


def translator_name(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """The model name used to translate English into ``lang``.

    A model given for every target (``*`` or ``all``) is one name for all of them, so it is
    loaded once.
    """
    overrides = overrides or {}
    for key in (lang, *EVERY_TARGET):
        if overrides.get(key):
            return overrides[key]
    return TRANSLATOR_TEMPLATE.format(lang=lang)


def source_translator_name(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """The model name used to translate ``lang`` into English."""
    return (overrides or {}).get(f"{lang}-en") or SOURCE_TRANSLATOR_TEMPLATE.format(lang=lang)


def direct_translator_name(
    source: str, lang: str, overrides: Mapping[str, str] | None = None
) -> str | None:
    """The model configured for ``source`` straight into ``lang`` (``ru-uk=MODEL``), or None.

    Without one, a brief in ``source`` reaches ``lang`` through English.
    """
    return (overrides or {}).get(f"{source}-{lang}")


def cuda_device_count(backend: str) -> int:
    """CUDA devices the backend that will run can use; ct2 is asked without importing torch."""
    if backend == "ct2":
        import ctranslate2

        return ctranslate2.get_cuda_device_count()
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_device(device: str, backend: str = "torch") -> str:
    """``auto`` means CUDA when the ``backend`` ("torch" or "ct2") sees a CUDA device, else CPU."""
    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"Unknown device '{device}': use auto, cpu or cuda")
    if device == "cpu":
        return "cpu"
    if cuda_device_count(backend) > 0:
        return "cuda"
    if device == "cuda":
        raise UsageError(
            f"Device 'cuda' was asked for but {backend} sees no CUDA device: use device cpu "
            "(or auto)"
        )
    return "cpu"


def is_local(name: str) -> bool:
    return Path(name).expanduser().is_dir()


def model_path(
    name: str, *, role: str = "model", local_files_only: bool = False, downloading: bool = False
) -> Path:
    """Return a local directory holding the model ``name``, downloading it if needed.

    ``role`` ("summarizer", "translator:uk") shapes the hint of a failure, and so does
    ``downloading`` (fetching ahead of time, where "download it first" is no help). With
    ``HF_HUB_OFFLINE=1`` (honoured by huggingface_hub itself) only the local cache is used.
    """
    local = _local_dir(name)
    if local is not None:
        return local
    from huggingface_hub.errors import HFValidationError

    try:
        return _download(name, local_files_only=local_files_only)
    except HFValidationError as e:
        raise ModelError(f"'{name}' is neither a hub id nor a local directory") from e
    except Exception as e:  # huggingface_hub raises many network and cache errors
        raise _not_available(name, role, first_line(e), downloading) from e


def check_available(name: str, *, role: str = "model") -> None:
    """Raise what :func:`model_path` would for ``name``, without downloading it.

    A model in the local cache passes; one that is not is looked up on the hub.
    """
    if _local_dir(name) is not None:
        return
    from huggingface_hub import model_info, try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError, RepositoryNotFoundError

    try:
        if isinstance(try_to_load_from_cache(name, "config.json"), str):
            return
        if _offline():
            raise _not_available(name, role, "not in the local cache")
        model_info(name, timeout=10)
    except HFValidationError as e:
        raise ModelError(f"'{name}' is neither a hub id nor a local directory") from e
    except RepositoryNotFoundError as e:
        unknown = _unknown_target(name, role)
        if unknown is not None:
            raise _no_model_known(unknown, f"{name} is not on the Hugging Face hub") from e
        raise ModelError(
            f"There is no model '{name}' on the Hugging Face hub: check the name"
            + _alternatives(role)
        ) from e
    except (ModelError, UsageError):
        raise
    except Exception as e:  # huggingface_hub raises many network errors
        raise _not_available(name, role, first_line(e)) from e


def read_config(folder: Path) -> dict[str, Any]:
    """The config.json of a model folder; {} where it cannot be read."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def cached_config(name: str) -> dict[str, Any]:
    """The config.json of model ``name`` where it is on this machine (a local directory or
    the hub cache), without downloading anything; {} where it is not."""
    local = _local_dir(name)
    if local is not None:
        return read_config(local)
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # huggingface_hub validates the id: a bad one is no cached model
        return {}
    return read_config(Path(found).parent) if isinstance(found, str) else {}


def _local_dir(name: str) -> Path | None:
    """The directory ``name`` names, None for a hub id; an error for a path with no model."""
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(
                f"{path} has no config.json: pass a directory saved with save_pretrained"
            )
        return path
    # "Qwen/Qwen2.5-0.5B-Instruct" has a "suffix" for pathlib, but it is a hub id.
    if _HUB_ID.fullmatch(name):
        return None
    if path.suffix or name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelError(f"No model directory at {name}: check the path, or pass a hub id")
    return None


def _offline() -> bool:
    # huggingface_hub reads the variable once, on import; a later setting counts as well.
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE", "").strip().upper()
    return constants.HF_HUB_OFFLINE or value in ("1", "ON", "YES", "TRUE")


def _not_available(
    name: str, role: str, reason: str, downloading: bool = False
) -> ModelError | UsageError:
    unknown = _unknown_target(name, role)
    if unknown is not None:
        return _no_model_known(unknown, f"{name} cannot be had ({reason})")
    if _offline():
        return ModelError(
            f"Model '{name}' is not in the local cache, and HF_HUB_OFFLINE=1 forbids "
            f"downloading it: unset HF_HUB_OFFLINE to download it{_alternatives(role)}"
        )
    if downloading:
        return ModelError(
            f"Model '{name}' cannot be downloaded ({reason}): check the name and that "
            f"huggingface.co is reachable, then try again{_alternatives(role)}"
        )
    return ModelError(
        f"Model '{name}' is not available ({reason}): run `{_download_command(name, role)}` "
        f"where huggingface.co is reachable{_alternatives(role)}"
    )


def _unknown_target(name: str, role: str) -> str | None:
    """The target language of ``role`` where ``name`` is only briefly's guess of its model
    (no --translator gave one) and the code is none briefly knows; else None."""
    from briefly.models.language_codes import ISO_639_3

    lang = role.removeprefix("translator:")
    if lang == role or name != TRANSLATOR_TEMPLATE.format(lang=lang) or lang in ISO_639_3:
        return None
    return lang


def _no_model_known(lang: str, why: str) -> UsageError:
    from briefly.models.language_codes import ISO_639_3

    return UsageError(
        f"No translation model known for '{lang}': {why}, and '{lang}' is none of the codes "
        f"briefly knows ({', '.join(sorted(ISO_639_3))}): check the code, or name a model for "
        f"it with --translator {lang}=MODEL (a hub id or a local directory)"
    )


def _download_command(name: str, role: str) -> str:
    """The `briefly models download` line that fetches just this model for its role."""
    if role == "summarizer":
        return f"briefly models download --summarizer {name} --to none"
    key = role.removeprefix("translator:")
    if key == role:
        return "briefly models download"
    # A source or pair key ("ru-en", "ru-uk") is no target language.
    target = "none" if "-" in key else key
    flags = f"--summarizer extractive --to {target} --translator {key}={name}"
    return f"briefly models download {flags}"


def _alternatives(role: str) -> str:
    """What else can be used instead of a model that cannot be had."""
    extractive = ", or use the summarizer 'extractive', which needs no model"
    # A target with no opus-mt model of its own can still have a multilingual one.
    other = (
        ", or give that language another model (translator LANG=MODEL, e.g. the multilingual "
        "facebook/nllb-200-distilled-600M)"
    )
    return ", or pass a local directory saved with save_pretrained" + (
        extractive if role == "summarizer" else other if role.startswith("translator:") else ""
    )


def _download(repo_id: str, *, local_files_only: bool) -> Path:
    from huggingface_hub import snapshot_download

    local = Path(
        snapshot_download(
            repo_id,
            allow_patterns=[*_MODEL_FILES, "*.safetensors", "*.safetensors.index.json"],
            local_files_only=local_files_only,
        )
    )
    if not any(local.glob("*.safetensors")):
        logger.info("%s has no safetensors weights; fetching pytorch_model.bin", repo_id)
        local = Path(
            snapshot_download(
                repo_id,
                allow_patterns=[*_MODEL_FILES, "pytorch_model.bin"],
                local_files_only=local_files_only,
            )
        )
    return local


def cached_size(repo_id: str) -> int | None:
    """Bytes the model takes in the Hugging Face cache, or None when it is not cached."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    try:
        cache = scan_cache_dir()
    except CacheNotFound:
        return None
    for repo in cache.repos:
        if repo.repo_id == repo_id and repo.repo_type == "model":
            return repo.size_on_disk
    return None
