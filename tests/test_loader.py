"""Loading articles from files, stdin and (loopback) URLs; decoding; error kinds."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from briefly.article.cleaning import Removed
from briefly.article.loader import Article, decode_bytes, load_article, parse_article
from briefly.errors import InputError, UsageError
from tests.support.loopback import serve, without_proxies

ARTICLES = Path(__file__).parent / "data" / "articles"

RUSSIAN = (
    "Городской совет Заречья одобрил строительство нового моста\n\n"
    "Городской совет Заречья во вторник одобрил строительство пешеходного моста "
    "через реку Сить, который соединит старый центр с новым жилым районом.\n\n"
    "По словам мэра Ольги Кравцовой, работы начнутся весной и продлятся около двух лет. "
    "Стоимость проекта оценивается в 900 миллионов рублей.\n\n"
    "Автор: Сергей Беляев\n"
)
RUSSIAN_PAGE = (
    '<html><head><meta charset="windows-1251"><title>Мост через Сить</title></head>'
    "<body><nav><a href='/'>Главная</a></nav><article>"
    + "".join(f"<p>{p}</p>" for p in RUSSIAN.split("\n\n")[1:3])
    + "</article></body></html>"
)


# --- files -------------------------------------------------------------------


def test_scraped_text_article() -> None:
    article = load_article(ARTICLES / "port-expansion.txt")
    assert article.source == str(ARTICLES / "port-expansion.txt")
    assert article.title == "Harbour board approves €2bn expansion of Lindholm container port"
    assert article.author == "Maria Lindqvist"
    assert article.published == "2026-11-24"
    assert article.body.startswith("The Lindholm harbour board on Monday approved")
    assert article.body.endswith("road and rail investments in January.")
    paragraphs = article.body.split("\n\n")
    assert "Share prices fell 3% on Monday." in paragraphs
    assert "1. Dredging must stop" in article.body
    assert "3. Truck traffic through the old town" in article.body
    for furniture in ("HOME", "BUSINESS", "min read", "Views", "Advertisement", "Read more"):
        assert furniture not in article.body
    assert "Author:" not in article.body
    assert paragraphs[-1] != "Share"
    assert article.body.count(article.title) == 0
    assert len(paragraphs) == 8


def test_html_article_with_page_furniture() -> None:
    article = load_article(ARTICLES / "council-vote.html")
    assert article.title == "Riverside council backs four-day week for city staff"
    assert article.author == "Amara Okafor"
    assert article.published == "2026-09-14"
    assert article.body.startswith("Riverside city council voted on Tuesday")
    assert article.body.endswith("whether to make the change permanent.")
    assert "- staff sickness and turnover," in article.body.split("\n\n")[4]
    for furniture in ("Sport", "Related stories", "Bus lanes", "Most read", "Cookie", "Share on"):
        assert furniture not in article.body
    assert "newsletter" not in article.body
    assert len(article.body.split("\n\n")) == 7


def test_bare_page_keeps_its_headline_off_the_story() -> None:
    # trafilatura's fallback joins a lone <h1> and <p> into one element with a newline.
    page = (
        "<html><body><h1>Port deal signed</h1><p>The harbour board signed the port deal "
        "on Monday after three years of talks with the fishing towns.</p></body></html>"
    )
    article = parse_article(page, is_html=True)
    assert article.title == "Port deal signed"
    assert article.body.startswith("The harbour board signed")


def test_markdown_article() -> None:
    article = load_article(ARTICLES / "river-cleanup.md")
    assert article.title == "Volunteers pull two tonnes of plastic from the Vell river"
    assert article.author == "Tomás Ferreira"
    assert article.published == "2026-10-03"
    assert article.body.startswith("More than 300 volunteers spent Saturday wading")
    assert "organised by Clear Rivers, a local charity" in article.body
    assert "What happens next" in article.body.split("\n\n")
    assert "#" not in article.body and "](" not in article.body


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-16", "utf-8-sig"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(RUSSIAN.encode(encoding))
    article = load_article(path)
    assert article.title == "Городской совет Заречья одобрил строительство нового моста"
    assert article.author == "Сергей Беляев"
    assert article.body.startswith("Городской совет Заречья во вторник")
    assert article.body.endswith("900 миллионов рублей.")


def test_html_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(RUSSIAN_PAGE.encode("cp1251"))
    article = load_article(path)
    assert article.title == "Мост через Сить"
    assert article.body.startswith("Городской совет Заречья во вторник")
    assert "Главная" not in article.body


def test_decode_bytes() -> None:
    assert decode_bytes("Cafe\u0301".encode()) == "Café"  # NFC
    assert decode_bytes(b"\xef\xbb\xbfHello") == "Hello"
    assert decode_bytes("Hello — world".encode("utf-16-be").join([b"\xfe\xff", b""])) == (
        "Hello — world"
    )
    assert decode_bytes("Café naïve résumé – 50€".encode("cp1252")) == "Café naïve résumé – 50€"
    assert decode_bytes(RUSSIAN.encode("cp1251")) == RUSSIAN


def test_unknown_suffix_is_read_as_text_or_sniffed_html(tmp_path: Path) -> None:
    text = tmp_path / "notes.log"
    text.write_text((ARTICLES / "port-expansion.txt").read_text(encoding="utf-8"), "utf-8")
    assert load_article(text).author == "Maria Lindqvist"
    page = tmp_path / "saved.page"
    page.write_bytes((ARTICLES / "council-vote.html").read_bytes())
    assert load_article(page).title == "Riverside council backs four-day week for city staff"


def test_stdin() -> None:
    data = (ARTICLES / "port-expansion.txt").read_bytes()
    article = load_article("-", stdin=io.BytesIO(data))
    assert article.source == "-"
    assert article.author == "Maria Lindqvist"


def test_parse_article_takes_text_without_io() -> None:
    article = parse_article("Short headline\n\nThe body <p>mentions</p> a tag.", source="r1")
    assert article == Article(
        source="r1",
        title="Short headline",
        author=None,
        published=None,
        body="The body <p>mentions</p> a tag.",
        removed=(Removed("Short headline", "headline"),),
    )
    page = parse_article(RUSSIAN_PAGE, is_html=True)
    assert page.body.startswith("Городской совет")


# --- errors ------------------------------------------------------------------


def error_kind(source: object, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as caught:
        load_article(source, **kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    error = error_kind(tmp_path / "nope.txt")
    assert error.kind == "not_found"
    assert str(error) == (
        f"No such file: {tmp_path / 'nope.txt'}. Check the path, or pass '-' to read from stdin."
    )
    assert isinstance(error.__cause__, FileNotFoundError)


def test_directory(tmp_path: Path) -> None:
    error = error_kind(tmp_path)
    assert error.kind == "is_directory"
    assert f"briefly batch {tmp_path} --out OUT" in str(error)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 400)
    assert error_kind(path, max_bytes=1000).kind == "too_large"
    assert error_kind("-", stdin=io.BytesIO(b"x" * 1001), max_bytes=1000).kind == "too_large"


@pytest.mark.parametrize("data", [b"", b"  \n\n\t \r\n", b"\xef\xbb\xbf\n"])
def test_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    assert error_kind(path).kind == "empty"


@pytest.mark.parametrize(
    "data",
    [
        b"Headline\n\nSome text\x00\x00\x00 and more",
        b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 8,
        b"text\x01\x02\x03\x04\x05\x06\x07\x08" * 20,
    ],
)
def test_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(data)
    assert error_kind(path).kind == "binary"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><body><nav><a href='/'>Home</a></nav><script>x=1</script></body>"),
        ("furniture.txt", b"1. HOME\n2. WORLD\n\nAdvertisement\n\nShare\n"),
    ],
)
def test_no_content(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert error_kind(path).kind == "no_content"


def test_no_content_without_a_source_reads_as_a_sentence() -> None:
    with pytest.raises(InputError) as error:
        parse_article("Share\n", source="")
    assert str(error.value).startswith("The input has no article text left")


@pytest.mark.parametrize("source", ["ftp://example.org/a.txt", "file:///etc/hosts", ""])
def test_unsupported_sources_are_usage_errors(source: str) -> None:
    with pytest.raises(UsageError):
        load_article(source)


# --- URLs (a server on the loopback interface) --------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/article":
            self._send(200, RUSSIAN_PAGE.encode("cp1251"), "text/html; charset=windows-1251")
        elif self.path == "/plain":
            body = (ARTICLES / "port-expansion.txt").read_bytes()
            self._send(200, body, "text/plain; charset=utf-8")
        elif self.path == "/mislabelled":
            # Servers often default to ISO-8859-1 for pages that are UTF-8.
            body = "Café owners protest\n\nThe café owners of Lyon marched on Monday."
            self._send(200, body.encode(), "text/plain; charset=ISO-8859-1")
        elif self.path == "/big":
            self._send(200, b"word " * 1000, "text/plain")
        elif self.path == "/big-unsized":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"word " * 1000)
        elif self.path == "/slow":
            time.sleep(0.5)
            self._send(200, b"late", "text/plain")
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/hosts")
            self.end_headers()
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def http_server() -> Iterator[str]:
    with serve(_Handler) as address:
        yield f"http://{address}"


@pytest.fixture
def base_url(http_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The loopback server's URL, reached directly even where a proxy is configured."""
    without_proxies(monkeypatch)
    return http_server


def test_url_html_with_charset_header(base_url: str) -> None:
    article = load_article(f"{base_url}/article")
    assert article.source == f"{base_url}/article"
    assert article.title == "Мост через Сить"
    assert article.body.startswith("Городской совет Заречья во вторник")


def test_url_plain_text(base_url: str) -> None:
    article = load_article(f"{base_url}/plain")
    assert article.author == "Maria Lindqvist"
    assert "Share prices fell 3% on Monday." in article.body


def test_url_utf8_labelled_latin1(base_url: str) -> None:
    article = load_article(f"{base_url}/mislabelled")
    assert article.title == "Café owners protest"


@pytest.mark.parametrize("path", ["/to-file"])
def test_url_errors(base_url: str, path: str) -> None:
    error = error_kind(f"{base_url}{path}")
    assert error.kind == "fetch"
    assert f"{base_url}{path}" in str(error)
    assert "Save the page to a file" in str(error)
    assert error.__cause__ is not None


def test_url_404_says_the_page_is_gone(base_url: str) -> None:
    error = error_kind(f"{base_url}/missing")
    assert error.kind == "gone"
    assert str(error).endswith("HTTP 404 Not Found: the page is gone; check the address.")


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_url_too_large(base_url: str, path: str) -> None:
    assert error_kind(f"{base_url}{path}", max_bytes=1000).kind == "too_large"


def test_url_timeout(base_url: str) -> None:
    assert error_kind(f"{base_url}/slow", timeout=0.1).kind == "fetch"


def test_url_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert error_kind(f"http://127.0.0.1:{port}/article").kind == "fetch"


class _Terminal(io.RawIOBase):
    """A terminal: one line, then one Ctrl-D; asking past that would wait for ever."""

    def __init__(self) -> None:
        self.answers = [b"Hello there.\n", b""]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        assert self.answers, "read on after Ctrl-D: the user must press it twice"
        data = self.answers.pop(0)
        buffer[: len(data)] = data
        return len(data)


def test_one_ctrl_d_ends_standard_input() -> None:
    from briefly.article.reading import read_stdin

    assert read_stdin(stream=io.BufferedReader(_Terminal())) == b"Hello there.\n"
