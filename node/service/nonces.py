"""Used and withdrawn grant nonces, remembered in the store so a replay (or a withdrawn
grant) is refused after a restart too.

Kept as store settings keyed by a hash of (agency, nonce), valued with the grant's expiry.
Once a grant has expired it is refused for that reason before its nonce is looked at, so
its nonce is no longer needed: :func:`nonce_purge_loop` deletes expired ones hourly, and
the table does not grow with every grant ever used. ``claim_meta`` inserts only a
new key, atomically in the database (a primary-key conflict means a replay), so several
front ends over one database cannot both accept one nonce.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from node.service.background import BackgroundLoop, Backoff, Failed
from node.store.contract import Store
from node.store.group_commit import GroupCommit

log = logging.getLogger(__name__)
PURGE_EVERY = 3600.0

_PREFIX = "gn:"
_WITHDRAWN = "gw:"
NEVER = "9999-12-31T23:59:59+00:00"
"""The expiry a withdrawn grant's nonce is claimed with: never purged."""


class StoreNonceLedger:
    """``node.authz.grants.NonceLedger`` over a store's settings. Concurrent claims are
    written together (``GroupCommit``): each returns once its own claim has committed."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._claims: GroupCommit[tuple[str, str], bool] = GroupCommit(store.claim_metas)

    @staticmethod
    def key(agency: str, nonce: str) -> str:
        digest = hashlib.sha256(f"{agency}\x00{nonce}".encode()).hexdigest()[:48]
        return _PREFIX + digest

    def claim(self, agency: str, nonce: str, expires_at: datetime) -> bool:
        """Record the nonce; False if it was recorded before (a replay)."""
        return self._claims.submit((self.key(agency, nonce), _when(expires_at)))

    def purge_expired(self, now: datetime) -> int:
        """Forget the nonces of grants expired ten minutes before ``now`` (a margin for
        front ends whose clocks differ a little); the number forgotten."""
        return self._store.purge_meta(_PREFIX, _when(now - timedelta(minutes=10)))

    @staticmethod
    def withdrawn_key(agency: str, nonce: str) -> str:
        digest = hashlib.sha256(f"{agency}\x00{nonce}".encode()).hexdigest()[:48]
        return _WITHDRAWN + digest

    def withdraw(self, agency: str, nonce: str, at: datetime) -> bool:
        """Record that the subject withdrew the grant; False if it was withdrawn before.

        The grant's nonce is claimed too, never to expire (migration 20261206_0006 did so
        for earlier withdrawals): a query with a withdrawn grant fails its ``claim`` in
        the claim's own transaction, and the query path reads the withdrawal only to
        name the refusal (``node.service.query``)."""
        withdrawn, _ = self._store.claim_metas([(self.withdrawn_key(agency, nonce),
                                                 at.isoformat()),
                                                (self.key(agency, nonce), NEVER)])
        return withdrawn

    def is_withdrawn(self, agency: str, nonce: str) -> bool:
        return self._store.get_meta(self.withdrawn_key(agency, nonce)) is not None


def _when(value: datetime) -> str:
    """UTC, whole seconds, ISO: strings that sort as the times do."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def nonce_purge_loop(ledger: StoreNonceLedger, *, every: float = PURGE_EVERY,
                     clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                     ) -> BackgroundLoop:
    """A loop deleting expired grant nonces every ``every`` seconds (not started)."""
    def step() -> float:
        purged = ledger.purge_expired(clock())
        if purged:
            log.info("expired grant nonces purged", extra={"count": purged})
        return every

    def failed(exc: Exception) -> Failed:
        return Failed("grant nonce purge failed", Backoff(base=5.0, cap=every))

    return BackgroundLoop(step, failed, name="nonce-purge", logger=log)
