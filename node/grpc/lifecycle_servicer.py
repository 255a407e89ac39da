"""LifecycleService: unpack, call the lifecycle handlers; every call audited.

Filing a repair is logged at the origin under the repair's request id (the same id the
notice carries, which every peer logs when it applies it), so an auditor can match the
repair across the four logs. PullRevocations is logged as ``exchange_out`` under the
puller's request id (the puller logs ``exchange_in``), like PullRecords.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Protocol

import grpc

from node._proto.credit.v1 import lifecycle_pb2, lifecycle_pb2_grpc
from node.audit import Action
from node.exchange.revocations import revocation_page
from node.exchange.transit import AnchorTarget
from node.grpc.audited import Answer, Attempt, audited
from node.grpc.convert import notice_to_proto
from node.identity import Identity, Role
from node.service.access_log import record_refs
from node.service.app import NodeApp
from node.service.errors import BadRequest, Unavailable
from node.service.ingest import IngestOutcome
from node.service.lifecycle import LifecycleDeps, RepairRequest, file_repair, record_status
from node.service.objections import ObjectionRequest, file_objection, resolve_objection
from node.service.revocation_log import parse_notice
from node.store.sql_objections import ObjectionStore

__all__ = ["LifecyclePorts", "LifecycleServicer"]


class LifecyclePorts(Protocol):
    """What the servicer needs of the running node's lifecycle (``node.runtime.lifecycle``)."""

    @property
    def deps(self) -> LifecycleDeps: ...

    @property
    def target(self) -> AnchorTarget | None: ...

    @property
    def objections(self) -> ObjectionStore: ...

    def filed(self) -> None: ...

    def ended(self, record_no: str) -> None: ...

    def submit(self, raws: list[bytes], today: date, request_id: str) -> IngestOutcome: ...


class LifecycleServicer(lifecycle_pb2_grpc.LifecycleServiceServicer):
    def __init__(self, app: NodeApp, ports: LifecyclePorts,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._app = app
        self._ports = ports
        self._clock = clock

    def FileRepair(self, request: lifecycle_pb2.FileRepairRequest,
                   context: grpc.ServicerContext) -> lifecycle_pb2.FileRepairResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[lifecycle_pb2.FileRepairResponse]:
            request_id = attempt.use_request_id(request.request_id)
            attempt.use_purpose("credit_repair")
            accepted = file_repair(RepairRequest(
                record_no=request.record_no, basis=request.basis,
                commitment_json=bytes(request.commitment_json),
                decision_ref=request.decision_ref,
                evidence_sha256=bytes(request.evidence_sha256), request_id=request_id),
                caller_province=caller.province, deps=self._ports.deps, now=self._clock())
            self._ports.filed()
            self._ports.ended(accepted.record_no)
            dates = accepted.dates
            return Answer(lifecycle_pb2.FileRepairResponse(
                record_no=accepted.record_no, request_id=accepted.request_id,
                revocation_index=accepted.notice.idx,
                repair_from=dates.repair_from.isoformat() if dates.repair_from else ""),
                Action.ADMIN, records=1,
                refs=record_refs([(caller.province, accepted.record_no)]))
        return audited(self._app, context, (Role.PLATFORM,), run,
                       request_id=request.request_id)

    def FileObjection(self, request: lifecycle_pb2.FileObjectionRequest,
                      context: grpc.ServicerContext) -> lifecycle_pb2.FileObjectionResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[lifecycle_pb2.FileObjectionResponse]:
            request_id = attempt.use_request_id(request.request_id)
            attempt.use_purpose("objection")
            now = self._clock()
            try:
                received = (date.fromisoformat(request.received_on) if request.received_on
                            else now.date())
            except ValueError as exc:
                raise BadRequest("received_on: want YYYY-MM-DD") from exc
            filed = file_objection(ObjectionRequest(
                record_no=request.record_no, applicant=request.applicant,
                reason=request.reason, received_on=received,
                evidence_sha256=bytes(request.evidence_sha256), request_id=request_id),
                caller_province=caller.province, deps=self._ports.deps,
                objections=self._ports.objections, now=now)
            self._ports.filed()
            return Answer(lifecycle_pb2.FileObjectionResponse(
                record_no=filed.record_no, request_id=filed.request_id,
                verify_deadline=filed.verify_deadline.isoformat()), Action.ADMIN, records=1,
                refs=record_refs([(caller.province, filed.record_no)]))
        return audited(self._app, context, (Role.PLATFORM,), run,
                       request_id=request.request_id)

    def ResolveObjection(self, request: lifecycle_pb2.ResolveObjectionRequest,
                         context: grpc.ServicerContext
                         ) -> lifecycle_pb2.ResolveObjectionResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[lifecycle_pb2.ResolveObjectionResponse]:
            attempt.use_purpose("objection")
            done = resolve_objection(
                request.record_no, request.result, caller_province=caller.province,
                deps=self._ports.deps, objections=self._ports.objections, now=self._clock(),
                corrected_json=bytes(request.corrected_json), submit=self._ports.submit)
            # Logged under the objection's own request id: the one its filing used.
            attempt.use_request_id(done.request_id)
            self._ports.filed()
            if done.result == "corrected":
                self._ports.ended(done.record_no)
            return Answer(lifecycle_pb2.ResolveObjectionResponse(
                record_no=done.record_no, result=done.result, request_id=done.request_id,
                corrected_record_no=done.corrected_record_no or ""), Action.ADMIN,
                records=1, refs=record_refs([(caller.province, done.record_no)]))
        return audited(self._app, context, (Role.PLATFORM,), run)

    def RecordStatus(self, request: lifecycle_pb2.RecordStatusRequest,
                     context: grpc.ServicerContext) -> lifecycle_pb2.RecordStatusResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[lifecycle_pb2.RecordStatusResponse]:
            status = record_status(self._ports.deps, caller.province, request.record_no,
                                   self._clock())
            return Answer(lifecycle_pb2.RecordStatusResponse(
                status_json=json.dumps(status, ensure_ascii=False).encode()),
                Action.ADMIN, records=1,
                refs=record_refs([(caller.province, request.record_no)]))
        return audited(self._app, context, (Role.PLATFORM,), run)

    def PullRevocations(self, request: lifecycle_pb2.PullRevocationsRequest,
                        context: grpc.ServicerContext
                        ) -> lifecycle_pb2.PullRevocationsResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[lifecycle_pb2.PullRevocationsResponse]:
            attempt.use_request_id(request.request_id)
            target = self._ports.target
            if target is None:
                raise Unavailable("this node has no ledger configured: no revocations")
            items, cursor = revocation_page(
                self._app.store, self._ports.deps.revocations, province=self._app.province,
                target=target, cursor=request.cursor[:64])
            refs = [(n.province, n.record_no) for n in map(parse_notice,
                                                           (i.notice for i in items))]
            return Answer(lifecycle_pb2.PullRevocationsResponse(
                revocations=[notice_to_proto(i) for i in items], next_cursor=cursor),
                Action.EXCHANGE_OUT if items else None, records=len(items),
                refs=record_refs(refs))
        return audited(self._app, context, (Role.PEER,), run, request_id=request.request_id)
