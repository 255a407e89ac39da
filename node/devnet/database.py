"""One PostgreSQL schema per node: the URL that selects it, and creating it.

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

__all__ = ["ensure_schema", "schema_name", "schema_url"]

_SCHEMA_RE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SEARCH_PATH_RE: Final = re.compile(r"-c\s*search_path=\S*")


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


def ensure_schema(base_url: str, schema: str, *, timeout: float = 10.0) -> None:
    """``CREATE SCHEMA IF NOT EXISTS schema`` in the database of ``base_url``.

    Raises ConsortiumError naming the server (never the password) when it fails.
    """
    if not _SCHEMA_RE.fullmatch(schema):
        raise ValueError(f"schema name {schema!r} is not a plain SQL identifier")
    engine = make_engine(base_url, connect_timeout_s=max(1, int(timeout)),
                         statement_timeout_s=timeout)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except SQLAlchemyError as exc:
        where = make_url(base_url).render_as_string(hide_password=True)
        raise ConsortiumError(
            f"cannot create schema {schema} in {where}: "
            f"{type(getattr(exc, 'orig', None) or exc).__name__}"
        ) from exc
    finally:
        engine.dispose()
