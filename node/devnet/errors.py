"""The one error type the consortium tooling raises for a failed step."""

from __future__ import annotations

__all__ = ["ConsortiumError"]


class ConsortiumError(Exception):
    """A consortium step failed; the message says which, where, and what to look at."""
