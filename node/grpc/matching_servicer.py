"""MatchingService: peers and agencies (for a purpose they carry); unpack, call the
matching handler (``node.service.matching``). Every batch and every token-set page goes
through ``node.grpc.audited``: authenticated, audited as a count (``oprf_eval`` with the
batch size; ``query`` with the page size) and mapped to a status code. Nothing of the
elements themselves is logged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import grpc

from node._proto.credit.v1 import matching_pb2, matching_pb2_grpc
from node.audit import Action
from node.grpc.audited import Answer, Attempt, audited
from node.identity import Identity, Role
from node.service.app import NodeApp
from node.service.errors import Unavailable
from node.service.matching import MatchingResponder

_ROLES = (Role.PEER, Role.AGENCY)


class MatchingServicer(matching_pb2_grpc.MatchingServiceServicer):
    def __init__(self, app: NodeApp, responder: MatchingResponder | None) -> None:
        self._app = app
        self._responder_parts = responder

    def _responder(self) -> MatchingResponder:
        if self._responder_parts is None:
            raise Unavailable("this node has no OPRF key: no private matching")
        return self._responder_parts

    def Evaluate(self, request_iterator: Iterable[matching_pb2.EvaluateRequest],
                 context: grpc.ServicerContext) -> Iterator[matching_pb2.EvaluateResponse]:
        for request in request_iterator:
            yield self._evaluate_one(request, context)

    def _evaluate_one(self, request: matching_pb2.EvaluateRequest,
                      context: grpc.ServicerContext) -> matching_pb2.EvaluateResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[matching_pb2.EvaluateResponse]:
            attempt.use_request_id(request.request_id)
            responder = self._responder()
            responder.check_caller(caller, request.purpose)
            reply, remaining = responder.evaluate(caller, list(request.blinded_elements))
            return Answer(matching_pb2.EvaluateResponse(
                evaluated_elements=list(reply.evaluated), dleq_proof=reply.proof,
                public_key=responder.key.public_key, remaining_evaluations=remaining),
                Action.OPRF_EVAL, records=len(reply.evaluated))
        return audited(self._app, context, _ROLES, run, request_id=request.request_id,
                       purpose=request.purpose)

    def GetTokenSet(self, request: matching_pb2.GetTokenSetRequest,
                    context: grpc.ServicerContext) -> matching_pb2.GetTokenSetResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[matching_pb2.GetTokenSetResponse]:
            attempt.use_request_id(request.request_id)
            responder = self._responder()
            responder.check_caller(caller, request.purpose)
            page = responder.token_page(request.cursor[:32], request.limit)
            return Answer(matching_pb2.GetTokenSetResponse(
                entries=[matching_pb2.TokenSetEntry(token=token, shared_category=category)
                         for token, category in page.entries],
                next_cursor=page.next_cursor, public_key=responder.key.public_key,
                total=page.total), Action.QUERY, records=len(page.entries))
        return audited(self._app, context, _ROLES, run, request_id=request.request_id,
                       purpose=request.purpose)
