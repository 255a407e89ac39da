"""Signed tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint) in signed notes.

A checkpoint is the text ``<origin>\n<size>\n<base64 root>\n``, carried as the text of a
C2SP signed note (:mod:`crypto.signed_note`) signed by the log's key and co-signed by
witnesses. The format is the transparency-log ecosystem's, so Go's ``sumdb/note`` and its
witnesses read our heads as they are. Usage::

    from crypto.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
    from crypto.signed_note import NoteVerifier

    note = sign_checkpoint(Checkpoint("yrd-credit/audit/JS", 3, root), "yrd-credit/audit/JS", key)
    log = NoteVerifier("yrd-credit/audit/JS", public_key_of(key))
    checkpoint = verify_checkpoint(note, "yrd-credit/audit/JS", [log])   # raises if wrong

Parsers refuse every malformed input with :class:`~crypto.errors.MalformedNote` naming the
defect; a signature that does not verify, or a note no known key signed, raises
:class:`~crypto.errors.InvalidSignature`; a well-signed head of another log raises
:class:`~crypto.errors.OriginMismatch`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import nacl.signing

from crypto.errors import InvalidSignature, MalformedNote, OriginMismatch
from crypto.signed_note import (
    CONTROL_CHARS,
    NoteSignature,
    NoteVerifier,
    SignedNote,
    canonical_b64decode,
    check_note_text,
    ed25519_valid,
    open_note,
    sign_note,
    sign_text,
)
from crypto.signing import NodePublicKey, node_public_key

__all__ = [
    "Checkpoint",
    "checkpoint_note",
    "head_signature",
    "parse_checkpoint",
    "sign_checkpoint",
    "verify_checkpoint",
    "verify_head_signature",
]

_MAX_SIZE: Final = 2**63 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log's ``origin``, its ``size`` and the RFC 9162 ``root`` (32 bytes).

    Construction checks every field (``MalformedNote``) so a checkpoint that exists can be
    rendered and parsed back to itself.
    """

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise MalformedNote("malformed checkpoint: empty origin")
        if "\n" in self.origin or CONTROL_CHARS.search(self.origin):
            raise MalformedNote("malformed checkpoint: origin holds a control character")
        if type(self.size) is not int or not 0 <= self.size <= _MAX_SIZE:
            raise MalformedNote(f"malformed checkpoint: size {self.size!r}, want 0..2^63-1")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            got = len(self.root) if isinstance(self.root, bytes) else type(self.root).__name__
            raise MalformedNote(f"malformed checkpoint: root has {got} bytes, want 32")

    def body(self) -> str:
        """The checkpoint text, the exact string every signature covers."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def _parse_body(text: str, expected_origin: str | None) -> Checkpoint:
    lines = text.split("\n")[:-1]
    origin = lines[0] if lines else ""
    if not origin:
        raise MalformedNote("malformed checkpoint: empty origin")
    if expected_origin is not None and origin != expected_origin:
        raise OriginMismatch(f"checkpoint origin {origin!r}, want {expected_origin!r}")
    if len(lines) < 3:
        raise MalformedNote(f"malformed checkpoint: {len(lines)} line(s), want 3 "
                            "(origin, size, root)")
    if not _DECIMAL.fullmatch(lines[1]) or int(lines[1]) > _MAX_SIZE:
        raise MalformedNote(f"malformed checkpoint: size {lines[1]!r} is not a decimal "
                            "integer without leading zeros in 0..2^63-1")
    root = canonical_b64decode("checkpoint: root", lines[2])
    if len(root) != 32:
        raise MalformedNote(f"malformed checkpoint: root has {len(root)} bytes, want 32")
    if len(lines) > 3:
        raise MalformedNote(f"malformed checkpoint: {len(lines) - 3} extra line(s) after "
                            "the root, want none")
    return Checkpoint(origin, int(lines[1]), root)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint text (the note's text, not the note); nothing is verified."""
    return _parse_body(check_note_text(text), None)


def sign_checkpoint(checkpoint: Checkpoint, name: str, key: nacl.signing.SigningKey) -> str:
    """The signed note of ``checkpoint`` by ``key`` under ``name`` (by convention, the origin)."""
    return sign_note(checkpoint.body(), name, key)


def verify_checkpoint(note: str, origin: str, verifiers: Sequence[NoteVerifier]) -> Checkpoint:
    """Verify a signed checkpoint of the log ``origin`` and return it.

    Steps: (1) the note is well formed; (2) a key of ``verifiers`` signed it and no known
    key's signature fails; (3) the origin line is non-empty and equals ``origin``; (4) the
    size is canonical decimal; (5) the root is canonical base64 of 32 bytes; (6) nothing
    follows the root.
    """
    if not origin:
        raise ValueError("verify_checkpoint: expected origin is empty")
    # (1), (2): structure and signatures over the exact text.
    text, _ = open_note(note, verifiers)
    # (3)-(6): bind every field of what was signed.
    return _parse_body(text, origin)


def head_signature(checkpoint: Checkpoint, key: nacl.signing.SigningKey) -> bytes:
    """The bare 64-byte Ed25519 signature over ``checkpoint``'s text (what is anchored)."""
    return sign_text(checkpoint.body(), "head", key).signature


def verify_head_signature(
    checkpoint: Checkpoint, signature: bytes, public_key: NodePublicKey
) -> None:
    """Check a bare 64-byte signature (as anchored on-chain) over ``checkpoint``'s text."""
    if not ed25519_valid(checkpoint.body().encode(), signature, node_public_key(public_key)):
        raise InvalidSignature(
            f"head signature at size {checkpoint.size} of {checkpoint.origin!r} does not verify"
        )


def checkpoint_note(
    checkpoint: Checkpoint, signatures: Sequence[tuple[NoteVerifier, bytes]]
) -> str:
    """Rebuild the signed note of ``checkpoint`` from bare signatures (e.g. read on-chain).

    Signatures are not checked here; ``verify_checkpoint`` the result before trusting it.
    """
    if not signatures:
        raise ValueError("checkpoint_note: at least one signature is needed")
    lines = tuple(NoteSignature(v.name, v.key_id, bytes(sig)) for v, sig in signatures)
    return SignedNote(checkpoint.body(), lines).render()
