"""platforms with a messaging window, shared credentials, lettered choices (WeChat)

``push_windows``: how long and how many times a platform lets the bot write to someone after their
last interaction (one row per person and kind); ``shared_credentials``: a token every replica uses,
refreshed under one replica's lease; ``chat_choices``: the buttons shown to someone on a text-only
platform, as the letters they type.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_windows",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("closes_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", "kind"),
    )
    op.create_table(
        "shared_credentials",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=True),
        sa.Column("expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refreshing_until", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refreshes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "chat_choices",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("chat_choices")
    op.drop_table("shared_credentials")
    op.drop_table("push_windows")
