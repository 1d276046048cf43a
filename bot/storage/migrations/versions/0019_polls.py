"""live polls: a poll on a talk (/poll), the votes from every platform, and the native posts

``polls`` holds the question and options (JSON list) and closes at the talk's end; ``poll_votes``
has one row per person and poll (``platform`` + ``voter``, their platform user id), a new vote
moving it; ``poll_posts`` maps a platform's own poll id (Telegram's) to the poll.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 16:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_polls_talk_id"), "polls", ["talk_id"], unique=False)
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("voter", sa.String(length=200), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("voted_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_id", "platform", "voter"),
    )
    op.create_table(
        "poll_posts",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "ref"),
    )
    op.create_index(op.f("ix_poll_posts_poll_id"), "poll_posts", ["poll_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_poll_posts_poll_id"), table_name="poll_posts")
    op.drop_table("poll_posts")
    op.drop_table("poll_votes")
    op.drop_index(op.f("ix_polls_talk_id"), table_name="polls")
    op.drop_table("polls")
