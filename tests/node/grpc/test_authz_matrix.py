"""Every role x every credit.v1 RPC against one live node, from the one table
(``authz_matrix.MATRIX``): an allowed role gets past the role check, a refused one gets
PERMISSION_DENIED (UNAUTHENTICATED without a role) and a REFUSAL entry in the node's
access log naming its role and reason. The requests are minimal but valid-looking, so a
refusal can only come from the role check, which runs before the request is looked at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import reliability_counts
from authz_matrix import MATRIX, ROLES, UNKNOWN
from google.protobuf import json_format
from live_node import LiveNode, live_node, raw_call, request_class, service_methods

from ledger.devchain import DevChain

# Fields of a minimal, plausible request per method (the rest left empty).
_FIELDS: dict[str, dict[str, Any]] = {
    "credit.v1.QueryService/Query": {
        "purpose": "credit_report", "requestId": "q-authz-1",
        "subject": {"idType": "SUBJECT_ID_TYPE_USCC", "id": "91320000MA1MAAAA0X"}},
    "credit.v1.QueryService/WithdrawGrant": {"agency": "example-agency",
                                             "nonce": "0123456789abcdef"},
    "credit.v1.QueryService/GetConsentEvidence": {"evidenceSha256": "00" * 32},
    "credit.v1.MatchingService/GetTokenSet": {"purpose": "list_matching", "limit": 1},
    "credit.v1.MatchingService/Evaluate": {"purpose": "list_matching"},
    "credit.v1.AuditService/GetHeadAtSize": {"treeSize": "1"},
    "credit.v1.AuditService/ListEntries": {"pageSize": 1},
}
_CASES = [(path, role) for path in sorted(MATRIX) for role in ROLES]
_ROLE_REFUSALS = {"WRONG_ROLE", "NO_ROLE"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, anvil: DevChain) -> Iterator[LiveNode]:
    with live_node(Path(tmp_path_factory.mktemp("authz")), anvil.rpc_url) as node:
        yield node


def test_the_table_covers_exactly_the_served_methods() -> None:
    served = set(service_methods())
    assert set(MATRIX) == served, (
        f"rows for no method: {sorted(set(MATRIX) - served)}; "
        f"methods without a row: {sorted(served - set(MATRIX))}")
    assert all(UNKNOWN not in roles and roles for roles in MATRIX.values())


def _payload(path: str) -> bytes:
    method = service_methods()[path]
    message = json_format.ParseDict(_FIELDS.get(path, {}), request_class(method)())
    if path == "credit.v1.IngestService/SubmitStream":
        message.batch.records.append(b"{}")
    return bytes(message.SerializeToString())


@pytest.mark.parametrize(("path", "role"), _CASES, ids=[f"{p.split('.')[-1]}-{r}"
                                                         for p, r in _CASES])
def test_role_is_allowed_or_refused_and_audited(live: LiveNode, path: str, role: str) -> None:
    before = live.audit_size()
    with live.channel(role) as channel:
        code, details = raw_call(channel, path, service_methods()[path], _payload(path))
    reliability_counts.add(reliability_counts.AUTHZ_CALLS)
    assert code is not grpc.StatusCode.INTERNAL, details
    refusals = [e for e in live.entries_since(before) if e.decision.value == "deny"]
    if role in MATRIX[path]:
        assert code is not grpc.StatusCode.UNAUTHENTICATED, details
        assert "may not call this method" not in details
        assert not [e for e in refusals if e.reason in _ROLE_REFUSALS], refusals
        return
    expected = (grpc.StatusCode.UNAUTHENTICATED if role == UNKNOWN
                else grpc.StatusCode.PERMISSION_DENIED)
    assert code is expected, (code, details)
    logged_role = "unknown" if role == UNKNOWN else role
    reason = "NO_ROLE" if role == UNKNOWN else "WRONG_ROLE"
    assert [(e.action.value, e.role, e.reason) for e in refusals] == [
        ("refusal", logged_role, reason)], refusals
