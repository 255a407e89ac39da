"""Audit heads on the wire: ``credit.v1.SignedTreeHead`` to and from signed notes.

The node sends the checkpoint body (``canonical_head``) and its bare signature; a client
that knows the node's registered key rebuilds the signed note and verifies it before
believing any field (``head_note``), so the convenience copies (``tree_size``,
``root_hash``) are never trusted on their own.
"""

from __future__ import annotations

from typing import Any

from crypto.checkpoint import Checkpoint, checkpoint_note, parse_checkpoint
from crypto.errors import MalformedNote
from crypto.signed_note import NoteVerifier
from crypto.signing import SIGNATURE_SIZE
from node._proto.credit.v1 import audit_pb2, common_pb2
from node.audit import SignedHead
from node.service.audit_checkpoints import HeadAnchor

__all__ = ["head_note", "head_to_proto"]


def head_to_proto(head: SignedHead, province: str, *, chain_id: int = 0,
                  contract: bytes = b"", anchor: HeadAnchor | None = None) -> Any:
    """The SignedTreeHead of ``head``; ``anchor`` when it is the head anchored there."""
    checkpoint = head.checkpoint
    message = audit_pb2.SignedTreeHead(
        canonical_head=checkpoint.body().encode(), signature=head.signature,
        province=province, tree_size=checkpoint.size, root_hash=checkpoint.root)
    if anchor is not None and anchor.size == checkpoint.size:
        message.anchor.CopyFrom(common_pb2.AnchorRef(
            chain_id=chain_id, contract=contract, tx_hash=anchor.tx_hash,
            block_number=anchor.block_number))
    return message


def head_note(message: Any, log_key: NoteVerifier) -> str:
    """The signed note a SignedTreeHead stands for, under ``log_key`` (unverified: pass it
    to ``verify_checkpoint``). Raises ``MalformedNote`` when the message cannot be one."""
    try:
        checkpoint: Checkpoint = parse_checkpoint(bytes(message.canonical_head).decode())
    except UnicodeDecodeError as exc:
        raise MalformedNote("malformed head: canonical_head is not UTF-8") from exc
    signature = bytes(message.signature)
    if len(signature) != SIGNATURE_SIZE:
        raise MalformedNote(f"malformed head: signature has {len(signature)} bytes, "
                            f"want {SIGNATURE_SIZE}")
    return checkpoint_note(checkpoint, [(log_key, signature)])
