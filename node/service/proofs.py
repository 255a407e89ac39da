"""The proof that a stored record was committed: inclusion proof, signed header, anchor.

A proof leads to the root of the batch covering the record's leaf (tree size = the
batch's end size), which is what the batch header signs and the ledger anchors.
"""

from __future__ import annotations

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


def record_proof(
    store: Store, record: StoredRecord, *, chain_id: int, contract: str
) -> RecordProof | None:
    """The proof of a local record, or None while its batch is not anchored yet."""
    batch = store.batch_for_leaf(record.leaf_index, RECORDS_LOG)
    if batch is None or batch.status != "anchored":
        return None
    return RecordProof(
        leaf_index=record.leaf_index,
        tree_size=batch.end_size,
        inclusion_proof=batch_proof(store, record.leaf_index, batch),
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
