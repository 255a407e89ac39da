"""Transactions with the store's error mapping: driver errors become ``StoreError``s.

A refusal by a constraint becomes ``StoreConflictError`` naming the constraint (never the
values: PostgreSQL's DETAIL line, which quotes them, stays in the chained cause only); a
timeout or a lost connection becomes ``StoreUnavailableError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def write_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One write transaction: committed if the block returns, rolled back if it raises."""
    with _mapped(action), engine.connect().execution_options(**{WRITE: True}) as conn:
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine, action: str) -> Iterator[Connection]:
    """One transaction for reads (rolled back at the end; nothing is written)."""
    with _mapped(action), engine.connect() as conn, conn.begin():
        yield conn
