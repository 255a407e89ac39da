"""Errors raised by the store: one base callers catch, narrow kinds below it.

Messages name the table, constraint or log involved and what was expected; they never
carry record contents (subject tokens, payloads), so they are safe to log.
"""

from __future__ import annotations

__all__ = [
    "StoreConflictError",
    "StoreCorruptionError",
    "StoreError",
    "StoreNotFoundError",
    "StoreUnavailableError",
]


class StoreError(Exception):
    """Base of every error raised by ``node.store``."""


class StoreConflictError(StoreError):
    """A write broke a constraint (uniqueness, batch order, state transition).

    The whole transaction was rolled back: nothing of the failing call was written.
    """


class StoreNotFoundError(StoreError):
    """A row the caller named (a batch, a log node) does not exist."""


class StoreUnavailableError(StoreError):
    """The database did not answer in time, or refused the connection."""


class StoreCorruptionError(StoreError):
    """Stored data contradicts itself (e.g. a log state whose peaks do not fit its size)."""
