"""pending inputs: a user's next plain message awaited for a purpose

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 13:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_inputs",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", "chat_id"),
    )
    op.create_index("ix_pending_inputs_expires_at", "pending_inputs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_inputs_expires_at", table_name="pending_inputs")
    op.drop_table("pending_inputs")
