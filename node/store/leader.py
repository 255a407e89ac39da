"""Which process of a node does the node's single-writer background work (DESIGN.md §10).

A province may run several ``credit-node serve`` processes over one PostgreSQL database:
all of them ingest and answer (log writers are serialized by the log head's row lock),
but only one may do each job that sends ledger transactions — seal and anchor batches
(``anchor``), anchor audit checkpoints (``audit-checkpoints``), cosign peers' heads
(``audit-witness``), seal and anchor revocation notices (``revocation-anchor``) — or two
would race for the same sequence numbers and the account's nonces. The database decides,
not a home-made protocol: a PostgreSQL **session advisory lock** (``pg_try_advisory_lock``)
per job, all of a process's locks held on one connection of their own (not one per job:
the pool serves the calls), kept open while it leads. The server releases the locks when
that session ends — a clean stop, a crash or a SIGKILL (the kernel closes the socket) —
so another process takes the work over at its next round.

The lock is keyed by the job's name and the node's schema (``current_schema()``), so
nodes sharing one database, each in its own schema, never block each other.

SQLite: one process per database (as the file lock implies), so :func:`leader_lock`
returns None and the loops always run.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

from sqlalchemy import Connection, Engine, TextClause, text
from sqlalchemy.exc import SQLAlchemyError

from node.store.engine import WRITE

__all__ = ["Leader", "PgAdvisoryLeader", "leader_lock"]

log = logging.getLogger(__name__)
NAMESPACE = "credit-node.leader"
_TRY = text("SELECT pg_try_advisory_lock(hashtext(:job), hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext(:job), hashtext(current_schema()))")
_ALIVE = text("SELECT 1")


class Leader(Protocol):
    """Leadership of one job among a node's processes."""

    def held(self) -> bool:
        """True when this process leads now (taking the lead if it is free)."""
        ...

    def release(self) -> None:
        """Give the lead up (another process may take it at once)."""
        ...


class _Session:
    """One database session per engine holding every job's lock of this process: one
    pooled connection, not one per job (the pool serves the calls)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self.mutex = threading.Lock()
        self.generation = 0
        """Bumped when the session is lost: every lock taken in an older one is gone."""
        self.holders = 0

    def scalar(self, statement: TextClause, params: dict[str, str] | None = None) -> object:
        """Run ``statement`` in the session (opened if needed); the caller holds ``mutex``.
        A failure ends the session (its locks with it) and is raised."""
        try:
            if self._conn is None:
                self._conn = self._engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT", **{WRITE: True})
            return self._conn.execute(statement, params or {}).scalar()
        except SQLAlchemyError:
            self.close()
            raise

    def close(self) -> None:
        """End the session: the server releases every lock it held."""
        conn, self._conn = self._conn, None
        self.generation += 1
        self.holders = 0
        if conn is not None:
            try:
                conn.invalidate()  # never back to the pool: the session must end
                conn.close()
            except SQLAlchemyError:
                log.debug("closing the leader session failed", exc_info=True)


_sessions: weakref.WeakKeyDictionary[Engine, _Session] = weakref.WeakKeyDictionary()
_registry = threading.Lock()


def _session(engine: Engine) -> _Session:
    with _registry:
        found = _sessions.get(engine)
        if found is None:
            found = _sessions[engine] = _Session(engine)
        return found


class PgAdvisoryLeader:
    """A session advisory lock of ``job`` on this process's leader session of ``engine``."""

    def __init__(self, engine: Engine, job: str) -> None:
        self._session = _session(engine)
        self._job = f"{NAMESPACE}:{job}"
        self._generation: int | None = None  # the session generation the lock was taken in

    def held(self) -> bool:
        """Take the lock if free; when held, check the session holding it still lives
        (a lost session means the server released the lock: no longer leading)."""
        session = self._session
        with session.mutex:
            was_held = self._generation == session.generation
            try:
                if was_held:
                    session.scalar(_ALIVE)
                    return True
                if not session.scalar(_TRY, {"job": self._job}):
                    return False
            except SQLAlchemyError as exc:
                self._generation = None
                if was_held:
                    log.warning("lost the database session holding the lead",
                                extra={"job": self._job, "error": type(exc).__name__})
                return False
            self._generation = session.generation
            session.holders += 1
            log.info("this process now leads", extra={"job": self._job})
            return True

    def release(self) -> None:
        """Give the lock up; the session ends with the last lock it held."""
        session = self._session
        with session.mutex:
            if self._generation != session.generation:
                self._generation = None
                return
            self._generation = None
            log.info("giving the lead up", extra={"job": self._job})
            session.holders -= 1
            try:
                session.scalar(_UNLOCK, {"job": self._job})
            except SQLAlchemyError:
                return  # the session ended: the lock with it
            if session.holders <= 0:
                session.close()


def leader_lock(engine: Engine | None, job: str) -> Leader | None:
    """The leader lock of ``job`` on ``engine``: a PostgreSQL advisory lock, or None for
    SQLite (one process per database) and for a store without an engine."""
    if engine is None or engine.dialect.name != "postgresql":
        return None
    return PgAdvisoryLeader(engine, job)
