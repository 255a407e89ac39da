"""A local record with its proof, ready to hand to a peer as a :class:`Proven`."""

from __future__ import annotations

from collections.abc import Sequence

from crypto.sealing import open_sealed, record_aad
from node.exchange.transit import AnchorRef, AnchorTarget, Proven
from node.service.disclosure import own_scheme, parse_own
from node.service.ingest import IngestKeys
from node.store.rows import Batch, StoredRecord

SHARED_STATUSES = frozenset({"active", "objection"})
"""Statuses in which a record is handed to peers (an objection travels as a flag)."""


def local_proven(record: StoredRecord, batch: Batch, proof: Sequence[bytes], *,
                 keys: IngestKeys, target: AnchorTarget) -> Proven:
    """``record`` (local, in anchored ``batch``) with its inclusion ``proof`` in that batch.

    Preconditions: ``record.leaf_index`` lies in ``batch`` and ``proof`` leads from it to
    ``batch.root`` at ``batch.end_size``; the payload opens with ``keys.master_key``
    (``SealingError`` otherwise, e.g. after crypto-shredding). The scheme is found by
    opening the stored commitment (``ValueError`` for a row that opens under neither), from
    the payload parsed once.
    """
    payload = open_sealed(record.sealed_payload, keys.master_key,
                          record_aad(record.province, record.record_no))
    document = parse_own(payload)  # authenticated on opening: this node's canonical bytes
    publish_date = document.get("publish_date", "")
    return Proven(
        province=record.province, record_no=record.record_no, kind=record.kind,
        local_category=record.local_category, shared_category=record.shared_category or "",
        severity=record.severity, rule_version=record.rule_version,
        publish_date=publish_date if isinstance(publish_date, str) else "",
        payload=payload, salt=record.salt, leaf_index=record.leaf_index,
        inclusion_proof=tuple(proof), batch_header=batch.header_json.encode("ascii"),
        header_signature=batch.signature,
        anchor=AnchorRef(chain_id=target.chain_id, contract=target.contract,
                         tx_hash=batch.tx_hash or b"", block_number=batch.block_number or 0,
                         seq=batch.seq),
        objection_flagged=record.status == "objection",
        scheme=own_scheme(payload, document, record.salt, record.commitment),
    )
