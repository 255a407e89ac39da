"""Subject tokens: one token per subject however typed, keyed, no identifier in errors."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from crypto.tokens import SUBJECT_TOKEN_DOMAIN, normalize_identifier, subject_token

KEY = hashlib.sha256(b"consortium token key").digest()
ID = "11010519491231002X"
USCC = "91350100M000100Y43"


@pytest.mark.parametrize(
    "spelling",
    ["11010519491231002x", " 11010519491231002X\n", "\u3000１１０１０５１９４９１２３１００２ｘ"],
    ids=["lower-x", "whitespace", "fullwidth"],
)
def test_spellings_of_one_id_give_one_token(spelling: str) -> None:
    assert subject_token(spelling, KEY) == subject_token(ID, KEY)


def test_formula() -> None:
    expected = hmac.new(KEY, SUBJECT_TOKEN_DOMAIN + ID.encode(), hashlib.sha256).digest()
    assert subject_token(ID.lower(), KEY) == expected
    assert len(expected) == 32


def test_distinct_subjects_and_keys_give_distinct_tokens() -> None:
    assert subject_token(ID, KEY) != subject_token(USCC, KEY)
    assert subject_token(ID, KEY) != subject_token(ID, hashlib.sha256(b"other").digest())
    assert subject_token(ID, KEY) != hashlib.sha256(ID.encode()).digest()


@pytest.mark.parametrize(
    ("identifier", "match"),
    [
        ("  ", "identifier is empty after stripping whitespace"),
        ("9135 0100M000100Y43", r"outside printable non-space ASCII at position 4 \(U\+0020\)"),
        ("张三", r"outside printable non-space ASCII at position 0"),
        ("A" * 65, "identifier is 65 characters, want at most 64"),
    ],
)
def test_bad_identifiers_refused_without_echo(identifier: str, match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        subject_token(identifier, KEY)
    assert "9135" not in str(info.value) and "张" not in str(info.value)


def test_key_checks() -> None:
    with pytest.raises(ValueError, match="token key must be at least 32 bytes, got 16"):
        subject_token(ID, bytes(16))
    with pytest.raises(TypeError, match="token key must be bytes, got str"):
        subject_token(ID, "k" * 32)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="identifier must be str, got int"):
        normalize_identifier(110105)  # type: ignore[arg-type]


def test_normalize_identifier() -> None:
    assert normalize_identifier(" 91350100m000100y43 ") == USCC
