"""Private list matching: the token set of this node's serious-dishonesty list.

Written by hand to mirror ``oprf_tokens`` in node/store/schema.py (see the drift test).

Revision ID: 20261202_0004
Revises: 20261128_0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0004"
down_revision: str | Sequence[str] | None = "20261128_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oprf_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("record_no", sa.String(64), nullable=False),
        sa.Column("token", sa.LargeBinary(64), nullable=False),
        sa.Column("shared_category", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oprf_tokens")),
        sa.UniqueConstraint("record_no", name=op.f("uq_oprf_tokens_record_no")),
        sa.CheckConstraint("length(token) = 64", name=op.f("ck_oprf_tokens_token_len")),
    )


def downgrade() -> None:
    op.drop_table("oprf_tokens")
