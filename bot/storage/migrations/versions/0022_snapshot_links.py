"""the links (recording, slides) each talk has shown so far

``talk_snapshots.links``: "recording slides", "" or NULL (not recorded yet: the next apply records it
and announces nothing), so that a link added to the content while the bot was down, or while the talk
was cancelled, is announced later (``bot.features.media``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talk_snapshots") as batch:
        batch.add_column(sa.Column("links", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("talk_snapshots") as batch:
        batch.drop_column("links")
