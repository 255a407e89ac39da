"""FetchOnRequest, origin side: one subject's on-request records, under a forwarded grant.

A peer node forwards an agency's query for a category the catalog exchanges only on
request. The origin trusts the peer to have checked the grant — and checks it again:

1. the category is exchanged on request under the adopted catalog version;
2. the forwarded certificate is an agency's, issued by the calling peer's province CA
   (chains to it, in its validity period, role ``agency``);
3. purpose and grant pass exactly the checks of a local agency query
   (``node.service.query.authorize``: the purpose among the certificate's and our
   policy's, the grant signed with that certificate's key, for that agency, purpose and
   subject, in force) and the grant's nonce is claimed once per (calling province,
   category) here;
4. the subject's local records of the category visible under the grant's scope and in an
   anchored batch are returned with their proofs (the caller verifies and minimizes).

Refusals raise ``Refused`` / ``BadRequest`` before any lookup, so they do not depend on
whether the subject has records.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from crypto.tokens import subject_token
from node.authz.grants import NonceLedger
from node.exchange.chain_facts import ChainFacts
from node.exchange.errors import ChainUnavailable
from node.exchange.proven import local_proven
from node.exchange.serve import ServeDeps
from node.exchange.transit import Proven
from node.identity import (
    Identity,
    IdentityError,
    Role,
    TrustStore,
    parse_certificate,
    peer_identity_from_cert,
)
from node.service.errors import BadRequest, Refusal, Refused, Unavailable
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


@dataclass(frozen=True)
class FetchDeps:
    serve: ServeDeps
    query: QueryDeps
    trust: TrustStore
    chain: ChainFacts


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


def fetch_on_request(request: FetchRequest, caller: Identity, deps: FetchDeps,
                     now: datetime) -> list[Proven]:
    """Steps (1)-(4) of the module doc for a call by peer ``caller``."""
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
    # (3)
    query = QueryInput(purpose=request.purpose, subject_id=request.subject_id,
                       grant_json=request.grant_json, grant_signature=request.grant_signature,
                       request_id=request.request_id)
    nonces = ScopedNonces(deps.query.nonces, f"{caller.province}:{request.category}")
    _, scope = authorize(query, agency, key, dataclasses.replace(deps.query, nonces=nonces),
                         now)
    # (4)
    serve = deps.serve
    token = subject_token(request.subject_id, serve.keys.token_key)
    found = [r for r in serve.store.records_by_subject(token)
             if r.origin == "local" and r.shared_category == request.category
             and visible(r, scope, now.date())]
    out: list[Proven] = []
    for record in sorted(found, key=lambda r: r.leaf_index):
        batch = serve.store.batch_for_leaf(record.leaf_index)
        if batch is None or batch.status != "anchored":
            continue
        proof = batch_proof(serve.store, record.leaf_index, batch)
        out.append(local_proven(record, batch, proof, keys=serve.keys, target=serve.target))
    return out
