"""Real nodes on one anvil for the audit tests (see ``tests/multinode_net.py``): every node
trusts the others' CAs, pulls from them, and anchors and witnesses audit heads every
``checkpoint`` seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from multinode_net import (
    Network,
    anchored,
    build_network,
    records_of,
    running,
    submit,
    wait_for,
)
from pg_schemas import postgres_schema

from node._proto.credit.v1 import query_pb2
from node.audit import AuditEvent, decode_entry
from node.auditor import AuditClient, AuditOptions, ChainView, NodeAudit, audit_node
from node.grpc.stubs import query_stub

__all__ = ["AuditNet", "anchored", "audit_caught_up", "build_net", "entries",
           "postgres_schema", "public_dishonesty", "query", "records_of", "refused",
           "running", "submit", "wait_for"]

class AuditNet(Network):
    """A network whose members' audit logs an auditor can verify."""

    def verify(self, province: str, *, peers: bool = True, slack: float = 0.0,
               auditor: str = "JS") -> NodeAudit:
        """``audit verify`` of ``province`` (every other node's log for exchange matching)."""
        chain = ChainView(self.ledger(), start_block=self.deployment.block)
        channels = {p: self.channel(auditor, "auditor", p) for p in self.members}
        try:
            clients = {p: AuditClient(ch, timeout=15.0) for p, ch in channels.items()}
            node = clients.pop(province)
            return audit_node(node, chain, province=province,
                              peers=clients if peers else None,
                              # The nets checkpoint every fraction of a second: a 5 s
                              # interval bounds the wait for a head no witness will see.
                              options=AuditOptions(slack=slack, checkpoint_interval=5.0))
        finally:
            for ch in channels.values():
                ch.close()


def build_net(base: Path, rpc_url: str, provinces: tuple[str, ...], *,
              databases: dict[str, str] | None = None, checkpoint: float = 0.3,
              batch: float = 0.2) -> AuditNet:
    """Init, register and configure one node per province (not started)."""
    net = build_network(base, rpc_url, provinces, databases=databases,
                        batch_interval=batch, checkpoint=checkpoint)
    return AuditNet(net.rpc_url, net.deployment, net.members, net.auditor)


def audit_caught_up(net: AuditNet, province: str) -> int:
    """Wait until ``province``'s audit log, as it is now, is anchored; the anchored size."""
    size = net[province].node.app.access_log.log.size()
    ledger = net.ledger()
    wait_for(lambda: ledger.latest_audit_head(province).tree_size >= size)
    return ledger.latest_audit_head(province).tree_size


def public_dishonesty(records: list[dict[str, object]]) -> dict[str, object]:
    """A serious-dishonesty entry of a legal person still in its publicity period."""
    today = datetime.now(UTC).date().isoformat()
    return next(r for r in records if r["kind"] == "dishonesty"
                and r.get("SX_ZTLB") == "法人及非法人组织" and str(r.get("SX_YXQ", "")) > today)


def query(net: AuditNet, caller: str, label: str, target: str, **fields: Any) -> Any:
    """Query ``target`` as identity ``label`` of ``caller``'s province."""
    request = query_pb2.QueryRequest(**fields)
    with net.channel(caller, label, target) as ch:
        return query_stub(ch).Query(request, timeout=15)


def refused(net: AuditNet, caller: str, label: str, **fields: Any) -> grpc.StatusCode:
    """The status of a query at JS that must fail."""
    with pytest.raises(grpc.RpcError) as info:
        query(net, caller, label, "JS", **fields)
    code: grpc.StatusCode = info.value.code()
    return code


def entries(net: AuditNet, province: str) -> list[tuple[int, AuditEvent, bytes]]:
    """``province``'s audit log as the node's database holds it: index, event, bytes."""
    log = net[province].node.app.access_log.log
    return [(i, decode_entry(data), data) for i, data in log.iter_entries()]
