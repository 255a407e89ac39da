"""Federated answers: an agency's query at this node covers the other provinces too.

Called by ``node.service.query.answer_query`` (step 6) after the purpose and grant were
checked here, for a query with ``include_foreign``:

1. **replicated** records of peer provinces already in this store (verified when they
   arrived) that are visible under the grant's scope, minimized for the purpose, each
   with the origin's proof as it arrived;
2. **on-request** categories, fetched from each peer with ``FetchOnRequest``, forwarding
   the agency's grant and certificate unchanged so the origin checks them again; every
   record that comes back is verified like a pulled one (a failure is quarantined, not
   answered), must be about the subject and category asked for, and is minimized here.
   Nothing fetched is stored. A peer that cannot answer within ``deadline`` seconds or
   refuses is left out of the answer (logged with its status code) and named in
   ``ForeignAnswers.provinces_unavailable``, so the agency knows the answer is partial;
   so is every peer asked when the ledger is unreachable (nothing could be verified).
   The agency's own signature for each origin province (``QueryInput.forward_signatures``)
   goes with the grant; a province the agency signed nothing for is not asked.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from cryptography.hazmat.primitives import serialization

from crypto.batch_header import BatchHeader
from crypto.sealing import open_sealed, record_aad
from crypto.tokens import normalize_identifier, subject_token
from node.config_schema import PurposePolicy
from node.exchange.errors import ChainUnavailable, VerificationFailed
from node.exchange.ports import ExchangePeer, ForwardedGrant, PeerCallFailed
from node.exchange.receive import Receiver
from node.exchange.transit import Proven
from node.exchange.verify import Verified
from node.identity import IdentityError, parse_certificate
from node.service.proofs import AnchorInfo, RecordProof
from node.service.query import (
    AnsweredRecord,
    ForeignAnswers,
    QueryInput,
    answer_record,
    visible,
)
from node.store.rows import StoredRecord
from node.store.sql_foreign_proofs import ForeignProofs

log = logging.getLogger(__name__)
DEFAULT_DEADLINE = 5.0
OnFetched = Callable[[str, QueryInput, Sequence[Proven]], None]
"""``on_fetched(peer, query, items)``: called with what a peer answered, before it is
verified (the node logs ``exchange_in`` under the query's request id); raising fails
the query."""


def _der(certificate: bytes) -> bytes:
    if not certificate:
        return b""
    try:
        return parse_certificate(certificate).public_bytes(serialization.Encoding.DER)
    except IdentityError:
        return b""


class PeerFederation:
    """``node.service.query.Federation`` over this store and the peers in ``links``."""

    def __init__(self, *, receiver: Receiver, proofs: ForeignProofs, links: Sequence[ExchangePeer],
                 deadline: float = DEFAULT_DEADLINE, on_fetched: OnFetched | None = None) -> None:
        self._on_fetched = on_fetched
        self._receiver = receiver
        self._proofs = proofs
        self._links = tuple(links)
        self._deadline = deadline

    def foreign_answers(self, query: QueryInput, policy: PurposePolicy,
                        scope: frozenset[str], now: datetime) -> ForeignAnswers:
        """Steps (1) and (2) of the module doc; precondition: ``query`` is authorized."""
        # (1)
        answered = self._replicated(query, policy, scope, now)
        # (2)
        fetched, unavailable = self._fetched(query, policy, scope, now)
        answered.extend(fetched)
        return ForeignAnswers(answered, tuple(sorted(unavailable)))

    def _replicated(self, query: QueryInput, policy: PurposePolicy, scope: frozenset[str],
                    now: datetime) -> list[AnsweredRecord]:
        keys = self._receiver.keys
        token = subject_token(query.subject_id, keys.token_key)
        found = [r for r in self._receiver.store.records_by_subject(token)
                 if r.origin == "foreign" and visible(r, scope, now.date())]
        answered: list[AnsweredRecord] = []
        for record in sorted(found, key=lambda r: (r.province, r.leaf_index)):
            stored = self._proofs.proof(record.province, record.leaf_index)
            if stored is None:
                continue
            batch = stored.batch
            proof = RecordProof(
                leaf_index=record.leaf_index,
                tree_size=BatchHeader.from_json(batch.header_json).tree_size,
                inclusion_proof=list(stored.leaf.inclusion_proof),
                batch_header=batch.header_json, header_signature=batch.signature,
                anchor=AnchorInfo(chain_id=batch.chain_id, contract="0x" + batch.contract.hex(),
                                  tx_hash=batch.tx_hash or b"",
                                  block_number=batch.block_number, seq=batch.seq))
            plain = open_sealed(record.sealed_payload, keys.master_key,
                                record_aad(record.province, record.record_no))
            answered.append(answer_record(record, plain, policy, proof))
        return answered

    def _fetched(self, query: QueryInput, policy: PurposePolicy, scope: frozenset[str],
                 now: datetime) -> tuple[list[AnsweredRecord], set[str]]:
        """The on-request records, and the provinces that could not be asked."""
        if not query.grant_json:
            return [], set()  # an origin answers a forwarded query only under a grant
        signed = {s.province: s for s in query.forward_signatures}
        try:
            version = self._receiver.chain.current_catalog_version()
        except ChainUnavailable:
            log.warning("ledger unreachable: on-request categories left out of the answer")
            return [], {link.province for link in self._links if link.province in signed}
        categories = sorted(self._receiver.categories.on_request(version))
        calls = [(link, category) for link in self._links if link.province in signed
                 for category in categories]
        if not calls:
            return [], set()
        certificate = _der(query.caller_certificate)
        grants = {province: ForwardedGrant(
            canonical_grant=query.grant_json or b"", signature=query.grant_signature,
            agency_certificate=certificate, agency_signature=s.signature,
            signed_at=s.signed_at) for province, s in signed.items()}
        with ThreadPoolExecutor(max_workers=min(8, len(calls)),
                                thread_name_prefix="federate") as pool:
            pages = list(pool.map(lambda call: self._fetch(
                call[0], call[1], query, grants[call[0].province]), calls))
        answered: list[AnsweredRecord] = []
        unavailable: set[str] = set()
        for (link, category), verified in zip(calls, pages, strict=True):
            if verified is None:
                unavailable.add(link.province)
                continue
            for item in verified:
                record = self._answerable(item, link.province, category, query, now)
                if record is not None and visible(record, scope, now.date()):
                    answered.append(answer_record(record, item.item.payload, policy,
                                                  _proof(item)))
        return answered, unavailable

    def _fetch(self, link: ExchangePeer, category: str, query: QueryInput,
               grant: ForwardedGrant) -> list[Verified] | None:
        """The verified records ``link`` answered, or None when it could not be asked."""
        try:
            items = link.fetch_on_request(
                category=category, purpose=query.purpose, subject_id=query.subject_id,
                request_id=query.request_id, grant=grant, timeout=self._deadline)
            if self._on_fetched is not None:
                self._on_fetched(link.province, query, items)
            passed, _ = self._receiver.verify(items, peer=link.province)
        except PeerCallFailed as exc:
            log.warning("on-request fetch failed", extra={
                "peer": link.province, "category": category, "code": exc.code})
            return None
        except ChainUnavailable:
            log.warning("ledger unreachable: fetched records of a peer left out",
                        extra={"peer": link.province})
            return None
        return [verified for _, verified in passed]

    def _answerable(self, item: Verified, peer: str, category: str, query: QueryInput,
                    now: datetime) -> StoredRecord | None:
        """The fetched record as a (transient) row, or None after quarantining it."""
        try:
            if item.item.shared_category != category:
                raise VerificationFailed(6, "the origin answered a record of another category")
            if normalize_identifier(item.subject_id) != normalize_identifier(query.subject_id):
                raise VerificationFailed(1, "the origin answered a record of another subject")
            try:
                row = self._receiver.foreign_record(item)
            except ValueError as exc:
                raise VerificationFailed(1, f"payload: {exc}") from exc
        except VerificationFailed as exc:
            self._receiver.refuse(item.item, peer, exc.step, exc.reason)
            return None
        fields = {f.name: getattr(row.record, f.name)
                  for f in dataclasses.fields(row.record) if f.name != "scheme"}
        return StoredRecord(id=0, leaf_index=row.leaf_index, origin="foreign",
                            batch_seq=row.batch_seq, created_at=now, **fields)


def _json(plain: bytes) -> dict[str, object]:
    document = json.loads(plain)
    return document if isinstance(document, dict) else {}


def _proof(verified: Verified) -> RecordProof:
    item, header = verified.item, verified.header
    return RecordProof(
        leaf_index=item.leaf_index, tree_size=header.tree_size,
        inclusion_proof=list(item.inclusion_proof), batch_header=header.to_json(),
        header_signature=item.header_signature,
        anchor=AnchorInfo(chain_id=item.anchor.chain_id,
                          contract="0x" + item.anchor.contract.hex(), tx_hash=item.anchor.tx_hash,
                          block_number=item.anchor.block_number, seq=item.anchor.seq))
