"""The auditor's verifier over in-memory logs: each check, each problem code, its detail."""

from __future__ import annotations

import pytest
from audit_helpers import (
    IDENTITY,
    KEY,
    OTHER_KEY,
    WITNESS_KEYS,
    MemoryAudit,
    exchange,
    make_event,
    memory_log,
)

from crypto.checkpoint import Checkpoint, sign_checkpoint
from ledger.event_types import AuditHeadAnchored, AuditHeadWitnessed
from node.audit import (
    Action,
    ProblemCode,
    VerifyReport,
    WitnessCosig,
    anchored_heads_from_events,
    exchange_sides,
    verify_log,
)
from node.audit.report import MAX_PER_CODE


def details(report: VerifyReport, code: ProblemCode) -> list[str]:
    return [p.detail for p in report.problems if p.code is code]


def test_clean_log_with_witnesses() -> None:
    log = memory_log(30)
    heads = [log.anchored(10, 1, ["SH", "ZJ"]), log.anchored(30, 2, ["SH", "ZJ", "AH"])]
    report = verify_log(log.stream(), heads, IDENTITY, served_heads=[log.note(30)],
                        witness_keys=WITNESS_KEYS, consistency_proof=log.consistency,
                        inclusion_proof=log.prove, min_witnesses=2, max_unanchored=0,
                        strict_entries=True)
    assert report == VerifyReport(True, 30, 2, 30, (), witnessed=(
        (10, frozenset({"SH", "ZJ"})), (30, frozenset({"SH", "ZJ", "AH"}))))


def test_head_signed_by_another_key() -> None:
    log = memory_log(12)
    heads = [log.anchored(5, 1), log.anchored(12, 2, key=OTHER_KEY)]
    report = verify_log(log.stream(), heads, IDENTITY)
    [detail] = details(report, ProblemCode.HEAD_SIGNATURE_INVALID)
    assert detail.startswith("anchored head at size 12 (block 2): head signature at size 12")
    assert report.codes() == {ProblemCode.HEAD_SIGNATURE_INVALID}


def test_inconsistent_anchored_heads() -> None:
    log, other = memory_log(20), memory_log(20, start=100)
    heads = [other.anchored(8, 1), log.anchored(20, 2)]
    report = verify_log(log.stream(), heads, IDENTITY, consistency_proof=log.consistency)
    [detail] = details(report, ProblemCode.INCONSISTENT_HEADS)
    assert detail.startswith("anchored head at size 20 does not extend the one at size 8")
    assert "RootMismatchError" in detail
    # The entries match size 20 but not the stray head at size 8.
    [root] = details(report, ProblemCode.ROOT_MISMATCH)
    assert "at size 8, but anchored head at size 8 (block 1)" in root


def test_anchored_size_going_down() -> None:
    log = memory_log(10)
    report = verify_log(log.stream(), [log.anchored(10, 1), log.anchored(4, 2)], IDENTITY)
    assert details(report, ProblemCode.INCONSISTENT_HEADS) == [
        "anchored size went down from 10 to 4 (block 2)"]


def test_served_fork_and_bad_heads() -> None:
    log, fork = memory_log(20), memory_log(20, start=50)
    other_log = sign_checkpoint(Checkpoint("yrd-credit/audit/SH", 20, log.tree.root()),
                                IDENTITY.origin, KEY)
    report = verify_log(log.stream(), [log.anchored(20, 1)], IDENTITY, served_heads=[
        fork.note(20), log.note(12), fork.note(20).replace("\n20\n", "\n19\n"),
        MemoryAudit(key=OTHER_KEY).note(0), other_log])
    [fork_detail] = details(report, ProblemCode.FORK)
    assert fork_detail.startswith("served head at size 20 has root")
    assert fork_detail.endswith(f"but anchored head at size 20 (block 1) has root "
                                f"{log.tree.root().hex()}")
    assert details(report, ProblemCode.HEAD_MALFORMED) == [
        "served head #5: checkpoint origin 'yrd-credit/audit/SH', want 'yrd-credit/audit/JS'"]
    signatures = details(report, ProblemCode.HEAD_SIGNATURE_INVALID)
    assert [d.split(":")[0] for d in signatures] == ["served head #3", "served head #4"]
    assert report.codes() == {ProblemCode.FORK, ProblemCode.HEAD_MALFORMED,
                              ProblemCode.HEAD_SIGNATURE_INVALID}


def test_served_head_behind_anchor_is_stale() -> None:
    log = memory_log(20)
    report = verify_log(log.stream(), [log.anchored(20, 1)], IDENTITY,
                        served_heads=[log.note(15)], consistency_proof=log.consistency)
    assert details(report, ProblemCode.STALE_HEAD) == [
        "the node serves size 15, older than its anchored size 20"]
    assert report.codes() == {ProblemCode.STALE_HEAD}


def test_served_head_ahead_of_anchor_must_extend_it() -> None:
    log, fork = memory_log(30), memory_log(30, start=7)
    report = verify_log(log.stream(), [log.anchored(20, 1)], IDENTITY,
                        served_heads=[fork.note(30)], consistency_proof=fork.consistency)
    [detail] = details(report, ProblemCode.FORK)
    assert detail.startswith("served head at size 30 and anchored head at size 20 are not one log")


def test_witness_problems() -> None:
    log = memory_log(10)
    head = log.anchored(10, 1, ["SH"])
    bad_sig = WitnessCosig("ZJ", head.cosignatures[0].signature)
    own = WitnessCosig("JS", log.anchored(10, 1, ["JS"]).cosignatures[0].signature)
    stranger = WitnessCosig("XX", bytes(64))
    head = type(head)(head.size, head.root, head.signature, 1,
                      (*head.cosignatures, bad_sig, own, stranger))
    report = verify_log(log.stream(), [head], IDENTITY, witness_keys=WITNESS_KEYS,
                        min_witnesses=2)
    # Bad cosignatures are held against the witness that posted them, not the log ...
    faults = [(f.witness, f.size, f.code) for f in report.witness_faults]
    assert faults == [("ZJ", 10, ProblemCode.WITNESS_SIGNATURE_INVALID),
                      ("JS", 10, ProblemCode.WITNESS_NOT_MEMBER),
                      ("XX", 10, ProblemCode.WITNESS_NOT_MEMBER)]
    assert report.witness_faults[0].detail.startswith(
        "cosignature by ZJ on size 10: head signature at size 10")
    assert report.witness_faults[1].detail == (
        "cosignature by JS on size 10: a witness must be another member province")
    assert report.witnessed == ((10, frozenset({"SH"})),)
    # ... and do not count: the log's problem is only the missing quorum.
    assert report.codes() == {ProblemCode.UNWITNESSED_HEAD}
    assert details(report, ProblemCode.UNWITNESSED_HEAD) == [
        "anchored head at size 10 has 1 valid cosignatures, want at least 2"]
    enough = verify_log(log.stream(), [head], IDENTITY, witness_keys=WITNESS_KEYS,
                        min_witnesses=1)
    assert enough.ok and len(enough.witness_faults) == 3


def test_missing_anchor_and_truncated_log() -> None:
    log = memory_log(10)
    assert details(verify_log(log.stream(), [], IDENTITY), ProblemCode.MISSING_ANCHOR) == [
        "10 entries but no head of this log is anchored"]
    report = verify_log(log.stream(), [log.anchored(4, 1)], IDENTITY, max_unanchored=5)
    assert details(report, ProblemCode.MISSING_ANCHOR) == [
        "6 entries past the latest anchored size 4, want at most 5"]
    truncated = verify_log(log.stream()[:7], [log.anchored(10, 1)], IDENTITY)
    assert details(truncated, ProblemCode.MISSING_ENTRY) == [
        "anchored head at size 10 (block 1) has size 10 but the log served only 7 entries"]
    assert verify_log([], [], IDENTITY).ok


def test_malformed_and_reordered_entries() -> None:
    log = memory_log(6)
    stream = log.stream()
    stream[2] = (2, b"not json")
    stream[4] = (3, stream[4][1])
    report = verify_log(stream, [], IDENTITY)
    [malformed] = details(report, ProblemCode.ENTRY_MALFORMED)
    assert malformed.startswith("entry 2: audit entry 2 of JS: not an audit event")
    assert details(report, ProblemCode.ENTRY_OUT_OF_ORDER) == [
        "entry 3 arrived after entry 3: repeated or reordered"]


def test_one_sided_exchanges() -> None:
    js = MemoryAudit()
    js.append([exchange(0, Action.EXCHANGE_OUT, "SH", "x-1"),   # SH logged it: fine
               exchange(1, Action.EXCHANGE_IN, "SH", "x-2"),    # SH never logged sending
               exchange(2, Action.EXCHANGE_OUT, "ZJ", "x-3"),   # ZJ's log not supplied
               make_event(3)])
    sh = MemoryAudit()
    sh.append([exchange(0, Action.EXCHANGE_IN, "JS", "x-1", actor="JS"),
               exchange(1, Action.EXCHANGE_OUT, "JS", "x-4", actor="JS")])  # JS never logged it
    report = verify_log(js.stream(), [js.anchored(4, 1)], IDENTITY,
                        peer_exchanges={"SH": exchange_sides("SH", sh.stream())})
    assert details(report, ProblemCode.ONE_SIDED_EXCHANGE) == [
        "exchange_in of JS with SH (request 'x-2', entry 1) has no exchange_out in SH's log",
        "exchange_out of SH with JS (request 'x-4', entry 1) has no exchange_in in JS's log",
    ]


def test_problems_of_one_code_are_capped() -> None:
    log = memory_log(3)
    stream = [(i * 2, data) for i, data in enumerate(log.entries * 60)]
    report = verify_log(stream, [], IDENTITY)
    gaps = details(report, ProblemCode.MISSING_ENTRY)
    assert len(gaps) == MAX_PER_CODE + 1
    assert gaps[-1] == "79 more problems of this code not listed"


def test_anchored_heads_from_chain_events() -> None:
    log = memory_log(10)
    a5, a10 = log.anchored(5, 3, ["SH"]), log.anchored(10, 7, ["ZJ"])
    def anchored(block: int, province: str, size: int, root: bytes, sig: bytes
                 ) -> AuditHeadAnchored:
        return AuditHeadAnchored(contract="AuditAnchors", block_number=block, tx_hash="0x00",
                                 log_index=0, province=province, tree_size=size, root=root,
                                 signature=sig)

    def witnessed(block: int, size: int, root: bytes, witness: str, sig: bytes
                  ) -> AuditHeadWitnessed:
        return AuditHeadWitnessed(contract="AuditAnchors", block_number=block, tx_hash="0x00",
                                  log_index=0, province="JS", tree_size=size, root=root,
                                  witness=witness, cosignature=sig)

    events = [
        anchored(7, "JS", 10, a10.root, a10.signature),
        anchored(3, "JS", 5, a5.root, a5.signature),
        anchored(4, "SH", 5, bytes(32), bytes(64)),
        witnessed(5, 5, a5.root, "SH", a5.cosignatures[0].signature),
        witnessed(6, 5, bytes(32), "AH", bytes(64)),  # another root: dropped
        witnessed(8, 10, a10.root, "ZJ", a10.cosignatures[0].signature),
    ]
    heads = anchored_heads_from_events(events, "JS")
    assert heads == [a5, a10]
    report = verify_log(log.stream(), heads, IDENTITY, witness_keys=WITNESS_KEYS,
                        min_witnesses=1)
    assert report.ok, report.problems


@pytest.mark.parametrize("size", [1, 2, 7, 16, 17])
def test_localizes_an_edit_in_any_position(size: int) -> None:
    log = memory_log(size)
    heads = [log.anchored(size, 1)]
    for victim in range(size):
        stream = log.stream()
        stream[victim] = (victim, stream[victim][1].replace(b"credit_report", b"supervision"))
        if stream[victim][1] == log.entries[victim]:
            continue
        report = verify_log(stream, heads, IDENTITY, inclusion_proof=log.prove)
        assert [d.split(" is ")[0] for d in details(report, ProblemCode.ENTRY_MISMATCH)] == [
            f"entry {victim}"]


def test_exchanges_whose_ends_name_other_records_are_found() -> None:
    """Both ends logged the request id, but the receiver names fewer records: a node hid
    one record it took (or the sender invented one). Matching ids alone passed this."""
    js = MemoryAudit()
    refs = ("JS:JS-1", "JS:JS-2")
    js.append([make_event(0, action=Action.EXCHANGE_OUT, peer="SH", request_id="x-1",
                          actor="SH", role="peer", purpose="", subject_token=None,
                          records_returned=2, record_refs=refs),
               make_event(1, action=Action.EXCHANGE_OUT, peer="SH", request_id="x-2",
                          actor="SH", role="peer", purpose="", subject_token=None,
                          records_returned=2, record_refs=refs)])
    sh = MemoryAudit()
    sh.append([make_event(0, action=Action.EXCHANGE_IN, peer="JS", request_id="x-1",
                          actor="JS", role="peer", purpose="", subject_token=None,
                          records_returned=1, record_refs=refs[:1]),
               make_event(1, action=Action.EXCHANGE_IN, peer="JS", request_id="x-2",
                          actor="JS", role="peer", purpose="", subject_token=None,
                          records_returned=2, record_refs=tuple(reversed(refs)))])
    report = verify_log(js.stream(), [js.anchored(2, 1)], IDENTITY,
                        peer_exchanges={"SH": exchange_sides("SH", sh.stream())})
    assert report.codes() == {ProblemCode.EXCHANGE_MISMATCH}
    assert details(report, ProblemCode.EXCHANGE_MISMATCH) == [
        "exchange 'x-1' from JS to SH: JS's exchange_out (entry 0: 2 records) and SH's "
        "exchange_in (entry 0: 1 records) name different records"]
