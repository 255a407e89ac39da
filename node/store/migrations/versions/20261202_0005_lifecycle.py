"""Lifecycle: records name their data key by id (the wrapped key moves to the key store),
and each province's revocation notices get a table of their own.

Mirrors ``records.key_id`` and ``revocations`` in node/store/schema.py. The key store is
another database (node/store/keystore.py), created there, never here.

Revision ID: 20261202_0005
Revises: 20261202_0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0005"
down_revision: str | Sequence[str] | None = "20261202_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("key_id", sa.LargeBinary(16), nullable=True))
        batch.add_column(sa.Column("subject_type", sa.String(16), nullable=True))
        batch.create_check_constraint(op.f("ck_records_key_id_len"),
                                     "key_id IS NULL OR length(key_id) = 16")
    op.create_table(
        "revocations",
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("record_no", sa.String(64), nullable=False),
        sa.Column("notice", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("batch_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("province", "idx", name=op.f("pk_revocations")),
        sa.CheckConstraint("idx >= 0", name=op.f("ck_revocations_idx_nonneg")),
        sa.CheckConstraint("origin IN ('local', 'foreign')",
                           name=op.f("ck_revocations_origin_known")),
    )
    op.create_index(op.f("ix_revocations_province_record_no"), "revocations",
                    ["province", "record_no"])
    op.create_table(
        "objections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("record_no", sa.String(64), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.LargeBinary(32), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("verify_deadline", sa.Date(), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("result", sa.String(16), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrected_record_no", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('corrected', 'upheld', 'unverifiable')",
            name=op.f("ck_objections_result_known")),
        sa.CheckConstraint("evidence_sha256 IS NULL OR length(evidence_sha256) = 32",
                           name=op.f("ck_objections_evidence_len")),
    )
    op.create_index(op.f("ix_objections_province_record_no"), "objections",
                    ["province", "record_no"])


def downgrade() -> None:
    op.drop_index(op.f("ix_objections_province_record_no"), table_name="objections")
    op.drop_table("objections")
    op.drop_index(op.f("ix_revocations_province_record_no"), table_name="revocations")
    op.drop_table("revocations")
    with op.batch_alter_table("records") as batch:
        batch.drop_constraint(op.f("ck_records_key_id_len"), type_="check")
        batch.drop_column("subject_type")
        batch.drop_column("key_id")
