"""The consent evidence deposited with this node, sealed at rest, keyed by its hash.

An agency sends the evidence behind a grant with its query; once it passes
``node.authz.evidence.check_evidence`` it is sealed under the node's master key (AES-GCM
with a fresh data key, as record payloads are; the hash is the associated data, so a file
cannot be swapped for another) and written to ``<data_dir>/evidence/<sha256>.sealed``,
mode 0600. Only auditors read it back (``QueryService.GetConsentEvidence``).

Files, not a table: evidence is large, written once, read rarely, and a hash-named file
is idempotent to write. Several front ends over one database must share ``data_dir``.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Final

from crypto.errors import CryptoError
from crypto.sealing import MasterKey, open_sealed, seal
from node.authz.evidence import EvidenceError, check_evidence

__all__ = ["EvidenceVault"]

_HASH: Final = re.compile(r"[0-9a-f]{64}")
_AAD: Final = b"yrd-credit/consent-evidence/v1\x00"


class EvidenceVault:
    """Deposit and read consent evidence; every failure a ``ValueError`` or ``OSError``."""

    def __init__(self, directory: Path, master_key: MasterKey) -> None:
        self._dir = directory
        self._key = master_key
        # Hashes known deposited (files are written once and never removed): a repeated
        # deposit or ``has`` costs no file-system call.
        self._known: set[str] = set()

    def _path(self, sha256: str) -> Path:
        if not _HASH.fullmatch(sha256):
            raise EvidenceError("evidence hash must be 64 lower-case hex")
        return self._dir / f"{sha256}.sealed"

    def has(self, sha256: str) -> bool:
        if sha256 in self._known:
            return True
        present = self._path(sha256).is_file()
        if present:
            self._known.add(sha256)
        return present

    def deposit(self, data: bytes, sha256: str) -> None:
        """Check ``data`` against ``sha256`` (``EvidenceError``), then store it sealed."""
        path = self._path(sha256)
        check_evidence(data, sha256)
        if self.has(sha256):
            return
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        sealed = seal(data, self._key, _AAD + sha256.encode()).to_bytes()
        # A temporary file of this call's own (mode 0600): worker threads depositing the
        # same evidence at once must not write, rename or truncate each other's.
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=f"{sha256}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(sealed)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._known.add(sha256)

    def read(self, sha256: str) -> bytes | None:
        """The evidence with hash ``sha256``, or None when none was deposited here."""
        path = self._path(sha256)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return open_sealed(sealed, self._key, _AAD + sha256.encode())
        except CryptoError as exc:
            raise EvidenceError(f"deposited evidence {sha256[:12]}… does not open: {exc}"
                                ) from exc
