"""Tree heads of the audit log as the node serves them and as the ledger records them.

A node's audit log is named by its *origin*, ``yrd-credit/audit/<province>``; the node
signs checkpoints under that name with its Ed25519 node key, and a witness co-signs
under ``yrd-credit/witness/<province>`` with its own node key. On-chain, ``anchorHead``
stores (size, root, bare 64-byte signature) and ``witness`` the bare cosignature: the
signed note is rebuilt from them with ``crypto.checkpoint.checkpoint_note``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crypto.checkpoint import Checkpoint, checkpoint_note, parse_checkpoint
from crypto.errors import MalformedNote
from crypto.signed_note import NoteVerifier
from crypto.signing import SIGNATURE_SIZE, NodePublicKey
from ledger.event_types import AuditHeadAnchored, AuditHeadWitnessed, Event

__all__ = [
    "AnchoredHead",
    "ForkEvidence",
    "ServedHead",
    "SignedHead",
    "WitnessCosig",
    "anchored_heads_from_events",
    "audit_origin",
    "served_note",
    "witness_name",
]


def audit_origin(province: str) -> str:
    """The origin line (and log key name) of ``province``'s audit log."""
    return f"yrd-credit/audit/{province}"


def witness_name(province: str) -> str:
    """The key name under which ``province``'s node co-signs other logs' heads."""
    return f"yrd-credit/witness/{province}"


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A checkpoint signed by the log: the bare signature (what is anchored) and the note."""

    checkpoint: Checkpoint
    signature: bytes
    note: str


@dataclass(frozen=True, slots=True)
class ServedHead:
    """A head as another node served it: the checkpoint body and its bare signature,
    untrusted until :func:`served_note` is verified."""

    canonical_head: bytes
    signature: bytes


def served_note(head: ServedHead, log_key: NoteVerifier) -> str:
    """The signed note ``head`` stands for, under ``log_key`` (unverified: pass it to
    ``verify_checkpoint``). Raises ``MalformedNote`` when it cannot be one."""
    try:
        checkpoint = parse_checkpoint(head.canonical_head.decode())
    except UnicodeDecodeError as exc:
        raise MalformedNote("malformed head: canonical_head is not UTF-8") from exc
    if len(head.signature) != SIGNATURE_SIZE:
        raise MalformedNote(f"malformed head: signature has {len(head.signature)} bytes, "
                            f"want {SIGNATURE_SIZE}")
    return checkpoint_note(checkpoint, [(log_key, head.signature)])


@dataclass(frozen=True, slots=True)
class WitnessCosig:
    """A peer province's bare cosignature over a head's checkpoint text."""

    province: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class AnchoredHead:
    """A head as anchored on-chain, with the cosignatures witnesses added to it."""

    size: int
    root: bytes
    signature: bytes
    block_number: int
    cosignatures: tuple[WitnessCosig, ...] = ()

    def checkpoint(self, origin: str) -> Checkpoint:
        return Checkpoint(origin, self.size, self.root)

    def note(self, origin: str, log_key: NodePublicKey,
             witness_keys: Mapping[str, NodePublicKey]) -> str:
        """The signed note of this head: the log's signature and each known witness's."""
        lines = [(NoteVerifier(origin, log_key), self.signature)]
        lines += [(NoteVerifier(witness_name(c.province), witness_keys[c.province]), c.signature)
                  for c in self.cosignatures if c.province in witness_keys]
        return checkpoint_note(self.checkpoint(origin), lines)


@dataclass(frozen=True, slots=True)
class ForkEvidence:
    """Two notes signed by one log key that cannot both be true."""

    size: int
    root_a: bytes
    root_b: bytes
    note_a: str
    note_b: str


def anchored_heads_from_events(events: Iterable[Event], province: str) -> list[AnchoredHead]:
    """``province``'s anchored heads, in chain order, with their witness cosignatures.

    Other events and other provinces' heads are skipped. A cosignature whose root differs
    from the anchored one (the contract forbids it) is dropped.
    """
    heads: dict[int, AnchoredHead] = {}
    cosigs: dict[int, list[tuple[bytes, WitnessCosig]]] = {}
    for event in events:
        if isinstance(event, AuditHeadAnchored) and event.province == province:
            heads.setdefault(event.tree_size, AnchoredHead(
                event.tree_size, event.root, event.signature, event.block_number))
        elif isinstance(event, AuditHeadWitnessed) and event.province == province:
            cosigs.setdefault(event.tree_size, []).append(
                (event.root, WitnessCosig(event.witness, event.cosignature)))
    result = []
    for size, head in heads.items():
        extra = tuple(c for root, c in cosigs.get(size, []) if root == head.root)
        result.append(AnchoredHead(head.size, head.root, head.signature,
                                   head.block_number, extra))
    result.sort(key=lambda h: (h.block_number, h.size))
    return result
