"""Batching and anchoring of the record log.

A batch is the log's growth since the previous batch. ``seal_batch`` signs its header
and stores it (status ``signed``) in one transaction; ``anchor_pending`` sends each
stored batch to the ledger in order. Crash safety rests on two facts:

* a batch is written to the store before any transaction is sent, and the store refuses
  a batch that does not continue the previous one, so a restart re-sends the same header;
* the contract accepts exactly ``seq = last + 1``, and before sending we ask the chain
  whether that seq is already anchored with our root (a crash between the send and the
  store update): then we only record it. Nothing is ever anchored twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import nacl.signing

from crypto.batch_header import BatchHeader, sign_header
from ledger.errors import ContractRevert
from node.store.contract import Store
from node.store.rows import FIRST_BATCH_SEQ, RECORDS_LOG, Batch, NewBatch

log = logging.getLogger(__name__)
ZERO_ROOT = bytes(32)
# Reverts meaning the chain's history for our province differs from our store's.
CONFLICT_REVERTS = frozenset({"WrongSeq", "WrongPrevRoot", "SizeNotIncreasing"})


class AnchorLedger(Protocol):
    """The part of ``ledger.LedgerClient`` batch anchoring uses."""

    def anchor_batch(self, seq: int, root: bytes, size: int, prev_root: bytes,
                     catalog_version: int, header_sig: bytes) -> object: ...

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool: ...

    def anchor_tx(self, province: str, seq: int) -> tuple[bytes, int] | None: ...


class AnchorConflict(Exception):
    """The chain holds a different root for one of our seqs: stop and page an operator."""


def seal_batch(
    store: Store,
    *,
    province: str,
    signing_key: nacl.signing.SigningKey,
    catalog_version: int,
    max_records: int | None = None,
    now: Callable[[], float] = time.time,
) -> Batch | None:
    """Sign and store a batch over the log's unbatched growth; None when there is none.

    With ``max_records`` the batch covers at most that many leaves (call again for the rest).
    """
    start, end = store.unbatched_range(RECORDS_LOG)
    if start == end:
        return None
    if max_records is not None:
        end = min(end, start + max_records)
    previous = store.latest_batch(RECORDS_LOG)
    seq = FIRST_BATCH_SEQ if previous is None else previous.seq + 1
    prev_root = store.log_root(RECORDS_LOG, start)
    header = BatchHeader(
        province=province, seq=seq, tree_size=end, root=store.log_root(RECORDS_LOG, end),
        prev_size=start, prev_root=prev_root, catalog_version=catalog_version,
        issued_at=int(now()),
    )
    return store.create_batch(NewBatch(
        log_name=RECORDS_LOG, seq=seq, start_size=start, end_size=end, root=header.root,
        prev_root=prev_root, header_json=header.to_json(),
        signature=sign_header(header, signing_key),
    ))


def chain_prev_root(batch: Batch) -> bytes:
    """The contract's notion of the previous root: zero before the first batch."""
    return ZERO_ROOT if batch.seq == FIRST_BATCH_SEQ else batch.prev_root


@dataclass(frozen=True)
class AnchorResult:
    anchored: int
    already_on_chain: int


def anchor_pending(store: Store, ledger: AnchorLedger, *, province: str) -> AnchorResult:
    """Anchor every stored, not-yet-anchored batch in seq order.

    Raises whatever the ledger raises when it is unreachable (the caller retries with
    backoff); raises :class:`AnchorConflict` when the chain disagrees with our log.
    """
    pending = sorted(
        store.batches_by_status("signed") + store.batches_by_status("submitted"),
        key=lambda b: b.seq,
    )
    anchored = recovered = 0
    for batch in pending:
        if ledger.is_anchored(province, batch.seq, batch.root):
            # A crash after sending and before recording: take the facts from the chain.
            found = ledger.anchor_tx(province, batch.seq)
            if found is None:
                raise AnchorConflict(f"batch {batch.seq} is anchored but has no anchor event")
            recovered += 1
            _mark(store, batch, tx_hash=found[0], block=found[1])
            continue
        header = BatchHeader.from_json(batch.header_json)
        try:
            receipt = ledger.anchor_batch(batch.seq, batch.root, batch.end_size,
                                          chain_prev_root(batch), header.catalog_version,
                                          batch.signature)
        except ContractRevert as exc:
            if exc.name in CONFLICT_REVERTS:
                raise AnchorConflict(
                    f"the ledger refused batch {batch.seq} with {exc.name}: it holds another "
                    "history for this province; stop and compare the local log with the chain"
                ) from exc
            raise
        tx_hash = bytes.fromhex(str(getattr(receipt, "tx_hash", "")).removeprefix("0x"))
        _mark(store, batch, tx_hash=tx_hash, block=int(getattr(receipt, "block_number", 0)))
        anchored += 1
        log.info("anchored batch", extra={"seq": batch.seq, "size": batch.end_size})
    return AnchorResult(anchored, recovered)


def _mark(store: Store, batch: Batch, *, tx_hash: bytes, block: int) -> None:
    store.mark_batch_anchored(RECORDS_LOG, batch.seq, tx_hash, block, datetime.now(UTC))
