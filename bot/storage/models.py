"""SQLAlchemy 2 ORM models. Schema changes go through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite's naive values come back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; the bot works in aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every table."""


class User(Base):
    """A person on one platform, with the address pushes go to."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_users_platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(128), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    language_set: Mapped[bool] = mapped_column(Boolean, default=False)  # chosen with /lang
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once they blocked the bot
    reminders_on: Mapped[bool] = mapped_column(Boolean, default=True)
    lead_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # "person", or "channel" for a group/channel that receives room announcements (never counted as a user)
    kind: Mapped[str] = mapped_column(String(16), default="person", server_default="person")


class Subscription(Base):
    """A user starred a talk."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "talk_id", name="uq_subscriptions_user_talk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One durable push (reminder, notice, broadcast) to one recipient.

    ``(recipient_id, key)`` is unique, so enqueueing the same push twice is a no-op.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("recipient_id", "key", name="uq_outbox_recipient_key"),
        Index("ix_outbox_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # reminder | moved | cancelled | broadcast
    key: Mapped[str] = mapped_column(String(200))  # idempotency key, e.g. reminder:12:2026-...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # claimed in (priority, due_at) order: 0 for time-critical pushes, higher for bulk (broadcasts)
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TalkSnapshot(Base):
    """The last schedule the bot announced for a talk, to detect moves on reload."""

    __tablename__ = "talk_snapshots"

    talk_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    room: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # where the talk was first announced ("moved from 10:40" in every view, whatever moved it)
    first_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_room: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the links the talk has shown so far ("recording slides"; bot.features.media), so that one added
    # while the bot was down or the talk cancelled is announced later; None: not recorded yet
    links: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Replica(Base):
    """A running push runtime. Its heartbeat tells the others how many share each platform's rate."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the dispatcher's worker id
    platforms: Mapped[str] = mapped_column(String(200), default="")  # the platforms it sends for, comma-separated
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class SeenDelivery(Base):
    """An inbound delivery already handled (a Slack ``event_id`` or ``trigger_id``), until it expires."""

    __tablename__ = "seen_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. slack:event:Ev0123
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEntry(Base):
    """One organizer action or refused attempt: who, when, what and the outcome."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))  # the command, e.g. "broadcast"
    detail: Mapped[str] = mapped_column(Text, default="")  # its arguments, shortened
    outcome: Mapped[str] = mapped_column(String(32))  # ok | refused | usage | error | previewed | confirmed ...
    # refusals of the same kind by the same person within a minute of ``at`` are this one row, counted
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Confirmation(Base):
    """A preview waiting for its organizer's Confirm (a broadcast, a move, a cancellation)."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # carried by the Confirm / Cancel buttons
    kind: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))  # platform:user_id
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | dropped
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Broadcast(Base):
    """A confirmed announcement: its outbox rows carry ``broadcast:<id>`` keys."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_by: Mapped[str] = mapped_column(String(200))  # platform:user_id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(100))  # all | talk:12 | platform:telegram | lang:en
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | done
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ScheduleOverride(Base):
    """An organizer's fix on top of the content files (/move, /cancel); survives reloads."""

    __tablename__ = "schedule_overrides"

    talk_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    room: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnnounceChannel(Base):
    """A group or channel that gets room announcements or the public schedule changes."""

    __tablename__ = "announce_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # the channel's own users row (kind="channel"): its address is where the posts go
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = mapped_column(String(80))  # room:<id> | all | changes
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    qa: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # /qa on: top questions posted


class ScheduleSource(Base):
    """The last good copy of a published schedule (``CONFBOT_SCHEDULE_URL``): a restart starts from it."""

    __tablename__ = "schedule_sources"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the URL
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the schedule as applied: content JSON, talk ids included
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of what was fetched (to tell a change)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeed(Base):
    """A user's personal calendar feed: whoever holds the unguessable token reads their agenda."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebAgenda(Base):
    """A user's personal web page (``/me/<token>``): whoever holds the unguessable token acts as them there."""

    __tablename__ = "web_agendas"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeskLink(Base):
    """A one-time sign-in link to the organizer desk (``/desk``): usable once, for ten minutes."""

    __tablename__ = "desk_links"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(200))  # platform:user_id of the organizer it signs in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeskSession(Base):
    """An organizer signed in to the desk in one browser (its cookie holds ``token``)."""

    __tablename__ = "desk_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # every desk form repeats it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # signed out


class PendingInput(Base):
    """A user's next plain message in one chat is awaited for a purpose (a comment, a question…)."""

    __tablename__ = "pending_inputs"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the platform's user id
    chat_id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the chat the message is awaited in
    purpose: Mapped[str] = mapped_column(String(32))  # e.g. "comment"; its handler is in bot.chat.awaited
    target: Mapped[str] = mapped_column(String(64))  # what the message is for, e.g. a rating's talk id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Rating(Base):
    """One person's stars for one talk (pressing another star changes it), with an optional comment."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("user_id", "talk_id", name="uq_ratings_user_talk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    talk_id: Mapped[int] = mapped_column(Integer, index=True)
    stars: Mapped[int] = mapped_column(Integer)  # 1..5
    comment: Mapped[str | None] = mapped_column(
        Text, nullable=True
    )  # seen by organizers (and, anonymized, the speaker)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Question(Base):
    """An attendee's question to a talk. ``state`` is open, answered or hidden; the asker is shown
    to moderators only."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_talk_state", "talk_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    talk_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="open")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)


class QuestionVote(Base):
    """One 👍 of one user on one question."""

    __tablename__ = "question_votes"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Ticket(Base):
    """A helpdesk ticket an attendee opened; organizers reply and close it."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # the organizer who took it (``platform:user_id``, /ticket_claim or the desk), so two don't both answer
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TicketMessage(Base):
    """One message of a ticket: the attendee's text or an organizer's answer."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # attendee | organizer
    text: Mapped[str] = mapped_column(Text)
    # a file sent with it (bot.chat.messages.UserFile.to_json): the platform's reference, never the file itself
    file: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # when it was queued to the organizers; None while nobody could be reached (sent once one can)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FaqMiss(Base):
    """A plain-text question that found nothing (no FAQ entry, no talk, no speaker), counted by its
    folded text: organizers see which entries to add (``/stats``, ``confbot stats``). Nobody's id."""

    __tablename__ = "faq_misses"

    text: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FullRoom(Base):
    """A room marked full (``/full``) for the talk on there, until that talk ends: one mark per room,
    a new mark replacing the old (a mark whose ``until`` has passed is no longer live)."""

    __tablename__ = "full_rooms"

    room: Mapped[str] = mapped_column(String(64), primary_key=True)
    talk_id: Mapped[int] = mapped_column(Integer)
    marked_by: Mapped[str] = mapped_column(String(200))  # platform:user_id of the organizer or room host
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime] = mapped_column(UTCDateTime())  # the talk's end


class Poll(Base):
    """A live poll on a talk (``/poll``): its question and options, open until the talk's end."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    talk_id: Mapped[int] = mapped_column(Integer, index=True)
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))  # platform:user_id of the organizer or speaker
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the talk's end


class PollVote(Base):
    """One person's vote in a poll, from any platform: one row per person and poll, a new vote
    moving it."""

    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    voter: Mapped[str] = mapped_column(String(200), primary_key=True)  # the platform's user id
    option: Mapped[int] = mapped_column(Integer)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PollPost(Base):
    """A poll as a platform posted it natively (Telegram's poll id), so its answers find the poll."""

    __tablename__ = "poll_posts"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(String(200), primary_key=True)  # the platform's poll id
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)


class PushWindow(Base):
    """How long, and how many times, a platform lets the bot write to someone after they wrote or
    tapped (WeChat's customer-service window): one row per person and kind of interaction, a new
    interaction of that kind opening it afresh. A push takes one message from an open row
    (``bot/delivery/windows.py``)."""

    __tablename__ = "push_windows"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # the platform's user id
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "message" | "event"
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left: Mapped[int] = mapped_column(Integer)  # messages the bot may still send in it
    quota: Mapped[int] = mapped_column(Integer)  # what it opened with (a message given back never exceeds it)


class SharedCredential(Base):
    """A platform credential every replica uses (WeChat's access token), refreshed by one replica at a
    time: ``refreshing_until`` is that replica's lease (``bot/storage/credentials.py``)."""

    __tablename__ = "shared_credentials"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "wechat:<app id>"
    value: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refreshing_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refreshes: Mapped[int] = mapped_column(Integer, default=0)  # how many times it was fetched


class ChatChoices(Base):
    """The buttons last shown to someone on a text-only platform, as the letters they can type
    (``[a] …``): the actions in letter order (``bot/chat/choices.py``)."""

    __tablename__ = "chat_choices"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    actions: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PushGrant(Base):
    """A person's permission for one message about one topic outside the platform's window (WeChat's
    one-time subscription for a talk's reminder): used up by that message (``bot/platforms.py``)."""

    __tablename__ = "push_grants"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # the platform's user id
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "talk:3"
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
