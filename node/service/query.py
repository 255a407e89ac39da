"""Agency queries (授权查询): authorize, look up, minimize, attach proofs.

Order matters for privacy: (0)-(3) are checked before the store is touched, so a
refusal is the same whether or not the subject has records.

0. the caller is within its query rate (``TokenBuckets`` per certificate fingerprint;
   RESOURCE_EXHAUSTED when not);
1. the purpose is among the caller certificate's purposes and the node's policy, and a
   purpose that needs no grant (supervision) is asked by an authority, never an agency;
2. the subject identifier is well-formed (its format only, never its existence);
3. a grant, when given, parses, was not withdrawn by the subject, its consent evidence is
   acceptable (``node.authz.evidence``: sent with the query or deposited before) and
   the grant passes ``check_grant`` (signature with the caller's TLS key, agency,
   purpose, subject, validity within the purpose's ``max_grant_days``, unused nonce);
   the evidence is then deposited, sealed;
4. the subject's records are looked up by subject token; kept are active local records
   that are public (within their publicity period), or — with a valid grant, or for a
   purpose that needs none — of a kind in the grant's scope;
5. each kept record is minimized for the purpose and returned with its inclusion proof,
   signed batch header and anchor; a record committed under scheme v2 also carries its
   disclosure (shown fields with salts, withheld digests; ``node.service.disclosure``).
   Records whose batch is not anchored yet are left out and named by record number in
   ``QueryAnswer.not_anchored`` (they are answered once anchored, normally within
   seconds; during a ledger outage, later);
6. with ``include_foreign``, the federation adds peer provinces' records under the same
   rules: replicated ones from this store, on-request ones fetched from their origin,
   which checks the forwarded grant and the agency's signature again
   (``node.exchange.federate``); a peer province that could not be asked is named in
   ``QueryAnswer.provinces_unavailable``, so a partial answer says it is partial.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, cast

from cryptography.hazmat.primitives.asymmetric import ec

from crypto.canonical import decode_canonical
from crypto.disclosure import SCHEME_V2
from crypto.sealing import open_sealed, record_aad
from crypto.tokens import normalize_identifier, subject_token
from node.authz.evidence import EvidenceError, check_evidence
from node.authz.grants import (
    KINDS,
    Grant,
    GrantError,
    NonceLedger,
    check_grant,
    parse_grant,
)
from node.authz.rate import TokenBuckets
from node.authz.request_ids import new_request_id
from node.config_schema import PurposePolicy
from node.domain.lifecycle import ANSWERED
from node.identity import Identity, Role
from node.service.disclosure import Disclosure, disclose, disclose_v2, scheme_of
from node.service.errors import BadRequest, RateLimited, Refusal, Refused
from node.service.evidence import EvidenceVault
from node.service.ingest import IngestKeys
from node.service.minimize import minimize
from node.service.proofs import AnchoredProofs, RecordProof, record_proof
from node.store.contract import Store
from node.store.rows import StoredRecord


@dataclass(frozen=True)
class ForwardSignature:
    """The agency's signature of a forwarded query for ``province`` (node.authz.forwarding)."""

    province: str
    signed_at: int
    signature: bytes


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
    # The consent evidence the grant's hash names (deposited here, sealed).
    consent_evidence: bytes = b""
    forward_signatures: tuple[ForwardSignature, ...] = ()


class Withdrawals(Protocol):
    """Grants their subjects withdrew through the provincial platform."""

    def is_withdrawn(self, agency: str, nonce: str) -> bool: ...


@dataclass(frozen=True)
class ForeignAnswers:
    """What the federation adds (step 6): the records, and the peer provinces that could
    not be asked (the answer is partial for them)."""

    records: list[AnsweredRecord]
    provinces_unavailable: tuple[str, ...] = ()


class Federation(Protocol):
    """Peer provinces' records for an authorized query (step 6)."""

    def foreign_answers(self, query: QueryInput, policy: PurposePolicy,
                        scope: frozenset[str], now: datetime) -> ForeignAnswers: ...


@dataclass(frozen=True)
class QueryDeps:
    store: Store
    keys: IngestKeys
    purposes: Mapping[str, PurposePolicy]
    nonces: NonceLedger
    chain_id: int
    anchor_contract: str
    federation: Federation | None = None
    evidence: EvidenceVault | None = None
    withdrawals: Withdrawals | None = None
    limiter: TokenBuckets | None = None
    # Anchored batches and inclusion proofs, read once (None: read on every query).
    proofs: AnchoredProofs | None = None


@dataclass(frozen=True)
class Authorized:
    """What (1)-(3) established: the purpose's policy, the kinds non-public records may be
    of, and the grant that allowed it (None without one)."""

    policy: PurposePolicy
    scope: frozenset[str]
    grant: Grant | None


@dataclass(frozen=True)
class AnsweredRecord:
    record: StoredRecord
    payload: dict[str, object]
    withheld: tuple[str, ...]
    proof: RecordProof
    # Scheme v2: what is disclosed, so the shown fields verify; None for a v1 record.
    disclosure: Disclosure | None = None


def answer_record(record: StoredRecord, plain: bytes, policy: PurposePolicy,
                  proof: RecordProof) -> AnsweredRecord:
    """``record`` (canonical payload ``plain``) minimized for ``policy``, with its proof
    and — when committed under scheme v2 — the disclosure of the shown fields.

    Raises ``ValueError`` when the stored commitment opens under neither scheme.
    """
    document = decode_canonical(plain)
    shown = minimize(dict(document), policy)
    disclosure = disclose_v2(document, record.salt, record.commitment, shown.shown)
    if disclosure is None and scheme_of(plain, record.salt, record.commitment) == SCHEME_V2:
        disclosure = disclose(document, record.salt, shown.shown)  # not expected: v2 checked
    return AnsweredRecord(record, shown.payload, shown.withheld, proof, disclosure)


@dataclass(frozen=True)
class QueryAnswer:
    request_id: str
    answered_at: datetime
    records: list[AnsweredRecord]
    grant: Grant | None = None
    # Peer provinces left out of a federated answer (step 6), sorted.
    provinces_unavailable: tuple[str, ...] = ()
    # Record numbers of local records held back until their batch is anchored (step 5).
    not_anchored: tuple[str, ...] = ()


def _parse(query: QueryInput) -> Grant:
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
        return parse_grant(raw)
    except GrantError as exc:
        raise BadRequest(str(exc)) from exc


def _check_grant(query: QueryInput, caller: Identity, caller_key: ec.EllipticCurvePublicKey,
                 policy: PurposePolicy, deps: QueryDeps, now: datetime,
                 require_evidence: bool) -> Grant:
    grant = _parse(query)
    withdrawals = deps.withdrawals
    if withdrawals is None:
        return _check_unwithdrawn(grant, query, caller, caller_key, policy, deps, now,
                                  require_evidence)
    if cast(object, withdrawals) is not deps.nonces:
        if withdrawals.is_withdrawn(grant.agency, grant.nonce):
            raise _withdrawn()
        return _check_unwithdrawn(grant, query, caller, caller_key, policy, deps, now,
                                  require_evidence)
    # The nonce ledger is the withdrawals' store (StoreNonceLedger): a withdrawal claims
    # the grant's nonce, so a withdrawn grant fails the nonce claim itself, in its
    # transaction. The withdrawal is read only when something refused the grant, to name
    # it first as before (a withdrawn grant is refused as withdrawn whatever else fails).
    try:
        return _check_unwithdrawn(grant, query, caller, caller_key, policy, deps, now,
                                  require_evidence)
    except (Refused, BadRequest):
        if withdrawals.is_withdrawn(grant.agency, grant.nonce):
            raise _withdrawn() from None
        raise


def _withdrawn() -> Refused:
    return Refused("grant refused: the subject withdrew it", reason=Refusal.GRANT_REFUSED)


def _check_unwithdrawn(grant: Grant, query: QueryInput, caller: Identity,
                       caller_key: ec.EllipticCurvePublicKey, policy: PurposePolicy,
                       deps: QueryDeps, now: datetime, require_evidence: bool) -> Grant:
    """The checks of step (3) after the withdrawal, the nonce claimed last."""
    vault = deps.evidence if require_evidence else None
    evidence_hash = grant.consent_evidence_sha256
    if vault is not None:
        if query.consent_evidence:
            try:
                check_evidence(query.consent_evidence, evidence_hash)
            except EvidenceError as exc:
                raise BadRequest(f"consent_evidence: {exc}") from exc
        elif not vault.has(evidence_hash):
            raise Refused("grant refused: its consent evidence was neither sent with the "
                          "query nor deposited here before", reason=Refusal.GRANT_REFUSED)
    try:
        check_grant(grant, caller_agency=caller.name, caller_key=caller_key,
                    purpose=query.purpose, subject=query.subject_id, now=now,
                    nonces=deps.nonces, max_validity=timedelta(days=policy.max_grant_days))
    except GrantError as exc:
        if exc.malformed:
            raise BadRequest(str(exc)) from exc
        raise Refused(f"grant refused: {exc}", reason=Refusal.GRANT_REFUSED) from exc
    if vault is not None and query.consent_evidence:
        vault.deposit(query.consent_evidence, evidence_hash)
    return grant


def authorize(query: QueryInput, caller: Identity, caller_key: ec.EllipticCurvePublicKey,
              deps: QueryDeps, now: datetime, *, require_evidence: bool = True) -> Authorized:
    """Steps (0)-(3): the purpose policy, the kinds non-public records may be of, the grant.

    ``require_evidence=False`` where the evidence was deposited at another node (the
    origin of a forwarded query checks the grant, not the evidence).
    """
    # (0)
    if deps.limiter is not None and not deps.limiter.take(caller.fingerprint):
        raise RateLimited("query rate exceeded for this agency; retry later")
    # (1)
    policy = deps.purposes.get(query.purpose)
    if policy is None or query.purpose not in caller.purposes:
        raise Refused(f"purpose {query.purpose[:64]!r} is not allowed for this caller",
                      reason=Refusal.PURPOSE_NOT_ALLOWED)
    if not policy.grant_for_non_public and caller.role is not Role.AUTHORITY:
        raise Refused(f"purpose {query.purpose!r} needs no grant and is reserved to "
                      "authorities, not agencies", reason=Refusal.PURPOSE_NOT_ALLOWED)
    # (2)
    try:
        normalize_identifier(query.subject_id)
    except ValueError as exc:
        raise BadRequest(f"malformed subject id: {exc}") from exc
    # (3)
    if query.grant_json:
        grant = _check_grant(query, caller, caller_key, policy, deps, now, require_evidence)
        return Authorized(policy, frozenset(grant.scope), grant)
    if not policy.grant_for_non_public:
        return Authorized(policy, frozenset(KINDS), None)
    return Authorized(policy, frozenset(), None)


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
    authorized = authorize(query, caller, caller_key, deps, now)
    policy, scope = authorized.policy, authorized.scope
    # (4)
    token = subject_token(query.subject_id, deps.keys.token_key)
    found = [r for r in deps.store.records_by_subject(token)
             if r.origin == "local" and visible(r, scope, now.date())]
    # (5)
    answered: list[AnsweredRecord] = []
    not_anchored: list[str] = []
    for record in sorted(found, key=lambda r: r.leaf_index):
        proof = record_proof(deps.store, record, chain_id=deps.chain_id,
                             contract=deps.anchor_contract, memo=deps.proofs)
        if proof is None:
            not_anchored.append(record.record_no)
            continue
        plain = open_sealed(record.sealed_payload, deps.keys.master_key,
                            record_aad(record.province, record.record_no))
        answered.append(answer_record(record, plain, policy, proof))
    # (6)
    unavailable: tuple[str, ...] = ()
    if query.include_foreign and deps.federation is not None:
        foreign = deps.federation.foreign_answers(query, policy, scope, now)
        answered.extend(foreign.records)
        unavailable = foreign.provinces_unavailable
    return QueryAnswer(query.request_id or new_request_id(), now, answered, authorized.grant,
                       provinces_unavailable=unavailable, not_anchored=tuple(not_anchored))
