"""Hypothesis strategies for protobuf requests: arbitrary messages of a descriptor's type
(every field maybe set, to any value of its type, nested two levels) and raw bytes that
are mostly no valid encoding of it (random bytes, truncated or bit-flipped encodings)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_TEXT = st.text(max_size=40) | st.sampled_from(
    ["", "credit_report", "JS", "0" * 64, "leaf:0", "q-1", "91320000MA1MAAAA0X", "-1"])
_BYTES = st.binary(max_size=80) | st.sampled_from([b"", b"{}", b"\x00" * 32])


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        return st.integers(low, high) | st.sampled_from([0, 1, high])
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return st.floats(width=32 if kind == FieldDescriptor.TYPE_FLOAT else 64)
    if kind == FieldDescriptor.TYPE_STRING:
        return _TEXT
    if kind == FieldDescriptor.TYPE_BYTES:
        return _BYTES
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.integers(-3, 12)
    raise AssertionError(f"no strategy for field type {kind}")


@st.composite
def _fill(draw: st.DrawFn, message: Message, depth: int) -> Message:
    descriptor: Descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        if is_message and depth >= 2:
            continue
        repeated = bool(field.is_repeated)
        if is_message and field.message_type.GetOptions().map_entry:
            continue  # maps are left empty
        count = draw(st.integers(0, 3)) if repeated else 1
        for _ in range(count):
            if is_message:
                target = (getattr(message, field.name).add() if repeated
                          else getattr(message, field.name))
                draw(_fill(target, depth + 1))
                if not repeated:
                    target.SetInParent()
            elif repeated:
                getattr(message, field.name).append(draw(_scalar(field)))
            else:
                setattr(message, field.name, draw(_scalar(field)))
    return message


def messages(cls: Any) -> st.SearchStrategy[bytes]:
    """Encodings of arbitrary, well-formed messages of type ``cls``."""
    return st.deferred(lambda: _fill(cls(), 0)).map(lambda m: m.SerializeToString())


@st.composite
def _damaged(draw: st.DrawFn, cls: Any) -> bytes:
    data = bytearray(draw(messages(cls)))
    if not data:
        return bytes(draw(st.binary(min_size=1, max_size=40)))
    if draw(st.booleans()):
        return bytes(data[:draw(st.integers(0, len(data) - 1))])  # truncated
    at = draw(st.integers(0, len(data) - 1))
    data[at] ^= 1 << draw(st.integers(0, 7))  # one bit flipped
    return bytes(data)


def payloads(cls: Any) -> st.SearchStrategy[bytes]:
    """Request bytes for ``cls``: well-formed, damaged or random."""
    return (messages(cls) | _damaged(cls)
            | st.binary(max_size=120)
            | st.sampled_from([b"\xff", b"\x0a\xff\xff\xff\xff\x0f", b"\x08\x80\x80\x80",
                               b"\x12\x05abc", b"\x0f"]))


def extremes(cls: Any) -> list[bytes]:
    """Encodings of ``cls`` with every integer field at its highest, then lowest, value
    (and every string, bytes and nested message left empty): the edges a database or a
    ``range`` chokes on first."""
    found = []
    for pick in (1, 0):
        message = cls()
        for field in message.DESCRIPTOR.fields:
            if field.type in _INT_RANGES and not field.is_repeated:
                setattr(message, field.name, _INT_RANGES[field.type][pick])
        found.append(message.SerializeToString())
    return found
