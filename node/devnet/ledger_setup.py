"""The consortium's chain: a detached anvil, the deployed contracts, the adopted catalog.

* anvil runs detached (it must outlive ``consortium up``) on the port fixed at creation,
  loading and dumping ``D/ledger/state.json`` (every second, and on SIGTERM);
* the members' fresh ledger accounts are funded with ``anvil_setBalance``; anvil's dev
  account 0 deploys the suite with every province as an initial member (province, account,
  Ed25519 node key, OPRF key commitment placeholder, TLS CA fingerprint);
* the catalog is adopted by governance: the first member proposes, the next ones approve
  until the threshold (⌈2n/3⌉, 3 of 4) executes it; then each member publishes the hash
  of its province's mapping onto that version (peers check it before accepting records).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import urlparse

from eth_account import Account
from eth_utils.address import to_checksum_address

from crypto import oprf
from crypto.keys import load_signing_key
from crypto.oprf_keys import load_oprf_key
from ledger.client import LedgerClient
from ledger.deploy import Deployment, deploy_suite
from ledger.devchain import anvil_binary, anvil_command, rpc_chain_id
from ledger.devkeys import DEV_KEYS
from ledger.errors import LedgerError
from ledger.rpc import connect, transport_guard
from ledger.types import MemberSpec
from node.devnet.catalog_doc import CatalogChoice
from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc, ConsortiumLayout
from node.devnet.processes import is_running, log_tail, spawn_detached
from node.domain.catalog import CatalogError, publish_mapping
from node.identity import Layout, certs, files

__all__ = [
    "adopt_catalog",
    "anvil_marker",
    "appoint_auditor_ca",
    "check_contracts",
    "deploy_contracts",
    "member_client",
    "member_spec",
    "publish_mappings",
    "start_anvil",
]

_BALANCE_WEI = 10**22  # 10,000 ether: plenty of gas for years of anchors on a dev chain


def anvil_marker(doc: ConsortiumDoc) -> str:
    """What anvil's command line contains (its state file): tells our anvil from others."""
    return doc.ledger.state_file


def start_anvil(doc: ConsortiumDoc, layout: ConsortiumLayout, *, timeout: float = 20.0) -> int:
    """Start anvil detached on the consortium's port; return its pid once it answers.

    Raises ConsortiumError with the tail of ``anvil.log`` when it exits or stays silent
    for ``timeout`` seconds (e.g. the port is taken by another program).
    """
    port = urlparse(doc.ledger.rpc_url).port
    if port is None:
        raise ConsortiumError(f"ledger rpc_url {doc.ledger.rpc_url!r} names no port")
    try:
        argv = anvil_command(anvil_binary(), port, doc.ledger.chain_id, layout.state_file)
        pid = spawn_detached(argv, layout.anvil_log)
    except (LedgerError, OSError) as exc:
        raise ConsortiumError(f"cannot start anvil: {exc}") from exc
    deadline = time.monotonic() + timeout
    while True:
        if not is_running(pid, anvil_marker(doc)):
            raise ConsortiumError(
                f"anvil exited before answering on {doc.ledger.rpc_url}; "
                f"{layout.anvil_log} ends with:\n{log_tail(layout.anvil_log)}")
        try:
            got = rpc_chain_id(doc.ledger.rpc_url, timeout=1.0)
        except (OSError, ValueError, KeyError):
            got = None
        if got is not None:
            if got != doc.ledger.chain_id:
                raise ConsortiumError(f"{doc.ledger.rpc_url} reports chain id {got}, want "
                                      f"{doc.ledger.chain_id}: another chain holds the port")
            return pid
        if time.monotonic() >= deadline:
            raise ConsortiumError(
                f"anvil did not answer on {doc.ledger.rpc_url} within {timeout:g} s; "
                f"{layout.anvil_log} ends with:\n{log_tail(layout.anvil_log)}")
        time.sleep(0.05)


def check_contracts(doc: ConsortiumDoc, *, timeout: float = 10.0) -> None:
    """Raise ConsortiumError unless the recorded Governance contract has code on the chain
    (it has none when the state file was lost and anvil started from genesis)."""
    address = doc.ledger.contracts["Governance"]
    try:
        with transport_guard(doc.ledger.rpc_url, "eth_getCode"):
            code = connect(doc.ledger.rpc_url, timeout).eth.get_code(
                to_checksum_address(address))
    except LedgerError as exc:
        raise ConsortiumError(f"cannot read the ledger: {exc}") from exc
    if not code:
        raise ConsortiumError(
            f"the chain at {doc.ledger.rpc_url} has no Governance contract at {address}: its "
            f"state ({doc.ledger.state_file}) was lost or reset. The nodes' data no longer "
            "matches it; stop the consortium and start afresh in a new --dir")


def member_spec(layout: ConsortiumLayout, province: str) -> MemberSpec:
    """What the ledger registers for ``province``, read back from its key files.

    The OPRF key commitment is the node's OPRF public key (``crypto.oprf.key_commitment``).
    """
    node = Layout(layout.node_dir(province))
    return MemberSpec(
        province=province,
        account=str(Account.from_key(files.load_ledger_account_key(node.ledger_account))
                    .address),
        node_key=bytes(load_signing_key(node.signing_key).verify_key),
        oprf_key_commitment=oprf.key_commitment(load_oprf_key(node.oprf_key).public_key),
        tls_ca_fingerprint=bytes.fromhex(certs.fingerprint(files.load_certificate(node.ca_cert))),
    )


def _fund(rpc_url: str, accounts: Sequence[str], timeout: float) -> None:
    provider = connect(rpc_url, timeout).provider
    for account in accounts:
        answer = provider.make_request("anvil_setBalance",  # type: ignore[arg-type]
                                       [account, hex(_BALANCE_WEI)])
        if answer.get("error"):
            raise ConsortiumError(f"anvil_setBalance for {account} failed: {answer['error']}")


def deploy_contracts(doc: ConsortiumDoc, layout: ConsortiumLayout, *,
                     timeout: float = 30.0) -> Deployment:
    """Fund every member account and deploy the suite with all provinces as members."""
    members = [member_spec(layout, p) for p in doc.provinces]
    try:
        _fund(doc.ledger.rpc_url, [m.account for m in members], timeout)
        return deploy_suite(doc.ledger.rpc_url, DEV_KEYS[0], members, timeout=timeout)
    except LedgerError as exc:
        raise ConsortiumError(f"deploying the contracts failed: {exc}") from exc


def member_client(doc: ConsortiumDoc, layout: ConsortiumLayout, province: str, *,
                  timeout: float = 30.0) -> LedgerClient:
    """A ledger client sending as ``province``'s member account."""
    key = files.load_ledger_account_key(Layout(layout.node_dir(province)).ledger_account)
    return LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, account_key=key,
                        timeout=timeout)


def adopt_catalog(doc: ConsortiumDoc, layout: ConsortiumLayout, choice: CatalogChoice, *,
                  timeout: float = 30.0) -> int:
    """Adopt ``choice`` by governance unless a version is adopted; return the approvals it took.

    Returns 0 when a version was already adopted. Raises ConsortiumError when the members
    cannot reach the threshold.
    """
    provinces = list(doc.provinces)
    try:
        first = member_client(doc, layout, provinces[0], timeout=timeout)
        if first.current_catalog_version() >= choice.version:
            return 0
        proposal = first.propose_adopt_catalog(choice.version, choice.document_hash)
        approvals = 1
        for province in provinces[1:]:
            if first.current_catalog_version() >= choice.version:
                break
            member_client(doc, layout, province, timeout=timeout).approve(proposal)
            approvals += 1
        if first.current_catalog_version() < choice.version:
            raise ConsortiumError(
                f"catalog v{choice.version} not adopted after {approvals} approvals "
                f"(threshold {first.threshold()})")
        return approvals
    except LedgerError as exc:
        raise ConsortiumError(f"adopting catalog v{choice.version} failed: {exc}") from exc


def appoint_auditor_ca(doc: ConsortiumDoc, layout: ConsortiumLayout, fingerprint: bytes, *,
                       timeout: float = 30.0) -> int:
    """Appoint the consortium's auditor CA by governance unless it is; return the approvals
    it took (0: already appointed). Raises ConsortiumError when the vote does not pass."""
    provinces = list(doc.provinces)
    try:
        first = member_client(doc, layout, provinces[0], timeout=timeout)
        if fingerprint in first.auditor_cas():
            return 0
        proposal = first.propose_appoint_auditor_ca(fingerprint)
        approvals = 1
        for province in provinces[1:]:
            if fingerprint in first.auditor_cas():
                break
            member_client(doc, layout, province, timeout=timeout).approve(proposal)
            approvals += 1
        if fingerprint not in first.auditor_cas():
            raise ConsortiumError(f"auditor CA not appointed after {approvals} approvals "
                                  f"(threshold {first.threshold()})")
        return approvals
    except LedgerError as exc:
        raise ConsortiumError(f"appointing the auditor CA failed: {exc}") from exc


def publish_mappings(doc: ConsortiumDoc, layout: ConsortiumLayout, choice: CatalogChoice, *,
                     timeout: float = 30.0) -> list[str]:
    """Publish each province's mapping onto the adopted version unless already on-chain.

    Returns the provinces that published now. Raises ConsortiumError when a province has
    no mapping document for the version or the ledger refuses it.
    """
    published = []
    try:
        for province in doc.provinces:
            mapping = choice.mappings.get(province)
            if mapping is None:
                raise ConsortiumError(f"no mapping of {province} onto catalog "
                                      f"v{choice.version} next to {choice.source}")
            client = member_client(doc, layout, province, timeout=timeout)
            if client.mapping_hash(province, choice.version) == mapping.document_hash:
                continue
            publish_mapping(client, mapping, choice.catalog)
            published.append(province)
    except (LedgerError, CatalogError) as exc:
        raise ConsortiumError(f"publishing the mappings onto catalog v{choice.version} "
                              f"failed: {exc}") from exc
    return published
