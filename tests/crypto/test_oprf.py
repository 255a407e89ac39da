"""The verifiable OPRF: committed vectors, RFC 9380 expander vectors, properties, and the
DLEQ proof catching an evaluation made with another key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import oprf
from crypto.errors import KeyFileError
from crypto.oprf_group import InvalidElement, expand_message_xmd
from crypto.oprf_keys import OPRF_KEY_LABEL, create_oprf_key_file, load_oprf_key

VECTORS = sorted((Path(__file__).parents[1] / "vectors" / "oprf").glob("*.json"))


def _replay_rng(values: list[bytes]):  # type: ignore[no-untyped-def]
    """An rng that makes random_scalar return the recorded scalars (already < ℓ)."""
    queue = [v + bytes(32) for v in values]  # 64 bytes whose reduction is v itself
    return lambda size: queue.pop(0)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_committed_vectors(path: Path) -> None:
    v = json.loads(path.read_text(encoding="utf-8"))
    assert bytes.fromhex(v["context"]) == oprf.CONTEXT
    key = oprf.derive_key_pair(bytes.fromhex(v["seed"]))
    assert key.private_key.hex() == v["private_key"]
    assert key.public_key.hex() == v["public_key"]
    inputs = [bytes.fromhex(i) for i in v["inputs"]]
    blinds, blinded = oprf.blind_batch(inputs, _replay_rng([bytes.fromhex(b) for b in v["blinds"]]))
    assert [b.hex() for b in blinded] == v["blinded"]
    reply = oprf.blind_evaluate_batch(key, blinded)
    assert [e.hex() for e in reply.evaluated] == v["evaluated"]
    recorded = oprf.BatchEvaluation(reply.evaluated, bytes.fromhex(v["proof"]))
    outputs = oprf.finalize_batch(inputs, blinds, blinded, recorded, key.public_key)
    assert [o.hex() for o in outputs] == v["outputs"]
    assert [oprf.evaluate(key, i).hex() for i in inputs] == v["outputs"]


@pytest.mark.parametrize(("msg", "length", "expected"), [
    (b"", 0x20, "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"),
    (b"abc", 0x20, "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"),
])
def test_expand_message_xmd_rfc9380_vectors(msg: bytes, length: int, expected: str) -> None:
    # RFC 9380 Appendix K.3 (expand_message_xmd, SHA-512).
    dst = b"QUUX-V01-CS02-with-expander-SHA512-256"
    assert expand_message_xmd(msg, dst, length).hex() == expected


def test_wrong_key_evaluation_is_caught_by_the_proof() -> None:
    committed = oprf.derive_key_pair(bytes(32))
    other = oprf.derive_key_pair(bytes([1]) * 32)
    inputs = [b"91350100M000100Y43", b"11010519491231002X"]
    blinds, blinded = oprf.blind_batch(inputs)
    reply = oprf.blind_evaluate_batch(other, blinded)  # a proof for the *other* key
    with pytest.raises(oprf.InvalidProof, match="not evaluated with the committed key"):
        oprf.finalize_batch(inputs, blinds, blinded, reply, committed.public_key)


def test_one_tampered_element_in_a_batch_fails_the_whole_proof() -> None:
    key = oprf.derive_key_pair(bytes(32))
    inputs = [str(i).encode() for i in range(20)]
    blinds, blinded = oprf.blind_batch(inputs)
    reply = oprf.blind_evaluate_batch(key, blinded)
    other = oprf.blind_evaluate_batch(oprf.derive_key_pair(bytes([2]) * 32), blinded)
    mixed = list(reply.evaluated)
    mixed[7] = other.evaluated[7]  # one element under a per-requester tagging key
    with pytest.raises(oprf.InvalidProof):
        oprf.finalize_batch(inputs, blinds, blinded,
                            oprf.BatchEvaluation(tuple(mixed), reply.proof), key.public_key)


def test_proof_of_another_batch_is_refused() -> None:
    key = oprf.derive_key_pair(bytes(32))
    inputs = [b"a", b"b"]
    blinds, blinded = oprf.blind_batch(inputs)
    reply = oprf.blind_evaluate_batch(key, blinded)
    _, blinded_again = oprf.blind_batch(inputs)
    stale = oprf.blind_evaluate_batch(key, blinded_again)
    with pytest.raises(oprf.InvalidProof):
        oprf.finalize_batch(inputs, blinds, blinded,
                            oprf.BatchEvaluation(reply.evaluated, stale.proof), key.public_key)


def test_responder_refuses_identity_and_malformed_elements() -> None:
    key = oprf.derive_key_pair(bytes(32))
    identity = bytes([1]) + bytes(31)
    with pytest.raises(InvalidElement, match="blinded element 1"):
        oprf.blind_evaluate_batch(key, [oprf.blind_batch([b"x"])[1][0], identity])
    with pytest.raises(InvalidElement, match="got 31 bytes, want 32"):
        oprf.blind_evaluate_batch(key, [bytes(31)])
    with pytest.raises(ValueError, match=r"want 1\.\.65535"):
        oprf.blind_evaluate_batch(key, [])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=6),
       st.binary(min_size=32, max_size=32))
def test_finalize_equals_direct_evaluation(inputs: list[bytes], seed: bytes) -> None:
    key = oprf.derive_key_pair(seed)
    blinds, blinded = oprf.blind_batch(inputs)
    reply = oprf.blind_evaluate_batch(key, blinded)
    outputs = oprf.finalize_batch(inputs, blinds, blinded, reply, key.public_key)
    assert outputs == [oprf.evaluate(key, i) for i in inputs]
    assert all(len(o) == oprf.OUTPUT_SIZE for o in outputs)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=40))
def test_outputs_differ_for_different_inputs_and_keys(a: bytes, b: bytes) -> None:
    k1, k2 = oprf.derive_key_pair(bytes(32)), oprf.derive_key_pair(bytes([9]) * 32)
    assert (oprf.evaluate(k1, a) == oprf.evaluate(k1, b)) == (a == b)
    assert oprf.evaluate(k1, a) != oprf.evaluate(k2, a)


def test_blinding_hides_the_input() -> None:
    """Two blindings of one input are unrelated elements (fresh r each time)."""
    _, first = oprf.blind_batch([b"91350100M000100Y43"])
    _, second = oprf.blind_batch([b"91350100M000100Y43"])
    assert first != second


def test_key_commitment_is_the_public_key() -> None:
    key = oprf.derive_key_pair(bytes(32))
    assert oprf.key_commitment(key.public_key) == key.public_key
    with pytest.raises(InvalidElement):
        oprf.key_commitment(bytes(32))
    assert "private_key" not in repr(key)


def test_key_file_roundtrip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "oprf.key"
    created = create_oprf_key_file(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert path.read_text(encoding="ascii").startswith(OPRF_KEY_LABEL + ":")
    assert load_oprf_key(path) == created
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        create_oprf_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_oprf_key(path)
