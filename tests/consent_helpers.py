"""Consent evidence and forwarded-query signatures for tests that query live nodes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec

from node._proto.credit.v1 import query_pb2
from node.authz.forwarding import sign_forward
from node.domain.fields import PROVINCES

EVIDENCE: Final = (b"%PDF-1.4\n%" + b"synthetic signed consent form " * 40
                   + b"\n%%EOF\n")
"""A PDF-looking consent form above the 1 KiB floor: what a grant in a test is signed over."""
EVIDENCE_SHA256: Final = hashlib.sha256(EVIDENCE).hexdigest()


def signatures(key: ec.EllipticCurvePrivateKey, *, request_id: str, purpose: str,
               subject: str, provinces: tuple[str, ...] = tuple(sorted(PROVINCES)),
               now: datetime | None = None) -> list[query_pb2.ForwardSignature]:
    """The agency's forwarded-query signature for each of ``provinces``."""
    signed_at = int((now or datetime.now(UTC)).timestamp())
    return [query_pb2.ForwardSignature(
        province=p, signed_at=signed_at,
        signature=sign_forward(key, request_id=request_id, purpose=purpose, subject=subject,
                               origin=p, signed_at=signed_at)) for p in provinces]
