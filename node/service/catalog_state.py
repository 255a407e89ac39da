"""The shared catalog as this node sees it: the adopted version, read from the ledger.

Ingest recognizes each record's local category under the adopted version, and the
anchor loop names that version in each batch header. A new version takes effect here
within ``refresh_seconds`` of its adoption on-chain; a record keeps the version it was
committed under. The last version seen is kept in the store, so after a restart with
the ledger down the node goes on ingesting under it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

from node.domain.catalog import (
    Catalog,
    CatalogVerificationError,
    ProvinceMapping,
    Recognizer,
    recognizer_from_chain,
)
from node.domain.catalog.adoption import CatalogReader
from node.domain.records import Record
from node.domain.validation import Issue
from node.store.contract import Store

log = logging.getLogger(__name__)
META_KEY: Final = "catalog.adopted_version"


class CatalogState:
    """Thread-safe holder of the adopted catalog version and its recognizer."""

    def __init__(self, reader: CatalogReader, store: Store, catalogs: Mapping[int, Catalog],
                 mappings: Mapping[tuple[str, int], ProvinceMapping], *,
                 refresh_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._reader = reader
        self._store = store
        self._catalogs = catalogs
        self._mappings = mappings
        self._refresh = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._checked_at: float | None = None
        self._recognizer: Recognizer | None = None
        self._problem = "no catalog version is adopted on the ledger yet"
        stored = store.get_meta(META_KEY)
        if stored is not None and int(stored) in catalogs:
            last = int(stored)
            self._recognizer = Recognizer(
                {v: c for v, c in catalogs.items() if v <= last},
                {k: m for k, m in mappings.items() if k[1] <= last}, last)

    def version(self) -> int:
        """The adopted version (0 when none is, or when the adopted document is unusable)."""
        self._maybe_refresh()
        with self._lock:
            return 0 if self._recognizer is None else self._recognizer.adopted_version

    def held_version(self) -> int:
        """The version in force as last read (0: none), without asking the ledger."""
        with self._lock:
            return 0 if self._recognizer is None else self._recognizer.adopted_version

    def categorize(self, record: Record) -> tuple[str, int] | Issue:
        """The record's shared category under the adopted version, or why it is refused."""
        self._maybe_refresh()
        with self._lock:
            recognizer, problem = self._recognizer, self._problem
        if recognizer is None:
            return Issue("CATALOG_NOT_ADOPTED", "local_category",
                         f"no shared category can be given: {problem}")
        return recognizer.categorize(record)

    def _maybe_refresh(self) -> None:
        with self._lock:
            due = self._checked_at is None or self._clock() - self._checked_at >= self._refresh
            known = self._recognizer is not None
        if known and not due:
            return
        # One thread reads the chain; the others go on with the version they know, or,
        # knowing none yet, wait for that read rather than refuse records meanwhile.
        if not self._refreshing.acquire(blocking=not known):
            return
        try:
            self._refresh_from_chain()
        finally:
            self._refreshing.release()

    def _refresh_from_chain(self) -> None:
        # Holding ``_refreshing``: a read finished meanwhile by another thread counts.
        with self._lock:
            if self._checked_at is not None and self._clock() - self._checked_at < self._refresh:
                return
        try:
            current = self._reader.current_catalog_version()
            held = self._recognizer
            if held is not None and held.adopted_version == current:
                return
            fresh = recognizer_from_chain(self._reader, self._catalogs, self._mappings)
        except CatalogVerificationError as exc:
            log.warning("shared catalog unusable", extra={"reason": exc.reason})
            with self._lock:
                self._problem = str(exc)
                if exc.reason != "NOT_ADOPTED":
                    self._recognizer = None
            return
        except Exception as exc:  # the ledger is down: keep the last version seen
            log.warning("catalog version not refreshed",
                        extra={"error_type": type(exc).__name__})
            return
        finally:
            with self._lock:
                self._checked_at = self._clock()
        with self._lock:
            self._recognizer = fresh
        self._store.set_meta(META_KEY, str(fresh.adopted_version))
        log.info("catalog version in force", extra={"version": fresh.adopted_version})
