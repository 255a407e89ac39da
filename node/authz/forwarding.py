"""An agency's proof that it asked for a forwarded query (issue 11, item 3).

A certificate alone proves nothing: any province holding its CA key can mint one. So the
agency's own client signs, with the key of its TLS certificate, a statement binding

    (request id, purpose, subject, origin province, time)

one per province whose records it wants; the node it asks passes the statement on with
the grant and the certificate, and the origin verifies:

1. the signature verifies with the forwarded certificate's key (ECDSA P-256/SHA-256);
2. it names this origin province (a statement for SH is no use at ZJ);
3. it was made within :data:`MAX_AGE` of now (the grant's one-time nonce stops replays
   within that window).

The subject is signed in its normalised form; the statement itself never travels with
it, only the signature and the time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.canonical import canonical_bytes
from crypto.tokens import normalize_identifier

__all__ = ["MAX_AGE", "ForwardError", "sign_forward", "verify_forward"]

DOMAIN: Final = b"yrd-credit/forwarded-query/v1\x00"
MAX_AGE: Final = timedelta(minutes=5)


class ForwardError(ValueError):
    """The forwarded statement is missing, stale or does not verify."""


def _statement(request_id: str, purpose: str, subject: str, origin: str, signed_at: int
               ) -> bytes:
    return DOMAIN + canonical_bytes({
        "request_id": request_id, "purpose": purpose,
        "subject": normalize_identifier(subject), "origin": origin, "time": signed_at})


def sign_forward(key: ec.EllipticCurvePrivateKey, *, request_id: str, purpose: str,
                 subject: str, origin: str, signed_at: int) -> bytes:
    """The agency's signature for ``origin`` (``signed_at``: Unix seconds)."""
    return key.sign(_statement(request_id, purpose, subject, origin, signed_at),
                    ec.ECDSA(hashes.SHA256()))


def verify_forward(key: ec.EllipticCurvePublicKey, signature: bytes, *, request_id: str,
                   purpose: str, subject: str, origin: str, signed_at: int,
                   now: datetime) -> None:
    """Steps (1)-(3) of the module doc; returns None or raises :class:`ForwardError`."""
    if not signature:
        raise ForwardError("the forwarded query carries no signature of the agency")
    # (1) and (2): the origin is part of what is signed.
    try:
        key.verify(signature, _statement(request_id, purpose, subject, origin, signed_at),
                   ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ForwardError(f"the agency's signature does not verify for request, purpose, "
                           f"subject and origin {origin}") from exc
    # (3)
    age = now.timestamp() - signed_at
    if abs(age) > MAX_AGE.total_seconds():
        raise ForwardError(f"the agency's signature is {int(age)} s old; want within "
                           f"{int(MAX_AGE.total_seconds())} s")
