"""The web page of ``briefly serve``, driven in the system's headless Chromium by Playwright.

One browser for the module and two servers on 127.0.0.1: tiny models behind an API key with a
small --max-chars, and an extractive one whose one-request queue a test fills to see a 503.
Every page records its requests, and none may go to any host but its server.

``BRIEFLY_SCREENSHOTS=docs/img`` writes the docs' screenshots of the page while testing.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serving import Server, start, stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary on PATH: apt-get install chromium (as .ci/run does)",
    ),
]
# Without these Chromium calls Google's hosts (updates, sync, field trials) on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEY = "page-key-1"
ARTICLE = """Marlow council turns old tram depot into a library

By Anna Berg

Skip to content

The city council of Marlow voted on Tuesday to turn the old tram depot into a public library, \
ending a debate that had divided residents for more than a decade.

Under the plan the iron roof will be kept and the building will open in 2028 with reading rooms \
and a children's floor.

Sign up for our morning newsletter
"""
PAGE = """<html><head><title>Harbour ferry returns | Marlow Herald</title></head><body>
<nav><a href="/">Home</a></nav><article><h1>Harbour ferry returns after ten years</h1>
<p>The harbour ferry between Marlow and the island will run again from May, the port authority \
said on Wednesday, ten years after the last boat was sold.</p>
<p>Two boats will cross every hour in summer and every two hours in winter.</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_summarizer, tiny_translators) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("page")
    keys = tmp / "keys.txt"
    keys.write_text(KEY + "\n", encoding="utf-8")
    args = ["--summarizer", str(tiny_summarizer), "--to", "uk,ru,hi", "--device", "cpu"]
    for lang in ("uk", "ru", "hi"):
        args += ["--translator", f"{lang}={tiny_translators[lang]}"]
    extra = ("--api-keys", str(keys), "--max-chars", "2000", "--allow-urls", "--allow-private-urls")
    server = start(tmp, args, *extra)
    yield server
    stop(server)


@pytest.fixture(scope="module")
def news_site() -> Iterator[str]:
    """A web server on 127.0.0.1 with one article page: the address of the page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}/ferry"
    site.shutdown()
    site.server_close()


@pytest.fixture(scope="module")
def busy(tmp_path_factory) -> Iterator[Server]:
    """No models; one request may wait for the model, for five seconds (a loaded machine
    takes a second or two from the click to the page's /brief)."""
    args = ["--summarizer", "extractive", "--to", "none"]
    extra = ("--max-queue", "1", "--batch-wait-ms", "5000")
    server = start(tmp_path_factory.mktemp("page-busy"), args, *extra)
    yield server
    stop(server)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright starts it headless with an empty profile of its own (--user-data-dir).
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A fresh browser context on one server, with its requests and console errors recorded."""

    def __init__(self, browser, server: Server, **context) -> None:
        self.server = server
        self.context = browser.new_context(**context)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        # Script errors and CSP violations; an error status the page shows is no fault.
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "the server responded with a status" not in message.text:
            self.errors.append(message.text)

    def open(self, path: str = "/"):
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200
        return response

    def signed_in(self):
        """The page opened, with the API key typed in (and kept, as a change event does)."""
        self.open()
        self.page.fill("#api-key", KEY)
        self.page.dispatch_event("#api-key", "change")
        return self.page

    def drop(self, name: str, body: str | bytes, mime: str) -> None:
        """Drop a file called ``name`` on the page's drop zone."""
        self.page.evaluate(
            """([name, body, mime]) => {
                const data = new DataTransfer();
                const bytes = typeof body === "string" ? body : new Uint8Array(body);
                data.items.add(new File([bytes], name, {type: mime}));
                document.getElementById("drop").dispatchEvent(
                    new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
            }""",
            [name, body if isinstance(body, str) else list(body), mime],
        )

    def close(self) -> None:
        self.context.close()
        hosts = {urllib.parse.urlsplit(url).netloc for url in self.requests if "//" in url}
        # data: and blob: URLs name no host; every other request went to the server.
        hosts.discard("")
        assert hosts == {f"127.0.0.1:{self.server.port}"}, self.requests


@pytest.fixture
def visit(browser):
    visits: list[Visit] = []

    def make(server: Server, **context) -> Visit:
        visits.append(Visit(browser, server, **context))
        return visits[-1]

    yield make
    for opened in visits:
        opened.close()


def screenshot(page, name: str) -> None:
    folder = os.environ.get("BRIEFLY_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_a_pasted_article_is_briefed_translated_and_audited(visit, served):
    seen = visit(served)
    seen.context.grant_permissions(["clipboard-read", "clipboard-write"])
    response = seen.open()
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    page = seen.page
    assert page.locator("#key-box").is_visible()
    page.fill("#article", ARTICLE)
    page.click("#go")
    assert "needs an API key" in page.locator("#error").inner_text()
    page.fill("#api-key", "wrong-key")
    page.click("#go")
    page.wait_for_selector("#error:has-text('Invalid API key')")
    page.fill("#api-key", KEY)
    # By keyboard: the button is reached with Tab and pressed with Enter.
    page.focus("#length")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "go"
    page.keyboard.press("Enter")
    page.wait_for_selector(".pane[data-lang=hi]", timeout=120_000)
    assert page.locator("#error").is_hidden()
    assert page.evaluate("sessionStorage.getItem('briefly.api_key')") == KEY
    assert page.evaluate("localStorage.length") == 0

    assert page.locator("#title").inner_text().startswith("Marlow council")
    assert "Anna Berg" in page.locator("#meta").inner_text()
    panes = page.locator(".pane")
    assert [panes.nth(i).get_attribute("data-lang") for i in range(3)] == ["en", "uk", "ru"]
    for lang in ("uk", "ru", "hi"):
        text = page.locator(f".pane[data-lang={lang}] p").first
        assert text.get_attribute("dir") == "auto" and text.get_attribute("lang") == lang
        assert text.inner_text().strip()
    removed = page.locator("#removed li")
    lines = [removed.nth(i).locator("del").inner_text() for i in range(removed.count())]
    assert "Sign up for our morning newsletter" in lines and "Skip to content" in lines
    assert removed.first.locator(".reason").inner_text()
    assert "Sign up for our" not in page.locator("#body").inner_text()

    page.click(".pane[data-lang=uk] button.copy")
    uk = page.locator(".pane[data-lang=uk] .text").inner_text().strip()
    assert page.evaluate("navigator.clipboard.readText()").strip() == uk
    with page.expect_download() as download:
        page.click("#download")
    brief = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert set(brief["translations"]) == {"uk", "ru", "hi"} and brief["source"] == "text"
    assert brief["translations"]["uk"].strip() == uk.strip()
    screenshot(page, "page-desktop.png")
    assert seen.errors == []


def test_a_dropped_html_file_is_briefed_at_phone_width(visit, served):
    seen = visit(served, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = seen.signed_in()
    seen.drop("ferry.html", PAGE, "text/html")
    page.wait_for_selector("#file-name:has-text('ferry.html')")
    page.uncheck("input[name=to][value=ru]")
    page.click("#go")
    page.wait_for_selector(".pane[data-lang=hi]", timeout=120_000)
    assert page.locator(".pane").count() == 3  # English, uk, hi
    assert "Harbour ferry" in page.locator("#title").inner_text()
    assert "ferry.html" in page.locator("#meta").inner_text()
    assert "every two hours" in page.locator("#body").inner_text()
    # Readable at phone width: nothing wider than the screen, the panes one above another.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    boxes = [page.locator(".pane").nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and boxes[1]["y"] > boxes[0]["y"]
    screenshot(page, "page-phone.png")
    assert seen.errors == []


def test_a_dropped_pdf_is_uploaded_for_the_server_to_read(visit, served):
    from tests.support.documents import HEADLINE, pdf_article

    seen = visit(served)
    page = seen.signed_in()
    # Short enough for the server's --max-chars.
    seen.drop("release.pdf", pdf_article(2, running=False), "application/pdf")
    page.wait_for_selector("#file-name:has-text('release.pdf')")
    for box in ("ru", "hi"):
        page.uncheck(f"input[name=to][value={box}]")
    page.click("#go")
    page.wait_for_selector(".pane[data-lang=uk]", timeout=120_000)
    assert page.locator("#title").inner_text() == HEADLINE
    assert "release.pdf" in page.locator("#meta").inner_text()
    assert "Paragraph 1: The city council" in page.locator("#body").inner_text()
    assert seen.errors == []


def test_an_address_is_fetched_by_the_server_not_the_page(visit, served, news_site):
    seen = visit(served)
    page = seen.signed_in()
    page.fill("#url", news_site)
    page.click("#go")
    page.wait_for_selector(".pane[data-lang=hi]", timeout=120_000)
    assert "Harbour ferry" in page.locator("#title").inner_text()
    assert news_site in page.locator("#meta").inner_text()
    # The page itself asked only the briefly server (checked when the visit closes).
    assert not any(url.startswith(news_site) for url in seen.requests)


def test_an_article_over_the_limit_shows_the_413_message(visit, served):
    seen = visit(served)
    page = seen.signed_in()
    page.fill("#article", "The council met again. " * 120)
    page.click("#go")
    error = page.wait_for_selector("#error:has-text('Too large')").inner_text()
    assert "2,000 characters" in error and "--max-chars" in error
    assert page.locator("#result").is_hidden() and page.locator("#go").is_enabled()


def test_a_busy_server_shows_the_503_and_its_retry_time(visit, busy):
    seen = visit(busy)
    seen.open()
    page = seen.page
    assert page.locator("#key-box").is_hidden() and page.locator("#url-box").is_hidden()
    assert "no language" in page.locator("#targets").inner_text()
    page.fill("#article", ARTICLE)
    waiting = threading.Thread(target=busy.call, args=("POST", "/brief", {"text": ARTICLE}))
    waiting.start()
    try:
        while busy.call("GET", "/health")[2]["queued"] == 0:
            time.sleep(0.02)
        page.click("#go")
        page.wait_for_selector("#error, .pane")
        error = page.locator("#error").inner_text()
    finally:
        waiting.join()
    assert "busy" in error and "retry in 1 s" in error
    # The cleaned article came before the brief was refused.
    assert "tram depot" in page.locator("#body").inner_text()


def test_the_api_docs_render_offline(visit, busy):
    seen = visit(busy)
    seen.open("/docs")
    seen.page.wait_for_selector(".swagger-ui .opblock-summary-path >> text=/brief")
