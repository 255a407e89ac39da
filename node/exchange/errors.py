"""Errors of the exchange: one base callers catch, narrow kinds below it.

Messages name the step, the origin province and what was expected; they never quote a
payload value (payloads may hold ID numbers and names).
"""

from __future__ import annotations


class ExchangeError(Exception):
    """Base of every error raised by ``node.exchange``."""


class VerificationFailed(ExchangeError):
    """A received record failed receiver verification step ``step`` (1..7).

    ``reason`` is safe to store and log: it names the defect, never a payload value.
    """

    def __init__(self, step: int, reason: str) -> None:
        self.step = step
        self.reason = reason
        super().__init__(f"verification step ({step}) failed: {reason}")


class ChainUnavailable(ExchangeError):
    """The ledger could not be asked (down, timed out): retry later, quarantine nothing."""


class CategoryPending(ChainUnavailable):
    """A record's category cannot be judged yet: its origin has not published its mapping
    onto the batch's catalog version (it does so right after an adoption). Retry the page
    later and quarantine nothing, as when the ledger cannot be asked."""
