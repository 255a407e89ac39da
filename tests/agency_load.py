"""Many agencies querying live nodes at once: their certificates, signed queries, and what
came back (latencies, refusals, errors, answers to verify afterwards).

An agency here is what a bank holds: a certificate its province's CA issued for
``lending_review`` and the key it signs grants and forwarded-query signatures with. Each
query carries a fresh grant (a grant's nonce is single-use), the consent evidence it was
signed over and a fresh request id. Used by the load suite (``tests/node/service``); the
clients pace themselves below their rate limit (``paced_client``) or flood it with
concurrent futures (``flooding_client``), stopping at a shared deadline.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from consent_helpers import EVIDENCE, signatures
from cryptography.hazmat.primitives.asymmetric import ec

from node._proto.credit.v1 import common_pb2, query_pb2
from node.authz.grants import make_grant
from node.authz.request_ids import new_request_id
from node.grpc.calls import answered_record_json
from node.grpc.client import tls_channel
from node.grpc.stubs import query_stub
from node.identity import Layout, certs, files
from node.identity.files import load_certificate, load_tls_private_key

PURPOSE = "lending_review"
SCOPE = ("penalty", "dishonesty", "commitment")
CALL_TIMEOUT = 30.0


@dataclass(frozen=True)
class Agency:
    """An agency accredited in ``province``: its name (as in its certificate and grants),
    certificate and key files, and the key itself."""

    name: str
    province: str
    cert: Path
    key_file: Path
    key: ec.EllipticCurvePrivateKey


def mint_agency(layout: Layout, province: str, name: str, directory: Path) -> Agency:
    """A new ``lending_review`` agency certificate issued by ``province``'s CA (the key in
    ``layout``), written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = certs.new_tls_key()
    cert = certs.issue_leaf(load_tls_private_key(layout.ca_key), load_certificate(layout.ca_cert),
                            key.public_key(), certs.LeafSpec(
                                province=province, label="agency", name=name,
                                organisation=f"{name} bank", purposes=(PURPOSE,)),
                            datetime.now(UTC))
    agency = Agency(name, province, directory / f"{name}.pem", directory / f"{name}.key", key)
    files.write_certificate(agency.cert, cert)
    files.write_tls_private_key(agency.key_file, key)
    return agency


def agency_channel(agency: Agency, port: int, ca: Path) -> Any:
    """A mutual-TLS channel to the node on ``port`` (whose CA is ``ca``) as ``agency``."""
    return tls_channel(f"localhost:{port}", cert=agency.cert, key=agency.key_file, ca=ca)


def signed_query(agency: Agency, subject: str, *, origins: Sequence[str]) -> query_pb2.QueryRequest:
    """A query about ``subject`` under a fresh grant with its consent evidence; with
    ``origins`` it includes foreign records and carries the agency's signature for each."""
    now = datetime.now(UTC)
    grant = make_grant(subject=subject, agency=agency.name, purpose=PURPOSE, scope=SCOPE,
                       consent_evidence=EVIDENCE, private_key=agency.key, now=now,
                       valid_for=timedelta(days=1))
    request_id = new_request_id()
    request = query_pb2.QueryRequest(
        purpose=PURPOSE, request_id=request_id, include_foreign=bool(origins),
        consent_evidence=EVIDENCE,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_UNSPECIFIED, id=subject),
        forward_signatures=signatures(agency.key, request_id=request_id, purpose=PURPOSE,
                                      subject=subject, provinces=tuple(origins), now=now))
    request.grant.canonical_grant = grant.to_json().encode()
    return request


def answer_json(subject: str, answer: Any) -> dict[str, Any]:
    """An answer in the form ``credit-node query`` prints and ``verify-answer`` reads."""
    return {"subject": subject, "records": [answered_record_json(r) for r in answer.records],
            "provinces_unavailable": list(answer.provinces_unavailable),
            "records_not_anchored": list(answer.records_not_anchored)}


@dataclass
class LoadLog:
    """What every client saw, thread-safe: latencies of answered calls, refusals by
    (agency, code), unexpected errors, and every ``keep_every``-th answer."""

    keep_every: int = 5
    latencies: list[float] = field(default_factory=list)
    by_agency: Counter[str] = field(default_factory=Counter)
    refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _answered: int = 0

    def answered(self, agency: Agency, subject: str, answer: Any, seconds: float) -> None:
        with self._lock:
            self._answered += 1
            self.latencies.append(seconds)
            self.by_agency[agency.name] += 1
            if answer.provinces_unavailable:
                self.partial.append(f"{agency.name}: {list(answer.provinces_unavailable)}")
            keep = self._answered % self.keep_every == 0
        if keep:
            doc = answer_json(subject, answer)
            with self._lock:
                self.kept.append(doc)

    def refused(self, agency: Agency, error: grpc.RpcError) -> None:
        code = error.code()
        with self._lock:
            self.refusals[(agency.name, code.name if code else "?")] += 1

    def failed(self, who: str, error: BaseException) -> None:
        with self._lock:
            self.errors.append(f"{who}: {type(error).__name__}: {error}")

    @property
    def count(self) -> int:
        return len(self.latencies)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values`` (0.0 when empty)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def paced_client(agency: Agency, channel: Any, subjects: Sequence[str], origins: Sequence[str],
                 log: LoadLog, *, per_second: float, until: float, first: int) -> None:
    """One query at a time, starting at most ``per_second`` a second, until ``until``
    (monotonic); any RpcError is recorded as a refusal, anything else as an error."""
    stub = query_stub(channel)
    gap, n = 1.0 / per_second, first
    started = 0.0
    while True:
        now = time.monotonic()
        if now < started + gap:
            time.sleep(started + gap - now)
        started = time.monotonic()
        if started >= until:
            return
        subject = subjects[n % len(subjects)]
        n += 1
        request = signed_query(agency, subject, origins=origins)
        t0 = time.perf_counter()
        try:
            answer = stub.Query(request, timeout=CALL_TIMEOUT)
        except grpc.RpcError as exc:
            log.refused(agency, exc)
            continue
        except Exception as exc:
            log.failed(agency.name, exc)
            continue
        log.answered(agency, subject, answer, time.perf_counter() - t0)


def flooding_client(agency: Agency, channel: Any, subjects: Sequence[str], log: LoadLog, *,
                    per_second: float, in_flight: int, until: float) -> None:
    """Local-only queries fired as futures at ``per_second`` whatever the answers' pace
    (at most ``in_flight`` outstanding), until ``until``; then waits for the last ones."""
    stub = query_stub(channel)
    slots = threading.BoundedSemaphore(in_flight)
    pending: list[Any] = []

    def done_with(subject: str, t0: float) -> Callable[[Any], None]:
        def done(future: Any) -> None:
            try:
                answer = future.result()
            except grpc.RpcError as exc:
                log.refused(agency, exc)
            except Exception as exc:
                log.failed(agency.name, exc)
            else:
                log.answered(agency, subject, answer, time.perf_counter() - t0)
            finally:
                slots.release()
        return done

    gap, n = 1.0 / per_second, 0
    next_at = time.monotonic()
    while time.monotonic() < until:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += gap
        if not slots.acquire(timeout=max(0.0, until - time.monotonic())):
            break
        subject = subjects[n % len(subjects)]
        n += 1
        request = signed_query(agency, subject, origins=())
        t0 = time.perf_counter()
        future = stub.Query.future(request, timeout=CALL_TIMEOUT)
        future.add_done_callback(done_with(subject, t0))
        pending.append(future)
    for future in pending:
        try:
            future.result(timeout=CALL_TIMEOUT + 5)
        except Exception:
            pass
