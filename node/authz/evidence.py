"""Consent evidence (授权书): the signed authorization a grant's hash points to.

A grant names ``consent_evidence_sha256``; the evidence itself (a scanned PDF or an
image of the signed form) is deposited with the node that answers, so an auditor can
spot-check it later. What makes evidence acceptable here, checked before it is stored:

1. it is at least :data:`MIN_EVIDENCE_BYTES` and at most :data:`MAX_EVIDENCE_BYTES`
   (an empty file, or a few bytes standing for one, proves nothing);
2. it is a PDF, PNG or JPEG by its magic bytes (what a scan or a photo of a form is);
3. its SHA-256 is the hash the grant names.
"""

from __future__ import annotations

import hashlib
from typing import Final

__all__ = ["MAX_EVIDENCE_BYTES", "MIN_EVIDENCE_BYTES", "EvidenceError", "check_evidence",
           "evidence_kind"]

MIN_EVIDENCE_BYTES: Final = 1024
MAX_EVIDENCE_BYTES: Final = 4 * 1024 * 1024
_MAGIC: Final = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


class EvidenceError(ValueError):
    """Evidence refused; the message names the rule broken, never the content."""


def evidence_kind(data: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpeg`` by magic bytes; None for anything else."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def check_evidence(data: bytes, expected_sha256: str) -> str:
    """Steps (1)-(3) of the module doc; the evidence's kind, or :class:`EvidenceError`."""
    # (1)
    if len(data) < MIN_EVIDENCE_BYTES:
        raise EvidenceError(f"consent evidence is {len(data)} bytes; want at least "
                            f"{MIN_EVIDENCE_BYTES} (the signed authorization, not a stand-in)")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"consent evidence is {len(data)} bytes; want at most "
                            f"{MAX_EVIDENCE_BYTES}")
    # (2)
    kind = evidence_kind(data)
    if kind is None:
        raise EvidenceError("consent evidence must be a PDF, PNG or JPEG file "
                            "(checked by its first bytes)")
    # (3)
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        raise EvidenceError("consent evidence does not hash to the grant's "
                            "consent_evidence_sha256")
    return kind
