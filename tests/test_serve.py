"""``briefly serve``: the batcher alone, then real servers on 127.0.0.1 with the tiny models."""

from __future__ import annotations

import asyncio
import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from libretranslatepy import LibreTranslateAPI
from typer.testing import CliRunner

from briefly.cli.app import app as cli_app
from briefly.serve.batcher import Batcher, QueueFull
from tests.support.serving import model_args_for, start, stop

ARTICLE = (
    "The minister said on Monday that talks with Kenya would resume next week.\n\n"
    "Officials in Nairobi welcomed the news and said a first meeting was planned for Friday.\n\n"
    "The talks had stalled in the spring after a dispute over port fees."
)
SENTENCES = [f"The minister of {c} said the talks would resume on Friday." for c in "ABCDEFGHIJ"]
KEY = "test-key-1"

# ---------------------------------------------------------------------------------------------
# The batcher, with a fake model
# ---------------------------------------------------------------------------------------------


def test_batcher_shares_calls_only_between_equal_keys_and_retries_a_failed_batch_alone():
    calls: list[tuple[str, list[str]]] = []

    def run_batch(key, items, _stopped):
        calls.append((key, list(items)))
        if "bad" in items:
            raise ValueError("bad item")
        return [f"{key}:{item}" for item in items]

    async def main():
        batcher = Batcher(run_batch, wait_s=0.05, max_cost=100, max_queued=100)
        batcher.start()
        jobs = [batcher.submit(k, i, 1) for k, i in [("a", "1"), ("b", "2"), ("a", "3")]]
        jobs.append(batcher.submit("a", "bad", 1))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        await batcher.stop()
        return results

    results = asyncio.run(main())
    assert results[:3] == ["a:1", "b:2", "a:3"]
    assert isinstance(results[3], ValueError)
    assert all(len({key}) == 1 for key, _ in calls)
    assert ("a", ["1", "3", "bad"]) in calls and ("b", ["2"]) in calls
    # The failed batch of three was retried one by one.
    assert ("a", ["1"]) in calls and ("a", ["bad"]) in calls


def test_batcher_respects_the_cost_budget_and_the_queue_bound():
    sizes: list[int] = []

    def run_batch(_key, items, _stopped):
        sizes.append(len(items))
        return list(items)

    async def main():
        batcher = Batcher(run_batch, wait_s=0.05, max_cost=3, max_queued=5)
        batcher.start()
        jobs = [asyncio.ensure_future(batcher.submit("k", i, 1)) for i in range(5)]
        await asyncio.sleep(0)
        with pytest.raises(QueueFull):
            await batcher.submit("k", 99, 1)
        results = await asyncio.gather(*jobs)
        await batcher.stop()
        return results

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
    assert max(sizes) <= 3 and sum(sizes) == 5


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a)
    )
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2
    assert "pip install 'briefly[serve]'" in result.output


# ---------------------------------------------------------------------------------------------
# Real servers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_args(tiny_summarizer, tiny_translators) -> list[str]:
    return model_args_for(tiny_summarizer, tiny_translators)


@pytest.fixture(scope="module")
def server(tmp_path_factory, model_args):
    # --deterministic: the guarantee that lets concurrent answers equal sequential ones.
    started = start(
        tmp_path_factory.mktemp("serve"), model_args, "--batch-wait-ms", "20", "--deterministic"
    )
    yield started
    stop(started)


@pytest.fixture(scope="module")
def strict(tmp_path_factory, model_args):
    """Keys, URLs allowed, small limits and a long batch window to fill the queue."""
    tmp = tmp_path_factory.mktemp("serve-strict")
    keys = tmp / "keys.txt"
    keys.write_text(f"# operators' keys\n{KEY}\nsecond-key\n", encoding="utf-8")
    started = start(
        tmp,
        model_args,
        *("--api-keys", str(keys), "--allow-urls", "--max-body-bytes", "4000"),
        *("--max-chars", "1000", "--max-queue", "2", "--batch-wait-ms", "1000"),
    )
    yield started
    stop(started)


@pytest.mark.slow
def test_health_and_models(server):
    status, headers, health = server.call("GET", "/health")
    assert status == 200 and health["status"] == "ready"
    assert headers["X-Request-ID"]
    status, _, models = server.call("GET", "/models")
    assert status == 200
    assert models["device"] == "cpu"
    assert set(models["models"]) == {"summarizer", "translator:uk", "translator:ru"}
    assert all(m["backend"] in ("torch", "ct2") for m in models["models"].values())
    assert models["options"]["languages"] == ["uk", "ru"]


@pytest.mark.slow
def test_brief_is_the_object_briefly_brief_prints(server, model_args, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "briefly", "brief", str(article), "--format", "json", *model_args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    status, _, served = server.call("POST", "/brief", {"text": ARTICLE})
    assert status == 200
    assert set(served) == set(expected)
    for field in ("title", "language", "brief", "translations", "models", "chunks", "warnings"):
        assert served[field] == expected[field], field
    status, _, one = server.call("POST", "/brief", {"text": ARTICLE, "to": ["uk"]})
    assert status == 200 and one["translations"] == {"uk": expected["translations"]["uk"]}
    english_only = {"text": ARTICLE, "to": "none", "max_words": 8}
    status, _, short = server.call("POST", "/brief", english_only)
    assert status == 200 and short["translations"] == {}


@pytest.mark.slow
def test_brief_and_extract_take_html(server):
    page = f"<html><head><title>Talks resume</title></head><body><article>{ARTICLE}</article>"
    page = page.replace("\n\n", "</p><p>") + "</body></html>"
    status, _, article = server.call("POST", "/extract", {"html": page})
    assert status == 200
    assert set(article) == {"source", "title", "author", "published", "language", "body", "removed"}
    assert "port fees" in article["body"]
    status, _, brief = server.call("POST", "/brief", {"html": page})
    assert status == 200 and set(brief["translations"]) == {"uk", "ru"}


@pytest.mark.slow
def test_translate_in_libretranslate_shapes(server):
    status, _, one = server.call("POST", "/translate", {"q": SENTENCES[0], "target": "uk"})
    assert status == 200 and isinstance(one["translatedText"], str) and one["translatedText"]
    status, _, many = server.call("POST", "/translate", {"q": SENTENCES[:3], "target": "uk"})
    assert status == 200 and many["translatedText"][0] == one["translatedText"]
    assert len(many["translatedText"]) == 3
    status, _, form = server.call(
        "POST", "/translate", {"q": SENTENCES[0], "source": "en", "target": "uk"}, form=True
    )
    assert status == 200 and form == one
    status, _, auto = server.call(
        "POST", "/translate", {"q": SENTENCES[0], "source": "auto", "target": "uk"}
    )
    assert auto["translatedText"] == one["translatedText"]
    assert auto["detectedLanguage"]["language"] == "en"
    html = f"<p>{SENTENCES[0]} <b>{SENTENCES[1]}</b></p>"
    status, _, marked = server.call(
        "POST", "/translate", {"q": html, "target": "uk", "format": "html"}
    )
    assert status == 200
    assert marked["translatedText"].startswith("<p>") and "<b>" in marked["translatedText"]
    status, _, error = server.call("POST", "/translate", {"q": "x", "target": "de"})
    assert status == 400 and "uk, ru" in error["error"]


@pytest.mark.slow
def test_detect_and_languages(server):
    status, _, found = server.call("POST", "/detect", {"q": SENTENCES[0]})
    assert status == 200 and found[0]["language"] == "en" and 0 < found[0]["confidence"] <= 100
    status, _, listed = server.call("GET", "/languages")
    assert status == 200
    assert listed[0] == {"code": "en", "name": "English", "targets": ["uk", "ru"]}
    assert {entry["code"] for entry in listed} == {"en", "uk", "ru"}


@pytest.mark.slow
def test_openapi_docs(server):
    status, _, schema = server.call("GET", "/openapi.json")
    assert status == 200 and {"/brief", "/translate", "/detect"} <= set(schema["paths"])
    with urllib.request.urlopen(server.url + "/docs", timeout=30) as response:
        assert response.status == 200


@pytest.mark.slow
def test_libretranslatepy_client_works_unchanged(server):
    client = LibreTranslateAPI(server.url)
    _, _, direct = server.call("POST", "/translate", {"q": SENTENCES[1], "target": "ru"})
    assert client.translate(SENTENCES[1], "en", "ru") == direct["translatedText"]
    assert client.detect(SENTENCES[1])[0]["language"] == "en"
    assert "uk" in {entry["code"] for entry in client.languages()}


@pytest.mark.slow
def test_fifty_concurrent_requests_equal_sequential_ones(server):
    requests = [
        ("/translate", {"q": SENTENCES[i % len(SENTENCES)], "target": ("uk", "ru")[i % 2]})
        for i in range(46)
    ] + [("/brief", {"text": ARTICLE, "to": ["uk"]})] * 4
    sequential = [server.call("POST", path, body)[2] for path, body in requests]
    before = server.call("GET", "/health")[2]
    with ThreadPoolExecutor(len(requests)) as pool:
        answers = list(pool.map(lambda r: server.call("POST", *r), requests))
    after = server.call("GET", "/health")[2]
    assert [status for status, _, _ in answers] == [200] * len(requests)

    def comparable(answer):
        return {k: v for k, v in answer.items() if k != "timings"}

    assert [comparable(a) for _, _, a in answers] == [comparable(s) for s in sequential]
    # They were batched: fewer model calls than requests.
    jobs = after["jobs_done"] - before["jobs_done"]
    assert jobs == len(requests) and after["model_calls"] - before["model_calls"] < jobs
    assert after["decoded_tokens"] > before["decoded_tokens"]
    assert after["engine_calls"] > before["engine_calls"]


@pytest.mark.slow
def test_malformed_and_incomplete_requests_get_a_message(server):
    status, _, error = server.call(
        "POST", "/translate", b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400 and "JSON" in error["error"]
    status, _, error = server.call("POST", "/translate", {"q": "Hello there."})
    assert status == 422 and "target" in error["error"]
    status, _, error = server.call("POST", "/brief", {"text": ARTICLE, "url": "http://x.org"})
    assert status == 422 and "exactly one" in error["error"]
    status, _, error = server.call("POST", "/brief", {"text": ARTICLE, "length": "huge"})
    assert status == 422 and "length" in error["error"]
    status, _, error = server.call("POST", "/brief", {"text": "   "})
    assert status == 422 and "empty" in error["error"]
    status, _, error = server.call("GET", "/nowhere")
    assert status == 404 and error == {"error": "Not Found"}


@pytest.mark.slow
def test_urls_need_allow_urls(server):
    status, _, error = server.call("POST", "/brief", {"url": "https://example.com/news"})
    assert status == 403 and "--allow-urls" in error["error"]


@pytest.mark.slow
def test_api_keys_are_enforced(strict):
    body = {"q": SENTENCES[0], "target": "uk"}
    status, _, error = strict.call("POST", "/translate", body)
    assert status == 401 and "api_key" in error["error"]
    status, _, error = strict.call("POST", "/translate", body | {"api_key": "wrong"})
    assert status == 403 and "Invalid API key" in error["error"]
    status, _, error = strict.call("GET", "/models?api_key=wrong")
    assert status == 403
    assert strict.call("GET", "/models?api_key=second-key")[0] == 200
    assert strict.call("GET", "/health")[0] == 200
    status, _, answer = strict.call("POST", "/translate", body | {"api_key": KEY}, form=True)
    assert status == 200
    assert (
        LibreTranslateAPI(strict.url, KEY).translate(SENTENCES[0], "en", "uk")
        == (answer["translatedText"])
    )


@pytest.mark.slow
def test_oversized_bodies_and_articles_get_413(strict):
    status, _, error = strict.call("POST", "/brief", {"text": "word " * 1000, "api_key": KEY})
    assert status == 413 and "4,000 bytes" in error["error"]
    status, _, error = strict.call("POST", "/brief", {"text": "word " * 300, "api_key": KEY})
    assert status == 413 and "1,000 characters" in error["error"]
    # A body sent in chunks, with no length given up front, is counted as it arrives.
    connection = http.client.HTTPConnection("127.0.0.1", strict.port, timeout=60)
    chunks = (json.dumps({"q": "word " * 200, "api_key": KEY}).encode() for _ in range(5))
    connection.request(
        "POST", "/translate", body=chunks, headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    assert response.status == 413 and "error" in json.loads(response.read())
    connection.close()


@pytest.mark.slow
def test_urls_to_private_addresses_are_refused(strict):
    for url in (
        f"http://127.0.0.1:{strict.port}/health",  # the server itself
        f"http://localhost:{strict.port}/health",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        f"http://[::1]:{strict.port}/",
    ):
        status, _, error = strict.call("POST", "/brief", {"url": url, "api_key": KEY})
        assert status == 400, url
        assert "private, loopback or link-local" in error["error"], url


@pytest.mark.slow
def test_a_full_queue_answers_503_with_retry_after(strict):
    body = {"q": SENTENCES[2], "target": "ru", "api_key": KEY}
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda _: strict.call("POST", "/translate", body), range(12)))
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {200, 503} and 200 in statuses and 503 in statuses
    busy = next(a for a in answers if a[0] == 503)
    assert busy[1]["Retry-After"] and "busy" in busy[2]["error"]
    assert strict.call("GET", "/health")[0] == 200  # still serving


@pytest.mark.slow
def test_sigterm_finishes_requests_in_flight_and_refuses_new_ones(tmp_path, model_args):
    server = start(tmp_path, model_args, "--batch-wait-ms", "3000")
    try:
        with ThreadPoolExecutor(1) as pool:
            body = {"q": SENTENCES[3], "target": "uk"}
            in_flight = pool.submit(server.call, "POST", "/translate", body)
            while server.call("GET", "/health")[2]["queued"] == 0:
                time.sleep(0.01)
            os.kill(server.proc.pid, signal.SIGTERM)
            while (answer := server.call("GET", "/health"))[0] == 200:
                time.sleep(0.01)
            assert answer[0] == 503 and "shutting down" in answer[2]["error"]
            status, headers, error = server.call("POST", "/translate", body)
            assert status == 503 and headers["Retry-After"]
            status, _, done = in_flight.result()
        assert status == 200 and done["translatedText"]
        assert server.proc.wait(timeout=60) == 0
    finally:
        stop(server)
