"""Real nodes on one anvil for the audit tests: directories, configs, channels, waits.

Each node is ``credit-node init``-ed, all are members of a freshly deployed suite with
catalog v1 adopted and every mapping published; each trusts the others' CAs, pulls from
them, and anchors and witnesses audit heads every ``checkpoint`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import free_port
from ledger.devkeys import DEV_KEYS
from ledger.types import MemberSpec
from node._proto.credit.v1 import ingest_pb2, query_pb2
from node.audit import AuditEvent, decode_entry
from node.auditor import AuditClient, AuditOptions, ChainView, NodeAudit, audit_node
from node.cli.init_cmd import init_node
from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.domain.synth.generator import generate_records
from node.grpc.client import tls_channel
from node.grpc.stubs import ingest_stub, query_stub
from node.identity import Layout
from node.identity.files import load_ledger_account_key
from node.service.server import RunningNode, start_node
from node.service.status import read_backlog

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Member:
    province: str
    root: Path
    port: int
    database_url: str
    running: RunningNode | None = None

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    @property
    def node(self) -> RunningNode:
        assert self.running is not None
        return self.running


@dataclass
class AuditNet:
    rpc_url: str
    deployment: Deployment
    members: dict[str, Member] = field(default_factory=dict)

    def __getitem__(self, province: str) -> Member:
        return self.members[province]

    def ledger(self) -> LedgerClient:
        return LedgerClient(self.rpc_url, self.deployment.addresses, timeout=10.0)

    def channel(self, caller: str, label: str, target: str) -> Any:
        """A channel to ``target`` presenting identity ``label`` of ``caller``'s province."""
        who, to = self.members[caller].layout, self.members[target]
        cert, key = who.identity_cert(label), who.identity_key(label)
        return tls_channel(f"localhost:{to.port}", cert=cert, key=key, ca=to.layout.ca_cert)

    def verify(self, province: str, *, peers: bool = True, slack: float = 0.0,
               auditor: str = "JS") -> NodeAudit:
        """``audit verify`` of ``province`` (every other node's log for exchange matching)."""
        chain = ChainView(self.ledger(), start_block=self.deployment.block)
        channels = {p: self.channel(auditor, "auditor", p) for p in self.members}
        try:
            clients = {p: AuditClient(ch, timeout=15.0) for p, ch in channels.items()}
            node = clients.pop(province)
            return audit_node(node, chain, province=province,
                              peers=clients if peers else None,
                              options=AuditOptions(slack=slack))
        finally:
            for ch in channels.values():
                ch.close()


def _fund(rpc_url: str, key: str) -> None:
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
    w3.provider.make_request("anvil_setBalance",  # type: ignore[arg-type]
                             [Account.from_key(key).address, hex(10**22)])


def build_net(base: Path, rpc_url: str, provinces: tuple[str, ...], *,
              databases: dict[str, str] | None = None, checkpoint: float = 0.3,
              batch: float = 0.2) -> AuditNet:
    """Init, register and configure one node per province (not started)."""
    facts, members, keys = {}, {}, {}
    for province in provinces:
        port = free_port()
        root = base / province.lower()
        url = (databases or {}).get(province, "")
        facts[province] = init_node(root, province, listen=f"127.0.0.1:{port}",
                                    ledger_url=rpc_url, database_url=url)
        keys[province] = load_ledger_account_key(Layout(root).ledger_account)
        _fund(rpc_url, keys[province])
        members[province] = Member(province, root, port, url or f"sqlite:///{root}/node.db")
    specs = [MemberSpec(province=p, account=facts[p]["ledger_account"],
                        node_key=bytes.fromhex(facts[p]["node_public_key"]),
                        oprf_key_commitment=hashlib.sha256(b"oprf" + p.encode()).digest(),
                        tls_ca_fingerprint=bytes.fromhex(facts[p]["ca_fingerprint_sha256"]))
             for p in provinces]
    deployment = deploy_suite(rpc_url, DEV_KEYS[0], specs, timeout=10.0)
    clients = {p: LedgerClient(rpc_url, deployment.addresses, account_key=keys[p],
                               timeout=10.0) for p in provinces}
    first = clients[provinces[0]]
    proposal = first.propose_adopt_catalog(1, packaged_catalogs()[1].document_hash)
    for province in provinces[1:]:
        if first.current_catalog_version() == 1:
            break
        clients[province].approve(proposal)
    assert first.current_catalog_version() == 1
    for (province, version), mapping in packaged_mappings().items():
        if version == 1 and province in clients:
            clients[province].publish_mapping(1, mapping.document_hash)
    for province, member in members.items():
        raw = config_to_dict(load_config(member.root / "node.toml"), member.root)
        raw["ledger"]["contracts"] = dict(deployment.addresses)
        raw["batch"] = {"interval_seconds": batch, "max_records": 50_000}
        raw["audit"] = {"checkpoint_interval_seconds": checkpoint}
        raw["tls"]["trusted_cas"] = {q: str(m.layout.ca_cert) for q, m in members.items()
                                     if q != province}
        raw["peers"] = [{"province": q, "address": f"127.0.0.1:{m.port}"}
                        for q, m in members.items() if q != province]
        write_config(config_from_dict(raw, member.root), member.root / "node.toml",
                     overwrite=True)
    return AuditNet(rpc_url, deployment, members)


@contextmanager
def running(net: AuditNet) -> Iterator[AuditNet]:
    """Start every node; stop them all at the end."""
    try:
        for member in net.members.values():
            member.running = start_node(load_config(member.root / "node.toml"), workers=4)
        yield net
    finally:
        for member in net.members.values():
            if member.running is not None:
                member.running.stop(grace=1.0)


def submit(net: AuditNet, province: str, records: list[dict[str, object]]) -> Any:
    with net.channel(province, "platform", province) as ch:
        lines = [json.dumps(r, ensure_ascii=False).encode() for r in records]
        return ingest_stub(ch).SubmitRecords(
            ingest_pb2.SubmitRecordsRequest(records=lines), timeout=30)


def records_of(province: str, count: int, seed: int) -> list[dict[str, object]]:
    return list(generate_records(province, count, seed))


def anchored(net: AuditNet, province: str, size: int) -> None:
    """Wait until ``province``'s record log holds ``size`` leaves, all anchored."""
    store = net[province].node.app.store
    wait_for(lambda: read_backlog(store).log_size >= size and read_backlog(store).backlog == 0)


def audit_caught_up(net: AuditNet, province: str) -> int:
    """Wait until ``province``'s audit log, as it is now, is anchored; the anchored size."""
    size = net[province].node.app.auditor.log.size()
    ledger = net.ledger()
    wait_for(lambda: ledger.latest_audit_head(province).tree_size >= size)
    return ledger.latest_audit_head(province).tree_size


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.05) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not reached in {timeout} s")
        time.sleep(step)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema for a module's node (skipped without a server, as the
    ``postgres_url`` fixture does, failing instead under ``REQUIRE_POSTGRES=1``)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    url = make_url(base)
    params: dict[str, Any] = {"host": url.host or "127.0.0.1", "port": url.port or 5432,
                              "user": url.username or "postgres", "password": url.password,
                              "dbname": url.database or "test", "connect_timeout": 2,
                              "autocommit": True}
    try:
        admin = psycopg.connect(**params)
    except psycopg.Error as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL server: {exc}", pytrace=False)
        pytest.skip(f"no PostgreSQL server ({type(exc).__name__})")
    schema = f"audit_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in base else "?"
        try:
            yield f"{base}{separator}options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def public_dishonesty(records: list[dict[str, object]]) -> dict[str, object]:
    """A serious-dishonesty entry of a legal person still in its publicity period."""
    today = datetime.now(UTC).date().isoformat()
    return next(r for r in records if r["kind"] == "dishonesty"
                and r.get("SX_ZTLB") == "法人及非法人组织" and str(r.get("SX_YXQ", "")) > today)


def query(net: AuditNet, caller: str, label: str, target: str, **fields: Any) -> Any:
    """Query ``target`` as identity ``label`` of ``caller``'s province."""
    request = query_pb2.QueryRequest(**fields)
    with net.channel(caller, label, target) as ch:
        return query_stub(ch).Query(request, timeout=15)


def refused(net: AuditNet, caller: str, label: str, **fields: Any) -> grpc.StatusCode:
    """The status of a query at JS that must fail."""
    with pytest.raises(grpc.RpcError) as info:
        query(net, caller, label, "JS", **fields)
    code: grpc.StatusCode = info.value.code()
    return code


def entries(net: AuditNet, province: str) -> list[tuple[int, AuditEvent, bytes]]:
    """``province``'s audit log as the node's database holds it: index, event, bytes."""
    log = net[province].node.app.auditor.log
    return [(i, decode_entry(data), data) for i, data in log.iter_entries()]
