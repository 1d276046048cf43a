"""helpdesk messages waiting for an organizer; the schedule first announced for each talk

``ticket_messages.routed_at``: when the message was queued to the organizers (NULL: nobody could be
reached yet; it goes out as soon as an organizer or a helpdesk chat can be). Existing messages that
were queued, and those of closed tickets, count as routed; an open ticket's message that found nobody
is now delivered when an organizer shows up.

``talk_snapshots.first_start`` / ``first_room``: the time and room a talk was first announced at, so
that every view can say "moved from 10:40" whatever moved it (a /move, a content edit, the live sync).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_messages") as batch:
        batch.add_column(sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE ticket_messages SET routed_at = created_at WHERE author <> 'attendee'"
        " OR ticket_id IN (SELECT id FROM tickets WHERE state <> 'open')"
        " OR EXISTS (SELECT 1 FROM outbox WHERE outbox.kind = 'helpdesk'"
        " AND outbox.key = 'helpdesk:' || CAST(ticket_messages.id AS VARCHAR(20)))"
    )
    with op.batch_alter_table("talk_snapshots") as batch:
        batch.add_column(sa.Column("first_start", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_room", sa.String(64), nullable=True))
    op.execute("UPDATE talk_snapshots SET first_start = start, first_room = room")


def downgrade() -> None:
    with op.batch_alter_table("talk_snapshots") as batch:
        batch.drop_column("first_room")
        batch.drop_column("first_start")
    with op.batch_alter_table("ticket_messages") as batch:
        batch.drop_column("routed_at")
