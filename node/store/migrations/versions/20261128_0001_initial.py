"""Initial store: records, the Merkle logs (nodes and state), batches, kv_meta.

Written by hand to mirror node/store/schema.py; tests/node/store/test_store_schema_drift.py
compares a migrated database with that module. Names are wrapped in ``op.f`` (final): the
target metadata's naming convention would otherwise be applied to them a second time.

Revision ID: 20261128_0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261128_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("record_no", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_category", sa.String(64), nullable=False),
        sa.Column("shared_category", sa.String(64), nullable=True),
        sa.Column("catalog_version", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("rule_version", sa.String(32), nullable=False),
        sa.Column("commitment", sa.LargeBinary(32), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("subject_token", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed_payload", sa.LargeBinary(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("publicity_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("batch_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("province", "record_no", name=op.f("uq_records_province_record_no")),
        sa.UniqueConstraint("commitment", name=op.f("uq_records_commitment")),
        sa.UniqueConstraint("province", "leaf_index", name=op.f("uq_records_province_leaf_index")),
        sa.CheckConstraint("length(commitment) = 32", name=op.f("ck_records_commitment_len")),
        sa.CheckConstraint("length(salt) = 32", name=op.f("ck_records_salt_len")),
        sa.CheckConstraint("length(subject_token) = 32", name=op.f("ck_records_subject_token_len")),
        sa.CheckConstraint("leaf_index >= 0", name=op.f("ck_records_leaf_index_nonneg")),
        sa.CheckConstraint("origin IN ('local', 'foreign')", name=op.f("ck_records_origin_known")),
    )
    op.create_index(op.f("ix_records_subject_token"), "records", ["subject_token"])
    op.create_index(
        op.f("ix_records_is_public_publicity_end"), "records", ["is_public", "publicity_end"]
    )

    op.create_table(
        "log_nodes",
        sa.Column("log_name", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("log_name", "level", "idx", name=op.f("pk_log_nodes")),
        sa.CheckConstraint("length(hash) = 32", name=op.f("ck_log_nodes_hash_len")),
        sa.CheckConstraint(
            "level >= 0 AND level < 64 AND idx >= 0", name=op.f("ck_log_nodes_position_valid")
        ),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "log_state",
        sa.Column("log_name", sa.String(32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("log_name", name=op.f("pk_log_state")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_log_state_size_nonneg")),
    )

    op.create_table(
        "batches",
        sa.Column("log_name", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("start_size", sa.BigInteger(), nullable=False),
        sa.Column("end_size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("prev_root", sa.LargeBinary(32), nullable=False),
        sa.Column("header_json", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tx_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("log_name", "seq", name=op.f("pk_batches")),
        sa.CheckConstraint(
            "length(root) = 32 AND length(prev_root) = 32", name=op.f("ck_batches_roots_len")
        ),
        sa.CheckConstraint("length(signature) = 64", name=op.f("ck_batches_signature_len")),
        sa.CheckConstraint(
            "tx_hash IS NULL OR length(tx_hash) = 32", name=op.f("ck_batches_tx_hash_len")
        ),
        sa.CheckConstraint(
            "0 <= start_size AND start_size < end_size", name=op.f("ck_batches_sizes_valid")
        ),
        sa.CheckConstraint(
            "status IN ('signed', 'submitted', 'anchored')", name=op.f("ck_batches_status_known")
        ),
    )
    op.create_index(op.f("ix_batches_log_name_status"), "batches", ["log_name", "status"])
    op.create_index(op.f("ix_batches_log_name_end_size"), "batches", ["log_name", "end_size"])

    op.create_table(
        "kv_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kv_meta")),
    )


def downgrade() -> None:
    op.drop_table("kv_meta")
    op.drop_index(op.f("ix_batches_log_name_end_size"), table_name="batches")
    op.drop_index(op.f("ix_batches_log_name_status"), table_name="batches")
    op.drop_table("batches")
    op.drop_table("log_state")
    op.drop_table("log_nodes")
    op.drop_index(op.f("ix_records_is_public_publicity_end"), table_name="records")
    op.drop_index(op.f("ix_records_subject_token"), table_name="records")
    op.drop_table("records")
