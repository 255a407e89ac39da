"""Encode and decode governance proposal data (`abi.encode(...)` per proposal kind)."""

from __future__ import annotations

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import is_address, to_checksum_address

from ledger.errors import MalformedChainData
from ledger.types import (
    MemberSpec,
    ProposalKind,
    province_from_bytes,
    province_to_bytes,
    require_hash32,
)

_MEMBER_TYPES = ["bytes2", "address", "bytes32", "bytes32", "bytes32"]
_MEMBER_FIELDS = ("province", "account", "node_key", "oprf_key_commitment", "tls_ca_fingerprint")

DATA_TYPES: dict[ProposalKind, list[str]] = {
    ProposalKind.ADD_MEMBER: _MEMBER_TYPES,
    ProposalKind.REMOVE_MEMBER: ["bytes2"],
    ProposalKind.ROTATE_KEYS: _MEMBER_TYPES,
    ProposalKind.ADOPT_CATALOG: ["uint32", "bytes32"],
    ProposalKind.CHANGE_THRESHOLD: ["uint256"],
    ProposalKind.APPOINT_AUDITOR_CA: ["bytes32", "bool"],
}

DATA_FIELDS: dict[ProposalKind, tuple[str, ...]] = {
    ProposalKind.ADD_MEMBER: _MEMBER_FIELDS,
    ProposalKind.REMOVE_MEMBER: ("province",),
    ProposalKind.ROTATE_KEYS: _MEMBER_FIELDS,
    ProposalKind.ADOPT_CATALOG: ("version", "document_hash"),
    ProposalKind.CHANGE_THRESHOLD: ("threshold",),
    ProposalKind.APPOINT_AUDITOR_CA: ("fingerprint", "appointed"),
}


def checked_address(account: str) -> str:
    """`account` checksummed; raises ValueError if it is not a 20-byte hex address."""
    if not isinstance(account, str) or not is_address(account):
        raise ValueError(f"bad account address {account!r}: want 0x followed by 40 hex digits")
    return str(to_checksum_address(account))


def encode_member(member: MemberSpec) -> bytes:
    """Data of an AddMember or RotateKeys proposal."""
    return abi_encode(
        _MEMBER_TYPES,
        [
            province_to_bytes(member.province),
            checked_address(member.account),
            require_hash32(member.node_key, "node_key"),
            require_hash32(member.oprf_key_commitment, "oprf_key_commitment"),
            require_hash32(member.tls_ca_fingerprint, "tls_ca_fingerprint"),
        ],
    )


def encode_remove_member(province: str) -> bytes:
    """Data of a RemoveMember proposal."""
    return abi_encode(["bytes2"], [province_to_bytes(province)])


def encode_adopt_catalog(version: int, document_hash: bytes) -> bytes:
    """Data of an AdoptCatalog proposal; `version` is a uint32 >= 1."""
    if not 1 <= version < 2**32:
        raise ValueError(f"catalog version must be in 1..2^32-1, got {version}")
    return abi_encode(["uint32", "bytes32"], [version, require_hash32(document_hash, "hash")])


def encode_change_threshold(threshold: int) -> bytes:
    """Data of a ChangeThreshold proposal; 0 restores the default ⌈2n/3⌉. The contract
    refuses anything below a majority of the members (``ThresholdBelowMajority``)."""
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    return abi_encode(["uint256"], [threshold])


def encode_appoint_auditor_ca(fingerprint: bytes, appointed: bool) -> bytes:
    """Data of an AppointAuditorCa proposal: the CA certificate's SHA-256 fingerprint and
    whether it is appointed (True) or dismissed (False)."""
    if not isinstance(appointed, bool):
        raise TypeError(f"appointed must be a bool, got {type(appointed).__name__}")
    return abi_encode(["bytes32", "bool"],
                      [require_hash32(fingerprint, "fingerprint"), appointed])


def decode_proposal_data(kind: ProposalKind, data: bytes) -> dict[str, object]:
    """The named parameters of a proposal's data (provinces as text, hashes as bytes).
    Raises `MalformedChainData` if `data` does not decode as `kind` wants."""
    try:
        values = abi_decode(DATA_TYPES[kind], data)
    except DecodingError as exc:
        raise MalformedChainData(
            f"proposal data of kind {kind.name} does not decode ({len(data)} bytes)"
        ) from exc
    params: dict[str, object] = {}
    for field, abi_type, value in zip(DATA_FIELDS[kind], DATA_TYPES[kind], values, strict=True):
        if abi_type == "bytes2":
            params[field] = province_from_bytes(value)
        elif abi_type == "address":
            params[field] = to_checksum_address(value)
        elif abi_type == "bool":
            params[field] = bool(value)
        else:
            params[field] = value
    return params
