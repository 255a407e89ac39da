"""Operator files: the account key file and the initial-members file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from eth_account import Account

from ledger.proposals import checked_address
from ledger.types import MemberSpec, province_to_bytes


class KeyFileError(ValueError):
    """The key file is missing, too widely readable or does not hold a key."""


def read_key_file(path: Path) -> str:
    """The 0x-hex secp256k1 private key in `path`.

    Preconditions: the file holds one 0x-hex 32-byte key (surrounding whitespace allowed)
    and is not readable or writable by group or others (mode 0600 or stricter).
    The key itself never appears in an error message.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyFileError(f"key file {path} unreadable: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is accessible by group or others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"key file {path} unreadable: {exc}") from exc
    hex_part = text.removeprefix("0x")
    if len(hex_part) != 64:
        raise KeyFileError(
            f"key file {path} malformed: want 0x followed by 64 hex digits "
            f"({len(hex_part)} characters found)"
        )
    try:
        Account.from_key("0x" + hex_part)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"key file {path} malformed: not a valid secp256k1 key") from exc
    return "0x" + hex_part.lower()


def parse_hash32(text: object, where: str) -> bytes:
    """32 bytes from a 0x-hex string (64 hex digits); ValueError naming `where`."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: want a 0x-hex string of 32 bytes")
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError as exc:
        raise ValueError(f"{where}: not hex") from exc
    if len(raw) != 32:
        raise ValueError(f"{where}: want 32 bytes, got {len(raw)}")
    return raw


def parse_member(entry: object, where: str) -> MemberSpec:
    """One member object: {province, account, node_key, oprf_key_commitment,
    tls_ca_fingerprint}, hashes and keys as 0x-hex."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: want an object")
    province = entry.get("province")
    if not isinstance(province, str):
        raise ValueError(f"{where}.province: want a two-letter code like 'JS'")
    province_to_bytes(province)
    account = entry.get("account")
    if not isinstance(account, str):
        raise ValueError(f"{where}.account: want a 0x address")
    return MemberSpec(
        province=province,
        account=checked_address(account),
        node_key=parse_hash32(entry.get("node_key"), f"{where}.node_key"),
        oprf_key_commitment=parse_hash32(
            entry.get("oprf_key_commitment"), f"{where}.oprf_key_commitment"
        ),
        tls_ca_fingerprint=parse_hash32(
            entry.get("tls_ca_fingerprint"), f"{where}.tls_ca_fingerprint"
        ),
    )


def read_members_file(path: Path) -> list[MemberSpec]:
    """The initial members: a JSON list of member objects (see `parse_member`), or an
    object with such a list under "members"."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"members file {path} unreadable: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"members file {path} is not JSON: {exc.msg}") from exc
    if isinstance(document, dict):
        document = document.get("members")
    if not isinstance(document, list) or not document:
        raise ValueError(f"members file {path}: want a non-empty JSON list of members")
    return [parse_member(entry, f"{path}[{i}]") for i, entry in enumerate(document)]


def member_to_json(member: MemberSpec) -> dict[str, str]:
    """The members-file form of one member."""
    return {
        "province": member.province,
        "account": member.account,
        "node_key": "0x" + member.node_key.hex(),
        "oprf_key_commitment": "0x" + member.oprf_key_commitment.hex(),
        "tls_ca_fingerprint": "0x" + member.tls_ca_fingerprint.hex(),
    }
