"""The auditor's side of the access audit log: check a running node against the ledger.

Usage::

    from node.auditor import AuditClient, ChainView, audit_node

    chain = ChainView(LedgerClient(rpc_url, contracts, timeout=10.0), start_block=block)
    with tls_channel(endpoint, cert=auditor_cert, key=auditor_key, ca=ca) as channel:
        verdict = audit_node(AuditClient(channel), chain)
    print(verdict.to_json())          # {"ok": ..., "checked_entries": ..., "problems": [...]}

``credit-node audit verify`` (``node.cli.audit_cmd``) and the demo use exactly this.
"""

from __future__ import annotations

from node.auditor.ledger_view import ChainView
from node.auditor.run import AuditOptions, NodeAudit, UnknownLog, audit_node
from node.grpc.audit_client import AuditClient

__all__ = ["AuditClient", "AuditOptions", "ChainView", "NodeAudit", "UnknownLog", "audit_node"]
