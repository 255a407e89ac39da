"""Subject authorization grants: parsing refuses each defect by name; checking refuses each
step's failure with its own message (node/authz/grants.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from node.authz.grants import GRANT_VERSION, Grant, GrantError, check_grant, make_grant, parse_grant

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SUBJECT = "91320000MA1X00000X"
KEY = ec.generate_private_key(ec.SECP256R1())


class Nonces:
    """An in-memory ``NonceLedger``."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        if (agency, nonce) in self.used:
            return False
        self.used.add((agency, nonce))
        return True


def _grant(**overrides: Any) -> Grant:
    args: dict[str, Any] = {"subject": SUBJECT, "agency": "example-agency",
                            "purpose": "lending_review", "scope": ("penalty", "dishonesty"),
                            "consent_evidence": b"signed consent scan", "private_key": KEY,
                            "now": NOW, "valid_for": timedelta(days=1)}
    return make_grant(**{**args, **overrides})


def _json(**changes: Any) -> str:
    body = json.loads(_grant().to_json())
    body.update(changes)
    return json.dumps(body)


def _check(grant: Grant, **overrides: Any) -> None:
    args: dict[str, Any] = {"caller_agency": "example-agency", "caller_key": KEY.public_key(),
                            "purpose": "lending_review", "subject": SUBJECT, "now": NOW,
                            "nonces": Nonces()}
    check_grant(grant, **{**args, **overrides})


def test_a_grant_round_trips_through_json() -> None:
    grant = _grant()
    assert parse_grant(grant.to_json()) == grant
    assert parse_grant(grant.to_json().encode()) == grant
    assert json.loads(grant.to_json())["version"] == GRANT_VERSION


@pytest.mark.parametrize(("raw", "message"), [
    ("not json", "malformed grant: not a JSON object"),
    ("[1, 2]", "malformed grant: not a JSON object"),
    (_json(version=2), "malformed grant: version must be 1"),
    (_json(scope=[]), r"malformed grant: scope must be a non-empty list of \('penalty'"),
    (_json(scope=["everything"]), "malformed grant: scope must be a non-empty list"),
    (_json(consent_evidence_sha256="AB" * 32),
     "malformed grant: consent_evidence_sha256 must be 64 lower-case hex"),
    (_json(consent_evidence_sha256="ab"),
     "malformed grant: consent_evidence_sha256 must be 64 lower-case hex"),
    (_json(signature="not base64!"), "malformed grant: signature must be base64"),
    (_json(subject=""), "malformed grant: subject must be a non-empty string"),
    (_json(agency=7), "malformed grant: agency must be a non-empty string"),
    (_json(nonce=None), "malformed grant: nonce must be a non-empty string"),
    (_json(issued_at=1), "malformed grant: issued_at must be a string"),
    (_json(expires_at="2026-12-01 08:00"),
     r"malformed grant: expires_at must be YYYY-MM-DDTHH:MM:SSZ \(UTC\)"),
])
def test_parse_refuses_each_defect_by_name(raw: str, message: str) -> None:
    with pytest.raises(GrantError, match=f"^{message}") as refused:
        parse_grant(raw)
    assert refused.value.malformed


def test_a_well_formed_grant_in_force_passes_every_step() -> None:
    _check(_grant())


@pytest.mark.parametrize(("overrides", "message"), [
    ({"caller_key": ec.generate_private_key(ec.SECP256R1()).public_key()},
     "grant signature does not verify with the caller's certificate"),
    ({"caller_agency": "other-agency"}, "grant was issued to another agency"),
    ({"purpose": "credit_report"},
     "grant purpose 'lending_review' does not cover purpose 'credit_report'"),
    ({"subject": "91310000MA1Y00000Y"}, "grant subject is not the queried subject"),
    ({"now": NOW - timedelta(minutes=6)}, "grant is issued in the future"),
    ({"now": NOW + timedelta(days=1)}, "grant expired at 2026-12-02T08:00:00Z"),
])
def test_check_refuses_each_step_with_its_message(overrides: dict[str, Any],
                                                  message: str) -> None:
    with pytest.raises(GrantError, match=f"^{message}$") as refused:
        _check(_grant(), **overrides)
    assert not refused.value.malformed


def test_the_clock_skew_allowance_admits_a_grant_issued_just_ahead() -> None:
    _check(_grant(), now=NOW - timedelta(minutes=4))


def test_a_subject_is_compared_normalised_and_never_echoed() -> None:
    _check(_grant(), subject=SUBJECT.lower())
    with pytest.raises(GrantError) as refused:
        _check(_grant(), subject="91310000MA1Y00000Y")
    assert SUBJECT not in str(refused.value) and "91310000MA1Y00000Y" not in str(refused.value)


def test_a_tampered_grant_fails_the_signature_step() -> None:
    grant = _grant()
    widened = parse_grant(_json(scope=["penalty", "dishonesty", "commitment"],
                                signature=json.loads(grant.to_json())["signature"]))
    with pytest.raises(GrantError, match=r"^grant signature does not verify"):
        _check(widened)


def test_a_nonce_is_good_once() -> None:
    grant, nonces = _grant(), Nonces()
    _check(grant, nonces=nonces)
    with pytest.raises(GrantError, match=r"^grant nonce was already used \(replay\)$"):
        _check(grant, nonces=nonces)
    _check(_grant(), nonces=nonces)  # a fresh grant carries a fresh nonce
