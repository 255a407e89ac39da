"""Used grant nonces, remembered in the store so a replay is refused after a restart too.

Kept as store settings (``get_meta``/``set_meta``) keyed by a hash of (agency, nonce):
no schema change. The check-and-set is serialized by a lock, which is enough for one
process; several front ends over one database need a unique-keyed nonce table instead.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime

from node.store.contract import Store

_PREFIX = "gn:"


class StoreNonceLedger:
    """``node.authz.grants.NonceLedger`` over a store's settings."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()

    @staticmethod
    def key(agency: str, nonce: str) -> str:
        digest = hashlib.sha256(f"{agency}\x00{nonce}".encode()).hexdigest()[:48]
        return _PREFIX + digest

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        """Record the nonce; False if it was recorded before (a replay)."""
        key = self.key(agency, nonce)
        with self._lock:
            if self._store.get_meta(key) is not None:
                return False
            self._store.set_meta(key, expires_at.isoformat())
            return True
