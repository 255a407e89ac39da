"""The shape of ``node.toml``: one frozen dataclass per section, a docstring per key.

Loading, checking and writing live in :mod:`node.config`; this module is only the
schema and the value checks each key carries (``metadata={"check": fn}``; ``fn`` raises
``ValueError`` with what was expected). Relative paths in the file are relative to the
directory holding ``node.toml``; after loading every path is absolute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from node.domain.fields import BY_KIND, ENVELOPE, PROVINCES

__all__ = [
    "CONTRACT_NAMES",
    "KNOWN_FIELDS",
    "AuditSection",
    "BatchSection",
    "DatabaseSection",
    "LedgerSection",
    "MetricsSection",
    "NodeConfig",
    "NodeSection",
    "PeerConfig",
    "PolicySection",
    "PurposePolicy",
    "TlsSection",
    "default_foreign_purposes",
    "default_purposes",
]

CONTRACT_NAMES: Final = ("Governance", "Catalog", "RecordAnchors", "AuditAnchors")
KNOWN_FIELDS: Final = frozenset(
    [f.code for f in ENVELOPE] + [f.code for specs in BY_KIND.values() for f in specs]
)
_ID_FIELDS: Final = frozenset(
    f.code for specs in BY_KIND.values() for f in specs if f.type == "id_number"
)
_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HOSTPORT_RE = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")
_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_GRANT_DAYS = 365
"""No purpose may allow a grant longer than a year."""


def _check(fn: Callable[[Any], None]) -> dict[str, Callable[[Any], None]]:
    return {"check": fn}


def check_province(value: str) -> None:
    if value not in PROVINCES:
        raise ValueError(f"expected one of {', '.join(sorted(PROVINCES))}")


def check_hostport(value: str) -> None:
    match = _HOSTPORT_RE.fullmatch(value)
    if not match or int(match.group(2)) > 65535:
        raise ValueError("expected host:port with a port 0-65535 (IPv6 as [addr]:port)")


def _check_dial_address(value: str) -> None:
    check_hostport(value)
    if value.rsplit(":", 1)[1].lstrip("0") == "":
        raise ValueError("expected a port 1-65535 to dial, not 0")


def _check_optional_hostport(value: str) -> None:
    if value:
        check_hostport(value)


def _check_database_url(value: str) -> None:
    if value and not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise ValueError(
            "expected sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB (or empty for "
            "the SQLite default)"
        )


def _check_rpc_url(value: str) -> None:
    if not value.startswith(("http://", "https://", "ws://", "wss://")):
        raise ValueError("expected an http(s):// or ws(s):// JSON-RPC URL")


def _positive(value: float) -> None:
    if not value > 0:
        raise ValueError("expected a number > 0")


def _non_negative(value: int) -> None:
    if value < 0:
        raise ValueError("expected an integer >= 0")


def _max_records(value: int) -> None:
    if not 1 <= value <= 1_000_000:
        raise ValueError("expected an integer from 1 to 1000000")


def _check_contracts(value: Mapping[str, str]) -> None:
    for name, address in value.items():
        if name not in CONTRACT_NAMES:
            raise ValueError(f"unknown contract {name!r}; expected {', '.join(CONTRACT_NAMES)}")
        if not _ADDRESS_RE.fullmatch(address):
            raise ValueError(f"contract {name}: expected a 0x-prefixed 40-hex-digit address")


def _check_provinces(value: Mapping[str, Any]) -> None:
    for province in value:
        if province not in PROVINCES:
            raise ValueError(
                f"unknown province {province!r}; expected one of {', '.join(sorted(PROVINCES))}"
            )


def _check_fields(value: tuple[str, ...]) -> None:
    unknown = sorted(set(value) - KNOWN_FIELDS)
    if unknown:
        raise ValueError(f"unknown field code(s) {', '.join(unknown)}")
    if len(set(value)) != len(value):
        raise ValueError("field codes must not repeat")


def _check_purposes(value: Mapping[str, Any]) -> None:
    for name in value:
        if not _PURPOSE_RE.fullmatch(name):
            raise ValueError(
                f"purpose name {name!r}: expected lowercase letters, digits or '_', "
                "starting with a letter"
            )


@dataclass(frozen=True)
class NodeSection:
    province: str = field(metadata=_check(check_province))
    """This node's province: SH, JS, ZJ or AH."""
    data_dir: Path = Path(".")
    """Directory for the database and node state."""
    listen: str = field(default="127.0.0.1:0", metadata=_check(check_hostport))
    """host:port the gRPC server binds; port 0 picks a free port."""
    signing_key_file: Path = Path("keys/node_signing.key")
    """Ed25519 key (crypto.keys format, mode 0600) signing batch headers and tree heads."""
    master_key_file: Path = Path("keys/master.key")
    """32-byte master key (mode 0600) wrapping the per-record data keys."""


@dataclass(frozen=True)
class DatabaseSection:
    url: str = field(default="", metadata=_check(_check_database_url))
    """SQLAlchemy URL; empty in the file means sqlite:///<data_dir>/node.db."""


@dataclass(frozen=True)
class KeystoreSection:
    url: str = field(default="", metadata=_check(_check_database_url))
    """SQLAlchemy URL of the key store holding every record's wrapped data key, apart from
    the payloads (docs/lifecycle.md); empty means sqlite:///<data_dir>/keys.db. Back it up
    on its own, short retention: a shredded key must not live on in old copies."""


@dataclass(frozen=True)
class LedgerSection:
    rpc_url: str = field(default="http://127.0.0.1:8545", metadata=_check(_check_rpc_url))
    """JSON-RPC endpoint of the ledger (anvil locally, Besu in production)."""
    chain_id: int = field(default=31337, metadata=_check(_positive))
    """EVM chain id the node expects; a mismatch with the endpoint is a startup error."""
    contracts: Mapping[str, str] = field(
        default_factory=dict, metadata=_check(_check_contracts)
    )
    """Deployed addresses by contract name (Governance, Catalog, RecordAnchors,
    AuditAnchors); absent until the consortium is deployed."""
    account_key_file: Path = Path("keys/ledger_account.key")
    """secp256k1 key of the node's ledger account, 0x-hex, mode 0600."""
    confirmations: int = field(default=1, metadata=_check(_non_negative))
    """Blocks after inclusion before an anchor counts as final (QBFT: 0 or 1 suffice)."""
    timeout_seconds: float = field(default=10.0, metadata=_check(_positive))
    """Deadline of every JSON-RPC call."""


@dataclass(frozen=True)
class TlsSection:
    ca: Path = Path("tls/ca.pem")
    """This province's CA certificate: trust anchor for local clients."""
    cert: Path = Path("tls/node.pem")
    """The node's certificate (server and client auth)."""
    key: Path = Path("tls/node.key")
    """The node's TLS private key, mode 0600."""
    trusted_cas: Mapping[str, Path] = field(
        default_factory=dict, metadata=_check(_check_provinces)
    )
    """Other provinces' CA certificates by province code; their node certificates are
    peers, and only while the ledger lists the province as an active member with this
    CA's fingerprint."""
    auditor_cas: tuple[Path, ...] = ()
    """The consortium's auditor CA certificates; their auditor certificates audit any
    node, and only while the members' on-chain vote (AppointAuditorCa) appoints the CA."""


@dataclass(frozen=True)
class PeerConfig:
    province: str = field(metadata=_check(check_province))
    """The peer's province."""
    address: str = field(metadata=_check(_check_dial_address))
    """host:port of the peer's gRPC endpoint."""
    ca: Path | None = None
    """The peer province's CA certificate; defaults to tls.trusted_cas[province]."""


@dataclass(frozen=True)
class BatchSection:
    interval_seconds: float = field(default=1.0, metadata=_check(_positive))
    """Seconds between two rounds of the anchor loop (each looks whether to seal, then
    anchors what is sealed)."""
    max_records: int = field(default=50000, metadata=_check(_max_records))
    """Most records in one anchored batch."""
    target_records: int = field(default=10000, metadata=_check(_max_records))
    """Records a batch gathers under sustained load before it is sealed (a trickle is
    sealed at once); at most ``max_records`` is used."""
    max_delay_seconds: float = field(default=30.0, metadata=_check(_positive))
    """Longest a record waits for its batch to be sealed (plus one round); at least
    ``interval_seconds`` is used."""


def _grant_days(value: int) -> None:
    if not 1 <= value <= MAX_GRANT_DAYS:
        raise ValueError(f"expected 1..{MAX_GRANT_DAYS} days, got {value}")


def _check_foreign(value: Mapping[str, tuple[str, ...]]) -> None:
    _check_purposes(value)
    for purpose, provinces in value.items():
        unknown = sorted(set(provinces) - set(PROVINCES))
        if unknown:
            raise ValueError(f"foreign_purposes.{purpose}: unknown province(s) "
                             f"{', '.join(unknown)}")


def _positive_int(value: int) -> None:
    if value < 1:
        raise ValueError(f"expected an integer >= 1, got {value}")


@dataclass(frozen=True)
class PurposePolicy:
    fields: tuple[str, ...] = field(metadata=_check(_check_fields))
    """Field codes (node.domain.fields) an answer for this purpose may contain."""
    id_numbers: bool = False
    """Whether ID numbers among those fields are shown in clear (else masked)."""
    grant_for_non_public: bool = True
    """Whether non-public information needs a subject grant for this purpose."""
    description: str = ""
    """What the purpose is, for operators."""
    max_grant_days: int = field(default=365, metadata=_check(_grant_days))
    """Longest validity (issue to expiry, in days) a grant for this purpose may have;
    a longer grant is refused. At most 365."""


def default_purposes() -> dict[str, PurposePolicy]:
    """The purposes a new node starts with; operators edit them in node.toml."""
    every = tuple(sorted(KNOWN_FIELDS))
    public = tuple(sorted(KNOWN_FIELDS - _ID_FIELDS))
    return {
        "public_disclosure": PurposePolicy(public, False, True, "公示查询: public information"),
        "credit_report": PurposePolicy(every, False, True, "信用报告: ID numbers masked"),
        "lending_review": PurposePolicy(every, True, True, "信贷审批: with the subject's grant"),
        "supervision": PurposePolicy(every, True, False, "监管: public authorities"),
    }


def default_foreign_purposes() -> dict[str, tuple[str, ...]]:
    """Purposes taken from every member province's agencies (each needs a grant there)."""
    every = tuple(sorted(PROVINCES))
    return {"credit_report": every, "lending_review": every}


@dataclass(frozen=True)
class PolicySection:
    purposes: Mapping[str, PurposePolicy] = field(
        default_factory=default_purposes, metadata=_check(_check_purposes)
    )
    """Query purposes by name (an agency certificate lists the ones it may use). A purpose
    whose ``grant_for_non_public`` is false (supervision, 监管) is an authority's, never an
    agency's."""
    foreign_purposes: Mapping[str, tuple[str, ...]] = field(
        default_factory=default_foreign_purposes, metadata=_check(_check_foreign))
    """Which purposes this node accepts from which provinces' agencies on a forwarded
    query (FetchOnRequest). A forwarded query always needs a grant, whatever the purpose."""
    agency_queries_per_minute: float = field(default=60.0, metadata=_check(_positive))
    """Sustained query rate one agency (certificate fingerprint) may have at this node."""
    agency_burst: int = field(default=20, metadata=_check(_positive_int))
    """Queries one agency may send at once before the rate applies."""


@dataclass(frozen=True)
class MetricsSection:
    listen: str = field(default="", metadata=_check(_check_optional_hostport))
    """host:port of the Prometheus metrics endpoint; empty disables it."""


@dataclass(frozen=True)
class AuditSection:
    checkpoint_interval_seconds: float = field(default=60.0, metadata=_check(_positive))
    """How often a signed tree head of the access audit log is anchored."""


@dataclass(frozen=True)
class NodeConfig:
    """A whole ``node.toml``. Only ``[node] province`` is required."""

    node: NodeSection
    database: DatabaseSection = field(default_factory=DatabaseSection)
    keystore: KeystoreSection = field(default_factory=KeystoreSection)
    ledger: LedgerSection = field(default_factory=LedgerSection)
    tls: TlsSection = field(default_factory=TlsSection)
    peers: tuple[PeerConfig, ...] = ()
    batch: BatchSection = field(default_factory=BatchSection)
    policy: PolicySection = field(default_factory=PolicySection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    audit: AuditSection = field(default_factory=AuditSection)
