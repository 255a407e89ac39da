"""A record in transit, as plain data: what ``credit.v1.ProvenRecord`` carries.

``raw`` is the item's deterministic protobuf encoding: what the quarantine hashes and
seals; it takes no part in verification. Every other field is checked by
``node.exchange.verify`` against the payload bytes and the ledger before it is believed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnchorRef:
    """Where the origin says the batch root was anchored (checked against the chain)."""

    chain_id: int
    contract: bytes
    tx_hash: bytes
    block_number: int
    seq: int


@dataclass(frozen=True, slots=True)
class Proven:
    """A record with everything needed to verify it against the ledger.

    Envelope fields (``province`` … ``publish_date``) are the typed convenience copy;
    ``payload`` is the canonical record the commitment covers. ``kind`` and ``severity``
    are the lower-case names (``"dishonesty"``, ``"serious"``), empty when unspecified.
    """

    province: str
    record_no: str
    kind: str
    local_category: str
    shared_category: str
    severity: str
    rule_version: str
    publish_date: str
    payload: bytes
    salt: bytes
    leaf_index: int
    inclusion_proof: tuple[bytes, ...]
    batch_header: bytes
    header_signature: bytes
    anchor: AnchorRef
    objection_flagged: bool
    raw: bytes = b""
    # Commitment scheme (crypto.disclosure): 1 (``salt`` is the salt) or 2 (the seed).
    scheme: int = 1


@dataclass(frozen=True, slots=True)
class AnchorTarget:
    """The ledger this node trusts: its chain id and RecordAnchors address (20 bytes)."""

    chain_id: int
    contract: bytes

    @classmethod
    def from_config(cls, chain_id: int, contracts: dict[str, str]) -> AnchorTarget:
        """From ``[ledger]`` settings; a missing RecordAnchors address gives 20 zero bytes."""
        address = contracts.get("RecordAnchors", "0x" + "00" * 20)
        return cls(chain_id, bytes.fromhex(address.removeprefix("0x")))
