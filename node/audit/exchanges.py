"""Cross-node matching of exchanges: both ends must log one exchange under one request id,
naming the same records.

A node that sends records to a peer logs ``exchange_out`` (peer = the receiver); the
receiver logs ``exchange_in`` (peer = the sender), with the same request id, the number of
records and their references. An auditor holding both logs pairs them; an entry with no
counterpart is a one-sided exchange (one node hid it, or invented it), and a pair whose
record counts or references differ is a mismatch (one end hid or invented records under a
real request id). Only provinces whose logs were supplied are judged.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from node.audit.errors import AuditEventError
from node.audit.events import Action

__all__ = ["ExchangeMismatch", "ExchangeSide", "exchange_side", "exchange_sides",
           "mismatched_exchanges", "one_sided_exchanges"]

_OTHER_ACTIONS: Final = frozenset(
    action.value for action in Action if action not in (Action.EXCHANGE_IN, Action.EXCHANGE_OUT)
)
_MIRROR: Final = {Action.EXCHANGE_OUT: Action.EXCHANGE_IN, Action.EXCHANGE_IN: Action.EXCHANGE_OUT}


@dataclass(frozen=True, slots=True)
class ExchangeSide:
    """One node's entry about an exchange: the logging ``province``, the direction, the
    ``peer`` at the other end, the request id, the entry's index in that node's log, and
    the number of records and their references it names."""

    province: str
    action: Action
    peer: str
    request_id: str
    index: int
    records: int = 0
    refs: tuple[str, ...] = ()

    def key(self) -> tuple[str, str, Action, str]:
        """What the counterpart entry must carry: (its province, its peer, its action, id)."""
        return self.peer, self.province, _MIRROR[self.action], self.request_id

    def own_key(self) -> tuple[str, str, Action, str]:
        """(province, peer, action, id): what ``key()`` of its counterpart returns."""
        return self.province, self.peer, self.action, self.request_id

    def content(self) -> tuple[int, tuple[str, ...]]:
        """What both ends must agree on: the count and the references (in any order)."""
        return self.records, tuple(sorted(self.refs))


@dataclass(frozen=True, slots=True)
class ExchangeMismatch:
    """One exchange (sender -> receiver, one request id) whose two ends name different
    records: the sender's entries and the receiver's."""

    sent: tuple[ExchangeSide, ...]
    received: tuple[ExchangeSide, ...]

    def describe(self) -> str:
        first = self.sent[0]

        def show(sides: tuple[ExchangeSide, ...]) -> str:
            return ", ".join(f"entry {s.index}: {s.records} records" for s in sides)

        return (f"exchange {first.request_id!r} from {first.province} to {first.peer}: "
                f"{first.province}'s exchange_out ({show(self.sent)}) and {first.peer}'s "
                f"exchange_in ({show(self.received)}) name different records")


def exchange_side(province: str, index: int, data: bytes) -> ExchangeSide | None:
    """The exchange that entry ``data`` (at ``index`` in ``province``'s log) records, or
    ``None`` for other actions.

    One ``json.loads`` and a few lookups, cheap enough for whole logs. Raises
    ``AuditEventError`` when the bytes are not an audit entry object.
    """
    try:
        raw = json.loads(data)
        action = raw["action"]
        if action in _OTHER_ACTIONS:
            return None
        refs = raw.get("records", [])
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise TypeError("records must be a list of strings")
        count = raw.get("records_returned", 0)
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError("records_returned must be an integer")
        side = ExchangeSide(province, Action(action), raw["peer"], raw["request_id"], index,
                            count, tuple(refs))
        if not isinstance(side.peer, str) or not isinstance(side.request_id, str):
            raise TypeError("peer and request_id must be strings")
        return side
    except (ValueError, TypeError, KeyError) as exc:
        raise AuditEventError(
            f"audit entry {index} of {province}: not an audit event ({type(exc).__name__})"
        ) from exc


def one_sided_exchanges(
    logs: Mapping[str, Iterable[ExchangeSide]],
) -> list[ExchangeSide]:
    """Every exchange entry whose counterpart is missing from the peer's supplied log.

    ``logs`` maps a province to the exchange entries of its log. An entry whose peer has
    no log in ``logs`` is not judged. Returned in province, then index order.
    """
    sides = {province: list(entries) for province, entries in logs.items()}
    present = {
        (side.province, side.peer, side.action, side.request_id)
        for entries in sides.values()
        for side in entries
    }
    lonely = [
        side
        for province in sorted(sides)
        for side in sorted(sides[province], key=lambda s: s.index)
        if side.peer in sides and side.key() not in present
    ]
    return lonely


def mismatched_exchanges(logs: Mapping[str, Iterable[ExchangeSide]]) -> list[ExchangeMismatch]:
    """Every exchange logged at both ends whose ends name different records.

    One request id may cover several calls (a federated query fetches once per category),
    so each end's entries under one (sender, receiver, id) are compared as a multiset of
    (count, sorted references). Exchanges with one end missing are left to
    :func:`one_sided_exchanges`. Returned in sender, then first entry index order.
    """
    groups: dict[tuple[str, str, Action, str], list[ExchangeSide]] = defaultdict(list)
    for entries in logs.values():
        for side in entries:
            groups[side.own_key()].append(side)
    found = []
    for key, sent in groups.items():
        if key[2] is not Action.EXCHANGE_OUT:
            continue
        received = groups.get(sent[0].key())
        if not received:
            continue
        if Counter(s.content() for s in sent) != Counter(r.content() for r in received):
            found.append(ExchangeMismatch(tuple(sorted(sent, key=lambda s: s.index)),
                                          tuple(sorted(received, key=lambda s: s.index))))
    return sorted(found, key=lambda m: (m.sent[0].province, m.sent[0].index))


def exchange_sides(province: str, entries: Iterable[tuple[int, bytes]]) -> list[ExchangeSide]:
    """The exchange entries of ``province``'s log, from its ``(index, entry)`` stream."""
    sides = (exchange_side(province, index, data) for index, data in entries)
    return [side for side in sides if side is not None]
