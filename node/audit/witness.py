"""Witnessing: a peer co-signs a log's new head only if it extends the last head it saw.

``check_and_cosign`` is the pure decision; ``witness_once`` is a small driver over
callables (fetch the newest anchored head, fetch a consistency proof, load and save the
witness's last seen note, publish the cosignature, e.g. ``LedgerClient.witness_audit_head``).
A witness that co-signs only consistent heads makes a fork visible: to show two auditors
two different logs, the node would need two sets of witnesses. Usage::

    cosig = check_and_cosign(last_note, new_note, proof, log_key, my_key, witness_name("SH"))
    ledger.witness_audit_head("JS", cosig.checkpoint.size, cosig.checkpoint.root,
                              cosig.signature)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import nacl.signing

from crypto.checkpoint import Checkpoint, head_signature, verify_checkpoint
from crypto.merkle import MerkleError, verify_consistency
from crypto.signed_note import NoteVerifier, add_signature
from node.audit.errors import ForkDetected, InconsistentHead
from node.audit.heads import ForkEvidence

__all__ = ["Cosignature", "check_and_cosign", "detect_fork", "witness_once"]


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A witness's cosignature: the head, the bare signature (for the chain), the note
    with the witness's line appended."""

    checkpoint: Checkpoint
    signature: bytes
    note: str


def detect_fork(note_a: str, note_b: str, log_key: NoteVerifier) -> ForkEvidence | None:
    """Fork evidence if two heads of one log, both signed by ``log_key``, have the same
    size and different roots; ``None`` otherwise.

    Both notes are verified first (origin = ``log_key.name``); an unsigned or malformed
    note raises (``InvalidSignature`` / ``MalformedNote``): it proves nothing.
    """
    a = verify_checkpoint(note_a, log_key.name, [log_key])
    b = verify_checkpoint(note_b, log_key.name, [log_key])
    if a.size != b.size or a.root == b.root:
        return None
    return ForkEvidence(a.size, a.root, b.root, note_a, note_b)


def check_and_cosign(
    prev_note: str | None,
    new_note: str,
    consistency_proof: Sequence[bytes],
    log_key: NoteVerifier,
    my_key: nacl.signing.SigningKey,
    my_name: str,
) -> Cosignature:
    """Co-sign ``new_note`` if it extends ``prev_note`` (the last head this witness signed).

    Steps: (1) the new head verifies under ``log_key`` with origin ``log_key.name``;
    (2) with no previous head, accept it (trust on first use); (3) it is not smaller than
    the previous head; (4) at equal size the roots are equal, else ``ForkDetected`` with
    both notes; (5) a larger head is proven consistent with the previous one by
    ``consistency_proof``, else ``InconsistentHead``; (6) sign its text with ``my_key``.
    """
    # (1): the new head is the log's, as signed.
    new = verify_checkpoint(new_note, log_key.name, [log_key])
    if prev_note is not None:
        prev = verify_checkpoint(prev_note, log_key.name, [log_key])
        # (3): a log never shrinks.
        if new.size < prev.size:
            raise InconsistentHead(f"new head of {new.origin!r} has size {new.size}, "
                                   f"smaller than the last co-signed size {prev.size}")
        # (4): one size, one root.
        evidence = detect_fork(prev_note, new_note, log_key)
        if evidence is not None:
            raise ForkDetected(f"fork of {new.origin!r} at size {new.size}: root "
                               f"{evidence.root_b.hex()} differs from co-signed "
                               f"{evidence.root_a.hex()}", evidence=evidence)
        # (5): the new tree extends the old one.
        if 0 < prev.size < new.size:
            try:
                verify_consistency(prev.size, new.size, consistency_proof, prev.root, new.root)
            except MerkleError as exc:
                raise InconsistentHead(f"head of {new.origin!r} at size {new.size} is not "
                                       f"consistent with size {prev.size}: {exc}") from exc
    # (6): co-sign the very text the log signed.
    signature = head_signature(new, my_key)
    return Cosignature(new, signature, add_signature(new_note, my_name, my_key))


def witness_once(
    fetch_head: Callable[[], str | None],
    fetch_consistency: Callable[[int, int], Sequence[bytes]],
    load_last: Callable[[], str | None],
    save_last: Callable[[str], None],
    publish: Callable[[Cosignature], None],
    log_key: NoteVerifier,
    my_key: nacl.signing.SigningKey,
    my_name: str,
) -> Cosignature | None:
    """One witnessing round: co-sign the log's newest head if it is new and consistent.

    Returns the cosignature published, or ``None`` when there is no head or it was already
    co-signed. Refusals (``WitnessRefusal``) propagate, and nothing is saved or published.
    The new note is saved only after ``publish`` returned.
    """
    new_note = fetch_head()
    if new_note is None:
        return None
    prev_note = load_last()
    new = verify_checkpoint(new_note, log_key.name, [log_key])
    proof: Sequence[bytes] = ()
    if prev_note is not None:
        prev = verify_checkpoint(prev_note, log_key.name, [log_key])
        if (prev.size, prev.root) == (new.size, new.root):
            return None
        if 0 < prev.size < new.size:
            proof = fetch_consistency(prev.size, new.size)
    cosignature = check_and_cosign(prev_note, new_note, proof, log_key, my_key, my_name)
    publish(cosignature)
    save_last(new_note)
    return cosignature
