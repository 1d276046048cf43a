"""full rooms: a room marked full (/full) for the talk on there, until that talk ends

``full_rooms`` has one row per room (its primary key), so a room has at most one live mark: marking
it again replaces the row, ``/full <room> off`` deletes it, and a row whose ``until`` has passed is
no longer live. ``marked_by`` is the organizer's or room host's ``platform:user_id``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "full_rooms",
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column("marked_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("room"),
    )


def downgrade() -> None:
    op.drop_table("full_rooms")
