"""The one table from errors to audit reason codes and gRPC status codes, and the one
``abort`` helper.

A refusal is logged with its reason code and the call ends with its status code; both
come from the same row of ``ERROR_TABLE``, so the log and the caller never disagree.
"""

from __future__ import annotations

from typing import Final, NoReturn

import grpc

from node.audit.errors import AuditNotFound, AuditRangeError
from node.exchange.errors import ChainUnavailable
from node.service.errors import (
    BadRequest,
    RateLimited,
    Refused,
    ServiceError,
    Unauthenticated,
    Unavailable,
)
from node.store.errors import StoreError, StoreUnavailableError

__all__ = ["ERROR_TABLE", "CallerGone", "abort", "reason_code", "status_for"]


class CallerGone(Unavailable):
    """The caller gave up (deadline passed, call cancelled) before the answer was ready:
    nothing can reach it, so the access is logged as refused, not as answered."""


REFUSED: Final = "REFUSED"
"""Placeholder code of the ``Refused`` row: its ``Refusal`` names the real one."""

ERROR_TABLE: Final[tuple[tuple[type[Exception], str, grpc.StatusCode], ...]] = (
    (Unauthenticated, "NO_ROLE", grpc.StatusCode.UNAUTHENTICATED),
    (CallerGone, "CALLER_GONE", grpc.StatusCode.UNAVAILABLE),
    (RateLimited, REFUSED, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (Refused, REFUSED, grpc.StatusCode.PERMISSION_DENIED),
    (BadRequest, "BAD_REQUEST", grpc.StatusCode.INVALID_ARGUMENT),
    (AuditNotFound, "NOT_FOUND", grpc.StatusCode.NOT_FOUND),
    (AuditRangeError, "OUT_OF_RANGE", grpc.StatusCode.OUT_OF_RANGE),
    (Unavailable, "UNAVAILABLE", grpc.StatusCode.UNAVAILABLE),
    (ChainUnavailable, "UNAVAILABLE", grpc.StatusCode.UNAVAILABLE),
    (StoreUnavailableError, "UNAVAILABLE", grpc.StatusCode.UNAVAILABLE),
    # Another store failure (conflict, corruption) is logged like an outage but is not
    # one the caller can wait out.
    (StoreError, "UNAVAILABLE", grpc.StatusCode.INTERNAL),
    (ServiceError, "INTERNAL", grpc.StatusCode.INTERNAL),
)
"""(error type, audit reason code, status code); the first row ``isinstance`` matches
wins, anything else is ``INTERNAL``/``INTERNAL``."""


def _row(error: Exception) -> tuple[str, grpc.StatusCode]:
    for kind, code, status in ERROR_TABLE:
        if isinstance(error, kind):
            return code, status
    return "INTERNAL", grpc.StatusCode.INTERNAL


def reason_code(error: Exception) -> str:
    """The audit reason code of a refusal."""
    if isinstance(error, Refused):
        return error.reason.name
    return _row(error)[0]


def status_for(error: Exception) -> grpc.StatusCode:
    """The status code a call refused with ``error`` ends with."""
    return _row(error)[1]


def abort(context: grpc.ServicerContext, error: Exception) -> NoReturn:
    """End the call with the status of ``error``; its message is safe to show (no PII)."""
    context.abort(status_for(error), str(error))
    raise AssertionError("grpc context.abort returned")  # pragma: no cover
