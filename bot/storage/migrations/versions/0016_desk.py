"""the organizer desk's one-time sign-in links and its sessions

``desk_links``: a link ``/desk`` gives an organizer in chat (usable once, ten minutes);
``desk_sessions``: an organizer signed in to the desk in one browser, with the CSRF token its forms repeat.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_links",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index(op.f("ix_desk_sessions_account"), "desk_sessions", ["account"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_desk_sessions_account"), table_name="desk_sessions")
    op.drop_table("desk_sessions")
    op.drop_table("desk_links")
