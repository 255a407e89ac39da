"""Key files: the node's Ed25519 signing key and its 32-byte master key (the only I/O here).

A key file is one line of ASCII, ``<label>:<64 hex digits>\\n``, where the label names the
kind of key (``yrd-credit-ed25519-seed-v1`` or ``yrd-credit-master-key-v1``) so that one
kind is never loaded as the other. Usage::

    from crypto.keys import create_signing_key_file, load_signing_key

    create_signing_key_file(data_dir / "node.key")       # once; mode 0600, never overwrites
    signing_key = load_signing_key(data_dir / "node.key")

Files are created mode 0600, never overwritten, and refused when group or others may
access them: :mod:`crypto.key_files` does that I/O; this module owns the format.

Every failure is a :class:`~crypto.errors.KeyFileError` naming the path and the fix. Key
material never appears in messages.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Final

import nacl.signing

from crypto.errors import KeyFileError
from crypto.key_files import PathLike, read_private_key_file, write_private_key_file
from crypto.sealing import MASTER_KEY_SIZE, MasterKey, master_key

__all__ = [
    "MASTER_KEY_LABEL",
    "SIGNING_KEY_LABEL",
    "create_master_key_file",
    "create_signing_key_file",
    "load_master_key",
    "load_signing_key",
    "save_master_key",
    "save_signing_key",
]

SIGNING_KEY_LABEL: Final = "yrd-credit-ed25519-seed-v1"
MASTER_KEY_LABEL: Final = "yrd-credit-master-key-v1"
_KEY_SIZE = 32
_MAX_FILE = 4096
_HEX = frozenset("0123456789abcdefABCDEF")


def _encode(label: str, key: bytes) -> bytes:
    return f"{label}:{key.hex()}\n".encode("ascii")


def _decode(path: Path, label: str, data: bytes) -> bytes:
    try:
        text = data.decode("ascii").rstrip("\n")
    except UnicodeDecodeError as exc:
        raise KeyFileError(f"key file {path} is not ASCII; want '{label}:<hex>'") from exc
    found, sep, digits = text.partition(":")
    if not sep or found != label:
        shown = repr(found[:40]) if sep and found.isprintable() else "no label"
        raise KeyFileError(f"key file {path} has {shown}; want a {label!r} key file")
    if len(digits) != 2 * _KEY_SIZE or not set(digits) <= _HEX:
        raise KeyFileError(
            f"key file {path} must hold {2 * _KEY_SIZE} hex digits after the label, "
            f"got {len(digits)} characters"
        )
    return bytes.fromhex(digits)


def save_signing_key(path: PathLike, signing_key: nacl.signing.SigningKey) -> None:
    """Write ``signing_key``'s seed to a new file at ``path`` (mode 0600, never overwrites)."""
    if not isinstance(signing_key, nacl.signing.SigningKey):
        raise TypeError(f"signing_key must be a nacl SigningKey, got {type(signing_key).__name__}")
    write_private_key_file(path, _encode(SIGNING_KEY_LABEL, bytes(signing_key)))


def create_signing_key_file(path: PathLike) -> nacl.signing.SigningKey:
    """Generate a new Ed25519 signing key, save it at ``path`` and return it."""
    signing_key = nacl.signing.SigningKey.generate()
    save_signing_key(path, signing_key)
    return signing_key


def load_signing_key(path: PathLike) -> nacl.signing.SigningKey:
    """Load the Ed25519 signing key at ``path`` after checking the file is mode 0600."""
    where = Path(path)
    seed = _decode(where, SIGNING_KEY_LABEL, read_private_key_file(where, _MAX_FILE))
    return nacl.signing.SigningKey(seed)


def save_master_key(path: PathLike, key: MasterKey) -> None:
    """Write the 32-byte master ``key`` to a new file at ``path`` (mode 0600, no overwrite)."""
    write_private_key_file(path, _encode(MASTER_KEY_LABEL, master_key(key)))


def create_master_key_file(path: PathLike) -> MasterKey:
    """Generate a new random master key, save it at ``path`` and return it."""
    key = MasterKey(secrets.token_bytes(MASTER_KEY_SIZE))
    save_master_key(path, key)
    return key


def load_master_key(path: PathLike) -> MasterKey:
    """Load the master key at ``path`` after checking the file is mode 0600."""
    where = Path(path)
    return master_key(_decode(where, MASTER_KEY_LABEL, read_private_key_file(where, _MAX_FILE)))
