"""Group commit: concurrent writes of one kind share one transaction.

Many threads each wanting one small write transaction (an audit entry, a grant nonce)
pay the transaction's fixed cost (BEGIN, the log head's lock, COMMIT) once per call and
queue on the database's single writer. :class:`GroupCommit` lets whichever caller finds
no write in progress become the leader: it writes every item queued so far in one call
of ``flush`` (one transaction), then wakes the others. Each caller returns only once the
transaction holding its item has committed, with its own result, or raises the error
that transaction raised (nothing of that batch was written). A lone caller writes at
once; nobody waits for a timer. Usage::

    claims = GroupCommit(store.claim_metas)          # flush: list of items -> list of results
    fresh = claims.submit(("gn:…", "2026-12-07T00:00:00+00:00"))
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False)
class _Slot(Generic[T, R]):
    item: T
    done: bool = False
    value: list[R] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Writes concurrently submitted items together through ``flush``.

    ``flush(items)`` must write all ``items`` in one transaction and return one result per
    item, in order (``ValueError`` to the whole batch otherwise), or raise having written
    nothing. ``max_batch`` bounds one transaction; the leader's own item is always in it.
    """

    def __init__(self, flush: Callable[[list[T]], Sequence[R]], *, max_batch: int = 512
                 ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self._flush = flush
        self._max = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Slot[T, R]] = []
        self._busy = False
        self.batches = 0
        """Transactions written so far (for measurements)."""

    def submit(self, item: T) -> R:
        """Write ``item`` (with whatever else is queued); its result once committed."""
        slot: _Slot[T, R] = _Slot(item)
        with self._cond:
            self._queue.append(slot)
            while self._busy and not slot.done:
                self._cond.wait()
            if not slot.done:
                self._busy = True
                position = self._queue.index(slot)
                start = max(0, position + 1 - self._max)
                batch = self._queue[start:start + self._max]
                del self._queue[start:start + self._max]
        if slot.done:
            return _result(slot)
        try:
            results = list(self._flush([s.item for s in batch]))
            if len(results) != len(batch):
                raise ValueError(f"group commit: flush returned {len(results)} results for "
                                 f"{len(batch)} items")
            for s, result in zip(batch, results, strict=True):
                s.value.append(result)
        except BaseException as exc:  # every caller of the batch learns it failed
            for s in batch:
                s.error = exc
        finally:
            with self._cond:
                for s in batch:
                    s.done = True
                self._busy = False
                self.batches += 1
                self._cond.notify_all()
        return _result(slot)


def _result(slot: _Slot[T, R]) -> R:
    if slot.error is not None:
        raise slot.error
    return slot.value[0]
