"""The one place every call is authenticated, audited and mapped to a status code.

Every servicer method runs its handler through :func:`audited`:

1. the caller's certificate is mapped to an identity and its role checked against the
   roles the method allows; the mapping (``app.identities``) also asks the membership
   view on every call whether the ledger still lists the caller's province as an active
   member with the CA held here, the certificate as unrevoked, and an auditor's CA as
   appointed (``node.identity.membership``), so a removal refuses the next call; then a
   request whose bytes were no valid message (``node.grpc.malformed``) is refused as a
   ``BadRequest``, so a caller with no right to the method learns nothing more;
2. the handler runs with the identity and an :class:`Attempt` (request id, purpose,
   subject token, peer) it fills in as soon as it knows them, and returns an
   :class:`Answer`: the response and what the access was;
3. the access is logged **before** the response leaves; if it cannot be logged the call
   ends with UNAVAILABLE and nothing is answered (fail closed). The ``finish`` hook then
   puts the entry's place in the response (query receipts). A caller that gave up
   meanwhile (deadline, cancellation) can receive nothing: that access is logged as a
   refusal (``CALLER_GONE``), so the other end of an exchange, which logs nothing for a
   failed call, and this end agree;
4. every refusal — no role, wrong role, purpose or grant refused, a malformed request, a
   dependency down, even a defect (``INTERNAL``) — is logged as a ``refusal`` with its
   reason code and what the attempt held, then the call ends with the status of its
   error (``node.grpc.errors``).

An answer with ``action=None`` is not logged: only reads that reveal nothing but hashes
(tree heads, consistency proofs) use it, so peers witnessing every few seconds do not
grow the log they witness.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Final, Generic, NoReturn, TypeVar

import grpc

from node.audit import Action, AuditEvent, AuditNotFound, AuditRangeError, Decision
from node.authz.request_ids import RequestIdError, check_request_id, new_request_id
from node.exchange.errors import ChainUnavailable
from node.grpc.errors import CallerGone, abort, reason_code
from node.grpc.identity import peer_certificate
from node.grpc.malformed import malformed_reason
from node.identity import Identity, IdentityError, Role, parse_certificate
from node.identity.certs import fingerprint
from node.service.access_log import AuditWriteFailed, Logged
from node.service.app import NodeApp
from node.service.errors import BadRequest, Refusal, Refused, ServiceError, Unauthenticated
from node.store.errors import StoreError

__all__ = ["Answer", "Attempt", "CallerGone", "audited", "reason_code"]

R = TypeVar("R")
log = logging.getLogger(__name__)
_PURPOSE: Final = re.compile(r"[a-z][a-z0-9_]{0,62}")
_NO_CERTIFICATE: Final = hashlib.sha256(b"").hexdigest()


@dataclass
class Attempt:
    """What is known about a call so far; a refusal entry carries it."""

    request_id: str
    purpose: str = ""
    subject_token: bytes | None = None
    peer: str = ""
    grant: str = ""
    evidence: str = ""
    agency: str = ""

    def use_grant(self, nonce: str, evidence_sha256: str, agency: str) -> None:
        """Name the grant a query ran under (nonce, evidence hash, agency fingerprint)."""
        self.grant, self.evidence, self.agency = nonce, evidence_sha256, agency

    def use_request_id(self, given: str) -> str:
        """Take the caller's request id when it has one; ``BadRequest`` if malformed."""
        if given:
            try:
                self.request_id = check_request_id(given)
            except RequestIdError as exc:
                raise BadRequest(str(exc)) from exc
        return self.request_id

    def use_purpose(self, purpose: str) -> None:
        """Remember the purpose asked for (a malformed one is not logged; it is refused)."""
        self.purpose = purpose if _PURPOSE.fullmatch(purpose) else ""


@dataclass
class Answer(Generic[R]):
    """A handler's result: the response, and the access to log (``action=None``: none)."""

    response: R
    action: Action | None
    records: int = 0
    refs: tuple[str, ...] = ()
    finish: Callable[[R, Logged], None] | None = None


def _acceptable(request_id: str) -> bool:
    try:
        check_request_id(request_id)
    except RequestIdError:
        return False
    return True


def _presented(context: grpc.ServicerContext) -> tuple[bytes | None, str]:
    """The caller's certificate (PEM) and its fingerprint (of nothing when there is none)."""
    try:
        pem = peer_certificate(context)
        return pem, fingerprint(parse_certificate(pem))
    except (Unauthenticated, IdentityError):
        return None, _NO_CERTIFICATE


def _identify(app: NodeApp, pem: bytes | None) -> Identity:
    if pem is None:
        raise Unauthenticated("no client certificate on this connection")
    try:
        return app.identities.identity(pem)
    except IdentityError as exc:
        raise Unauthenticated(f"client certificate maps to no role: {exc}") from exc


def _check_role(identity: Identity, roles: Collection[Role]) -> None:
    if identity.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Refused(f"role {identity.role.value} may not call this method; want {allowed}",
                      reason=Refusal.WRONG_ROLE)


def audited(app: NodeApp, context: grpc.ServicerContext, roles: Collection[Role],
            handler: Callable[[Identity, Attempt], Answer[R]], *, request_id: str = "",
            purpose: str = "") -> R:
    """Steps (1)-(4) of the module doc; the handler's response, or the call is aborted.

    ``request_id`` and ``purpose`` (as the request gives them) label a refusal even when
    the caller is refused before the handler runs; a malformed request id is replaced by
    a fresh one (the handler refuses it through ``Attempt.use_request_id``).
    """
    access_log = app.access_log
    attempt = Attempt(request_id=request_id if _acceptable(request_id) else new_request_id())
    attempt.use_purpose(purpose)
    pem, actor = _presented(context)
    identity: Identity | None = None
    try:
        # (1)
        identity = _identify(app, pem)
        if identity.role is Role.PEER:
            attempt.peer = identity.province
        _check_role(identity, roles)
        malformed = malformed_reason(context)  # bytes no message: refused after the role
        if malformed:
            raise BadRequest(malformed)
        # (2)
        answer = handler(identity, attempt)
        if answer.action is None:
            return answer.response
        if not context.is_active():
            raise CallerGone("the caller gave up before the answer was ready")
        # (3)
        logged = access_log.record(AuditEvent(
            time=access_log.now(), actor=identity.fingerprint, role=identity.role.value,
            action=answer.action, decision=Decision.ALLOW,
            request_id=attempt.request_id, purpose=attempt.purpose,
            subject_token=attempt.subject_token, records_returned=answer.records,
            record_refs=answer.refs, peer=attempt.peer, grant=attempt.grant,
            evidence=attempt.evidence, agency=attempt.agency))
        if answer.finish is not None:
            answer.finish(answer.response, logged)
        return answer.response
    except AuditWriteFailed as exc:
        abort(context, exc)
    except (ServiceError, StoreError, ChainUnavailable, AuditNotFound, AuditRangeError) as exc:
        # (4)
        _refuse(app, context, exc, actor, identity, attempt)
    except Exception as exc:  # a defect: still audited, answered without its details
        log.exception("servicer failed", extra={"request_id": attempt.request_id})
        _refuse(app, context, ServiceError(f"internal error ({type(exc).__name__})"), actor,
                identity, attempt)


def _refuse(app: NodeApp, context: grpc.ServicerContext, error: Exception, actor: str,
            identity: Identity | None, attempt: Attempt) -> NoReturn:
    if isinstance(error, Refused):
        app.metrics.refusals.labels(reason=error.reason.value).inc()
    access_log = app.access_log
    try:
        access_log.record(AuditEvent(
            time=access_log.now(), actor=actor,
            role=identity.role.value if identity is not None else "unknown",
            action=Action.REFUSAL, decision=Decision.DENY, reason=reason_code(error),
            request_id=attempt.request_id, purpose=attempt.purpose,
            subject_token=attempt.subject_token, peer=attempt.peer, grant=attempt.grant,
            evidence=attempt.evidence, agency=attempt.agency))
    except AuditWriteFailed as exc:
        abort(context, exc)
    abort(context, error)
