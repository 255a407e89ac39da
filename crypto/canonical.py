"""Canonical form v1 of a record: NFC-normalised strings, then RFC 8785 (JCS) JSON.

Two implementations that follow docs/canonical-encoding.md produce the same bytes for the
same record, so a commitment or signature over them can be checked anywhere. Usage::

    from crypto.canonical import canonical_bytes, decode_canonical

    data = canonical_bytes({"CF_WSH": "沪市监罚〔2024〕12号", "CF_NR_FK": 1.5})
    assert decode_canonical(data) == {"CF_WSH": "沪市监罚〔2024〕12号", "CF_NR_FK": 1.5}

Why NFC first: the same text typed on two provincial systems can arrive as different code
point sequences (precomposed vs combining marks; CJK compatibility ideographs such as
U+F900 from legacy code-page conversions). Canonically equivalent text must commit to one
hash, so every string and key is put in Unicode Normalization Form C before JCS, which
itself deliberately preserves strings "as is" (RFC 8785 §3.1). NFC (not NFKC) is used
because it only merges canonically equivalent sequences; NFKC would also fold full-width
forms such as "（" into "(" and so change the published text.

Errors name the path of the offending value (``$.CF_CFLB[1]``) and its type, never the
value itself: values may be personal data.
"""

from __future__ import annotations

import decimal
import json
import math
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, NoReturn, TypeAlias

import rfc8785

from crypto.errors import CanonicalEncodingError

__all__ = [
    "CANONICAL_VERSION",
    "MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "UNICODE_VERSION",
    "JsonValue",
    "canonical_bytes",
    "canonical_form",
    "decode_canonical",
    "normalize",
    "plain_bytes",
]

CANONICAL_VERSION: Final = 1
"""Version of the canonical form; it is also baked into every commitment domain tag."""

MAX_SAFE_INTEGER: Final = 2**53 - 1
"""Largest integer magnitude I-JSON (RFC 7493) and hence JCS carry exactly."""

MAX_DEPTH: Final = 32
"""Deepest nesting of objects/lists accepted; deeper input is refused, not recursed into."""

UNICODE_VERSION: Final = unicodedata.unidata_version
"""Unicode version of the NFC tables in use (documented in docs/canonical-encoding.md)."""

JsonValue: TypeAlias = (
    bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
)


def _where(path: str) -> str:
    return path or "$"


def _key_label(key: str) -> str:
    if key.isascii() and key.isidentifier():
        return key if len(key) <= 40 else key[:40] + "…"
    shown = json.dumps(key, ensure_ascii=True)
    return shown if len(shown) <= 42 else shown[:40] + '…"'


def _text(value: str, path: str) -> str:
    """Exact ``str``, valid Unicode (no lone surrogates), in NFC."""
    plain = str.__str__(value)
    if plain.isascii():
        return plain
    try:
        plain.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalEncodingError(
            f"string at {_where(path)} contains a lone surrogate (code point "
            f"U+{ord(plain[exc.start]):04X}); want Unicode text"
        ) from exc
    if unicodedata.is_normalized("NFC", plain):
        return plain
    return unicodedata.normalize("NFC", plain)


def _is_unicode(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogate: it encodes as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number(value: int | float | decimal.Decimal, path: str) -> int | float:
    if isinstance(value, int):
        number = int(value)
        if abs(number) > MAX_SAFE_INTEGER:
            raise CanonicalEncodingError(
                f"integer at {_where(path)} is outside ±(2^53-1), which JSON numbers cannot "
                "carry exactly; carry it as a decimal string"
            )
        return number
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalEncodingError(
                f"float at {_where(path)} is {value!r}; want a finite number"
            )
        return float(value)
    if not value.is_finite():
        raise CanonicalEncodingError(f"Decimal at {_where(path)} is not finite")
    as_float = float(value)
    if decimal.Decimal(as_float) != value:
        raise CanonicalEncodingError(
            f"Decimal at {_where(path)} is not exactly representable as an IEEE-754 double; "
            "carry exact amounts as decimal strings"
        )
    return as_float


def _value(value: object, path: str, depth: int) -> JsonValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _text(value, path)
    if isinstance(value, int | float | decimal.Decimal):
        return _number(value, path)
    if isinstance(value, Mapping):
        return _object(value, path, depth + 1)
    if isinstance(value, list | tuple):
        if depth + 1 > MAX_DEPTH:
            raise CanonicalEncodingError(f"{_where(path)} nests deeper than {MAX_DEPTH} levels")
        if all(type(item) is str and (item.isascii() or _is_unicode(item)) for item in value):
            # A list of valid strings (a record's multi-valued field): no item path needed.
            return [item if item.isascii() or unicodedata.is_normalized("NFC", item)
                    else unicodedata.normalize("NFC", item) for item in value]
        return [_value(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    raise CanonicalEncodingError(
        f"unsupported value of type {type(value).__name__} at {_where(path)}; want str, "
        "int, float, bool, None, list or object"
    )


def _object(mapping: Mapping[Any, object], path: str, depth: int) -> dict[str, JsonValue]:
    if depth > MAX_DEPTH:
        raise CanonicalEncodingError(f"{_where(path)} nests deeper than {MAX_DEPTH} levels")
    out: dict[str, JsonValue] = {}
    for raw_key, raw_value in mapping.items():
        if type(raw_key) is str and raw_key.isascii():
            key = raw_key  # ASCII is NFC: nothing to check
        elif not isinstance(raw_key, str):
            raise CanonicalEncodingError(
                f"object key of type {type(raw_key).__name__} at {_where(path)}; "
                "want str keys only"
            )
        else:
            key = _text(raw_key, path)
        if key in out:
            raise CanonicalEncodingError(
                f"two keys at {_where(path)} become {_key_label(key)} after NFC "
                "normalisation; want distinct keys"
            )
        # The common leaves first, with no path built: a path only names an error.
        if type(raw_value) is str and raw_value.isascii():
            out[key] = raw_value
        elif raw_value is None or type(raw_value) is bool or (
                type(raw_value) is int and -MAX_SAFE_INTEGER <= raw_value <= MAX_SAFE_INTEGER):
            out[key] = raw_value
        elif type(raw_value) is str and _is_unicode(raw_value):
            out[key] = (raw_value if unicodedata.is_normalized("NFC", raw_value)
                        else unicodedata.normalize("NFC", raw_value))
        else:
            child = f"{path}.{_key_label(key)}" if path else f"$.{_key_label(key)}"
            out[key] = _value(raw_value, child, depth)
    return out


def normalize(record: Mapping[str, object]) -> dict[str, JsonValue]:
    """Return ``record`` as plain JSON data with every string and key in NFC.

    Precondition: ``record`` is a mapping with ``str`` keys whose values are ``str``,
    ``int`` (|n| <= 2^53-1), finite ``float``, ``Decimal`` exactly equal to a double,
    ``bool``, ``None``, lists/tuples of these, or nested mappings, at most
    :data:`MAX_DEPTH` levels deep.

    Raises ``TypeError`` if ``record`` is not a mapping, and
    :class:`~crypto.errors.CanonicalEncodingError` (a ``ValueError``) for anything inside it
    that canonical form v1 cannot express exactly.
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"record must be a Mapping, got {type(record).__name__}")
    return _object(record, "", 1)


def canonical_bytes(record: Mapping[str, object]) -> bytes:
    """Return canonical form v1 of ``record``: RFC 8785 JCS of :func:`normalize`'s result.

    Same preconditions and errors as :func:`normalize`. Equal records (after NFC) give
    equal bytes whatever the order of their keys.
    """
    return plain_bytes(normalize(record))


def canonical_form(record: Mapping[str, object]) -> tuple[bytes, dict[str, JsonValue]]:
    """:func:`canonical_bytes` of ``record`` and the :func:`normalize` output they encode
    (its values are those :func:`decode_canonical` of the bytes gives, up to an integral
    float, which encodes as the integer does).

    Why: ingest commits each record's fields under scheme v2 right after encoding it;
    handing the normalized record on spares parsing the bytes back.
    """
    plain = normalize(record)
    return plain_bytes(plain), plain


def plain_bytes(plain: dict[str, JsonValue]) -> bytes:
    """JCS bytes of a record that is already :func:`normalize`'s output (not re-checked:
    a string that is not NFC is encoded as it is)."""
    if _fast_path_applies(plain):
        return _fast_dumps(plain)
    try:
        return rfc8785.dumps(plain)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalEncodingError(f"record cannot be JCS-encoded: {exc}") from exc


def _fast_path_applies(value: JsonValue) -> bool:
    """Whether ``json.dumps`` gives exactly the JCS bytes for ``value``.

    It does when there is no float (JCS formats doubles the ECMAScript way) and no object
    key outside the Basic Multilingual Plane (JCS sorts keys by UTF-16 code units, Python
    by code points; the orders differ only there). Integers are within 2^53 after
    :func:`normalize`, and both escape exactly ``"``, ``\\`` and C0 controls, the latter
    with the same short forms and lower-case ``\\u00xx``.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():  # type: ignore[union-attr]
            if not key.isascii() and max(map(ord, key)) > 0xFFFF:
                return False
            leaf = type(item)
            if leaf is str or leaf is int or leaf is bool or item is None:
                continue
            if not _fast_path_applies(item):
                return False
        return True
    if kind is list:
        return all(_fast_path_applies(item) for item in value)  # type: ignore[union-attr]
    return kind is not float


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""What ``json.dumps`` builds on every call with these options, built once (stateless)."""


def _fast_dumps(plain: dict[str, JsonValue]) -> bytes:
    text = _ENCODER.encode(plain)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate: let the reference encoder refuse it with its own message.
        try:
            return rfc8785.dumps(plain)
        except rfc8785.CanonicalizationError as exc:
            raise CanonicalEncodingError(f"record cannot be JCS-encoded: {exc}") from exc


def _unique_pairs(pairs: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate object key {_key_label(key)}")
            seen.add(key)
    return out


def _parse_int(text: str) -> int | float:
    number = int(text)
    # Integers past 2^53 only appear in canonical bytes as the exact text of a double.
    return number if abs(number) <= MAX_SAFE_INTEGER else float(text)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def decode_canonical(data: bytes) -> dict[str, JsonValue]:
    """Parse bytes that must be exactly canonical form v1 of a record; return the record.

    Strict: the bytes must be UTF-8 JSON whose top level is an object and which
    :func:`canonical_bytes` reproduces byte for byte (so no whitespace, sorted keys, no
    duplicate keys, NFC strings, JCS number and escape forms). Integral numbers within
    ±(2^53-1) decode as ``int``, all others as ``float``, so
    ``canonical_bytes(decode_canonical(b)) == b``.

    Raises ``TypeError`` if ``data`` is not bytes-like and
    :class:`~crypto.errors.CanonicalEncodingError` naming the defect otherwise.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalEncodingError(
            f"not canonical v1: invalid UTF-8 at byte {exc.start}"
        ) from exc
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_unique_pairs,
            parse_int=_parse_int,
            parse_constant=_refuse_constant,
        )
    except (ValueError, RecursionError) as exc:
        raise CanonicalEncodingError(f"not canonical v1: invalid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise CanonicalEncodingError(
            f"not canonical v1: top level is a {type(parsed).__name__}; want an object"
        )
    try:
        again = canonical_bytes(parsed)
    except CanonicalEncodingError as exc:
        raise CanonicalEncodingError(f"not canonical v1: {exc}") from exc
    if again != raw:
        at = next(
            (i for i, (a, b) in enumerate(zip(again, raw, strict=False)) if a != b),
            min(len(again), len(raw)),
        )
        raise CanonicalEncodingError(
            f"not canonical v1: bytes differ from their canonical form at byte {at} "
            f"(length {len(raw)}, canonical length {len(again)})"
        )
    return parsed
