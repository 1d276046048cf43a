"""plain-text questions that found nothing, counted by their folded text (no one's id)

``faq_misses``: what attendees asked that neither the FAQ nor the talk search answered, so organizers
can add FAQ entries (``/stats``, ``confbot stats``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_misses",
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("text"),
    )


def downgrade() -> None:
    op.drop_table("faq_misses")
