"""Domain errors of the service handlers; ``node.grpc.errors`` maps each to a status code.

Messages never hold a subject identifier, a name or a record payload.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every refusal a handler raises on purpose."""


class BadRequest(ServiceError):
    """The request is malformed (a missing field, an unparseable grant)."""


class Unauthenticated(ServiceError):
    """The caller's certificate maps to no role here."""


class Refused(ServiceError):
    """The caller is known but not allowed to do this. ``reason`` is a metric label."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Unavailable(ServiceError):
    """A dependency (store, ledger) cannot answer now; the caller may retry."""
