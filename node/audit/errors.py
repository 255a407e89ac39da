"""Errors of the access audit log: one base callers catch, narrow kinds below it.

Messages name the entry index, request id, tree size or field at fault and what was
expected. They never hold a subject token's value, an identifier or a person's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from node.audit.heads import ForkEvidence

__all__ = [
    "AuditError",
    "AuditEventError",
    "AuditNotFound",
    "AuditRangeError",
    "ForkDetected",
    "InconsistentHead",
    "InvalidReceipt",
    "WitnessRefusal",
]


class AuditError(Exception):
    """Base of every error ``node.audit`` raises on purpose."""


class AuditEventError(AuditError, ValueError):
    """An access event (or the bytes of a stored entry) is malformed; names the field."""


class AuditNotFound(AuditError):
    """No entry at that index, or none logged under that request id."""


class AuditRangeError(AuditError, ValueError):
    """A leaf index or tree size outside the log (e.g. a proof for a size not yet reached)."""


class WitnessRefusal(AuditError):
    """A witness will not co-sign a new head; the subclass says why."""


class InconsistentHead(WitnessRefusal):
    """The new head does not extend the last one the witness saw (or is smaller)."""


class ForkDetected(WitnessRefusal):
    """Two heads signed by the log's key cannot both be true (``evidence`` holds both notes)."""

    def __init__(self, message: str, *, evidence: ForkEvidence) -> None:
        super().__init__(message)
        self.evidence = evidence


class InvalidReceipt(AuditError):
    """A query receipt does not check out (signature, head, index or inclusion proof)."""
