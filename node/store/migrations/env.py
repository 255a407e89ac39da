"""Alembic environment: runs on the connection that ``node.store.engine.migrate`` passes in.

There is no alembic.ini: ``migrate`` builds the Config in code and hands over a connection
already inside a transaction, so the whole upgrade commits or rolls back as one.
To draft a new revision, compare against ``node.store.schema.metadata`` (the target
metadata below) and copy the result into a hand-written, date-named file in versions/.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from node.store.schema import metadata


def _run() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported: use migrate(engine)")
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "no connection passed to the migration environment: "
            "call node.store.engine.migrate(engine) instead of the alembic CLI"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
