"""The quarantine and the foreign-proof tables on every store backend."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine

from node.store.sql_foreign_proofs import ForeignBatch, ForeignLeafProof, ForeignProofs
from node.store.sql_quarantine import MAX_REASON, Quarantined, QuarantineLog


def item(n: int, **changes: object) -> Quarantined:
    fields: dict[str, object] = {
        "origin": "JS", "record_no": f"JS-2026-{n:06d}", "leaf_index": n, "step": 3,
        "reason": "header signature does not verify", "item_sha256":
        hashlib.sha256(b"item %d" % n).digest(), "sealed_item": b"sealed"}
    fields.update(changes)
    return Quarantined(**fields)  # type: ignore[arg-type]


def test_quarantine_keeps_an_item_once(store_engine: Engine) -> None:
    log = QuarantineLog(store_engine)
    assert log.add(item(1)) is True
    assert log.add(item(1, reason="another reason")) is False
    assert log.add(item(2, origin="ZJ", record_no="x" * 80, reason="r" * 400,
                        leaf_index=2**64)) is True
    assert log.count() == 2
    [js] = log.items("JS")
    assert (js.step, js.leaf_index, js.reason) == (3, 1, "header signature does not verify")
    [zj] = log.items("ZJ")
    assert len(zj.record_no) == 64 and len(zj.reason) == MAX_REASON
    assert zj.leaf_index == 2**63 - 1
    with pytest.raises(ValueError, match="step 0"):
        log.add(item(3, step=0))


def test_quarantine_keeps_at_most_its_cap_per_peer(store_engine: Engine) -> None:
    log = QuarantineLog(store_engine, max_per_origin=3)
    assert [log.add(item(n)) for n in range(5)] == [True, True, True, False, False]
    assert log.add(item(9, origin="ZJ")) is True  # another peer has its own cap
    assert len(log.items("JS")) == 3 and log.count() == 4


def test_foreign_proofs_are_stored_once_and_found_by_leaf(store_engine: Engine) -> None:
    proofs = ForeignProofs(store_engine)
    batch = ForeignBatch("JS", 2, '{"seq":2}', b"\x01" * 64, 31337, b"\x02" * 20, None, 9)
    leaf = ForeignLeafProof("JS", 40, 2, (b"\x03" * 32, b"\x04" * 32))
    proofs.add([batch, batch], [leaf])
    proofs.add([batch], [leaf])
    found = proofs.proof("JS", 40)
    assert found is not None and found.leaf == leaf and found.batch == batch
    assert proofs.proof("JS", 41) is None and proofs.proof("SH", 40) is None
    with pytest.raises(ValueError, match="32 bytes"):
        proofs.add([], [ForeignLeafProof("JS", 41, 2, (b"\x05" * 31,))])
