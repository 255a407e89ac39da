"""``consortium up`` and ``consortium down``: bring a local consortium to running, or stop it.

``up`` is idempotent: it creates the directory on first use, then starts only what does
not run (anvil, each node), deploys and adopts only what is missing, issues the agency
identities a directory made by an older version lacks, and rewrites ``consortium.json``
only when one of these changed it. With everything running it
changes nothing. One lock file keeps two commands on one directory from interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crypto.errors import KeyFileError
from node.devnet.catalog_doc import catalog_choice
from node.devnet.configs import set_contracts
from node.devnet.errors import ConsortiumError
from node.devnet.identities import auditor_ca_cert, ensure_agencies
from node.devnet.layout import DEFAULT_PROVINCES, ConsortiumDoc, ConsortiumLayout
from node.devnet.ledger_setup import (
    adopt_catalog,
    anvil_marker,
    appoint_auditor_ca,
    check_contracts,
    deploy_contracts,
    publish_mappings,
    start_anvil,
)
from node.devnet.nodes import node_running, start_node, wait_healthy
from node.devnet.processes import is_running, stop_processes
from node.devnet.provision import agency_home, create_consortium
from node.identity import certs, files
from node.identity.errors import IdentityError

__all__ = ["UpResult", "consortium_down", "consortium_up", "load_doc"]

Say = Callable[[str], None]


@dataclass
class UpResult:
    """What ``consortium_up`` did; ``started`` lists "ledger" and provinces it started."""

    doc: ConsortiumDoc
    created: bool = False
    deployed: bool = False
    catalog_approvals: int = 0
    mappings_published: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    identities_added: list[str] = field(default_factory=list)
    """Provinces whose agency identity this ``up`` issued (a directory made before them)."""

    @property
    def already_running(self) -> bool:
        return not (self.created or self.deployed or self.started or self.catalog_approvals
                    or self.mappings_published or self.identities_added)


@contextlib.contextmanager
def _locked(layout: ConsortiumLayout, timeout: float = 120.0) -> Iterator[None]:
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise ConsortiumError(
                        f"another consortium command holds {layout.lock} for over "
                        f"{timeout:g} s") from exc
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_doc(root: Path) -> ConsortiumDoc:
    """The consortium.json of ``root``; ConsortiumError when absent or malformed."""
    layout = ConsortiumLayout(Path(root))
    try:
        return ConsortiumDoc.load(layout.doc)
    except FileNotFoundError as exc:
        raise ConsortiumError(
            f"{layout.doc} not found: run `credit-node consortium up --dir {root}` first"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ConsortiumError(f"cannot read {layout.doc}: {exc}") from exc


def _existing(layout: ConsortiumLayout, provinces: Sequence[str] | None,
              database_url: str) -> ConsortiumDoc:
    doc = load_doc(layout.root)
    if provinces is not None and set(provinces) != set(doc.provinces):
        raise ConsortiumError(
            f"{layout.root} holds a consortium of {','.join(doc.provinces)}, not "
            f"{','.join(provinces)}: omit --provinces, or use another --dir")
    if database_url and any(e.database == "sqlite" for e in doc.provinces.values()):
        raise ConsortiumError(f"{layout.root} was created with SQLite stores; --database-url "
                              "applies only when a consortium is created")
    return doc


def _auditor_ca_fingerprint(layout: ConsortiumLayout) -> bytes:
    try:
        return bytes.fromhex(certs.fingerprint(files.load_certificate(auditor_ca_cert(layout))))
    except IdentityError as exc:
        raise ConsortiumError(f"the consortium auditor CA in {layout.root}: {exc}") from exc


def consortium_up(root: Path, *, provinces: Sequence[str] | None = None,
                  database_url: str = "", schema_prefix: str = "credit",
                  timeout: float = 60.0, say: Say = lambda line: None) -> UpResult:
    """Create (first use) and start the consortium in ``root``; return what was done.

    ``timeout`` bounds the wait for the nodes to become healthy. Raises ConsortiumError
    naming the failing step (with the tail of the failing process's log).
    """
    layout = ConsortiumLayout(Path(root).resolve())
    with _locked(layout):
        if layout.doc.exists():
            result = UpResult(_existing(layout, provinces, database_url))
            try:
                result.identities_added = ensure_agencies(
                    layout, result.doc, agency_home(list(result.doc.provinces)))
            except (IdentityError, KeyFileError) as exc:
                raise ConsortiumError(f"issuing the agency identities in {root}: {exc}") from exc
            if result.identities_added:
                say(f"issued agency identities for {', '.join(result.identities_added)} "
                    "(each by its province's CA)")
                result.doc.save(layout.doc)
        else:
            chosen = list(provinces or DEFAULT_PROVINCES)
            say(f"creating keys, certificates and configs for {', '.join(chosen)}")
            result = UpResult(create_consortium(layout, chosen, database_url=database_url,
                                                schema_prefix=schema_prefix), created=True)
        doc = result.doc
        if not is_running(doc.ledger.pid, anvil_marker(doc)):
            say(f"starting anvil on {doc.ledger.rpc_url}")
            doc.ledger.pid = start_anvil(doc, layout)
            result.started.append("ledger")
            doc.save(layout.doc)
        if doc.ledger.contracts:
            check_contracts(doc)
        else:
            say("deploying the contracts with every province as a member")
            deployment = deploy_contracts(doc, layout)
            deployment.save(layout.deployment)
            set_contracts(layout, list(doc.provinces), deployment.addresses)
            doc.ledger.contracts = dict(deployment.addresses)
            doc.ledger.deployment_block = deployment.block
            result.deployed = True
            doc.save(layout.doc)
        choice = catalog_choice()
        result.catalog_approvals = adopt_catalog(doc, layout, choice)
        if result.catalog_approvals:
            say(f"adopted catalog v{choice.version} with {result.catalog_approvals} approvals")
            doc.ledger.catalog = {"version": choice.version, "source": str(choice.source),
                                  "document_hash": choice.document_hash.hex()}
            doc.save(layout.doc)
        appointed = appoint_auditor_ca(doc, layout, _auditor_ca_fingerprint(layout))
        if appointed:
            say(f"appointed the consortium auditor CA with {appointed} approvals")
        result.mappings_published = publish_mappings(doc, layout, choice)
        if result.mappings_published:
            say(f"published the mappings of {', '.join(result.mappings_published)} onto "
                f"catalog v{choice.version}")
        stopped = [p for p, e in doc.provinces.items() if not node_running(e)]
        for province in stopped:
            say(f"starting the {province} node on {doc.provinces[province].grpc}")
            doc.provinces[province].pid = start_node(doc.provinces[province])
        if stopped:
            result.started.extend(stopped)
            doc.save(layout.doc)
        wait_healthy(doc, list(doc.provinces), timeout=timeout)
        return result


def consortium_down(root: Path, *, timeout: float = 15.0) -> dict[str, str]:
    """Stop the nodes, then anvil (SIGTERM: it dumps its state); SIGKILL after ``timeout``.

    Returns what happened to each ("stopped", "killed", "not running"), keyed by province
    and "ledger". Raises ConsortiumError when there is no consortium.json.
    """
    layout = ConsortiumLayout(Path(root).resolve())
    with _locked(layout):
        doc = load_doc(layout.root)
        provinces = list(doc.provinces)
        try:
            outcomes = stop_processes(
                [(doc.provinces[p].pid, doc.provinces[p].config) for p in provinces],
                timeout=timeout)
            ledger = stop_processes([(doc.ledger.pid, anvil_marker(doc))], timeout=timeout)
        except OSError as exc:
            raise ConsortiumError(f"stopping the consortium in {root}: {exc}") from exc
        for province in provinces:
            doc.provinces[province].pid = None
        doc.ledger.pid = None
        doc.save(layout.doc)
        return {**dict(zip(provinces, outcomes, strict=True)), "ledger": ledger[0]}
