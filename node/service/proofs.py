"""The proof that a stored record was committed: inclusion proof, signed header, anchor.

A proof leads to the root of the batch covering the record's leaf (tree size = the
batch's end size), which is what the batch header signs and the ledger anchors.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass

from crypto.merkle import fetch_proof, inclusion
from node.store.contract import Store
from node.store.rows import RECORDS_LOG, Batch, StoredRecord


@dataclass(frozen=True)
class AnchorInfo:
    chain_id: int
    contract: str
    tx_hash: bytes
    block_number: int
    seq: int


@dataclass(frozen=True)
class RecordProof:
    leaf_index: int
    tree_size: int
    inclusion_proof: list[bytes]
    batch_header: str
    header_signature: bytes
    anchor: AnchorInfo


def batch_proof(store: Store, leaf_index: int, batch: Batch) -> list[bytes]:
    """The inclusion proof of ``leaf_index`` in ``batch``'s tree (nearest sibling first).

    Precondition: ``batch.start_size <= leaf_index < batch.end_size`` or any earlier leaf.
    """
    plan = inclusion(leaf_index, batch.end_size)
    return fetch_proof(plan, lambda ids: store.get_nodes(RECORDS_LOG, ids))


class AnchoredProofs:
    """A memo of the records log's anchored batches and of inclusion proofs in them.

    Both are immutable once a batch is anchored (``anchored`` is a batch's last status,
    and a proof in the tree of a batch's end size never changes in an append-only log),
    so a hit is as good as a read. Batches not anchored yet are never remembered: they
    are asked of the store again. Thread-safe; at most ``max_proofs`` proofs are kept
    (least recently used dropped), about 1 KB each at a million leaves.
    """

    def __init__(self, max_proofs: int = 50_000) -> None:
        if max_proofs < 1:
            raise ValueError(f"max_proofs must be >= 1, got {max_proofs}")
        self._max = max_proofs
        self._starts: list[int] = []
        self._batches: list[Batch] = []
        self._proofs: OrderedDict[tuple[int, int], list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def batch_for_leaf(self, store: Store, leaf_index: int) -> Batch | None:
        """The batch covering ``leaf_index`` (as ``store.batch_for_leaf``)."""
        with self._lock:
            at = bisect.bisect_right(self._starts, leaf_index) - 1
            if at >= 0 and leaf_index < self._batches[at].end_size:
                return self._batches[at]
        batch = store.batch_for_leaf(leaf_index, RECORDS_LOG)
        if batch is not None and batch.status == "anchored":
            with self._lock:
                at = bisect.bisect_left(self._starts, batch.start_size)
                if at == len(self._starts) or self._starts[at] != batch.start_size:
                    self._starts.insert(at, batch.start_size)
                    self._batches.insert(at, batch)
        return batch

    def proof(self, store: Store, leaf_index: int, batch: Batch) -> list[bytes]:
        """``batch_proof(store, leaf_index, batch)``; precondition: ``batch`` is anchored."""
        key = (leaf_index, batch.end_size)
        with self._lock:
            found = self._proofs.get(key)
            if found is not None:
                self._proofs.move_to_end(key)
                return list(found)
        found = batch_proof(store, leaf_index, batch)
        with self._lock:
            self._proofs[key] = found
            if len(self._proofs) > self._max:
                self._proofs.popitem(last=False)
        return list(found)


def record_proof(
    store: Store, record: StoredRecord, *, chain_id: int, contract: str,
    memo: AnchoredProofs | None = None,
) -> RecordProof | None:
    """The proof of a local record, or None while its batch is not anchored yet
    (through ``memo`` when given: anchored batches and proofs are read once)."""
    if memo is None:
        batch = store.batch_for_leaf(record.leaf_index, RECORDS_LOG)
    else:
        batch = memo.batch_for_leaf(store, record.leaf_index)
    if batch is None or batch.status != "anchored":
        return None
    path = (batch_proof(store, record.leaf_index, batch) if memo is None
            else memo.proof(store, record.leaf_index, batch))
    return RecordProof(
        leaf_index=record.leaf_index,
        tree_size=batch.end_size,
        inclusion_proof=path,
        batch_header=batch.header_json,
        header_signature=batch.signature,
        anchor=AnchorInfo(chain_id=chain_id, contract=contract,
                          tx_hash=batch.tx_hash or b"", block_number=batch.block_number or 0,
                          seq=batch.seq),
    )


def batch_proofs(store: Store, batch: Batch, leaves: range,
                 chunk: int = 20_000) -> dict[int, list[bytes]]:
    """Inclusion proofs of many ``leaves`` in ``batch``'s tree, fetching each node once.

    Precondition: every leaf in ``leaves`` is below ``batch.end_size``.
    """
    plans = {leaf: inclusion(leaf, batch.end_size) for leaf in leaves}
    wanted = list({node for plan in plans.values() for node in plan.ids})
    hashes: dict[object, bytes] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start:start + chunk]
        hashes.update(zip(part, store.get_nodes(RECORDS_LOG, part), strict=True))
    return {leaf: fetch_proof(plan, lambda ids: [hashes[i] for i in ids])
            for leaf, plan in plans.items()}
