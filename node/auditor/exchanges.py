"""Cross-node exchange matching for the auditor, over logs read at different moments.

Two nodes' logs are read one after the other, so an exchange logged just before one read
may have its counterpart logged just after it. Only exchange entries older than a
*cutoff* (the first log's read time minus a slack longer than any exchange takes) are
judged; their counterparts are looked for among **all** entries read. A pair logged at
both ends must name the same record count and references (judged when every entry of the
pair is older than the cutoff). Usage::

    seen = SideCollector("JS")
    report = verify_log(seen.watch(entries), ...)          # tee the stream
    lonely = one_sided({"JS": seen.sides, "SH": sh.sides}, "JS", cutoff)
    differ = mismatched({"JS": seen.sides, "SH": sh.sides}, "JS", cutoff)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from node.audit import ExchangeSide
from node.audit.errors import AuditEventError
from node.audit.exchanges import ExchangeMismatch, exchange_side, mismatched_exchanges

__all__ = ["SideCollector", "TimedSide", "mismatched", "one_sided"]

_MARK = b'"exchange_'


@dataclass(frozen=True, slots=True)
class TimedSide:
    """An exchange entry and the time its node logged it."""

    side: ExchangeSide
    time: datetime
    replication: bool = False
    """No purpose, subject or grant: a replication page (records or revocation notices), not
    a query's fetch. Only these may be excused as retried (``node.auditor.retries``)."""


@dataclass
class SideCollector:
    """Collects the exchange entries of ``province``'s log from a stream it passes on."""

    province: str
    sides: list[TimedSide] = field(default_factory=list)

    def watch(self, entries: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
        """Yield ``entries`` unchanged, keeping each well-formed exchange entry seen.

        Malformed entries are skipped here: the verifier reports them.
        """
        for index, data in entries:
            if _MARK in data:
                self._keep(index, data)
            yield index, data

    def read(self, entries: Iterable[tuple[int, bytes]]) -> list[TimedSide]:
        """Consume ``entries``; return the exchange entries."""
        for _ in self.watch(entries):
            pass
        return self.sides

    def _keep(self, index: int, data: bytes) -> None:
        try:
            side = exchange_side(self.province, index, data)
            if side is None:
                return
            raw = json.loads(data)
            when = datetime.strptime(raw["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        except (AuditEventError, ValueError, TypeError, KeyError):
            return
        plain = not (raw.get("purpose") or raw.get("subject") or raw.get("grant"))
        self.sides.append(TimedSide(side, when, plain))


def one_sided(logs: Mapping[str, Sequence[TimedSide]], focus: str,
              cutoff: datetime) -> list[ExchangeSide]:
    """Exchange entries involving ``focus``, logged before ``cutoff``, whose counterpart is
    in none of ``logs`` (an entry whose peer's log is not in ``logs`` is not judged)."""
    present = {(t.side.province, t.side.peer, t.side.action, t.side.request_id)
               for sides in logs.values() for t in sides}
    lonely = [t.side for province in sorted(logs) for t in logs[province]
              if focus in (t.side.province, t.side.peer) and t.side.peer in logs
              and t.time <= cutoff and t.side.key() not in present]
    return sorted(lonely, key=lambda s: (s.province, s.index))


def mismatched(logs: Mapping[str, Sequence[TimedSide]], focus: str,
               cutoff: datetime) -> list[ExchangeMismatch]:
    """Exchanges involving ``focus`` logged at both ends, every entry before ``cutoff``,
    whose ends name different record counts or references."""
    old = {t.side for sides in logs.values() for t in sides if t.time <= cutoff}
    young = {t.side for sides in logs.values() for t in sides if t.time > cutoff}
    found = mismatched_exchanges({p: [t.side for t in sides] for p, sides in logs.items()})
    return [m for m in found if focus in (m.sent[0].province, m.sent[0].peer)
            and all(s in old and s not in young for s in (*m.sent, *m.received))]
