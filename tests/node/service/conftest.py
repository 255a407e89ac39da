"""Fixtures of the service tests.

``node_dir``, ``running``: a JS node on the run's shared anvil with a one-member consortium
(threshold 1, catalog v1).

``trio``, ``workload`` (the audit service tests): three real nodes (JS, SH, ZJ) on an anvil
of their own, over real mutual TLS, after a shared workload: ingest at JS, pulls by SH and
ZJ, queries at JS (allowed, and refused four ways) and a federated query at SH, status
reads; then every node's log anchored and co-signed by both others. ``trio`` runs twice:
its nodes on SQLite files, then each on its own PostgreSQL schema (dropped afterwards).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from audit_node_helpers import (
    AuditNet,
    anchored,
    audit_caught_up,
    build_net,
    public_dishonesty,
    query,
    records_of,
    refused,
    submit,
    wait_for,
)
from audit_node_helpers import running as running_net
from consent_helpers import EVIDENCE, signatures
from pg_schemas import postgres_schemas
from service_helpers import NodeDir, make_node_dir

from ledger.client import LedgerClient
from ledger.devchain import DevChain
from node._proto.credit.v1 import common_pb2, node_pb2
from node.authz.grants import make_grant
from node.config import load_config
from node.grpc.stubs import node_stub
from node.identity.files import load_tls_private_key
from node.runtime.node import RunningNode, start_node


@pytest.fixture
def node_dir(tmp_path: Path, anvil: DevChain) -> NodeDir:
    return make_node_dir(tmp_path / "js", anvil.rpc_url)


@pytest.fixture
def running(node_dir: NodeDir) -> Iterator[RunningNode]:
    cfg = load_config(node_dir.config)
    cfg = dataclasses.replace(cfg, batch=dataclasses.replace(cfg.batch, interval_seconds=0.2))
    node = start_node(cfg, workers=4)
    try:
        yield node
    finally:
        node.stop(grace=1.0)


PROVINCES = ("JS", "SH", "ZJ")


def _cursor_at(net: AuditNet, peer: str, cursor: str) -> bool:
    return net[peer].node.app.store.get_meta("exchange.cursor.JS") == cursor


def _witnessed_by(ledger: LedgerClient, province: str, size: int, count: int) -> bool:
    return ledger.witness_count(province, size) == count


@pytest.fixture(scope="package", params=[
    "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def trio(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         anvil_launcher: AnvilLauncher) -> Iterator[AuditNet]:
    """The three nodes on SQLite files, then each on a PostgreSQL schema of its own."""
    with ExitStack() as stack:
        chain = stack.enter_context(anvil_launcher.start())
        databases = (stack.enter_context(postgres_schemas(PROVINCES, prefix="trio"))
                     if request.param == "postgresql" else None)
        built = build_net(tmp_path_factory.mktemp("audit-trio"), chain.rpc_url, PROVINCES,
                          databases=databases)
        with running_net(built):
            backends = {built[p].node.app.store.engine.url.get_backend_name()
                        for p in PROVINCES}
            assert backends == {request.param}, backends
            yield built


@pytest.fixture(scope="package")
def workload(trio: AuditNet) -> dict[str, Any]:
    """The workload of the module doc; what the tests check it against."""
    net = trio
    records = records_of("JS", 30, seed=5)
    entry = public_dishonesty(records)
    subject = common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC,
                                    id=str(entry["SX_SHXYM"]))
    ack = submit(net, "JS", records)
    assert len(ack.accepted) == 30
    anchored(net, "JS", 30)
    for peer in ("SH", "ZJ"):
        wait_for(partial(_cursor_at, net, peer, "leaf:30"))
    found = query(net, "JS", "agency", "JS", purpose="credit_report", subject=subject,
                  request_id="q-allowed-1")
    codes = {
        "q-purpose-1": refused(net, "JS", "agency", purpose="supervision", subject=subject,
                               request_id="q-purpose-1"),
        "q-badgrant-1": refused(net, "JS", "agency", purpose="credit_report", subject=subject,
                                request_id="q-badgrant-1",
                                grant=common_pb2.Grant(canonical_grant=b"not a grant")),
        "q-role-1": refused(net, "JS", "platform", purpose="credit_report", subject=subject,
                            request_id="q-role-1"),
        "q-norole-1": refused(net, "SH", "platform", purpose="credit_report",
                              subject=subject, request_id="q-norole-1"),
    }
    agency_key = load_tls_private_key(net["SH"].layout.identity_key("agency"))
    grant = make_grant(subject=subject.id, agency="example-agency", purpose="lending_review",
                       scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                       private_key=agency_key, now=datetime.now(UTC),
                       valid_for=timedelta(days=1))
    federated = query(net, "SH", "agency", "SH", purpose="lending_review", subject=subject,
                      include_foreign=True, request_id="q-fed-1",
                      grant=common_pb2.Grant(canonical_grant=grant.to_json().encode()),
                      consent_evidence=EVIDENCE, forward_signatures=signatures(
                          agency_key, request_id="q-fed-1", purpose="lending_review",
                          subject=subject.id))
    for province in PROVINCES:
        with net.channel("JS", "auditor", province) as ch:
            node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    ledger = net.ledger()
    for province in PROVINCES:
        size = audit_caught_up(net, province)
        wait_for(partial(_witnessed_by, ledger, province, size, 2))
    return {"subject": subject, "entry": entry, "found": found, "codes": codes,
            "federated": federated}
