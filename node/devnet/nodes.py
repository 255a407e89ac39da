"""The nodes as processes: start ``credit-node serve`` detached, wait until healthy.

Healthy means the standard gRPC health check answers SERVING over mutual TLS (the
consortium auditor's certificate, which every node trusts) within a deadline.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc, IdentityEntry, ProvinceEntry
from node.devnet.processes import is_running, log_tail, spawn_detached
from node.grpc.calls import TlsTarget, is_serving

__all__ = ["identity_target", "is_healthy", "node_running", "start_node", "wait_healthy"]


def identity_target(identity: IdentityEntry, endpoint: str) -> TlsTarget:
    """A call to ``endpoint`` over mutual TLS presenting ``identity``."""
    return TlsTarget(endpoint, Path(identity.cert), Path(identity.key), Path(identity.ca))


def node_running(entry: ProvinceEntry) -> bool:
    """Whether the node's recorded process still runs (its command line names its config)."""
    return is_running(entry.pid, entry.config)


def start_node(entry: ProvinceEntry) -> int:
    """Start ``credit-node serve --config <config>`` detached; return its pid at once."""
    argv = [sys.executable, "-m", "node.cli.main", "serve", "--config", entry.config]
    try:
        return spawn_detached(argv, Path(entry.log), cwd=Path(entry.data_dir))
    except OSError as exc:
        raise ConsortiumError(f"cannot start the node of {entry.data_dir}: {exc}") from exc


def is_healthy(identity: IdentityEntry, endpoint: str, *, timeout: float = 2.0) -> bool:
    """One health check of ``endpoint``: True when it answers SERVING within ``timeout``."""
    return is_serving(identity_target(identity, endpoint), timeout=timeout)


def wait_healthy(doc: ConsortiumDoc, provinces: Sequence[str], *, timeout: float) -> None:
    """Wait until every node of ``provinces`` is healthy.

    Raises ConsortiumError naming the node and quoting the tail of its serve.log when its
    process exits, or when it is not healthy ``timeout`` seconds from now.
    """
    auditor = doc.identity("auditor")
    waiting = list(provinces)
    deadline = time.monotonic() + timeout
    while waiting:
        for province in list(waiting):
            entry = doc.provinces[province]
            if not node_running(entry):
                raise ConsortiumError(
                    f"the {province} node (pid {entry.pid}) exited while starting; "
                    f"{entry.log} ends with:\n{log_tail(Path(entry.log))}")
            if is_healthy(auditor, entry.grpc, timeout=1.0):
                waiting.remove(province)
        if not waiting:
            return
        if time.monotonic() >= deadline:
            province = waiting[0]
            entry = doc.provinces[province]
            raise ConsortiumError(
                f"the {province} node on {entry.grpc} is not healthy after {timeout:g} s "
                f"(still waiting for {', '.join(waiting)}); {entry.log} ends with:\n"
                f"{log_tail(Path(entry.log))}")
        time.sleep(0.2)
