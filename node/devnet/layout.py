"""Where a local consortium keeps its files, and the ``consortium.json`` document.

A consortium directory ``D`` holds::

    D/consortium.json          what runs where (this module's ConsortiumDoc)
    D/ledger/state.json        anvil's chain state (loaded at start, dumped every second)
    D/ledger/anvil.log         anvil's output
    D/ledger/deployment.json   the deployed contracts' addresses
    D/<P>/                     one node directory per province (``credit-node init`` layout)
    D/<P>/node.toml            its config: fixed gRPC port, peers, trusted CAs, contracts
    D/<P>/serve.log            the node's JSON log lines
    D/<P>/keys/oprf.key        the node's OPRF key (its public key is registered on-chain)
    D/identities/agency.*      the demo credit-service agency (issued by one province's CA)
    D/identities/auditor.*     the consortium auditor (trusted by every node)
    D/tls/consortium-cas.pem   every province CA in one bundle (for clients of all nodes)

``consortium.json`` is replaced atomically; readers never see half a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DEFAULT_PROVINCES",
    "ConsortiumDoc",
    "ConsortiumLayout",
    "IdentityEntry",
    "LedgerEntry",
    "ProvinceEntry",
    "in_order",
]

DEFAULT_PROVINCES: Final = ("SH", "JS", "ZJ", "AH")


def in_order(provinces: Iterable[str]) -> list[str]:
    """``provinces`` in the order of DEFAULT_PROVINCES (unknown codes last, sorted)."""
    rank = {p: i for i, p in enumerate(DEFAULT_PROVINCES)}
    return sorted(provinces, key=lambda p: (rank.get(p, len(rank)), p))


@dataclass(frozen=True)
class ConsortiumLayout:
    """The paths under a consortium directory ``root``."""

    root: Path

    @property
    def doc(self) -> Path:
        return self.root / "consortium.json"

    @property
    def lock(self) -> Path:
        return self.root / ".consortium.lock"

    @property
    def ledger_dir(self) -> Path:
        return self.root / "ledger"

    @property
    def state_file(self) -> Path:
        return self.ledger_dir / "state.json"

    @property
    def anvil_log(self) -> Path:
        return self.ledger_dir / "anvil.log"

    @property
    def deployment(self) -> Path:
        """The contracts' deployment file (``credit-node verify-answer --deployment``)."""
        return self.ledger_dir / "deployment.json"

    @property
    def demo_dir(self) -> Path:
        """Files the demo leaves for exploring: grants, an example subject."""
        return self.root / "demo"

    @property
    def ca_bundle(self) -> Path:
        return self.root / "tls" / "consortium-cas.pem"

    def node_dir(self, province: str) -> Path:
        return self.root / province

    def config(self, province: str) -> Path:
        return self.node_dir(province) / "node.toml"

    def serve_log(self, province: str) -> Path:
        return self.node_dir(province) / "serve.log"

    def identity_cert(self, name: str) -> Path:
        return self.root / "identities" / f"{name}.pem"

    def identity_key(self, name: str) -> Path:
        return self.root / "identities" / f"{name}.key"


@dataclass
class LedgerEntry:
    """The local chain: where it answers, its anvil process and the deployed contracts."""

    rpc_url: str
    chain_id: int
    pid: int | None
    state_file: str
    contracts: dict[str, str] = field(default_factory=dict)
    deployment_block: int = 0
    catalog: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProvinceEntry:
    """One node: its fixed gRPC address, process, directories and ledger account."""

    grpc: str
    pid: int | None
    data_dir: str
    config: str
    account: str
    log: str
    database: str = "sqlite"


@dataclass
class IdentityEntry:
    """A client identity: certificate, key, the CA file to trust the node(s) it calls."""

    cert: str
    key: str
    ca: str
    name: str
    province: str
    purposes: list[str] = field(default_factory=list)


@dataclass
class ConsortiumDoc:
    """The whole ``consortium.json``."""

    ledger: LedgerEntry
    provinces: dict[str, ProvinceEntry]
    identities: dict[str, IdentityEntry]

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        for entry in doc["identities"].values():
            if not entry["purposes"]:
                entry.pop("purposes")
        return doc

    @classmethod
    def from_json(cls, raw: object, where: str) -> ConsortiumDoc:
        """Parse a document written by :meth:`save`; ValueError names the defect."""
        try:
            if not isinstance(raw, dict):
                raise TypeError("want a JSON object")
            return cls(
                ledger=LedgerEntry(**raw["ledger"]),
                provinces={p: ProvinceEntry(**raw["provinces"][p])
                           for p in in_order(raw["provinces"])},
                identities={n: IdentityEntry(**v) for n, v in raw["identities"].items()},
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed {where}: {type(exc).__name__}: {exc}") from exc

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename)."""
        from ledger.deploy import write_json_atomic  # web3: not for readers

        write_json_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> ConsortiumDoc:
        """Read ``path``; OSError when it cannot be read, ValueError when malformed."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed {path}: {exc.msg} at line {exc.lineno}") from exc
        return cls.from_json(raw, str(path))

    def identity(self, name: str) -> IdentityEntry:
        """The identity ``name`` (``agency``, ``auditor``, ``platform.JS`` ...)."""
        try:
            return self.identities[name]
        except KeyError as exc:
            raise ValueError(
                f"consortium has no identity {name!r}; it has {', '.join(sorted(self.identities))}"
            ) from exc
