"""Create a local consortium's files on first use: nodes, identities, consortium.json.

For each province: ``credit-node init`` (keys, CA, certificates, node.toml) with a gRPC
port picked now and kept for good, and — with a PostgreSQL URL — its own schema.
Then every node trusts the other CAs and lists the other nodes as
peers, and the consortium-wide client identities are issued: a credit-service agency
(with its query purposes) accredited in every province, by each province's CA
(``agency.SH`` … ``agency.AH``; ``agency`` is the home province's, see
:mod:`node.devnet.identities`), and the consortium auditor, by an auditor CA of the
consortium's own (no province's CA can make auditors; its key goes to
``D/auditor-ca-offline/``, its certificate into every node's ``[tls] auditor_cas``; the
members appoint it on-chain at ``consortium up``). Nothing here starts a process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from ledger.devchain import DEV_CHAIN_ID, free_port
from node.config_build import init_node
from node.devnet.configs import edit_config, link_peers
from node.devnet.database import ensure_schema, schema_name, schema_url
from node.devnet.errors import ConsortiumError
from node.devnet.identities import (
    AGENCY_NAME,
    AGENCY_PURPOSES,
    auditor_ca_cert,
    ensure_agencies,
    make_consortium_auditor,
)
from node.devnet.layout import (
    ConsortiumDoc,
    ConsortiumLayout,
    IdentityEntry,
    LedgerEntry,
    ProvinceEntry,
    in_order,
)
from node.identity import Layout

__all__ = ["AGENCY_NAME", "AGENCY_PURPOSES", "AUDITOR_NAME", "agency_home", "create_consortium"]

AUDITOR_NAME: Final = "consortium-auditor"


def agency_home(provinces: Sequence[str]) -> str:
    """The province whose CA issues the agency and auditor: SH when present, else the first."""
    return "SH" if "SH" in provinces else provinces[0]


def _free_ports(count: int, taken: set[int]) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in taken and port not in ports:
            ports.append(port)
    return ports


def _write_bundle(layout: ConsortiumLayout, provinces: Sequence[str]) -> None:
    pems = [Layout(layout.node_dir(p)).ca_cert.read_bytes() for p in provinces]
    layout.ca_bundle.parent.mkdir(parents=True, exist_ok=True)
    layout.ca_bundle.write_bytes(b"".join(pems))


def _refuse_partial(layout: ConsortiumLayout, provinces: Sequence[str]) -> None:
    leftovers = [p for p in provinces if layout.node_dir(p).exists()]
    if leftovers or layout.identity_cert("agency").exists():
        raise ConsortiumError(
            f"{layout.root} holds node files ({', '.join(leftovers) or 'identities'}) but no "
            f"consortium.json: an earlier `consortium up` stopped while creating it. Remove "
            f"{layout.root} (or choose another --dir) and run `consortium up` again"
        )


def _hold_auditor_ca(layout: ConsortiumLayout) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["tls"]["auditor_cas"] = [str(auditor_ca_cert(layout).resolve())]
    return edit


def _identities(layout: ConsortiumLayout, provinces: Sequence[str],
                home: str) -> dict[str, IdentityEntry]:
    found = {
        "auditor": IdentityEntry(str(layout.identity_cert("auditor")),
                                 str(layout.identity_key("auditor")), str(layout.ca_bundle),
                                 AUDITOR_NAME, home),
    }
    for p in provinces:
        node = Layout(layout.node_dir(p))
        found[f"platform.{p}"] = IdentityEntry(
            str(node.identity_cert("platform")), str(node.identity_key("platform")),
            str(node.ca_cert), "platform", p)
    return found


def create_consortium(layout: ConsortiumLayout, provinces: Sequence[str], *,
                      database_url: str = "", schema_prefix: str = "credit",
                      now: datetime | None = None) -> ConsortiumDoc:
    """Create every file of a new consortium under ``layout.root``; return its document.

    Preconditions: ``provinces`` are distinct codes (SH, JS, ZJ, AH); ``layout.root`` has
    no consortium.json and no node directory yet (else ConsortiumError, nothing written);
    ``database_url`` is empty (SQLite per node) or a PostgreSQL URL. The document is
    saved with no process running and no contract deployed yet; provinces are kept in
    the order SH, JS, ZJ, AH.
    """
    if len(set(provinces)) != len(provinces) or not provinces:
        raise ConsortiumError(f"--provinces: want distinct province codes, got {list(provinces)}")
    provinces = in_order(provinces)
    if layout.doc.exists():
        raise ConsortiumError(f"{layout.doc} already exists")
    _refuse_partial(layout, provinces)
    now = now or datetime.now(UTC)
    rpc_port, *ports = _free_ports(len(provinces) + 1, set())
    rpc_url = f"http://127.0.0.1:{rpc_port}"
    port_of = dict(zip(provinces, ports, strict=True))
    # The database comes first: a bad URL or an unreachable server leaves no file behind.
    databases = {p: ("", "sqlite") for p in provinces}
    if database_url:
        schemas = {p: schema_name(schema_prefix, p) for p in provinces}
        databases = {p: (schema_url(database_url, s), f"postgresql schema {s}")
                     for p, s in schemas.items()}
        for schema in schemas.values():
            ensure_schema(database_url, schema)
    entries: dict[str, ProvinceEntry] = {}
    for p in provinces:
        db_url, db_label = databases[p]
        facts = init_node(layout.node_dir(p), p, listen=f"127.0.0.1:{port_of[p]}",
                          database_url=db_url, ledger_url=rpc_url, chain_id=DEV_CHAIN_ID,
                          now=now)
        entries[p] = ProvinceEntry(
            grpc=f"127.0.0.1:{port_of[p]}", pid=None, data_dir=str(layout.node_dir(p)),
            config=str(layout.config(p)), account=facts["ledger_account"],
            log=str(layout.serve_log(p)), database=db_label)
    link_peers(layout, port_of)
    home = agency_home(provinces)
    make_consortium_auditor(layout, AUDITOR_NAME, "YRD consortium auditor", now)
    for p in provinces:
        edit_config(layout.config(p), _hold_auditor_ca(layout))
    _write_bundle(layout, provinces)
    layout.ledger_dir.mkdir(parents=True, exist_ok=True)
    doc = ConsortiumDoc(
        ledger=LedgerEntry(rpc_url=rpc_url, chain_id=DEV_CHAIN_ID, pid=None,
                           state_file=str(layout.state_file)),
        provinces=entries,
        identities=_identities(layout, provinces, home),
    )
    ensure_agencies(layout, doc, home, now=now)
    doc.save(layout.doc)
    return doc
