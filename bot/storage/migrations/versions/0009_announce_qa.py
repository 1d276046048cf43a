"""announce_channels.qa: /qa on posts a room's top questions there

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 14:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("announce_channels") as batch:
        batch.add_column(sa.Column("qa", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("announce_channels") as batch:
        batch.drop_column("qa")
