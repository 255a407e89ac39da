"""Turn ledger data (dataclasses, bytes, enums) into JSON-ready values for output."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping


def jsonable(value: object) -> object:
    """Bytes as 0x-hex, enums by name, dataclasses and mappings as dicts, sequences as lists."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, enum.Enum):
        return value.name
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
