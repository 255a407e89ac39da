"""Agency queries (授权查询): authorize, look up, minimize, attach proofs.

Order matters for privacy: (1) the purpose and (2) the grant are checked before the
store is touched, so a refusal is the same whether or not the subject has records.

1. the purpose is among the caller certificate's purposes and the node's policy;
2. the subject identifier is well-formed (its format only, never its existence);
3. a grant, when given, parses and passes ``check_grant`` (signature with the caller's
   TLS key, agency, purpose, subject, validity, unused nonce);
4. the subject's records are looked up by subject token; kept are active local records
   that are public (within their publicity period), or — with a valid grant, or for a
   purpose that needs none — of a kind in the grant's scope;
5. each kept record is minimized for the purpose and returned with its inclusion proof,
   signed batch header and anchor. Records whose batch is not anchored yet are left out
   (they are returned once anchored, normally within seconds);
6. with ``include_foreign``, the federation adds peer provinces' records under the same
   rules: replicated ones from this store, on-request ones fetched from their origin,
   which checks the forwarded grant again (``node.exchange.federate``).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from crypto.sealing import open_sealed, record_aad
from crypto.tokens import normalize_identifier, subject_token
from node.authz.grants import KINDS, GrantError, NonceLedger, check_grant, parse_grant
from node.config_schema import PurposePolicy
from node.domain.lifecycle import ANSWERED
from node.identity import Identity
from node.service.errors import BadRequest, Refusal, Refused
from node.service.ingest import IngestKeys
from node.service.minimize import minimize
from node.service.proofs import RecordProof, record_proof
from node.store.contract import Store
from node.store.rows import StoredRecord


@dataclass(frozen=True)
class QueryInput:
    purpose: str
    subject_id: str
    grant_json: bytes | None
    grant_signature: bytes = b""
    request_id: str = ""
    include_foreign: bool = False
    # The caller's certificate (PEM or DER), forwarded with the grant to peer provinces.
    caller_certificate: bytes = b""


class Federation(Protocol):
    """Peer provinces' records for an authorized query (step 6)."""

    def foreign_answers(self, query: QueryInput, policy: PurposePolicy,
                        scope: frozenset[str], now: datetime) -> list[AnsweredRecord]: ...


@dataclass(frozen=True)
class QueryDeps:
    store: Store
    keys: IngestKeys
    purposes: Mapping[str, PurposePolicy]
    nonces: NonceLedger
    chain_id: int
    anchor_contract: str
    federation: Federation | None = None


@dataclass(frozen=True)
class AnsweredRecord:
    record: StoredRecord
    payload: dict[str, object]
    withheld: tuple[str, ...]
    proof: RecordProof


@dataclass(frozen=True)
class QueryAnswer:
    request_id: str
    answered_at: datetime
    records: list[AnsweredRecord]


def _grant_scope(query: QueryInput, caller: Identity, caller_key: ec.EllipticCurvePublicKey,
                 now: datetime, nonces: NonceLedger) -> frozenset[str]:
    raw = query.grant_json or b""
    if query.grant_signature:
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise BadRequest("malformed grant: not a JSON object") from exc
        if isinstance(doc, dict) and "signature" not in doc:
            doc["signature"] = base64.b64encode(query.grant_signature).decode()
            raw = json.dumps(doc, ensure_ascii=False).encode()
    try:
        grant = parse_grant(raw)
        check_grant(grant, caller_agency=caller.name, caller_key=caller_key,
                    purpose=query.purpose, subject=query.subject_id, now=now, nonces=nonces)
    except GrantError as exc:
        if exc.malformed:
            raise BadRequest(str(exc)) from exc
        raise Refused(f"grant refused: {exc}", reason=Refusal.GRANT_REFUSED) from exc
    return frozenset(grant.scope)


def authorize(query: QueryInput, caller: Identity, caller_key: ec.EllipticCurvePublicKey,
              deps: QueryDeps, now: datetime) -> tuple[PurposePolicy, frozenset[str]]:
    """Steps (1)-(3): the purpose policy and the kinds non-public records may be of."""
    # (1)
    policy = deps.purposes.get(query.purpose)
    if policy is None or query.purpose not in caller.purposes:
        raise Refused(f"purpose {query.purpose[:64]!r} is not allowed for this caller",
                      reason=Refusal.PURPOSE_NOT_ALLOWED)
    # (2)
    try:
        normalize_identifier(query.subject_id)
    except ValueError as exc:
        raise BadRequest(f"malformed subject id: {exc}") from exc
    # (3)
    if query.grant_json:
        return policy, _grant_scope(query, caller, caller_key, now, deps.nonces)
    if not policy.grant_for_non_public:
        return policy, frozenset(KINDS)
    return policy, frozenset()


def visible(record: StoredRecord, scope: frozenset[str], today: date) -> bool:
    """Whether an active record (local or foreign) may be answered under ``scope``."""
    if record.status not in ANSWERED:  # an objection's flag travels with the answer
        return False
    if record.kind in scope:
        return True
    return record.is_public and (record.publicity_end is None or record.publicity_end >= today)


def answer_query(query: QueryInput, caller: Identity, caller_key: ec.EllipticCurvePublicKey,
                 deps: QueryDeps, now: datetime) -> QueryAnswer:
    """Authorize then answer ``query`` (steps in the module doc).

    Raises ``Refused`` (purpose or grant) and ``BadRequest`` (malformed subject or grant)
    before any lookup. ``now`` is timezone-aware.
    """
    policy, scope = authorize(query, caller, caller_key, deps, now)
    # (4)
    token = subject_token(query.subject_id, deps.keys.token_key)
    found = [r for r in deps.store.records_by_subject(token)
             if r.origin == "local" and visible(r, scope, now.date())]
    # (5)
    answered: list[AnsweredRecord] = []
    for record in sorted(found, key=lambda r: r.leaf_index):
        proof = record_proof(deps.store, record, chain_id=deps.chain_id,
                             contract=deps.anchor_contract)
        if proof is None:
            continue
        plain = open_sealed(record.sealed_payload, deps.keys.master_key,
                            record_aad(record.province, record.record_no))
        shown = minimize(json.loads(plain), policy)
        answered.append(AnsweredRecord(record, shown.payload, shown.withheld, proof))
    # (6)
    if query.include_foreign and deps.federation is not None:
        answered.extend(deps.federation.foreign_answers(query, policy, scope, now))
    return QueryAnswer(query.request_id or uuid.uuid4().hex, now, answered)
