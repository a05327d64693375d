"""What a benchmark ran on and with: machine, software versions, and the models it used.

Every result line carries an :func:`environment` record, so a figure is never read without the
hardware and versions that produced it.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from briefly.errors import UsageError
from briefly.models.hub import resolve_device

# The checkout holding ``benchmarks`` and ``tests``, which child processes import.
_REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Environment:
    """The machine and software a result was measured with."""

    machine: str  # label results are grouped by, e.g. "cpu-2core-x86_64"
    cpu: str  # CPU model name
    cpu_cores: int | None  # physical cores (logical where the count of physical is unknown)
    cpu_threads: int | None  # logical CPUs
    ram_gb: float | None  # total system memory
    gpu: str | None  # CUDA device name, None without CUDA
    gpu_memory_mb: int | None  # CUDA device memory, None without CUDA
    python: str  # interpreter version
    torch: str | None  # package versions; None where the package is not installed
    transformers: str | None
    ctranslate2: str | None
    briefly: str | None
    device: str  # "cpu" or "cuda", as asked for
    backend: str  # "torch" or "ct2"
    compute_type: str | None  # dtype or CTranslate2 compute type, None for the backend default
    git_commit: str  # HEAD of the checkout, "unknown" outside a git repository
    date: str  # when the record was made, ISO 8601 UTC


def environment(
    device: str, backend: str, compute_type: str | None, machine: str | None = None
) -> dict:
    """The record included in every result line; ``machine`` overrides the derived label."""
    gpu, gpu_memory_mb = _gpu()
    cores, threads = _cores()
    return asdict(
        Environment(
            machine=machine or machine_label(),
            cpu=_cpu_model(),
            cpu_cores=cores,
            cpu_threads=threads,
            ram_gb=_ram_gb(),
            gpu=gpu,
            gpu_memory_mb=gpu_memory_mb,
            python=platform.python_version(),
            torch=_version("torch"),
            transformers=_version("transformers"),
            ctranslate2=_version("ctranslate2"),
            briefly=_version("briefly"),
            device=device,
            backend=backend,
            compute_type=compute_type,
            git_commit=_git_commit(),
            date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
    )


def child_env() -> dict[str, str]:
    """The environment of a measured child process: this checkout importable, no downloads."""
    return os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        # Models are local folders by now: nothing may be fetched while timing.
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_VERBOSITY": "error",
    }


def default_out(machine: str) -> Path:
    """Where a benchmark writes its results on ``machine`` unless told otherwise (never the
    checkout: published results are copied into benchmarks/results by hand)."""
    return Path("~/.cache/briefly/benchmarks").expanduser() / machine


def machine_label() -> str:
    """A label derived from the hardware: "cpu-2core-x86_64" or "nvidia-h100-...-16core-x86_64"."""
    gpu, _ = _gpu()
    cores, _ = _cores()
    kind = _slug(gpu) if gpu else "cpu"
    return f"{kind}-{cores or 0}core-{platform.machine() or 'unknown'}"


def check_device(device: str) -> str:
    """Fail with a one-line :class:`UsageError` (exit 2) when CUDA is asked for but absent."""
    if device not in ("cpu", "cuda"):
        raise UsageError(f"Unknown device '{device}': use cpu or cuda")
    # briefly's own device choice already refuses a missing CUDA device with that message.
    return resolve_device(device)


def _gpu() -> tuple[str | None, int | None]:
    try:
        import torch
    except ImportError:
        return None, None
    if not torch.cuda.is_available():
        return None, None
    props = torch.cuda.get_device_properties(0)
    return props.name, props.total_memory // 2**20


def _cpu_model() -> str:
    # platform.processor() is empty on most Linux systems; /proc/cpuinfo names the model.
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _cores() -> tuple[int | None, int | None]:
    threads = os.cpu_count()
    try:
        import psutil
    except ImportError:
        return threads, threads
    return psutil.cpu_count(logical=False) or threads, threads


def _ram_gb() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return round(psutil.virtual_memory().total / 2**30, 1)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
