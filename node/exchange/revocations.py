"""Revocations in transit: served with their proof, verified like a record, then applied.

Serving (callee): our notices in **anchored** revocation batches after the caller's
revocation cursor (``"rev:<n>"``, the next leaf of our revocation log), each with its
inclusion proof, signed revocation header and anchor reference.

Receiving (caller), in numbered steps:

1. the notice parses and names the peer that handed it over as its origin;
2. the origin's registered node key, from the ledger (an active member);
3. the revocation header is bound to the origin and signed with that key under the
   revocation domain tag;
4. ``H(0x00 ‖ notice)`` is at ``leaf_index`` of the signed tree (inclusion proof);
5. the signed root and size are anchored as the origin's revocation batch ``seq``;
6. applied: the notice is stored, and the record it names — if held here with the same
   commitment — gets the notice's status: a repair or a correction ends it (no longer
   answered, data key destroyed, the commitment stays so history still verifies); an
   objection flags it, a decided objection clears the flag. A notice for a record not
   held yet is kept, and the revocation puller takes its page again until the record
   puller has brought the record (``node.exchange.revocation_puller``).

A failing item is refused with its step and reason (never personal data); the ledger
being unreachable raises ``ChainUnavailable`` so the page is taken again later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from crypto.batch_header import BatchHeader
from crypto.errors import InvalidSignature, MalformedHeader
from crypto.merkle import MerkleError, fetch_proof, hash_leaf, inclusion, verify_inclusion
from node.domain.lifecycle import ACTIVE, CORRECTED, OBJECTION, REPAIRED
from node.exchange.chain_facts import ChainFacts
from node.exchange.transit import AnchorRef, AnchorTarget
from node.service.errors import BadRequest
from node.service.revocation_log import (
    ENDING,
    Notice,
    parse_notice,
    verify_revocation_header,
)
from node.store.contract import Store
from node.store.rows import Batch
from node.store.sql_revocations import REVOCATIONS_LOG, RevocationStore

log = logging.getLogger(__name__)
_CURSOR = re.compile(r"^rev:(0|[1-9][0-9]{0,15})$")
MAX_REVOCATIONS: Final = 500


@dataclass(frozen=True, slots=True)
class ProvenNotice:
    """A revocation notice with what a receiver needs to verify it against the ledger."""

    notice: bytes
    leaf_index: int
    inclusion_proof: tuple[bytes, ...]
    batch_header: bytes
    header_signature: bytes
    anchor: AnchorRef


@dataclass(frozen=True)
class NoticeRefused:
    position: int
    step: int
    reason: str


@dataclass(frozen=True)
class Applied:
    """What became of one page of notices."""

    applied: tuple[Notice, ...]
    repeats: int
    refused: tuple[NoticeRefused, ...]


def parse_revocation_cursor(cursor: str) -> int:
    """The revocation leaf a cursor points at (0 for ``""``); ``BadRequest`` if malformed."""
    if cursor == "":
        return 0
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise BadRequest(f"malformed revocation cursor {cursor[:40]!r}: want 'rev:<n>' or empty")
    return int(match.group(1))


def revocation_page(store: Store, revocations: RevocationStore, *, province: str,
                    target: AnchorTarget, cursor: str, limit: int = MAX_REVOCATIONS
                    ) -> tuple[list[ProvenNotice], str]:
    """Our anchored notices after ``cursor`` (at most ``limit``) and the next cursor."""
    start = parse_revocation_cursor(cursor)
    leaf = start
    out: list[ProvenNotice] = []
    while len(out) < limit:
        batch = store.batch_for_leaf(leaf, REVOCATIONS_LOG)
        if batch is None or batch.status != "anchored":
            break
        end = min(batch.end_size, leaf + limit - len(out))
        for stored in revocations.in_range(province, leaf, end):
            out.append(_proven(store, stored.notice, stored.idx, batch, target))
        leaf = end
    return out, (f"rev:{leaf}" if leaf != start else cursor)


def _proven(store: Store, notice: bytes, idx: int, batch: Batch,
            target: AnchorTarget) -> ProvenNotice:
    plan = inclusion(idx, batch.end_size)
    proof = fetch_proof(plan, lambda ids: store.get_nodes(REVOCATIONS_LOG, ids))
    return ProvenNotice(
        notice=notice, leaf_index=idx, inclusion_proof=tuple(proof),
        batch_header=batch.header_json.encode("ascii"), header_signature=batch.signature,
        anchor=AnchorRef(chain_id=target.chain_id, contract=target.contract,
                         tx_hash=batch.tx_hash or b"", block_number=batch.block_number or 0,
                         seq=batch.seq))


class _Refuse(Exception):
    def __init__(self, step: int, reason: str) -> None:
        super().__init__(reason)
        self.step = step


def verify_notice(item: ProvenNotice, *, peer: str, chain: ChainFacts,
                  target: AnchorTarget) -> tuple[Notice, BatchHeader]:
    """Steps (1)-(5) of the module doc; raises ``_Refuse`` or ``ChainUnavailable``."""
    # (1): the notice parses and is the peer's own.
    try:
        notice = parse_notice(item.notice)
    except ValueError as exc:
        raise _Refuse(1, str(exc)) from exc
    if notice.province != peer:
        raise _Refuse(1, f"notice names province {notice.province}, handed over by {peer}")
    # (2): the origin's registered key.
    origin = chain.origin_key(peer)
    if origin is None:
        raise _Refuse(2, f"{peer} is not an active member on the ledger")
    # (3): the header, bound to the origin, signed under the revocation domain.
    try:
        header = BatchHeader.from_json(item.batch_header)
        if header.province != peer:
            raise _Refuse(3, f"revocation header names {header.province}, not {peer}")
        verify_revocation_header(header, item.header_signature, origin.node_key)
    except (MalformedHeader, InvalidSignature, TypeError, ValueError) as exc:
        raise _Refuse(3, f"revocation header: {exc}") from exc
    # (4): the notice is in the signed tree.
    try:
        verify_inclusion(item.leaf_index, header.tree_size, hash_leaf(item.notice),
                         list(item.inclusion_proof), header.root)
    except MerkleError as exc:
        raise _Refuse(4, f"inclusion of notice {item.leaf_index} in revocation batch "
                         f"{header.seq}: {exc}") from exc
    # (5): anchored on-chain as the origin's revocation batch.
    ref = item.anchor
    if (ref.seq != header.seq or ref.chain_id != target.chain_id
            or ref.contract != target.contract):
        raise _Refuse(5, f"anchor reference (seq {ref.seq}, chain {ref.chain_id}) does not "
                         f"name header seq {header.seq} on chain {target.chain_id}")
    if not chain.revocations_anchored(peer, header.seq, header.root, header.tree_size):
        raise _Refuse(5, f"the ledger holds no revocation batch {peer}/{header.seq} with root "
                         f"{header.root.hex()} and size {header.tree_size}")
    return notice, header


class RevocationReceiver:
    """Verifies a peer's notices and applies them to this node's copy of its records."""

    def __init__(self, store: Store, revocations: RevocationStore, chain: ChainFacts,
                 target: AnchorTarget) -> None:
        self.store = store
        self.revocations = revocations
        self.chain = chain
        self.target = target

    def accept(self, items: Sequence[ProvenNotice], *, peer: str) -> Applied:
        """Verify, store and apply each notice (module doc, steps 1-6)."""
        applied: list[Notice] = []
        refused: list[NoticeRefused] = []
        repeats = 0
        for position, item in enumerate(items):
            try:
                notice, header = verify_notice(item, peer=peer, chain=self.chain,
                                               target=self.target)
            except _Refuse as exc:
                refused.append(NoticeRefused(position, exc.step, str(exc)))
                log.warning("revocation refused", extra={"peer": peer, "step": exc.step})
                continue
            # (6): store, then stop answering and destroy the key.
            new = self.revocations.add_foreign(peer, item.leaf_index, notice.record_no,
                                               item.notice, header.seq)
            apply_notice(self.store, notice)
            if new:
                applied.append(notice)
            else:
                repeats += 1
        return Applied(tuple(applied), repeats, tuple(refused))


STATUS_AFTER: Final = {"repair": REPAIRED, "corrected": CORRECTED, "objection": OBJECTION,
                       "upheld": ACTIVE, "unverifiable": ACTIVE}
"""The status a notice gives the record it names (``node.service.revocation_log.REASONS``)."""


def apply_notice(store: Store, notice: Notice) -> bool:
    """Give the record a notice names its new status, if held here with the notice's
    commitment: an ending notice (repair, corrected) also destroys the data key, a flag is
    set or cleared. True when a record was changed. Idempotent; an ended record stays
    ended whatever notice comes after."""
    record = store.get_record(notice.province, notice.record_no)
    if record is None or record.commitment != notice.commitment:
        return False
    status = STATUS_AFTER[notice.reason]
    if record.status in (REPAIRED, CORRECTED):
        keys = getattr(store, "keys", None)
        if record.key_id is not None and keys is not None and keys.get([record.key_id]):
            store.set_status(notice.province, notice.record_no, record.status,
                             shred_payload=True)  # a shredding cut short: finish it
        return False
    if notice.reason in ENDING:
        store.set_status(notice.province, notice.record_no, status, shred_payload=True)
        return True
    if record.status == status:
        return False
    store.set_status(notice.province, notice.record_no, status)
    return True
