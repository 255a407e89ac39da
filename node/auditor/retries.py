"""A page served into a crash: a lone ``exchange_out`` whose records the receiver logged
receiving from the same sender shortly after, in another exchange, is a retry, not a
hidden receipt.

A puller logs ``exchange_in`` before it stores a page. Killed in between (or killed
before it logged at all, or the server killed after logging but before answering), it
stored nothing and pulls the same records again under a new request id: the sender's
``exchange_out`` then has no counterpart, yet the receiver's own log shows it got those
records. :func:`retried` tells such entries apart from the one-sided exchanges that stay
problems. A lone ``exchange_out`` is a *retry* when all of these hold:

* it is a replication page (no purpose, subject or grant): a query's fetch names a
  subject, and hiding its receipt would hide a query, so it is never excused;
* it names its records (references, as many as its count);
* the receiver's log holds ``exchange_in`` entries from the same sender, under other
  request ids, logged from ``skew`` before to ``window`` after it, that together name
  every one of its records, none of them itself a one-sided (judged) entry.

Anything else stays ``ONE_SIDED_EXCHANGE``, as does every lone ``exchange_in``. What a
hostile node could still hide behind the rule is in ``docs/threat-model.md``. Usage::

    lonely = one_sided(logs, "JS", cutoff)
    retries, problems = retried(lonely, logs)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from node.audit import Action, ExchangeSide
from node.auditor.exchanges import TimedSide

__all__ = ["RETRY_SKEW", "RETRY_WINDOW", "Retry", "retried"]

RETRY_WINDOW: Final = timedelta(minutes=15)
"""How long after a lone ``exchange_out`` the receiver's retry may come (its restart)."""
RETRY_SKEW: Final = timedelta(seconds=5)
"""How far the two nodes' clocks may differ: a retry logged this much earlier still counts."""


@dataclass(frozen=True, slots=True)
class Retry:
    """A lone ``exchange_out`` (``lone``) and the receiver's later ``exchange_in`` entries
    that name its records (``by``, in log order)."""

    lone: ExchangeSide
    by: tuple[ExchangeSide, ...]

    def describe(self) -> str:
        lone = self.lone
        again = ", ".join(f"{s.request_id!r} (entry {s.index})" for s in self.by)
        return (f"exchange_out of {lone.province} with {lone.peer} (request "
                f"{lone.request_id!r}, entry {lone.index}, {lone.records} records) has no "
                f"exchange_in in {lone.peer}'s log; {lone.peer} logged receiving the same "
                f"records from {lone.province} in {again}: a retry after a crash")

    def to_json(self) -> dict[str, Any]:
        lone = self.lone
        return {"sender": lone.province, "receiver": lone.peer,
                "request_id": lone.request_id, "entry": lone.index, "records": lone.records,
                "retried_as": [{"request_id": s.request_id, "entry": s.index}
                               for s in self.by],
                "detail": self.describe()}


def _excusable(lone: TimedSide) -> bool:
    side = lone.side
    return (side.action is Action.EXCHANGE_OUT and lone.replication and bool(side.refs)
            and side.records == len(side.refs))


def _retry_of(lone: TimedSide, received: Sequence[TimedSide], judged_lonely: set[ExchangeSide],
              window: timedelta, skew: timedelta) -> Retry | None:
    side = lone.side
    wanted = set(side.refs)
    by = [t.side for t in received
          if t.side.action is Action.EXCHANGE_IN and t.side.peer == side.province
          and t.replication and t.side.request_id != side.request_id
          and lone.time - skew <= t.time <= lone.time + window
          and t.side not in judged_lonely and wanted.intersection(t.side.refs)]
    covered = {ref for s in by for ref in s.refs}
    if not by or not wanted <= covered:
        return None
    return Retry(side, tuple(sorted(by, key=lambda s: s.index)))


def retried(lonely: Sequence[ExchangeSide], logs: Mapping[str, Sequence[TimedSide]], *,
            window: timedelta = RETRY_WINDOW, skew: timedelta = RETRY_SKEW,
            ) -> tuple[list[Retry], list[ExchangeSide]]:
    """Split ``lonely`` (from :func:`node.auditor.exchanges.one_sided` over ``logs``) into
    retries and the entries that stay one-sided problems (in their given order)."""
    timed = {(t.side.province, t.side.index): t for sides in logs.values() for t in sides}
    judged = set(lonely)
    retries: list[Retry] = []
    problems: list[ExchangeSide] = []
    for side in lonely:
        lone = timed.get((side.province, side.index))
        retry = None
        if lone is not None and lone.side == side and _excusable(lone):
            retry = _retry_of(lone, logs.get(side.peer, ()), judged, window, skew)
        if retry is None:
            problems.append(side)
        else:
            retries.append(retry)
    return retries, problems
