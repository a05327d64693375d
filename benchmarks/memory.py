"""Peak memory: a child's RSS polled from outside it, and GPU memory from inside a worker.

RSS is the kernel's high-water mark of the child's own address space (VmHWM): it only grows,
so the last reading before exit is the peak. getrusage's ru_maxrss would not do: it counts the
parent's RSS at the fork that started the child.

GPU memory comes from the best source present: ``torch.cuda.max_memory_allocated`` for torch
(what the allocator handed out), else NVML's device-wide figure polled during the work, else
``nvidia-smi``'s. CTranslate2 keeps no allocator statistics, so its figure is the driver's,
less what was in use before, and includes its CUDA context.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_MB = 2**20


@dataclass(frozen=True)
class Process:
    """A finished child process, as the orchestrator saw it."""

    returncode: int  # exit status
    wall_s: float  # from spawn to exit
    first_output_s: float | None  # from spawn to the first byte on stdout
    peak_rss_mb: float | None  # the child's RSS high-water mark; None where unreadable
    stderr: str  # what it wrote to stderr


def spawn(command: Sequence[str], env: dict[str, str]) -> Process:
    """Run ``command`` to completion, timing its first output and taking its peak RSS."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
        with RssPeak(child.pid) as peak:
            first = child.stdout.read(1)
            first_output_s = time.perf_counter() - started if first else None
            child.stdout.read()
            child.stdout.close()
            returncode = child.wait()
            wall_s = time.perf_counter() - started
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", "replace")
    return Process(returncode, wall_s, first_output_s, peak.mb, errors)


class RssPeak:
    """A running child's RSS high-water mark in MB (``mb``), polled while ``with`` lasts."""

    _INTERVAL_S = 0.02

    def __init__(self, pid: int) -> None:
        self.mb: float | None = None
        self._status = Path(f"/proc/{pid}/status")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while True:
            try:
                for line in self._status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.mb = round(int(line.split()[1]) / 1024, 1)
            except (OSError, ValueError, IndexError):
                pass  # the child has exited (or this is not Linux): keep the last reading
            if self._stop.wait(self._INTERVAL_S):
                return


class GpuPeak:
    """Peak GPU memory of the work done inside ``with``, in MB; None without CUDA.

    ``torch_allocator`` says whether the work allocates through torch (torch engines and the
    baseline): then the allocator's own peak is exact. Otherwise the device's used memory is
    polled (NVML, else nvidia-smi) and the peak rise over the start is taken.
    """

    _INTERVAL_S = 0.05

    def __init__(self, device: str, torch_allocator: bool) -> None:
        self.mb: float | None = None
        self.source: str | None = None
        self._device = device
        self._torch = torch_allocator
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start: float | None = None

    def __enter__(self) -> GpuPeak:
        if self._device != "cuda":
            return self
        if self._torch:
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.source = "torch.cuda.max_memory_allocated"
            return self
        self._start = device_used_mb()
        if self._start is not None:
            self.source = _used_source()
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        if self._device != "cuda":
            return
        if self._torch:
            import torch

            torch.cuda.synchronize()
            self.mb = round(torch.cuda.max_memory_allocated() / _MB, 1)
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(self._INTERVAL_S):
            used = device_used_mb()
            if used is not None and self._start is not None:
                self.mb = round(max(self.mb or 0.0, used - self._start), 1)


def device_used_mb() -> float | None:
    """Memory in use on the first visible GPU: NVML, else nvidia-smi; None where neither."""
    nvml = _nvml_used_mb()
    return nvml if nvml is not None else _smi_used_mb()


def _used_source() -> str:
    return "nvml" if _nvml_used_mb() is not None else "nvidia-smi"


def _nvml_used_mb() -> float | None:
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(_first_visible())
        return pynvml.nvmlDeviceGetMemoryInfo(handle).used / _MB
    except pynvml.NVMLError:
        return None


def _smi_used_mb() -> float | None:
    if shutil.which("nvidia-smi") is None:
        return None
    query = ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"]
    try:
        result = subprocess.run(
            [*query, "-i", str(_first_visible())], capture_output=True, text=True
        )
        return float(result.stdout.split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _first_visible() -> int:
    first = os.environ.get("CUDA_VISIBLE_DEVICES", "0").split(",")[0].strip()
    return int(first) if first.isdigit() else 0
