"""Objections (异议) at the origin: filing flags the record, deciding clears or replaces it.

``file_objection``: a platform objects to one of its own records (applicant, reason,
evidence hash, received date). The verify deadline is the received date plus the
province's working days (``OBJECTION_WORKING_DAYS``, holiday calendar). The record is
flagged here (status ``objection``: still answered, with ``objection_flagged``) and an
``objection`` notice goes into the revocation log, so every peer flags its copy.

``resolve_objection``: the decision, one of

* ``upheld`` / ``unverifiable`` — the record stays; the flag is cleared here and, by a
  notice of that name, at every peer;
* ``corrected`` — the platform's corrected record is committed and anchored as a new
  version (record number ``<old>-C<n>``), then the old version is ended exactly as a
  repair ends a record (``corrected`` notice; every node destroys its data key), so one
  version stays answerable.

Refusals name the rule and change nothing: ``RECORD_NOT_YOURS``, ``RECORD_UNKNOWN``,
``OBJECTION_ALREADY_OPEN``, ``OBJECTION_NOT_OPEN``, ``OBJECTION_RESULT``,
``CORRECTED_RECORD_INVALID``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from node.authz.request_ids import new_request_id
from node.domain.calendar import add_working_days
from node.domain.lifecycle import ACTIVE, CORRECTED, OBJECTION, OBJECTION_RESULTS
from node.domain.lifecycle import OBJECTION_WORKING_DAYS as DAYS
from node.service.ingest import IngestOutcome
from node.service.lifecycle import LifecycleDeps, LifecycleRefused, local_record
from node.service.revocation_log import make_notice
from node.store.errors import StoreConflictError
from node.store.rows import StoredRecord
from node.store.sql_objections import (
    NewObjection,
    ObjectionStore,
    StoredObjection,
    insert_open,
)

__all__ = ["ObjectionRequest", "Resolution", "Submit", "file_objection", "resolve_objection"]

Submit = Callable[[list[bytes], date, str], IngestOutcome]
"""``submit(raws, today, request_id)``: the node's own ingest (validate, commit, store)."""


@dataclass(frozen=True)
class ObjectionRequest:
    record_no: str
    applicant: str
    reason: str
    received_on: date
    evidence_sha256: bytes = b""
    request_id: str = ""


@dataclass(frozen=True)
class Resolution:
    record_no: str
    result: str
    request_id: str
    corrected_record_no: str | None


def _notice(deps: LifecycleDeps, stored: StoredRecord, reason: str, request_id: str,
            now: datetime, *, status: str, shred_payload: bool = False,
            also: Callable[[Any], object] | None = None) -> None:
    """The notice, the record's new status and ``also`` (the objection's own row) in one
    transaction: a crash never leaves peers flagging a record the origin does not, nor a
    retry refused as "already open" for an objection that was never announced."""
    deps.revocations.add_local(stored.province, stored.record_no, make_notice(
        province=stored.province, record_no=stored.record_no, commitment=stored.commitment,
        leaf_index=stored.leaf_index, reason=reason, request_id=request_id, effective=now),
        status=status, shred_payload=shred_payload, also=also)


def file_objection(request: ObjectionRequest, *, caller_province: str, deps: LifecycleDeps,
                   objections: ObjectionStore, now: datetime) -> StoredObjection:
    """File an objection and flag the record everywhere (module doc)."""
    stored, _ = local_record(deps, caller_province, request.record_no)
    if not request.applicant.strip() or len(request.applicant) > 200 or \
            not request.reason.strip():
        raise LifecycleRefused("OBJECTION_FIELDS", "applicant (1..200 characters) and reason "
                               "are required")
    if request.evidence_sha256 and len(request.evidence_sha256) != 32:
        raise LifecycleRefused("OBJECTION_FIELDS", "evidence_sha256: want 32 bytes")
    if stored.status != ACTIVE:
        raise LifecycleRefused("OBJECTION_ALREADY_OPEN" if stored.status == OBJECTION
                               else "RECORD_ENDED", f"the record is {stored.status}")
    request_id = request.request_id or new_request_id()
    deadline = add_working_days(request.received_on, DAYS.get(caller_province, 5),
                                strict=False)
    new = NewObjection(
        province=stored.province, record_no=stored.record_no, applicant=request.applicant,
        reason=request.reason, evidence_sha256=request.evidence_sha256 or None,
        received_on=request.received_on, verify_deadline=deadline, request_id=request_id)
    try:
        _notice(deps, stored, "objection", request_id, now, status=OBJECTION,
                also=partial(insert_open, objection=new))
    except StoreConflictError as exc:
        raise LifecycleRefused("OBJECTION_ALREADY_OPEN", "the record has an open "
                               "objection") from exc
    filed = objections.open_objection(stored.province, stored.record_no)
    assert filed is not None  # filed just now, in the transaction above
    return filed


def resolve_objection(record_no: str, result: str, *, caller_province: str,
                      deps: LifecycleDeps, objections: ObjectionStore, now: datetime,
                      corrected_json: bytes = b"", submit: Submit | None = None
                      ) -> Resolution:
    """Decide the open objection of a record (module doc)."""
    if result not in OBJECTION_RESULTS:
        raise LifecycleRefused("OBJECTION_RESULT", f"result: want one of {OBJECTION_RESULTS}")
    stored, _ = local_record(deps, caller_province, record_no)
    pending = objections.open_objection(stored.province, record_no)
    if pending is None:
        raise LifecycleRefused("OBJECTION_NOT_OPEN", "the record has no open objection")
    corrected_no: str | None = None
    if result == "corrected":
        corrected_no = _commit_corrected(stored, corrected_json, submit, pending, now,
                                         len(objections.of_record(stored.province,
                                                                  record_no)))
    close = partial(objections.close_in, objection_id=pending.id, result=result,
                    corrected_record_no=corrected_no)
    if result == "corrected":
        _notice(deps, stored, result, pending.request_id, now, status=CORRECTED,
                shred_payload=True, also=close)
        deps.store.set_status(stored.province, record_no, CORRECTED, shred_payload=True)
    else:
        _notice(deps, stored, result, pending.request_id, now, status=ACTIVE, also=close)
    return Resolution(record_no, result, pending.request_id, corrected_no)


def _commit_corrected(stored: StoredRecord, corrected_json: bytes, submit: Submit | None,
                      pending: StoredObjection, now: datetime, version: int) -> str:
    if submit is None:
        raise LifecycleRefused("CORRECTED_RECORD_INVALID", "this node cannot ingest here")
    try:
        corrected = json.loads(corrected_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LifecycleRefused("CORRECTED_RECORD_INVALID",
                               "corrected_json: not a JSON object") from exc
    if not isinstance(corrected, dict) or corrected.get("province") != stored.province:
        raise LifecycleRefused("CORRECTED_RECORD_INVALID",
                               f"corrected_json: want a {stored.province} record object")
    new_no = f"{stored.record_no}-C{version}"[:64]
    corrected["record_no"] = new_no
    outcome = submit([json.dumps(corrected, ensure_ascii=False).encode()], now.date(),
                     pending.request_id)
    if outcome.rejected:
        codes = ", ".join(sorted({e.code for r in outcome.rejected for e in r.errors}))
        raise LifecycleRefused("CORRECTED_RECORD_INVALID", f"corrected_json: {codes}")
    return new_no
