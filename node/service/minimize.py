"""Minimization: only the fields a purpose may see; ID numbers masked unless allowed.

Besides the display payload, :class:`Minimized` names what a v2 disclosure shows
(``node.service.disclosure``): the allowed fields, and for a masked ID number ``X`` its
committed display ``X#masked`` instead of ``X`` (whose salt then never leaves the node).
"""

from __future__ import annotations

from dataclasses import dataclass

from node.config_schema import PurposePolicy
from node.domain.identifiers import mask
from node.service.disclosure import ENVELOPE_FIELDS, ID_FIELDS, MASKED_SUFFIX

__all__ = ["ID_FIELDS", "Minimized", "minimize"]


@dataclass(frozen=True)
class Minimized:
    payload: dict[str, object]
    withheld: tuple[str, ...]
    shown: frozenset[str] = frozenset()


def minimize(record: dict[str, object], policy: PurposePolicy) -> Minimized:
    """Keep ``policy.fields`` of ``record``; mask ID numbers unless ``policy.id_numbers``.

    ``withheld`` lists, sorted, every field code dropped or masked; ``shown`` the v2 field
    names disclosed (envelope fields are always shown and not listed).
    """
    allowed = frozenset(policy.fields)
    payload: dict[str, object] = {}
    withheld: list[str] = []
    shown: set[str] = set()
    for code, value in record.items():
        if code not in allowed:
            if code not in ENVELOPE_FIELDS:
                withheld.append(code)
        elif code in ID_FIELDS and not policy.id_numbers and isinstance(value, str):
            payload[code] = mask(value)
            withheld.append(code)
            shown.add(code + MASKED_SUFFIX)
        else:
            payload[code] = value
            shown.add(code)
    return Minimized(payload, tuple(sorted(withheld)), frozenset(shown - set(ENVELOPE_FIELDS)))
