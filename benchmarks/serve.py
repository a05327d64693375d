"""The service under load: concurrent one-sentence /translate requests against sequential ones.

    python -m benchmarks serve [--models tiny|replica|real] [--requests 32] [--rounds 3]

Starts ``briefly serve`` on 127.0.0.1 (a free port, the extractive summariser so only the
translator loads), warms it up, then for each round sends the same N one-sentence requests
one after another, then all at once, then as one request with all N sentences in ``q`` (one
batched model call). It stops by itself after the rounds and reports the medians:

- throughput of the concurrent requests over the sequential ones (target: at least 5x);
- p95 latency of the concurrent requests over the latency of the one batched call
  (target: below 2x);
- the model's own batch gain (the sequential time over the one batched call), which bounds
  the first figure: batching across requests can at best reach what batching gives the model.

The figures and the machine and versions they come from are printed and appended as one JSON
line to ``serve.jsonl`` in the results folder, as ``run`` writes (``--out``, default
``~/.cache/briefly/benchmarks/MACHINE``); the published lines are copied from there into
``benchmarks/results/serve/``.
"""

from __future__ import annotations

import json
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

from benchmarks.environment import default_out, environment, machine_label
from benchmarks.models import ModelSet, model_set
from briefly.errors import UsageError

THROUGHPUT_TARGET = 5.0
P95_TARGET = 2.0
_LANGUAGE = "uk"
_START_TIMEOUT_S = 600


@dataclass(frozen=True)
class Round:
    """One round's figures, in seconds and requests per second."""

    requests: int
    sequential_rps: float
    concurrent_rps: float
    concurrent_p95_s: float
    batched_call_s: float

    @property
    def speedup(self) -> float:
        return self.concurrent_rps / self.sequential_rps

    @property
    def batch_gain(self) -> float:
        """The same sentences sent one by one against one batched call: the model's ceiling."""
        return self.requests / self.sequential_rps / self.batched_call_s

    @property
    def p95_ratio(self) -> float:
        return self.concurrent_p95_s / self.batched_call_s


def run(args) -> int:
    """The ``serve`` command of ``python -m benchmarks``: measure, print, append."""
    if args.requests < 2 or args.rounds < 1:
        raise UsageError("--requests must be at least 2 and --rounds at least 1")
    models = model_set(args.models, (_LANGUAGE,), args.replica_dir)
    sentences = _sentences(args.requests)
    with _server(models, args) as url:
        _post(url, {"q": sentences[:4], "target": _LANGUAGE})  # warm-up
        rounds = [_round(url, sentences) for _ in range(args.rounds)]
    summary = {
        name: statistics.median(getattr(r, name) for r in rounds)
        for name in ("sequential_rps", "concurrent_rps", "concurrent_p95_s", "batched_call_s")
    }
    summary["speedup"] = statistics.median(r.speedup for r in rounds)
    summary["p95_over_batched_call"] = statistics.median(r.p95_ratio for r in rounds)
    summary["batch_gain"] = statistics.median(r.batch_gain for r in rounds)
    machine = args.machine or machine_label()
    record = {
        "benchmark": "serve",
        "models": models.kind,
        "requests": args.requests,
        "rounds": [asdict(r) for r in rounds],
        "batch_wait_ms": args.batch_wait_ms,
        "summary": {k: round(v, 4) for k, v in summary.items()},
        "environment": environment(args.device, args.backend, args.compute_type, machine),
    }
    out = (args.out or default_out(machine)).expanduser() / "serve.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    _print(summary, args, models)
    print(f"results appended to {out}")
    return 0


def _round(url: str, sentences: list[str]) -> Round:
    started = time.perf_counter()
    for sentence in sentences:
        _post(url, {"q": sentence, "target": _LANGUAGE})
    sequential = time.perf_counter() - started

    latencies = [0.0] * len(sentences)
    gate = threading.Barrier(len(sentences) + 1)

    def one(i: int) -> None:
        gate.wait()
        sent = time.perf_counter()
        _post(url, {"q": sentences[i], "target": _LANGUAGE})
        latencies[i] = time.perf_counter() - sent

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sentences))]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    concurrent = time.perf_counter() - started

    sent = time.perf_counter()
    _post(url, {"q": sentences, "target": _LANGUAGE})
    batched = time.perf_counter() - sent
    return Round(
        requests=len(sentences),
        sequential_rps=len(sentences) / sequential,
        concurrent_rps=len(sentences) / concurrent,
        concurrent_p95_s=statistics.quantiles(latencies, n=20, method="inclusive")[-1],
        batched_call_s=batched,
    )


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url + "/translate", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def _sentences(n: int) -> list[str]:
    from briefly.stages.text import sentences
    from tests.support.text import news_corpus

    found = [s for article in news_corpus(8) for s in sentences(article) if len(s.split()) >= 8]
    if len(found) < n:
        raise UsageError(f"Only {len(found)} sentences to send: use --requests {len(found)}")
    return found[:n]


class _server:
    """``briefly serve`` in a child process, for the ``with`` block; SIGTERM at its end."""

    def __init__(self, models: ModelSet, args) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.cmd = [
            sys.executable,
            *("-m", "briefly", "serve", "--port", str(self.port), "--summarizer", "extractive"),
            *("--to", _LANGUAGE, "--translator", f"{_LANGUAGE}={models.paths['translator:uk']}"),
            *("--device", args.device, "--backend", args.backend),
            *("--batch-wait-ms", str(args.batch_wait_ms), "--max-queue", "1024"),
            *(("--compute-type", args.compute_type) if args.compute_type else ()),
        ]
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> str:
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5):
                    return url
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
        self.__exit__()
        raise UsageError("briefly serve did not start: run its command by hand to see why")

    def __exit__(self, *_exc) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.seek(0)
        if self.proc.returncode:
            sys.stderr.write(self.log.read().decode(errors="replace")[-4000:])
        self.log.close()


def _print(summary: dict, args, models: ModelSet) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    speedup, ratio = summary["speedup"], summary["p95_over_batched_call"]
    print(
        f"serve: {args.requests} one-sentence /translate requests, {models.kind} en-{_LANGUAGE} "
        f"model, {args.device}/{args.backend}, batch wait {args.batch_wait_ms:g} ms, "
        f"median of {args.rounds} rounds"
    )
    print(f"  sequential   {summary['sequential_rps']:8.1f} req/s")
    print(f"  concurrent   {summary['concurrent_rps']:8.1f} req/s  ({speedup:.1f}x)")
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
    parser.add_argument("--requests", type=int, default=32, help="requests per round (32)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians reported (3)")
    parser.add_argument(
        "--batch-wait-ms", type=float, default=10.0, help="the server's batch window (10)"
    )
