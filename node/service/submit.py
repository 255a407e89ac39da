"""Ingest as the server runs it: one validation context per day, metrics, loop wake-up."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence

from node.domain.validation import ValidationContext
from node.service.ingest import Categorize, IngestKeys, IngestOutcome, OnListed, ingest
from node.service.metrics import NodeMetrics
from node.store.contract import Store
from node.store.rows import RECORDS_LOG

log = logging.getLogger(__name__)


class Submitter:
    """Runs :func:`node.service.ingest.ingest` for the province's platform; ``categorize``
    recognizes each record's local category on the shared catalog (None: no recognition)."""

    def __init__(self, store: Store, keys: IngestKeys, *, province: str, metrics: NodeMetrics,
                 on_stored: Callable[[int], None] = lambda waiting: None,
                 categorize: Categorize | None = None,
                 on_listed: OnListed | None = None) -> None:
        self._store = store
        self._keys = keys
        self._province = province
        self._metrics = metrics
        self._on_stored = on_stored
        self._categorize = categorize
        self._on_listed = on_listed
        self._lock = threading.Lock()
        self._context: ValidationContext | None = None

    def _validation(self, today: dt.date) -> ValidationContext:
        with self._lock:
            if self._context is None or self._context.today != today:
                self._context = ValidationContext(today=today)
            return self._context

    def submit(self, raws: Sequence[bytes], *, today: dt.date, request_id: str) -> IngestOutcome:
        """Validate and store one request's records in one transaction."""
        outcome = ingest(raws, submitter_province=self._province, store=self._store,
                         keys=self._keys, validation=self._validation(today),
                         categorize=self._categorize, on_listed=self._on_listed)
        created = sum(1 for a in outcome.accepted if not a.duplicate)
        self._metrics.ingested.inc(created)
        self._metrics.rejected.inc(len(outcome.rejected))
        log.info("submission stored", extra={
            "request_id": request_id, "accepted": len(outcome.accepted), "new": created,
            "rejected": len(outcome.rejected)})
        if created:
            start, _ = self._store.unbatched_range(RECORDS_LOG)
            self._on_stored(self._store.log_size(RECORDS_LOG) - start)
        return outcome
