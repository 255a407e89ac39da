"""Plain data exchanged with the ledger client, and the province code conversion.

Province codes are two ASCII capital letters in Python ("JS") and `bytes2` on chain.
Hashes, roots and keys are 32-byte `bytes`; addresses are checksummed 0x strings.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ledger.errors import MalformedChainData

_PROVINCE = re.compile(r"^[A-Z]{2}$")


def province_to_bytes(province: str) -> bytes:
    """'JS' -> b'JS'. Raises ValueError unless `province` is two capital ASCII letters."""
    if not isinstance(province, str):
        raise TypeError(f"province must be str, got {type(province).__name__}")
    if not _PROVINCE.match(province):
        raise ValueError(f"bad province code {province!r}: want two capital letters like 'JS'")
    return province.encode("ascii")


def province_from_bytes(raw: bytes) -> str:
    """b'JS' -> 'JS'. Raises `MalformedChainData` for anything but two capital ASCII letters
    (the bytes come from the chain, so a bad code is the chain's data, not our argument)."""
    text = bytes(raw).decode("ascii", errors="replace")
    if len(raw) != 2 or not _PROVINCE.match(text):
        raise MalformedChainData(
            f"bad on-chain province code 0x{bytes(raw).hex()}: want 2 capital letters"
        )
    return text


def require_hash32(value: bytes, what: str) -> bytes:
    """Return `value` as bytes if it is exactly 32 bytes; raises ValueError naming `what`."""
    if not isinstance(value, bytes | bytearray):
        raise TypeError(f"{what} must be bytes, got {type(value).__name__}")
    if len(value) != 32:
        raise ValueError(f"{what} must be 32 bytes, got {len(value)}")
    return bytes(value)


class ProposalKind(enum.IntEnum):
    """Governance proposal kinds (the contract's `ProposalKind` enum)."""

    ADD_MEMBER = 0
    REMOVE_MEMBER = 1
    ROTATE_KEYS = 2
    ADOPT_CATALOG = 3
    CHANGE_THRESHOLD = 4
    APPOINT_AUDITOR_CA = 5


@dataclass(frozen=True)
class MemberSpec:
    """A member as proposed or deployed: province, account and its three public keys."""

    province: str
    account: str
    node_key: bytes
    oprf_key_commitment: bytes
    tls_ca_fingerprint: bytes


@dataclass(frozen=True)
class Member:
    """A member as stored on chain; `active` is False after removal."""

    province: str
    account: str
    node_key: bytes
    oprf_key_commitment: bytes
    tls_ca_fingerprint: bytes
    active: bool


@dataclass(frozen=True)
class Proposal:
    """A governance proposal; `params` is the decoded `data` for display and checks."""

    id: int
    kind: ProposalKind
    data: bytes
    proposer: str
    approvals: int
    executed: bool
    params: dict[str, object]


@dataclass(frozen=True)
class TxResult:
    """The outcome of a mined, successful transaction."""

    tx_hash: str
    block_number: int
    gas_used: int


AnchorReceipt = TxResult


@dataclass(frozen=True)
class ApprovalResult:
    """The outcome of `approve`: the approval count after it and whether it executed."""

    tx_hash: str
    block_number: int
    gas_used: int
    approvals: int
    executed: bool


@dataclass(frozen=True)
class BatchInfo:
    """A province's latest anchored batch (seq 0 and zero root when none)."""

    province: str
    seq: int
    root: bytes
    size: int


@dataclass(frozen=True)
class AuditHead:
    """A province's latest anchored audit tree head (size 0 and zero root when none)."""

    province: str
    tree_size: int
    root: bytes
