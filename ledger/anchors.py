"""Record batches and revocations: the anchoring side of `LedgerClient`.

The contract derives the province from the sending account, so a client anchors only for
the province its key belongs to.
"""

from __future__ import annotations

from typing import Any

from web3.exceptions import Web3RPCError

from ledger.core import ClientCore, tx_result
from ledger.errors import LedgerError
from ledger.rpc import rpc_error_message, transport_guard
from ledger.types import (
    AnchorReceipt,
    BatchInfo,
    province_to_bytes,
    require_hash32,
)

ZERO_ROOT = bytes(32)


class AnchorOps(ClientCore):
    """Anchor batch roots and look them up."""

    def anchor_batch(
        self,
        seq: int,
        root: bytes,
        size: int,
        prev_root: bytes,
        catalog_version: int,
        header_sig: bytes,
    ) -> AnchorReceipt:
        """Anchor this province's batch `seq` (first is 1, strictly consecutive).

        `size` is the record log's tree size after the batch, `prev_root` the previous
        batch's root (32 zero bytes for seq 1), `header_sig` the 64-byte Ed25519 signature
        of the batch header. Refusals raise `ContractRevert` (WrongSeq, WrongPrevRoot,
        SizeNotIncreasing, CatalogVersionNotAdopted, NotMember, ...).
        """
        receipt = self.send(
            "RecordAnchors",
            "anchorBatch",
            seq,
            require_hash32(root, "root"),
            size,
            require_hash32(prev_root, "prev_root"),
            catalog_version,
            bytes(header_sig),
        )
        return tx_result(receipt)

    def anchor_revocations(
        self, seq: int, root: bytes, size: int, prev_root: bytes, header_sig: bytes
    ) -> AnchorReceipt:
        """Anchor this province's revocation batch `seq`; same rules as `anchor_batch`
        without a catalog version."""
        receipt = self.send(
            "RecordAnchors",
            "anchorRevocations",
            seq,
            require_hash32(root, "root"),
            size,
            require_hash32(prev_root, "prev_root"),
            bytes(header_sig),
        )
        return tx_result(receipt)

    def latest_batch(self, province: str) -> BatchInfo:
        """`province`'s latest batch (seq 0, zero root, size 0 when none)."""
        seq, root, size = self.call("RecordAnchors", "latestBatch", province_to_bytes(province))
        return BatchInfo(province=province, seq=int(seq), root=bytes(root), size=int(size))

    def latest_revocation(self, province: str) -> BatchInfo:
        """`province`'s latest revocation batch (zeros when none)."""
        seq, root, size = self.call(
            "RecordAnchors", "latestRevocation", province_to_bytes(province)
        )
        return BatchInfo(province=province, seq=int(seq), root=bytes(root), size=int(size))

    def batch(self, province: str, seq: int) -> tuple[bytes, int, int]:
        """(root, size, block number) of `province`'s batch `seq`; zeros when unknown."""
        root, size, block = self.call(
            "RecordAnchors", "batch", province_to_bytes(province), seq
        )
        return bytes(root), int(size), int(block)

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool:
        """Whether `province`'s batch `seq` is anchored with exactly `root`. Only the
        province's account can anchor under its code (see `anchor_sender` to check)."""
        return bool(
            self.call(
                "RecordAnchors",
                "isAnchored",
                province_to_bytes(province),
                seq,
                require_hash32(root, "root"),
            )
        )

    def revocation_batch(self, province: str, seq: int) -> tuple[bytes, int, int]:
        """(root, size, block number) of `province`'s revocation batch `seq`; zeros when
        unknown."""
        root, size, block = self.call(
            "RecordAnchors", "revocationBatch", province_to_bytes(province), seq
        )
        return bytes(root), int(size), int(block)

    def is_revocation_anchored(self, province: str, seq: int, root: bytes) -> bool:
        """Whether `province`'s revocation batch `seq` is anchored with exactly `root`."""
        return bool(
            self.call(
                "RecordAnchors",
                "isRevocationAnchored",
                province_to_bytes(province),
                seq,
                require_hash32(root, "root"),
            )
        )

    def anchor_tx(self, province: str, seq: int) -> tuple[bytes, int] | None:
        """(transaction hash, block number) of the transaction that anchored `province`'s
        batch `seq` (from its BatchAnchored event), or None if the batch is not anchored."""
        found = self._anchor_log(province, seq)
        return None if found is None else (bytes(found["transactionHash"]), found["blockNumber"])

    def anchor_sender(self, province: str, seq: int) -> str | None:
        """The account that sent the transaction anchoring `province`'s batch `seq`
        (from its BatchAnchored event), or None if the batch is not anchored."""
        found = self._anchor_log(province, seq)
        if found is None:
            return None
        with transport_guard(self.rpc_url, "reading an anchoring transaction"):
            try:
                tx = self.w3.eth.get_transaction(found["transactionHash"])
            except Web3RPCError as exc:
                detail = rpc_error_message(exc)
                raise LedgerError(f"looking up the anchor of {province}/{seq}: {detail}") from exc
        return str(tx["from"])

    def _anchor_log(self, province: str, seq: int) -> Any:
        _, _, block = self.batch(province, seq)
        if block == 0:
            return None
        event = self.contracts["RecordAnchors"].events.BatchAnchored
        with transport_guard(self.rpc_url, "finding a BatchAnchored event"):
            try:
                logs = event.get_logs(
                    from_block=block,
                    to_block=block,
                    argument_filters={"province": province_to_bytes(province), "seq": seq},
                )
            except Web3RPCError as exc:
                detail = rpc_error_message(exc)
                raise LedgerError(f"looking up the anchor of {province}/{seq}: {detail}") from exc
        if not logs:
            raise LedgerError(
                f"batch {province}/{seq} recorded at block {block} but no "
                "BatchAnchored event found there"
            )
        return logs[-1]
