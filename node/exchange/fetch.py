"""FetchOnRequest, origin side: one subject's on-request records, under a forwarded grant.

A peer node forwards an agency's query for a category the catalog exchanges only on
request. The origin does not take the peer's word for anything — a province holds its
own CA key and could mint any agency — so it checks, itself:

1. the category is exchanged on request under the adopted catalog version;
2. the forwarded certificate is an agency's, issued by the calling peer's province CA
   (chains to it, in its validity period, role ``agency``);
3. the agency proved it asked: its signature over (request id, purpose, subject, this
   province, time) verifies with that certificate's key (``node.authz.forwarding``);
4. this node's own policy accepts the purpose from agencies of the calling province
   (``[policy] foreign_purposes``), and a forwarded query carries a grant, whatever the
   purpose: a foreign agency never sees non-public records without the subject's consent;
5. purpose and grant pass exactly the checks of a local agency query
   (``node.service.query.authorize``: rate — one token of the agency's per forwarded
   query, however many categories are fetched for it — the purpose among the
   certificate's and our policy's, no grant-free purpose for an agency, not withdrawn,
   the grant signed with that certificate's key, for that agency, purpose and subject, in
   force, no longer than policy allows) and the grant's nonce is claimed once per
   (calling province, category) here; the evidence stays with the node the agency asked
   (its hash is in the grant and in both audit entries);
6. the subject's local records of the category that the catalog's sharing policy hands
   out **on request** — decided per record, as replication decides (shared category,
   catalog version, subject type, visibility: ``node.exchange.serve.record_sharing``) —
   visible under the grant's scope and in an anchored batch are returned with their
   proofs (the caller verifies and minimizes). The policy names three outcomes and no
   grant or purpose widens them: an ``origin_only`` record (a natural person's
   non-public information under catalog v3's rules) never leaves this node, even for a
   subject's grant whose scope covers it, and a ``replicate`` one reaches the caller by
   replication, not here.

Refusals raise ``Refused`` / ``BadRequest`` before any lookup, so they do not depend on
whether the subject has records.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from crypto.tokens import subject_token
from node.authz.forwarding import ForwardError, verify_forward
from node.authz.grants import Grant, NonceLedger
from node.exchange.chain_facts import ChainFacts
from node.exchange.errors import ChainUnavailable
from node.exchange.proven import local_proven
from node.exchange.serve import ServeDeps, record_sharing
from node.exchange.transit import Proven
from node.identity import (
    Identity,
    IdentityError,
    Role,
    TrustStore,
    parse_certificate,
    peer_identity_from_cert,
)
from node.service.errors import BadRequest, RateLimited, Refusal, Refused, Unavailable
from node.service.proofs import batch_proof
from node.service.query import QueryDeps, QueryInput, authorize, visible


@dataclass(frozen=True)
class FetchRequest:
    """A FetchOnRequest call, unpacked. ``subject_id`` is personal data: never logged."""

    category: str
    subject_id: str
    purpose: str
    grant_json: bytes | None
    grant_signature: bytes
    agency_certificate: bytes
    request_id: str = ""
    agency_signature: bytes = b""
    signed_at: int = 0


@dataclass(frozen=True)
class FetchDeps:
    serve: ServeDeps
    query: QueryDeps
    trust: TrustStore
    chain: ChainFacts
    foreign_purposes: Mapping[str, tuple[str, ...]]
    """Purpose -> provinces whose agencies may ask it here (``[policy] foreign_purposes``)."""


@dataclass(frozen=True)
class FetchAnswer:
    """The records, and who asked under which grant (for this node's audit entry)."""

    records: list[Proven]
    agency: Identity
    grant: Grant | None


class ScopedNonces:
    """A nonce ledger under a scope: a forwarded grant is used once per scope here."""

    def __init__(self, inner: NonceLedger, scope: str) -> None:
        self._inner = inner
        self._scope = scope

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        return self._inner.claim(f"{self._scope}/{agency}", nonce, expires_at)


def forwarded_agency(certificate: bytes, province: str, trust: TrustStore, now: datetime
                     ) -> tuple[Identity, ec.EllipticCurvePublicKey]:
    """The agency of ``province`` that ``certificate`` (DER or PEM) names, and its key.

    Raises ``BadRequest`` when there is no certificate, ``Refused`` when it is not an
    agency certificate issued by ``province``'s CA.
    """
    if not certificate:
        raise BadRequest("the forwarded grant carries no agency certificate")
    try:
        # Seen from the calling province, its agencies are local: the same role table.
        view = TrustStore(province, trust.authorities)
        agency = peer_identity_from_cert(certificate, view, now=now)
        key = parse_certificate(certificate).public_key()
    except (IdentityError, ValueError) as exc:
        raise Refused(f"forwarded agency certificate refused: {exc}",
                      reason=Refusal.AGENCY_REFUSED) from exc
    if agency.role is not Role.AGENCY or agency.province != province:
        raise Refused(f"forwarded certificate is a {agency.role.value} of {agency.province}, "
                      f"want an agency of {province}", reason=Refusal.AGENCY_REFUSED)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise Refused("forwarded agency certificate key is not an EC key",
                      reason=Refusal.AGENCY_REFUSED)
    return agency, key


def _proven_request(request: FetchRequest, caller: Identity,
                   key: ec.EllipticCurvePublicKey, deps: FetchDeps, now: datetime) -> None:
    """Steps (3) and (4)."""
    # (3)
    try:
        verify_forward(key, request.agency_signature, request_id=request.request_id,
                       purpose=request.purpose, subject=request.subject_id,
                       origin=deps.trust.own_province, signed_at=request.signed_at, now=now)
    except ForwardError as exc:
        raise Refused(f"forwarded query refused: {exc}",
                      reason=Refusal.AGENCY_REFUSED) from exc
    except ValueError as exc:
        raise BadRequest(f"malformed subject id: {exc}") from exc
    # (4)
    if caller.province not in deps.foreign_purposes.get(request.purpose, ()):
        raise Refused(f"purpose {request.purpose[:64]!r} is not accepted here from agencies "
                      f"of {caller.province}", reason=Refusal.PURPOSE_NOT_ALLOWED)
    if not request.grant_json:
        raise Refused("a forwarded query needs the subject's grant",
                      reason=Refusal.GRANT_REFUSED)


def _occasion(request: FetchRequest) -> str:
    """One forwarded query, as the agency signed it (request id, purpose, subject),
    hashed: the rate limiter charges it once across its categories."""
    if not request.request_id:
        return ""
    signed = "\x00".join((request.request_id, request.purpose, request.subject_id))
    return hashlib.sha256(signed.encode()).hexdigest()


def fetch_on_request(request: FetchRequest, caller: Identity, deps: FetchDeps,
                     now: datetime) -> FetchAnswer:
    """Steps (1)-(6) of the module doc for a call by peer ``caller``."""
    # (1)
    try:
        version = deps.chain.current_catalog_version()
    except ChainUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    if request.category not in deps.serve.categories.on_request(version):
        raise BadRequest(f"category {request.category[:64]!r} is not exchanged on request "
                         f"under catalog version {version}")
    # (2)
    agency, key = forwarded_agency(request.agency_certificate, caller.province, deps.trust,
                                   now)
    _proven_request(request, caller, key, deps, now)
    # (5)
    query = QueryInput(purpose=request.purpose, subject_id=request.subject_id,
                       grant_json=request.grant_json, grant_signature=request.grant_signature,
                       request_id=request.request_id)
    limiter = deps.query.limiter
    if limiter is not None and not limiter.take_once(agency.fingerprint, _occasion(request)):
        raise RateLimited("query rate exceeded for this agency; retry later")
    nonces = ScopedNonces(deps.query.nonces, f"{caller.province}:{request.category}")
    authorized = authorize(query, agency, key, dataclasses.replace(
        deps.query, nonces=nonces, limiter=None), now, require_evidence=False)
    # (6)
    serve = deps.serve
    token = subject_token(request.subject_id, serve.keys.token_key)
    found = [r for r in serve.store.records_by_subject(token)
             if r.origin == "local" and r.shared_category == request.category
             and record_sharing(r, serve.categories) == "on_request"
             and visible(r, authorized.scope, now.date())]
    out: list[Proven] = []
    for record in sorted(found, key=lambda r: r.leaf_index):
        batch = serve.store.batch_for_leaf(record.leaf_index)
        if batch is None or batch.status != "anchored":
            continue
        proof = batch_proof(serve.store, record.leaf_index, batch)
        out.append(local_proven(record, batch, proof, keys=serve.keys, target=serve.target))
    return FetchAnswer(out, agency, authorized.grant)
