"""Private-key files on disk: the one place that creates and opens them.

Every private key of a node (the Ed25519 signing seed, the master key, the TLS keys, the
ledger account key) lives in a file handled here, so the rules below hold for all of them
and are written once. The formats inside the files belong to their callers
(:mod:`crypto.keys`, ``node.identity.files``, ``ledger.files``). Usage::

    from crypto.key_files import read_private_key_file, write_private_key_file

    write_private_key_file(path, encoded)       # mode 0600, never overwrites
    encoded = read_private_key_file(path)        # refused unless mode 0600 or stricter

Rules, like OpenSSH's for private keys:

* Files are created under a temporary name (``O_CREAT | O_EXCL``) with their final mode,
  written, fsynced, then hard-linked to their final name, which fails if that name exists:
  an existing file is never overwritten and a crash never leaves half a key behind.
* A private-key file is refused if any group or other permission bit is set; the error
  says to run ``chmod 600``. Only the file's own mode is checked, not its owner or directory.

Every failure of a private-key file is a :class:`~crypto.errors.KeyFileError` naming the
path and the fix; key material never appears in messages. :func:`create_new_file` is the
same atomic, no-overwrite create for public files (certificates); it raises ``OSError``
so that their owner reports failures in its own terms.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Final, TypeAlias

from crypto.errors import KeyFileError

__all__ = [
    "PRIVATE_KEY_MODE",
    "PathLike",
    "create_new_file",
    "read_private_key_file",
    "write_private_key_file",
]

PRIVATE_KEY_MODE: Final = 0o600
PathLike: TypeAlias = str | os.PathLike[str]
_MAX_FILE: Final = 1 << 16


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_new_file(path: PathLike, content: bytes, mode: int) -> None:
    """Create ``path`` holding ``content`` with exactly ``mode``, atomically.

    Raises ``FileExistsError`` if ``path`` exists (it is never overwritten) and
    ``OSError`` for any other failure; no temporary file is left behind either way.
    """
    where = Path(path)
    if os.path.lexists(where):
        raise FileExistsError(f"{where} already exists")
    temp = where.with_name(f".{where.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        try:
            os.fchmod(fd, mode)  # the umask may have removed bits we want
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temp, where)
        _fsync_dir(where.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def write_private_key_file(path: PathLike, content: bytes) -> None:
    """Create the private-key file ``path`` holding ``content``: mode 0600, no overwrite."""
    try:
        create_new_file(path, content, PRIVATE_KEY_MODE)
    except FileExistsError as exc:
        raise KeyFileError(
            f"key file {path} already exists; refusing to overwrite it (move it away first)"
        ) from exc
    except OSError as exc:
        raise KeyFileError(f"cannot write key file {path}: {exc.strerror}") from exc


def read_private_key_file(path: PathLike, max_size: int = _MAX_FILE) -> bytes:
    """The bytes of the private-key file ``path``, after checking it is safe to trust.

    Refuses a missing or unreadable path, anything but a regular file, a file group or
    others may access (any of the 0o077 bits set), and a file of more than ``max_size``
    bytes (which cannot be a key file).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError as exc:
        raise KeyFileError(f"key file {path} does not exist") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {path}: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"key file {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"key file {path} has mode {mode:04o}: group or others may access it; "
                f"want 0600. Fix with: chmod 600 {path}"
            )
        data = os.read(fd, max_size + 1)
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc
    finally:
        os.close(fd)
    if len(data) > max_size:
        raise KeyFileError(f"key file {path} is larger than {max_size} bytes; not a key file")
    return data
