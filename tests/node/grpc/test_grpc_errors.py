"""The one error table: each domain error maps to its documented status code."""

from __future__ import annotations

import grpc
import pytest

from node.grpc.errors import status_for
from node.service.errors import BadRequest, Refusal, Refused, Unauthenticated, Unavailable
from node.store.errors import StoreUnavailableError


@pytest.mark.parametrize(("error", "code"), [
    (Unauthenticated("no role"), grpc.StatusCode.UNAUTHENTICATED),
    (Refused("grant expired", reason=Refusal.GRANT_REFUSED), grpc.StatusCode.PERMISSION_DENIED),
    (BadRequest("malformed grant"), grpc.StatusCode.INVALID_ARGUMENT),
    (Unavailable("ledger down"), grpc.StatusCode.UNAVAILABLE),
    (StoreUnavailableError("db down"), grpc.StatusCode.UNAVAILABLE),
    (RuntimeError("bug"), grpc.StatusCode.INTERNAL),
])
def test_status_for(error: Exception, code: grpc.StatusCode) -> None:
    assert status_for(error) is code
