"""Helpers for the consortium tests: processes under a directory, cleanup, node figures."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from node.config import load_config
from node.devnet.layout import ConsortiumDoc
from node.devnet.lifecycle import consortium_down
from node.store import RECORDS_LOG, open_store


def processes_under(root: Path) -> list[int]:
    """Pids of live (non-zombie) processes whose command line mentions ``root``."""
    needle = str(root.resolve()).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def teardown(root: Path) -> None:
    """``consortium down``, then SIGKILL anything still running from ``root``."""
    with contextlib.suppress(Exception):
        consortium_down(root, timeout=5.0)
    for pid in processes_under(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while processes_under(root) and time.monotonic() < deadline:
        time.sleep(0.05)


def store_log(doc: ConsortiumDoc, province: str) -> tuple[int, bytes]:
    """The record log's size and root, read straight from the node's database."""
    config = load_config(Path(doc.provinces[province].config))
    store = open_store(config.database.url, config.keystore.url)
    try:
        size = store.log_size(RECORDS_LOG)
        return size, store.log_root(RECORDS_LOG, size)
    finally:
        store.engine.dispose()


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait until ``pid`` is no more (reaping it if it is our child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        if state == "Z":
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")
