"""The batch command's web inputs: ``--urls``, ``--feed``, ``--sitemap`` and how they are fetched.

:func:`web_inputs` adds these options to a command, which gets one :class:`WebInputs` for
them, as :func:`briefly.cli.options.brief_options` does for the brief options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefly.cli.params import options_as
from briefly.errors import UsageError

if TYPE_CHECKING:
    from briefly.batch.sources import Listing
    from briefly.batch.web.polite import PoliteFetcher


def _optional(kind: Any, flag: str, metavar: str, help: str, **extra: Any) -> tuple[Any, None]:
    """An option that is absent unless given (a repeatable one when ``kind`` is a list)."""
    option = typer.Option(flag, metavar=metavar, help=help, show_default=False, **extra)
    return Annotated[kind | None, option], None


_OPTIONS: dict[str, tuple[Any, Any]] = {
    "urls": _optional(
        list[Path], "--urls", "FILE", "A file of page URLs, one a line ('#' starts a comment)."
    ),
    "feed": _optional(
        list[str], "--feed", "URL", "An RSS or Atom feed, or a site's home page that links to one."
    ),
    "sitemap": _optional(
        list[str],
        "--sitemap",
        "URL",
        "A sitemap or sitemap index, or a site (its robots.txt names them).",
    ),
    "since": _optional(
        str,
        "--since",
        "DATE",
        "Leave out pages published before DATE (YYYY-MM-DD), by their feed, sitemap or page.",
    ),
    "max_items": _optional(
        int, "--max-items", "N", "At most the N newest pages of each list, feed or sitemap.", min=1
    ),
    "per_host": (
        Annotated[
            int,
            typer.Option(
                "--per-host", min=1, metavar="N", help="Pages fetched at once from a site."
            ),
        ],
        2,
    ),
    "delay": (
        Annotated[
            float,
            typer.Option(
                "--delay", min=0, metavar="SECONDS", help="Pause between fetches from a site."
            ),
        ],
        1.0,
    ),
    "ignore_robots": (
        Annotated[
            bool,
            typer.Option(
                "--ignore-robots",
                help="Fetch pages that a site's robots.txt asks robots not to (only where the "
                "site allows you).",
            ),
        ],
        False,
    ),
}


@dataclass(frozen=True)
class WebInputs:
    """The web inputs of one batch run, as given on the command line."""

    urls: tuple[Path, ...]  # files of URLs
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    since: date | None  # pages published before it are left out
    max_items: int | None  # the newest N of each source
    per_host: int  # fetches at once from one site
    delay: float  # seconds between fetches from one site
    robots: bool  # honour robots.txt

    @property
    def given(self) -> bool:
        return bool(self.urls or self.feeds or self.sitemaps)

    def check_alone(self, *, has_files: bool, engine: str) -> None:
        """Refuse what a run of web inputs cannot be combined with."""
        if has_files:
            raise UsageError(
                "--urls, --feed and --sitemap are a run's inputs of their own: brief files and "
                "JSONL in a run of their own"
            )
        if engine != "local":
            raise UsageError(
                "--urls, --feed and --sitemap run on the local engine: leave out --engine ray"
            )

    def listing(self, *, max_bytes: int, allow_private_urls: bool) -> tuple[PoliteFetcher, Listing]:
        """A fetcher for the run's pages, and the Listing of the pages its sources name."""
        from briefly.batch.web.listing import web_listing
        from briefly.batch.web.polite import PoliteFetcher, WebOptions

        fetcher = PoliteFetcher(
            WebOptions(
                per_host=self.per_host,
                delay=self.delay,
                robots=self.robots,
                max_bytes=max_bytes,
                allow_private_urls=allow_private_urls,
            )
        )
        listing = web_listing(
            fetcher,
            url_files=[str(path) for path in self.urls],
            feeds=self.feeds,
            sitemaps=self.sitemaps,
            since=self.since,
            max_items=self.max_items,
        )
        return fetcher, listing


def web_inputs(command: Callable[..., None]) -> Callable[..., None]:
    """Add the web options to ``command``, which gets ``web: WebInputs`` in their place."""
    return options_as("web", _OPTIONS, _build)(command)


def _build(
    *,
    urls: list[Path] | None,
    feed: list[str] | None,
    sitemap: list[str] | None,
    since: str | None,
    max_items: int | None,
    per_host: int,
    delay: float,
    ignore_robots: bool,
) -> WebInputs:
    web = WebInputs(
        urls=tuple(urls or ()),
        feeds=tuple(feed or ()),
        sitemaps=tuple(sitemap or ()),
        since=_date(since),
        max_items=max_items,
        per_host=per_host,
        delay=delay,
        robots=not ignore_robots,
    )
    fetching = {
        "--since": since is not None,
        "--max-items": max_items is not None,
        "--per-host": per_host != _OPTIONS["per_host"][1],
        "--delay": delay != _OPTIONS["delay"][1],
        "--ignore-robots": ignore_robots,
    }
    stray = [name for name, set_ in fetching.items() if set_]
    if stray and not web.given:
        raise UsageError(f"{stray[0]} is for pages from the web: pass --urls, --feed or --sitemap")
    return web


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date: give one as YYYY-MM-DD") from None
