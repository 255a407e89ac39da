"""Cross-node matching of exchanges: both ends must log one exchange under one request id.

A node that sends records to a peer logs ``exchange_out`` (peer = the receiver); the
receiver logs ``exchange_in`` (peer = the sender), with the same request id. An auditor
holding both logs pairs them; an entry with no counterpart is a one-sided exchange (one
node hid it, or invented it). Only provinces whose logs were supplied are judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from node.audit.errors import AuditEventError
from node.audit.events import Action

__all__ = ["ExchangeSide", "exchange_side", "exchange_sides", "one_sided_exchanges"]

_OTHER_ACTIONS: Final = frozenset(
    action.value for action in Action if action not in (Action.EXCHANGE_IN, Action.EXCHANGE_OUT)
)
_MIRROR: Final = {Action.EXCHANGE_OUT: Action.EXCHANGE_IN, Action.EXCHANGE_IN: Action.EXCHANGE_OUT}


@dataclass(frozen=True, slots=True)
class ExchangeSide:
    """One node's entry about an exchange: the logging ``province``, the direction, the
    ``peer`` at the other end, the request id and the entry's index in that node's log."""

    province: str
    action: Action
    peer: str
    request_id: str
    index: int

    def key(self) -> tuple[str, str, Action, str]:
        """What the counterpart entry must carry: (its province, its peer, its action, id)."""
        return self.peer, self.province, _MIRROR[self.action], self.request_id


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
        side = ExchangeSide(province, Action(action), raw["peer"], raw["request_id"], index)
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


def exchange_sides(province: str, entries: Iterable[tuple[int, bytes]]) -> list[ExchangeSide]:
    """The exchange entries of ``province``'s log, from its ``(index, entry)`` stream."""
    sides = (exchange_side(province, index, data) for index, data in entries)
    return [side for side in sides if side is not None]
