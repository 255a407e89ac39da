"""Subject authorization grants (授权查询).

A grant says: *this subject* consents to *this agency* querying *for this purpose*,
within *this scope*, until *this expiry*. The agency signs it with the private key of
its TLS client certificate (ECDSA P-256 / SHA-256), so a node can check it against the
certificate the agency presents on the mutual-TLS connection.

Verification steps (each marked in :func:`check_grant`):

1. the grant parses, every field present and well-formed;
2. the signature verifies with the caller's certificate key;
3. the grant names the calling agency;
4. the grant's purpose is the request's purpose;
5. the grant's subject is the request's subject;
6. the grant is in force at ``now`` (issued not in the future, not expired) and lasts no
   longer than the purpose's policy allows (``max_validity``);
7. the nonce was never used before (the caller records it: see ``NonceLedger``).

The consent evidence behind ``consent_evidence_sha256`` is checked by
``node.authz.evidence`` where it is deposited; a withdrawn grant is refused by the caller
before the nonce is claimed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.canonical import canonical_bytes
from crypto.tokens import normalize_identifier

GRANT_VERSION = 1
GRANT_DOMAIN = b"yrd-credit/subject-grant/v1\x00"
CLOCK_SKEW = timedelta(minutes=5)
KINDS = ("penalty", "dishonesty", "commitment")
_NONCE = re.compile(r"[0-9a-f]{16,64}")


class GrantError(Exception):
    """A grant was refused. ``malformed`` separates bad input from a refused authorization."""

    def __init__(self, message: str, *, malformed: bool = False) -> None:
        super().__init__(message)
        self.malformed = malformed


@dataclass(frozen=True)
class Grant:
    """A subject authorization. ``subject`` is the USCC or citizen ID it covers."""

    subject: str
    agency: str
    purpose: str
    scope: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    nonce: str
    consent_evidence_sha256: str
    signature: bytes = b""

    def signing_bytes(self) -> bytes:
        body = _body(self)
        return GRANT_DOMAIN + canonical_bytes(body)

    def to_json(self) -> str:
        body = _body(self)
        body["signature"] = base64.b64encode(self.signature).decode()
        return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _body(grant: Grant) -> dict[str, object]:
    data = asdict(grant)
    data.pop("signature")
    data["version"] = GRANT_VERSION
    data["scope"] = list(grant.scope)
    data["issued_at"] = _fmt_time(grant.issued_at)
    data["expires_at"] = _fmt_time(grant.expires_at)
    return data


def _fmt_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(name: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise GrantError(f"malformed grant: {name} must be a string", malformed=True)
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError as exc:
        raise GrantError(
            f"malformed grant: {name} must be YYYY-MM-DDTHH:MM:SSZ (UTC)", malformed=True
        ) from exc
    return parsed.replace(tzinfo=UTC)


def _text(data: dict[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise GrantError(f"malformed grant: {name} must be a non-empty string", malformed=True)
    return value


def parse_grant(raw: bytes | str) -> Grant:
    """Parse a grant from its JSON form; refuse every malformed input with the field named."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GrantError("malformed grant: not a JSON object", malformed=True) from exc
    if not isinstance(data, dict):
        raise GrantError("malformed grant: not a JSON object", malformed=True)
    if data.get("version") != GRANT_VERSION:
        raise GrantError(f"malformed grant: version must be {GRANT_VERSION}", malformed=True)
    scope = data.get("scope")
    if not isinstance(scope, list) or not scope or any(k not in KINDS for k in scope):
        raise GrantError(f"malformed grant: scope must be a non-empty list of {KINDS}",
                         malformed=True)
    evidence = _text(data, "consent_evidence_sha256")
    if len(evidence) != 64 or any(c not in "0123456789abcdef" for c in evidence):
        raise GrantError("malformed grant: consent_evidence_sha256 must be 64 lower-case hex",
                         malformed=True)
    nonce = _text(data, "nonce")
    if not _NONCE.fullmatch(nonce):
        raise GrantError("malformed grant: nonce must be 16-64 lower-case hex", malformed=True)
    try:
        signature = base64.b64decode(_text(data, "signature"), validate=True)
    except ValueError as exc:
        raise GrantError("malformed grant: signature must be base64", malformed=True) from exc
    return Grant(
        subject=_text(data, "subject"),
        agency=_text(data, "agency"),
        purpose=_text(data, "purpose"),
        scope=tuple(str(k) for k in scope),
        issued_at=_parse_time("issued_at", data.get("issued_at")),
        expires_at=_parse_time("expires_at", data.get("expires_at")),
        nonce=nonce,
        consent_evidence_sha256=evidence,
        signature=signature,
    )


def make_grant(
    *,
    subject: str,
    agency: str,
    purpose: str,
    scope: tuple[str, ...],
    consent_evidence: bytes,
    private_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    valid_for: timedelta,
) -> Grant:
    """Create and sign a grant with the agency's certificate key (a fresh nonce each time)."""
    unsigned = Grant(
        subject=normalize_identifier(subject),
        agency=agency,
        purpose=purpose,
        scope=scope,
        issued_at=now.replace(microsecond=0),
        expires_at=(now + valid_for).replace(microsecond=0),
        nonce=secrets.token_hex(16),
        consent_evidence_sha256=hashlib.sha256(consent_evidence).hexdigest(),
    )
    signature = private_key.sign(unsigned.signing_bytes(), ec.ECDSA(hashes.SHA256()))
    return Grant(**{**unsigned.__dict__, "signature": signature})


class NonceLedger(Protocol):
    """Remembers used grant nonces; ``claim`` returns False if the nonce was used before."""

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool: ...


def check_grant(
    grant: Grant,
    *,
    caller_agency: str,
    caller_key: ec.EllipticCurvePublicKey,
    purpose: str,
    subject: str,
    now: datetime,
    nonces: NonceLedger,
    max_validity: timedelta = timedelta(days=365),
) -> None:
    """Raise :class:`GrantError` unless ``grant`` authorizes this query (see the module doc)."""
    # (2): the signature, before anything in the grant is trusted.
    try:
        caller_key.verify(grant.signature, grant.signing_bytes(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise GrantError("grant signature does not verify with the caller's certificate") from exc
    # (3)
    if grant.agency != caller_agency:
        raise GrantError("grant was issued to another agency")
    # (4)
    if grant.purpose != purpose:
        raise GrantError(f"grant purpose {grant.purpose!r} does not cover purpose {purpose!r}")
    # (5): compare normalised identifiers; never echo them.
    if normalize_identifier(grant.subject) != normalize_identifier(subject):
        raise GrantError("grant subject is not the queried subject")
    # (6)
    if grant.issued_at > now + CLOCK_SKEW:
        raise GrantError("grant is issued in the future")
    if grant.expires_at <= now:
        raise GrantError(f"grant expired at {_fmt_time(grant.expires_at)}")
    if grant.expires_at - grant.issued_at > max_validity:
        days = (grant.expires_at - grant.issued_at) / timedelta(days=1)
        raise GrantError(f"grant lasts {days:.0f} days; this purpose allows at most "
                         f"{max_validity.days}")
    # (7)
    if not nonces.claim(grant.agency, grant.nonce, grant.expires_at):
        raise GrantError("grant nonce was already used (replay)")
