"""Shared data and helpers for the ledger tests (members, keys, catalog adoption)."""

from __future__ import annotations

import hashlib

from eth_account import Account

from ledger.client import LedgerClient
from ledger.devkeys import DEV_KEYS
from ledger.types import MemberSpec

PROVINCES = ("SH", "JS", "ZJ", "AH")
KEYS = {p: DEV_KEYS[i + 1] for i, p in enumerate(PROVINCES)}
OUTSIDER_KEY = DEV_KEYS[5]
SIG = b"\x5a" * 64


def address_of(key: str) -> str:
    return str(Account.from_key(key).address)


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def member_spec(province: str, key: str) -> MemberSpec:
    return MemberSpec(
        province=province,
        account=address_of(key),
        node_key=digest(f"node-key-{province}"),
        oprf_key_commitment=digest(f"oprf-{province}"),
        tls_ca_fingerprint=digest(f"tls-ca-{province}"),
    )


MEMBERS = [member_spec(p, KEYS[p]) for p in PROVINCES]


def adopt_catalog(clients: dict[str, LedgerClient], version: int) -> bytes:
    """Adopt catalog `version` by SH's proposal with JS and ZJ approving (3 of 4)."""
    document_hash = digest(f"catalog-v{version}")
    pid = clients["SH"].propose_adopt_catalog(version, document_hash)
    clients["JS"].approve(pid)
    assert clients["ZJ"].approve(pid).executed
    return document_hash
