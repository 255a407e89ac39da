"""One error base for crypto: every error crypto raises on purpose is a CryptoError."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

import crypto.errors
import crypto.merkle.errors
from crypto.errors import CryptoError, MalformedNote, OriginMismatch
from crypto.merkle import MerkleError, RootMismatchError, verify_inclusion


def _errors(module: ModuleType) -> list[type[BaseException]]:
    return [obj for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__]


@pytest.mark.parametrize("module", [crypto.errors, crypto.merkle.errors],
                         ids=["crypto.errors", "crypto.merkle.errors"])
def test_every_error_is_a_crypto_error(module: ModuleType) -> None:
    errors = _errors(module)
    assert errors
    assert [e.__name__ for e in errors if not issubclass(e, CryptoError)] == []


def test_merkle_and_note_errors_keep_their_old_bases() -> None:
    # Callers catch these as ValueError: a malformed proof or note is bad input.
    assert issubclass(MerkleError, ValueError) and issubclass(MalformedNote, ValueError)
    assert issubclass(OriginMismatch, CryptoError)


def test_a_merkle_failure_is_caught_as_a_crypto_error() -> None:
    with pytest.raises(CryptoError) as caught:
        verify_inclusion(0, 1, bytes(32), [], bytes([1]) * 32)
    assert isinstance(caught.value, RootMismatchError)
