"""One PostgreSQL schema per node: the URL that selects it (and reading it back), creating
it, counting its tables and dropping it (the demo's reset).

With ``--database-url postgresql+psycopg://USER@HOST:PORT/DB`` every node of a local
consortium shares the database but gets its own schema (``credit_js`` ...), chosen by
``options=-csearch_path=<schema>`` in its URL (:mod:`node.store.engine` keeps the
``options`` it finds and adds its statement timeout).
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from node.devnet.errors import ConsortiumError
from node.store.engine import make_engine

__all__ = ["drop_schema", "ensure_schema", "schema_name", "schema_of", "schema_tables",
           "schema_url"]

_SCHEMA_RE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SEARCH_PATH_RE: Final = re.compile(r"-c\s*search_path=\S*")
_SEARCH_PATH_VALUE_RE: Final = re.compile(r"-c\s*search_path=(\S+)")


def schema_name(prefix: str, province: str) -> str:
    """``<prefix>_<province in lower case>``; ValueError unless a plain SQL identifier."""
    name = f"{prefix}_{province.lower()}"
    if not _SCHEMA_RE.fullmatch(name):
        raise ValueError(
            f"schema name {name!r}: want lowercase letters, digits and '_' (at most 63), "
            "starting with a letter or '_'"
        )
    return name


def schema_url(base_url: str, schema: str) -> str:
    """``base_url`` with its search_path set to ``schema`` (other ``options`` kept).

    Precondition: ``base_url`` is a ``postgresql`` URL (ValueError otherwise).
    """
    try:
        url = make_url(base_url)
    except ArgumentError as exc:
        raise ValueError("--database-url: not a SQLAlchemy URL") from exc
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"--database-url: got a {url.get_backend_name()!r} URL, want "
            "postgresql+psycopg://USER@HOST:PORT/DB (each node gets its own schema)"
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    kept = _SEARCH_PATH_RE.sub("", options).strip()
    new = f"{kept} -csearch_path={schema}".strip()
    return url.update_query_dict({"options": new}).render_as_string(hide_password=False)


def schema_of(database_url: str) -> str | None:
    """The schema a node's PostgreSQL URL selects (its ``search_path`` option, as
    :func:`schema_url` writes it); None for a URL of another backend or without one."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    found = _SEARCH_PATH_VALUE_RE.search(options)
    return found.group(1) if found and _SCHEMA_RE.fullmatch(found.group(1)) else None


def _run(base_url: str, schema: str, what: str, statement: str, timeout: float) -> int:
    """Run one statement about ``schema`` in ``base_url``'s database; its first column
    (0 when it returns no row). ConsortiumError naming the server, never the password."""
    if not _SCHEMA_RE.fullmatch(schema):
        raise ValueError(f"schema name {schema!r} is not a plain SQL identifier")
    engine = make_engine(base_url, connect_timeout_s=max(1, int(timeout)),
                         statement_timeout_s=timeout)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), {"schema": schema})
            row = result.first() if result.returns_rows else None
            return int(row[0]) if row is not None else 0
    except SQLAlchemyError as exc:
        where = make_url(base_url).render_as_string(hide_password=True)
        raise ConsortiumError(
            f"cannot {what} schema {schema} in {where}: "
            f"{type(getattr(exc, 'orig', None) or exc).__name__}"
        ) from exc
    finally:
        engine.dispose()


def ensure_schema(base_url: str, schema: str, *, timeout: float = 10.0) -> None:
    """``CREATE SCHEMA IF NOT EXISTS schema`` in the database of ``base_url``.

    Raises ConsortiumError naming the server (never the password) when it fails.
    """
    _run(base_url, schema, "create", f'CREATE SCHEMA IF NOT EXISTS "{schema}"', timeout)


def drop_schema(base_url: str, schema: str, *, timeout: float = 30.0) -> None:
    """``DROP SCHEMA IF EXISTS schema CASCADE``: the schema and every table in it."""
    _run(base_url, schema, "drop", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', timeout)


def schema_tables(base_url: str, schema: str, *, timeout: float = 10.0) -> int:
    """How many tables ``schema`` holds (0 when it does not exist)."""
    return _run(base_url, schema, "read", "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = :schema", timeout)
