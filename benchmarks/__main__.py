"""``python -m benchmarks {speed,quality,serve,report,replicas,cleaning}``: parse, call, print.

Heavy imports (torch, transformers, matplotlib) happen inside the commands, so ``--help`` is
instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import report
from benchmarks.environment import DEFAULT_REPLICA_DIR, MODEL_KINDS
from briefly.errors import BrieflyError, UsageError, first_line


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Loading bars and generation notes from transformers would bury the figures.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not args.passthrough:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.handler(args, argv[1:]) or 0
    except BrieflyError as e:
        print(f"error: {first_line(e)}", file=sys.stderr)
        return e.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Speed and quality benchmarks for briefly; results go to benchmarks/results.",
    )
    commands = parser.add_subparsers(title="commands", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    common.add_argument("--backend", default="torch", help="torch or ct2 (default: torch)")
    common.add_argument(
        "--compute-type", help="CTranslate2 compute type, e.g. int8 (torch picks its own)"
    )
    common.add_argument(
        "--models",
        default="real",
        choices=MODEL_KINDS,
        help="real: the default hub models, from the local cache; replica: random weights, "
        "same architectures; tiny: random weights, tiny (default: real)",
    )
    common.add_argument(
        "--replica-dir",
        type=Path,
        default=DEFAULT_REPLICA_DIR,
        help="where replicas are built once and kept (default: %(default)s)",
    )
    common.add_argument("--machine", help="label results are grouped by (default: from hardware)")
    common.add_argument("--out", type=Path, help="JSONL to append to (default: results/MACHINE)")

    speed = commands.add_parser(
        "speed", parents=[common], add_help=False, help="throughput and latency (benchmarks.speed)"
    )
    speed.set_defaults(handler=_speed, passthrough=True)

    quality = commands.add_parser(
        "quality", parents=[common], help="ROUGE, chrF++/BLEU, and agreement between backends"
    )
    _quality_options(quality)
    quality.set_defaults(handler=_quality, passthrough=False)

    serving = commands.add_parser(
        "serve", parents=[common], help="briefly serve under concurrent load (benchmarks.serve)"
    )
    # The service's own default backend on CPU is CTranslate2 (--backend auto).
    serving.set_defaults(handler=_serve, passthrough=False, models="tiny", backend="ct2")
    _serve_options(serving)

    reporting = commands.add_parser("report", help="README tables and plots from results/*.jsonl")
    reporting.add_argument(
        "--results", type=Path, default=report.RESULTS_DIR, help="folder of *.jsonl result files"
    )
    reporting.add_argument(
        "--readme", type=Path, default=report.README, help="Markdown file with the markers"
    )
    reporting.add_argument("--plots", type=Path, default=report.PLOTS_DIR, help="folder for PNGs")
    reporting.set_defaults(handler=_report, passthrough=False)

    replicas = commands.add_parser(
        "replicas", add_help=False, help="build random-weight models (benchmarks.replicas)"
    )
    replicas.set_defaults(handler=_replicas, passthrough=True)

    cleaning = commands.add_parser(
        "cleaning", help="furniture removed, story kept, title and author found on real pages"
    )
    cleaning.add_argument(
        "--data", type=Path, required=True, help="folder with trafilatura/ and newspaper4k/ pages"
    )
    cleaning.add_argument("--raw", action="store_true", help="score the inputs with no cleaning")
    cleaning.add_argument("--misses", action="store_true", help="list every string scored wrong")
    cleaning.set_defaults(handler=_cleaning, passthrough=False)
    return parser


def _quality_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.quality import DEFAULT_PARALLEL, DEFAULT_SUMMARIES, TASKS

    parser.add_argument(
        "--task",
        action="append",
        choices=TASKS,
        help="repeatable (default: all three for real models, agreement only for random ones)",
    )
    parser.add_argument(
        "--summaries",
        type=Path,
        default=DEFAULT_SUMMARIES,
        help="JSONL {article, reference|highlights}, a .story file or a folder of them",
    )
    parser.add_argument(
        "--parallel",
        type=Path,
        default=DEFAULT_PARALLEL,
        help="folder in FLORES layout (eng_Latn.devtest...) or JSONL {source, reference, lang}",
    )
    parser.add_argument("--split", help="FLORES split, where the folder holds several")
    parser.add_argument("--languages", default="uk,ru,hi", help="target languages (uk,ru,hi)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N examples")
    parser.add_argument(
        "--candidate",
        default="ct2:int8",
        metavar="BACKEND[:COMPUTE_TYPE]",
        help="what agreement compares with torch fp32 on CPU (default: ct2:int8)",
    )
    parser.add_argument("--summarizer", help="summariser to evaluate instead: hub id or folder")
    parser.add_argument(
        "--translator",
        action="append",
        metavar="LANG=MODEL",
        help="translator to evaluate (repeatable); --summarizer/--translator replace --models",
    )


def _quality(args: argparse.Namespace, _argv: list[str]) -> None:
    from benchmarks import quality
    from benchmarks.environment import check_device, custom_model_set, machine_label, model_set
    from briefly.models import parse_languages, parse_translator_overrides

    check_device(args.device)
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    overrides = parse_translator_overrides(args.translator)
    if args.summarizer or overrides:
        models = custom_model_set(args.summarizer, overrides)
    else:
        models = model_set(args.models, parse_languages(args.languages), args.replica_dir)
    backend, _, compute_type = args.candidate.partition(":")
    random_weights = models.kind in ("replica", "tiny")
    plan = quality.Plan(
        tasks=tuple(args.task or (["agreement"] if random_weights else quality.TASKS)),
        models=models,
        runtime=quality.Runtime(args.backend, args.device, args.compute_type),
        candidate=quality.Runtime(backend, args.device, compute_type or None),
        summaries=args.summaries,
        parallel=args.parallel,
        split=args.split,
        limit=args.limit,
    )
    machine = args.machine or machine_label()
    out = args.out or report.RESULTS_DIR / f"{machine}.jsonl"
    for result in quality.run(plan, on_skip=lambda reason: print(reason, file=sys.stderr)):
        quality.append_results(out, [quality.result_line(result, models, machine)])
        scores = "  ".join(f"{name} {value:.4g}" for name, value in result.metrics.items())
        versus = f" vs {result.reference.label}" if result.reference else ""
        print(f"{result.task:<12} {result.role:<14} {result.runtime.label}{versus}  n={result.n}")
        print(f"    {scores}")
        for name, signature in result.signatures.items():
            print(f"    {name} signature: {signature}")
        sys.stdout.flush()  # runs take minutes: show each result as it comes
    print(f"results appended to {out}")


def _serve_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.serve import add_options

    add_options(parser)


def _serve(args: argparse.Namespace, _argv: list[str]) -> int:
    from benchmarks import serve
    from benchmarks.environment import check_device

    check_device(args.device)
    return serve.run(args)


def _report(args: argparse.Namespace, _argv: list[str]) -> None:
    written = report.write_report(args.results, args.readme, args.plots)
    print(f"updated {args.readme}")
    for path in written.plots:
        print(f"wrote {path}")


def _speed(args: argparse.Namespace, argv: list[str]) -> int | None:
    from benchmarks.environment import check_device

    check_device(args.device)
    try:
        speed = importlib.import_module("benchmarks.speed")
    except ModuleNotFoundError as e:
        if e.name != "benchmarks.speed":
            raise
        raise UsageError(
            "The speed benchmark (benchmarks/speed.py) is not in this checkout: update it"
        ) from e
    return speed.main(argv)


def _cleaning(args: argparse.Namespace, _argv: list[str]) -> None:
    from benchmarks import cleaning

    print(cleaning.main(args.data, raw=args.raw, show_misses=args.misses))


def _replicas(_args: argparse.Namespace, argv: list[str]) -> None:
    from benchmarks import replicas

    replicas.main(argv)


if __name__ == "__main__":
    sys.exit(main())
