"""The one table from domain errors to gRPC status codes, and the one ``abort`` helper."""

from __future__ import annotations

from typing import Final, NoReturn

import grpc

from node.audit.errors import AuditNotFound, AuditRangeError
from node.service.errors import BadRequest, Refused, ServiceError, Unauthenticated, Unavailable
from node.store.errors import StoreUnavailableError

STATUS_BY_ERROR: Final[tuple[tuple[type[Exception], grpc.StatusCode], ...]] = (
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (Refused, grpc.StatusCode.PERMISSION_DENIED),
    (BadRequest, grpc.StatusCode.INVALID_ARGUMENT),
    (Unavailable, grpc.StatusCode.UNAVAILABLE),
    (AuditNotFound, grpc.StatusCode.NOT_FOUND),
    (AuditRangeError, grpc.StatusCode.OUT_OF_RANGE),
    (StoreUnavailableError, grpc.StatusCode.UNAVAILABLE),
    (ServiceError, grpc.StatusCode.INTERNAL),
)


def status_for(error: Exception) -> grpc.StatusCode:
    """The status code of ``error`` (the first matching row of ``STATUS_BY_ERROR``)."""
    for kind, code in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.INTERNAL


def abort(context: grpc.ServicerContext, error: Exception) -> NoReturn:
    """End the call with the status of ``error``; its message is safe to show (no PII)."""
    context.abort(status_for(error), str(error))
    raise AssertionError("grpc context.abort returned")  # pragma: no cover
