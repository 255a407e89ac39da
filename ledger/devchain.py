"""Start and stop a local anvil dev chain on 127.0.0.1.

Usage::

    with DevChain.start(state_path=Path("chain.json")) as chain:
        client = LedgerClient(chain.rpc_url, ...)

With a state path anvil loads the file at start and dumps it every second and on SIGTERM,
so a chain survives a restart (a SIGKILL loses at most about one second of blocks).
anvil dies with the process that started it, even when that process is SIGKILLed
(see ``ledger.child_process``): the native binary is run directly for that reason.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from ledger.child_process import die_with_parent
from ledger.devkeys import DEV_KEYS, DEV_MNEMONIC
from ledger.errors import DevChainError

DEV_CHAIN_ID = 31337
_PORT_ATTEMPTS = 3
_STDERR_TAIL_LINES = 20


def repo_root() -> Path:
    """The repository root: two levels above this file (`<root>/ledger/devchain.py`)."""
    return Path(__file__).resolve().parent.parent


def anvil_binary() -> Path:
    """The anvil executable: `$ANVIL_BIN` if set, else the native binary npm installed under
    `<repo>/node_modules/@foundry-rs/anvil-<platform>/bin/anvil`, else the node wrapper
    `<repo>/node_modules/.bin/anvil` (which runs the native binary as a child process)."""
    override = os.environ.get("ANVIL_BIN")
    modules = repo_root() / "node_modules"
    if override:
        candidates = [Path(override)]
    else:
        candidates = sorted(modules.glob("@foundry-rs/anvil-*/bin/anvil"))
        candidates.append(modules / ".bin" / "anvil")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise DevChainError(
        f"anvil not found or not executable at {candidates[-1]}: run `npm ci` in "
        f"{repo_root()} or set ANVIL_BIN to the anvil binary"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, then close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def anvil_command(
    binary: Path, port: int, chain_id: int, state_path: Path | None,
    block_time: float | None = None,
) -> list[str]:
    """The argv for anvil on 127.0.0.1:`port` with the default mnemonic's ten accounts.

    `block_time` (seconds) mines a block on that interval, as a QBFT network paces its
    blocks (production: about 2 s), instead of one block per transaction at once.
    """
    argv = [
        str(binary),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--chain-id", str(chain_id),
        "--mnemonic", DEV_MNEMONIC,
        "--accounts", str(len(DEV_KEYS)),
        "--silent",
    ]
    if state_path is not None:
        argv += ["--state", str(state_path), "--state-interval", "1"]
    if block_time is not None:
        if not block_time > 0:
            raise ValueError(f"block_time must be > 0 seconds, got {block_time}")
        argv += ["--block-time", f"{block_time:g}"]
    return argv


def rpc_chain_id(rpc_url: str, timeout: float) -> int:
    """`eth_chainId` over plain HTTP; raises OSError/ValueError when there is no answer."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(  # noqa: S310 - URL built here from 127.0.0.1
        rpc_url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.loads(response.read())
    return int(answer["result"], 16)


def _tail(path: Path, lines: int = _STDERR_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


class DevChain:
    """A running anvil. Create with `DevChain.start(...)`; stop with `stop()` or `with`."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        chain_id: int,
        state_path: Path | None,
        log_path: Path,
    ) -> None:
        self.process = process
        self.port = port
        self.chain_id = chain_id
        self.state_path = state_path
        self.log_path = log_path
        self.rpc_url = f"http://127.0.0.1:{port}"
        self.accounts: Sequence[str] = DEV_KEYS

    @classmethod
    def start(
        cls,
        state_path: Path | None = None,
        chain_id: int = DEV_CHAIN_ID,
        timeout: float = 15.0,
        port: int | None = None,
        block_time: float | None = None,
    ) -> DevChain:
        """Start anvil and wait until it answers `eth_chainId`.

        `block_time` (seconds) paces mining like a QBFT network (see `anvil_command`);
        None mines each transaction at once.

        `state_path`, when given, is loaded if it exists and dumped every second and at
        exit. `port` pins the port (to restart a chain where its clients expect it);
        otherwise a free one is chosen. Raises `DevChainError` (with the tail of anvil's
        output) if anvil exits or does not answer within `timeout` seconds.
        """
        binary = anvil_binary()
        if port is not None:
            return cls._start_on(binary, port, chain_id, state_path, timeout, block_time)
        last_error: DevChainError | None = None
        for _ in range(_PORT_ATTEMPTS):
            port = free_port()
            try:
                return cls._start_on(binary, port, chain_id, state_path, timeout, block_time)
            except DevChainError as exc:
                last_error = exc
                if "in use" not in str(exc).lower():
                    raise
        assert last_error is not None
        raise last_error

    @classmethod
    def _start_on(
        cls,
        binary: Path,
        port: int,
        chain_id: int,
        state_path: Path | None,
        timeout: float,
        block_time: float | None = None,
    ) -> DevChain:
        fd, log_name = tempfile.mkstemp(prefix="anvil-", suffix=".log")
        log_path = Path(log_name)
        with os.fdopen(fd, "wb") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                anvil_command(binary, port, chain_id, state_path, block_time),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=die_with_parent(),  # no orphaned anvil if we are SIGKILLed
            )
        chain = cls(process, port, chain_id, state_path, log_path)
        chain._wait_ready(timeout)
        return chain

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            code = self.process.poll()
            if code is not None:
                tail = _tail(self.log_path)
                self._signal_group(signal.SIGKILL)
                self._cleanup_log()
                raise DevChainError(
                    f"anvil exited with code {code} before answering on {self.rpc_url}; "
                    f"its output ends with:\n{tail}"
                )
            try:
                got = rpc_chain_id(self.rpc_url, timeout=1.0)
            except (OSError, ValueError, KeyError):
                got = None
            if got is not None:
                if got != self.chain_id:
                    self.stop()
                    raise DevChainError(
                        f"anvil on {self.rpc_url} reports chain id {got}, want {self.chain_id}"
                    )
                return
            if time.monotonic() >= deadline:
                tail = _tail(self.log_path)
                self.stop()
                raise DevChainError(
                    f"anvil did not answer eth_chainId on {self.rpc_url} within "
                    f"{timeout:g}s; its output ends with:\n{tail}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (anvil then dumps its state), SIGKILL after `timeout`; idempotent.
        Signals anvil's whole process group, so a wrapper's child stops too. Returns
        anvil's exit code."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=timeout)
        self._signal_group(signal.SIGKILL)  # any straggler left in the group
        self._cleanup_log()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL without a final state dump (simulates a crash)."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10.0)
        self._cleanup_log()

    def _signal_group(self, signum: signal.Signals) -> None:
        # anvil runs in its own session (start_new_session), so its pid is the group id.
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def _cleanup_log(self) -> None:
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> DevChain:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
