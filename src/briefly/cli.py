"""The ``briefly`` command line: parse options, call the library, print.

Heavy imports (torch, transformers, trafilatura) happen inside the commands so
that ``briefly --help`` starts instantly.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from briefly.errors import BrieflyError, UsageError
from briefly.models import DEFAULT_SUMMARIZER

app = typer.Typer(
    help="Clean a news article, brief it in English and translate the brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List, download and convert the models briefly uses.")
app.add_typer(models_app, name="models")

To = Annotated[
    str,
    typer.Option("--to", help="Target languages, comma-separated (any opus-mt code), or 'none'."),
]
Summarizer = Annotated[
    str,
    typer.Option(
        "--summarizer",
        help="Summarisation model: hub id, local directory, or 'extractive' (no model).",
    ),
]
Translators = Annotated[
    list[str] | None,
    typer.Option(
        "--translator",
        help="LANG=MODEL to use another translation model (repeatable).",
        show_default=False,
    ),
]
Device = Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")]
Length = Annotated[str, typer.Option("--length", help="Brief length: short, medium or long.")]
MaxWords = Annotated[
    int | None,
    typer.Option(
        "--max-words", min=5, help="At most about N words in the brief.", show_default=False
    ),
]
LongStrategy = Annotated[
    str,
    typer.Option(
        "--long-strategy",
        help="Articles longer than the model's window: map-reduce (summarise chunks, then "
        "their summaries) or extract (keep the most central sentences that fit).",
    ),
]
PromptOption = Annotated[
    str | None,
    typer.Option(
        "--prompt",
        help="Prompt template for T5/FLAN-T5 and chat summarisers: a shipped name "
        "(brief, headline-brief, t5, flan) or a file. Default: the model family's.",
        show_default=False,
    ),
]
TranslateSource = Annotated[
    bool,
    typer.Option(
        help="Translate non-English articles into English before summarising "
        "(turn off for a multilingual summariser)."
    ),
]
Backend = Annotated[str, typer.Option("--backend", help="auto (ct2 when installed), torch or ct2.")]
ComputeType = Annotated[
    str | None,
    typer.Option(
        "--compute-type",
        help="ct2 quantization: int8 (CPU default), int8_float16 (CUDA default), float32…",
        show_default=False,
    ),
]
Format = Annotated[str, typer.Option("--format", "-f", help="text, markdown or json.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but the result.")]
Debug = Annotated[bool, typer.Option("--debug", help="Log details and show tracebacks.")]


def main() -> None:
    app()


def _setup(quiet: bool, debug: bool) -> None:
    # Library noise (fork warnings from tokenizers, generation length notes) is
    # meaningless to users; --debug shows everything.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR, handlers=[handler])
    logging.getLogger("briefly").setLevel(logging.DEBUG if debug else logging.WARNING)
    if not debug:
        import warnings

        warnings.filterwarnings("ignore")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if quiet or not sys.stderr.isatty():
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _run(debug: bool, action: Callable[[], None]) -> None:
    """Run a command, turning errors into one stderr line and an exit code."""
    try:
        action()
    except BrieflyError as e:
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None


@contextmanager
def _progress(quiet: bool):
    """Yield a callback that shows the current stage on stderr in a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("Starting") as status:
        yield lambda stage: status.update(f"{stage}…")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from briefly.files import write_atomic

    write_atomic(output, text)


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise UsageError(f"Unknown format '{fmt}': use one of {', '.join(allowed)}")


@app.command()
def brief(
    source: Annotated[str, typer.Argument(help="Article file (.txt, .md, .html), URL, or -.")],
    to: To = "uk,ru,hi",
    summarizer: Summarizer = DEFAULT_SUMMARIZER,
    translator: Translators = None,
    length: Length = "medium",
    max_words: MaxWords = None,
    long_strategy: LongStrategy = "map-reduce",
    translate_source: TranslateSource = True,
    prompt: PromptOption = None,
    device: Device = "auto",
    backend: Backend = "auto",
    compute_type: ComputeType = None,
    fmt: Format = "text",
    output: Output = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Brief one article in English and translate the brief."""
    _setup(quiet, debug)

    def action() -> None:
        from briefly.loader import load_article
        from briefly.models import parse_languages, parse_translator_overrides
        from briefly.pipeline import Briefer
        from briefly.render import FORMATS, render_brief

        _check_format(fmt, FORMATS)
        languages = parse_languages(to)
        overrides = parse_translator_overrides(translator)
        article = load_article(source)
        with _progress(quiet) as on_stage:
            briefer = Briefer(
                summarizer,
                languages,
                overrides,
                device,
                backend,
                on_stage,
                compute_type,
                length,
                max_words,
                long_strategy,
                translate_source,
                prompt,
            )
            result = briefer.brief(article)
        _emit(render_brief(result, fmt), output)
        if fmt != "json" and not quiet:
            for warning in result.warnings:
                where = f" [{warning['lang']}]" if warning["lang"] else ""
                typer.echo(f"warning{where}: {warning['code']}: {warning['detail']}", err=True)

    _run(debug, action)


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="Article file (.txt, .md, .html), URL, or -.")],
    fmt: Format = "text",
    output: Output = None,
    debug: Debug = False,
) -> None:
    """Show the cleaned article (title, author, date, body) without running any model."""
    _setup(True, debug)

    def action() -> None:
        from briefly.loader import load_article
        from briefly.render import render_article

        _check_format(fmt, ("text", "json"))
        _emit(render_article(load_article(source), fmt), output)

    _run(debug, action)


@app.command()
def translate(
    text: Annotated[str, typer.Argument(help="English text to translate, or - for stdin.")] = "-",
    to: To = "uk,ru,hi",
    translator: Translators = None,
    device: Device = "auto",
    backend: Backend = "auto",
    compute_type: ComputeType = None,
    fmt: Format = "text",
    output: Output = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Translate English text sentence by sentence, keeping paragraphs."""
    _setup(quiet, debug)

    def action() -> None:
        from briefly.loader import decode_bytes
        from briefly.models import parse_languages, parse_translator_overrides
        from briefly.pipeline import Briefer
        from briefly.render import render_translations

        _check_format(fmt, ("text", "json"))
        languages = parse_languages(to)
        if not languages:
            raise UsageError("Nothing to translate into: pass --to with at least one language")
        english = decode_bytes(sys.stdin.buffer.read()) if text == "-" else text
        if not english.strip():
            raise UsageError("No text to translate: pass TEXT or pipe it on stdin with '-'")
        overrides = parse_translator_overrides(translator)
        with _progress(quiet) as on_stage:
            briefer = Briefer(
                languages=languages,
                translators=overrides,
                device=device,
                backend=backend,
                on_stage=on_stage,
                compute_type=compute_type,
            )
            result = briefer.translate(english)
        _emit(render_translations(result, fmt), output)

    _run(debug, action)


@models_app.command("list")
def models_list(debug: Debug = False) -> None:
    """List the default models, their size and whether they are cached locally."""
    _setup(True, debug)

    def action() -> None:
        from briefly.models import DEFAULT_MODELS, cached_size

        typer.echo(f"{'role':<15} {'model':<34} {'download':>9}  cached")
        for model in DEFAULT_MODELS:
            size = cached_size(model.model_id)
            cached = f"yes ({size / 1e6:.0f} MB)" if size else "no"
            typer.echo(f"{model.role:<15} {model.model_id:<34} {model.download_mb:>6} MB  {cached}")

    _run(debug, action)


@models_app.command("download")
def models_download(
    to: To = "uk,ru,hi",
    summarizer: Summarizer = DEFAULT_SUMMARIZER,
    translator: Translators = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Download the models into the Hugging Face cache so later runs work offline."""
    _setup(quiet, debug)

    def action() -> None:
        from briefly.models import (
            model_path,
            parse_languages,
            parse_translator_overrides,
            translator_name,
        )

        overrides = parse_translator_overrides(translator)
        names = [summarizer] + [translator_name(x, overrides) for x in parse_languages(to)]
        for name in names:
            if not quiet:
                typer.echo(f"Fetching {name}", err=True)
            path = model_path(name)
            if not quiet:
                typer.echo(f"  ready in {path}", err=True)

    _run(debug, action)


@models_app.command("convert")
def models_convert(
    to: To = "uk,ru,hi",
    summarizer: Summarizer = DEFAULT_SUMMARIZER,
    translator: Translators = None,
    device: Device = "auto",
    compute_type: ComputeType = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Convert the models for the ct2 backend ahead of time, for offline use."""
    _setup(quiet, debug)

    def action() -> None:
        from briefly.engines import load_engine
        from briefly.models import parse_languages, parse_translator_overrides, translator_name

        overrides = parse_translator_overrides(translator)
        names = [summarizer] + [translator_name(x, overrides) for x in parse_languages(to)]
        for name in names:
            engine = load_engine(name, device=device, backend="ct2", compute_type=compute_type)
            if not quiet:
                typer.echo(f"{name}: ready ({engine.compute_type}) in {engine.model_dir}", err=True)

    _run(debug, action)


@app.command()
def batch(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Folders, files or glob patterns of articles.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for results.")] = Path("briefs"),
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help='JSONL input: {"id", "text"|"html"|"url"}.')
    ] = None,
    recursive: Annotated[bool, typer.Option(help="Descend into sub-folders.")] = True,
    include: Annotated[
        list[str] | None, typer.Option("--include", help="Only paths matching this glob.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Skip paths matching this glob.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo articles already done.")] = False,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop at the first failed article.")
    ] = False,
    group_size: Annotated[
        int, typer.Option("--group-size", min=1, help="Articles briefed together.")
    ] = 16,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray to spread the work over a Ray cluster.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster to join (default: RAY_ADDRESS or a new one)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Ray model workers (default: as many as fit)."),
    ] = None,
    gpus_per_worker: Annotated[
        float | None,
        typer.Option(
            "--gpus-per-worker", min=0, help="GPUs per Ray worker (default: 1 if there are GPUs)."
        ),
    ] = None,
    out_format: Annotated[
        str, typer.Option("--out-format", help="files, or jsonl or parquet shards (Ray only).")
    ] = "files",
    to: To = "uk,ru,hi",
    summarizer: Summarizer = DEFAULT_SUMMARIZER,
    translator: Translators = None,
    length: Length = "medium",
    max_words: MaxWords = None,
    long_strategy: LongStrategy = "map-reduce",
    translate_source: TranslateSource = True,
    prompt: PromptOption = None,
    device: Device = "auto",
    backend: Backend = "auto",
    compute_type: ComputeType = None,
    fmt: Format = "json",
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Brief every article in folders, files or globs into OUT, resumably."""
    _setup(quiet, debug)
    report = None

    def action() -> None:
        nonlocal report
        from briefly.batch import BatchOptions, run_batch
        from briefly.models import parse_languages, parse_translator_overrides
        from briefly.pipeline import Briefer
        from briefly.render import FORMATS
        from briefly.sources import list_articles, read_jsonl

        _check_format(fmt, FORMATS)
        if engine not in ("local", "ray"):
            raise UsageError(f"Unknown engine '{engine}': use local or ray")
        ray_options = address or workers or gpus_per_worker is not None or out_format != "files"
        if engine == "local" and ray_options:
            raise UsageError(
                "--address, --workers, --gpus-per-worker and --out-format need --engine ray"
            )
        if not inputs and jsonl is None:
            raise UsageError("Nothing to do: pass a folder, files or globs, or --jsonl FILE")
        languages = parse_languages(to)
        overrides = parse_translator_overrides(translator)
        listing = (
            read_jsonl(str(jsonl))
            if jsonl is not None
            else list_articles(
                inputs or [], recursive=recursive, include=include or (), exclude=exclude or ()
            )
        )
        options = BatchOptions(
            fmt=fmt,
            force=force,
            fail_fast=fail_fast,
            group_size=group_size,
            jsonl_output=jsonl is not None,
        )
        briefer = Briefer(
            summarizer,
            languages,
            overrides,
            device,
            backend,
            compute_type=compute_type,
            length=length,
            max_words=max_words,
            long_strategy=long_strategy,
            translate_source=translate_source,
            prompt=prompt,
        )
        with _batch_progress(quiet) as on_progress:
            if engine == "ray":
                from briefly.ray_batch import run_batch_ray

                report = run_batch_ray(
                    briefer,
                    listing.items,
                    out,
                    options,
                    on_progress,
                    address=address,
                    workers=workers,
                    gpus_per_worker=gpus_per_worker,
                    out_format=out_format,
                )
            else:
                report = run_batch(briefer, listing.items, out, options, on_progress)
        report.ignored_files = listing.skipped_files

    _run(debug, action)
    if report is None:
        return
    if not quiet:
        errors = f" (see {out / 'errors.jsonl'})" if report.failed else ""
        typer.echo(
            f"done {report.done}, skipped {report.skipped} (already done), "
            f"failed {report.failed}{errors}, not articles {report.ignored_files}; "
            f"{report.rate:.2f} articles/s",
            err=True,
        )
    if report.interrupted:
        typer.echo("interrupted: run the same command again to continue", err=True)
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(1)


@contextmanager
def _batch_progress(quiet: bool):
    """A progress bar in a terminal, a log line per group otherwise, nothing when quiet."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():

        def log(report, total: int) -> None:
            handled = report.done + report.skipped + report.failed
            typer.echo(
                f"{handled}/{total} articles ({report.failed} failed), "
                f"{report.rate:.2f} articles/s",
                err=True,
            )

        yield log
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("briefing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("briefing", total=None, rate="")

        def update(report, total: int) -> None:
            handled = report.done + report.skipped + report.failed
            progress.update(task, completed=handled, total=total, rate=f"{report.rate:.2f}/s")

        yield update


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free one).")] = 8000,
    api_keys: Annotated[
        Path | None,
        typer.Option("--api-keys", help="File of API keys, one a line.", show_default=False),
    ] = None,
    allow_urls: Annotated[
        bool, typer.Option("--allow-urls", help="Let /brief fetch public http(s) URLs.")
    ] = False,
    batch_wait_ms: Annotated[
        float, typer.Option("--batch-wait-ms", min=0, help="How long a request waits for others.")
    ] = 10.0,
    batch_tokens: Annotated[
        int, typer.Option("--batch-tokens", min=1, help="Most tokens in one batched model call.")
    ] = 4096,
    max_queue: Annotated[
        int, typer.Option("--max-queue", min=1, help="Requests waiting at once; then 503.")
    ] = 256,
    max_body_bytes: Annotated[
        int, typer.Option("--max-body-bytes", min=1, help="Largest request body; then 413.")
    ] = 2_000_000,
    max_chars: Annotated[
        int, typer.Option("--max-chars", min=1, help="Longest article or text; then 413.")
    ] = 200_000,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.001, help="Seconds per request; then 504.")
    ] = 120.0,
    to: To = "uk,ru,hi",
    summarizer: Summarizer = DEFAULT_SUMMARIZER,
    translator: Translators = None,
    length: Length = "medium",
    max_words: MaxWords = None,
    long_strategy: LongStrategy = "map-reduce",
    translate_source: TranslateSource = True,
    prompt: PromptOption = None,
    device: Device = "auto",
    backend: Backend = "auto",
    compute_type: ComputeType = None,
    debug: Debug = False,
) -> None:
    """Serve briefs and LibreTranslate-compatible translation over HTTP, with warm models."""
    _setup(True, debug)
    # The access log and start-up lines are the service's output.
    logging.getLogger("briefly.serve").setLevel(logging.DEBUG if debug else logging.INFO)

    def action() -> None:
        import importlib.util

        needed = ("fastapi", "uvicorn", "python_multipart")
        if any(importlib.util.find_spec(module) is None for module in needed):
            raise UsageError("briefly serve needs its extra: pip install 'briefly[serve]'")
        from briefly.models import parse_languages, parse_translator_overrides
        from briefly.options import BriefOptions
        from briefly.serve import ServeSettings, serve
        from briefly.serve.settings import read_api_keys

        options = BriefOptions(
            summarizer=summarizer,
            languages=parse_languages(to),
            translators=parse_translator_overrides(translator),
            device=device,
            backend=backend,
            compute_type=compute_type,
            length=length,
            max_words=max_words,
            long_strategy=long_strategy,
            translate_source=translate_source,
            prompt=prompt,
        )
        settings = ServeSettings(
            host=host,
            port=port,
            batch_wait_ms=batch_wait_ms,
            batch_tokens=batch_tokens,
            max_queue=max_queue,
            max_body_bytes=max_body_bytes,
            max_chars=max_chars,
            timeout_s=timeout,
            api_keys=read_api_keys(str(api_keys)) if api_keys else frozenset(),
            allow_urls=allow_urls,
            debug=debug,
        )
        serve(settings, options)

    _run(debug, action)
