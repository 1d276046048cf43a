"""one-time permissions to push outside a platform's window (WeChat's one-time subscriptions)

``push_grants``: one row per person and topic (``talk:3``), deleted when the message it allows is sent.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 17:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_grants",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("granted_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", "topic"),
    )


def downgrade() -> None:
    op.drop_table("push_grants")
