"""C2SP checkpoints: round trips, cosignatures, head signatures, every refusal pinned.

The signed-note layer underneath has its own tests in test_signed_note.py.
"""

from __future__ import annotations

import base64
import hashlib

import nacl.signing
import pytest

from crypto.checkpoint import (
    Checkpoint,
    checkpoint_note,
    head_signature,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
    verify_head_signature,
)
from crypto.errors import InvalidSignature, MalformedNote, OriginMismatch
from crypto.signed_note import (
    NoteVerifier,
    add_signature,
    note_key_id,
    open_note,
    parse_note,
    sign_note,
)
from crypto.signing import public_key_of

ORIGIN = "yrd-credit/audit/JS"
KEY = nacl.signing.SigningKey(bytes(range(32)))
LOG = NoteVerifier(ORIGIN, public_key_of(KEY))
WITNESS_KEY = nacl.signing.SigningKey(bytes(range(1, 33)))
WITNESS = NoteVerifier("yrd-credit/witness/SH", public_key_of(WITNESS_KEY))
ROOT = hashlib.sha256(b"root").digest()
B64_ROOT = base64.b64encode(ROOT).decode()


def signed(text: str) -> str:
    return sign_note(text, ORIGIN, KEY)


def test_checkpoint_round_trip() -> None:
    checkpoint = Checkpoint(ORIGIN, 42, ROOT)
    assert checkpoint.body() == f"{ORIGIN}\n42\n{B64_ROOT}\n"
    note = sign_checkpoint(checkpoint, ORIGIN, KEY)
    assert verify_checkpoint(note, ORIGIN, [LOG]) == checkpoint
    assert parse_checkpoint(checkpoint.body()) == checkpoint
    signature = head_signature(checkpoint, KEY)
    verify_head_signature(checkpoint, signature, LOG.public_key)
    assert checkpoint_note(checkpoint, [(LOG, signature)]) == note


def test_empty_tree_checkpoint() -> None:
    empty = Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest())
    assert verify_checkpoint(sign_checkpoint(empty, ORIGIN, KEY), ORIGIN, [LOG]) == empty


def test_cosignature_adds_a_line_over_the_same_text() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), ORIGIN, KEY)
    cosigned = add_signature(note, WITNESS.name, WITNESS_KEY)
    assert cosigned.startswith(note)
    assert [s.name for s in parse_note(cosigned).signatures] == [ORIGIN, WITNESS.name]
    _, signers = open_note(cosigned, [LOG, WITNESS])
    assert signers == [LOG, WITNESS]
    # The log key alone still verifies the checkpoint: witness lines are ignored.
    assert verify_checkpoint(cosigned, ORIGIN, [LOG]).size == 7


def test_tampered_head_signature_refused() -> None:
    checkpoint = Checkpoint(ORIGIN, 3, ROOT)
    signature = head_signature(checkpoint, KEY)
    with pytest.raises(InvalidSignature, match="head signature at size 4 of 'yrd-credit/audit/JS'"):
        verify_head_signature(Checkpoint(ORIGIN, 4, ROOT), signature, LOG.public_key)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (f"\n5\n{B64_ROOT}\n", MalformedNote, "malformed checkpoint: empty origin"),
        (f"other/log\n5\n{B64_ROOT}\n", OriginMismatch,
         "checkpoint origin 'other/log', want 'yrd-credit/audit/JS'"),
        (f"{ORIGIN}\n5\n", MalformedNote, r"malformed checkpoint: 2 line\(s\), want 3"),
        (f"{ORIGIN}\n05\n{B64_ROOT}\n", MalformedNote, "size '05' is not a decimal integer"),
        (f"{ORIGIN}\n-5\n{B64_ROOT}\n", MalformedNote, "size '-5' is not a decimal integer"),
        (f"{ORIGIN}\nfive\n{B64_ROOT}\n", MalformedNote, "size 'five' is not a decimal"),
        (f"{ORIGIN}\n{2**63}\n{B64_ROOT}\n", MalformedNote, "is not a decimal integer"),
        (f"{ORIGIN}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", MalformedNote,
         "malformed checkpoint: root has 31 bytes, want 32"),
        (f"{ORIGIN}\n5\n{B64_ROOT[:-1]}!\n", MalformedNote,
         "malformed checkpoint: root: not standard base64"),
        (f"{ORIGIN}\n5\n{B64_ROOT}\nextension\n", MalformedNote,
         r"malformed checkpoint: 1 extra line\(s\) after the root, want none"),
    ],
    ids=["empty-origin", "origin-mismatch", "missing-root", "leading-zero", "negative",
         "not-decimal", "too-big", "short-root", "bad-base64", "extra-line"],
)
def test_signed_but_malformed_checkpoint_refused(
    text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        verify_checkpoint(signed(text), ORIGIN, [LOG])


def test_unknown_key_refused() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), ORIGIN, WITNESS_KEY)
    with pytest.raises(InvalidSignature, match="note has no signature by a known key: signed by "
                       f"{ORIGIN}\\+{note_key_id(ORIGIN, WITNESS.public_key).hex()}"):
        verify_checkpoint(note, ORIGIN, [LOG])


def test_bad_signature_by_known_key_refused() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), ORIGIN, KEY)
    forged = note.replace(f"\n1\n{B64_ROOT}", f"\n2\n{B64_ROOT}")
    with pytest.raises(InvalidSignature, match=f"by {ORIGIN}\\+{LOG.key_id.hex()} does not verify"):
        verify_checkpoint(forged, ORIGIN, [LOG])


def test_checkpoint_construction_checks_fields() -> None:
    with pytest.raises(MalformedNote, match="empty origin"):
        Checkpoint("", 1, ROOT)
    with pytest.raises(MalformedNote, match="root has 31 bytes, want 32"):
        Checkpoint(ORIGIN, 1, ROOT[:31])
    with pytest.raises(MalformedNote, match="size -1"):
        Checkpoint(ORIGIN, -1, ROOT)
    with pytest.raises(ValueError, match="expected origin is empty"):
        verify_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), ORIGIN, KEY), "", [LOG])
