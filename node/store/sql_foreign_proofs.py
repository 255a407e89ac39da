"""``foreign_batches`` and ``foreign_proofs``: the origin's proof of every accepted record.

A record accepted from a peer is answered later with the proof it arrived with: the
origin's signed batch header, the anchor reference and the inclusion proof of its leaf.
Inserts ignore rows already present (a re-pulled record adds nothing), so writing the
proofs before the records they belong to is safe to repeat after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from node.store.schema import foreign_batches, foreign_proofs
from node.store.sql_common import insert_ignore, utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["ForeignBatch", "ForeignLeafProof", "ForeignProof", "ForeignProofs"]

_HASH = 32


@dataclass(frozen=True, slots=True)
class ForeignBatch:
    """A peer's verified batch header with its signature and anchor reference."""

    province: str
    seq: int
    header_json: str
    signature: bytes
    chain_id: int
    contract: bytes
    tx_hash: bytes | None
    block_number: int


@dataclass(frozen=True, slots=True)
class ForeignLeafProof:
    """The inclusion proof of leaf ``leaf_index`` in ``province``'s batch ``batch_seq``."""

    province: str
    leaf_index: int
    batch_seq: int
    inclusion_proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class ForeignProof:
    """What an answer carries for a foreign record: its leaf proof and batch."""

    leaf: ForeignLeafProof
    batch: ForeignBatch


class ForeignProofs:
    """The two tables over a migrated engine."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def add(self, batches: Sequence[ForeignBatch], leaves: Sequence[ForeignLeafProof]) -> None:
        """Store batches and leaf proofs not stored yet, in one transaction.

        Precondition (``ValueError``): every proof hash has 32 bytes. Nothing to add
        opens no transaction.
        """
        if not batches and not leaves:
            return
        for leaf in leaves:
            if any(len(node) != _HASH for node in leaf.inclusion_proof):
                raise ValueError(f"foreign proof of {leaf.province} leaf {leaf.leaf_index}: "
                                 f"every hash must have {_HASH} bytes")
        now = utc(self._clock())
        with write_tx(self._engine, "foreign_proofs_add") as conn:
            for batch in {(b.province, b.seq): b for b in batches}.values():
                conn.execute(insert_ignore(conn, foreign_batches, ["province", "seq"]).values(
                    province=batch.province, seq=batch.seq, header_json=batch.header_json,
                    signature=batch.signature, chain_id=batch.chain_id,
                    contract=batch.contract, tx_hash=batch.tx_hash,
                    block_number=batch.block_number, received_at=now))
            rows = [{"province": leaf.province, "leaf_index": leaf.leaf_index,
                     "batch_seq": leaf.batch_seq,
                     "inclusion_proof": b"".join(leaf.inclusion_proof)} for leaf in leaves]
            if rows:
                conn.execute(insert_ignore(conn, foreign_proofs, ["province", "leaf_index"]),
                             rows)

    def proof(self, province: str, leaf_index: int) -> ForeignProof | None:
        """The stored proof of ``province``'s leaf ``leaf_index``, or None."""
        query = (
            select(foreign_proofs, foreign_batches)
            .join(foreign_batches, (foreign_batches.c.province == foreign_proofs.c.province)
                  & (foreign_batches.c.seq == foreign_proofs.c.batch_seq))
            .where(foreign_proofs.c.province == province,
                   foreign_proofs.c.leaf_index == leaf_index)
        )
        with read_tx(self._engine, "foreign_proof") as conn:
            row = conn.execute(query).one_or_none()
        if row is None:
            return None
        raw = bytes(row.inclusion_proof)
        leaf = ForeignLeafProof(province, leaf_index, row.batch_seq,
                                tuple(raw[i:i + _HASH] for i in range(0, len(raw), _HASH)))
        batch = ForeignBatch(
            province=province, seq=row.seq, header_json=row.header_json,
            signature=bytes(row.signature), chain_id=row.chain_id,
            contract=bytes(row.contract),
            tx_hash=None if row.tx_hash is None else bytes(row.tx_hash),
            block_number=row.block_number)
        return ForeignProof(leaf, batch)
