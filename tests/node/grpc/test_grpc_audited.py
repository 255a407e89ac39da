"""``node.grpc.audited``, the one place every call is authenticated and audited, driven
with a fake gRPC context and a fake app (no server): what is logged, and how the call
ends, for an allowed call, each kind of refusal, a defect, and a log that cannot be
written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from node.audit import Action, AuditEvent, AuditNotFound, Decision
from node.exchange.errors import ChainUnavailable
from node.grpc.audited import Answer, Attempt, audited
from node.identity import Identity, IdentityError, Role
from node.service.access_log import AuditWriteFailed, Logged
from node.service.errors import BadRequest, Refusal, Refused
from node.store.errors import StoreConflictError, StoreUnavailableError


def _pem(name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


AGENCY_PEM = _pem("agency")
PEER_PEM = _pem("peer")
STRANGER_PEM = _pem("stranger")
AGENCY = Identity(Role.AGENCY, "JS", "agency-1", frozenset({"credit_report"}), "Org",
                  "a" * 64)
PEER = Identity(Role.PEER, "SH", "node-sh", frozenset(), "SH node", "b" * 64)


class Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code


class FakeContext:
    def __init__(self, pem: bytes | None, *, active: bool = True) -> None:
        self._pem = pem
        self._active = active

    def auth_context(self) -> dict[str, list[bytes]]:
        return {"x509_pem_cert": [self._pem]} if self._pem is not None else {}

    def is_active(self) -> bool:
        return self._active

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise Aborted(code, details)


class FakeIdentities:
    def identity(self, pem: bytes) -> Identity:
        known = {AGENCY_PEM: AGENCY, PEER_PEM: PEER}
        if pem not in known:
            raise IdentityError("issued by no trusted CA")
        return known[pem]


@dataclass
class FakeAccessLog:
    fail: bool = False
    events: list[AuditEvent] = field(default_factory=list)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def record(self, event: AuditEvent) -> Logged:
        if self.fail:
            raise AuditWriteFailed("audit log unavailable")
        self.events.append(event)
        return Logged(len(self.events) - 1, b"\x01" * 32)


class FakeCounter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._label = ""

    def labels(self, *, reason: str) -> FakeCounter:
        self._label = reason
        return self

    def inc(self) -> None:
        self.counts[self._label] = self.counts.get(self._label, 0) + 1


@dataclass
class FakeMetrics:
    refusals: FakeCounter = field(default_factory=FakeCounter)


@dataclass
class FakeApp:
    access_log: FakeAccessLog = field(default_factory=FakeAccessLog)
    identities: FakeIdentities = field(default_factory=FakeIdentities)
    metrics: FakeMetrics = field(default_factory=FakeMetrics)


def call(app: FakeApp, context: FakeContext, handler: Any, roles: Any = (Role.AGENCY,),
         **kw: Any) -> Any:
    return audited(app, context, roles, handler, **kw)  # type: ignore[arg-type]


def answering(action: Action | None = Action.QUERY, **kw: Any) -> Any:
    def handler(caller: Identity, attempt: Attempt) -> Answer[str]:
        return Answer("the answer", action, **kw)
    return handler


def raising(error: Exception) -> Any:
    def handler(caller: Identity, attempt: Attempt) -> Answer[str]:
        raise error
    return handler


def test_an_allowed_call_is_logged_before_it_is_answered() -> None:
    app = FakeApp()
    finished: list[Logged] = []
    handler = answering(records=2, refs=("JS:1", "JS:2"),
                        finish=lambda response, logged: finished.append(logged))
    assert call(app, FakeContext(AGENCY_PEM), handler, request_id="req-1",
                purpose="credit_report") == "the answer"
    [event] = app.access_log.events
    assert (event.actor, event.role, event.action, event.decision) == (
        AGENCY.fingerprint, "agency", Action.QUERY, Decision.ALLOW)
    assert (event.request_id, event.purpose, event.records_returned, event.record_refs) == (
        "req-1", "credit_report", 2, ("JS:1", "JS:2"))
    assert finished == [Logged(0, b"\x01" * 32)]


def test_an_answer_without_action_is_not_logged() -> None:
    app = FakeApp()
    assert call(app, FakeContext(AGENCY_PEM), answering(None)) == "the answer"
    assert app.access_log.events == []


def test_a_peer_call_names_the_peer() -> None:
    app = FakeApp()
    call(app, FakeContext(PEER_PEM), answering(Action.EXCHANGE_OUT), roles=(Role.PEER,))
    assert app.access_log.events[0].peer == "SH"


def _refused(app: FakeApp, context: FakeContext, handler: Any, **kw: Any) -> Aborted:
    with pytest.raises(Aborted) as info:
        call(app, context, handler, **kw)
    return info.value


def test_a_wrong_role_is_refused_and_logged_as_a_refusal() -> None:
    app = FakeApp()
    aborted = _refused(app, FakeContext(AGENCY_PEM), answering(), roles=(Role.AUDITOR,),
                       request_id="req-2")
    assert aborted.code is grpc.StatusCode.PERMISSION_DENIED
    [event] = app.access_log.events
    assert (event.action, event.decision, event.reason, event.role, event.request_id) == (
        Action.REFUSAL, Decision.DENY, "WRONG_ROLE", "agency", "req-2")
    assert app.metrics.refusals.counts == {"role": 1}


@pytest.mark.parametrize("pem", [None, STRANGER_PEM])
def test_no_role_is_unauthenticated_and_logged(pem: bytes | None) -> None:
    app = FakeApp()
    aborted = _refused(app, FakeContext(pem), answering())
    assert aborted.code is grpc.StatusCode.UNAUTHENTICATED
    [event] = app.access_log.events
    assert (event.reason, event.role) == ("NO_ROLE", "unknown")


@pytest.mark.parametrize(("error", "code", "reason"), [
    (Refused("grant expired", reason=Refusal.GRANT_REFUSED),
     grpc.StatusCode.PERMISSION_DENIED, "GRANT_REFUSED"),
    (Refused("not our purpose", reason=Refusal.PURPOSE_NOT_ALLOWED),
     grpc.StatusCode.PERMISSION_DENIED, "PURPOSE_NOT_ALLOWED"),
    (BadRequest("malformed grant"), grpc.StatusCode.INVALID_ARGUMENT, "BAD_REQUEST"),
    (AuditNotFound("no such entry"), grpc.StatusCode.NOT_FOUND, "NOT_FOUND"),
    (ChainUnavailable("ledger down"), grpc.StatusCode.UNAVAILABLE, "UNAVAILABLE"),
    (StoreUnavailableError("db locked"), grpc.StatusCode.UNAVAILABLE, "UNAVAILABLE"),
    (StoreConflictError("conflict"), grpc.StatusCode.INTERNAL, "UNAVAILABLE"),
])
def test_a_handler_refusal_has_its_reason_and_status(error: Exception, code: grpc.StatusCode,
                                                     reason: str) -> None:
    app = FakeApp()
    aborted = _refused(app, FakeContext(AGENCY_PEM), raising(error))
    assert aborted.code is code
    assert str(aborted) == str(error)
    assert app.access_log.events[0].reason == reason


def test_a_defect_is_logged_and_answered_without_its_details() -> None:
    app = FakeApp()
    aborted = _refused(app, FakeContext(AGENCY_PEM), raising(KeyError("subject 3201")))
    assert aborted.code is grpc.StatusCode.INTERNAL
    assert "3201" not in str(aborted)
    assert app.access_log.events[0].reason == "INTERNAL"


def test_a_caller_that_gave_up_is_logged_as_gone() -> None:
    app = FakeApp()
    aborted = _refused(app, FakeContext(AGENCY_PEM, active=False), answering())
    assert aborted.code is grpc.StatusCode.UNAVAILABLE
    [event] = app.access_log.events
    assert (event.decision, event.reason) == (Decision.DENY, "CALLER_GONE")


def test_nothing_is_answered_when_the_log_cannot_be_written() -> None:
    app = FakeApp(access_log=FakeAccessLog(fail=True))
    aborted = _refused(app, FakeContext(AGENCY_PEM), answering())
    assert aborted.code is grpc.StatusCode.UNAVAILABLE
    aborted = _refused(app, FakeContext(AGENCY_PEM), answering(), roles=(Role.ADMIN,))
    assert aborted.code is grpc.StatusCode.UNAVAILABLE


def test_the_handler_sees_the_attempt_and_a_malformed_request_id_is_replaced() -> None:
    app = FakeApp()
    seen: list[str] = []

    def handler(caller: Identity, attempt: Attempt) -> Answer[str]:
        seen.append(attempt.request_id)
        return Answer("ok", Action.QUERY)
    call(app, FakeContext(AGENCY_PEM), handler, request_id="bad id with spaces")
    assert seen[0] != "bad id with spaces" and len(seen[0]) == 32
    assert app.access_log.events[0].request_id == seen[0]
