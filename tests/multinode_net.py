"""Several real nodes on one anvil, in this process: directories, configs, channels, waits.

Each node is ``credit-node init``-ed; all are members of a freshly deployed suite with the
packaged catalog v1 adopted and every province's mapping published; each trusts the
others' CAs and lists them as peers; a consortium auditor CA is appointed on-chain and
held by every node ("auditor" channels present its auditor). Used by the exchange and
audit-service suites (this file sits in ``tests/``, which pytest puts on ``sys.path`` for
``tests/conftest.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import HTTPProvider, Web3

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import free_port
from ledger.devkeys import DEV_KEYS
from ledger.types import MemberSpec
from node._proto.credit.v1 import ingest_pb2
from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.config_build import init_node
from node.devnet.synth.generator import generate_records
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.grpc.client import tls_channel
from node.grpc.stubs import ingest_stub
from node.identity import Layout, certs, files
from node.identity.auditor_ca import issue_auditor, make_auditor_ca
from node.identity.files import load_ledger_account_key
from node.runtime.node import RunningNode, start_node
from node.service.status import read_backlog


@dataclass
class Member:
    province: str
    root: Path
    port: int
    account_key: str
    database_url: str
    running: RunningNode | None = None

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    @property
    def config(self) -> Path:
        return self.root / "node.toml"

    @property
    def node(self) -> RunningNode:
        assert self.running is not None
        return self.running


@dataclass(frozen=True)
class ConsortiumAuditor:
    """The consortium's auditor CA (appointed on-chain) and one auditor it issued."""

    ca_cert: Path
    cert: Path
    key: Path
    ca_fingerprint: str


def make_consortium_auditor(directory: Path) -> ConsortiumAuditor:
    """An auditor CA and its auditor's certificate and key under ``directory``."""
    now = datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = certs.new_tls_key()
    ca_cert = make_auditor_ca(ca_key, now)
    key = certs.new_tls_key()
    leaf = issue_auditor(ca_key, ca_cert, key.public_key(), "consortium-auditor",
                         "YRD consortium auditor", now)
    found = ConsortiumAuditor(directory / "auditor-ca.pem", directory / "auditor.pem",
                              directory / "auditor.key", certs.fingerprint(ca_cert))
    files.write_certificate(found.ca_cert, ca_cert)
    files.write_certificate(found.cert, leaf)
    files.write_tls_private_key(found.key, key)
    return found


@dataclass
class Network:
    rpc_url: str
    deployment: Deployment
    members: dict[str, Member] = field(default_factory=dict)
    auditor: ConsortiumAuditor | None = None

    def __getitem__(self, province: str) -> Member:
        return self.members[province]

    def ledger(self) -> LedgerClient:
        return LedgerClient(self.rpc_url, self.deployment.addresses, timeout=10.0)

    def channel(self, caller: str, label: str, target: str) -> Any:
        """A channel to ``target``'s node presenting ``caller``'s identity ``label``
        ("node" for the caller node's own certificate; "auditor" is the consortium's
        appointed auditor whoever the caller, "province-auditor" the auditor ``caller``'s
        own CA minted)."""
        who, to = self.members[caller].layout, self.members[target]
        if label == "auditor" and self.auditor is not None:
            cert, key = self.auditor.cert, self.auditor.key
        elif label == "province-auditor":
            cert, key = who.identity_cert("auditor"), who.identity_key("auditor")
        elif label == "node":
            cert, key = who.node_cert, who.node_key
        else:
            cert, key = who.identity_cert(label), who.identity_key(label)
        return tls_channel(f"localhost:{to.port}", cert=cert, key=key, ca=to.layout.ca_cert)


def _fund(rpc_url: str, key: str) -> None:
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
    w3.provider.make_request("anvil_setBalance",  # type: ignore[arg-type]
                             [Account.from_key(key).address, hex(10**22)])


def build_network(base: Path, rpc_url: str, provinces: tuple[str, ...], *,
                  databases: dict[str, str] | None = None, batch_interval: float = 0.2,
                  checkpoint: float | None = None) -> Network:
    """Init one node per province (not started), deploy the suite with all of them as
    members, adopt catalog v1, publish each mapping onto it, and write each node.toml with
    the contracts, the other CAs and the peers (and the audit checkpoint interval)."""
    facts: dict[str, dict[str, str]] = {}
    members: dict[str, Member] = {}
    for province in provinces:
        port = free_port()
        root = base / province.lower()
        url = (databases or {}).get(province, "")
        facts[province] = init_node(root, province, listen=f"127.0.0.1:{port}",
                                    ledger_url=rpc_url, database_url=url)
        key = load_ledger_account_key(Layout(root).ledger_account)
        _fund(rpc_url, key)
        members[province] = Member(province, root, port, key,
                                   url or f"sqlite:///{root}/node.db")
    specs = [MemberSpec(province=p, account=facts[p]["ledger_account"],
                        node_key=bytes.fromhex(facts[p]["node_public_key"]),
                        oprf_key_commitment=bytes.fromhex(facts[p]["oprf_key_commitment"]),
                        tls_ca_fingerprint=bytes.fromhex(facts[p]["ca_fingerprint_sha256"]))
             for p in provinces]
    deployment = deploy_suite(rpc_url, DEV_KEYS[0], specs, timeout=10.0)
    clients = {p: LedgerClient(rpc_url, deployment.addresses, account_key=m.account_key,
                               timeout=10.0) for p, m in members.items()}
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
    auditor = make_consortium_auditor(base / "consortium-auditor")
    appointment = first.propose_appoint_auditor_ca(bytes.fromhex(auditor.ca_fingerprint))
    for province in provinces[1:]:
        if first.auditor_cas():
            break
        clients[province].approve(appointment)
    assert first.auditor_cas() == [bytes.fromhex(auditor.ca_fingerprint)]
    for province, member in members.items():
        raw = config_to_dict(load_config(member.config), member.root)
        raw["ledger"]["contracts"] = dict(deployment.addresses)
        raw["batch"] = {"interval_seconds": batch_interval, "max_records": 50_000}
        # Tests poll as one agency many times a second; the rate limit has its own test.
        raw["policy"]["agency_queries_per_minute"] = 60_000.0
        raw["policy"]["agency_burst"] = 1_000
        if checkpoint is not None:
            raw["audit"] = {"checkpoint_interval_seconds": checkpoint}
        raw["tls"]["trusted_cas"] = {q: str(m.layout.ca_cert) for q, m in members.items()
                                     if q != province}
        raw["tls"]["auditor_cas"] = [str(auditor.ca_cert)]
        raw["peers"] = [{"province": q, "address": f"127.0.0.1:{m.port}"}
                        for q, m in members.items() if q != province]
        write_config(config_from_dict(raw, member.root), member.config, overwrite=True)
    return Network(rpc_url, deployment, members, auditor)


@contextmanager
def running(net: Network) -> Iterator[Network]:
    """Start every node; stop them all at the end."""
    try:
        for member in net.members.values():
            member.running = start_node(load_config(member.config), workers=4)
        yield net
    finally:
        for member in net.members.values():
            if member.running is not None:
                member.running.stop(grace=1.0)


def lines(records: list[dict[str, object]]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() for r in records]


def submit(net: Network, province: str, records: list[dict[str, object]]) -> Any:
    """SubmitRecords at ``province`` through its platform certificate."""
    with net.channel(province, "platform", province) as ch:
        return ingest_stub(ch).SubmitRecords(
            ingest_pb2.SubmitRecordsRequest(records=lines(records)), timeout=30)


def records_of(province: str, count: int, seed: int) -> list[dict[str, object]]:
    return list(generate_records(province, count, seed))


def anchored(net: Network, province: str, size: int) -> None:
    """Wait until ``province``'s record log holds ``size`` leaves, all anchored."""
    store = net[province].node.app.store
    wait_for(lambda: read_backlog(store).log_size >= size and read_backlog(store).backlog == 0)


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.02) -> float:
    """Poll ``condition`` until true; the seconds it took (AssertionError after timeout)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not reached in {timeout} s")
        time.sleep(step)
    return time.monotonic() - started
