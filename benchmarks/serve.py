"""The service under load: mixed-length /translate requests sent at once against one by one.

    python -m benchmarks serve [--models tiny|replica|real] [--requests 32] [--rounds 3]
                               [--no-retries]

Starts one ``briefly serve`` in a child process on 127.0.0.1 (a free port; the extractive
summariser, so only the translator loads; otherwise briefly's defaults, so texts of any length
share a model call), warms it up, then for each round sends the same N short sentences of
mixed lengths one after another (A), then all at once (B), then as one request with all N in
``q`` (one batched call). Every request has a timeout, and the server is stopped after the
rounds. It reports the medians:

- throughput of the concurrent requests over the sequential ones (target: at least 5x);
- p95 latency of the concurrent requests over the latency of the one batched call
  (target: below 2x);
- the model's own batch gain (the sequential time over the one batched call), which bounds
  the first figure: batching across requests can at best reach what batching gives the model;
- per side, the model calls the engine made and the tokens it decoded (from ``/health``), so
  that unequal work (the guards retrying random output differently) is visible.

The figures and the machine and versions they come from are printed and appended as one JSON
line to ``serve.jsonl`` in the results folder, as ``run`` writes (``--out``, default
``~/.cache/briefly/benchmarks/MACHINE``); the published lines are copied from there into
``benchmarks/results/serve/``. ``python -m benchmarks run --parts serve`` takes the same
measurement into its rows (``serve-sequential`` and ``serve-concurrent``).
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from benchmarks.environment import child_env, default_out, environment, machine_label
from benchmarks.memory import RssPeak
from benchmarks.models import model_set
from benchmarks.rows import percentile
from briefly.errors import UsageError

THROUGHPUT_TARGET = 5.0
P95_TARGET = 2.0
REQUESTS = 32
_LANGUAGE = "uk"
_START_TIMEOUT_S = 600
# A request that takes longer fails the measurement instead of holding it up.
REQUEST_TIMEOUT_S = 120
# Short sentences (in words) keep a round to seconds on a CPU replica.
_WORDS = (4, 16)


@dataclass(frozen=True)
class Side:
    """One way of sending a round's sentences: its wall time and what the server did."""

    seconds: float
    latencies: tuple[float, ...]  # per request
    tokens: int  # decoded by the server's engines, special tokens left out
    engine_calls: int  # batches the engines generated


@dataclass(frozen=True)
class Round:
    sequential: Side  # one request after another
    concurrent: Side  # all requests at once
    batched: Side  # one request with every sentence

    @property
    def speedup(self) -> float:
        return self.sequential.seconds / self.concurrent.seconds

    @property
    def batch_gain(self) -> float:
        """The same sentences sent one by one against one batched call: the model's ceiling."""
        return self.sequential.seconds / self.batched.seconds

    @property
    def p95_ratio(self) -> float:
        return percentile(sorted(self.concurrent.latencies), 0.95) / self.batched.seconds


def run(args) -> int:
    """The ``serve`` command of ``python -m benchmarks``: measure, print, append."""
    if args.requests < 2 or args.rounds < 1:
        raise UsageError("--requests must be at least 2 and --rounds at least 1")
    models = model_set(args.models, (_LANGUAGE,), args.replica_dir)
    sentences = mixed_sentences(args.requests)
    server = Server(
        models.paths[f"translator:{_LANGUAGE}"],
        device=args.device,
        backend=args.backend,
        compute_type=args.compute_type,
        batch_wait_ms=args.batch_wait_ms,
        retries=args.retries,
    )
    with server:
        rounds = measure(server, sentences, args.rounds)
    summary = {
        "sequential_rps": statistics.median(args.requests / r.sequential.seconds for r in rounds),
        "concurrent_rps": statistics.median(args.requests / r.concurrent.seconds for r in rounds),
        "concurrent_p95_s": statistics.median(
            percentile(sorted(r.concurrent.latencies), 0.95) for r in rounds
        ),
        "batched_call_s": statistics.median(r.batched.seconds for r in rounds),
        "speedup": statistics.median(r.speedup for r in rounds),
        "p95_over_batched_call": statistics.median(r.p95_ratio for r in rounds),
        "batch_gain": statistics.median(r.batch_gain for r in rounds),
    }
    machine = args.machine or machine_label()
    record = {
        "benchmark": "serve",
        "models": models.kind,
        "requests": args.requests,
        "retries": args.retries,
        "rounds": [asdict(r) for r in rounds],
        "batch_wait_ms": args.batch_wait_ms,
        "summary": {k: round(v, 4) for k, v in summary.items()},
        "environment": environment(args.device, args.backend, args.compute_type, machine),
    }
    out = (args.out or default_out(machine)).expanduser() / "serve.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    _print(summary, rounds, args, models.kind)
    print(f"results appended to {out}")
    return 0


def measure(server: Server, sentences: list[str], rounds: int) -> list[Round]:
    """``rounds`` rounds of ``sentences`` against a started ``server``, after a warm-up."""
    server.post({"q": sentences[:4], "target": server.language})
    server.post({"q": sentences[0], "target": server.language})
    return [_round(server, sentences) for _ in range(rounds)]


def _round(server: Server, sentences: list[str]) -> Round:
    def one(sentence: str) -> float:
        sent = time.perf_counter()
        server.post({"q": sentence, "target": server.language})
        return time.perf_counter() - sent

    def sequential() -> list[float]:
        return [one(sentence) for sentence in sentences]

    def concurrent() -> list[float]:
        latencies = [0.0] * len(sentences)
        failures: list[OSError] = []
        gate = threading.Barrier(len(sentences))

        def send(i: int) -> None:
            gate.wait()
            try:
                latencies[i] = one(sentences[i])
            except OSError as e:  # a timeout or an error status: the round is void
                failures.append(e)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sentences))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise UsageError(f"{len(failures)} concurrent request(s) failed: {failures[0]}")
        return latencies

    def batched() -> list[float]:
        sent = time.perf_counter()
        server.post({"q": sentences, "target": server.language})
        return [time.perf_counter() - sent]

    return Round(*(_side(server, send) for send in (sequential, concurrent, batched)))


def _side(server: Server, send) -> Side:
    before = server.health()
    started = time.perf_counter()
    latencies = send()
    seconds = time.perf_counter() - started
    after = server.health()
    return Side(
        seconds=seconds,
        latencies=tuple(latencies),
        tokens=after["decoded_tokens"] - before["decoded_tokens"],
        engine_calls=after["engine_calls"] - before["engine_calls"],
    )


def mixed_sentences(n: int) -> list[str]:
    """``n`` short generated news sentences (4 to 16 words), each length about as often."""
    from briefly.stages.text import sentences
    from tests.support.text import news_corpus

    low, high = _WORDS
    by_words: dict[int, list[str]] = {}
    for sentence in dict.fromkeys(s for article in news_corpus(16) for s in sentences(article)):
        if low <= len(sentence.split()) <= high:
            by_words.setdefault(len(sentence.split()), []).append(sentence)
    # One of each length in turn, so that short and long sentences are as many.
    pool = [s for group in itertools.zip_longest(*by_words.values()) for s in group if s]
    if len(pool) < n:
        raise UsageError(f"Only {len(pool)} sentences to send: use --requests {len(pool)}")
    chosen = pool[:n]
    # Lengths arrive mixed, as a service's requests do, the same order every run.
    random.Random(0).shuffle(chosen)
    return chosen


class Server:
    """``briefly serve`` for one translator in a child process, for a ``with`` block.

    Default service options except the guards' ``retries``; it stops by SIGTERM at the end of
    the block. ``load_s`` is the time from spawn to ready, ``peak_rss_mb`` the child's peak.
    """

    def __init__(
        self,
        translator: str,
        *,
        device: str,
        backend: str,
        compute_type: str | None,
        batch_wait_ms: float = 10.0,
        retries: bool = True,
        language: str = _LANGUAGE,
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.language = language
        options = {
            "summarizer": "extractive",
            "languages": [language],
            "translators": {language: translator},
            "device": device,
            "backend": backend,
            "compute_type": compute_type,
            "guard_retries": retries,
        }
        settings = {
            "port": port,
            "batch_wait_ms": batch_wait_ms,
            "max_queue": 1024,
            "timeout_s": REQUEST_TIMEOUT_S,
            "ui": False,
        }
        spec = json.dumps({"options": options, "settings": settings})
        self.cmd = [sys.executable, "-m", "benchmarks.serve", spec]
        self.load_s = 0.0
        self.peak_rss_mb: float | None = None
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> Server:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd, stdout=self.log, stderr=subprocess.STDOUT, env=child_env()
        )
        self._rss = RssPeak(self.proc.pid).__enter__()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.health()
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
                continue
            self.load_s = time.perf_counter() - started
            return self
        self.__exit__()
        raise UsageError(f"briefly serve did not start: run {' '.join(self.cmd)} to see why")

    def __exit__(self, *_exc) -> None:
        self._rss.__exit__()
        self.peak_rss_mb = self._rss.mb
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.seek(0)
        if self.proc.returncode:
            sys.stderr.write(self.log.read().decode(errors="replace")[-4000:])
        self.log.close()

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/health", timeout=5) as response:
            return json.loads(response.read())

    def post(self, body: dict) -> dict:
        request = urllib.request.Request(
            self.url + "/translate", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            return json.loads(response.read())


def _print(summary: dict, rounds: list[Round], args, kind: str) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def work(side: str) -> str:
        tokens = statistics.median(getattr(r, side).tokens for r in rounds)
        calls = statistics.median(getattr(r, side).engine_calls for r in rounds)
        return f"{tokens:g} tokens decoded in {calls:g} model calls"

    speedup, ratio = summary["speedup"], summary["p95_over_batched_call"]
    retries = "on" if args.retries else "off"
    print(
        f"serve: {args.requests} one-sentence /translate requests of mixed lengths, {kind} "
        f"en-{_LANGUAGE} model, {args.device}/{args.backend}, batch wait "
        f"{args.batch_wait_ms:g} ms, guards' retries {retries}, median of {args.rounds} rounds"
    )
    print(f"  sequential   {summary['sequential_rps']:8.1f} req/s  ({work('sequential')})")
    print(
        f"  concurrent   {summary['concurrent_rps']:8.1f} req/s  ({speedup:.1f}x; "
        f"{work('concurrent')})"
    )
    print(
        f"  p95 latency  {summary['concurrent_p95_s'] * 1000:8.1f} ms under concurrency; one "
        f"batched call of all {args.requests}: {summary['batched_call_s'] * 1000:.1f} ms "
        f"({ratio:.2f}x)"
    )
    print(
        f"  the model's own gain: one batched call is {summary['batch_gain']:.1f}x faster than "
        f"the {args.requests} sentences one by one (the ceiling of the concurrent speed-up)"
    )
    print(f"  throughput >= {THROUGHPUT_TARGET:g}x: {verdict(speedup >= THROUGHPUT_TARGET)}")
    print(f"  p95 < {P95_TARGET:g}x one batched call: {verdict(ratio < P95_TARGET)}")


def add_options(parser) -> None:
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help=f"requests per round ({REQUESTS})"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians reported (3)")
    parser.add_argument(
        "--batch-wait-ms", type=float, default=10.0, help="the server's batch window (10)"
    )
    parser.add_argument(
        "--no-retries",
        dest="retries",
        action="store_false",
        help="the guards' retries off (random-weight replicas trip them; real models rarely)",
    )


def _serve_child(spec: str) -> None:
    """The server process: ``briefly serve`` with options the command line has no flag for."""
    from briefly.options import BriefOptions
    from briefly.serve import ServeSettings, serve

    given = json.loads(spec)
    options = given["options"]
    options["languages"] = tuple(options["languages"])
    serve(ServeSettings(**given["settings"]), BriefOptions(**options))


if __name__ == "__main__":
    _serve_child(sys.argv[1])
