"""Errors of the shared dishonesty catalog. Callers catch :class:`CatalogError`.

Three kinds of failure are kept apart (as in pyca/cryptography):

- a malformed or inconsistent *document* is a ``ValueError``
  (:class:`MalformedCatalog`, :class:`MalformedMapping`, :class:`CatalogFileError`,
  :class:`InconsistentMapping`);
- asking for a catalog version or shared code that is not held is a ``LookupError``
  (:class:`UnknownCatalogEntry`);
- the ledger disagreeing with the documents, or a peer's category claim not holding, is a
  verification failure (:class:`CatalogVerificationError`, :class:`ForeignCategoryRejected`),
  which carries a stable ``reason`` code from :data:`REASONS`.
"""

from __future__ import annotations

from typing import Final

from node.domain.errors import DomainError


class CatalogError(DomainError):
    """Base class of every catalog error (a :class:`~node.domain.errors.DomainError`)."""


class MalformedCatalog(CatalogError, ValueError):
    """A catalog document is not well formed; the message names the defect."""


class MalformedMapping(CatalogError, ValueError):
    """A provincial mapping document is not well formed; the message names the defect."""


class CatalogFileError(CatalogError, ValueError):
    """A catalog or mapping file is missing, unreadable, not JSON or misnamed."""


class InconsistentMapping(CatalogError, ValueError):
    """A mapping disagrees with its catalog or with the province's local codes.

    ``problems`` lists every defect found (the message shows the first few).
    """

    def __init__(self, problems: tuple[str, ...]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"inconsistent mapping: {shown}{more}")


class UnknownCatalogEntry(CatalogError, LookupError):
    """A catalog version or shared category code that is not held."""


REASONS: Final[dict[str, str]] = {
    "NOT_ADOPTED": "the catalog version is not adopted on the ledger",
    "CATALOG_UNKNOWN": "no catalog document is held for the version",
    "CATALOG_HASH_MISMATCH": "the held catalog document's hash differs from the adopted one",
    "MAPPING_UNKNOWN": "no mapping document is held for the province and version",
    "MAPPING_MISMATCH": "the mapping document is for another province or version",
    "MAPPING_NOT_PUBLISHED": "the province published no mapping hash for the version",
    "MAPPING_HASH_MISMATCH": "the mapping document's hash differs from the published one",
    "WRONG_PROVINCE": "the sending account belongs to another province than the mapping",
    "NOT_MAPPED": "the mapping does not map the local code",
    "MAPPED_ELSEWHERE": "the mapping maps the local code onto another shared category",
    "UNKNOWN_CATEGORY": "the shared category is not in the catalog version",
    "KIND_MISMATCH": "the record's kind differs from the shared category's kind",
}
"""Stable reason codes of verification failures, and what each means."""


class CatalogVerificationError(CatalogError):
    """The ledger and the catalog documents disagree. ``reason`` is a key of
    :data:`REASONS`."""

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown catalog verification reason {reason!r}")
        self.reason = reason
        super().__init__(message)


class ForeignCategoryRejected(CatalogVerificationError):
    """A peer's record claims a shared category that its origin's published mapping,
    checked against the ledger, does not support."""
