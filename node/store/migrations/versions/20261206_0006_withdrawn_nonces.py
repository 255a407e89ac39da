"""Withdrawn grants hold their nonce: for every withdrawal (``gw:<digest>``) the nonce key
of the same grant (``gn:<digest>``, node/service/nonces.py) is claimed, valued never to
expire, so a query with a withdrawn grant fails its nonce claim in the claim's own
transaction (the query path reads the withdrawal only to name the refusal). Withdrawals
recorded from now on claim the nonce themselves; this covers the ones recorded before.

Revision ID: 20261206_0006
Revises: 20261202_0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261206_0006"
down_revision: str | Sequence[str] | None = "20261202_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    # Both dialects (SQLite >= 3.24); the expiry is node.service.nonces.NEVER.
    op.execute(
        "INSERT INTO kv_meta (key, value) "
        "SELECT 'gn:' || substr(key, 4), '9999-12-31T23:59:59+00:00' FROM kv_meta "
        "WHERE key LIKE 'gw:%' ON CONFLICT (key) DO NOTHING"
    )


def downgrade() -> None:
    # The claimed nonces stay claimed: a withdrawn grant must never be usable again.
    pass
