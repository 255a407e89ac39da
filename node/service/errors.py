"""Domain errors of the service handlers; ``node.grpc.errors`` maps each to a status code.

Messages never hold a subject identifier, a name or a record payload.
"""

from __future__ import annotations

from enum import Enum


class ServiceError(Exception):
    """Base of every refusal a handler raises on purpose."""


class BadRequest(ServiceError):
    """The request is malformed (a missing field, an unparseable grant)."""


class Unauthenticated(ServiceError):
    """The caller's certificate maps to no role here."""


class Refusal(Enum):
    """Why a known caller is refused. The name is the audit log's reason code, the value
    the ``credit_refusals{reason=...}`` metric label, so both stay stable together."""

    WRONG_ROLE = "role"
    PURPOSE_NOT_ALLOWED = "purpose"
    GRANT_REFUSED = "grant"
    AGENCY_REFUSED = "agency"
    RATE_LIMITED = "rate"


class Refused(ServiceError):
    """The caller is known but not allowed to do this, for ``reason``."""

    def __init__(self, message: str, *, reason: Refusal) -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(Refused):
    """The caller sent more queries than its rate allows; it may retry later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason=Refusal.RATE_LIMITED)


class Unavailable(ServiceError):
    """A dependency (store, ledger) cannot answer now; the caller may retry."""
