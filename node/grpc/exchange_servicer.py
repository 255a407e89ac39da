"""ExchangeService: peers only; unpack, call the exchange handlers, map errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc

from node._proto.credit.v1 import common_pb2, exchange_pb2, exchange_pb2_grpc
from node.exchange.errors import ChainUnavailable
from node.exchange.fetch import FetchRequest, fetch_on_request
from node.exchange.runtime import Exchange
from node.exchange.serve import MAX_PAGE, pull_page
from node.exchange.wire import proven_from_proto, proven_to_proto
from node.grpc.errors import abort
from node.grpc.identity import caller_identity
from node.identity import Identity, Role
from node.service.app import NodeApp
from node.service.errors import BadRequest, Refused, ServiceError, Unavailable
from node.store.errors import StoreError

T = TypeVar("T")


class ExchangeServicer(exchange_pb2_grpc.ExchangeServiceServicer):
    def __init__(self, app: NodeApp) -> None:
        self._app = app

    def _run(self, context: grpc.ServicerContext,
             call: Callable[[Exchange, Identity], T]) -> T:
        """Check the caller is a peer, run ``call``; errors end the RPC with their status."""
        try:
            caller = caller_identity(context, self._app.identities, (Role.PEER,))
            if self._app.exchange is None:
                raise Unavailable("this node has no ledger configured: no exchange")
            try:
                return call(self._app.exchange, caller)
            except ChainUnavailable as exc:
                raise Unavailable(str(exc)) from exc
        except Refused as exc:
            self._app.metrics.refusals.labels(reason=exc.reason).inc()
            abort(context, exc)
        except (ServiceError, StoreError) as exc:
            abort(context, exc)

    def PullRecords(self, request: Any, context: grpc.ServicerContext) -> Any:
        def run(exchange: Exchange, caller: Identity) -> Any:
            page = pull_page(exchange.serve, cursor=request.cursor[:64], limit=request.limit,
                             wanted=frozenset(request.categories))
            return exchange_pb2.PullRecordsResponse(
                records=[proven_to_proto(item) for item in page.records],
                next_cursor=page.next_cursor)
        return self._run(context, run)

    def PushRecords(self, request: Any, context: grpc.ServicerContext) -> Any:
        def run(exchange: Exchange, caller: Identity) -> Any:
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
            return exchange_pb2.PushRecordsResponse(
                accepted_count=received.accepted + received.duplicates, refused=refused)
        return self._run(context, run)

    def FetchOnRequest(self, request: Any, context: grpc.ServicerContext) -> Any:
        def run(exchange: Exchange, caller: Identity) -> Any:
            grant = request.grant
            fetch = FetchRequest(
                category=request.category, subject_id=request.subject.id,
                purpose=request.purpose,
                grant_json=bytes(grant.canonical_grant) or None,
                grant_signature=bytes(grant.signature),
                agency_certificate=bytes(grant.agency_certificate),
                request_id=request.request_id[:64])
            found = fetch_on_request(fetch, caller, exchange.fetch, datetime.now(UTC))
            return exchange_pb2.FetchOnRequestResponse(
                records=[proven_to_proto(item) for item in found])
        return self._run(context, run)
