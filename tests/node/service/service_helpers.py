"""Helpers for the service tests: node directories, channels, synthetic records."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import HTTPProvider, Web3

from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devkeys import DEV_KEYS
from ledger.types import MemberSpec
from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.config_build import init_node
from node.devnet.synth.generator import generate_records
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.grpc.client import tls_channel
from node.identity import Layout
from node.identity.files import load_ledger_account_key

PROVINCE = "JS"


@dataclass(frozen=True)
class NodeDir:
    root: Path
    config: Path
    deployment: Deployment
    account_key: str

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    def ledger(self) -> LedgerClient:
        assert self.deployment.rpc_url is not None
        return LedgerClient(self.deployment.rpc_url, self.deployment.addresses,
                            account_key=self.account_key, timeout=10.0)


def make_node_dir(root: Path, rpc_url: str, *, batch_interval: float = 0.2,
                  max_records: int = 50_000) -> NodeDir:
    """`credit-node init` a JS node, deploy a one-member suite for it, adopt catalog v1."""
    facts = init_node(root, PROVINCE, ledger_url=rpc_url)
    layout = Layout(root)
    key = load_ledger_account_key(layout.ledger_account)
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
    w3.provider.make_request("anvil_setBalance",  # type: ignore[arg-type]
                             [Account.from_key(key).address, hex(10**22)])
    member = MemberSpec(
        province=PROVINCE, account=facts["ledger_account"],
        node_key=bytes.fromhex(facts["node_public_key"]),
        oprf_key_commitment=bytes.fromhex(facts["oprf_key_commitment"]),
        tls_ca_fingerprint=bytes.fromhex(facts["ca_fingerprint_sha256"]))
    deployment = deploy_suite(rpc_url, DEV_KEYS[0], [member], timeout=10.0)
    client = LedgerClient(rpc_url, deployment.addresses, account_key=key, timeout=10.0)
    pid = client.propose_adopt_catalog(1, packaged_catalogs()[1].document_hash)
    if client.current_catalog_version() == 0:
        client.execute(pid)
    assert client.current_catalog_version() == 1
    client.publish_mapping(1, packaged_mappings()[(PROVINCE, 1)].document_hash)
    config_path = root / "node.toml"
    raw = config_to_dict(load_config(config_path), root)
    raw["ledger"]["contracts"] = dict(deployment.addresses)
    raw["batch"] = {"interval_seconds": batch_interval, "max_records": max_records}
    write_config(config_from_dict(raw, root), config_path, overwrite=True)
    return NodeDir(root, config_path, deployment, key)


def channel(node: NodeDir, port: int, label: str) -> Any:
    """A channel presenting identities/<label> ("node" for the node's own certificate)."""
    layout = node.layout
    if label == "node":
        cert, key = layout.node_cert, layout.node_key
    else:
        cert, key = layout.identity_cert(label), layout.identity_key(label)
    return tls_channel(f"localhost:{port}", cert=cert, key=key, ca=layout.ca_cert)


def synth_lines(count: int, seed: int = 7) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() for r in
            generate_records(PROVINCE, count, seed)]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)
