"""Room and channel announcements: posts into a group or channel, planned as outbox rows.

A channel is a users row of kind ``"channel"`` (its address is where the posts go) linked from an
``AnnounceChannel`` whose mode is ``room:<id>``, ``all`` or ``changes``.

- ``room:<id>`` / ``all``: "starting in 5 minutes" for each talk in that room (every room), due
  ``LEAD`` before the talk and expiring at its start (key ``room_soon:<talk>:<start>:<room>``); and "up
  next" at each changeover: when a talk ends, the next talk in the same room on the same day is
  named (key ``up_next:<room>:<talk>:<start>``, due at the end of the talk before it, expiring at
  its start). A changeover of ``LEAD`` or less gets no "up next": the "starting in 5 minutes"
  post, due at that moment anyway, says it.
- ``changes``: every move and cancellation, once (key ``changes:<the subscribers' notice key>``).

Planning is a reconciliation: :func:`sync_channel` makes a channel's pending rows match what the
programme wants (new rows enqueued, stale ones cancelled, moved ones re-timed), so it is safe to
run on every reload, by every replica, any number of times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import users
from bot.chat.messages import Reply, ReplyBuilder, bold
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.features.schedule.push import render_cancelled, render_moved
from bot.i18n import join_names, t
from bot.programme.cards import room_name, speaker_name, title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_time
from bot.storage.models import AnnounceChannel, OutboxMessage, User

ROOM_SOON = "room_soon"
UP_NEXT = "up_next"
CHANGE_KINDS = {"moved": "changes_moved", "cancelled": "changes_cancelled"}  # subscriber kind -> channel kind
ROOM_KINDS = (ROOM_SOON, UP_NEXT)
LEAD = timedelta(minutes=5)
ALL, CHANGES, ROOM_PREFIX = "all", "changes", "room:"
HELPDESK = (
    "helpdesk"  # the organizers' helpdesk chat: gets the tickets (bot/features/helpdesk/tickets.py), no room posts
)
CHANNEL = "channel"  # users.kind of a group or channel


@dataclass(frozen=True)
class Post:
    """One post a room channel should get."""

    kind: str
    key: str
    due_at: datetime
    expires_at: datetime
    payload: dict[str, Any]


def channel_user_id(chat_id: str) -> str:
    """The ``platform_user_id`` of a channel's users row (never a person's id)."""
    return f"{CHANNEL}:{chat_id}"


def _rooms_talks(programme: Programme, mode: str) -> dict[str | None, list[Talk]]:
    """The scheduled, not cancelled talks the mode covers, per room, in start order."""
    room = mode[len(ROOM_PREFIX) :] if mode.startswith(ROOM_PREFIX) else None
    per_room: dict[str | None, list[Talk]] = {}
    for talk in programme.talks:  # sorted by start
        if talk.start is None or talk.cancelled or (room is not None and talk.room != room):
            continue
        per_room.setdefault(talk.room, []).append(talk)
    return per_room


def wanted(programme: Programme, mode: str, now: datetime) -> list[Post]:
    """Every post a ``room:<id>`` or ``all`` channel should still get, from ``now`` on."""
    if mode != ALL and not mode.startswith(ROOM_PREFIX):
        return []
    tz = programme.tz
    posts: list[Post] = []
    for room, talks in _rooms_talks(programme, mode).items():
        before: Talk | None = None
        for talk in talks:
            assert talk.start is not None
            start = talk.start.isoformat()
            if talk.start > now:
                posts.append(
                    Post(
                        ROOM_SOON,
                        f"{ROOM_SOON}:{talk.id}:{start}:{room or '-'}",
                        talk.start - LEAD,
                        talk.start,
                        {"talk": talk.id, "start": start, "room": talk.room},
                    )
                )
                changeover = before.end if before is not None else None
                if (
                    changeover is not None
                    and changeover < talk.start - LEAD
                    and now < talk.start - LEAD  # later, "starting in 5 minutes" says it
                    and changeover.astimezone(tz).date() == talk.start.astimezone(tz).date()
                ):
                    posts.append(
                        Post(
                            UP_NEXT,
                            f"{UP_NEXT}:{room or '-'}:{talk.id}:{start}",
                            changeover,
                            talk.start,
                            {"talk": talk.id, "start": start, "room": talk.room},
                        )
                    )
            before = talk
    return posts


def sync_channel(session: Session, channel: User, mode: str, programme: Programme, *, now: datetime) -> int:
    """Make the channel's room posts match ``mode`` and the programme; returns the rows now pending.

    Rows no longer wanted (a talk moved away or was cancelled, another mode) are cancelled; wanted
    ones are enqueued, or re-timed / brought back when they exist but are pending or cancelled.
    Rows already sent stay sent.
    """
    posts = {p.key: p for p in wanted(programme, mode, now)} if channel.active else {}
    existing = {
        key: (status, due)
        for key, status, due in session.execute(
            select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.due_at).where(
                OutboxMessage.recipient_id == channel.id, OutboxMessage.kind.in_(ROOM_KINDS)
            )
        )
    }
    stale = [key for key, (status, _) in existing.items() if status == outbox.PENDING and key not in posts]
    if stale:
        outbox.cancel_pending(
            session,
            OutboxMessage.recipient_id == channel.id,
            OutboxMessage.key.in_(stale),
            reason="no longer announced here (schedule or mode changed)",
        )
    pending = 0
    for key, post in posts.items():
        if key not in existing:
            pending += outbox.enqueue(
                session,
                recipient_id=channel.id,
                kind=post.kind,
                key=key,
                due_at=post.due_at,
                expires_at=post.expires_at,
                payload=post.payload,
                now=now,
            )
            continue
        status, due = existing[key]
        if status == outbox.CANCELLED or (status == outbox.PENDING and due != post.due_at):
            pending += outbox.revive(session, recipient_id=channel.id, key=key, due_at=post.due_at)
        elif status == outbox.PENDING:
            pending += 1
    return pending


def _active(session: Session, *, changes: bool) -> list[tuple[User, str]]:
    query = (
        select(User, AnnounceChannel.mode)
        .join(AnnounceChannel, AnnounceChannel.user_id == User.id)
        .where(AnnounceChannel.active.is_(True), User.active.is_(True))
        .order_by(AnnounceChannel.id)
    )
    query = query.where(AnnounceChannel.mode == CHANGES) if changes else query.where(AnnounceChannel.mode != CHANGES)
    return [(user, mode) for user, mode in session.execute(query)]


def replan(session: Session, programme: Programme, *, now: datetime) -> int:
    """Re-plan every active room channel against ``programme`` (after a reload, a move, a cancel)."""
    return sum(sync_channel(session, user, mode, programme, now=now) for user, mode in _active(session, changes=False))


def post_change(session: Session, *, kind: str, key: str, payload: dict[str, Any], now: datetime) -> int:
    """Post a move or cancellation (``kind`` "moved" / "cancelled", the subscribers' ``key``) to
    every active ``changes`` channel, once each; returns the rows queued."""
    return sum(
        outbox.enqueue(
            session,
            recipient_id=user.id,
            kind=CHANGE_KINDS[kind],
            key=f"changes:{key}",
            due_at=now,
            payload=payload,
            now=now,
        )
        for user, _ in _active(session, changes=True)
    )


def channel_row(session: Session, platform: str, chat_id: str, *, lang: str, now: datetime) -> User:
    """The channel's users row, created (kind "channel") if new, active, in ``lang``."""
    key = channel_user_id(chat_id)
    find = select(User).where(User.platform == platform, User.platform_user_id == key)
    user = session.scalar(find)
    if user is None:
        user = User(
            platform=platform,
            platform_user_id=key,
            chat_id=chat_id,
            thread=None,
            language=lang,
            language_set=True,
            first_seen=now,
            last_seen=now,
            active=True,
            reminders_on=False,
            lead_minutes=0,
            kind=CHANNEL,
        )
        user = users.add_once(session, user)
    user.active, user.language, user.last_seen = True, lang, now  # re-enabled after the bot was removed
    return user


def set_mode(session: Session, channel: User, mode: str, who: str, programme: Programme, *, now: datetime) -> int:
    """Announce ``mode`` in ``channel`` from now on; returns the room posts now pending."""
    link = session.scalar(select(AnnounceChannel).where(AnnounceChannel.user_id == channel.id))
    if link is None:
        try:
            with session.begin_nested():
                session.add(AnnounceChannel(user_id=channel.id, mode=mode, created_by=who, created_at=now, active=True))
        except IntegrityError:  # set up in the same chat at the same moment, on another replica
            pass
        link = session.scalar(select(AnnounceChannel).where(AnnounceChannel.user_id == channel.id))
        assert link is not None
    link.mode, link.created_by, link.created_at, link.active = mode, who, now, True
    session.flush()
    return sync_channel(session, channel, mode, programme, now=now)


def stop(session: Session, platform: str, chat_id: str) -> int | None:
    """Stop announcing in a channel and cancel its pending posts; None if it announced nothing."""
    channel = session.scalar(
        select(User).where(User.platform == platform, User.platform_user_id == channel_user_id(chat_id))
    )
    link = (
        session.scalar(select(AnnounceChannel).where(AnnounceChannel.user_id == channel.id))
        if channel is not None
        else None
    )
    if channel is None or link is None or not link.active:
        return None
    link.active = False
    return outbox.cancel_pending(session, OutboxMessage.recipient_id == channel.id, reason="announcements turned off")


def listing(session: Session) -> list[tuple[User, AnnounceChannel]]:
    """Every active announcing channel with its link, oldest first."""
    query = (
        select(User, AnnounceChannel)
        .join(AnnounceChannel, AnnounceChannel.user_id == User.id)
        .where(AnnounceChannel.active.is_(True))
        .order_by(AnnounceChannel.id)
    )
    return [(user, link) for user, link in session.execute(query)]


def _planned(push: PushContext) -> tuple[Talk, datetime, str] | None:
    """The post's talk, with the start and room it was planned for.

    The database is the truth about what is still announced (re-planning cancels stale rows in the
    transaction that changes the schedule), so the time and room come from the payload: another
    replica may not have loaded the new programme yet.
    """
    talk = push.talk()
    start = push.payload.get("start")
    if talk is None or not start:
        return None
    return talk, datetime.fromisoformat(start), room_name(push.programme, push.payload.get("room"), push.lang)


def _talk_lines(b: ReplyBuilder, push: PushContext, talk: Talk) -> Reply:
    b.line(bold(f"#{talk.id} {title_of(talk, push.lang)}"))
    names = join_names((speaker_name(s, push.lang) for s in push.programme.speakers_of(talk)), push.lang)
    return (b.line(t(push.lang, "announce.speakers", names=names)) if names else b).build()


@renderer("room_soon")
def render_soon(push: PushContext) -> Reply | None:
    """Starting in 5 minutes in Hall A, with the real minutes left. No buttons: a press would be
    answered in the shared chat."""
    planned = _planned(push)
    if planned is None:
        return None
    talk, start, room = planned
    minutes = max(1, round((start - push.now).total_seconds() / 60))
    head = (
        t(push.lang, "announce.soon_one", room=room)
        if minutes == 1
        else t(push.lang, "announce.soon", minutes=minutes, room=room)
    )
    return _talk_lines(ReplyBuilder().line(head), push, talk)


@renderer("up_next")
def render_up_next(push: PushContext) -> Reply | None:
    """Up next in Hall A, 10:00 (UTC+8): posted when the talk before it ends."""
    planned = _planned(push)
    if planned is None:
        return None
    talk, start, room = planned
    head = t(push.lang, "announce.up_next", room=room, time=format_time(start, push.programme.tz))
    return _talk_lines(ReplyBuilder().line(head), push, talk)


def unbuttoned(renderer: Callable[[PushContext], Reply | None]) -> Callable[[PushContext], Reply | None]:
    """``renderer`` for a shared chat: the same text, without buttons."""

    def render(push: PushContext) -> Reply | None:
        reply = renderer(push)
        return replace(reply, buttons=(), choices=None) if reply is not None else None

    return render


renderer("changes_moved")(unbuttoned(render_moved))  # the public schedule changes in a shared chat
renderer("changes_cancelled")(unbuttoned(render_cancelled))
