"""Detached processes: start one that outlives us, tell whether it still runs, stop it.

A consortium's anvil and nodes must keep running after ``credit-node consortium up``
returns, so they are started in their own session (``start_new_session``: their pid is
their process group id, and a Ctrl-C in the terminal does not reach them) with output
appended to a log file. A pid alone may be reused by an unrelated process after a
reboot, so "running" also means: its command line contains a ``marker`` we chose (the
node's config path, anvil's state file).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ledger.child_process import die_with_parent_if_asked

__all__ = ["is_running", "log_tail", "spawn_detached", "stop_processes"]

_TAIL_LINES: Final = 20
# Popen objects of the children this process started: kept so they are reaped (no
# zombies while we live) and never garbage-collected with a "still running" warning.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def spawn_detached(argv: Sequence[str], log_path: Path, *, cwd: Path | None = None) -> int:
    """Start ``argv`` in a new session, stdout and stderr appended to ``log_path``.

    Returns its pid. Raises OSError when the program cannot be started.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - argv built by the caller, no shell
            list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            cwd=cwd, start_new_session=True, preexec_fn=die_with_parent_if_asked(),
        )
    _CHILDREN[process.pid] = process
    return process.pid


def _proc_state(pid: int) -> str | None:
    """The one-letter state in /proc/<pid>/stat, or None without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else None


def _cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", errors="replace")


def is_running(pid: int | None, marker: str) -> bool:
    """Whether process ``pid`` is alive (not a zombie) and its command line holds ``marker``."""
    if pid is None or pid <= 0:
        return False
    child = _CHILDREN.get(pid)
    if child is not None:
        # Our own unreaped child: its pid cannot have been reused. (Its command line may
        # still read empty for a moment around exec, so it is not consulted.)
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    if _proc_state(pid) == "Z":
        return False
    cmdline = _cmdline(pid)
    return cmdline is None or marker in cmdline  # None: no /proc, trust the pid


def _signal(pid: int, signum: signal.Signals) -> None:
    try:
        if os.getpgid(pid) == pid:  # a session leader we started: reach its whole group
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _wait_gone(pid: int, marker: str, deadline: float) -> bool:
    delay = 0.02
    while is_running(pid, marker):
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    return True


def stop_processes(targets: Sequence[tuple[int | None, str]], *,
                   timeout: float = 15.0) -> list[str]:
    """Stop each ``(pid, marker)``: SIGTERM all at once (each to its group if it leads
    one), SIGKILL whatever still runs ``timeout`` seconds later.

    Returns, per target, ``"not running"``, ``"stopped"`` or ``"killed"``. Raises OSError
    when one still runs 5 seconds after SIGKILL.
    """
    outcome = ["not running" if not is_running(pid, m) else "" for pid, m in targets]
    for (pid, _), result in zip(targets, outcome, strict=True):
        if not result and pid is not None:
            _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for i, (pid, marker) in enumerate(targets):
        if outcome[i] or pid is None:
            continue
        if _wait_gone(pid, marker, deadline):
            outcome[i] = "stopped"
            continue
        _signal(pid, signal.SIGKILL)
        if not _wait_gone(pid, marker, time.monotonic() + 5.0):
            raise OSError(f"process {pid} still runs 5 s after SIGKILL")
        outcome[i] = "killed"
    return outcome


def log_tail(path: Path, lines: int = _TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ("" when it cannot be read)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16_384))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])
