"""Operator files: the account key file's format and the initial-members file.

The key file's I/O (mode checks, atomic 0600 writes) is `crypto.key_files`'s; a bad key
file raises `crypto.errors.KeyFileError`.
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from crypto.errors import KeyFileError
from crypto.key_files import read_private_key_file, write_private_key_file
from ledger.errors import MalformedInput
from ledger.proposals import checked_address
from ledger.types import MemberSpec, province_to_bytes

_MAX_KEY_FILE = 4096


def read_key_file(path: Path) -> str:
    """The 0x-hex secp256k1 private key in `path`.

    Preconditions: the file holds one 0x-hex 32-byte key (surrounding whitespace allowed)
    and is not readable or writable by group or others (mode 0600 or stricter).
    Raises `crypto.errors.KeyFileError`; the key itself never appears in its message.
    """
    data = read_private_key_file(path, _MAX_KEY_FILE)
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise KeyFileError(f"key file {path} malformed: not ASCII") from exc
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


def create_account_key_file(path: Path) -> str:
    """Create a fresh secp256k1 account and save its key in `path` as ``0x<hex>``.

    The file is written mode 0600 and never overwrites (see `crypto.key_files`); returns
    the account's checksummed address.
    """
    account = Account.create()
    write_private_key_file(path, f"0x{bytes(account.key).hex()}\n".encode("ascii"))
    return str(account.address)


def parse_hash32(text: object, where: str) -> bytes:
    """32 bytes from a 0x-hex string (64 hex digits); `MalformedInput` naming `where`."""
    if not isinstance(text, str):
        raise MalformedInput(f"{where}: want a 0x-hex string of 32 bytes")
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError as exc:
        raise MalformedInput(f"{where}: not hex") from exc
    if len(raw) != 32:
        raise MalformedInput(f"{where}: want 32 bytes, got {len(raw)}")
    return raw


def parse_member(entry: object, where: str) -> MemberSpec:
    """One member object: {province, account, node_key, oprf_key_commitment,
    tls_ca_fingerprint}, hashes and keys as 0x-hex."""
    if not isinstance(entry, dict):
        raise MalformedInput(f"{where}: want an object")
    province = entry.get("province")
    if not isinstance(province, str):
        raise MalformedInput(f"{where}.province: want a two-letter code like 'JS'")
    try:
        province_to_bytes(province)
    except ValueError as exc:
        raise MalformedInput(f"{where}.province: {exc}") from exc
    account = entry.get("account")
    if not isinstance(account, str):
        raise MalformedInput(f"{where}.account: want a 0x address")
    try:
        account = checked_address(account)
    except ValueError as exc:
        raise MalformedInput(f"{where}.account: {exc}") from exc
    return MemberSpec(
        province=province,
        account=account,
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
        raise MalformedInput(f"members file {path} unreadable: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"members file {path} is not JSON: {exc.msg}") from exc
    if isinstance(document, dict):
        document = document.get("members")
    if not isinstance(document, list) or not document:
        raise MalformedInput(f"members file {path}: want a non-empty JSON list of members")
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
