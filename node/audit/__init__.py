"""The access audit log: every access is a leaf of an append-only, anchored, witnessed log.

Usage (node side)::

    from node.audit import AuditEvent, AuditLog, Action, Decision, audit_origin
    from node.store.sql_audit import AuditStore

    log = AuditLog(store, AuditStore(store.engine), signing_key, audit_origin("JS"))
    [index] = log.append([AuditEvent(time=now, actor=fingerprint, role="agency",
                                     action=Action.QUERY, decision=Decision.ALLOW,
                                     request_id=request_id, purpose="credit_report")])
    head = log.latest_checkpoint()          # anchor: (head.checkpoint.size, .root, .signature)

Usage (auditor side)::

    report = verify_log(entries, anchored_heads_from_events(events, "JS"),
                        LogIdentity("JS", audit_origin("JS"), js_key), served_heads=[note])

Modules: ``events`` (entry model and encoding), ``log`` (``AuditLog``), ``heads`` (signed
and anchored heads), ``witness`` (co-signing), ``verify`` / ``replay`` / ``exchanges`` /
``report`` (the auditor's checks), ``receipts`` (signed query receipts). Every error is
an ``AuditError`` (``errors``).
"""

from __future__ import annotations

from node.audit.errors import (
    AuditError,
    AuditEventError,
    AuditNotFound,
    AuditRangeError,
    ForkDetected,
    InconsistentHead,
    InvalidReceipt,
    WitnessRefusal,
)
from node.audit.events import (
    Action,
    AuditEvent,
    Decision,
    decode_entry,
    encode_entry,
    entry_leaf,
    refusal_event,
)
from node.audit.exchanges import ExchangeSide, exchange_sides
from node.audit.heads import (
    AnchoredHead,
    ForkEvidence,
    SignedHead,
    WitnessCosig,
    anchored_heads_from_events,
    audit_origin,
    witness_name,
)
from node.audit.log import AuditLog
from node.audit.receipts import Receipt, log_receipt, verify_receipt
from node.audit.report import Problem, ProblemCode, VerifyReport
from node.audit.verify import LogIdentity, verify_log
from node.audit.witness import Cosignature, check_and_cosign, detect_fork, witness_once

__all__ = [
    "Action",
    "AnchoredHead",
    "AuditError",
    "AuditEvent",
    "AuditEventError",
    "AuditLog",
    "AuditNotFound",
    "AuditRangeError",
    "Cosignature",
    "Decision",
    "ExchangeSide",
    "ForkDetected",
    "ForkEvidence",
    "InconsistentHead",
    "InvalidReceipt",
    "LogIdentity",
    "Problem",
    "ProblemCode",
    "Receipt",
    "SignedHead",
    "VerifyReport",
    "WitnessCosig",
    "WitnessRefusal",
    "anchored_heads_from_events",
    "audit_origin",
    "check_and_cosign",
    "decode_entry",
    "detect_fork",
    "encode_entry",
    "entry_leaf",
    "exchange_sides",
    "log_receipt",
    "refusal_event",
    "verify_log",
    "verify_receipt",
    "witness_name",
    "witness_once",
]
