"""a helpdesk ticket's claim: which organizer has taken it, and when

``tickets.claimed_by`` is the organizer's ``platform:user_id`` (``/ticket_claim``, the desk's Claim
button), so two organizers don't both answer; ``claimed_at`` when they took it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("claimed_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
