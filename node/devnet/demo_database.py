"""The demo on PostgreSQL (``credit-node demo --database-url URL``): one schema per node.

Every demo starts from scratch, so the reset step drops the schemas of the consortium an
earlier run left in the demo directory (with its files: they were that run's data), and
the ``up`` step refuses schemas holding tables that no earlier run of this directory
made — another consortium's data is never wiped nor mixed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from node.config import load_config
from node.devnet.database import drop_schema, schema_name, schema_of, schema_tables
from node.devnet.demo import DemoFailed
from node.devnet.layout import ConsortiumDoc

__all__ = ["drop_earlier_schemas", "refuse_used_schemas"]


def drop_earlier_schemas(doc: ConsortiumDoc) -> list[str]:
    """Drop the schema of every node of ``doc`` kept in PostgreSQL (its nodes stopped);
    the schemas dropped, in province order."""
    dropped: list[str] = []
    for entry in doc.provinces.values():
        if entry.database == "sqlite":
            continue
        url = load_config(Path(entry.config)).database.url
        schema = schema_of(url)
        if schema is None:
            raise DemoFailed(f"{entry.config}: its database URL names no schema; drop the "
                             "earlier demo's schemas by hand")
        drop_schema(url, schema)
        dropped.append(schema)
    return dropped


def refuse_used_schemas(database_url: str, prefix: str, provinces: Sequence[str]) -> list[str]:
    """The schema each province will get; DemoFailed when one already holds tables."""
    schemas = [schema_name(prefix, p) for p in provinces]
    used = [s for s in schemas if schema_tables(database_url, s) > 0]
    if used:
        raise DemoFailed(
            f"schema {', '.join(used)} already holds tables that no earlier demo in this "
            "directory made: choose another --schema-prefix, or drop them yourself")
    return schemas
