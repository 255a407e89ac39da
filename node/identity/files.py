"""Reading and writing PEM certificates, TLS private keys and the ledger account key.

Private keys are written mode 0600, certificates 0644. A file is created under a
temporary name (``O_EXCL``), fsynced, then hard-linked to its final name, so an existing
file is never overwritten and a crash never leaves half a key. Loading a private key
refuses a file that group or others may read.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from eth_account import Account

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

KEY_MODE = 0o600
CERT_MODE = 0o644
_MAX_FILE = 1 << 20
_ACCOUNT_RE = re.compile(r"^0x[0-9a-f]{64}$")


def _write_new(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` with ``content`` and exactly ``mode``; never overwrite."""
    if os.path.lexists(path):
        raise IdentityFileError(f"{path} already exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        try:
            os.fchmod(fd, mode)  # the umask may have removed bits we want
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temp, path)
    except FileExistsError as exc:
        raise IdentityFileError(f"{path} already exists; refusing to overwrite it") from exc
    except OSError as exc:
        raise IdentityFileError(f"cannot write {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _read(path: Path, *, private: bool) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise IdentityFileError(f"{path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if private and mode & 0o077:
            raise IdentityFileError(
                f"private key file {path} has mode {mode:04o}; want 0600 "
                f"(fix with: chmod 600 {path})"
            )
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
    _write_new(Path(path), pem, KEY_MODE)


def write_certificate(path: Path, cert: x509.Certificate) -> None:
    """Write ``cert`` as PEM to a new file, mode 0644."""
    _write_new(Path(path), cert.public_bytes(serialization.Encoding.PEM), CERT_MODE)


def load_certificate(path: Path) -> x509.Certificate:
    """The PEM certificate at ``path`` (the first one, if the file holds several)."""
    path = Path(path)
    try:
        return x509.load_pem_x509_certificate(_read(path, private=False))
    except ValueError as exc:
        raise IdentityFileError(f"{path} is not a PEM certificate: {exc}") from exc


def load_tls_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The ECDSA private key (PEM) at ``path``; the file must be mode 0600."""
    path = Path(path)
    data = _read(path, private=True)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityFileError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise IdentityFileError(f"{path} holds a {type(key).__name__}, want an EC private key")
    return key


def create_ledger_account_file(path: Path) -> str:
    """Create a fresh secp256k1 ledger account, save its key as ``0x<hex>`` (mode 0600).

    Returns the account's checksummed address.
    """
    account = Account.create()
    _write_new(Path(path), f"0x{bytes(account.key).hex()}\n".encode("ascii"), KEY_MODE)
    return str(account.address)


def load_ledger_account_key(path: Path) -> str:
    """The ledger account key at ``path`` as ``0x`` + 64 lowercase hex digits."""
    path = Path(path)
    text = _read(path, private=True).decode("ascii", errors="replace").strip().lower()
    if not _ACCOUNT_RE.fullmatch(text):
        raise IdentityFileError(f"{path} does not hold a ledger key ('0x' + 64 hex digits)")
    return text
