"""``briefly serve`` in a subprocess on 127.0.0.1, and calls to it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import PROCESS_TIMEOUT_S


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log

    def call(self, method: str, path: str, body=None, *, form: bool = False, headers=None):
        """(status, headers, parsed JSON) for one request."""
        data = None
        headers = dict(headers or {})
        if isinstance(body, bytes):
            data = body
        elif body is not None and form:
            data = urllib.parse.urlencode(body, doseq=True).encode()
        elif body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def model_args_for(summarizer: Path, translators: dict[str, Path]) -> list[str]:
    args = ["--summarizer", str(summarizer), "--to", "uk,ru", "--device", "cpu"]
    for lang in ("uk", "ru"):
        args += ["--translator", f"{lang}={translators[lang]}"]
    return args


def start(tmp: Path, model_args: list[str], *extra: str) -> Server:
    port = free_port()
    log = tmp / f"serve-{port}.log"
    cmd = [sys.executable, "-m", "briefly", "serve", "--port", str(port), *model_args, *extra]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"briefly serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if server.call("GET", "/health")[0] == 200:
                return server
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"briefly serve did not start:\n{log.read_text()}")


def stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
