"""Deploy the contract suite and read/write the resulting deployment file.

Order (contracts/INTERFACE.md): Governance(initial members), Catalog(governance),
governance.bindCatalog(catalog), RecordAnchors(governance, catalog), AuditAnchors(governance).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.abi import get_abi_input_types
from eth_utils.address import is_address, to_checksum_address
from web3.types import TxReceipt

from ledger.artifacts import CONTRACT_NAMES, load_artifact
from ledger.core import suite_decoder
from ledger.errors import LedgerError, MalformedInput
from ledger.proposals import checked_address
from ledger.rpc import connect, transport_guard
from ledger.tx import FeePolicy, TxSender
from ledger.types import MemberSpec, province_to_bytes, require_hash32


@dataclass(frozen=True)
class Deployment:
    """Where the suite lives: contract name -> address, the first block of the
    deployment (where event indexing starts), the chain id and, optionally, the JSON-RPC
    URL it was deployed through."""

    addresses: dict[str, str]
    block: int
    chain_id: int
    rpc_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON document written by `save`."""
        document: dict[str, Any] = {
            "chain_id": self.chain_id,
            "block": self.block,
            "addresses": self.addresses,
        }
        if self.rpc_url is not None:
            document["rpc_url"] = self.rpc_url
        return document

    @classmethod
    def from_json(cls, document: object, where: str = "deployment") -> Deployment:
        """Parse a deployment document; raises `MalformedInput` naming the defect."""
        if not isinstance(document, dict):
            raise MalformedInput(f"malformed {where}: want a JSON object")
        addresses = document.get("addresses")
        if not isinstance(addresses, dict):
            raise MalformedInput(f"malformed {where}: 'addresses' must be an object")
        for name in CONTRACT_NAMES:
            value = addresses.get(name)
            if not isinstance(value, str) or not is_address(value):
                raise MalformedInput(f"malformed {where}: addresses.{name} is not an address")
        block, chain_id = document.get("block"), document.get("chain_id")
        if not isinstance(block, int) or block < 0:
            raise MalformedInput(f"malformed {where}: 'block' must be an integer >= 0")
        if not isinstance(chain_id, int) or chain_id <= 0:
            raise MalformedInput(f"malformed {where}: 'chain_id' must be a positive integer")
        rpc_url = document.get("rpc_url")
        if rpc_url is not None and not isinstance(rpc_url, str):
            raise MalformedInput(f"malformed {where}: 'rpc_url' must be a string")
        return cls(
            addresses={n: str(to_checksum_address(addresses[n])) for n in CONTRACT_NAMES},
            block=block,
            chain_id=chain_id,
            rpc_url=rpc_url,
        )

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename)."""
        write_json_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Read a file written by `save`; raises `MalformedInput` naming the file's defect."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MalformedInput(f"deployment file {path} unreadable: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise MalformedInput(f"malformed deployment file {path}: {exc.msg}") from exc
        return cls.from_json(document, f"deployment file {path}")


def write_json_atomic(path: Path, document: object) -> None:
    """Write `document` as JSON to `path` via a temp file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def constructor_data(name: str, args: Sequence[Any]) -> bytes:
    """Creation bytecode of contract `name` followed by its ABI-encoded constructor args."""
    artifact = load_artifact(name)
    code = bytes.fromhex(artifact.bytecode[2:])
    ctor: Any = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
    types = get_abi_input_types(ctor) if ctor is not None else []
    if len(types) != len(args):
        raise LedgerError(f"{name} constructor takes {len(types)} arguments, got {len(args)}")
    return code + abi_encode(types, list(args))


def member_arrays(members: Sequence[MemberSpec]) -> list[list[Any]]:
    """Governance's five parallel constructor arrays."""
    if not members:
        raise ValueError("at least one initial member is required")
    return [
        [province_to_bytes(m.province) for m in members],
        [checked_address(m.account) for m in members],
        [require_hash32(m.node_key, f"{m.province} node_key") for m in members],
        [require_hash32(m.oprf_key_commitment, f"{m.province} oprf") for m in members],
        [require_hash32(m.tls_ca_fingerprint, f"{m.province} tls ca") for m in members],
    ]


def _created_address(receipt: TxReceipt, name: str) -> str:
    address = receipt.get("contractAddress")
    if not address:
        raise LedgerError(f"deploying {name}: receipt has no contract address")
    return str(to_checksum_address(address))


def deploy_suite(
    rpc_url: str,
    deployer_key: str,
    members: Sequence[MemberSpec],
    *,
    timeout: float = 30.0,
    fees: FeePolicy | None = None,
) -> Deployment:
    """Deploy the four contracts with `members` as initial members and bind the catalog.

    Preconditions: the deployer account is funded (or gas is free); member provinces and
    accounts are distinct. Raises `ContractRevert` for refused arguments.
    """
    arrays = member_arrays(members)
    w3 = connect(rpc_url, timeout)
    sender = TxSender(w3, deployer_key, suite_decoder(), fees=fees, timeout=timeout)
    with transport_guard(rpc_url, "reading the chain id"):
        chain_id = int(w3.eth.chain_id)
    gov_receipt = sender.transact("Governance", None, constructor_data("Governance", arrays))
    governance = _created_address(gov_receipt, "Governance")
    catalog = _created_address(
        sender.transact("Catalog", None, constructor_data("Catalog", [governance])), "Catalog"
    )
    bind = bytes.fromhex(
        w3.eth.contract(abi=list(load_artifact("Governance").abi))
        .encode_abi("bindCatalog", args=[catalog])[2:]
    )
    sender.transact("Governance", governance, bind)
    anchors = _created_address(
        sender.transact(
            "RecordAnchors", None, constructor_data("RecordAnchors", [governance, catalog])
        ),
        "RecordAnchors",
    )
    audit = _created_address(
        sender.transact("AuditAnchors", None, constructor_data("AuditAnchors", [governance])),
        "AuditAnchors",
    )
    return Deployment(
        addresses={
            "Governance": governance,
            "Catalog": catalog,
            "RecordAnchors": anchors,
            "AuditAnchors": audit,
        },
        block=int(gov_receipt["blockNumber"]),
        chain_id=chain_id,
        rpc_url=rpc_url,
    )
