"""The matching token set kept in step with the local record log, off the submit path.

Ingest no longer evaluates the OPRF for each new serious-dishonesty entry inside the
request: it only wakes this updater. The updater walks the node's own record log from a
durable cursor (``kv_meta`` :data:`CURSOR_KEY`, the next leaf index to look at), opens
each active dishonesty entry, adds its token (``TokenSetKeeper.add``) and only then moves
the cursor. Adding is idempotent per record_no, so a crash anywhere — between the ingest
commit and the update, or between adding tokens and moving the cursor — loses nothing:
the next round (or the next start) resumes from the cursor and re-adds at most a chunk.

Readers that must see every acknowledged entry call :meth:`TokenSetUpdater.catch_up`
first (the matching responder does so before the first page of the token set), so an
answer never lags an acknowledged submission. Removal (``remove_listing``) and a round
hold one lock: a record ended while a round had already read it is removed after that
round adds it, never before.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from typing import Final

from crypto.sealing import MasterKey, open_sealed, record_aad
from node.domain.lifecycle import ACTIVE
from node.domain.records import parse_record, subject_identifier
from node.service.background import BackgroundLoop, Backoff, Failed, Idle
from node.service.ingest import Listed
from node.service.matching_tokens import TokenSetKeeper
from node.store.contract import Store
from node.store.rows import RECORDS_LOG, StoredRecord

__all__ = ["CHUNK", "CURSOR_KEY", "TokenSetUpdater", "token_update_loop"]

log = logging.getLogger(__name__)

CURSOR_KEY: Final = "matching.tokens.next_leaf"
"""``kv_meta`` key: the first leaf of the local record log the updater has not looked at."""
CHUNK: Final = 2_000
"""Leaves read per round (bounds memory and the time the lock is held)."""
DISHONESTY: Final = "dishonesty"


def listed_of(records: Sequence[StoredRecord], master_key: MasterKey) -> list[Listed]:
    """The active dishonesty entries among ``records``, opened for their identifiers."""
    listed: list[Listed] = []
    for stored in records:
        if stored.kind != DISHONESTY or stored.status != ACTIVE or not stored.sealed_payload:
            continue
        plain = open_sealed(stored.sealed_payload, master_key,
                            record_aad(stored.province, stored.record_no))
        record = parse_record(json.loads(plain))
        listed.append(Listed(stored.record_no, subject_identifier(record),
                             stored.shared_category or stored.local_category))
    return listed


class TokenSetUpdater:
    """Adds the tokens of the province's new dishonesty entries from the durable cursor."""

    def __init__(self, keeper: TokenSetKeeper, store: Store, *, province: str,
                 master_key: MasterKey) -> None:
        self._keeper = keeper
        self._store = store
        self._province = province
        self._master_key = master_key
        self._lock = threading.Lock()

    def cursor(self) -> int:
        value = self._store.get_meta(CURSOR_KEY)
        return int(value) if value else 0

    def round(self) -> int:
        """Look at up to :data:`CHUNK` new leaves; returns how many remain after them."""
        with self._lock:
            start, size = self.cursor(), self._store.log_size(RECORDS_LOG)
            if start >= size:
                return 0
            end = min(size, start + CHUNK)
            found = self._store.active_records_of_kind(self._province, DISHONESTY, start, end)
            listed = listed_of(found, self._master_key)
            if listed:
                self._keeper.listed(listed)
            self._store.set_meta(CURSOR_KEY, str(end))  # after the tokens: crash-safe
            return size - end

    def catch_up(self) -> None:
        """Rounds until the cursor reaches the log's size as read at each round."""
        while self.round() > 0:
            pass

    def step(self) -> float:
        """One background round: at once again while more is waiting, else idle."""
        return 0.0 if self.round() > 0 else Idle(1.0)

    def remove_listing(self, record_no: str) -> bool:
        """``TokenSetKeeper.remove_listing`` under the rounds' lock (see the module doc)."""
        with self._lock:
            return self._keeper.remove_listing(record_no)


def token_update_loop(updater: TokenSetUpdater) -> BackgroundLoop:
    """The updater's thread: woken by ingest, otherwise idling up to 30 s."""
    def failed(exc: Exception) -> Failed:
        return Failed("token set update failed", Backoff(1.0, 30.0))

    return BackgroundLoop(updater.step, failed, name="token-set-updater", logger=log,
                          idle_cap=30.0)
