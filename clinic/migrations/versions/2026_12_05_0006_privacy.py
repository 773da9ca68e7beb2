"""privacy: a patient's record can be restricted (erasure requested while clinical records must be
kept for the retention period): when and why

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 05:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('restriction_reason', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('restriction_reason')
        batch_op.drop_column('restricted_at')
