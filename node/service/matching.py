"""The responder's side of private list matching (匿踪查询), knowing nothing of gRPC.

A caller (a peer node, or an agency for a purpose its certificate carries) sends batches
of blinded elements; each batch is charged to the caller's evaluation budget, evaluated
with the node's OPRF key and answered with one DLEQ proof (crypto/oprf.py). The caller
then downloads the token set (``token_page``) and tests membership locally, so the node
learns how many evaluations were asked and nothing of the subjects: nothing about a
batch but its size is logged or audited, and blinded elements are never stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from crypto import oprf
from node.identity import Identity, Role
from node.service.errors import BadRequest, RateLimited, Refusal, Refused
from node.store.sql_oprf_tokens import MAX_PAGE, TokenSetStore

__all__ = ["MAX_EVAL_BATCH", "EvaluationBudget", "MatchingResponder", "TokenSetPage"]

MAX_EVAL_BATCH: Final = 4096
"""Elements per batch: one proof per batch, and a message well under the size limit."""


class EvaluationBudget:
    """A token bucket of evaluations per caller: ``burst`` at most, ``per_second`` back.

    Keyed by the caller's certificate fingerprint, so one requester's matching cannot
    exhaust another's; ``clock`` (monotonic seconds) is injectable for tests.
    """

    def __init__(self, *, burst: int, per_second: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst <= 0 or per_second < 0:
            raise ValueError(f"evaluation budget: want burst > 0 and per_second >= 0, "
                             f"got {burst}, {per_second}")
        self.burst = burst
        self.per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, caller: str, count: int) -> int:
        """Charge ``count`` evaluations to ``caller``; the whole left after it, or raise
        ``RateLimited`` (charging nothing) when the bucket holds fewer."""
        with self._lock:
            now = self._clock()
            level, since = self._buckets.get(caller, (float(self.burst), now))
            level = min(float(self.burst), level + (now - since) * self.per_second)
            if count > level:
                self._buckets[caller] = (level, now)
                raise RateLimited(
                    f"evaluation budget exhausted: asked {count}, {int(level)} left; "
                    f"{self.per_second:g} come back per second")
            self._buckets[caller] = (level - count, now)
            return int(level - count)


@dataclass(frozen=True)
class TokenSetPage:
    entries: list[tuple[bytes, str]]
    next_cursor: str
    total: int


@dataclass
class MatchingResponder:
    """Evaluates batches and serves the token set under this node's OPRF key."""

    key: oprf.OprfKeyPair
    tokens: TokenSetStore
    budget: EvaluationBudget
    catch_up: Callable[[], None] = field(default=lambda: None)
    """Brings the token set up to every acknowledged submission (``TokenSetUpdater``);
    run before the first page, so a download never misses a listed subject."""

    def check_caller(self, caller: Identity, purpose: str) -> None:
        """Peers may match; an agency only for a purpose its certificate carries."""
        if caller.role is Role.AGENCY and purpose not in caller.purposes:
            raise Refused(f"purpose {purpose!r} is not among this agency's purposes",
                          reason=Refusal.PURPOSE_NOT_ALLOWED)

    def evaluate(self, caller: Identity, blinded: Sequence[bytes]
                 ) -> tuple[oprf.BatchEvaluation, int]:
        """One batch: checked, charged to ``caller``, evaluated, proved. Returns the
        evaluation and the caller's remaining budget."""
        if not 0 < len(blinded) <= MAX_EVAL_BATCH:
            raise BadRequest(f"blinded_elements: got {len(blinded)}, want 1..{MAX_EVAL_BATCH}")
        for position, element in enumerate(blinded):
            if len(element) != oprf.ELEMENT_SIZE:
                raise BadRequest(f"blinded_elements[{position}]: got {len(element)} bytes, "
                                 f"want {oprf.ELEMENT_SIZE}")
        remaining = self.budget.take(caller.fingerprint, len(blinded))
        try:
            return oprf.blind_evaluate_batch(self.key, blinded), remaining
        except oprf.InvalidElement as exc:
            raise BadRequest(str(exc)) from exc

    def token_page(self, cursor: str, limit: int) -> TokenSetPage:
        """A page of the token set from an opaque ``cursor`` ("" for the first)."""
        try:
            after = int(cursor) if cursor else 0
        except ValueError as exc:
            raise BadRequest("cursor: not a cursor this node gave out") from exc
        if after < 0:
            raise BadRequest("cursor: not a cursor this node gave out")
        if not after:
            self.catch_up()
        page = self.tokens.page(after, min(limit, MAX_PAGE) if limit > 0 else MAX_PAGE)
        return TokenSetPage(page.entries, str(page.next_cursor) if page.next_cursor else "",
                            self.tokens.count())
