"""Reading and writing PEM certificates, TLS private keys and the ledger account key.

Private keys go through :mod:`crypto.key_files` (mode 0600, refused when group or others
may read them, failures are :class:`~crypto.errors.KeyFileError`); the ledger account
key's format is :mod:`ledger.files`'. What is ours is PEM: certificates are written mode
0644 with the same atomic, never-overwriting create, and failures to read or parse a PEM
are :class:`~node.identity.errors.IdentityFileError`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.key_files import PRIVATE_KEY_MODE, create_new_file, read_private_key_file
from crypto.key_files import write_private_key_file as _write_private_key_file
from node.identity.errors import IdentityFileError

__all__ = [
    "CERT_MODE",
    "KEY_MODE",
    "create_ledger_account_file",
    "load_certificate",
    "load_ledger_account_key",
    "load_tls_private_key",
    "write_certificate",
    "write_tls_private_key",
]

KEY_MODE = PRIVATE_KEY_MODE
CERT_MODE = 0o644
_MAX_FILE = 1 << 20


def _read_public(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise IdentityFileError(f"{path} is not a regular file")
        if info.st_size > _MAX_FILE:
            raise IdentityFileError(f"{path} is larger than {_MAX_FILE} bytes")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IdentityFileError(f"{path} does not exist") from exc
    except OSError as exc:
        raise IdentityFileError(f"cannot read {path}: {exc.strerror}") from exc


def write_tls_private_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Write ``key`` as unencrypted PKCS#8 PEM to a new file, mode 0600."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write_private_key_file(path, pem)


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    """Write ``cert`` as PEM to a new file, mode 0644; never overwrites."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        create_new_file(path, cert.public_bytes(serialization.Encoding.PEM), CERT_MODE)
    except FileExistsError as exc:
        raise IdentityFileError(f"{path} already exists; refusing to overwrite it") from exc
    except OSError as exc:
        raise IdentityFileError(f"cannot write {path}: {exc.strerror}") from exc


def load_certificate(path: Path) -> x509.Certificate:
    """The PEM certificate at ``path`` (the first one, if the file holds several)."""
    path = Path(path)
    try:
        return x509.load_pem_x509_certificate(_read_public(path))
    except ValueError as exc:
        raise IdentityFileError(f"{path} is not a PEM certificate: {exc}") from exc


def load_tls_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The ECDSA private key (PEM) at ``path``; the file must be mode 0600."""
    path = Path(path)
    data = read_private_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityFileError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise IdentityFileError(f"{path} holds a {type(key).__name__}, want an EC private key")
    return key


def create_ledger_account_file(path: Path) -> str:
    """Create a fresh ledger account, save its key at ``path`` (mode 0600).

    Returns the account's checksummed address.
    """
    from ledger.files import create_account_key_file  # eth_account: only when asked for

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return create_account_key_file(Path(path))


def load_ledger_account_key(path: Path) -> str:
    """The ledger account's private key (0x-hex) in the key file at ``path``.

    Why a wrapper: ``ledger.files`` loads eth_account (about a second), which client
    commands reading only certificates must not pay for.
    """
    from ledger.files import read_key_file

    return read_key_file(path)
