"""Shared builders for the audit tests: deterministic events and an in-memory audit log."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import nacl.signing

from crypto.checkpoint import Checkpoint, checkpoint_note, head_signature
from crypto.merkle import MemoryTree, hash_leaf
from crypto.signing import NodePublicKey, public_key_of
from node.audit import (
    Action,
    AnchoredHead,
    AuditEvent,
    Decision,
    LogIdentity,
    WitnessCosig,
    audit_origin,
    encode_entry,
)

NOW = datetime(2026, 11, 28, 8, 30, 15, 123000, tzinfo=UTC)
PROVINCE = "JS"
ORIGIN = audit_origin(PROVINCE)
KEY = nacl.signing.SigningKey(hashlib.sha256(b"JS node key").digest())
OTHER_KEY = nacl.signing.SigningKey(hashlib.sha256(b"someone else").digest())
IDENTITY = LogIdentity(PROVINCE, ORIGIN, public_key_of(KEY))
WITNESS_SIGNERS = {p: nacl.signing.SigningKey(hashlib.sha256(f"{p} node key".encode()).digest())
                   for p in ("SH", "ZJ", "AH", "JS")}
WITNESS_KEYS: dict[str, NodePublicKey] = {p: public_key_of(k) for p, k in WITNESS_SIGNERS.items()}
AGENCY = hashlib.sha256(b"agency certificate").hexdigest()


def token(i: int) -> bytes:
    """A stand-in subject token (32 bytes, as crypto.tokens.subject_token returns)."""
    return hashlib.sha256(f"subject {i}".encode()).digest()


def make_event(i: int, **changes: Any) -> AuditEvent:
    """Event ``i``: mostly allowed queries, every 7th a refusal, request id ``req-<i>``."""
    fields: dict[str, Any] = {
        "time": NOW + timedelta(seconds=i),
        "actor": AGENCY,
        "role": "agency",
        "action": Action.QUERY,
        "decision": Decision.ALLOW,
        "request_id": f"req-{i:06d}",
        "purpose": "credit_report",
        "subject_token": token(i),
        "records_returned": i % 3,
        "record_refs": tuple(f"JS:JS-XZCF-2026-{i:06d}-{k}" for k in range(i % 3)),
    }
    if i % 7 == 6:
        fields.update(action=Action.REFUSAL, decision=Decision.DENY, reason="NO_GRANT",
                      records_returned=0, record_refs=(), subject_token=None)
    fields.update(changes)
    return AuditEvent(**fields)


def exchange(i: int, action: Action, peer: str, request_id: str, actor: str = "SH") -> AuditEvent:
    return make_event(i, action=action, peer=peer, request_id=request_id, actor=actor,
                      role="peer", purpose="", subject_token=None)


@dataclass
class MemoryAudit:
    """An audit log held in memory, signed like a node's: entries, tree and heads."""

    key: nacl.signing.SigningKey = KEY
    entries: list[bytes] = field(default_factory=list)
    tree: MemoryTree = field(default_factory=MemoryTree)

    def append(self, events: Sequence[AuditEvent]) -> None:
        for event in events:
            data = encode_entry(event)
            self.entries.append(data)
            self.tree.append(hash_leaf(data))

    def stream(self) -> list[tuple[int, bytes]]:
        return list(enumerate(self.entries))

    def checkpoint(self, size: int) -> Checkpoint:
        return Checkpoint(ORIGIN, size, self.tree.root(size))

    def note(self, size: int) -> str:
        checkpoint = self.checkpoint(size)
        return checkpoint_note(checkpoint, [(IDENTITY.verifier(),
                                             head_signature(checkpoint, self.key))])

    def anchored(self, size: int, block: int, witnesses: Sequence[str] = (),
                 key: nacl.signing.SigningKey | None = None) -> AnchoredHead:
        checkpoint = self.checkpoint(size)
        cosigs = tuple(WitnessCosig(p, head_signature(checkpoint, WITNESS_SIGNERS[p]))
                       for p in witnesses)
        return AnchoredHead(size, checkpoint.root, head_signature(checkpoint, key or self.key),
                            block, cosigs)

    def prove(self, index: int, size: int) -> list[bytes]:
        return self.tree.inclusion_proof(index, size)

    def consistency(self, size1: int, size2: int) -> list[bytes]:
        return self.tree.consistency_proof(size1, size2)


def memory_log(count: int, start: int = 0) -> MemoryAudit:
    log = MemoryAudit()
    log.append([make_event(i) for i in range(start, start + count)])
    return log
