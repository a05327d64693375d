"""What one run measures: the runtimes for the device, the sweep points and the workloads.

Workloads, labelled in every row so the report never mixes them:

- ``user``: what people run, output guards on as they have them: one brief (an article whose
  brief is about four sentences, into every target language) measured cold (a fresh process
  until its first brief) and warm (the same brief again in that process), one 16-article
  batch group (``briefly batch``'s unit of work; 4 articles for tiny models) and one
  ``briefly translate`` job (24 sentences into every target language). Each is measured
  again with the guards' retries off (warm only, for the brief): replicas' random output
  trips the guards, real models' rarely.
  Each side runs ``Sizes.rounds`` workers in turn (A B A B) and the median is kept;
- ``bulk``: model throughput with the guards' retries off (``BriefOptions.guard_retries``), the
  summariser on articles and each translator on sentences; on CUDA swept over articles per
  call and engine token budgets, plus one point that runs out of memory on purpose.

The baseline is the loop from the transformers docs: fp32, one input at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.models import ModelSet


@dataclass(frozen=True)
class Runtime:
    """What runs the models: the baseline loop, or one of briefly's backends at a precision."""

    backend: str  # "baseline", "torch" or "ct2"
    compute_type: str  # torch dtype or CTranslate2 compute type, as loaded

    @property
    def label(self) -> str:
        return f"{self.backend}/{self.compute_type}"


@dataclass(frozen=True)
class Sizes:
    """How much work each workload gets; chosen per model kind and device."""

    articles: int  # bulk summarisation inputs
    sentences: int  # bulk translation inputs, per language
    group: int  # articles in the batch-group workload
    warm_repeats: int  # timed warm briefs after the cold one
    quality_articles: int  # per summary test set
    quality_sentences: int  # per parallel test set and language
    rounds: int = 1  # user workloads: workers per side, run in turn (A B A B), medians kept
    job_sentences: int = 24  # the translate job's sentences, into every target language


def runtimes(device: str, bf16: bool, ct2_types: frozenset[str] | None) -> tuple[Runtime, ...]:
    """Baseline first; then torch and, where installed, ct2 at the device's precisions.

    ``bf16``: whether the GPU supports bfloat16; ``ct2_types``: CTranslate2's supported compute
    types on ``device``, None where CTranslate2 is not installed.
    """
    chosen = [Runtime("baseline", "float32")]
    if device == "cuda":
        chosen += [Runtime("torch", "float16")] + ([Runtime("torch", "bfloat16")] if bf16 else [])
        wanted = ("int8_float16", "float16")
    else:
        chosen.append(Runtime("torch", "float32"))
        wanted = ("int8",)
    if ct2_types is not None:
        chosen += [Runtime("ct2", kind) for kind in wanted if kind in ct2_types]
    return tuple(chosen)


def sizes(kind: str, device: str, limit: int | None) -> Sizes:
    """Workload sizes: small enough that a CPU replica run fits half an hour on 2 cores."""
    if kind == "tiny":
        # A check that the tooling runs (the tests' run): the least work that shows it.
        base = Sizes(4, 12, 4, 1, 4, 12)
    elif device == "cuda":
        base = Sizes(64, 512, 16, 5, 500, 1012, rounds=3)
    elif kind == "replica":
        base = Sizes(6, 48, 16, 2, 3, 12, rounds=2)
    else:
        base = Sizes(16, 200, 16, 3, 50, 200, rounds=3)
    if limit is None:
        return base
    return Sizes(
        min(base.articles, limit),
        min(base.sentences, limit),
        base.group,
        base.warm_repeats,
        min(base.quality_articles, limit),
        min(base.quality_sentences, limit),
        base.rounds,
        min(base.job_sentences, limit),
    )


@dataclass(frozen=True)
class Sweep:
    """Bulk sweep points: articles (sentences) per call, and engine token budgets."""

    batch_sizes: tuple[int | None, ...] = (None,)  # None: all inputs in one call
    token_budgets: tuple[int | None, ...] = (None,)  # None: the engine's default
    # Torch only, CUDA only: the summariser on this many articles in one batch under a memory
    # cap it cannot fit, to show that the engine halves the batch and completes.
    oom_articles: int | None = None
    oom_cap_mb: int = 0


def sweep(device: str) -> Sweep:
    if device != "cuda":
        return Sweep()
    return Sweep(
        batch_sizes=(1, 4, 16, 64, None),
        token_budgets=(None, 2048, 32768),
        oom_articles=64,
        oom_cap_mb=2048,
    )


@dataclass(frozen=True)
class Plan:
    """Everything a run measures."""

    device: str  # "cpu" or "cuda"
    models: ModelSet  # what to report (ids) and load (paths: unpinned, for quality)
    pinned: dict[str, str]  # role -> path of the pinned view, for speed
    pins: dict[str, int]  # role -> new tokens every output of that model is pinned to
    runtimes: tuple[Runtime, ...]  # baseline first
    sizes: Sizes
    sweep: Sweep
    articles: tuple[str, ...]  # bulk summarisation and batch group inputs
    sentences: tuple[str, ...]  # bulk translation inputs
    job_sentences: tuple[str, ...]  # the translate job's inputs
    brief_article: str  # the one-brief workload's article
