"""Writing the access audit log from the running node: one entry per access, fail closed.

:class:`AccessLogWriter` stamps an access with the time and appends it to the node's
:class:`~node.audit.AuditLog`. A write that fails for any reason raises
:class:`AuditWriteFailed` (an ``Unavailable``: the caller may retry), so no answer whose
access was not logged ever leaves the node. Usage::

    access_log = AccessLogWriter(app.audit_log, token_key=app.keys.token_key)
    logged = access_log.record(AuditEvent(time=access_log.now(), ...))   # before answering
    receipt = (logged.index, logged.leaf_hash)

Subject tokens are keyed hashes under the node's token key (``token``); an identifier
never reaches the log, nor an error message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import prometheus_client as prom

from crypto.tokens import subject_token
from node.audit import Action, AuditEvent, AuditLog, Decision, encode_entry, entry_leaf
from node.domain.fields import PROVINCES
from node.service.errors import Unavailable
from node.store.group_commit import GroupCommit
from node.store.rows import LogHead

__all__ = [
    "AccessLogWriter",
    "AuditMetrics",
    "AuditWriteFailed",
    "Logged",
    "make_audit_metrics",
    "record_refs",
]

log = logging.getLogger(__name__)
_RECORD_NO = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")


def record_refs(records: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """``<province>:<record_no>`` of each ``(province, record_no)``, in order; a pair that
    cannot be named so (e.g. a malformed number from a peer) is left out, never logged."""
    return tuple(f"{province}:{number}" for province, number in records
                 if province in PROVINCES and _RECORD_NO.fullmatch(number))


class AuditWriteFailed(Unavailable):
    """The access could not be logged; the answer must not be sent."""


@dataclass(frozen=True, slots=True)
class Logged:
    """Where an access was logged: its leaf index and RFC 9162 leaf hash; when written
    here, also the entry's bytes and request id and the log's head just after the write
    that held it (a query's receipt is made from them without reading them back)."""

    index: int
    leaf_hash: bytes
    entry: bytes = b""
    request_id: str = ""
    head: LogHead | None = None


@dataclass
class AuditMetrics:
    """The audit log's metrics, registered in the node's registry."""

    entries: prom.Counter
    write_failures: prom.Counter
    anchored_size: prom.Gauge
    anchor_failures: prom.Counter
    witnessed: prom.Counter
    witness_failures: prom.Counter
    forks: prom.Counter


def make_audit_metrics(registry: prom.CollectorRegistry) -> AuditMetrics:
    """The audit metrics, added to ``registry`` (call once per registry)."""
    return AuditMetrics(
        entries=prom.Counter("credit_audit_entries", "Access audit entries written",
                             ["action", "decision"], registry=registry),
        write_failures=prom.Counter("credit_audit_write_failures",
                                    "Accesses refused because the audit log could not be "
                                    "written", registry=registry),
        anchored_size=prom.Gauge("credit_audit_anchored_size",
                                 "Size of the latest audit head anchored on the ledger",
                                 registry=registry),
        anchor_failures=prom.Counter("credit_audit_anchor_failures",
                                     "Failed rounds of audit head anchoring", registry=registry),
        witnessed=prom.Counter("credit_audit_witnessed", "Peer heads co-signed on the ledger",
                               ["peer"], registry=registry),
        witness_failures=prom.Counter("credit_audit_witness_failures",
                                      "Failed witnessing rounds", ["peer"], registry=registry),
        forks=prom.Counter("credit_audit_forks", "Forks found: two signed heads of one log "
                           "that cannot both be true", ["log"], registry=registry),
    )


class AccessLogWriter:
    """Appends access events to ``audit_log`` (thread-safe). Concurrent accesses are
    written together (``GroupCommit``: one transaction, one log-head update); each
    ``record`` returns only once its own entry has committed, so the rule "logged before
    answered" holds entry by entry."""

    def __init__(self, audit_log: AuditLog, *, token_key: bytes, province: str,
                 metrics: AuditMetrics,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.log = audit_log
        self.province = province
        self.metrics = metrics
        self._token_key = token_key
        self._clock = clock
        self._writes: GroupCommit[tuple[str, bytes], tuple[int, LogHead]] = GroupCommit(
            self._append)

    def _append(self, rows: list[tuple[str, bytes]]) -> list[tuple[int, LogHead]]:
        first, head = self.log.append_encoded(rows)
        return [(first + n, head) for n in range(len(rows))]

    def now(self) -> datetime:
        return self._clock()

    def token(self, subject_id: str) -> bytes | None:
        """This node's keyed token of ``subject_id``; ``None`` when it is malformed."""
        try:
            return subject_token(subject_id, self._token_key)
        except (TypeError, ValueError):
            return None

    def record(self, event: AuditEvent) -> Logged:
        """Append ``event``; return where it went. Raises ``AuditWriteFailed`` on any failure."""
        try:
            data = encode_entry(event)
            index, head = self._writes.submit((event.request_id, data))
        except Exception as exc:  # fail closed: whatever broke, the access is not answered
            self.metrics.write_failures.inc()
            log.error("audit entry not written: refusing the access",
                      extra={"action": event.action.value, "error_type": type(exc).__name__})
            raise AuditWriteFailed(f"the access audit log cannot be written now "
                                   f"({type(exc).__name__}); nothing was answered") from exc
        self.metrics.entries.labels(action=event.action.value,
                                    decision=event.decision.value).inc()
        return Logged(index, entry_leaf(data), data, event.request_id, head)

    def exchange_in(self, *, peer: str, request_id: str, count: int, refs: Sequence[str],
                    purpose: str = "", subject: bytes | None = None) -> Logged:
        """Log ``count`` records received from ``peer`` (pulled or fetched by this node)
        under the request id both ends log. The actor is the peer node (its province)."""
        return self.record(AuditEvent(
            time=self.now(), actor=peer, role="peer", action=Action.EXCHANGE_IN,
            decision=Decision.ALLOW, request_id=request_id, purpose=purpose,
            subject_token=subject, records_returned=count, record_refs=tuple(refs),
            peer=peer))
