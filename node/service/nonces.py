"""Used and withdrawn grant nonces, remembered in the store so a replay (or a withdrawn
grant) is refused after a restart too.

Kept as store settings keyed by a hash of (agency, nonce). ``claim_meta`` inserts only a
new key, atomically in the database (a primary-key conflict means a replay), so several
front ends over one database cannot both accept one nonce.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from node.store.contract import Store

_PREFIX = "gn:"
_WITHDRAWN = "gw:"


class StoreNonceLedger:
    """``node.authz.grants.NonceLedger`` over a store's settings."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def key(agency: str, nonce: str) -> str:
        digest = hashlib.sha256(f"{agency}\x00{nonce}".encode()).hexdigest()[:48]
        return _PREFIX + digest

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        """Record the nonce; False if it was recorded before (a replay)."""
        return self._store.claim_meta(self.key(agency, nonce), expires_at.isoformat())

    @staticmethod
    def withdrawn_key(agency: str, nonce: str) -> str:
        digest = hashlib.sha256(f"{agency}\x00{nonce}".encode()).hexdigest()[:48]
        return _WITHDRAWN + digest

    def withdraw(self, agency: str, nonce: str, at: datetime) -> bool:
        """Record that the subject withdrew the grant; False if it was withdrawn before."""
        return self._store.claim_meta(self.withdrawn_key(agency, nonce), at.isoformat())

    def is_withdrawn(self, agency: str, nonce: str) -> bool:
        return self._store.get_meta(self.withdrawn_key(agency, nonce)) is not None
