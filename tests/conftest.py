"""Shared fixtures: tiny real models, built offline once per test session.

They are genuine BART/Marian and Llama/Qwen checkpoints (random weights, trained tokenizers)
that load with AutoTokenizer and AutoModelForSeq2SeqLM or AutoModelForCausalLM like hub models,
so tests exercise the real loading and generation paths without network access. The builders
live in tests/support; building the BART and Marian ones takes about two seconds.
"""

import os
from pathlib import Path

# Before anything imports huggingface_hub, which reads it once: no test may
# reach the hub, and a model that is not local must fail at once.
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest

# The model builders import torch and transformers, which takes a minute on a busy machine:
# they are imported by the fixtures that use them, so that pytest reports from the start.


@pytest.fixture(scope="session", autouse=True)
def briefly_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """briefly's cache (CTranslate2 conversions) for this session, never the user's."""
    cache = tmp_path_factory.mktemp("briefly-cache")
    os.environ["BRIEFLY_CACHE"] = str(cache)
    return cache


@pytest.fixture(scope="session")
def tiny_summarizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BART summariser: max 128 input tokens, so ordinary articles need chunking."""
    from tests.support.models import TINY_BART, build_replica

    return build_replica(TINY_BART, tmp_path_factory.mktemp("models") / TINY_BART.name)


@pytest.fixture(scope="session")
def tiny_translators(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny English-to-{uk, ru, hi} Marian translators, keyed by target language."""
    from tests.support.models import TINY_MARIAN, build_replica

    root = tmp_path_factory.mktemp("models")
    return {lang: build_replica(spec, root / spec.name) for lang, spec in TINY_MARIAN.items()}


@pytest.fixture(params=["summarizer", "translator"])
def model_dir(request, tiny_summarizer: Path, tiny_translators: dict[str, Path]) -> Path:
    """Each kind of seq2seq model briefly converts for CTranslate2: BART, then Marian."""
    return tiny_summarizer if request.param == "summarizer" else tiny_translators["uk"]


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama chat model: a 192-token window, replies of 4 to 12 tokens."""
    from tests.support.causal import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("models") / "tiny-llama")


@pytest.fixture(scope="session")
def tiny_chat_models(tmp_path_factory: pytest.TempPathFactory, tiny_llama: Path) -> dict[str, Path]:
    """Tiny decoder-only chat models of each family CTranslate2 runs, keyed by model type."""
    from tests.support.causal import build_tiny_qwen

    root = tmp_path_factory.mktemp("models")
    return {
        "llama": tiny_llama,
        "qwen2": build_tiny_qwen(root / "tiny-qwen2", version=2),
        "qwen3": build_tiny_qwen(root / "tiny-qwen3", version=3),
    }
