"""Records name their data key by id; the wrapped key itself moves to the key store.

Mirrors ``records.key_id`` in node/store/schema.py. The key store is another database
(node/store/keystore.py), created there, never here.

Revision ID: 20261202_0012
Revises: 20261128_0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0012"
down_revision: str | Sequence[str] | None = "20261128_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("key_id", sa.LargeBinary(16), nullable=True))
        batch.create_check_constraint(op.f("ck_records_key_id_len"),
                                     "key_id IS NULL OR length(key_id) = 16")


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_constraint(op.f("ck_records_key_id_len"), type_="check")
        batch.drop_column("key_id")
