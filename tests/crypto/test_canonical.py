"""Canonical form v1: determinism, round trip, NFC, and every refusal with its message."""

from __future__ import annotations

import decimal
import random
import unicodedata
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    JsonValue,
    canonical_bytes,
    decode_canonical,
    normalize,
)
from crypto.errors import CanonicalEncodingError, CryptoError

nfc_text = st.text(max_size=12).map(lambda s: unicodedata.normalize("NFC", s))
scalars = st.one_of(
    st.text(max_size=24),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nfc_text, inner, max_size=4)
    ),
    max_leaves=24,
)
records = st.dictionaries(nfc_text, values, max_size=8)


def _reorder(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reorder(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_reorder(v, rng) for v in value]
    return value


def _to_nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, dict):
        return {_to_nfd(k): _to_nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_nfd(v) for v in value]
    return value


@given(records, st.randoms(use_true_random=False))
def test_key_order_does_not_matter(record: dict[str, Any], rng: random.Random) -> None:
    assert canonical_bytes(_reorder(record, rng)) == canonical_bytes(record)


@given(records)
def test_round_trip(record: dict[str, Any]) -> None:
    data = canonical_bytes(record)
    decoded = decode_canonical(data)
    assert decoded == normalize(record)
    assert canonical_bytes(decoded) == data


@given(records)
def test_canonically_equivalent_text_gives_same_bytes(record: dict[str, Any]) -> None:
    assert canonical_bytes(_to_nfd(record)) == canonical_bytes(record)


@settings(max_examples=50)
@given(records)
def test_output_is_compact_utf8(record: dict[str, Any]) -> None:
    data = canonical_bytes(record)
    data.decode("utf-8")
    assert data.startswith(b"{") and data.endswith(b"}")


def test_mapping_types_and_tuples_accepted() -> None:
    ordered = OrderedDict([("b", ("x", "y")), ("a", "1")])
    assert canonical_bytes(ordered) == b'{"a":"1","b":["x","y"]}'


def test_exact_decimal_accepted() -> None:
    assert canonical_bytes({"fk": decimal.Decimal("12.5")}) == b'{"fk":12.5}'


def test_normalize_returns_plain_nfc_data() -> None:
    result: dict[str, JsonValue] = normalize({"k\u0301": ("e\u0301",)})
    assert result == {"\u1e31": ["\u00e9"]}


@pytest.mark.parametrize(
    ("record", "match"),
    [
        ({"a": float("nan")}, r"float at \$\.a is nan; want a finite number"),
        ({"a": [1.0, float("-inf")]}, r"float at \$\.a\[1\] is -inf"),
        ({"a": MAX_SAFE_INTEGER + 1}, r"integer at \$\.a is outside ±\(2\^53-1\)"),
        ({"a": decimal.Decimal("0.1")}, r"Decimal at \$\.a is not exactly representable"),
        ({"a": decimal.Decimal("NaN")}, r"Decimal at \$\.a is not finite"),
        ({1: "x"}, r"object key of type int at \$; want str keys only"),
        ({"a": {("t",): "x"}}, r"object key of type tuple at \$\.a"),
        ({"a": b"raw"}, r"unsupported value of type bytes at \$\.a"),
        ({"a": {"x", "y"}}, r"unsupported value of type set at \$\.a"),
        ({"a": "\ud800"}, r"string at \$\.a contains a lone surrogate \(code point U\+D800\)"),
        ({"\udfff": "x"}, r"string at \$ contains a lone surrogate"),
        ({"e\u0301": 1, "\u00e9": 2}, r"two keys at \$ become \"\\u00e9\" after NFC"),
    ],
)
def test_refusals_name_path_and_defect(record: dict[Any, Any], match: str) -> None:
    with pytest.raises(CanonicalEncodingError, match=match):
        canonical_bytes(record)


def test_refusals_are_value_errors_and_crypto_errors() -> None:
    with pytest.raises(ValueError) as info:
        canonical_bytes({"a": float("nan")})
    assert isinstance(info.value, CryptoError)


def test_non_mapping_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="record must be a Mapping, got list"):
        canonical_bytes([("a", "b")])  # type: ignore[arg-type]


def test_too_deep_refused() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    canonical_bytes({"a": deep[0]})
    with pytest.raises(CanonicalEncodingError, match=f"nests deeper than {MAX_DEPTH} levels"):
        canonical_bytes({"a": deep})


def test_messages_never_carry_values() -> None:
    id_number = 110105194912310020  # an ID number wrongly passed as an int
    with pytest.raises(CanonicalEncodingError) as info:
        canonical_bytes({"CF_XDR_ZJHM": id_number})
    assert "110105" not in str(info.value)
    assert "CF_XDR_ZJHM" in str(info.value)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b'{"a": 1}', r"differ from their canonical form at byte 5"),
        (b'{"b":1,"a":2}', r"differ from their canonical form at byte 2"),
        (b'{"a":1.0}', r"differ from their canonical form at byte 6"),
        (b'{"a":-0}', r"differ from their canonical form at byte 5"),
        (b'{"a":"\\u0041"}', r"differ from their canonical form at byte 6"),
        ('{"a":"e\u0301"}'.encode(), r"differ from their canonical form at byte 6 \(length 11"),
        (b'{"a":1}\n', r"length 8, canonical length 7"),
        (b'{"a":1,"a":1}', r"invalid JSON: duplicate object key a$"),
        (b'{"a":NaN}', r"invalid JSON: NaN is not JSON"),
        (b'{"a":1e400}', r"float at \$\.a is inf"),
        (b'{"a":"\\ud800"}', r"lone surrogate"),
        (b'["a"]', r"top level is a list; want an object"),
        (b"\xff{}", r"invalid UTF-8 at byte 0"),
        (b"", r"invalid JSON"),
    ],
)
def test_decode_refuses_non_canonical(data: bytes, match: str) -> None:
    with pytest.raises(CanonicalEncodingError, match=match):
        decode_canonical(data)


def test_decode_big_numbers_round_trip_as_floats() -> None:
    data = b'{"a":100000000000000000000,"b":9007199254740991}'
    decoded = decode_canonical(data)
    assert decoded == {"a": 1e20, "b": MAX_SAFE_INTEGER}
    assert isinstance(decoded["a"], float) and isinstance(decoded["b"], int)


def test_decode_type_error() -> None:
    with pytest.raises(TypeError, match="data must be bytes, got str"):
        decode_canonical("{}")  # type: ignore[arg-type]
