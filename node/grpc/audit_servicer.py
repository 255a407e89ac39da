"""AuditService: auditors read the access audit log; peers read its heads to witness them.

Roles: every method is open to auditors; peers may also call ``GetLatestHead``,
``GetHeadAtSize`` and ``GetConsistencyProof`` (what a witness needs). Reads of entries
(``ListEntries``, ``GetInclusionProof``) are logged as ``audit_read``; reads of heads and
consistency proofs reveal only hashes and are not (``node.grpc.audited``), so witnessing
does not grow the log it witnesses. ``AuditNotFound`` ends a call with NOT_FOUND and
``AuditRangeError`` with OUT_OF_RANGE (``node.grpc.errors``).
"""

from __future__ import annotations

from typing import Final

import grpc

from node._proto.credit.v1 import audit_pb2, audit_pb2_grpc
from node.audit import Action, AuditLog
from node.grpc.audited import Answer, Attempt, audited
from node.grpc.convert import head_to_proto
from node.identity import Identity, Role
from node.service.app import NodeApp
from node.service.audit_checkpoints import ANCHOR_META, HeadAnchor
from node.service.errors import BadRequest
from node.store.sql_audit import StoredEntry

__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "AuditServicer"]

DEFAULT_PAGE: Final = 1000
MAX_PAGE: Final = 5000
MAX_PAGE_BYTES: Final = 4 * 1024 * 1024
"""A page of entries stops once it holds this many bytes (an exchange entry may name
thousands of records), far below the message size limit."""
_HEAD_READERS: Final = (Role.AUDITOR, Role.PEER)
_AUDITORS: Final = (Role.AUDITOR,)
_MAX_INDEX: Final = 2**63 - 1


def _within_bytes(page: list[StoredEntry]) -> list[StoredEntry]:
    """The first entries of ``page`` up to ``MAX_PAGE_BYTES`` (at least one)."""
    total = 0
    for count, stored in enumerate(page):
        total += len(stored.entry)
        if total > MAX_PAGE_BYTES and count:
            return page[:count]
    return page


def _index(name: str, value: int) -> int:
    """A size or index from a request; past any log (>= 2^63, what the database's integers
    hold) it is a malformed request, not a defect the database finds."""
    if value > _MAX_INDEX:
        raise BadRequest(f"{name}: must be at most {_MAX_INDEX}")
    return int(value)


def _page_start(request: audit_pb2.ListEntriesRequest) -> int:
    """Where the page starts; an index past any log (>= 2^63, what the database's
    integers hold) is a malformed request, not a defect found by the database."""
    token = request.page_token
    if not token:
        return _index("start_index", request.start_index)
    if not token.isdecimal() or len(token) > 19 or int(token) > _MAX_INDEX:
        raise BadRequest("malformed page_token: want the next_page_token of a previous answer")
    return int(token)


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, app: NodeApp) -> None:
        self._app = app
        contracts = app.config.ledger.contracts
        self._chain_id = app.config.ledger.chain_id
        address = contracts.get("AuditAnchors", "")
        self._contract = bytes.fromhex(address.removeprefix("0x")) if address else b""

    @property
    def _log(self) -> AuditLog:
        return self._app.access_log.log

    def _head(self, size: int | None) -> audit_pb2.SignedTreeHead:
        head = self._log.checkpoint(size)
        anchored = self._app.store.get_meta(ANCHOR_META)
        return head_to_proto(head, self._app.province, chain_id=self._chain_id,
                             contract=self._contract,
                             anchor=HeadAnchor.decode(anchored) if anchored else None)

    def GetLatestHead(self, request: audit_pb2.GetLatestHeadRequest,
                      context: grpc.ServicerContext) -> audit_pb2.GetLatestHeadResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[audit_pb2.GetLatestHeadResponse]:
            return Answer(audit_pb2.GetLatestHeadResponse(head=self._head(None)), None)
        return audited(self._app, context, _HEAD_READERS, run)

    def GetHeadAtSize(self, request: audit_pb2.GetHeadAtSizeRequest,
                      context: grpc.ServicerContext) -> audit_pb2.GetHeadAtSizeResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[audit_pb2.GetHeadAtSizeResponse]:
            head = self._head(_index("tree_size", request.tree_size))
            return Answer(audit_pb2.GetHeadAtSizeResponse(head=head), None)
        return audited(self._app, context, _HEAD_READERS, run)

    def GetConsistencyProof(self, request: audit_pb2.GetConsistencyProofRequest,
                            context: grpc.ServicerContext) -> audit_pb2.GetConsistencyProofResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[audit_pb2.GetConsistencyProofResponse]:
            second = _index("second_size", request.second_size) or None
            proof = self._log.consistency_proof(_index("first_size", request.first_size),
                                                second)
            return Answer(audit_pb2.GetConsistencyProofResponse(proof=proof), None)
        return audited(self._app, context, _HEAD_READERS, run)

    def GetInclusionProof(self, request: audit_pb2.GetInclusionProofRequest,
                          context: grpc.ServicerContext) -> audit_pb2.GetInclusionProofResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[audit_pb2.GetInclusionProofResponse]:
            log = self._log
            size = _index("tree_size", request.tree_size) or log.size()
            if request.WhichOneof("target") == "request_id":
                indexes = [i for i in log.indexes_of(request.request_id[:128]) if i < size]
                if not indexes:
                    log.index_of(request.request_id[:128])  # raises AuditNotFound
                    raise BadRequest(f"request id's entries all lie beyond tree size {size}")
            else:
                indexes = [_index("leaf_index", request.leaf_index)]
            inclusions = [audit_pb2.AuditInclusion(
                leaf_index=index, canonical_entry=log.entry(index).entry,
                proof=log.inclusion_proof(index, size)) for index in indexes]
            return Answer(audit_pb2.GetInclusionProofResponse(tree_size=size,
                                                              inclusions=inclusions),
                          Action.AUDIT_READ, records=len(inclusions))
        return audited(self._app, context, _AUDITORS, run)

    def ListEntries(self, request: audit_pb2.ListEntriesRequest,
                    context: grpc.ServicerContext) -> audit_pb2.ListEntriesResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[audit_pb2.ListEntriesResponse]:
            start = _page_start(request)
            limit = min(int(request.page_size) or DEFAULT_PAGE, MAX_PAGE)
            page = self._log.entries(start, limit)
            found = _within_bytes(page)
            more = len(found) < len(page) or len(page) == limit
            response = audit_pb2.ListEntriesResponse(
                entries=[audit_pb2.AuditEntry(leaf_index=e.index, canonical_entry=e.entry)
                         for e in found],
                next_page_token=str(found[-1].index + 1) if more else "")
            return Answer(response, Action.AUDIT_READ, records=len(found))
        return audited(self._app, context, _AUDITORS, run)
