"""``briefly serve`` as operators run it: the address checked first, per-client limits, the
access log, /metrics, offline /docs, short-text detection and the messages that say what to do.

The service here has no models (the extractive summariser, no translators), so it starts in
seconds; each test uses an API key of its own, so that the per-key limits keep tests apart.
"""

from __future__ import annotations

import re
import socket
import urllib.request
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from briefly.cli.app import app as cli_app
from briefly.errors import UsageError
from briefly.results import GuardWarning
from briefly.serve import languages, work
from briefly.serve.failures import ApiError
from briefly.serve.listen import bind
from briefly.serve.metrics import Metrics
from briefly.serve.quotas import Quotas, key_id
from tests.support.serving import Server, start, stop

KEYS = [f"operator-key-{n}" for n in range(1, 6)]
ARTICLE = (
    "The harbour ferry between Marlow and the island will run again from May, the port "
    "authority said on Wednesday.\n\nTwo boats will cross every hour in summer."
)

# --- without a server -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Доброе утро", "ru"),
        ("Привет, как дела?", "ru"),
        ("Как ты?", "ru"),
        ("Добрий ранок", "uk"),
        ("Привіт, як справи?", "uk"),
        ("नमस्ते दुनिया", "hi"),
        ("Hello, how are you?", "en"),
        ("Guten Morgen", "de"),
    ],
)
def test_short_texts_are_told_apart_by_script_and_letters(text, expected):
    lang, confidence = languages.detect(text)
    assert lang == expected
    # Under 20 letters nothing is sure: letters only one language has come closest.
    assert 0 < confidence <= 90


def test_confidence_grows_with_the_text():
    short = languages.detect("Доброе утро")[1]
    longer = languages.detect("Доброе утро, друзья, как ваши дела сегодня?")[1]
    assert short < 50 < longer
    assert languages.detect("2024 - 12") == ("en", 0.0)


@pytest.mark.parametrize(
    ("lang", "confidence", "foreign"),
    [("ru", 20.0, True), ("hi", 10.0, True), ("it", 7.3, False), ("fr", 80.0, True)],
)
def test_only_sure_or_other_script_texts_are_refused_as_not_english(lang, confidence, foreign):
    assert languages.looks_foreign(lang, confidence) is foreign


@pytest.mark.parametrize(
    ("text", "refused"), [("Доброе утро", True), ("नमस्ते", True), ("Talks resume.", False)]
)
def test_source_auto_refuses_short_foreign_texts_and_keeps_short_english(text, refused):
    assert languages.looks_foreign(*languages.detect(text)) is refused


def test_request_quota_refuses_with_the_wait_and_counts_clients_apart():
    quotas = Quotas(req_limit=2, char_limit=0)
    quotas.charge("a", 10)
    quotas.charge("a", 10)
    with pytest.raises(ApiError) as refused:
        quotas.charge("a", 10)
    assert refused.value.status == 429 and "2 requests a minute" in str(refused.value)
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    quotas.charge("b", 10)


def test_character_quota_refuses_over_the_minute_and_one_request_over_it_for_good():
    quotas = Quotas(req_limit=0, char_limit=100)
    quotas.charge("a", 60)
    with pytest.raises(ApiError) as refused:
        quotas.charge("a", 60)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"]
    with pytest.raises(ApiError) as too_big:
        quotas.charge("b", 101)
    assert too_big.value.status == 413 and "--char-limit" in str(too_big.value)


def test_a_key_id_never_shows_the_key():
    assert key_id("secret-key") == key_id("secret-key") != key_id("other-key")
    assert "secret" not in key_id("secret-key") and len(key_id("secret-key")) == 8


def test_metrics_count_warnings_by_code():
    metrics = Metrics(lambda: 3)
    metrics.warned([GuardWarning("repetition", "uk", "x"), GuardWarning("repetition", None, "y")])
    text = metrics.render().decode()
    assert 'briefly_warnings_total{code="repetition"} 2.0' in text
    assert "briefly_queue_depth 3.0" in text


@pytest.fixture
def taken() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    ("host", "expected"),
    [("192.0.2.1", "address of this machine"), ("a..b", "not a host name")],
)
def test_an_address_not_of_this_machine_is_a_usage_error(host, expected):
    with pytest.raises(UsageError, match=expected):
        bind(host, 0)


def test_a_taken_port_is_one_error_line_before_any_model_loads(taken, monkeypatch):
    def no_loading(_options):
        raise AssertionError("models were loaded before the port was checked")

    monkeypatch.setattr(work, "make_briefer", no_loading)
    args = ["serve", "--port", str(taken), "--summarizer", "extractive", "--to", "none"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"Port {taken} on 127.0.0.1 is already in use" in errors[0]
    assert "Traceback" not in result.output


# --- a service with limits --------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve-operator")
    keys = tmp / "keys.txt"
    keys.write_text("\n".join(KEYS) + "\n", encoding="utf-8")
    server = start(
        tmp,
        ["--summarizer", "extractive", "--to", "none", "--api-keys", str(keys)],
        *("--req-limit", "3", "--char-limit", "400", "--max-chars", "300", "--no-ui"),
    )
    yield server
    stop(server)


@pytest.mark.slow
def test_no_ui_serves_no_page(limited):
    assert limited.call("GET", "/")[0] == 404
    assert limited.call("GET", "/ui/app.js")[0] == 404


@pytest.mark.slow
def test_requests_over_the_limit_get_429_with_retry_after(limited):
    for _ in range(3):
        assert limited.call("POST", "/detect", {"q": "Hello", "api_key": KEYS[0]})[0] == 200
    status, headers, error = limited.call("POST", "/detect", {"q": "Hello", "api_key": KEYS[0]})
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    assert "3 requests a minute" in error["error"]
    # Another key has its own minute.
    assert limited.call("POST", "/detect", {"q": "Hello", "api_key": KEYS[1]})[0] == 200


@pytest.mark.slow
def test_characters_over_the_limit_get_429_or_413(limited):
    body = {"q": "word " * 50, "api_key": KEYS[2]}
    assert limited.call("POST", "/detect", body)[0] == 200
    status, headers, error = limited.call("POST", "/detect", body)
    assert status == 429 and headers["Retry-After"] and "400 characters" in error["error"]
    status, _, error = limited.call("POST", "/detect", {"q": "x" * 401, "api_key": KEYS[2]})
    assert status == 413 and "--char-limit" in error["error"]


@pytest.mark.slow
def test_messages_say_the_limit_and_what_to_do(limited):
    status, _, error = limited.call("POST", "/extract", {"text": "word " * 70, "api_key": KEYS[3]})
    assert status == 413 and "limit of 300 characters" in error["error"]
    assert "--max-chars" in error["error"]
    status, _, error = limited.call(
        "POST", "/translate", {"q": "Hi", "target": "uk", "api_key": KEYS[3]}
    )
    assert status == 400 and "--to none" in error["error"] and "--to uk,ru,hi" in error["error"]


@pytest.mark.slow
def test_a_form_in_unescaped_utf8_is_read_as_curl_d_sends_it(limited):
    body = f"q=Доброе утро&api_key={KEYS[3]}".encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, found = limited.call("POST", "/detect", body, headers=form)
    assert status == 200 and found[0]["language"] == "ru"


@pytest.mark.slow
def test_a_text_article_names_its_source(limited):
    status, _, brief = limited.call("POST", "/brief", {"text": ARTICLE, "api_key": KEYS[4]})
    assert status == 200 and brief["source"] == "text"
    page = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"
    named = {"html": page, "source": "ferry.html", "api_key": KEYS[4]}
    status, _, article = limited.call("POST", "/extract", named)
    assert status == 200 and article["source"] == "ferry.html"


@pytest.mark.slow
def test_access_log_names_the_key_by_its_id_only(limited):
    limited.call("POST", "/detect", {"q": "Hello", "api_key": KEYS[1]})
    log = limited.log.read_text(encoding="utf-8")
    line = next(line for line in log.splitlines() if key_id(KEYS[1]) in line)
    time_ = r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00"
    match = re.search(time_ + r" 127\.0\.0\.1 \w{8} \w+ POST /detect (\d{3}) (\d+)B [\d.]+ms", line)
    assert match and match[1] == "200" and int(match[2]) > 0, line
    assert not any(key in log for key in KEYS)


@pytest.mark.slow
def test_metrics_are_prometheus_text(limited):
    limited.call("POST", "/brief", {"text": ARTICLE, "api_key": KEYS[1]})
    with urllib.request.urlopen(limited.url + "/metrics", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    assert re.search(r'briefly_requests_total\{path="/detect",status="200"\} [1-9]', text)
    assert 'briefly_request_seconds_bucket{le="+Inf",path="/brief"}' in text
    assert re.search(r'briefly_batch_size_count\{kind="brief"\} [1-9]', text)
    assert "briefly_queue_depth 0.0" in text


@pytest.mark.slow
def test_docs_load_nothing_from_other_hosts(limited):
    with urllib.request.urlopen(limited.url + "/docs", timeout=30) as response:
        page = response.read().decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        with urllib.request.urlopen(limited.url + asset, timeout=30) as response:
            assert response.status == 200
