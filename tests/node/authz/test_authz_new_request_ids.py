"""Request ids the node makes itself always pass the rule its peers apply to them."""

from __future__ import annotations

import uuid

import pytest

from node.authz import request_ids
from node.authz.request_ids import RequestIdError, check_request_id, new_request_id

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _citizen_id_with_digit_check() -> str:
    """A well-formed 18-character citizen ID whose check character is a digit."""
    for serial in range(1000):
        body = f"11010519491231{serial:03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
        if check != "X":
            return body + check
    raise AssertionError("no digit check character found")


def test_a_random_uuid_can_look_like_an_id_number_and_is_refused() -> None:
    unlucky = "abcdef" + _citizen_id_with_digit_check() + "abcdefab"
    assert len(unlucky) == 32
    with pytest.raises(RequestIdError, match="citizen ID"):
        check_request_id(unlucky)


def test_such_a_draw_is_discarded(monkeypatch: pytest.MonkeyPatch) -> None:
    unlucky = uuid.UUID(hex="abcdef" + _citizen_id_with_digit_check() + "abcdefab")
    lucky = uuid.UUID(hex="0123456789abcdef0123456789abcdef")
    draws = iter([unlucky, lucky])
    monkeypatch.setattr(request_ids.uuid, "uuid4", lambda: next(draws))
    assert new_request_id() == lucky.hex


def test_fresh_ids_pass_the_rule() -> None:
    for _ in range(2000):
        made = new_request_id()
        assert check_request_id(made) == made and len(made) == 32
