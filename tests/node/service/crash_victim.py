"""A ``credit-node serve`` process to SIGKILL again and again, restarted without paying for
its imports each time.

Python's imports of the node (web3, grpc, SQLAlchemy, …) cost 1.5 CPU-seconds — over 15 s
of wall time on a loaded machine — far more than the node's own start. So a *fork server*
imports them once: for each ``start`` it forks a child that runs the real ``serve`` command
(opening the database, recovering, binding the node's port) exactly as after a cold
start, and reports the child's pid; the test SIGKILLs that pid. The fork server has
created no gRPC object (imports only), so its children start clean.

Both die with the test: the fork server arms ``PR_SET_PDEATHSIG`` itself (it is started
without a ``preexec_fn``: Python code run between fork and exec in a process where gRPC
threads live can abort the child), and arms it again in each child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from node.runtime.serve_file import SERVE_FILE, read_serve_file

REPO = Path(__file__).resolve().parents[3]
_FORK_SERVER = r"""
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
def die_with(parent):
    libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
die_with(int(sys.argv[2]))
import node.runtime.node, node.cli.serve_cmd
from node.cli.main import main
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
print("ready", flush=True)
for line in sys.stdin:
    log = line.strip()
    if not log:
        break
    me = os.getpid()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with(me)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0); os.dup2(fd, 1); os.dup2(fd, 2)
        code = 1
        try:
            code = main(["serve", "--config", sys.argv[1]])
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
    print(pid, flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie until its parent reaps it: dead for our purpose.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        assert time.monotonic() < deadline, f"process {pid} still alive"
        time.sleep(0.01)


class Victim:
    """The serving process of one node directory; ``start``, ``kill``, ``stop``."""

    def __init__(self, config: Path, logs: Path) -> None:
        """Start the fork server (it imports while the caller builds ``config``'s node);
        the fork server logs into ``logs``."""
        self.config = config
        self.root = config.parent
        self._server_log = logs / "fork-server.log"
        self.pid: int | None = None
        self.restart_seconds: list[float] = []
        self._count = 0
        self._server = subprocess.Popen(
            [sys.executable, "-c", _FORK_SERVER, str(config), str(os.getpid())], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._server_log.open("ab"))
        self._ready_said = False

    def _read_line(self) -> str:
        """The fork server's next line (it answers at once, or dies and the pipe ends)."""
        assert self._server.stdout is not None
        line = self._server.stdout.readline().decode().strip()
        assert line, "the fork server ended: " + self._server_log.read_text()
        return line

    @property
    def log(self) -> Path:
        return self.root / f"serve-{self._count:02d}.log"

    def start(self, timeout: float = 60.0) -> None:
        """Fork a serving process; return once it wrote its serve file."""
        assert self._server.stdin is not None and self.pid is None
        if not self._ready_said:
            assert self._read_line() == "ready"
            self._ready_said = True
        (self.root / SERVE_FILE).unlink(missing_ok=True)
        self._count += 1
        started = time.monotonic()
        self._server.stdin.write(f"{self.log}\n".encode())
        self._server.stdin.flush()
        self.pid = int(self._read_line())
        while not self._ready(self.pid):
            assert time.monotonic() - started < timeout, "serve did not come up in time"
            time.sleep(0.01)
        self.restart_seconds.append(time.monotonic() - started)

    def _ready(self, pid: int) -> bool:
        assert _alive(pid), "serve exited: " + self.log.read_text(errors="replace")[-3000:]
        try:
            return bool(read_serve_file(self.root)["pid"] == pid)
        except (OSError, ValueError, KeyError):
            return False

    def kill(self) -> None:
        """SIGKILL the serving process; return once it is gone."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        _gone(self.pid, 10)
        self.pid = None

    def stop(self) -> None:
        """SIGTERM the serving process (it must stop cleanly), then end the fork server."""
        if self.pid is not None and _alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            _gone(self.pid, 30)
            assert '"node stopped"' in self.log.read_text(errors="replace"), self.log
        self.pid = None
        if self._server.stdin is not None and not self._server.stdin.closed:
            self._server.stdin.close()
        self._server.wait(30)
