"""Exchange: the quarantine of refused peer records, and the proofs of accepted ones.

Written by hand to mirror ``quarantine``, ``foreign_batches`` and ``foreign_proofs`` in
node/store/schema.py (see the drift test).

Revision ID: 20261128_0003
Revises: 20261128_0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261128_0003"
down_revision: str | Sequence[str] | None = "20261128_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("origin", sa.String(2), nullable=False),
        sa.Column("record_no", sa.String(64), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed_item", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint("item_sha256", name=op.f("uq_quarantine_item_sha256")),
        sa.CheckConstraint("length(item_sha256) = 32",
                           name=op.f("ck_quarantine_item_sha256_len")),
        sa.CheckConstraint("step >= 1", name=op.f("ck_quarantine_step_valid")),
        sa.CheckConstraint("leaf_index >= 0", name=op.f("ck_quarantine_leaf_index_nonneg")),
    )
    op.create_index(
        op.f("ix_quarantine_origin_received_at"), "quarantine", ["origin", "received_at"]
    )

    op.create_table(
        "foreign_batches",
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("header_json", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.LargeBinary(20), nullable=False),
        sa.Column("tx_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("province", "seq", name=op.f("pk_foreign_batches")),
        sa.CheckConstraint("length(signature) = 64",
                           name=op.f("ck_foreign_batches_signature_len")),
        sa.CheckConstraint("length(contract) = 20", name=op.f("ck_foreign_batches_contract_len")),
        sa.CheckConstraint("tx_hash IS NULL OR length(tx_hash) = 32",
                           name=op.f("ck_foreign_batches_tx_hash_len")),
    )

    op.create_table(
        "foreign_proofs",
        sa.Column("province", sa.String(2), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("batch_seq", sa.BigInteger(), nullable=False),
        sa.Column("inclusion_proof", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("province", "leaf_index", name=op.f("pk_foreign_proofs")),
        sa.CheckConstraint("length(inclusion_proof) % 32 = 0",
                           name=op.f("ck_foreign_proofs_proof_len")),
    )


def downgrade() -> None:
    op.drop_table("foreign_proofs")
    op.drop_table("foreign_batches")
    op.drop_index(op.f("ix_quarantine_origin_received_at"), table_name="quarantine")
    op.drop_table("quarantine")
