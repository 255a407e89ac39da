"""``consortium status``: each node's figures as the node itself reports them, and the ledger's.

Per province: whether its process runs, its health check, and NodeService.GetStatus
(callable by auditors and admins; the consortium auditor is trusted by every node).
Ledger: block height and the number of transactions the consortium's accounts sent
(deployer + members: deployment, governance and every anchor). Every call has a deadline;
a node that does not answer is reported as such, never as zeros.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils.address import to_checksum_address

from ledger.devkeys import DEV_KEYS
from ledger.errors import LedgerError
from ledger.rpc import connect, transport_guard
from node.devnet.layout import ConsortiumDoc
from node.devnet.ledger_setup import anvil_marker
from node.devnet.nodes import identity_target, is_healthy, node_running
from node.devnet.processes import is_running
from node.grpc.calls import CallFailed
from node.grpc.calls import node_status as read_node_status

__all__ = ["FIELDS", "consortium_status", "format_status", "ledger_status", "node_status"]

FIELDS = ("records", "log_size", "anchored_size", "backlog", "audit_size", "peers_reachable")


def node_status(doc: ConsortiumDoc, province: str, *, timeout: float = 5.0) -> dict[str, Any]:
    """One node's figures: running, healthy and the GetStatus fields (or ``error``)."""
    entry = doc.provinces[province]
    auditor = doc.identity("auditor")
    out: dict[str, Any] = {"grpc": entry.grpc, "pid": entry.pid, "running": node_running(entry)}
    out["healthy"] = out["running"] and is_healthy(auditor, entry.grpc, timeout=timeout)
    if not out["healthy"]:
        return out
    try:
        answer = read_node_status(identity_target(auditor, entry.grpc), timeout=timeout)
    except CallFailed as exc:
        out["error"] = f"GetStatus: {exc}"
        return out
    out.update({name: answer[name] for name in FIELDS})
    for name in ("peers_configured", "foreign_records", "catalog_version", "quarantined"):
        out[name] = answer[name]
    return out


def ledger_status(doc: ConsortiumDoc, *, timeout: float = 5.0) -> dict[str, Any]:
    """Block height and transactions sent by the consortium's accounts (or ``error``)."""
    out: dict[str, Any] = {"rpc_url": doc.ledger.rpc_url, "pid": doc.ledger.pid,
                           "running": is_running(doc.ledger.pid, anvil_marker(doc))}
    if not out["running"]:
        return out
    senders = [str(Account.from_key(DEV_KEYS[0]).address)]
    senders += [e.account for e in doc.provinces.values()]
    try:
        w3 = connect(doc.ledger.rpc_url, timeout)
        with transport_guard(doc.ledger.rpc_url, "reading the ledger status"):
            out["block_height"] = int(w3.eth.block_number)
            out["transactions"] = sum(
                int(w3.eth.get_transaction_count(to_checksum_address(a))) for a in senders)
    except LedgerError as exc:
        out["error"] = str(exc)
    return out


def consortium_status(doc: ConsortiumDoc, *, timeout: float = 5.0) -> dict[str, Any]:
    """The whole status document printed by ``consortium status --json``."""
    return {
        "ledger": ledger_status(doc, timeout=timeout),
        "provinces": {p: node_status(doc, p, timeout=timeout) for p in doc.provinces},
    }


def _cell(node: dict[str, Any], name: str) -> str:
    value = node.get(name)
    return "-" if value is None else f"{value:,}"


def format_status(status: dict[str, Any]) -> str:
    """A human table of :func:`consortium_status`'s document."""
    ledger = status["ledger"]
    if ledger.get("running") and "error" not in ledger:
        head = (f"ledger  {ledger['rpc_url']}  running (pid {ledger['pid']})  "
                f"block height {ledger['block_height']:,}  "
                f"transactions {ledger['transactions']:,}")
    else:
        head = f"ledger  {ledger['rpc_url']}  {ledger.get('error') or 'not running'}"
    columns = ("province", "state", "grpc", *FIELDS)
    rows = [columns]
    for province, node in status["provinces"].items():
        state = "healthy" if node["healthy"] else ("unhealthy" if node["running"] else "stopped")
        rows.append((province, state, node["grpc"], *(_cell(node, f) for f in FIELDS)))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(columns))]
    lines = [head, ""]
    for row in rows:
        lines.append("  ".join(str(v).rjust(w) if i > 2 else str(v).ljust(w)
                               for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    errors = [f"{p}: {n['error']}" for p, n in status["provinces"].items() if "error" in n]
    return "\n".join(lines + errors)
