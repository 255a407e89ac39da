"""The package surface: RFC 9162 hash values, the curated __all__, the docstring example."""

from __future__ import annotations

import hashlib
import textwrap

import crypto.merkle as merkle
from crypto.merkle import EMPTY_ROOT, HASH_SIZE, hash_children, hash_leaf


def test_hash_values() -> None:
    assert HASH_SIZE == 32
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    # Leaf of the empty entry, from the RFC 6962 test tree.
    assert hash_leaf(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    left, right = hash_leaf(b"a"), hash_leaf(b"b")
    assert hash_children(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert hash_leaf(b"a") == hashlib.sha256(b"\x00a").digest()
    assert hash_children(left, right) != hash_children(right, left)


def test_all_names_exist() -> None:
    assert sorted(merkle.__all__) == sorted(set(merkle.__all__))
    for name in merkle.__all__:
        assert hasattr(merkle, name), name


def test_docstring_example_runs() -> None:
    doc = merkle.__doc__
    assert doc is not None
    block = doc.split("Usage::", 1)[1].split("\n\n", 1)[1]
    example = block.split("\nEvery error", 1)[0]
    assert "verify_consistency(2, tree.size" in example
    exec(textwrap.dedent(example), {})  # our own docstring, not input
