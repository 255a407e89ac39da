"""Typed ledger events, one dataclass per contract event, and their decoding from logs.

Field names are the ABI parameter names in snake_case; provinces are text ('JS'),
hashes/keys/signatures bytes, addresses checksummed strings. Every event carries where it
was emitted (`contract` name, `block_number`, `tx_hash`, `log_index`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from eth_utils.address import to_checksum_address

from ledger.types import ProposalKind, province_from_bytes


@dataclass(frozen=True)
class Event:
    """Where a log was emitted; subclasses add the event's own fields."""

    contract: str
    block_number: int
    tx_hash: str
    log_index: int


@dataclass(frozen=True)
class MemberAdded(Event):
    province: str
    account: str
    node_key: bytes
    oprf_key_commitment: bytes
    tls_ca_fingerprint: bytes


@dataclass(frozen=True)
class MemberRemoved(Event):
    province: str
    account: str


@dataclass(frozen=True)
class KeysRotated(Event):
    province: str
    account: str
    node_key: bytes
    oprf_key_commitment: bytes
    tls_ca_fingerprint: bytes


@dataclass(frozen=True)
class ThresholdChanged(Event):
    threshold: int


@dataclass(frozen=True)
class AuditorCaAppointed(Event):
    fingerprint: bytes
    appointed: bool


@dataclass(frozen=True)
class CertificateRevoked(Event):
    province: str
    fingerprint: bytes


@dataclass(frozen=True)
class ProposalCreated(Event):
    id: int
    kind: ProposalKind
    proposer: str
    data: bytes


@dataclass(frozen=True)
class ProposalApproved(Event):
    id: int
    member: str
    approvals: int


@dataclass(frozen=True)
class ProposalExecuted(Event):
    id: int
    kind: ProposalKind


@dataclass(frozen=True)
class CatalogBound(Event):
    catalog: str


@dataclass(frozen=True)
class CatalogAdopted(Event):
    version: int
    document_hash: bytes


@dataclass(frozen=True)
class MappingPublished(Event):
    province: str
    version: int
    mapping_hash: bytes


@dataclass(frozen=True)
class BatchAnchored(Event):
    province: str
    seq: int
    root: bytes
    size: int
    prev_root: bytes
    catalog_version: int
    header_sig: bytes


@dataclass(frozen=True)
class RevocationsAnchored(Event):
    province: str
    seq: int
    root: bytes
    size: int
    prev_root: bytes
    header_sig: bytes


@dataclass(frozen=True)
class AuditHeadAnchored(Event):
    province: str
    tree_size: int
    root: bytes
    signature: bytes


@dataclass(frozen=True)
class AuditHeadWitnessed(Event):
    province: str
    tree_size: int
    root: bytes
    witness: str
    cosignature: bytes


EVENT_CLASSES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        MemberAdded, MemberRemoved, KeysRotated, ThresholdChanged, ProposalCreated,
        ProposalApproved, ProposalExecuted, CatalogBound, CatalogAdopted, MappingPublished,
        BatchAnchored, RevocationsAnchored, AuditHeadAnchored, AuditHeadWitnessed,
        AuditorCaAppointed, CertificateRevoked,
    )
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(name: str) -> str:
    """'prevRoot' -> 'prev_root'."""
    return _CAMEL.sub("_", name).lower()


def convert_value(abi_type: str, field: str, value: Any) -> object:
    """A decoded ABI value in the shape the dataclasses use."""
    if abi_type == "bytes2":
        return province_from_bytes(bytes(value))
    if abi_type == "address":
        return str(to_checksum_address(value))
    if abi_type.startswith("bytes"):
        return bytes(value)
    if field == "kind":
        return ProposalKind(int(value))
    if abi_type == "bool":
        return bool(value)
    return int(value) if abi_type.startswith(("uint", "int")) else value


def build_event(
    contract: str,
    event_abi: dict[str, Any],
    args: dict[str, Any],
    block_number: int,
    tx_hash: str,
    log_index: int,
) -> Event:
    """The typed event for decoded `args` of `event_abi`. Raises KeyError for an event
    name without a dataclass and ValueError when fields do not match the ABI."""
    cls = EVENT_CLASSES[str(event_abi["name"])]
    values: dict[str, object] = {}
    for item in event_abi["inputs"]:
        field = snake_case(str(item["name"]))
        values[field] = convert_value(str(item["type"]), field, args[item["name"]])
    wanted = {f.name for f in fields(cls)} - {f.name for f in fields(Event)}
    if set(values) != wanted:
        raise ValueError(
            f"event {cls.__name__} ABI fields {sorted(values)} do not match "
            f"the dataclass fields {sorted(wanted)}"
        )
    return cls(
        contract=contract,
        block_number=block_number,
        tx_hash=tx_hash,
        log_index=log_index,
        **values,
    )
