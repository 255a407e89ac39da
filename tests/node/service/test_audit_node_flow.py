"""After the shared workload (``conftest``): every node's log verifies against the chain,
refusals are logged as refusals, exchanges appear at both ends under one request id, and
a query's receipt names its audit entry.
"""

from __future__ import annotations

from typing import Any

import grpc
from audit_node_helpers import AuditNet, entries

from crypto.checkpoint import verify_checkpoint
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.signed_note import NoteVerifier
from crypto.signing import node_public_key
from node._proto.credit.v1 import audit_pb2
from node.audit import Action, Decision, audit_origin, decode_entry
from node.grpc.convert import head_note
from node.grpc.stubs import audit_stub

PROVINCES = ("JS", "SH", "ZJ")


def test_every_node_verifies_after_the_workload(trio: AuditNet, workload: dict[str, Any]
                                                ) -> None:
    for province in PROVINCES:
        verdict = trio.verify(province)
        assert verdict.report.problems == (), province
        assert verdict.report.ok
        assert verdict.report.checked_entries == verdict.served_size > 0
        assert verdict.report.anchored_heads >= 1
        assert verdict.witness_cosignatures >= 2  # both other nodes co-signed
        assert verdict.exchanges_judged >= 1, province


def test_refusals_are_logged_as_refusals(trio: AuditNet, workload: dict[str, Any]) -> None:
    assert workload["codes"] == {
        "q-purpose-1": grpc.StatusCode.PERMISSION_DENIED,
        "q-badgrant-1": grpc.StatusCode.INVALID_ARGUMENT,
        "q-role-1": grpc.StatusCode.PERMISSION_DENIED,
        "q-norole-1": grpc.StatusCode.UNAUTHENTICATED,
    }
    by_id = {event.request_id: event for _, event, _ in entries(trio, "JS")}
    want = {"q-purpose-1": ("PURPOSE_NOT_ALLOWED", "agency", "supervision"),
            "q-badgrant-1": ("BAD_REQUEST", "agency", "credit_report"),
            "q-role-1": ("WRONG_ROLE", "platform", "credit_report"),
            "q-norole-1": ("NO_ROLE", "unknown", "credit_report")}
    for request_id, (reason, role, purpose) in want.items():
        event = by_id[request_id]
        assert (event.action, event.decision, event.reason, event.role, event.purpose) == (
            Action.REFUSAL, Decision.DENY, reason, role, purpose), request_id
        assert event.records_returned == 0
    # The subject is named by the node's keyed token, never by its identifier.
    token = trio["JS"].node.app.access_log.token(workload["subject"].id)
    assert by_id["q-purpose-1"].subject_token == token
    assert all(workload["subject"].id.encode() not in data for _, _, data in entries(trio, "JS"))


def test_exchanges_are_logged_at_both_ends_under_one_request_id(
        trio: AuditNet, workload: dict[str, Any]) -> None:
    sides = {p: {(e.action, e.peer, e.request_id): e for _, e, _ in entries(trio, p)
                 if e.action in (Action.EXCHANGE_IN, Action.EXCHANGE_OUT)} for p in PROVINCES}
    pulled = [(peer, rid) for (action, peer, rid) in sides["JS"] if action is Action.EXCHANGE_OUT
              and rid != "q-fed-1"]
    assert {peer for peer, _ in pulled} == {"SH", "ZJ"}
    for peer, request_id in pulled:
        mine = sides["JS"][(Action.EXCHANGE_OUT, peer, request_id)]
        theirs = sides[peer][(Action.EXCHANGE_IN, "JS", request_id)]
        assert mine.records_returned == theirs.records_returned > 0
        assert mine.record_refs == theirs.record_refs
    # The federated query: SH fetched on request from JS and ZJ under the query's id (one
    # call per on-request category); every answer SH logged, its origin logged too.
    fed = {p: [e for _, e, _ in entries(trio, p) if e.request_id == "q-fed-1"]
           for p in PROVINCES}
    fetched = 0
    for origin in ("JS", "ZJ"):
        out = [e for e in fed[origin] if e.action is Action.EXCHANGE_OUT]
        into = [e for e in fed["SH"] if e.action is Action.EXCHANGE_IN and e.peer == origin]
        assert len(out) == len(into) and all(e.peer == "SH" for e in out)
        assert sorted(e.records_returned for e in out) == sorted(
            e.records_returned for e in into)
        fetched += len(into)
    assert fetched >= 1
    query = [e for e in fed["SH"] if e.action is Action.QUERY]
    assert len(query) == 1 and query[0].records_returned == len(workload["federated"].records)


def test_query_receipt_names_its_audit_entry(trio: AuditNet, workload: dict[str, Any]) -> None:
    answer = workload["found"]
    receipt = answer.receipt
    assert receipt.request_id == "q-allowed-1" and len(answer.records) >= 1
    with trio.channel("SH", "auditor", "JS") as ch:
        stub = audit_stub(ch)
        head = stub.GetLatestHead(audit_pb2.GetLatestHeadRequest(), timeout=10).head
        proven = stub.GetInclusionProof(audit_pb2.GetInclusionProofRequest(
            request_id="q-allowed-1"), timeout=10)
    key = NoteVerifier(audit_origin("JS"),
                       node_public_key(trio.ledger().member("JS").node_key))
    checkpoint = verify_checkpoint(head_note(head, key), key.name, [key])
    [inclusion] = proven.inclusions
    assert inclusion.leaf_index == receipt.audit_leaf_index
    assert hash_leaf(inclusion.canonical_entry) == receipt.audit_leaf_hash
    assert proven.tree_size >= checkpoint.size > receipt.audit_leaf_index
    event = decode_entry(inclusion.canonical_entry)
    assert (event.action, event.records_returned) == (Action.QUERY, len(answer.records))
    assert event.record_refs == tuple(f"JS:{r.envelope.record_no}" for r in answer.records)
    verify_inclusion(inclusion.leaf_index, proven.tree_size, receipt.audit_leaf_hash,
                     list(inclusion.proof), trio["JS"].node.app.access_log.log.checkpoint(
                         proven.tree_size).checkpoint.root)
