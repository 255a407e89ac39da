"""Minimization: only the fields a purpose may see; ID numbers masked unless allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node.config_schema import PurposePolicy
from node.domain.fields import BY_KIND
from node.domain.identifiers import mask

ID_FIELDS: Final = frozenset(
    spec.code for specs in BY_KIND.values() for spec in specs if spec.type == "id_number"
)


@dataclass(frozen=True)
class Minimized:
    payload: dict[str, object]
    withheld: tuple[str, ...]


def minimize(record: dict[str, object], policy: PurposePolicy) -> Minimized:
    """Keep ``policy.fields`` of ``record``; mask ID numbers unless ``policy.id_numbers``.

    ``withheld`` lists, sorted, every field code dropped or masked.
    """
    allowed = frozenset(policy.fields)
    payload: dict[str, object] = {}
    withheld: list[str] = []
    for code, value in record.items():
        if code not in allowed:
            withheld.append(code)
        elif code in ID_FIELDS and not policy.id_numbers and isinstance(value, str):
            payload[code] = mask(value)
            withheld.append(code)
        else:
            payload[code] = value
    return Minimized(payload, tuple(sorted(withheld)))
