"""Credit repair (信用修复) at the origin, and a record's lifecycle status.

``file_repair`` takes a platform's repair of one of its own records, in this order, so a
refused request changes nothing:

1. the record is this province's own (``RECORD_NOT_YOURS``) and held here as a local
   record (``RECORD_UNKNOWN``);
2. the request carries a basis, the deciding authority's decision reference and a valid
   信用修复型 credit commitment by the record's own subject (``REPAIR_COMMITMENT_*``);
3. the publicity rules allow it today (``node.domain.lifecycle.check_repair``: not
   already repaired, published, not before the minimum period — the refusal names the
   first day repair is possible — and not after publicity ended by itself);
4. accepted: a revocation notice is appended to the province's revocation log, the record
   stops being answered and its data key is destroyed (the commitment and its proof stay);
   the revocation loop seals and anchors the notice and peers pull it.

Time comes from the caller (``now``), so tests move it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from crypto.sealing import open_sealed, record_aad
from crypto.tokens import subject_token
from node.authz.request_ids import new_request_id
from node.domain.lifecycle import REPAIRED, RecordDates, RepairRefused, check_repair, record_dates
from node.domain.records import CreditCommitment, Record, parse_record, subject_identifier
from node.domain.validation import ValidationContext, validate_record
from node.service.errors import BadRequest
from node.service.ingest import IngestKeys
from node.service.revocation_log import make_notice
from node.store.contract import Store
from node.store.rows import StoredRecord
from node.store.sql_revocations import REVOCATIONS_LOG, RevocationStore, StoredNotice

__all__ = ["LifecycleDeps", "RepairAccepted", "RepairRequest", "file_repair", "local_record"]

REPAIR_COMMITMENT_TYPE = "信用修复型"
MAX_BASIS = 2000


class LifecycleRefused(BadRequest):
    """A lifecycle request the rules refuse; ``rule`` names the rule (stable code)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass(frozen=True)
class RepairRequest:
    record_no: str
    basis: str
    commitment_json: bytes
    decision_ref: str
    evidence_sha256: bytes = b""
    request_id: str = ""


@dataclass(frozen=True)
class RepairAccepted:
    record_no: str
    request_id: str
    notice: StoredNotice
    dates: RecordDates


@dataclass(frozen=True)
class LifecycleDeps:
    store: Store
    revocations: RevocationStore
    keys: IngestKeys
    province: str


def local_record(deps: LifecycleDeps, province: str, record_no: str
                 ) -> tuple[StoredRecord, Record]:
    """Step (1): the caller's own local record and its parsed payload."""
    if province != deps.province:
        raise LifecycleRefused("RECORD_NOT_YOURS", f"this node holds {deps.province}'s records; "
                               f"a {province} platform files at its own node")
    stored = deps.store.get_record(province, record_no)
    if stored is None or stored.origin != "local":
        raise LifecycleRefused("RECORD_UNKNOWN", f"no {province} record with that record_no")
    if stored.status == REPAIRED:
        # A crash may have come between the repair's commit and the key's deletion:
        # finish it (idempotent) before saying it is done.
        deps.store.set_status(province, record_no, REPAIRED, shred_payload=True)
        raise LifecycleRefused("REPAIR_ALREADY_DONE", "the record is already repaired")
    plain = open_sealed(stored.sealed_payload, deps.keys.master_key,
                        record_aad(stored.province, stored.record_no))
    return stored, parse_record(json.loads(plain))


def _commitment(request: RepairRequest, stored: StoredRecord, deps: LifecycleDeps,
                today: datetime) -> None:
    if not request.basis.strip() or len(request.basis) > MAX_BASIS:
        raise LifecycleRefused("REPAIR_BASIS_MISSING",
                               f"basis: want 1..{MAX_BASIS} characters saying what was corrected")
    if not request.decision_ref.strip():
        raise LifecycleRefused("REPAIR_DECISION_MISSING",
                               "decision_ref: want the deciding authority's decision number")
    if request.evidence_sha256 and len(request.evidence_sha256) != 32:
        raise LifecycleRefused("REPAIR_EVIDENCE_HASH", "evidence_sha256: want 32 bytes")
    try:
        obj = json.loads(request.commitment_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LifecycleRefused("REPAIR_COMMITMENT_INVALID",
                               "commitment_json: not a JSON object") from exc
    result = validate_record(obj, ValidationContext(today=today.date()))
    if result.errors or not isinstance(obj, dict):
        codes = ", ".join(sorted({e.code for e in result.errors})) or "not an object"
        raise LifecycleRefused("REPAIR_COMMITMENT_INVALID", f"commitment_json: {codes}")
    commitment = parse_record(obj)
    if not isinstance(commitment, CreditCommitment) or \
            commitment.commitment_type != REPAIR_COMMITMENT_TYPE:
        raise LifecycleRefused("REPAIR_COMMITMENT_TYPE",
                               f"commitment_json: CN_LX must be {REPAIR_COMMITMENT_TYPE}")
    token = subject_token(subject_identifier(commitment), deps.keys.token_key)
    if token != stored.subject_token:
        raise LifecycleRefused("REPAIR_COMMITMENT_SUBJECT",
                               "commitment_json: the committer is not the record's subject")


def file_repair(request: RepairRequest, *, caller_province: str, deps: LifecycleDeps,
                now: datetime) -> RepairAccepted:
    """Accept or refuse a repair (steps in the module doc); ``LifecycleRefused`` names
    the rule. ``now`` is timezone-aware."""
    # (1)
    stored, record = local_record(deps, caller_province, request.record_no)
    # (2)
    _commitment(request, stored, deps, now)
    # (3)
    dates = record_dates(record)
    try:
        check_repair(dates, today=now.date(), status=stored.status)
    except RepairRefused as exc:
        raise LifecycleRefused(exc.rule, str(exc).split(": ", 1)[1]) from exc
    # (4)
    request_id = request.request_id or new_request_id()
    # The notice and the record's end in one transaction (a crash keeps both or neither),
    # then the data key (another database): ``set_status`` again finishes the shredding.
    notice = deps.revocations.add_local(stored.province, stored.record_no, make_notice(
        province=stored.province, record_no=stored.record_no, commitment=stored.commitment,
        leaf_index=stored.leaf_index, reason="repair", request_id=request_id, effective=now),
        status=REPAIRED, shred_payload=True)
    deps.store.set_status(stored.province, stored.record_no, REPAIRED, shred_payload=True)
    return RepairAccepted(stored.record_no, request_id, notice, dates)


def _notice_status(deps: LifecycleDeps, notice: StoredNotice) -> dict[str, object]:
    """Where one of our notices stands: its leaf, its reason, its anchored batch (if yet)."""
    batch = deps.store.batch_for_leaf(notice.idx, REVOCATIONS_LOG)
    anchored = batch is not None and batch.status == "anchored"
    return {"index": notice.idx, "reason": json.loads(notice.notice).get("reason"),
            "batch_seq": batch.seq if anchored and batch is not None else None,
            "anchored": anchored}


def record_status(deps: LifecycleDeps, province: str, record_no: str,
                  now: datetime) -> dict[str, object]:
    """What a platform may know of one of its records: dates, status, key held,
    revocation notices (ids only)."""
    if province != deps.province:
        raise LifecycleRefused("RECORD_NOT_YOURS", f"this node holds {deps.province}'s records")
    stored = deps.store.get_record(province, record_no)
    if stored is None or stored.origin != "local":
        raise LifecycleRefused("RECORD_UNKNOWN", f"no {province} record with that record_no")
    out: dict[str, object] = {
        "province": province, "record_no": record_no, "status": stored.status,
        "kind": stored.kind, "severity": stored.severity, "rule_version": stored.rule_version,
        "leaf_index": stored.leaf_index, "commitment": stored.commitment.hex(),
        "publicity_end": stored.publicity_end.isoformat() if stored.publicity_end else None,
        "data_key_held": bool(stored.sealed_payload),
        "revocations": [_notice_status(deps, n)
                        for n in deps.revocations.of_record(province, record_no)],
    }
    if stored.status != REPAIRED and stored.sealed_payload:
        dates = record_dates(local_record(deps, province, record_no)[1])
        out["decision_date"] = dates.decision_date.isoformat() if dates.decision_date else None
        out["repair_from"] = dates.repair_from.isoformat() if dates.repair_from else None
        out["publicly_answered"] = (stored.is_public and (
            dates.publicity_end is None or now.date() <= dates.publicity_end))
    return out
