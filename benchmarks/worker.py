"""One configuration, measured in its own process: ``python -m benchmarks.worker TASK RESULT``.

A process per configuration keeps peak memory apart and makes a cold start cold. The worker
loads the models, runs the task's inputs and writes what it measured as JSON; the caller
(:mod:`benchmarks.run`) turns that into result rows. Tokens decoded come from the engines'
own counters (``engine.stats``) for briefly, and from the generated ids for the baseline, both
without special tokens, so the two sides' work can be compared.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.memory import GpuPeak
from benchmarks.plan import Runtime


@dataclass(frozen=True)
class Task:
    """What a worker runs."""

    # "bulk", "brief", "group", "translate" (sentences into every target, as `briefly
    # translate` does) or "outputs" (texts for the quality scores)
    workload: str
    role: str  # bulk: "summarizer" or "translator:<lang>"; "all" otherwise
    runtime: Runtime
    device: str  # "cpu" or "cuda"
    models: dict[str, str]  # role -> model folder
    inputs: list[str]  # articles or sentences
    batch_sizes: list[int | None] = field(default_factory=lambda: [None])  # bulk: per call
    max_batch_tokens: int | None = None  # the engine's token budget; None: its default
    memory_cap_mb: int | None = None  # CUDA torch only: cap this process's GPU memory
    warm_repeats: int = 0  # brief: timed repeats after the cold brief
    # brief, group, translate: one point per entry, whether the guards retry what they flag
    # (the cold brief takes the first)
    retries: list[bool] = field(default_factory=lambda: [True])
    by_role: dict[str, list[str]] = field(default_factory=dict)  # outputs: inputs per role
    num_beams: int | None = None  # brief, group, translate: every model's beams; None: its own


@dataclass(frozen=True)
class Point:
    """One timed setting within a worker."""

    batch_size: int | None  # inputs per call; None: all in one call
    latencies: list[float]  # seconds per call
    outputs: int  # sequences decoded
    tokens: int  # tokens decoded, special tokens left out
    halvings: int  # batches halved after running out of GPU memory
    gpu_peak_mb: float | None  # None off CUDA
    gpu_source: str | None  # where the GPU figure came from
    retries: bool | None = None  # user workloads: whether the guards retried


@dataclass(frozen=True)
class Measured:
    """What a worker writes back."""

    compute_type: str  # as loaded
    load_s: float  # loading the models (CTranslate2 conversions are done beforehand)
    points: list[Point]
    texts: dict[str, list[str]] = field(default_factory=dict)  # outputs: per role


def main(argv: Sequence[str]) -> int:
    task_file, result_file = (Path(arg) for arg in argv)
    raw = json.loads(task_file.read_text(encoding="utf-8"))
    task = Task(**(raw | {"runtime": Runtime(**raw["runtime"])}))
    result_file.write_text(json.dumps(asdict(measure(task))), encoding="utf-8")
    return 0


def measure(task: Task) -> Measured:
    if task.memory_cap_mb is not None:
        cap_memory(task.memory_cap_mb)
    started = time.perf_counter()
    if task.workload == "outputs":
        return _outputs(task)
    runner = _baseline(task) if task.runtime.backend == "baseline" else _briefly(task)
    load_s = time.perf_counter() - started
    if task.workload == "brief":
        return Measured(runner.compute_type, load_s, _brief_points(task, runner))
    # Untimed first call: lazy initialisation (kernels, allocator pools) is not throughput.
    runner.call([min(task.inputs, key=len)])
    if task.workload == "bulk":
        points = [_timed(task, runner, size) for size in task.batch_sizes]
    else:
        points = [_timed(task, runner, None, retries) for retries in task.retries]
    return Measured(runner.compute_type, load_s, points)


def _outputs(task: Task) -> Measured:
    """Each role's outputs for its inputs, as users get them (guards on), for scoring."""
    from briefly.models.engines import load_engine

    started = time.perf_counter()
    texts, compute_type = {}, task.runtime.compute_type
    for role, inputs in task.by_role.items():
        engine = load_engine(
            task.models[role],
            device=task.device,
            backend=task.runtime.backend,
            compute_type=task.runtime.compute_type,
        )
        compute_type = engine.compute_type
        texts[role] = _model_call(task, role, engine)(inputs)
    return Measured(compute_type, time.perf_counter() - started, [], texts)


def cap_memory(cap_mb: int) -> None:
    """Let torch use at most ``cap_mb`` of the GPU, so a large batch runs out of memory."""
    import torch

    total = torch.cuda.get_device_properties(0).total_memory / 2**20
    torch.cuda.set_per_process_memory_fraction(min(cap_mb / total, 1.0))


def _brief_points(task: Task, runner: _Runner) -> list[Point]:
    """The cold brief (its end is signalled on stdout), then ``warm_repeats`` warm ones of each
    ``retries`` variant."""
    points = [_timed(task, runner, None, task.retries[0])]
    sys.stdout.write("cold\n")
    sys.stdout.flush()
    for retries in task.retries:
        for _ in range(task.warm_repeats):
            points.append(_timed(task, runner, None, retries))
    return points


def _timed(task: Task, runner: _Runner, size: int | None, retries: bool | None = None) -> Point:
    runner.reset()
    if retries is not None:
        runner.retrying(retries)
    step = size or len(task.inputs)
    latencies = []
    with GpuPeak(task.device, torch_allocator=task.runtime.backend != "ct2") as peak:
        for start in range(0, len(task.inputs), step):
            began = time.perf_counter()
            runner.call(task.inputs[start : start + step])
            runner.synchronize()
            latencies.append(time.perf_counter() - began)
    outputs, tokens, halvings = runner.counts()
    return Point(size, latencies, outputs, tokens, halvings, peak.mb, peak.source, retries)


@dataclass
class _Runner:
    compute_type: str
    call: Callable[[Sequence[str]], list[str]]
    counts: Callable[[], tuple[int, int, int]]  # outputs, tokens, halvings since reset
    reset: Callable[[], None]
    synchronize: Callable[[], None]
    # Sets whether the guards retry from now on.
    retrying: Callable[[bool], None]


def _guardless(_retries: bool) -> None:
    """The retries switch of runners without guards: the baseline, bulk throughput."""


def _synchronizer(task: Task) -> Callable[[], None]:
    if task.device != "cuda" or task.runtime.backend == "ct2":
        return lambda: None
    import torch

    return torch.cuda.synchronize


def _briefly(task: Task) -> _Runner:
    from briefly.article.loader import parse_article
    from briefly.models.engines import load_engine

    runtime = task.runtime
    switch: Callable[[bool], None] = _guardless
    if task.workload in ("brief", "group", "translate"):
        from briefly.options import BriefOptions
        from briefly.pipeline import Briefer

        languages = [role.partition(":")[2] for role in task.models if role != "summarizer"]
        # Torch runs at the device's default dtype here, as `briefly brief` does.
        compute_type = runtime.compute_type if runtime.backend == "ct2" else None
        options = BriefOptions(
            # `briefly translate` loads no summariser.
            summarizer=task.models.get("summarizer", "extractive"),
            languages=tuple(languages),
            translators={lang: task.models[f"translator:{lang}"] for lang in languages},
            device=task.device,
            backend=runtime.backend,
            compute_type=compute_type,
            num_beams=task.num_beams,
        )
        # One Briefer per retries setting, on the same loaded engines.
        briefers = {r: Briefer(options.replace(guard_retries=r)) for r in (True, False)}
        current = {"briefer": briefers[task.retries[0]]}
        current["briefer"].preload()

        def retrying(retries: bool) -> None:
            current["briefer"] = briefers[retries]

        switch = retrying
        # The Briefer's engines, from load_engine's per-process cache: same arguments. A model
        # serving two targets (opus-mt-tc-big-en-zle) is one engine, counted once.
        engines = [
            load_engine(
                path, device=task.device, backend=runtime.backend, compute_type=compute_type
            )
            for path in dict.fromkeys(task.models.values())
        ]

        def call(articles: Sequence[str]) -> list[str]:
            briefer = current["briefer"]
            if task.workload == "translate":
                done = briefer.translate_many(articles)
                return [t.text for translations in done.values() for t in translations]
            parsed = [
                parse_article(a, source=f"article {i}", is_html=False)
                for i, a in enumerate(articles)
            ]
            return [brief.text for brief in briefer.brief_many(parsed)]

        compute_type = engines[0].compute_type
    else:
        engine = load_engine(
            task.models[task.role],
            device=task.device,
            backend=runtime.backend,
            compute_type=runtime.compute_type,
            max_batch_tokens=task.max_batch_tokens,
        )
        engines = [engine]
        call = _model_call(task, task.role, engine)
        compute_type = engine.compute_type

    def counts() -> tuple[int, int, int]:
        stats = [engine.stats for engine in engines]
        return (
            sum(s.outputs for s in stats),
            sum(s.tokens for s in stats),
            sum(s.halvings for s in stats),
        )

    def reset() -> None:
        for engine in engines:
            engine.stats.reset()

    return _Runner(compute_type, call, counts, reset, _synchronizer(task), switch)


def _model_call(task: Task, role: str, engine) -> Callable[[Sequence[str]], list[str]]:
    from briefly.article.loader import parse_article
    from briefly.stages.summarizer import Summarizer
    from briefly.stages.translator import Translator

    # Bulk throughput retries nothing; the quality outputs are what users get, guards on.
    retries = task.workload == "outputs"
    if role == "summarizer":
        summarizer = Summarizer(engine, retries=retries)

        def summarize(articles: Sequence[str]) -> list[str]:
            if task.workload == "outputs":  # as `briefly brief` does: clean first
                articles = [
                    parse_article(a, source=f"example {i}", is_html=False).body
                    for i, a in enumerate(articles)
                ]
            return [s.text for s in summarizer.summarize(articles)]

        return summarize
    translator = Translator(engine, role.partition(":")[2], retries=retries)
    return translator.translate


def _baseline(task: Task) -> _Runner:
    """The loop from the transformers docs, in fp32, one article or sentence at a time."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from briefly.stages.text import paragraphs, sentences

    models = {}
    for role, path in task.models.items():
        tokenizer = AutoTokenizer.from_pretrained(path)
        # The docs' fp32; transformers 5 would otherwise load a checkpoint's saved dtype.
        model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32).to(task.device)
        models[role] = (tokenizer, model, set(tokenizer.all_special_ids))
    tally = [0, 0]

    def generate(role: str, text: str) -> str:
        tokenizer, model, special = models[role]
        window = model.config.max_position_embeddings
        inputs = tokenizer(text, return_tensors="pt", truncation=True, max_length=window)
        ids = model.generate(**inputs.to(task.device))[0]
        tally[0] += 1
        tally[1] += sum(i not in special for i in ids.tolist())
        return tokenizer.decode(ids, skip_special_tokens=True)

    def brief(article: str) -> str:
        summary = generate("summarizer", article)
        for role in models:
            if role != "summarizer":
                # Sentence by sentence, split as briefly splits, so both translate the same.
                for paragraph in paragraphs(summary):
                    for sentence in sentences(paragraph):
                        generate(role, sentence)
        return summary

    def translate(sentence: str) -> str:
        return "\n".join(generate(role, sentence) for role in models if role != "summarizer")

    def each(text: str) -> str:
        if task.workload == "translate":
            return translate(text)
        return brief(text) if task.role == "all" else generate(task.role, text)

    def call(texts: Sequence[str]) -> list[str]:
        return [each(text) for text in texts]

    def counts() -> tuple[int, int, int]:
        return tally[0], tally[1], 0

    def reset() -> None:
        tally[:] = [0, 0]

    return _Runner("float32", call, counts, reset, _synchronizer(task), _guardless)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
