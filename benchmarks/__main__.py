"""``python -m benchmarks COMMAND``: parse options, call the benchmark library, print.

Heavy imports (torch, transformers, matplotlib) happen inside the commands, so ``--help`` is
instant. Each command is one entry of ``COMMANDS``: its help, a function adding its options,
and its handler.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from briefly.errors import BrieflyError, UsageError, first_line


def _run_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.models import DEFAULT_REPLICA_DIR, MODEL_KINDS
    from benchmarks.testsets import DEFAULT_DATA_DIR

    add = parser.add_argument
    add("--device", default="cpu", choices=("cpu", "cuda"), help="default: cpu")
    add(
        "--models",
        default="real",
        choices=MODEL_KINDS,
        help="real: the default hub models (downloaded once into the Hugging Face cache); "
        "replica: their architectures with random weights, built locally; tiny: tiny random "
        "models and the bundled sample (default: real)",
    )
    add("--languages", default="uk,ru,hi", help="target languages (default: %(default)s)")
    add("--limit", type=int, metavar="N", help="at most N inputs per workload and test set")
    add("--out", type=Path, help="results folder (default: ~/.cache/briefly/benchmarks/MACHINE)")
    add("--force", action="store_true", help="measure settings already in the folder again")
    add("--datasets", choices=("standard", "sample"), help="default: sample for tiny models")
    add("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="test set cache (%(default)s)")
    add("--summaries", type=Path, metavar="FILE_OR_DIR", help="local summaries: JSONL, .story")
    add("--parallel", type=Path, metavar="DIR_OR_JSONL", help="local parallel: FLORES layout")
    add("--replica-dir", type=Path, default=DEFAULT_REPLICA_DIR, help="default: %(default)s")
    add("--machine", help="label of this machine (default: from the hardware)")
    add("--parts", default="brief,group,translate,serve,bulk,quality", help="default: %(default)s")


def _run(args: argparse.Namespace) -> None:
    from benchmarks.run import PARTS, Settings, run
    from briefly.models.hub import parse_languages

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    options = vars(args).copy()
    del options["handler"]
    options["languages"] = parse_languages(args.languages)
    options["parts"] = _names(args.parts)
    unknown = sorted(set(options["parts"]) - set(PARTS))
    if unknown or not options["parts"]:
        raise UsageError(f"--parts takes {','.join(PARTS)}, not '{args.parts}'")
    run(Settings(**options), say=lambda line: print(line, flush=True))


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="a results folder written by `run`")


def _report(args: argparse.Namespace) -> None:
    from benchmarks import report

    print(f"wrote {report.write(args.folder)}")


def _replicas_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="see python -m benchmarks.replicas")


def _replicas(args: argparse.Namespace) -> None:
    from benchmarks import replicas

    replicas.main(args.argv)


def _serve_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.models import DEFAULT_REPLICA_DIR, MODEL_KINDS
    from benchmarks.serve import add_options

    add = parser.add_argument
    add("--device", default="cpu", choices=("cpu", "cuda"), help="default: cpu")
    # The service's own default backend on CPU is CTranslate2 (--backend auto).
    add("--backend", default="ct2", choices=("torch", "ct2"), help="default: ct2")
    add("--compute-type", help="CTranslate2 compute type, e.g. int8 (default: briefly's)")
    add("--models", default="tiny", choices=MODEL_KINDS, help="default: tiny")
    add("--replica-dir", type=Path, default=DEFAULT_REPLICA_DIR, help="default: %(default)s")
    add("--machine", help="label of this machine (default: from the hardware)")
    add(
        "--out",
        type=Path,
        help="results folder; appends to its serve.jsonl (default: ~/.cache/briefly/benchmarks/"
        "MACHINE)",
    )
    add_options(parser)


def _serve(args: argparse.Namespace) -> int:
    from benchmarks import serve
    from benchmarks.environment import check_device

    check_device(args.device)
    return serve.run(args)


def _cleaning_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.cleaning import DEFAULT_DATA, GROUPS
    from benchmarks.extraction.dumps import KINDS

    add = parser.add_argument
    add(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="labelled pages (made by extraction-data), or a folder with the sample's "
        "trafilatura/ and newspaper4k/ (default: %(default)s)",
    )
    add("--kinds", default=",".join(KINDS), help="input kinds to score (default: %(default)s)")
    add("--by", default="lang", help=f"tables per {', '.join(GROUPS)} (default: %(default)s)")
    add("--gold", choices=("human", "trafilatura"), help="only pages with this kind of gold")
    add("--corpora", default="", help="only pages of these corpora, comma-separated")
    add("--limit", type=int, metavar="N", help="at most N pages, spread evenly over the folder")
    add("--misses", action="store_true", help="list inputs below F1 0.5, titles, authors missed")


def _cleaning(args: argparse.Namespace) -> None:
    from benchmarks import cleaning

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    table = cleaning.main(
        args.data,
        kinds=_names(args.kinds),
        by=_names(args.by),
        limit=args.limit,
        gold_kind=args.gold,
        corpora=_names(args.corpora),
        show_misses=args.misses,
    )
    print(table)


def _names(csv: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in csv.split(",") if name.strip())


def _extraction_data_options(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--sources", type=Path, required=True, help="folder of git clones of the recipe's repos")
    add("--out", type=Path, required=True, help="folder to write the labelled pages into")
    add("--corpora", default="", help="comma-separated corpora of the recipe (default: all)")
    add("--limit", type=int, metavar="N", help="at most N new pages per corpus")


def _extraction_data(args: argparse.Namespace) -> None:
    import logging

    from benchmarks.extraction.build import build

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    counts = build(
        args.sources,
        args.out,
        corpora_names=_names(args.corpora),
        limit=args.limit,
        say=lambda line: print(line, flush=True),
    )
    print(f"wrote {args.out / 'READY'}: {counts}")


def _model_files(parser: argparse.ArgumentParser, out: Path, report: Path) -> None:
    """The options of a command that trains a cleaning model: its data, weights and report."""
    add = parser.add_argument
    add("--data", type=Path, required=True, help="labelled pages: a folder with pages/*/")
    add("--out", type=Path, default=out, help="model file (default: %(default)s)")
    add("--report", type=Path, default=report, help="validation report (default: %(default)s)")


def _train_cleaner_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.cleaner_training.train import DEFAULT_OUT, DEFAULT_REPORT

    _model_files(parser, DEFAULT_OUT, DEFAULT_REPORT)


def _train_cleaner(args: argparse.Namespace) -> None:
    from benchmarks.cleaner_training import train

    print(train.main(args.data, args.out, args.report, say=functools.partial(print, flush=True)))


def _train_headline_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.cleaner_training.headline import DEFAULT_OUT, DEFAULT_REPORT

    _model_files(parser, DEFAULT_OUT, DEFAULT_REPORT)


def _train_headline(args: argparse.Namespace) -> None:
    from benchmarks.cleaner_training import headline

    print(headline.main(args.data, args.out, args.report, say=functools.partial(print, flush=True)))


def _quality_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.testsets import SAMPLE_SUMMARIES
    from briefly.options import BACKENDS, DEVICES, EXTRACTIVE, LENGTHS

    add = parser.add_argument
    add("--summarizer", default=EXTRACTIVE, help="hub id, local folder or %(default)s (default)")
    add(
        "--summaries",
        type=Path,
        default=SAMPLE_SUMMARIES,
        metavar="FILE_OR_DIR",
        help="articles with human summaries: JSONL or CNN .story files (default: the sample)",
    )
    add("--length", default="medium", choices=LENGTHS, help="brief length (default: medium)")
    add("--max-words", type=int, metavar="N", help="at most about N words per brief")
    add("--limit", type=int, metavar="N", help="at most N articles")
    add("--device", default="auto", choices=DEVICES, help="default: auto")
    add("--backend", default="auto", choices=BACKENDS, help="default: auto")


def _quality(args: argparse.Namespace) -> None:
    from benchmarks import baselines
    from briefly.options import BriefOptions

    options = BriefOptions(
        summarizer=args.summarizer,
        languages=(),
        length=args.length,
        max_words=args.max_words,
        device=args.device,
        backend=args.backend,
    )
    print(baselines.main(args.summaries, options, args.limit))


def _batching_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.batching import KINDS
    from benchmarks.models import DEFAULT_REPLICA_DIR

    add = parser.add_argument
    add(
        "--models",
        default="tiny",
        choices=KINDS,
        help="wide: a distilbart-wide summariser "
        "whose int8 outputs change with padding (default: tiny)",
    )
    add("--compute-type", help="CTranslate2 compute type, e.g. float32 (default: int8)")
    add("--replica-dir", type=Path, default=DEFAULT_REPLICA_DIR, help="default: %(default)s")


def _batching(args: argparse.Namespace) -> None:
    from benchmarks import batching

    print(batching.table(batching.measure(args.models, args.compute_type, args.replica_dir)))


def _invariance_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.invariance import ROLES
    from benchmarks.models import DEFAULT_REPLICA_DIR, MODEL_KINDS

    add = parser.add_argument
    add("--models", default="tiny", choices=MODEL_KINDS, help="default: tiny")
    add("--roles", default="translator", help=f"of {','.join(ROLES)} (default: %(default)s)")
    add("--texts", type=int, default=24, help="sentences to translate (default: 24)")
    add("--articles", type=int, default=6, help="short articles to summarise (default: 6)")
    add("--bucket", type=int, default=16, help="bucket width in tokens; 0: none (default: 16)")
    add("--replica-dir", type=Path, default=DEFAULT_REPLICA_DIR, help="default: %(default)s")


def _invariance(args: argparse.Namespace) -> None:
    from benchmarks import invariance

    roles = _names(args.roles)
    if not roles or set(roles) - set(invariance.ROLES) or min(args.texts, args.articles) < 2:
        raise UsageError("--roles takes translator,summarizer; --texts and --articles at least 2")
    progress = functools.partial(print, file=sys.stderr, flush=True)
    rows = invariance.measure(
        args.models, roles, args.texts, args.articles, args.bucket, args.replica_dir, progress
    )
    print(invariance.table(rows))


def _presets_options(parser: argparse.ArgumentParser) -> None:
    from benchmarks.models import DEFAULT_REPLICA_DIR
    from benchmarks.presets import NAMES

    add = parser.add_argument
    add("name", choices=NAMES, help="a preset, or previous: the defaults before the presets")
    add("--articles", type=int, default=4, help="sample articles briefed (default: 4)")
    add(
        "--num-beams",
        type=int,
        metavar="N",
        help="beams of every model (default: each model's own)",
    )
    add("--replica-dir", type=Path, default=DEFAULT_REPLICA_DIR, help="default: %(default)s")


def _presets(args: argparse.Namespace) -> None:
    from benchmarks.presets import main

    if args.articles < 1:
        raise UsageError(f"--articles must be at least 1, got {args.articles}")
    main(args.name, args.articles, args.replica_dir, args.num_beams)


Options = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace], int | None]
COMMANDS: dict[str, tuple[str, Options, Handler]] = {
    "run": ("speed and quality in one run, into one folder with report.md", _run_options, _run),
    "report": ("write report.md and plots again from a results folder", _report_options, _report),
    "replicas": ("build random-weight models", _replicas_options, _replicas),
    "serve": ("briefly serve under concurrent load", _serve_options, _serve),
    "batching": (
        "CTranslate2 calls, time and solo-run equality of a small and a large job",
        _batching_options,
        _batching,
    ),
    "invariance": (
        "how much outputs change when padded for batch partners: torch and ct2 int8/float32",
        _invariance_options,
        _invariance,
    ),
    "train-cleaner": (
        "the story model of text cleaning, validated grouped by site, from labelled pages",
        _train_cleaner_options,
        _train_cleaner,
    ),
    "train-headline": (
        "the headline model of text cleaning, validated grouped by site, from labelled pages",
        _train_headline_options,
        _train_headline,
    ),
    "quality": (
        "ROUGE of one summariser next to lead-1 and lead-3 on articles with human summaries",
        _quality_options,
        _quality,
    ),
    "presets": (
        "the whole brief of a quality preset's replicas on the bundled sample, one JSON line",
        _presets_options,
        _presets,
    ),
    "extraction-data": (
        "labelled pages for the cleaner, from the public repositories of extraction/sources.py",
        _extraction_data_options,
        _extraction_data,
    ),
    "cleaning": (
        "token 4-shingle P/R/F1, titles and authors of briefly on labelled pages, per input kind",
        _cleaning_options,
        _cleaning,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(title="commands", required=True)
    for name, (description, options, handler) in COMMANDS.items():
        command = commands.add_parser(name, help=description, description=description)
        options(command)
        command.set_defaults(handler=handler)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.handler(args) or 0
    except BrieflyError as e:
        print(f"error: {first_line(e)}", file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":
    sys.exit(main())
