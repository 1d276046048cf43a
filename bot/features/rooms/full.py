"""Full rooms: which talk a ``/full`` mark is for, the live marks, and the one notice per subscriber.

A mark names the room and the talk on there now (or starting within :data:`SOON`); it lasts until
that talk ends, or until ``/full <room> off``. A room has one row (``full_rooms``): a mark for
another talk replaces it; marking the same talk again keeps it (and who marked it first).

"Not there yet": the bot has no presence signal, so every subscriber of the talk (a person, still
reachable) counts as not there yet, except the organizer or room host marking it and the one who
marked it first (they are in the room). Each gets one notice: its outbox key is per (room, talk), so
marking twice, off and on again, or a restart in between never sends it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, not_, or_, select
from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.delivery import outbox
from bot.programme import queries
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.models import FullRoom, OutboxMessage, Subscription, User

KIND = "full"
SOON = timedelta(minutes=15)  # a talk starting this soon may be marked full already


def key_for(room_id: str, talk_id: int) -> str:
    """The notice's idempotency key: one per room and talk."""
    return f"{KIND}:{room_id}:{talk_id}"


def talk_to_mark(programme: Programme, room_id: str, now: datetime) -> Talk | None:
    """The talk a mark of ``room_id`` is for at ``now``: the one on there, else one starting within
    :data:`SOON`; None when neither (a cancelled talk is neither)."""
    talks = [t for t in queries.by_room(programme, room_id) if not t.cancelled and t.start and t.end]
    on = [t for t in talks if t.start and t.end and t.start <= now < t.end]
    if on:
        return on[0]
    soon = [t for t in talks if t.start and now < t.start <= now + SOON]
    return min(soon, key=lambda t: t.start or now, default=None)


_LIVE = select(FullRoom).where(FullRoom.until > bindparam("now"))  # built once (/now asks it every time)


def live(session: Session, now: datetime) -> dict[str, FullRoom]:
    """The rooms marked full at ``now``, by room id."""
    return {mark.room: mark for mark in session.scalars(_LIVE, {"now": now})}


def is_full(session: Session, room_id: str | None, now: datetime) -> bool:
    """Whether ``room_id`` is marked full at ``now``."""
    if room_id is None:
        return False
    mark = session.get(FullRoom, room_id)
    return mark is not None and mark.until > now


def mark(session: Session, room_id: str, talk: Talk, by: Address, now: datetime) -> int:
    """Mark ``room_id`` full for ``talk`` (replacing an older mark) and queue the notices; how many
    people get one now (0 when they all had theirs)."""
    assert talk.end is not None
    account = f"{by.platform}:{by.user_id}"
    markers = {account}
    row = session.get(FullRoom, room_id)
    if row is None:
        session.add(FullRoom(room=room_id, talk_id=talk.id, marked_by=account, marked_at=now, until=talk.end))
    elif row.talk_id == talk.id and row.until > now:  # marked again: the row keeps who marked it first
        markers.add(row.marked_by)
    else:  # an older talk's mark, or one taken off
        row.talk_id, row.marked_by, row.marked_at, row.until = talk.id, account, now, talk.end
    session.flush()
    there = [and_(User.platform == p, User.platform_user_id == u) for p, _, u in (m.partition(":") for m in markers)]
    recipients = (
        select(User.id)
        .join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.talk_id == talk.id, User.active, User.kind == "person", not_(or_(*there)))
    )
    return outbox.enqueue_many(
        session,
        recipients,
        kind=KIND,
        key=key_for(room_id, talk.id),
        due_at=now,
        payload={"talk": talk.id, "room": room_id},
        expires_at=talk.end,
        now=now,
    )


def clear(session: Session, room_id: str, now: datetime) -> FullRoom | None:
    """Take the mark off ``room_id`` (its notices not sent yet are dropped); the live mark it had."""
    row = session.get(FullRoom, room_id)
    was = row if row is not None and row.until > now else None
    if row is not None:
        key = key_for(room_id, row.talk_id)
        outbox.cancel_pending(session, OutboxMessage.kind == KIND, OutboxMessage.key == key, reason="room not full")
        session.execute(delete(FullRoom).where(FullRoom.room == room_id))
    return was


def elsewhere(programme: Programme, talk: Talk) -> list[Talk]:
    """Talks in other rooms starting at the same time as ``talk`` (else those overlapping it)."""
    others = [t for t in queries.parallel(programme, talk) if t.room != talk.room]
    same = [t for t in others if t.start == talk.start]
    return same or others
