"""C2SP signed notes and checkpoints: reference vector, round trips, every refusal pinned."""

from __future__ import annotations

import base64
import hashlib

import nacl.signing
import pytest

from crypto.checkpoint import (
    Checkpoint,
    MalformedNote,
    NoteVerifier,
    OriginMismatch,
    add_signature,
    checkpoint_note,
    head_signature,
    note_key_id,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verify_checkpoint,
    verify_head_signature,
)
from crypto.errors import InvalidSignature
from crypto.signing import public_key_of

# golang.org/x/mod/sumdb/note, note_test.go: Ed25519 is deterministic, so signing the
# same text with the same seed must reproduce the published note byte for byte.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SEED_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FF"
                     "YC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")

ORIGIN = "yrd-credit/audit/JS"
KEY = nacl.signing.SigningKey(bytes(range(32)))
LOG = NoteVerifier(ORIGIN, public_key_of(KEY))
WITNESS_KEY = nacl.signing.SigningKey(bytes(range(1, 33)))
WITNESS = NoteVerifier("yrd-credit/witness/SH", public_key_of(WITNESS_KEY))
ROOT = hashlib.sha256(b"root").digest()
B64_ROOT = base64.b64encode(ROOT).decode()


def signed(text: str) -> str:
    return sign_note(text, ORIGIN, KEY)


def test_go_reference_vector_byte_for_byte() -> None:
    verifier = parse_verifier_key(GO_VKEY)
    assert verifier.vkey() == GO_VKEY
    assert verifier.key_id.hex() == "c74f20a3"
    seed = base64.b64decode(GO_SEED_B64)[1:]
    assert sign_note(GO_TEXT, "PeterNeumann", nacl.signing.SigningKey(seed)) == GO_NOTE
    text, signers = open_note(GO_NOTE, [verifier])
    assert text == GO_TEXT and signers == [verifier]
    with pytest.raises(InvalidSignature, match=r"PeterNeumann\+c74f20a3 does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [verifier])


def test_key_id_follows_the_signed_note_spec() -> None:
    want = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + LOG.public_key).digest()[:4]
    assert note_key_id(ORIGIN, LOG.public_key) == LOG.key_id == want


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


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (f"{ORIGIN}\n1\n{B64_ROOT}\n", "no blank line between text and signatures"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n", "no signature lines"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n- name AAAAAAAA\n", "signature line 1 does not start '— '"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n\u2014 a+b AAAAAAAA\n", "key name 'a\\+b' must be"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n\u2014 name AAAA\n", "signature line 1 is too short"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n\u2014 name AAAAAAB=\n", "base64 is not in canonical form"),
        (f"{ORIGIN}\x07\n1\n{B64_ROOT}\n\n\u2014 name AAAAAAAA\n", "control character"),
        (f"{ORIGIN}\n1\n{B64_ROOT}\n\n" + "\u2014 name AAAAAAAA\n" * 101, "101 signatures"),
    ],
    ids=["no-blank-line", "no-signatures", "wrong-dash", "plus-in-name", "short-blob",
         "non-canonical-base64", "control-char", "too-many-signatures"],
)
def test_malformed_note_refused(note: str, message: str) -> None:
    with pytest.raises(MalformedNote, match=message):
        verify_checkpoint(note, ORIGIN, [LOG])


def test_checkpoint_construction_checks_fields() -> None:
    with pytest.raises(MalformedNote, match="empty origin"):
        Checkpoint("", 1, ROOT)
    with pytest.raises(MalformedNote, match="root has 31 bytes, want 32"):
        Checkpoint(ORIGIN, 1, ROOT[:31])
    with pytest.raises(MalformedNote, match="size -1"):
        Checkpoint(ORIGIN, -1, ROOT)
    with pytest.raises(ValueError, match="expected origin is empty"):
        verify_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), ORIGIN, KEY), "", [LOG])


def test_verifier_key_refusals() -> None:
    with pytest.raises(MalformedNote, match="key id 'c74f20a' is not 8 hex digits"):
        parse_verifier_key("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(MalformedNote, match="key id c74f20a4 does not match the key"):
        parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(MalformedNote, match="want 0x01 followed by a 32-byte Ed25519 key"):
        parse_verifier_key("PeterNeumann+c74f20a3+AhpcOQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
