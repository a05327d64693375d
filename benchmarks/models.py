"""The models a benchmark runs: the default hub models, replicas or tiny ones, and views of
them whose decode length is pinned so that every engine does the same work."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from briefly.errors import ModelError, UsageError
from briefly.models.hub import model_path, translator_name
from briefly.options import DEFAULT_LANGUAGES, DEFAULT_SUMMARIZER

MODEL_KINDS = ("real", "replica", "tiny")
DEFAULT_REPLICA_DIR = Path("~/.cache/briefly/replicas")


@dataclass(frozen=True)
class ModelSet:
    """The models a benchmark runs: what to record (ids) and what to load (paths)."""

    kind: str  # "real", "replica", "tiny", or "custom" when paths were given
    summarizer: str | None  # hub id or name recorded in results; None: translators only
    translators: dict[str, str]  # language -> hub id or name recorded in results
    paths: dict[str, str]  # role ("summarizer", "translator:uk") -> local directory to load

    @property
    def ids(self) -> dict[str, str]:
        """Role -> recorded model id, the ``models`` field of a result line."""
        ids = {} if self.summarizer is None else {"summarizer": self.summarizer}
        return ids | {f"translator:{lang}": name for lang, name in self.translators.items()}


def model_set(
    kind: str,
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
    replica_dir: Path = DEFAULT_REPLICA_DIR,
) -> ModelSet:
    """Resolve ``real`` (hub ids from the local cache), ``replica`` or ``tiny`` (built once).

    Real models come through the Hugging Face cache: downloaded on the first run (about
    2.1 GB, with the hub's progress bars), offline afterwards.
    """
    if kind == "real":
        names = {"summarizer": DEFAULT_SUMMARIZER}
        names |= {f"translator:{lang}": translator_name(lang) for lang in languages}
        paths = {role: str(model_path(name)) for role, name in names.items()}
        translators = {lang: translator_name(lang) for lang in languages}
        return ModelSet(kind, DEFAULT_SUMMARIZER, translators, paths)
    if kind not in ("replica", "tiny"):
        raise UsageError(f"Unknown model set '{kind}': use one of {', '.join(MODEL_KINDS)}")
    from benchmarks import replicas

    summarizer, marians = (
        (replicas.TINY_BART, replicas.TINY_MARIAN)
        if kind == "tiny"
        else (replicas.DISTILBART_CNN_12_6, replicas.DEFAULT_TRANSLATORS)
    )
    missing = [lang for lang in languages if lang not in marians]
    if missing:
        raise UsageError(
            f"No {kind} translator for '{missing[0]}': replicas exist for {', '.join(marians)}"
        )
    specs = {"summarizer": summarizer} | {f"translator:{lang}": marians[lang] for lang in languages}
    root = replica_dir.expanduser() / kind
    paths = {role: str(built(spec, root)) for role, spec in specs.items()}
    translators = {lang: f"{kind}:{marians[lang].name}" for lang in languages}
    return ModelSet(kind, f"{kind}:{summarizer.name}", translators, paths)


def custom_model_set(summarizer: str | None, translators: dict[str, str]) -> ModelSet:
    """Models named by path or hub id on the command line, recorded as given."""
    paths = {f"translator:{lang}": name for lang, name in translators.items()}
    if summarizer is not None:
        paths = {"summarizer": summarizer} | paths
    return ModelSet("custom", summarizer, dict(translators), paths)


def built(spec, root: Path) -> Path:
    """The replica of ``spec`` under ``root``, built there on first use."""
    from tests.support.models import build_replica

    target = root / spec.name
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    # Built beside the target and renamed, so an interrupted build never looks complete.
    partial = root / f".{spec.name}.partial"
    try:
        build_replica(spec, partial)
    except (OSError, RuntimeError, ValueError) as e:
        raise ModelError(f"Cannot build the {spec.name} replica in {root}: {e}") from e
    partial.rename(target)
    return target


def pinned_view(path: Path, new_tokens: int, root: Path, role: str) -> Path:
    """A folder that is the model at ``path`` but always generates ``new_tokens`` tokens.

    Weights and tokenizer are links; only generation_config.json differs, and it is rewritten
    only when its content changes, so CTranslate2's conversion cache (keyed by the files' times)
    stays valid from run to run.
    """
    from transformers import AutoConfig, GenerationConfig

    view = root / f"{role.replace(':', '-')}-pin{new_tokens}"
    view.mkdir(parents=True, exist_ok=True)
    for file in path.iterdir():
        link = view / file.name
        if file.name != "generation_config.json" and file.is_file():
            if link.is_symlink() and link.resolve() != file.resolve():
                link.unlink()
            if not link.exists():
                link.symlink_to(file.resolve())
    try:
        config = GenerationConfig.from_pretrained(path)
    except OSError:
        # Older checkpoints keep their decoding settings in config.json only.
        config = GenerationConfig.from_model_config(AutoConfig.from_pretrained(path))
    settings = config.to_diff_dict()
    for name in ("min_length", "max_length", "transformers_version"):
        settings.pop(name, None)
    settings |= {"min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    text = json.dumps(settings, indent=2, sort_keys=True) + "\n"
    target = view / "generation_config.json"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return view
