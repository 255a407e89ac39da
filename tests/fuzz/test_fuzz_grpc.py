"""Arbitrary and malformed request bytes, sent raw to every credit.v1 method of one live
node by each role allowed to call it: never INTERNAL (nor UNKNOWN, a crash in a
servicer), bytes that are no message always a clear INVALID_ARGUMENT naming the request,
and every refusal in the access log. One node for the whole module; a bounded number of
examples per method, each counted in the suite's reliability summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import reliability_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_node import LiveNode, live_node, raw_call, request_class, service_methods
from proto_strategies import extremes, payloads

from ledger.devchain import DevChain
from node.grpc.malformed import MalformedRequests

# tests/node/grpc/authz_matrix.py is the one table of who may call what.
_MATRIX_DIR = Path(__file__).resolve().parents[1] / "node" / "grpc"

_NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNAUTHENTICATED,
          grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED}


def _matrix() -> dict[str, frozenset[str]]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("authz_matrix",
                                                  _MATRIX_DIR / "authz_matrix.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table: dict[str, frozenset[str]] = module.MATRIX
    return table


MATRIX = _matrix()
METHODS = sorted(MATRIX)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, anvil: DevChain) -> Iterator[LiveNode]:
    with live_node(Path(tmp_path_factory.mktemp("fuzz")), anvil.rpc_url) as node:
        yield node


@pytest.fixture(scope="module")
def channels(live: LiveNode) -> Iterator[dict[str, Any]]:
    opened = {role: live.channel(role) for role in {r for rs in MATRIX.values() for r in rs}}
    try:
        yield opened
    finally:
        for channel in opened.values():
            channel.close()


def _parses(cls: Any, payload: bytes) -> bool:
    try:
        cls.FromString(payload)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("path", METHODS, ids=[p.split(".")[-1] for p in METHODS])
def test_any_request_bytes_get_a_deliberate_status(live: LiveNode, channels: dict[str, Any],
                                                   path: str) -> None:
    method = service_methods()[path]
    cls = request_class(method)
    roles = sorted(MATRIX[path])

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(payload=payloads(cls), role=st.sampled_from(roles))
    def one(payload: bytes, role: str) -> None:
        reliability_counts.add(reliability_counts.BAD_INPUTS)
        before = live.audit_size()
        code, details = raw_call(channels[role], path, method, payload)
        assert code not in _NEVER, (role, payload, code, details)
        if not _parses(cls, payload):
            assert code is grpc.StatusCode.INVALID_ARGUMENT, (role, payload, code, details)
            assert details.startswith("request: the bytes are not a valid "), details
            entries = live.entries_since(before)
            assert [(e.role, e.reason) for e in entries if e.action.value == "refusal"] == [
                (role, "BAD_REQUEST")], entries
        elif code is not grpc.StatusCode.OK:
            assert details, f"{code} without a reason"

    one()


@pytest.mark.parametrize("path", METHODS, ids=[p.split(".")[-1] for p in METHODS])
def test_integers_at_their_extremes_get_a_deliberate_status(
        live: LiveNode, channels: dict[str, Any], path: str) -> None:
    """Found by the fuzzing above: ListEntries from start_index 2^64-1 and GetInclusionProof
    of leaf_index 2^64-1 ended INTERNAL (the database's integers stop at 2^63-1), and a
    submission with first_line 2^32-1 too (a rejected record's line overflowed its
    uint32); every method's integers at both ends, each time."""
    method = service_methods()[path]
    for payload in extremes(request_class(method)):
        for role in sorted(MATRIX[path]):
            reliability_counts.add(reliability_counts.BAD_INPUTS)
            code, details = raw_call(channels[role], path, method, payload)
            assert code not in _NEVER, (role, payload, code, details)


def test_a_first_line_whose_lines_overflow_is_refused(channels: dict[str, Any]) -> None:
    path = "credit.v1.IngestService/SubmitRecords"
    request = request_class(service_methods()[path])(records=[b"{}", b"{}"],
                                                      first_line=2**32 - 1)
    code, details = raw_call(channels["platform"], path, service_methods()[path],
                             request.SerializeToString())
    assert code is grpc.StatusCode.INVALID_ARGUMENT, details
    assert details.startswith("first_line: "), details


def test_a_role_refusal_comes_before_the_request_is_read(
        live: LiveNode, channels: dict[str, Any]) -> None:
    path = "credit.v1.NodeService/GetStatus"
    before = live.audit_size()
    code, details = raw_call(channels["platform"], path, service_methods()[path], b"\xff")
    assert code is grpc.StatusCode.PERMISSION_DENIED, details
    assert [e.reason for e in live.entries_since(before)] == ["WRONG_ROLE"]


def test_only_credit_services_are_made_tolerant() -> None:
    interceptor = MalformedRequests(["credit.v1.NodeService"])
    details = type("D", (), {"method": "/grpc.health.v1.Health/Check"})()
    assert interceptor.intercept_service(lambda d: None, details) is None
