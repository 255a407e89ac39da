"""The machine and software a `make bench` run measured on: figures only compare within a run
and between runs on the same machine, so every result file carries both."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, object]:
    """Cores, CPU model (/proc/cpuinfo) and memory (/proc/meminfo) of this machine."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu_model": model,
            "memory_gib": round(mem_kib / 2**20, 1), "os": platform.platform()}


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Python, the libraries on the measured paths, and the anvil binary."""
    anvil: str | None = None
    try:
        done = subprocess.run([str(ROOT / "node_modules" / ".bin" / "anvil"), "--version"],
                              capture_output=True, text=True, timeout=20, check=False)
        anvil = done.stdout.strip().splitlines()[0] if done.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        anvil = None
    return {"python": platform.python_version(), "grpcio": _version("grpcio"),
            "sqlalchemy": _version("sqlalchemy"), "web3": _version("web3"), "anvil": anvil}
