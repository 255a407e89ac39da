"""The one base of every error ``node.domain`` raises on purpose: :class:`DomainError`.

Callers that want "anything the domain refused" catch ``DomainError``; the narrow kinds
stay next to the rules that raise them, each under this base:

- ``node.domain.catalog.errors``: :class:`~node.domain.catalog.errors.CatalogError` and
  its kinds (malformed documents, unknown entries, verification failures);
- ``node.domain.calendar``: ``CalendarNotCovered``, ``CalendarDataError``;
- ``node.domain.publicity``: ``RuleTableError``, ``UnknownRuleVersion``;
- ``node.domain.records``: ``RecordParseError``.

Kinds about bad input data are also ``ValueError`` (catalog lookups: ``LookupError``), as
they were before this base existed, so ``except ValueError`` callers keep working.
Validation findings are not errors: they are ``Issue`` values (``node.domain.validation``).
A wrong argument type or value from the programmer stays a plain ``TypeError``/``ValueError``.
"""

from __future__ import annotations

__all__ = ["DomainError"]


class DomainError(Exception):
    """Base of every error ``node.domain`` raises on purpose."""
