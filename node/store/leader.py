"""Which process of a node does the node's single-writer background work (DESIGN.md §10).

A province may run several ``credit-node serve`` processes over one PostgreSQL database:
all of them ingest and answer (log writers are serialized by the log head's row lock),
but only one may do each job that sends ledger transactions — seal and anchor batches
(``anchor``), anchor audit checkpoints (``audit-checkpoints``), cosign peers' heads
(``audit-witness``), seal and anchor revocation notices (``revocation-anchor``) — or two
would race for the same sequence numbers and the account's nonces. The database decides, not a home-made
protocol: a PostgreSQL **session advisory lock** (``pg_try_advisory_lock``) taken on a
connection of its own, kept open while the process leads. The server releases the lock
when that session ends — a clean stop, a crash or a SIGKILL (the kernel closes the
socket) — so another process takes the work over at its next round.

The lock is keyed by the job's name and the node's schema (``current_schema()``), so
nodes sharing one database, each in its own schema, never block each other.

SQLite: one process per database (as the file lock implies), so :func:`leader_lock`
returns None and the loops always run.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from node.store.engine import WRITE

__all__ = ["Leader", "PgAdvisoryLeader", "leader_lock"]

log = logging.getLogger(__name__)
NAMESPACE = "credit-node.leader"
_TRY = text("SELECT pg_try_advisory_lock(hashtext(:job), hashtext(current_schema()))")


class Leader(Protocol):
    """Leadership of one job among a node's processes."""

    def held(self) -> bool:
        """True when this process leads now (taking the lead if it is free)."""
        ...

    def release(self) -> None:
        """Give the lead up (another process may take it at once)."""
        ...


class PgAdvisoryLeader:
    """A session advisory lock on a dedicated connection of ``engine`` (PostgreSQL)."""

    def __init__(self, engine: Engine, job: str) -> None:
        self._engine = engine
        self._job = f"{NAMESPACE}:{job}"
        self._conn: Connection | None = None
        self._held = False
        self._mutex = threading.Lock()

    def held(self) -> bool:
        """Take the lock if free; when held, check the session that holds it still lives
        (a lost session means the server released the lock: no longer leading)."""
        with self._mutex:
            try:
                if self._conn is None:
                    self._conn = self._engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT", **{WRITE: True})
                if self._held:
                    self._conn.execute(text("SELECT 1"))
                    return True
                self._held = bool(self._conn.execute(_TRY, {"job": self._job}).scalar())
            except SQLAlchemyError as exc:
                if self._held:
                    log.warning("lost the database session holding the lead",
                                extra={"job": self._job, "error": type(exc).__name__})
                self._drop()
                return False
            if self._held:
                log.info("this process now leads", extra={"job": self._job})
            return self._held

    def release(self) -> None:
        """Close the dedicated session, which releases the lock."""
        with self._mutex:
            if self._held:
                log.info("giving the lead up", extra={"job": self._job})
            self._drop()

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            try:
                conn.invalidate()  # never back to the pool: the session must end
                conn.close()
            except SQLAlchemyError:
                log.debug("closing the leader session failed", exc_info=True)


def leader_lock(engine: Engine | None, job: str) -> Leader | None:
    """The leader lock of ``job`` on ``engine``: a PostgreSQL advisory lock, or None for
    SQLite (one process per database) and for a store without an engine."""
    if engine is None or engine.dialect.name != "postgresql":
        return None
    return PgAdvisoryLeader(engine, job)
