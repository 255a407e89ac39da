"""Audit-log tree heads: the audit side of `LedgerClient`."""

from __future__ import annotations

from ledger.core import ClientCore, tx_result
from ledger.types import AuditHead, TxResult, province_to_bytes, require_hash32


class AuditOps(ClientCore):
    """Anchor and witness audit tree heads."""

    def anchor_audit_head(self, tree_size: int, root: bytes, signature: bytes) -> TxResult:
        """Anchor this province's signed audit tree head. `tree_size` never decreases;
        a different root at the latest size raises ContractRevert ConflictingHead."""
        receipt = self.send(
            "AuditAnchors", "anchorHead", tree_size, require_hash32(root, "root"), bytes(signature)
        )
        return tx_result(receipt)

    def witness_audit_head(
        self, province: str, tree_size: int, root: bytes, cosignature: bytes
    ) -> TxResult:
        """Co-sign `province`'s anchored head as a witness (not one's own province)."""
        receipt = self.send(
            "AuditAnchors",
            "witness",
            province_to_bytes(province),
            tree_size,
            require_hash32(root, "root"),
            bytes(cosignature),
        )
        return tx_result(receipt)

    def latest_audit_head(self, province: str) -> AuditHead:
        """`province`'s latest anchored head (size 0, zero root when none)."""
        size, root = self.call("AuditAnchors", "latestHead", province_to_bytes(province))
        return AuditHead(province=province, tree_size=int(size), root=bytes(root))

    def audit_head_root(self, province: str, tree_size: int) -> bytes:
        """The root anchored by `province` at `tree_size` (zero bytes if none)."""
        return bytes(
            self.call("AuditAnchors", "headRoot", province_to_bytes(province), tree_size)
        )

    def witness_count(self, province: str, tree_size: int) -> int:
        """How many peers co-signed `province`'s head at `tree_size`."""
        return int(
            self.call("AuditAnchors", "witnessCount", province_to_bytes(province), tree_size)
        )
