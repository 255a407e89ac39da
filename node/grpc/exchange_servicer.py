"""ExchangeService: peers only; unpack, call the exchange handlers. Every call is audited
(``exchange_out`` / ``exchange_in`` under the request id the caller sent, which the
caller logs too) and its errors mapped by ``node.grpc.audited``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import grpc

from node._proto.credit.v1 import common_pb2, exchange_pb2, exchange_pb2_grpc
from node.audit import Action
from node.exchange.fetch import FetchRequest, fetch_on_request
from node.exchange.nudge import OnNudge
from node.exchange.parts import Exchange
from node.exchange.serve import MAX_PAGE, pull_page
from node.exchange.transit import Proven
from node.grpc.audited import Answer, Attempt, audited
from node.grpc.convert import proven_from_proto, proven_to_proto
from node.identity import Identity, Role
from node.service.access_log import record_refs
from node.service.app import NodeApp
from node.service.errors import BadRequest, Unavailable


def _refs(items: Sequence[Proven]) -> tuple[str, ...]:
    return record_refs((item.province, item.record_no) for item in items)


class ExchangeServicer(exchange_pb2_grpc.ExchangeServiceServicer):
    def __init__(self, app: NodeApp, exchange: Exchange | None,
                 on_nudge: OnNudge | None = None) -> None:
        self._app = app
        self._exchange_parts = exchange
        self._on_nudge = on_nudge

    def _exchange(self) -> Exchange:
        if self._exchange_parts is None:
            raise Unavailable("this node has no ledger configured: no exchange")
        return self._exchange_parts

    def PullRecords(self, request: exchange_pb2.PullRecordsRequest,
                    context: grpc.ServicerContext) -> exchange_pb2.PullRecordsResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[exchange_pb2.PullRecordsResponse]:
            attempt.use_request_id(request.request_id)
            page = pull_page(self._exchange().serve, cursor=request.cursor[:64],
                             limit=request.limit, wanted=frozenset(request.categories))
            response = exchange_pb2.PullRecordsResponse(
                records=[proven_to_proto(item) for item in page.records],
                next_cursor=page.next_cursor)
            # An empty page hands nothing out and is not logged (the puller, which logs
            # its side only for records received, does the same): polls every second
            # would otherwise fill the log with no-op entries.
            action = Action.EXCHANGE_OUT if page.records else None
            return Answer(response, action, records=len(page.records),
                          refs=_refs(page.records))
        return audited(self._app, context, (Role.PEER,), run, request_id=request.request_id)

    def PushRecords(self, request: exchange_pb2.PushRecordsRequest,
                    context: grpc.ServicerContext) -> exchange_pb2.PushRecordsResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[exchange_pb2.PushRecordsResponse]:
            attempt.use_request_id(request.request_id)
            exchange = self._exchange()
            if len(request.records) > MAX_PAGE:
                raise BadRequest(f"push holds {len(request.records)} records; "
                                 f"send at most {MAX_PAGE} per request")
            items = [proven_from_proto(message) for message in request.records]
            received = exchange.receiver.accept(items, peer=caller.province)
            refused = [exchange_pb2.RefusedItem(position=r.position, errors=[
                common_pb2.FieldError(code=f"quarantined_step_{r.step}", message=r.reason)])
                for r in received.refused]
            refused.extend(exchange_pb2.RefusedItem(position=i, revocation=True, errors=[
                common_pb2.FieldError(code="revocation_unsupported",
                                      message="revocations are not taken yet")])
                for i in range(len(request.revocations)))
            return Answer(exchange_pb2.PushRecordsResponse(
                accepted_count=received.accepted + received.duplicates, refused=refused),
                Action.EXCHANGE_IN, records=len(items), refs=_refs(items))
        return audited(self._app, context, (Role.PEER,), run, request_id=request.request_id)

    def FetchOnRequest(self, request: exchange_pb2.FetchOnRequestRequest,
                       context: grpc.ServicerContext) -> exchange_pb2.FetchOnRequestResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[exchange_pb2.FetchOnRequestResponse]:
            attempt.subject_token = self._app.access_log.token(request.subject.id)
            request_id = attempt.use_request_id(request.request_id)
            grant = request.grant
            fetch = FetchRequest(
                category=request.category, subject_id=request.subject.id,
                purpose=request.purpose,
                grant_json=bytes(grant.canonical_grant) or None,
                grant_signature=bytes(grant.signature),
                agency_certificate=bytes(grant.agency_certificate),
                request_id=request_id, agency_signature=bytes(grant.agency_signature),
                signed_at=grant.signed_at)
            fetched = fetch_on_request(fetch, caller, self._exchange().fetch,
                                       datetime.now(UTC))
            found = fetched.records
            if fetched.grant is not None:
                attempt.use_grant(fetched.grant.nonce, fetched.grant.consent_evidence_sha256,
                                  fetched.agency.fingerprint)
            else:
                attempt.agency = fetched.agency.fingerprint
            return Answer(exchange_pb2.FetchOnRequestResponse(
                records=[proven_to_proto(item) for item in found]),
                Action.EXCHANGE_OUT, records=len(found), refs=_refs(found))
        return audited(self._app, context, (Role.PEER,), run, request_id=request.request_id,
                       purpose=request.purpose)

    def Nudge(self, request: exchange_pb2.NudgeRequest,
              context: grpc.ServicerContext) -> exchange_pb2.NudgeResponse:
        # Carries no data and hands none out: not logged (like an empty pull), but only a
        # peer may call it, and it only wakes this node's pullers of the caller's province.
        def run(caller: Identity, attempt: Attempt) -> Answer[exchange_pb2.NudgeResponse]:
            self._exchange()
            if self._on_nudge is not None:
                self._on_nudge(caller.province, request.records, request.revocations)
            return Answer(exchange_pb2.NudgeResponse(), None)
        return audited(self._app, context, (Role.PEER,), run)
