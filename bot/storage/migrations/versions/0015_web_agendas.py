"""personal web pages: the token of each user's ``/me/<token>`` page

``web_agendas``: one row per user who has a personal web page (made on the web with "make my agenda",
by ``/web`` in a chat, or by opening the Telegram Mini App), holding its unguessable token.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_agendas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("token"),
    )


def downgrade() -> None:
    op.drop_table("web_agendas")
