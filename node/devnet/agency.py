"""The agency's side of the demo: sign a grant, query a subject, verify the answer's proofs.

The same code paths as ``credit-node grant``, ``query`` and ``verify-answer``: the grant
is made by :func:`node.authz.grants.make_grant` with the agency's TLS key over a
generated consent form (a small PDF that passes ``node.authz.evidence``, written next to
the grant), the evidence is deposited with the query, the answer is
turned into the JSON ``credit-node query`` prints, and every record is checked with
:func:`node.exchange.answers.verify_record`, the receiver's steps (2)-(5) that
``verify-answer`` runs too (header signature with the origin's node key registered
on-chain → inclusion proof in the signed tree → that root and size anchored by the origin).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ledger.client import LedgerClient
from ledger.errors import LedgerError
from node.authz.grants import KINDS, make_grant
from node.devnet.errors import ConsortiumError
from node.devnet.identities import AGENCY_ALIAS, agency_label
from node.devnet.layout import ConsortiumDoc, IdentityEntry
from node.devnet.nodes import identity_target
from node.domain.identifiers import mask
from node.exchange.answers import AnswerVerifier, verify_record
from node.exchange.errors import ChainUnavailable
from node.grpc.calls import CallFailed, query
from node.identity.files import load_tls_private_key

__all__ = ["Answer", "Queried", "SignedGrant", "agency_at", "consent_pdf", "query_subject",
           "verify_answer", "write_grant"]

CONSENT_TEXT = "demo consent: the subject authorizes this agency's query (synthetic data)"


def consent_pdf(agency: str, purpose: str, masked_subject: str, issued: datetime) -> bytes:
    """A one-page PDF standing for the signed authorization (授权书) of synthetic data.

    Padded with a comment block so it is above ``MIN_EVIDENCE_BYTES``; a real deployment
    deposits the scanned form instead.
    """
    text = (f"{CONSENT_TEXT}. Agency {agency}, purpose {purpose}, subject {masked_subject}, "
            f"signed {issued:%Y-%m-%d %H:%M:%S} UTC")
    safe = text.replace("\\", "").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 9 Tf 40 800 Td ({safe}) Tj ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n" + b"%" + b"consent form, synthetic " * 48 + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


@dataclass(frozen=True)
class Answer:
    """One answered query: the records as ``credit-node query`` prints them, and timing."""

    records: list[dict[str, Any]]
    request_id: str
    seconds: float

    def kinds(self) -> dict[str, int]:
        return dict(Counter(str(r["kind"]) for r in self.records))


@dataclass(frozen=True)
class Queried:
    """One demo query: the masked subject, its kind, the purpose and the answer."""

    masked_subject: str
    kind: str
    purpose: str
    answer: Answer


def agency_at(doc: ConsortiumDoc, node: str | None) -> IdentityEntry:
    """The agency identity accredited in province ``node`` (None: the ``agency`` alias)."""
    return doc.identity(AGENCY_ALIAS if node is None else agency_label(node))


@dataclass(frozen=True)
class SignedGrant:
    """A grant as written, and the consent evidence it was signed over (also written, to
    ``evidence_path``)."""

    grant: bytes
    evidence: bytes
    evidence_path: Path


def write_grant(doc: ConsortiumDoc, subject: str, purpose: str, path: Path,
                *, days: float = 30.0, node: str | None = None) -> SignedGrant:
    """Sign a grant (all record kinds, ``days`` long) over a generated consent form with the
    key of the agency accredited in ``node`` (default: its home province); write both
    (the grant 0600, the form as ``<path stem>.pdf``) and return them."""
    agency = agency_at(doc, node)
    now = datetime.now(UTC)
    evidence = consent_pdf(agency.name, purpose, mask(subject), now)
    grant = make_grant(subject=subject, agency=agency.name, purpose=purpose, scope=KINDS,
                       consent_evidence=evidence,
                       private_key=load_tls_private_key(Path(agency.key)),
                       now=now, valid_for=timedelta(days=days))
    text = grant.to_json().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(text + b"\n")
    evidence_path = path.with_suffix(".pdf")
    evidence_path.write_bytes(evidence)
    return SignedGrant(text, evidence, evidence_path)


def query_subject(doc: ConsortiumDoc, subject: str, purpose: str,
                  grant: SignedGrant | None, *, timeout: float = 30.0, node: str | None = None,
                  include_foreign: bool = False) -> Answer:
    """Ask province ``node``'s node (default: the agency's home) about ``subject``, as the
    agency accredited there, with ``grant`` and its evidence (None: none);
    ConsortiumError if refused. ``include_foreign`` adds the peer provinces' records the
    node holds or fetches (the agency signs the forwarded query for each origin)."""
    agency = agency_at(doc, node)
    target = identity_target(agency, doc.provinces[agency.province].grpc)
    started = time.monotonic()
    try:
        answer = query(target, purpose, subject,
                       grant=None if grant is None else grant.grant,
                       evidence=None if grant is None else grant.evidence,
                       include_foreign=include_foreign, timeout=timeout)
    except CallFailed as exc:
        raise ConsortiumError(f"query at the {agency.province} node refused: {exc}") from exc
    return Answer(answer["records"], answer["receipt"]["request_id"],
                  time.monotonic() - started)


def verify_answer(doc: ConsortiumDoc, answer: Answer, *, timeout: float = 10.0) -> list[str]:
    """Every problem found verifying the answer's records against the ledger (empty: all OK)."""
    try:
        ledger = LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=timeout)
        verifier = AnswerVerifier(ledger, chain_id=ledger.chain_id(),
                                  contracts=doc.ledger.contracts)
        return [f"{r['record_no']}: {problem}" for r in answer.records
                for problem in verify_record(r, verifier)]
    except (LedgerError, ChainUnavailable) as exc:
        raise ConsortiumError(f"verifying against the ledger failed: {exc}") from exc
