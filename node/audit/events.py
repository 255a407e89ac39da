"""Access events, the leaves of the audit log: who did what, why, to whom, with what outcome.

An entry is the canonical JSON (``crypto.canonical``, v1) of one :class:`AuditEvent`; its
leaf is ``hash_leaf(entry)``. Usage::

    event = AuditEvent(time=now, actor=identity.fingerprint, role="agency",
                       action=Action.QUERY, purpose="credit_report",
                       subject_token=subject_token(id_number, token_key),
                       records_returned=1, record_refs=("JS:JS-XZCF-2026-000001",),
                       decision=Decision.ALLOW, request_id=request_id)
    data = encode_entry(event)          # what the log stores and hashes

Nothing personal goes in: the actor is a certificate fingerprint or a province code, the
subject a 32-byte keyed hash. A query under a grant also names the grant (its nonce), the
SHA-256 of its consent evidence and the agency (its certificate fingerprint: on a
forwarded query the actor is the peer node, the agency the one that asked); these three
keys are written only when set, so entries without them keep their earlier bytes.
``subject_token`` takes ``bytes`` of exactly that length only, so an identifier (a
``str``, or its 18 ASCII bytes) is refused before anything is written.
Record numbers are not personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from crypto.canonical import canonical_bytes, decode_canonical
from crypto.errors import CanonicalEncodingError
from crypto.merkle import hash_leaf
from crypto.tokens import TOKEN_SIZE
from node.audit.errors import AuditEventError
from node.domain.fields import PROVINCES
from node.identity.roles import Role

__all__ = [
    "ENTRY_VERSION",
    "ROLES",
    "Action",
    "AuditEvent",
    "Decision",
    "decode_entry",
    "encode_entry",
    "entry_leaf",
    "refusal_event",
]

ENTRY_VERSION: Final = 1
ROLES: Final = frozenset({*(role.value for role in Role), "unknown"})
"""Roles an event may name; ``unknown`` is a caller whose certificate maps to no role."""

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,62}")
_REASON = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_RECORD_NO = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")
_MAX_COUNT = 2**53 - 1
_KEYS = frozenset({"v", "time", "actor", "role", "action", "purpose", "subject",
                   "records_returned", "records", "decision", "reason", "request_id", "peer"})
_OPTIONAL_KEYS = frozenset({"grant", "evidence", "agency"})
_NONCE = re.compile(r"[0-9a-f]{16,64}")


class Action(StrEnum):
    """What was done. ``exchange_out``: records left this node for ``peer``;
    ``exchange_in``: records came in from ``peer``; ``refusal``: a call refused before it
    could be taken for any action (e.g. a certificate with no role)."""

    INGEST = "ingest"
    QUERY = "query"
    EXCHANGE_OUT = "exchange_out"
    EXCHANGE_IN = "exchange_in"
    OPRF_EVAL = "oprf_eval"
    ADMIN = "admin"
    AUDIT_READ = "audit_read"
    REFUSAL = "refusal"


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


def _bad(name: str, want: str) -> AuditEventError:
    return AuditEventError(f"audit event: {name} {want}")


def _check_time(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _bad("time", "must be a timezone-aware datetime")
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _check_ref(position: int, ref: str) -> None:
    province, _, record_no = ref.partition(":") if isinstance(ref, str) else ("", "", "")
    if province not in PROVINCES or not _RECORD_NO.fullmatch(record_no):
        raise _bad(f"record_refs[{position}]", "must be '<province>:<record_no>' with a "
                   "known province and 1-64 printable characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One access, allowed or denied. Construction checks every field (``AuditEventError``).

    ``time`` is stored as UTC with millisecond precision; ``actor`` is a certificate's
    SHA-256 fingerprint (64 lowercase hex) or a province code; ``purpose`` is a purpose id
    or empty; ``subject_token`` is 32 bytes or ``None``; ``reason`` is an upper-case code,
    required when ``decision`` is deny; ``peer`` is a province code, required for
    exchanges, else empty.
    """

    time: datetime
    actor: str
    role: str
    action: Action
    decision: Decision
    request_id: str
    purpose: str = ""
    subject_token: bytes | None = None
    records_returned: int = 0
    record_refs: tuple[str, ...] = field(default=())
    reason: str = ""
    peer: str = ""
    grant: str = ""
    evidence: str = ""
    agency: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "time", _check_time(self.time))
        if not isinstance(self.actor, str) or not (
            _FINGERPRINT.fullmatch(self.actor) or self.actor in PROVINCES
        ):
            raise _bad("actor", "must be a certificate fingerprint (64 lowercase hex) or a "
                       "province code")
        if self.role not in ROLES:
            raise _bad("role", f"must be one of {', '.join(sorted(ROLES))}")
        set_(self, "action", _enum(Action, self.action, "action"))
        set_(self, "decision", _enum(Decision, self.decision, "decision"))
        if not isinstance(self.request_id, str) or not _REQUEST_ID.fullmatch(self.request_id):
            raise _bad("request_id", "must be 1-128 characters of [A-Za-z0-9._:-]")
        if self.purpose and not _PURPOSE.fullmatch(self.purpose):
            raise _bad("purpose", "must be empty or a purpose id ([a-z][a-z0-9_]*)")
        token = self.subject_token
        if token is not None and (not isinstance(token, bytes) or len(token) != TOKEN_SIZE):
            got = f"{len(token)} bytes" if isinstance(token, bytes) else type(token).__name__
            raise _bad("subject_token", f"must be the {TOKEN_SIZE}-byte keyed hash from "
                       f"crypto.tokens.subject_token, never an identifier; got {got}")
        count = self.records_returned
        if type(count) is not int or not 0 <= count <= _MAX_COUNT:
            raise _bad("records_returned", "must be an int in 0..2^53-1")
        refs = tuple(self.record_refs)
        for position, ref in enumerate(refs):
            _check_ref(position, ref)
        set_(self, "record_refs", refs)
        if self.reason and not _REASON.fullmatch(self.reason):
            raise _bad("reason", "must be an upper-case code ([A-Z][A-Z0-9_]*)")
        if self.decision is Decision.DENY and not self.reason:
            raise _bad("reason", "is required when the decision is deny")
        if self.peer and self.peer not in PROVINCES:
            raise _bad("peer", "must be empty or a province code")
        if self.action in (Action.EXCHANGE_IN, Action.EXCHANGE_OUT) and not self.peer:
            raise _bad("peer", f"is required for {self.action.value}")
        if self.grant and not _NONCE.fullmatch(self.grant):
            raise _bad("grant", "must be empty or a grant nonce (16-64 lowercase hex)")
        if self.evidence and not _FINGERPRINT.fullmatch(self.evidence):
            raise _bad("evidence", "must be empty or a SHA-256 (64 lowercase hex)")
        if self.agency and not _FINGERPRINT.fullmatch(self.agency):
            raise _bad("agency", "must be empty or a certificate fingerprint (64 lowercase hex)")


def _enum(kind: type[Action] | type[Decision], value: object, name: str) -> Any:
    try:
        return kind(str(value))
    except ValueError as exc:
        raise _bad(name, f"must be one of {', '.join(m.value for m in kind)}") from exc


def refusal_event(*, time: datetime, actor: str, role: str, reason: str, request_id: str,
                  purpose: str = "", peer: str = "") -> AuditEvent:
    """A call refused before it became any action (``Action.REFUSAL``, decision deny)."""
    return AuditEvent(time=time, actor=actor, role=role, action=Action.REFUSAL,
                      decision=Decision.DENY, reason=reason, request_id=request_id,
                      purpose=purpose, peer=peer)


def _time_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def encode_entry(event: AuditEvent) -> bytes:
    """The canonical bytes of ``event``: the stored entry and the data of its leaf."""
    optional = {key: value for key, value in (
        ("grant", event.grant), ("evidence", event.evidence), ("agency", event.agency))
        if value}
    return canonical_bytes({
        **optional,
        "v": ENTRY_VERSION,
        "time": _time_text(event.time),
        "actor": event.actor,
        "role": event.role,
        "action": event.action.value,
        "purpose": event.purpose,
        "subject": event.subject_token.hex() if event.subject_token is not None else "",
        "records_returned": event.records_returned,
        "records": list(event.record_refs),
        "decision": event.decision.value,
        "reason": event.reason,
        "request_id": event.request_id,
        "peer": event.peer,
    })


def entry_leaf(entry: bytes) -> bytes:
    """The leaf hash of a stored entry: RFC 9162 ``hash_leaf`` of its exact bytes."""
    return hash_leaf(entry)


def decode_entry(data: bytes) -> AuditEvent:
    """Parse stored entry bytes back into an event; refuse anything not canonical v1.

    Raises ``AuditEventError`` naming the defect (never echoing field values).
    """
    try:
        raw = decode_canonical(data)
    except CanonicalEncodingError as exc:
        raise AuditEventError(f"audit entry: not canonical JSON v1 ({exc})") from exc
    if not _KEYS <= set(raw) <= _KEYS | _OPTIONAL_KEYS or raw["v"] != ENTRY_VERSION:
        raise AuditEventError(f"audit entry: want version {ENTRY_VERSION} with keys "
                              f"{', '.join(sorted(_KEYS))} and optionally "
                              f"{', '.join(sorted(_OPTIONAL_KEYS))}")
    try:
        time = datetime.strptime(str(raw["time"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        subject = str(raw["subject"])
        token = bytes.fromhex(subject) if subject else None
        records = raw["records"]
        if not isinstance(records, list):
            raise TypeError("records is not a list")
        event = AuditEvent(
            time=time, actor=_str(raw["actor"]), role=_str(raw["role"]),
            action=_str(raw["action"]), decision=_str(raw["decision"]),  # type: ignore[arg-type]
            request_id=_str(raw["request_id"]), purpose=_str(raw["purpose"]),
            subject_token=token, records_returned=raw["records_returned"],  # type: ignore[arg-type]
            record_refs=tuple(_str(ref) for ref in records), reason=_str(raw["reason"]),
            peer=_str(raw["peer"]), grant=_str(raw.get("grant", "")),
            evidence=_str(raw.get("evidence", "")), agency=_str(raw.get("agency", "")))
    except AuditEventError:
        raise
    except (TypeError, ValueError) as exc:
        raise AuditEventError(f"audit entry: a field has the wrong type or form "
                              f"({type(exc).__name__})") from exc
    if encode_entry(event) != data:
        raise AuditEventError("audit entry: does not re-encode to the same bytes")
    return event


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value
