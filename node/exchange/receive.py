"""The receiver: verify each record from a peer, quarantine the refused, store the rest.

Every item ends in exactly one place: stored as a foreign record (re-sealed with this
node's master key, indexed by this node's subject token, its proof kept for answers),
already stored (a repeat: nothing changes), or quarantined with the failing step.

Steps beyond ``verify.py``'s six:

7. the record does not contradict one already stored (the same record_no or leaf of the
   origin with another commitment): the stored one stays, the newcomer is quarantined.

A ledger that cannot be asked raises :class:`ChainUnavailable` before anything of the
page is stored, so the caller retries the page later (quarantined items stay once).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from crypto.sealing import record_aad, seal
from crypto.tokens import subject_token
from node.domain.catalog.sharing import subject_type
from node.domain.records import is_public
from node.exchange.categories import CategoryCheck
from node.exchange.chain_facts import ChainFacts
from node.exchange.errors import VerificationFailed
from node.exchange.transit import AnchorTarget, Proven
from node.exchange.verify import Verified, verify_proven
from node.service.ingest import IngestKeys, record_publicity_end
from node.store.contract import Store
from node.store.errors import StoreConflictError
from node.store.rows import ForeignRecord, NewRecord, StoredRef
from node.store.sql_foreign_proofs import ForeignBatch, ForeignLeafProof, ForeignProofs
from node.store.sql_quarantine import Quarantined, QuarantineLog

log = logging.getLogger(__name__)
CONFLICT_STEP = 7
Stored = Literal["new", "repeat", "conflict"]


@dataclass(frozen=True)
class Refusal:
    """Item ``position`` of a page was quarantined at ``step`` for ``reason``."""

    position: int
    step: int
    reason: str


@dataclass(frozen=True)
class Received:
    """What became of one page: newly stored, already stored, quarantined."""

    accepted: int
    duplicates: int
    refused: tuple[Refusal, ...]


class Receiver:
    """Verifies and stores records handed over by peers (thread-safe: no own state)."""

    def __init__(self, *, store: Store, keys: IngestKeys, quarantine: QuarantineLog,
                 proofs: ForeignProofs, chain: ChainFacts, categories: CategoryCheck,
                 target: AnchorTarget) -> None:
        self.store = store
        self.keys = keys
        self.quarantine = quarantine
        self.proofs = proofs
        self.chain = chain
        self.categories = categories
        self.target = target

    def refuse(self, item: Proven, peer: str, step: int, reason: str) -> None:
        """Quarantine ``item`` from ``peer`` (kept once however often it comes)."""
        digest = hashlib.sha256(item.raw).digest()
        sealed = seal(item.raw, self.keys.master_key, record_aad(peer, "q:" + digest.hex()))
        created = self.quarantine.add(Quarantined(
            origin=peer, record_no=item.record_no, leaf_index=item.leaf_index, step=step,
            reason=reason, item_sha256=digest, sealed_item=sealed.to_bytes()))
        if created:
            log.warning("peer record quarantined", extra={
                "peer": peer, "record_no": item.record_no[:64], "step": step,
                "reason": reason[:300]})

    def verify(self, items: Sequence[Proven], *, peer: str
               ) -> tuple[list[tuple[int, Verified]], list[Refusal]]:
        """Verify a page; quarantine and list the failures. Raises ChainUnavailable."""
        memo: set[tuple[bytes, bytes, bytes]] = set()
        passed: list[tuple[int, Verified]] = []
        refused: list[Refusal] = []
        for position, item in enumerate(items):
            try:
                passed.append((position, verify_proven(
                    item, peer=peer, chain=self.chain, categories=self.categories,
                    target=self.target, verified_headers=memo)))
            except VerificationFailed as exc:
                self.refuse(item, peer, exc.step, exc.reason)
                refused.append(Refusal(position, exc.step, exc.reason))
        return passed, refused

    def accept(self, items: Sequence[Proven], *, peer: str) -> Received:
        """Verify, then store or quarantine, every item of a page from province ``peer``."""
        passed, refused = self.verify(items, peer=peer)
        rows: list[tuple[int, Verified, ForeignRecord]] = []
        for position, verified in passed:
            try:
                rows.append((position, verified, self.foreign_record(verified)))
            except ValueError as exc:  # e.g. a rule version this node does not know
                self._refuse(verified.item, peer, position, 1, f"payload: {exc}", refused)
        self.proofs.add([_batch(v) for _, v, _ in rows], [_leaf(v) for _, v, _ in rows])
        accepted = duplicates = 0
        for (position, verified, _), outcome in zip(rows, self._store(rows), strict=True):
            if outcome == "new":
                accepted += 1
            elif outcome == "repeat":
                duplicates += 1
            else:
                self._refuse(verified.item, peer, position, CONFLICT_STEP,
                             "the origin's record_no or leaf is stored with another commitment",
                             refused)
        return Received(accepted, duplicates, tuple(sorted(refused, key=lambda r: r.position)))

    def _refuse(self, item: Proven, peer: str, position: int, step: int, reason: str,
                refused: list[Refusal]) -> None:
        self.refuse(item, peer, step, reason)
        refused.append(Refusal(position, step, reason))

    def _store(self, rows: list[tuple[int, Verified, ForeignRecord]]) -> list[Stored]:
        records = [row for _, _, row in rows]
        if not records:  # an empty poll takes no write lock
            return []
        try:
            refs = self.store.add_foreign_records(records)
        except StoreConflictError:  # a leaf taken by another record: find it one by one
            return [self._store_one(row) for row in records]
        return [_outcome(row, ref) for row, ref in zip(records, refs, strict=True)]

    def _store_one(self, row: ForeignRecord) -> Stored:
        try:
            return _outcome(row, self.store.add_foreign_records([row])[0])
        except StoreConflictError:
            return "conflict"

    def foreign_record(self, verified: Verified) -> ForeignRecord:
        """The row a verified record is stored as (ValueError: a rule version unknown here)."""
        item, record = verified.item, verified.record
        row = NewRecord(
            province=item.province, record_no=item.record_no, kind=record.kind,
            local_category=record.local_category, shared_category=item.shared_category,
            catalog_version=verified.header.catalog_version, severity=record.severity,
            rule_version=record.rule_version, commitment=verified.commitment, salt=item.salt,
            subject_token=subject_token(verified.subject_id, self.keys.token_key),
            sealed_payload=seal(item.payload, self.keys.master_key,
                                record_aad(item.province, item.record_no)).to_bytes(),
            is_public=is_public(record), publicity_end=record_publicity_end(record),
            status="objection" if item.objection_flagged else "active",
            subject_type=subject_type(record.subject_kind))
        return ForeignRecord(row, item.leaf_index, verified.header.seq)


def _outcome(row: ForeignRecord, ref: StoredRef) -> Stored:
    if ref.created:
        return "new"
    return "repeat" if ref.commitment == row.record.commitment else "conflict"


def _batch(verified: Verified) -> ForeignBatch:
    item = verified.item
    return ForeignBatch(
        province=item.province, seq=verified.header.seq,
        header_json=verified.header.to_json(), signature=item.header_signature,
        chain_id=item.anchor.chain_id, contract=item.anchor.contract,
        tx_hash=item.anchor.tx_hash if len(item.anchor.tx_hash) == 32 else None,
        block_number=item.anchor.block_number)


def _leaf(verified: Verified) -> ForeignLeafProof:
    item = verified.item
    return ForeignLeafProof(item.province, item.leaf_index, verified.header.seq,
                            item.inclusion_proof)
