"""Witnessing: co-sign only heads that extend the last one; forks and rollbacks refused."""

from __future__ import annotations

import pytest
from audit_helpers import IDENTITY, OTHER_KEY, WITNESS_SIGNERS, MemoryAudit, memory_log

from crypto.checkpoint import sign_checkpoint, verify_head_signature
from crypto.errors import InvalidSignature
from crypto.signed_note import NoteVerifier, open_note
from crypto.signing import public_key_of
from node.audit import (
    Cosignature,
    ForkDetected,
    InconsistentHead,
    check_and_cosign,
    detect_fork,
    witness_name,
    witness_once,
)

LOG_KEY = IDENTITY.verifier()
SH_KEY = WITNESS_SIGNERS["SH"]
SH = NoteVerifier(witness_name("SH"), public_key_of(SH_KEY))


def cosign(prev: str | None, new: str, proof: list[bytes]) -> Cosignature:
    return check_and_cosign(prev, new, proof, LOG_KEY, SH_KEY, SH.name)


def test_first_head_is_cosigned() -> None:
    log = memory_log(5)
    cosig = cosign(None, log.note(5), [])
    assert cosig.checkpoint == log.checkpoint(5)
    verify_head_signature(cosig.checkpoint, cosig.signature, SH.public_key)
    _, signers = open_note(cosig.note, [LOG_KEY, SH])
    assert signers == [LOG_KEY, SH]


def test_consistent_growth_is_cosigned() -> None:
    log = memory_log(21)
    for old, new in ((1, 2), (5, 21), (8, 16), (21, 21)):
        cosig = cosign(log.note(old), log.note(new), log.consistency(old, new))
        assert cosig.checkpoint.size == new


def test_inconsistent_head_refused() -> None:
    log, other = memory_log(10), memory_log(21, start=3)
    with pytest.raises(InconsistentHead, match=r"at size 21 is not consistent with size 10: "
                       r"root\d? mismatch"):
        cosign(log.note(10), other.note(21), other.consistency(10, 21))
    with pytest.raises(InconsistentHead, match="consistency proof: got 0 hashes"):
        cosign(log.note(10), other.note(21), [])


def test_shrinking_head_refused() -> None:
    log = memory_log(10)
    with pytest.raises(InconsistentHead, match="has size 4, smaller than the last co-signed "
                       "size 10"):
        cosign(log.note(10), log.note(4), [])


def test_fork_refused_with_evidence() -> None:
    log, fork = memory_log(10), memory_log(10, start=40)
    with pytest.raises(ForkDetected, match="fork of 'yrd-credit/audit/JS' at size 10") as caught:
        cosign(log.note(10), fork.note(10), [])
    evidence = caught.value.evidence
    assert (evidence.note_a, evidence.note_b) == (log.note(10), fork.note(10))
    assert evidence.root_a == log.tree.root() and evidence.root_b == fork.tree.root()
    assert detect_fork(log.note(10), log.note(10), LOG_KEY) is None
    assert detect_fork(log.note(4), fork.note(10), LOG_KEY) is None


def test_head_not_signed_by_the_log_refused() -> None:
    forged = MemoryAudit(key=OTHER_KEY)  # claims the log's key name and id, signs with another
    with pytest.raises(InvalidSignature, match=r"yrd-credit/audit/JS\+[0-9a-f]{8} does not verify"):
        cosign(None, forged.note(0), [])
    stranger = sign_checkpoint(forged.checkpoint(0), "someone/else", OTHER_KEY)
    with pytest.raises(InvalidSignature, match="no signature by a known key"):
        cosign(None, stranger, [])


def test_driver_publishes_once_and_saves_after_publishing() -> None:
    log = memory_log(12)
    state: dict[str, str | None] = {"head": log.note(6), "last": None}
    published: list[Cosignature] = []

    def run() -> Cosignature | None:
        return witness_once(lambda: state["head"], log.consistency, lambda: state["last"],
                            lambda note: state.update(last=note), published.append,
                            LOG_KEY, SH_KEY, SH.name)

    assert run() is not None and state["last"] == log.note(6)
    assert run() is None  # same head: nothing to do
    state["head"] = log.note(12)
    assert run() is not None and [c.checkpoint.size for c in published] == [6, 12]
    state["head"] = memory_log(12, start=1).note(12)
    with pytest.raises(ForkDetected):
        run()
    assert state["last"] == log.note(12) and len(published) == 2
    state["head"] = None
    assert run() is None
