"""anchor_pending: recovers a batch already on chain, and stops on a conflicting history."""

from __future__ import annotations

import hashlib

import nacl.signing
import pytest

from crypto.sealing import new_master_key, seal
from ledger.errors import ContractRevert
from node.service.batch_anchoring import AnchorConflict, anchor_pending, seal_batch
from node.store import NewRecord, open_store


def _row(i: int) -> NewRecord:
    digest = hashlib.sha256(str(i).encode()).digest()
    return NewRecord(province="JS", record_no=f"JS-{i}", kind="penalty", local_category="X",
                     shared_category=None, catalog_version=None, severity="general",
                     rule_version="2023", commitment=digest, salt=digest, subject_token=digest,
                     sealed_payload=seal(b"{}", new_master_key(), b"").to_bytes(),
                     is_public=True, publicity_end=None)


class FakeLedger:
    def __init__(self, *, on_chain: bool, revert: str | None) -> None:
        self.on_chain = on_chain
        self.revert = revert
        self.sent: list[int] = []

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool:
        return self.on_chain

    def anchor_tx(self, province: str, seq: int) -> tuple[bytes, int] | None:
        return (b"\xcd" * 32, 9) if self.on_chain else None

    def anchor_batch(self, seq: int, root: bytes, size: int, prev_root: bytes,
                     catalog_version: int, header_sig: bytes) -> object:
        if self.revert:
            raise ContractRevert("RecordAnchors", self.revert, {"got": seq, "want": seq + 1})
        self.sent.append(seq)
        return type("Receipt", (), {"tx_hash": "0x" + "ab" * 32, "block_number": 7})()


def _store_with_batch():  # type: ignore[no-untyped-def]
    store = open_store("sqlite://")
    store.add_records([_row(i) for i in range(5)])
    seal_batch(store, province="JS", signing_key=nacl.signing.SigningKey.generate(),
               catalog_version=1)
    return store


def test_sends_a_pending_batch_once() -> None:
    store = _store_with_batch()
    ledger = FakeLedger(on_chain=False, revert=None)
    assert anchor_pending(store, ledger, province="JS").anchored == 1
    assert ledger.sent == [1]
    assert anchor_pending(store, ledger, province="JS").anchored == 0
    assert store.batches_by_status("anchored")[0].block_number == 7


def test_a_batch_already_on_chain_is_recorded_not_resent() -> None:
    store = _store_with_batch()
    ledger = FakeLedger(on_chain=True, revert=None)
    result = anchor_pending(store, ledger, province="JS")
    assert (result.anchored, result.already_on_chain, ledger.sent) == (0, 1, [])
    recorded = store.batches_by_status("anchored")[0]
    assert (recorded.tx_hash, recorded.block_number) == (b"\xcd" * 32, 9)


def test_a_conflicting_history_raises_anchor_conflict() -> None:
    store = _store_with_batch()
    with pytest.raises(AnchorConflict, match="refused batch 1 with WrongSeq"):
        anchor_pending(store, FakeLedger(on_chain=False, revert="WrongSeq"), province="JS")
    assert store.batches_by_status("signed")  # nothing marked anchored
