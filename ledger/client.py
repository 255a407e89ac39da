"""`LedgerClient`: one object for governance, catalog, anchoring and audit heads.

    client = LedgerClient(rpc_url, deployment.addresses, account_key=key, timeout=10.0)
    pid = client.propose_adopt_catalog(1, sha256(doc).digest())
    receipt = client.anchor_batch(seq=1, root=root, size=10, prev_root=bytes(32),
                                  catalog_version=1, header_sig=sig)
"""

from __future__ import annotations

from ledger.anchors import AnchorOps
from ledger.audit import AuditOps
from ledger.governance import GovernanceOps


class LedgerClient(GovernanceOps, AnchorOps, AuditOps):
    """See `ledger.core.ClientCore` for the constructor's preconditions."""
