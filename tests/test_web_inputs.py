"""Pages from the web: URL lists, feeds, sitemaps; robots.txt, per-host limits, retries, resume.

A small site on 127.0.0.1 (tests/support/site.py) serves everything and counts what it is
asked for. Runs use the built-in extractive summariser and no translations: no model loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly import __version__
from briefly.article.loader import load_article
from briefly.batch.local import BatchOptions, run_batch
from briefly.batch.web.listing import web_listing
from briefly.batch.web.polite import PoliteFetcher, WebOptions
from briefly.cli.app import app
from briefly.errors import InputError
from briefly.options import BriefOptions
from briefly.pipeline import Briefer
from tests.support.documents import HEADLINE
from tests.support.loopback import serve, without_proxies
from tests.support.site import Site, SiteHandler

DAY = "Mon, 07 Dec 2026 08:00:00 GMT"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(SiteHandler) as address:
        yield address


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Site:
    """A fresh site for each test, served by the module's one server."""
    without_proxies(monkeypatch)
    SiteHandler.site = Site(feed_items=[("/news/1", DAY), ("/news/2", DAY)])
    return SiteHandler.site


@pytest.fixture
def host(site: Site, server: str) -> str:
    return server


def batch(*args: str):
    base = ["batch", "--summarizer", "extractive", "--to", "none", "--delay", "0"]
    return CliRunner().invoke(app, [*base, *args])


def index(out: Path) -> dict[str, dict]:
    lines = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["source"]: row for row in map(json.loads, lines)}


def fetcher(**options) -> PoliteFetcher:
    return PoliteFetcher(WebOptions(**{"delay": 0, "allow_private_urls": True, **options}))


def test_a_repeated_feed_run_briefs_only_the_new_item(site: Site, host: str, tmp_path) -> None:
    out = tmp_path / "out"
    args = ("--feed", f"http://{host}/feed.xml", "--allow-private-urls", "--out", str(out))
    first = batch(*args)
    assert first.exit_code == 0, first.output
    assert "2 fetched, 2 briefed, 0 failed" in first.stderr
    site.feed_items.insert(0, ("/news/3", DAY))
    second = batch(*args)
    assert second.exit_code == 0, second.output
    assert "done 1, skipped 2" in second.stderr
    # The pages briefed before are not fetched again: their feed says they did not change.
    assert site.hits["/news/1"] == site.hits["/news/2"] == 1
    assert site.hits["/news/3"] == 1
    entries = index(out)
    assert [entries[f"http://{host}/news/{n}"]["status"] for n in (1, 2, 3)] == [
        "skipped",
        "skipped",
        "done",
    ]
    assert all(entry["fetched"].endswith("+00:00") for entry in entries.values())
    assert json.loads((out / f"{host.replace(':', '_')}/news/3.json").read_text())["title"]
    assert any(f"briefly/{__version__}" in agent for agent in site.agents)


def test_a_page_its_feed_dates_anew_is_fetched_but_not_briefed_again_when_unchanged(
    site: Site, host: str, tmp_path
) -> None:
    out = tmp_path / "out"
    args = ("--feed", f"http://{host}/feed.xml", "--allow-private-urls", "--out", str(out))
    assert batch(*args).exit_code == 0
    site.feed_items[0] = ("/news/1", "Tue, 07 Dec 2027 08:00:00 GMT")
    result = batch(*args)
    assert result.exit_code == 0, result.output
    assert site.hits["/news/1"] == 2 and site.hits["/news/2"] == 1
    assert "done 0, skipped 2" in result.stderr


def test_robots_txt_is_honoured_unless_ignored(site: Site, host: str, tmp_path) -> None:
    site.feed_items.append(("/private/9", DAY))
    args = ["--feed", f"http://{host}/feed.xml", "--allow-private-urls"]
    result = batch(*args, "--out", str(tmp_path / "a"))
    assert result.exit_code == 1
    (error,) = map(json.loads, (tmp_path / "a" / "errors.jsonl").read_text().splitlines())
    assert error["kind"] == "robots"
    assert "robots.txt does not allow briefly" in error["message"]
    assert site.hits["/private/9"] == 0
    result = batch(*args, "--ignore-robots", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert site.hits["/private/9"] == 1


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (503, False)])
def test_a_missing_robots_txt_allows_all_and_a_failing_one_nothing(
    site: Site, host: str, status: int, allowed: bool
) -> None:
    site.robots_status = status
    polite = fetcher(retries=0)
    if allowed:
        assert polite.get(f"http://{host}/private/1").data
    else:
        with pytest.raises(InputError, match="robots.txt could not be read") as caught:
            polite.get(f"http://{host}/news/1")
        assert caught.value.kind == "robots"
    assert site.hits["/robots.txt"] == 1


def test_a_home_page_leads_to_its_feed(site: Site, host: str, tmp_path) -> None:
    result = batch("--feed", f"http://{host}/home", "--allow-private-urls", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert set(index(tmp_path)) == {f"http://{host}/news/1", f"http://{host}/news/2"}


def test_an_atom_feed_gives_its_entries_with_their_dates(host: str) -> None:
    listing = web_listing(fetcher(), feeds=[f"http://{host}/atom.xml"], max_items=1)
    # The newest entry only; the feed's own links (its site, itself) are no articles.
    assert [(item.url, item.changed) for item in listing.items] == [
        (f"http://{host}/news/8", "2026-12-07T08:30:00+00:00")
    ]


def test_a_sites_sitemap_index_is_followed_and_since_leaves_old_pages_unfetched(
    site: Site, host: str
) -> None:
    from datetime import date

    listing = web_listing(fetcher(), sitemaps=[f"http://{host}/"], since=date(2026, 1, 1))
    assert [item.url for item in listing.items] == [f"http://{host}/news/1"]
    assert listing.items[0].changed == "2026-12-01T00:00:00+00:00"
    assert listing.excluded == 1
    assert site.hits["/news/old"] == 0


def test_feed_items_on_private_addresses_need_the_setting(host: str, tmp_path) -> None:
    result = batch("--feed", f"http://{host}/feed.xml", "--out", str(tmp_path))
    assert result.exit_code == 1
    errors = (tmp_path / "errors.jsonl").read_text().splitlines()
    assert [json.loads(line)["kind"] for line in errors] == ["forbidden_url"] * 2
    assert "--allow-private-urls" in json.loads(errors[0])["message"]


def test_a_url_list_skips_comments_and_names_what_is_wrong(host: str, tmp_path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# the harbour story\nhttp://{host}/news/1\n\nexample.com/news/1\nhttp://{host}/gone\n"
    )
    out = tmp_path / "out"
    result = batch("--urls", str(urls), "--allow-private-urls", "--out", str(out))
    assert result.exit_code == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [error["kind"] for error in errors] == ["bad_url", "gone"]
    assert errors[0]["message"].endswith("did you mean https://example.com/news/1?")
    assert "the page is gone" in errors[1]["message"]
    assert index(out)[f"http://{host}/news/1"]["status"] == "done"


def test_the_per_host_limit_holds_on_the_servers_side(site: Site, host: str) -> None:
    site.slow_s = 0.15
    polite = fetcher(per_host=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(polite.get, [f"http://{host}/slow/{n}" for n in range(6)]))
    assert site.most_in_flight == 2


def test_fetches_from_one_site_are_spaced_by_the_delay(site: Site, host: str) -> None:
    site.slow_s = 0
    polite = fetcher(per_host=3, delay=0.3)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(polite.get, [f"http://{host}/slow/{n}" for n in range(3)]))
    gaps = [b - a for a, b in zip(site.arrivals, site.arrivals[1:], strict=False)]
    # The server sees them apart by the delay, less the jitter of two connections.
    assert len(gaps) == 2 and min(gaps) > 0.2


def test_a_429_is_tried_again_after_its_retry_after(site: Site, host: str) -> None:
    assert b"Ferry news busy" in fetcher().get(f"http://{host}/busy/1").data
    assert site.hits["/busy/1"] == 2
    with pytest.raises(InputError, match="asks briefly to wait 999 s") as caught:
        fetcher(max_wait=5).get(f"http://{host}/busy/999")
    assert caught.value.kind == "busy"
    assert site.hits["/busy/999"] == 1


def test_a_slow_host_fails_its_page_and_the_run_goes_on(site: Site, host: str, tmp_path) -> None:
    site.slow_s = 2.0
    urls = tmp_path / "urls.txt"
    urls.write_text(f"http://{host}/slow/1\nhttp://{host}/news/1\n")
    polite = fetcher(timeout=0.3)
    listing = web_listing(polite, url_files=[str(urls)])
    briefer = Briefer(BriefOptions(summarizer="extractive", languages=()))
    report = run_batch(briefer, listing.items, tmp_path / "out", BatchOptions(), fetcher=polite)
    assert (report.done, report.failed, report.fetched) == (1, 1, 1)
    assert "no complete answer within 0.3 s" in report.errors[0]["message"]


def test_a_pdf_is_read_from_a_url(host: str) -> None:
    assert load_article(f"http://{host}/report.pdf").title == HEADLINE


def test_since_leaves_out_a_page_its_page_dates_too_old(site: Site, host: str, tmp_path) -> None:
    site.feed_items = [("/dated/2020-01-05", ""), ("/dated/2026-12-01", "")]
    args = ["--feed", f"http://{host}/feed.xml", "--allow-private-urls", "--since", "2026-01-01"]
    result = batch(*args, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "done 1, skipped 0 (already done), failed 0" in result.stderr
    assert "excluded 1" in result.stderr
    old = index(tmp_path)[f"http://{host}/dated/2020-01-05"]
    assert old["status"] == "excluded"
    assert old["reason"] == "published 2020-01-05, before --since 2026-01-01"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["extract", "example.com/news/1"], "Did you mean https://example.com/news/1?"),
        (["batch", "example.com/news/1"], "list it in a file and pass --urls FILE"),
        (["batch", "--since", "2026-01-01", "in"], "--since is for pages from the web"),
        (["batch", "--feed", "http://x.test/", "--since", "May"], "give one as YYYY-MM-DD"),
        (["batch", "--feed", "http://x.test/", "--engine", "ray"], "leave out --engine ray"),
        (["batch", "--feed", "http://x.test/", "in"], "inputs of their own"),
    ],
)
def test_web_input_mistakes_get_one_line_with_a_way_on(args, expected, tmp_path) -> None:
    result = CliRunner().invoke(
        app, [*args, "--out", str(tmp_path)] if args[0] == "batch" else args
    )
    assert result.exit_code in (1, 2)
    assert expected in result.stderr and result.stderr.count("\n") == 1
