"""The agency's side of the demo: sign a grant, query a subject, verify the answer's proofs.

The same code paths as ``credit-node grant``, ``query`` and ``verify-answer``: the grant
is made by :func:`node.authz.grants.make_grant` with the agency's TLS key, the answer is
turned into the JSON ``credit-node query`` prints, and every record is checked with
:func:`node.exchange.answers.verify_record`, the receiver's steps (2)-(5) that
``verify-answer`` runs too (header signature with the origin's node key registered
on-chain → inclusion proof in the signed tree → that root and size anchored by the origin).
"""

from __future__ import annotations

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
from node.exchange.answers import AnswerVerifier, verify_record
from node.exchange.errors import ChainUnavailable
from node.grpc.calls import CallFailed, query
from node.identity.files import load_tls_private_key

__all__ = ["Answer", "Queried", "agency_at", "query_subject", "verify_answer", "write_grant"]

CONSENT_TEXT = "demo consent: the subject authorizes this agency's query (synthetic data)"


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


def write_grant(doc: ConsortiumDoc, subject: str, purpose: str, path: Path,
                *, days: float = 30.0, node: str | None = None) -> bytes:
    """Sign a grant (all record kinds, ``days`` long) with the key of the agency
    accredited in ``node`` (default: its home province); write and return it."""
    agency = agency_at(doc, node)
    grant = make_grant(subject=subject, agency=agency.name, purpose=purpose, scope=KINDS,
                       consent_evidence=CONSENT_TEXT.encode(),
                       private_key=load_tls_private_key(Path(agency.key)),
                       now=datetime.now(UTC), valid_for=timedelta(days=days))
    text = grant.to_json().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text + b"\n")
    return text


def query_subject(doc: ConsortiumDoc, subject: str, purpose: str, grant: bytes | None, *,
                  timeout: float = 30.0, node: str | None = None,
                  include_foreign: bool = False) -> Answer:
    """Ask province ``node``'s node (default: the agency's home) about ``subject``, as the
    agency accredited there, with ``grant`` (None: none); ConsortiumError if refused.
    ``include_foreign`` adds the peer provinces' records the node holds or fetches."""
    agency = agency_at(doc, node)
    target = identity_target(agency, doc.provinces[agency.province].grpc)
    started = time.monotonic()
    try:
        answer = query(target, purpose, subject, grant=grant,
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
