"""The json.dumps fast path of canonical_bytes gives exactly the RFC 8785 bytes."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.canonical import canonical_bytes, normalize
from crypto.errors import CanonicalEncodingError

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12
)
_scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | _text
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400)
@given(st.dictionaries(_text, _json, max_size=6))
def test_fast_path_equals_rfc8785(record: dict[str, object]) -> None:
    plain = normalize(record)
    expected = rfc8785.dumps(plain)
    assert canonical_bytes(record) == expected


def test_fast_path_covers_control_characters_and_cjk() -> None:
    record = {"CF_SY": "违法\u0001事实\n\t\"引号\"\\\u007f", "n": 12, "CF_CFLB": ["罚款"]}
    assert canonical._fast_path_applies(normalize(record))
    assert canonical_bytes(record) == rfc8785.dumps(normalize(record))


def test_floats_and_astral_keys_take_the_reference_path() -> None:
    assert not canonical._fast_path_applies({"a": 1.5})
    assert not canonical._fast_path_applies({"\U0001f600": 1, "\ue000": 2})
    record = {"\U0001f600": 1, "\ue000": 2}
    assert canonical_bytes(record) == rfc8785.dumps(record)


def test_lists_of_strings_are_normalized_and_errors_name_the_item() -> None:
    assert normalize({"a": ["e\u0301", "x"], "b": ("y",)}) == {"a": ["\u00e9", "x"], "b": ["y"]}
    with pytest.raises(CanonicalEncodingError, match=r"string at \$\.a\[1\] contains a lone"):
        normalize({"a": ["ok", "\ud800"]})
