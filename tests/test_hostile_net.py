"""Hostile network input: private addresses in every disguise, credentials, slow and dripping
servers and clients, oversized requests, costly pages, control characters, and signals.

Only servers started here on 127.0.0.1 are ever contacted. Address forms that would leave the
machine (IPv6 forms that carry an IPv4 address) are judged without connecting, and host names
reach the loopback server only through a patched resolver. Every wait has a bound that stops a
hang; none measures speed.
"""

from __future__ import annotations

import asyncio
import http.client
import http.server
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.article import addresses, fetch
from briefly.article.loader import parse_article
from briefly.batch.sources import load_item, read_jsonl
from briefly.cli.app import app
from briefly.errors import InputError, printable
from briefly.options import BriefOptions
from briefly.serve import work
from briefly.serve.batcher import Abandoned, Batcher
from briefly.serve.markup import text_runs
from tests.support.loopback import serve, without_proxies
from tests.support.serving import Server, model_args_for, start, stop

SRC = Path(__file__).resolve().parents[1] / "src"
# Bounds that only stop a hang; the cases finish far sooner.
HANG_LIMIT_S = 120
ARTICLE = (
    "Harbour board approves port expansion\n\n"
    "The harbour board on Monday approved the expansion of the container port after a "
    "long debate about dredging, noise and truck traffic in the old town.\n\n"
    "Work starts in spring and is expected to take three years, the board said.\n"
)
DRIP_INTERVAL_S = 0.05
DRIP_BYTES = 2000  # 100 s of dripping: far longer than any bound below


# --- addresses, judged without connecting ----------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "::a9fe:a9fe",  # IPv4-compatible
        "::7f00:1",
        "64:ff9b::a9fe:a9fe",  # NAT64
        "64:ff9b::a00:1",
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
        "64:ff9b:1:ffff::808:808",
        "::ffff:0:a9fe:a9fe",  # SIIT
        "2002:a9fe:a9fe::1",  # 6to4
        "2002:7f00:1::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001:0:808:808:0:0:8000:ffff",  # Teredo to 127.255.255.255 through a public server
    ],
)
def test_private_addresses_in_every_form_are_refused(address: str) -> None:
    assert not addresses.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]
)
def test_public_addresses_pass(address: str) -> None:
    assert addresses.is_public(ipaddress.ip_address(address))


def test_every_address_a_name_resolves_to_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        addresses, "resolve", lambda host, port: ["93.184.216.34", "::ffff:a9fe:a9fe"]
    )
    with pytest.raises(addresses.ForbiddenURL) as info:
        addresses.public_addresses("mixed.test", 80)
    assert "::ffff:a9fe:a9fe" in str(info.value) and "--allow-private-urls" in str(info.value)


# --- fetching with the rule, from a loopback server -------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        port = self.server.server_port
        if self.path.startswith("/to-"):
            target = {
                "/to-name": f"http://intranet.test:{port}/secret",
                "/to-loopback": f"http://127.0.0.1:{port}/secret",
                "/to-mapped": f"http://[::ffff:127.0.0.1]:{port}/secret",
            }[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(DRIP_BYTES))
            self.end_headers()
            try:
                for _ in range(DRIP_BYTES):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(DRIP_INTERVAL_S)
            except OSError:
                pass  # the client gave up, as it should
        else:
            body = ARTICLE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    with serve(_Handler) as address:
        yield address


@pytest.fixture
def port(loopback: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The loopback server's port; test names resolve to it, and news.test counts as public."""
    without_proxies(monkeypatch)
    _Handler.hits.clear()
    real_resolve, real_check = addresses.resolve, fetch.public_addresses
    names = {"news.test": "127.0.0.1", "intranet.test": "127.0.0.1"}
    monkeypatch.setattr(
        addresses, "resolve", lambda host, port: [names.get(host) or real_resolve(host, port)[0]]
    )
    # news.test stands in for a public site; every other host is judged for real.
    monkeypatch.setattr(
        fetch,
        "public_addresses",
        lambda host, port: ["127.0.0.1"] if host == "news.test" else real_check(host, port),
    )
    return int(loopback.rsplit(":", 1)[1])


@pytest.mark.parametrize("host", ["intranet.test", "127.0.0.1", "[::1]", "localhost"])
def test_a_private_host_is_refused_before_connecting(port: int, host: str) -> None:
    with pytest.raises(addresses.ForbiddenURL):
        fetch.fetch(f"http://{host}:{port}/", max_bytes=10_000, timeout=5, public_only=True)
    assert _Handler.hits == []


@pytest.mark.parametrize("path", ["/to-name", "/to-loopback", "/to-mapped"])
def test_each_redirect_is_checked_by_the_same_rule(port: int, path: str) -> None:
    with pytest.raises(addresses.ForbiddenURL):
        fetch.fetch(f"http://news.test:{port}{path}", max_bytes=10_000, timeout=5, public_only=True)
    assert _Handler.hits == [path]  # the private hop was never requested


def test_a_public_host_is_fetched(port: int) -> None:
    response = fetch.fetch(
        f"http://news.test:{port}/a", max_bytes=10_000, timeout=5, public_only=True
    )
    assert response.data == ARTICLE.encode()


def test_a_stop_flag_ends_a_fetch_at_once(port: int) -> None:
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(InputError, match="stopped"):
        fetch.fetch(f"http://127.0.0.1:{port}/drip", max_bytes=10_000, timeout=60, stop=stop)


def _record(tmp_path: Path, url: str) -> list:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "url": url}) + "\n", encoding="utf-8")
    return read_jsonl(str(jsonl)).items


def test_jsonl_urls_reach_private_addresses_only_when_allowed(port: int, tmp_path: Path) -> None:
    for url in (f"http://127.0.0.1:{port}/a", f"http://news.test:{port}/to-loopback"):
        (item,) = _record(tmp_path, url)
        with pytest.raises(addresses.ForbiddenURL):
            load_item(item, max_bytes=10_000)
    assert "/a" not in _Handler.hits
    (item,) = _record(tmp_path, f"http://127.0.0.1:{port}/a")
    article = load_item(item, max_bytes=10_000, allow_private_urls=True)
    assert article.title == "Harbour board approves port expansion"


def run_cli(*args: str, **kwargs) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "briefly", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


EXTRACTIVE = ("--summarizer", "extractive", "--to", "none")


def test_batch_refuses_private_jsonl_urls_unless_allowed(loopback: str, tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "url": f"http://{loopback}/a"}) + "\n")
    out = tmp_path / "out"
    proc = run_cli("batch", "--jsonl", str(jsonl), "--out", str(out), *EXTRACTIVE)
    _, stderr = proc.communicate(timeout=HANG_LIMIT_S)
    assert proc.returncode == 1, stderr
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["kind"] == "forbidden_url"
    proc = run_cli(
        "batch", "--jsonl", str(jsonl), "--out", str(out), "--allow-private-urls", *EXTRACTIVE
    )
    _, stderr = proc.communicate(timeout=HANG_LIMIT_S)
    assert proc.returncode == 0, stderr
    assert "port expansion" in (out / "a.json").read_text()


def test_sigterm_during_slow_jsonl_urls_exits_promptly(loopback: str, tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": str(i), "url": f"http://{loopback}/drip"}) for i in range(8)]
    jsonl.write_text("\n".join(lines) + "\n")
    _Handler.hits.clear()
    proc = run_cli(
        "batch",
        "--jsonl",
        str(jsonl),
        "--out",
        str(tmp_path / "out"),
        "--allow-private-urls",
        *EXTRACTIVE,
    )
    deadline = time.monotonic() + HANG_LIMIT_S
    while not _Handler.hits and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _Handler.hits, "the batch never fetched"
    proc.send_signal(signal.SIGTERM)
    # Each fetch may take 20 s and eight are queued: only a fetch cut short ends sooner.
    _, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 130 and "interrupted" in stderr


# --- pages that cost too much to parse, and deep nesting ---------------------------------------


def test_a_page_with_a_million_attributes_is_refused_in_one_line() -> None:
    attributes = " ".join(f"a{i}=1" for i in range(1_000_000))
    with pytest.raises(InputError) as info:
        parse_article(f"<html><body><p {attributes}>x</p></body></html>", source="a.html")
    assert info.value.kind == "too_complex" and "1,000,000 attributes" in str(info.value)


def test_a_page_with_too_many_elements_is_refused() -> None:
    with pytest.raises(InputError) as info:
        parse_article("<html><body>" + "<b>x</b>" * 60_000 + "</body></html>", source="a.html")
    assert info.value.kind == "too_complex"


def test_text_nested_400_deep_is_kept() -> None:
    html = "".join(
        f"<div><p>Paragraph {i} says the harbour board met on Monday.</p>" for i in range(400)
    )
    article = parse_article(f"<html><body>{html}{'</div>' * 400}</body></html>", source="a.html")
    assert article.body.count("harbour board met") == 400
    runs, _ = text_runs(html)
    assert len(runs) == 400


def test_html_nested_past_the_parser_limit_is_refused_by_translate() -> None:
    with pytest.raises(InputError, match="deep"):
        text_runs("<b>" * 3000 + "deep")


def test_zero_character_reference_in_html_translates() -> None:
    runs, rebuild = text_runs("<p>a &#0; b</p>")
    assert rebuild(runs).startswith("<p>")


# --- control characters in messages and logs ---------------------------------------------------

HOSTILE_NAME = "\x1b]0;PWNED\x07\x1b[2Jx\u202e.txt"


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable(HOSTILE_NAME) == "\\x1b]0;PWNED\\x07\\x1b[2Jx\\u202e.txt"
    assert printable("café, привет, नमस्ते\tend\n") == "café, привет, नमस्ते\\tend\\n"


def test_cli_error_lines_escape_control_characters() -> None:
    result = CliRunner().invoke(app, ["extract", HOSTILE_NAME])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b]0;PWNED" in result.stderr


def test_batch_warnings_escape_control_characters(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text("")  # empty: fails with a warning naming it
    proc = run_cli("batch", str(folder), "--out", str(tmp_path / "out"), *EXTRACTIVE)
    _, stderr = proc.communicate(timeout=HANG_LIMIT_S)
    assert proc.returncode == 1
    assert "\x1b" not in stderr and "\\x1b]0;PWNED" in stderr


# --- the service's model work stops when no one waits ------------------------------------------


def test_abandoned_work_stops_between_chunks() -> None:
    chunks_done: list[int] = []

    def run_batch(_key, items, stopped):
        for i in range(1000):
            if stopped():
                raise Abandoned
            time.sleep(0.01)
            chunks_done.append(i)
        return list(items)

    async def main():
        batcher = Batcher(run_batch, wait_s=0, max_cost=10, max_queued=10)
        batcher.start()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(batcher.submit("k", "x", 1), 0.2)
        deadline = time.monotonic() + HANG_LIMIT_S
        while batcher.running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await batcher.stop()

    asyncio.run(main())
    assert len(chunks_done) < 1000


def test_translation_work_checks_its_flag_between_chunks(tiny_translators) -> None:
    options = BriefOptions(
        summarizer="extractive",
        languages=("uk",),
        translators={"uk": str(tiny_translators["uk"])},
        device="cpu",
    )
    texts = [f"The minister of {c} said the talks would resume." for c in "ABCDEFGH"]
    key = (work.TRANSLATE, options)
    whole = work.run_batch(key, [texts], lambda: False, chunk_tokens=10_000)
    assert work.run_batch(key, [texts], lambda: False, chunk_tokens=16) == whole
    checks = iter(range(100))
    with pytest.raises(Abandoned):
        work.run_batch(key, [texts], lambda: next(checks) >= 2, chunk_tokens=16)


# --- the service ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extractive(tmp_path_factory, loopback: str) -> Iterator[Server]:
    """No models: URLs allowed, private ones too, so that slow loopback servers can be fetched."""
    tmp = tmp_path_factory.mktemp("serve-net")
    started = start(tmp, list(EXTRACTIVE), "--allow-urls", "--allow-private-urls", "--timeout", "2")
    yield started
    stop(started)


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Iterator[Server]:
    started = start(tmp_path_factory.mktemp("serve-public"), list(EXTRACTIVE), "--allow-urls")
    yield started
    stop(started)


@pytest.mark.parametrize(
    "host", ["[::ffff:127.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "[::7f00:1]"]
)
def test_the_service_refuses_ipv6_forms_of_private_addresses(public: Server, host: str) -> None:
    status, _, error = public.call("POST", "/extract", {"url": f"http://{host}/latest/meta-data/"})
    assert status == 400 and "private, loopback or link-local" in error["error"]


def test_the_service_refuses_urls_with_credentials(public: Server, loopback: str) -> None:
    status, _, error = public.call("POST", "/brief", {"url": f"http://alice:hunter2@{loopback}/a"})
    assert status == 400 and "user name or password" in error["error"]
    assert "hunter2" not in json.dumps(error) and "alice" not in json.dumps(error)


def test_private_urls_are_fetched_with_the_setting(extractive: Server, loopback: str) -> None:
    status, _, article = extractive.call("POST", "/extract", {"url": f"http://{loopback}/a"})
    assert status == 200 and article["source"] == f"http://{loopback}/a"


def test_slow_urls_never_block_text_requests(extractive: Server, loopback: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(12) as pool:
        slow = [
            pool.submit(extractive.call, "POST", "/extract", {"url": f"http://{loopback}/drip"})
            for _ in range(10)
        ]
        time.sleep(0.3)
        status, _, article = extractive.call("POST", "/extract", {"text": ARTICLE})
        assert status == 200 and article["title"]
        for future in slow:
            assert future.result()[0] in (400, 504)


def test_json_nested_too_deeply_is_a_400(extractive: Server) -> None:
    body = b'{"text": ' + b"[" * 1500 + b"]" * 1500 + b"}"
    status, _, error = extractive.call(
        "POST", "/extract", body, headers={"Content-Type": "application/json"}
    )
    assert status == 400 and "nests" in error["error"]


def test_control_characters_in_a_path_are_escaped_in_the_access_log(extractive: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", extractive.port, timeout=30)
    connection.request("GET", "/nothing%0aFAKE%201%20200%1b[2J")
    assert connection.getresponse().status == 404
    connection.close()
    forged = "/nothing\\nFAKE 1 200\\x1b[2J 404"
    deadline = time.monotonic() + HANG_LIMIT_S
    # The line is written just after the answer is sent.
    while forged not in (log := extractive.log.read_text(encoding="utf-8", errors="replace")):
        if time.monotonic() > deadline:
            pytest.fail(f"the request never reached the access log:\n{log}")
        time.sleep(0.05)
    assert "\nFAKE" not in log and "\x1b" not in log


def _drip_body(port: int) -> socket.socket:
    """A request whose body is promised but never finished."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /extract HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    return sock


def test_sigterm_with_a_dripping_body_exits_in_bounded_time(tmp_path: Path) -> None:
    server = start(tmp_path, list(EXTRACTIVE), "--timeout", "2")
    sock = _drip_body(server.port)
    try:
        while server.call("GET", "/health")[2]["in_flight"] == 0:
            time.sleep(0.05)
        server.proc.send_signal(signal.SIGTERM)
        # The drain waits one request timeout (2 s) for the body, then closes.
        assert server.proc.wait(timeout=30) == 0
    finally:
        sock.close()
        stop(server)


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    server = start(tmp_path, list(EXTRACTIVE), "--timeout", "600")
    sock = _drip_body(server.port)
    try:
        while server.call("GET", "/health")[2]["in_flight"] == 0:
            time.sleep(0.05)
        server.proc.send_signal(signal.SIGTERM)
        while server.call("GET", "/health")[0] == 200:
            time.sleep(0.05)
        server.proc.send_signal(signal.SIGINT)
        # Far less than the 600 s the first signal's drain would wait.
        assert server.proc.wait(timeout=30) == 128 + signal.SIGINT
    finally:
        sock.close()
        stop(server)


@pytest.fixture(scope="module")
def translating(tmp_path_factory, tiny_summarizer, tiny_translators) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve-limits")
    args = model_args_for(tiny_summarizer, tiny_translators)
    started = start(tmp, args)
    yield started
    stop(started)


def test_too_many_texts_are_a_413_naming_the_limit(translating: Server) -> None:
    status, _, error = translating.call(
        "POST", "/translate", {"q": ["x"] * 190_000, "target": "uk"}
    )
    assert status == 413 and "1,000" in error["error"] and "--max-texts" in error["error"]


@pytest.mark.parametrize("max_words", [1e30, 10**20, 0])
def test_max_words_out_of_range_is_a_4xx_naming_the_range(translating: Server, max_words) -> None:
    body = {"text": ARTICLE, "max_words": max_words}
    status, _, error = translating.call("POST", "/brief", body)
    assert status == 400 and "max_words must be a positive number" in error["error"]


def test_zero_character_reference_with_format_html_is_not_a_500(translating: Server) -> None:
    body = {"q": "<p>The talks &#0; resume.</p>", "target": "uk", "format": "html"}
    status, _, answer = translating.call("POST", "/translate", body)
    assert status == 200 and answer["translatedText"].startswith("<p>")


def test_a_huge_q_then_sigterm_exits_before_the_deadline(
    tmp_path, tiny_summarizer, tiny_translators
):
    args = model_args_for(tiny_summarizer, tiny_translators)
    server = start(tmp_path, args, "--timeout", "1", "--batch-tokens", "64")
    try:
        texts = [
            f"The minister of region {i} said the talks would resume on Friday."
            for i in range(1000)
        ]
        status, _, _ = server.call("POST", "/translate", {"q": texts, "target": "uk"})
        assert status == 504
        server.proc.send_signal(signal.SIGTERM)
        # The abandoned work stops at its next chunk of 64 tokens.
        assert server.proc.wait(timeout=60) == 0
    finally:
        stop(server)


def test_ray_workers_apply_the_same_rule(loopback: str, tmp_path: Path) -> None:
    from briefly.batch.ray_cluster import _clean

    (item,) = _record(tmp_path, f"http://{loopback}/a")
    row = {"position": 0, "item": item, "known": ""}
    refused = _clean(row, 10_000, {}, allow_private_urls=False)
    assert refused["status"] == "failed" and refused["payload"][0] == "forbidden_url"
    allowed = _clean(row, 10_000, {}, allow_private_urls=True)
    assert allowed["status"] == "todo" and allowed["payload"].title.startswith("Harbour")
