"""Hostile and careless input: special files, caps, URLs with credentials, dripping servers,
damaged encodings and pages that trip the HTML parser. Each ends in one line, never a hang.

Cases that would hang if they regressed run in a subprocess with a timeout.
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefly.article.loader import load_article
from briefly.article.reading import MAX_BYTES, read_stdin
from briefly.batch.sources import list_articles, load_item
from briefly.cli.app import app
from briefly.errors import InputError
from briefly.stages.text import sentences
from tests.support.loopback import serve, without_proxies

SRC = Path(__file__).resolve().parents[1] / "src"
# Generous: these commands finish in about a second; the bound only stops a hang.
HANG_LIMIT_S = 120
ARTICLE = (
    "Harbour board approves port expansion\n\n"
    "The harbour board on Monday approved the expansion of the container port after a "
    "long debate about dredging, noise and truck traffic in the old town.\n\n"
    "Work starts in spring and is expected to take three years, the board said.\n"
)
PARAGRAPHS = "".join(
    f"<p>The harbour board on Monday approved the expansion of the container port, point {i}, "
    "after a long debate about dredging, noise and truck traffic in the old town.</p>"
    for i in range(5)
)


def run_cli(*args: str, stdin=None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "briefly", *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT_S,
        env=env,
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


def kind_of(source, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_article(source, **kwargs)
    return info.value.kind


# --- special files and caps ----------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    return path


def test_fifo_source_is_refused_without_waiting(fifo: Path) -> None:
    result = run_cli("extract", str(fifo))
    assert result.returncode == 1
    assert "not a regular file" in one_error_line(result.stderr)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_device_source_and_symlink_to_it_are_refused(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    link = tmp_path / "article.txt"
    link.symlink_to(device)
    for source in (device, str(link)):
        result = run_cli("extract", source)
        assert result.returncode == 1
        assert "not a regular file" in one_error_line(result.stderr)
    assert kind_of(link) == "not_regular"


def test_special_files_found_in_an_input_folder_are_refused(fifo: Path) -> None:
    folder = fifo.parent
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "zero.txt").symlink_to("/dev/zero")
    kinds = {}
    # Followed on request: a link out of the folder is otherwise skipped unread.
    for item in list_articles([str(folder)], follow_symlinks=True).items:
        try:
            kinds[item.name] = load_item(item, max_bytes=MAX_BYTES).title
        except InputError as e:
            kinds[item.name] = e.kind
    assert kinds == {
        "good": "Harbour board approves port expansion",
        "pipe": "not_regular",
        "zero": "not_regular",
    }


def test_stdin_from_dev_zero_stops_at_the_cap() -> None:
    with open("/dev/zero", "rb") as zero:
        result = run_cli("extract", "-", stdin=zero)
    assert result.returncode == 1
    assert "larger than" in one_error_line(result.stderr)
    with open("/dev/zero", "rb") as zero, pytest.raises(InputError) as info:
        read_stdin(1000, zero)
    assert info.value.kind == "too_large"


def test_gzip_file_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "article.txt.gz"
    path.write_bytes(gzip.compress(ARTICLE.encode()))
    assert load_article(path).title == "Harbour board approves port expansion"


def test_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    assert kind_of(path, max_bytes=1_000_000) == "too_large"


def test_unpunctuated_text_splits_into_bounded_pieces() -> None:
    text = " ".join(f"word{i % 97}" for i in range(100_000))  # one 600 KB "sentence"
    pieces = sentences(text)
    assert max(len(piece) for piece in pieces) <= 2000
    assert " ".join(pieces).split() == text.split()


def test_long_punctuated_paragraph_keeps_its_sentences() -> None:
    text = " ".join(f"Sentence number {i} ends here." for i in range(2000))
    assert sentences(text) == [f"Sentence number {i} ends here." for i in range(2000)]


# --- decoding ------------------------------------------------------------------


def extract(runner: CliRunner, path: Path) -> dict:
    result = runner.invoke(app, ["extract", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_utf8_with_stray_bytes_stays_utf8(tmp_path: Path) -> None:
    text = "Café owners in Zürich — “a bad year”, they said. " * 20
    data = text.encode()
    path = tmp_path / "damaged.txt"
    path.write_bytes(data[:100] + b"\x92\xff\xfe" + data[100:])
    body = extract(CliRunner(), path)["body"]
    assert "Café owners in Zürich — “a bad year”" in body
    assert "Ã" not in body


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251"])
def test_short_russian_sentence_in_a_legacy_code_page(tmp_path: Path, encoding: str) -> None:
    sentence = "Мэр города объявил о строительстве нового моста."
    path = tmp_path / "ru.txt"
    path.write_bytes(sentence.encode(encoding))
    assert extract(CliRunner(), path)["body"] == sentence


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(ARTICLE.encode(encoding))
    assert extract(CliRunner(), path)["title"] == "Harbour board approves port expansion"


# --- HTML ----------------------------------------------------------------------


def test_article_inside_10000_nested_divs_is_found(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 10_000 + PARAGRAPHS + "</div>" * 10_000 + "</body></html>"
    path = tmp_path / "nested.html"
    path.write_text(page, encoding="utf-8")
    assert "point 4" in extract(CliRunner(), path)["body"]


def test_menu_only_page_is_no_content(tmp_path: Path) -> None:
    links = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(50))
    page = f"<html><body><nav><ul>{links}</ul></nav><footer>© 2024 News</footer></body></html>"
    path = tmp_path / "menu.html"
    path.write_text(page, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 1
    assert "has no article text left" in one_error_line(result.stderr)
    assert kind_of(path) == "no_content"


def test_no_date_from_a_copyright_line(tmp_path: Path) -> None:
    page = f"<html><body><article>{PARAGRAPHS}</article><footer>© 2024 News</footer></body></html>"
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert extract(CliRunner(), path)["published"] is None


# --- URLs (servers on 127.0.0.1, started here) -------------------------------------

DRIP_BYTES = 100
DRIP_INTERVAL_S = 0.1
DEADLINE_S = 1.0


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(DRIP_BYTES))
            self.end_headers()
            self._drip(b"a" * DRIP_BYTES)
        elif self.path == "/drip-headers":
            self.wfile.write(b"HTTP/1.0 200 OK\r\n")
            self._drip(b"X-Slow: " + b"a" * DRIP_BYTES + b"\r\n\r\nbody")
        elif self.path == "/gzip":
            body = gzip.compress(ARTICLE.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/to-"):
            self.send_response(302)
            target = {
                "/to-ftp": "ftp://127.0.0.1/a.txt",
                "/to-credentials": f"http://alice:hunter2@127.0.0.1:{self.server.server_port}/gzip",
            }[self.path]
            self.send_header("Location", target)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def _drip(self, data: bytes) -> None:
        # One byte at a time, far apart in total but each well within a per-read timeout.
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(DRIP_INTERVAL_S)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(_Handler) as address:
        yield address


@pytest.fixture
def host(server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The loopback server's host:port, reached directly even where a proxy is configured."""
    without_proxies(monkeypatch)
    return server


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_dripping_server_stops_at_the_total_deadline(host: str, path: str) -> None:
    # Each byte arrives well within the timeout, so only a deadline for the whole fetch
    # can stop it before the server is done (DRIP_BYTES x DRIP_INTERVAL_S = 10 s).
    with pytest.raises(InputError) as info:
        load_article(f"http://{host}{path}", timeout=DEADLINE_S)
    assert info.value.kind == "fetch"
    assert f"within {DEADLINE_S:g} s" in str(info.value)


def test_url_with_credentials_is_refused_and_never_echoed(host: str) -> None:
    result = CliRunner().invoke(app, ["extract", f"http://alice:hunter2@{host}/gzip"])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert "hunter2" not in result.output and "alice" not in result.output
    assert f"http://***@{host}/gzip" in line


def test_redirect_to_credentials_is_refused_and_never_echoed(host: str) -> None:
    result = CliRunner().invoke(app, ["extract", f"http://{host}/to-credentials"])
    assert result.exit_code == 1
    assert "hunter2" not in one_error_line(result.stderr)


def test_redirect_to_ftp_is_refused(host: str) -> None:
    with pytest.raises(InputError) as info:
        load_article(f"http://{host}/to-ftp", timeout=5)
    assert info.value.kind == "fetch" and "ftp" in str(info.value)


def test_gzip_encoded_response_is_unpacked(host: str) -> None:
    article = load_article(f"http://{host}/gzip", timeout=5)
    assert article.title == "Harbour board approves port expansion"
