"""The ``briefly`` command line: parse options, call the library, print.

Heavy imports (torch, transformers, trafilatura) happen inside the commands so
that ``briefly --help`` starts instantly. Every failure is one ``error:`` line on
stderr: exit 2 for usage, 1 for processing, 130 for Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from briefly.article.reading import MAX_BYTES
from briefly.cli.options import ALL, brief_options
from briefly.cli.web import WebInputs, web_inputs
from briefly.errors import BrieflyError, UsageError, printable
from briefly.options import DEFAULT_LANGUAGES, DEFAULT_SUMMARIZER, BriefOptions
from briefly.results import GuardWarning

# Set by --debug: errors then come with their traceback.
_debug = False


class _Argument(TyperArgument):
    """An argument shown by its name alone: SOURCE, not ``{SOURCE}`` and ``SOURCE <str>``."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _Command(TyperCommand):
    """Turns briefly's errors and Ctrl-C into one line and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typer builds its own argument objects and takes no class for them.
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = _Argument

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrieflyError as e:
            if _debug:
                traceback.print_exc()
            hint = f" (see '{ctx.command_path} --help')" if isinstance(e, UsageError) else ""
            _say(f"error: {e}{hint}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None


class _Group(TyperGroup):
    """Prints click's usage errors in the same style: one ``error:`` line, exit 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(
                args, prog_name or "briefly", complete_var, False, windows_expand_args, **extra
            )
        except typer.TyperException as e:  # typer's own errors, usage errors among them
            code = getattr(e, "exit_code", 1)
            _say(_typer_error(e, code))
        except typer.Abort:
            typer.echo("interrupted", err=True)
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _say(line: str) -> None:
    """One line on stderr, its control characters escaped: names and URLs come from others."""
    typer.echo(printable(line), err=True)


def _typer_error(error: typer.TyperException, code: int) -> str:
    ctx = getattr(error, "ctx", None)
    # Typer checks choices with pydantic, whose prefix means nothing to users.
    message = error.format_message().replace("Value error, ", "")
    if ctx is not None and message == ctx.get_help():
        return message  # a group called with no command: its help is the answer
    where = f" (see '{ctx.command_path} --help')" if ctx is not None and code == 2 else ""
    return f"error: {message}{where}"


_SETTINGS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="briefly",
    cls=_Group,
    help="Clean a news article, brief it in English and translate the brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=_SETTINGS,
)
models_app = typer.Typer(
    cls=TyperGroup,
    help="List, download and convert the models briefly uses.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=_SETTINGS,
)
app.add_typer(models_app, name="models")

Source = Annotated[
    str,
    typer.Argument(
        metavar="SOURCE", help="Article file (.txt, .md, .html, .pdf, .docx), URL, or -."
    ),
]
TextFormat = Annotated[
    Literal["text", "json"], typer.Option("--format", "-f", help="Output format.")
]
BriefFormat = Annotated[
    Literal["text", "markdown", "json"], typer.Option("--format", "-f", help="Output format.")
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
]
MaxBytes = Annotated[
    int,
    typer.Option("--max-bytes", min=1, metavar="N", help="Refuse articles larger than N bytes."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but the result.")]
Debug = Annotated[bool, typer.Option("--debug", help="Log details and show tracebacks.")]
TranslateTo = Annotated[
    str,
    typer.Option("--to", metavar="LANGS", help="Target languages, comma-separated."),
]


def _version(value: bool) -> None:
    if value:
        from briefly import __version__

        typer.echo(f"briefly {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    # --version acts in its callback; the commands do the rest.
    del version


def main() -> None:
    app()


def _setup(quiet: bool, debug: bool) -> None:
    global _debug
    _debug = debug
    # Library noise (fork warnings from tokenizers, generation length notes) is
    # meaningless to users; --debug shows everything.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Escaped("%(levelname)s %(name)s: %(message)s") if debug else _OneLine())
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR, handlers=[handler])
    # --quiet silences briefly's own warnings too (batch mode's per-article failures).
    level = logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING
    logging.getLogger("briefly").setLevel(level)
    if not debug:
        import warnings

        warnings.filterwarnings("ignore")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if quiet or not sys.stderr.isatty():
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class _Escaped(logging.Formatter):
    """Log lines with their control characters escaped (a traceback after them keeps its own)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


class _OneLine(_Escaped):
    """``warning: …`` lines, in the style of the ``error:`` lines."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def _progress(quiet: bool):
    """Yield a callback that shows the current stage on stderr in a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("Starting") as status:
        yield lambda stage: status.update(f"{stage}…")


def _hint_stdin(source: str, what: str) -> None:
    """Say that standard input is awaited when it is a terminal, where it looks like a hang."""
    if source == "-" and sys.stdin.isatty():
        typer.echo(f"Reading {what} from standard input; end it with Ctrl-D.", err=True)


def _check_output(output: Path | None) -> None:
    """Refuse an -o path that cannot be written before any work is done for it.

    A missing folder is an error, as with the shell's ``>`` and ``cp``: it is more often a
    typo than a wish, and a folder made silently in the wrong place hides the result.
    """
    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"{output} is a folder: give -o a file name, such as {output}/brief.txt")
    folder = output.parent
    if not folder.is_dir():
        raise UsageError(
            f"The folder {folder} does not exist: create it first (mkdir -p {folder}) or give "
            "-o a file in an existing folder"
        )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from briefly.batch.files import write_atomic

    write_atomic(output, text, make_folders=False)


def _print_warnings(warnings: Iterable[GuardWarning]) -> None:
    for warning in warnings:
        where = f" [{warning.lang}]" if warning.lang else ""
        _say(f"warning{where}: {warning.code}: {warning.detail}")


@app.command(cls=_Command)
@brief_options(*ALL)
def brief(
    source: Source,
    options: BriefOptions,
    fmt: BriefFormat = "text",
    output: Output = None,
    max_bytes: MaxBytes = MAX_BYTES,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Brief one article in English and translate the brief."""
    _setup(quiet, debug)
    from briefly.article.loader import load_article
    from briefly.pipeline import Briefer
    from briefly.render import render_brief

    _check_output(output)
    # The article first: a wrong path is the likelier mistake, and cheaper to report. Before
    # the spinner, which would draw over an article typed into the terminal.
    _hint_stdin(source, "an article")
    article = load_article(source, max_bytes=max_bytes)
    with _progress(quiet) as on_stage:
        briefer = Briefer(options, on_stage=on_stage)
        briefer.check([article])
        result = briefer.brief(article)
    _emit(render_brief(result, fmt), output)
    if fmt != "json" and not quiet:
        _print_warnings(result.warnings)


@app.command(cls=_Command)
def extract(
    source: Source,
    fmt: TextFormat = "text",
    output: Output = None,
    max_bytes: MaxBytes = MAX_BYTES,
    show_removed: Annotated[
        bool, typer.Option("--show-removed", help="Print each dropped line and why to stderr.")
    ] = False,
    no_clean: Annotated[
        bool,
        typer.Option("--no-clean", help="Keep the text as it is: decoding and whitespace only."),
    ] = False,
    debug: Debug = False,
) -> None:
    """Show the cleaned article (title, author, date, body) without running any model."""
    _setup(True, debug)
    from briefly.article.loader import load_article
    from briefly.render import render_article, render_removed

    _check_output(output)
    _hint_stdin(source, "an article")
    article = load_article(source, max_bytes=max_bytes, clean=not no_clean)
    if show_removed:
        sys.stderr.write(render_removed(article))
    _emit(render_article(article, fmt), output)


@app.command(cls=_Command)
@brief_options("to", "translator", "device", "backend", "compute_type", to=TranslateTo)
def translate(
    options: BriefOptions,
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help="English text to translate, or - for stdin.")
    ] = "-",
    fmt: TextFormat = "text",
    output: Output = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Translate English text sentence by sentence, keeping paragraphs."""
    _setup(quiet, debug)
    from briefly.article.loader import decode_bytes
    from briefly.article.reading import read_stdin
    from briefly.pipeline import Briefer
    from briefly.render import render_translations

    if not options.languages:
        raise UsageError("Nothing to translate into: pass --to with at least one language")
    _check_output(output)
    # No summariser runs, so none is checked.
    options = options.replace(summarizer="extractive")
    Briefer(options).check()
    _hint_stdin(text, "English text")
    english = decode_bytes(read_stdin()) if text == "-" else text
    if not english.strip():
        raise UsageError("No text to translate: pass TEXT or pipe it on stdin with '-'")
    with _progress(quiet) as on_stage:
        result = Briefer(options, on_stage=on_stage).translate(english)
    _emit(render_translations(result, fmt), output)
    if fmt != "json" and not quiet:
        _print_warnings(w for t in result.values() for w in t.warnings)


@models_app.command("list", cls=_Command)
def models_list(debug: Debug = False) -> None:
    """List the default models, their size and whether they are cached locally."""
    _setup(True, debug)
    from briefly.models.hub import TRANSLATOR_TEMPLATE, cached_size

    # (role, hub id, approximate download in MB) of each model briefly uses by default.
    defaults = [("summarizer", DEFAULT_SUMMARIZER, 1230)] + [
        (f"translator:{lang}", TRANSLATOR_TEMPLATE.format(lang=lang), 300)
        for lang in DEFAULT_LANGUAGES
    ]
    typer.echo(f"{'role':<15} {'model':<34} {'download':>9}  cached")
    for role, model_id, download_mb in defaults:
        size = cached_size(model_id)
        cached = f"yes ({size / 1e6:.0f} MB)" if size else "no"
        typer.echo(f"{role:<15} {model_id:<34} {download_mb:>6} MB  {cached}")


def _needed(options: BriefOptions) -> dict[str, str]:
    """role -> model for every model ``options`` needs (none for the extractive summariser)."""
    from briefly.pipeline import Briefer

    models = Briefer(options).models
    if options.extractive:
        del models["summarizer"]
    # Models from other languages, which articles need ("ru-en=MODEL", "ru-uk=MODEL").
    pairs = {k: v for k, v in options.translators.items() if "-" in k}
    return models | {f"translator:{key}": name for key, name in pairs.items()}


@models_app.command("download", cls=_Command)
@brief_options("to", "summarizer", "translator")
def models_download(options: BriefOptions, quiet: Quiet = False, debug: Debug = False) -> None:
    """Download the models into the Hugging Face cache so later runs work offline."""
    _setup(quiet, debug)
    from briefly.models.hub import model_path

    for role, name in _needed(options).items():
        if not quiet:
            _say(f"Fetching {name}")
        path = model_path(name, role=role, downloading=True)
        if not quiet:
            _say(f"  ready in {path}")


@models_app.command("convert", cls=_Command)
@brief_options("to", "summarizer", "translator", "device", "compute_type")
def models_convert(options: BriefOptions, quiet: Quiet = False, debug: Debug = False) -> None:
    """Convert the models for the ct2 backend ahead of time, for offline use."""
    _setup(quiet, debug)
    from briefly.models.engines import load_engine
    from briefly.pipeline import Briefer

    options = options.replace(backend="ct2")
    Briefer(options).check()
    for name in _needed(options).values():
        with _progress(quiet) as on_stage:
            engine = load_engine(
                name,
                device=options.device,
                backend="ct2",
                compute_type=options.compute_type,
                on_stage=on_stage,
            )
        if not quiet:
            where = getattr(engine, "model_dir", engine.path)
            _say(f"{name}: ready ({engine.compute_type}) in {where}")


@app.command(cls=_Command)
@brief_options(*ALL)
@web_inputs
def batch(
    options: BriefOptions,
    web: WebInputs,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            help="Folders, files or glob patterns of articles.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for results.")] = Path(
        "briefs"
    ),
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", metavar="FILE", help='JSONL input: {"id", "text"|"html"|"url"}.'),
    ] = None,
    recursive: Annotated[
        bool, typer.Option("--recursive/--no-recursive", help="Descend into sub-folders.")
    ] = True,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            metavar="GLOB",
            help="Only paths matching this glob, relative to the input folder (misc/*) "
            "or as given (in/misc/*).",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="GLOB",
            help="Skip paths matching this glob, relative to the input folder (misc/*) "
            "or as given (in/misc/*).",
        ),
    ] = None,
    max_bytes: MaxBytes = MAX_BYTES,
    site_furniture: Annotated[
        bool,
        typer.Option(
            "--site-furniture/--no-site-furniture",
            help="Drop lines that recur across many plain-text articles of one folder "
            "(a site's footer or newsletter box).",
        ),
    ] = True,
    allow_private_urls: Annotated[
        bool,
        typer.Option(
            "--allow-private-urls",
            help="Let URLs from JSONL records, --urls lists, feeds and sitemaps reach private, "
            "loopback and link-local addresses.",
        ),
    ] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Follow links in input folders that lead outside them (by default they are "
            "skipped and reported).",
        ),
    ] = False,
    article_timeout: Annotated[
        float | None,
        typer.Option(
            "--article-timeout",
            min=0.001,
            metavar="SECONDS",
            help="Fail an article whose reading and cleaning take longer (local engine).",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another run is writing to --out, wait for it to end."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Redo articles already done.")] = False,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop at the first failed article.")
    ] = False,
    group_size: Annotated[
        int, typer.Option("--group-size", min=1, metavar="N", help="Articles briefed together.")
    ] = 16,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option(
            "--engine",
            help="local, or ray to spread the work over a Ray cluster.",
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            metavar="ADDR",
            help="Ray cluster to join (default: RAY_ADDRESS or a new one).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, metavar="N", help="Ray model workers (default: as many as fit)."
        ),
    ] = None,
    gpus_per_worker: Annotated[
        float | None,
        typer.Option(
            "--gpus-per-worker",
            min=0,
            metavar="G",
            help="GPUs per Ray worker (default: 1 if there are GPUs).",
        ),
    ] = None,
    out_format: Annotated[
        Literal["files", "jsonl", "parquet"],
        typer.Option(
            "--out-format",
            help="files, or jsonl or parquet shards (Ray only).",
        ),
    ] = "files",
    fmt: BriefFormat = "json",
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Brief every article in folders, files or globs into the --out folder, resumably."""
    _setup(quiet, debug)
    from briefly.batch.local import BatchOptions, run_batch
    from briefly.batch.sources import list_articles, read_jsonl
    from briefly.pipeline import Briefer

    ray_options = address or workers or gpus_per_worker is not None or out_format != "files"
    if engine == "local" and ray_options:
        raise UsageError(
            "--address, --workers, --gpus-per-worker and --out-format need --engine ray"
        )
    if not inputs and jsonl is None and not web.given:
        raise UsageError(
            "Nothing to do: pass a folder, files or globs, --jsonl FILE, or pages from the web "
            "(--urls FILE, --feed URL, --sitemap URL)"
        )
    fetcher = None
    if web.given:
        web.check_alone(has_files=bool(inputs) or jsonl is not None, engine=engine)
        if not quiet and (web.feeds or web.sitemaps):
            _say("reading feeds and sitemaps")
        fetcher, listing = web.listing(max_bytes=max_bytes, allow_private_urls=allow_private_urls)
    else:
        listing = (
            read_jsonl(str(jsonl))
            if jsonl is not None
            else list_articles(
                inputs or [],
                recursive=recursive,
                include=include or (),
                exclude=exclude or (),
                out_dir=out,
                follow_symlinks=follow_symlinks,
            )
        )
    # The inputs first: a wrong folder is the likelier mistake, and cheaper to report.
    briefer = Briefer(options)
    briefer.check()
    batch_options = BatchOptions(
        fmt=fmt,
        force=force,
        fail_fast=fail_fast,
        group_size=group_size,
        max_bytes=max_bytes,
        jsonl_output=jsonl is not None,
        site_furniture=site_furniture,
        allow_private_urls=allow_private_urls,
        wait=wait,
        article_timeout=article_timeout,
        since=web.since.isoformat() if web.since else None,
    )
    with _batch_progress(quiet) as on_progress:
        if engine == "ray":
            from briefly.batch.ray_cluster import run_batch_ray

            report = run_batch_ray(
                briefer,
                listing.items,
                out,
                batch_options,
                on_progress,
                address=address,
                workers=workers,
                gpus_per_worker=gpus_per_worker,
                out_format=out_format,
            )
        else:
            report = run_batch(briefer, listing.items, out, batch_options, on_progress, fetcher)
    report.ignored_files = listing.skipped_files
    report.excluded += listing.excluded
    if not quiet:
        _say(_summary_line(report, out))
    if report.interrupted:
        typer.echo("interrupted: run the same command again to continue", err=True)
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(1)


def _summary_line(report, out: Path) -> str:
    errors = f" (see {out / 'errors.jsonl'})" if report.failed else ""
    if report.done:
        pace = f"{report.rate:.2f} articles/s"
    elif not report.failed:
        pace = "nothing new to brief"
    else:
        pace = "none briefed"
    fetched = f"fetched {report.fetched}, " if report.fetched else ""
    return (
        f"{fetched}done {report.done}, skipped {report.skipped} (already done), "
        f"failed {report.failed}{errors}, not articles {report.ignored_files}, "
        f"excluded {report.excluded}; {pace}"
    )


def _counts(report) -> str:
    """Pages fetched (when the run fetches), articles briefed and failed so far."""
    fetched = f"{report.fetched} fetched, " if report.fetched else ""
    return f"{fetched}{report.done} briefed, {report.failed} failed"


@contextmanager
def _batch_progress(quiet: bool):
    """A progress bar in a terminal, a log line per group otherwise, nothing when quiet."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():

        def log(report, total: int) -> None:
            if report.stage == "loading models":
                typer.echo(f"{total} articles; loading models", err=True)
                return
            handled = report.done + report.skipped + report.failed + report.excluded
            # Skipped and failed articles take no time worth a rate.
            pace = f", {report.rate:.2f} articles/s" if report.done else ""
            typer.echo(f"{handled}/{total} articles ({_counts(report)}){pace}", err=True)

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
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("starting", total=None, rate="")

        def update(report, total: int) -> None:
            handled = report.done + report.skipped + report.failed + report.excluded
            rate = f"{report.rate:.2f}/s" if report.done else ""
            described = f"{report.stage} ({_counts(report)})" if handled else report.stage
            progress.update(task, description=described, completed=handled, total=total, rate=rate)

        yield update


@app.command(cls=_Command)
@brief_options(*ALL)
def serve(
    options: BriefOptions,
    host: Annotated[
        str, typer.Option("--host", metavar="ADDR", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="TCP port (0: any free one).")
    ] = 8000,
    api_keys: Annotated[
        Path | None,
        typer.Option("--api-keys", metavar="FILE", help="File of API keys, one a line."),
    ] = None,
    allow_urls: Annotated[
        bool, typer.Option("--allow-urls", help="Let /brief fetch public http(s) URLs.")
    ] = False,
    allow_private_urls: Annotated[
        bool,
        typer.Option(
            "--allow-private-urls",
            help="With --allow-urls, also private, loopback and link-local addresses.",
        ),
    ] = False,
    batch_wait_ms: Annotated[
        float,
        typer.Option(
            "--batch-wait-ms", min=0, metavar="MS", help="How long a request waits for others."
        ),
    ] = 10.0,
    batch_tokens: Annotated[
        int,
        typer.Option(
            "--batch-tokens", min=1, metavar="N", help="Most tokens in one batched model call."
        ),
    ] = 4096,
    max_queue: Annotated[
        int,
        typer.Option("--max-queue", min=1, metavar="N", help="Requests waiting at once; then 503."),
    ] = 256,
    max_body_bytes: Annotated[
        int,
        typer.Option(
            "--max-body-bytes", min=1, metavar="N", help="Largest request body; then 413."
        ),
    ] = 2_000_000,
    max_chars: Annotated[
        int,
        typer.Option("--max-chars", min=1, metavar="N", help="Longest article or text; then 413."),
    ] = 200_000,
    max_texts: Annotated[
        int,
        typer.Option(
            "--max-texts",
            min=1,
            metavar="N",
            help="Most texts (or HTML text runs) per /translate; then 413.",
        ),
    ] = 1000,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.001, metavar="SECONDS", help="Seconds per request; then 504."
        ),
    ] = 120.0,
    req_limit: Annotated[
        int,
        typer.Option(
            "--req-limit",
            min=0,
            metavar="N",
            help="Requests per minute per API key (or address); then 429. 0: no limit.",
        ),
    ] = 0,
    char_limit: Annotated[
        int,
        typer.Option(
            "--char-limit",
            min=0,
            metavar="N",
            help="Characters of text per minute per API key (or address); then 429. 0: no limit.",
        ),
    ] = 0,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="Serve the web page at /.")] = True,
    debug: Debug = False,
) -> None:
    """Serve briefs and LibreTranslate-compatible translation over HTTP, with warm models."""
    _setup(True, debug)
    # The access log and start-up lines are the service's output.
    logging.getLogger("briefly.serve").setLevel(logging.DEBUG if debug else logging.INFO)
    import importlib.util

    needed = (
        *("fastapi", "uvicorn", "python_multipart"),
        *("fastapi_offline", "limits", "prometheus_client"),
    )
    if any(importlib.util.find_spec(module) is None for module in needed):
        raise UsageError("briefly serve needs its extra: pip install 'briefly[serve]'")
    from briefly.serve import ServeSettings, serve
    from briefly.serve.settings import read_api_keys

    settings = ServeSettings(
        host=host,
        port=port,
        batch_wait_ms=batch_wait_ms,
        batch_tokens=batch_tokens,
        max_queue=max_queue,
        max_body_bytes=max_body_bytes,
        max_chars=max_chars,
        max_texts=max_texts,
        timeout_s=timeout,
        api_keys=read_api_keys(str(api_keys)) if api_keys else frozenset(),
        allow_urls=allow_urls,
        allow_private_urls=allow_private_urls,
        debug=debug,
        ui=ui,
        req_limit=req_limit,
        char_limit=char_limit,
    )
    serve(settings, options)
