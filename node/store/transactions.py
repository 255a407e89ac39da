"""Transactions with the store's error mapping: driver errors become ``StoreError``s.

A refusal by a constraint becomes ``StoreConflictError`` naming the constraint (never the
values: PostgreSQL's DETAIL line, which quotes them, stays in the chained cause only); a
timeout or a lost connection becomes ``StoreUnavailableError``.

On SQLite, the write transactions of one process take a process-wide lock per engine
before ``BEGIN IMMEDIATE``: SQLite admits one writer at a time anyway, and a thread that
finds the write lock taken otherwise sleeps in SQLite's busy handler (1, 2, 5 … 100 ms
steps), which under 16 concurrent callers made most of a query's latency. Waiting on a
Python lock wakes the next writer as soon as the previous one commits. Other processes
on the same file still meet the busy timeout, as before.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError

from node.store.engine import WRITE
from node.store.errors import StoreConflictError, StoreUnavailableError

__all__ = ["read_tx", "write_tx"]


def _constraint(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    # SQLite names the constraint or the columns, never the values.
    return str(exc.orig).splitlines()[0] if exc.orig is not None else "unknown"


@contextmanager
def _mapped(action: str) -> Iterator[None]:
    try:
        yield
    except IntegrityError as exc:
        raise StoreConflictError(
            f"{action} refused by constraint {_constraint(exc)}: nothing was written"
        ) from exc
    except DataError as exc:
        raise StoreConflictError(
            f"{action} refused: a value does not fit its column ({type(exc.orig).__name__}); "
            "nothing was written"
        ) from exc
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailableError(
            f"{action} failed: database unavailable or timed out ({type(exc.orig).__name__})"
        ) from exc


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def _write_lock(engine: Engine) -> threading.RLock:
    with _LOCKS_LOCK:
        lock = _WRITE_LOCKS.get(engine)
        if lock is None:
            lock = _WRITE_LOCKS[engine] = threading.RLock()
        return lock


@contextmanager
def write_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One write transaction: committed if the block returns, rolled back if it raises.

    SQLite: serialized with this process's other write transactions on ``engine``."""
    serial = _write_lock(engine) if engine.dialect.name == "sqlite" else nullcontext()
    with serial, _mapped(action), engine.connect().execution_options(**{WRITE: True}) as conn:
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One transaction for reads (rolled back at the end; nothing is written)."""
    with _mapped(action), engine.connect() as conn, conn.begin():
        yield conn
