"""C2SP signed notes: Go's reference vector, key ids, verifier keys, every refusal pinned."""

from __future__ import annotations

import base64
import hashlib

import nacl.signing
import pytest

from crypto.errors import InvalidSignature, MalformedNote
from crypto.signed_note import (
    NoteVerifier,
    add_signature,
    note_key_id,
    open_note,
    parse_note,
    parse_verifier_key,
    sign_note,
)
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
OTHER_KEY = nacl.signing.SigningKey(bytes(range(1, 33)))
OTHER = NoteVerifier("yrd-credit/witness/SH", public_key_of(OTHER_KEY))
B64_ROOT = base64.b64encode(hashlib.sha256(b"root").digest()).decode()


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


def test_lines_of_unknown_keys_are_ignored_but_one_known_key_must_sign() -> None:
    note = add_signature(sign_note("any text\n", OTHER.name, OTHER_KEY), ORIGIN, KEY)
    assert [s.name for s in parse_note(note).signatures] == [OTHER.name, ORIGIN]
    assert open_note(note, [LOG]) == ("any text\n", [LOG])
    with pytest.raises(InvalidSignature, match="note has no signature by a known key"):
        open_note(sign_note("any text\n", OTHER.name, OTHER_KEY), [LOG])


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
        open_note(note, [LOG])


def test_verifier_key_refusals() -> None:
    with pytest.raises(MalformedNote, match="key id 'c74f20a' is not 8 hex digits"):
        parse_verifier_key("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(MalformedNote, match="key id c74f20a4 does not match the key"):
        parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(MalformedNote, match="want 0x01 followed by a 32-byte Ed25519 key"):
        parse_verifier_key("PeterNeumann+c74f20a3+AhpcOQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
