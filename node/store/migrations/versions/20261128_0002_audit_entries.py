"""Access audit log entries: the canonical event bytes behind each leaf of the "audit" log.

Written by hand to mirror ``audit_entries`` in node/store/schema.py (see the drift test).

Revision ID: 20261128_0002
Revises: 20261128_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261128_0002"
down_revision: str | Sequence[str] | None = "20261128_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("log_name", sa.String(32), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("log_name", "idx", name=op.f("pk_audit_entries")),
        sa.CheckConstraint("idx >= 0", name=op.f("ck_audit_entries_idx_nonneg")),
        sa.CheckConstraint(
            "length(request_id) > 0", name=op.f("ck_audit_entries_request_id_set")
        ),
    )
    op.create_index(
        op.f("ix_audit_entries_log_name_request_id"), "audit_entries", ["log_name", "request_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entries_log_name_request_id"), table_name="audit_entries")
    op.drop_table("audit_entries")
