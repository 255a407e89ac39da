"""The node's OPRF key file: a 32-byte seed from which the OPRF key pair is derived.

Same rules as every other private key of the node (:mod:`crypto.key_files`: mode 0600,
never overwritten, refused when group or others may read it) and the same one-line format
as :mod:`crypto.keys`, ``yrd-credit-oprf-seed-v1:<64 hex digits>``, so an Ed25519 seed or a
master key can never be loaded as the OPRF key. The key pair is
``crypto.oprf.derive_key_pair(seed)``; its public key is the on-chain commitment.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Final

from crypto.errors import KeyFileError
from crypto.key_files import PathLike, read_private_key_file, write_private_key_file
from crypto.oprf import OprfKeyPair, derive_key_pair

__all__ = ["OPRF_KEY_LABEL", "create_oprf_key_file", "load_oprf_key"]

OPRF_KEY_LABEL: Final = "yrd-credit-oprf-seed-v1"
_SEED_SIZE: Final = 32
_MAX_FILE: Final = 4096


def create_oprf_key_file(path: PathLike) -> OprfKeyPair:
    """Generate a fresh OPRF seed, save it at ``path`` (0600, no overwrite), return the pair."""
    seed = secrets.token_bytes(_SEED_SIZE)
    write_private_key_file(path, f"{OPRF_KEY_LABEL}:{seed.hex()}\n".encode("ascii"))
    return derive_key_pair(seed)


def load_oprf_key(path: PathLike) -> OprfKeyPair:
    """Load the OPRF key pair from the seed file at ``path`` (checked to be mode 0600)."""
    where = Path(path)
    data = read_private_key_file(where, _MAX_FILE)
    try:
        text = data.decode("ascii").rstrip("\n")
    except UnicodeDecodeError as exc:
        raise KeyFileError(f"key file {where} is not ASCII; want '{OPRF_KEY_LABEL}:<hex>'") from exc
    label, sep, digits = text.partition(":")
    if not sep or label != OPRF_KEY_LABEL:
        raise KeyFileError(f"key file {where} is not a {OPRF_KEY_LABEL!r} key file")
    try:
        seed = bytes.fromhex(digits)
    except ValueError as exc:
        raise KeyFileError(f"key file {where}: the seed is not hex digits") from exc
    if len(seed) != _SEED_SIZE:
        raise KeyFileError(f"key file {where}: seed of {len(seed)} bytes, want {_SEED_SIZE}")
    return derive_key_pair(seed)
