"""Platforms that let a bot write to someone only for a while after they wrote or tapped.

WeChat's customer-service messages are the example: a person's message lets the account send them
five messages within 48 hours, a menu tap, a follow or a QR scan three within one minute. The
adapter says what each interaction opens (:func:`open_window`); every message the bot sends outside
a passive reply is taken from the open windows (:func:`take`), atomically, so replicas sharing the
database never together send more than the platform allows. A push for which no window is open is
not sent: the dispatcher records it as ``unreachable`` (``bot/delivery/sender.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.orm import Session

from bot.storage.db import insert_for, rowcount
from bot.storage.models import PushWindow


def open_window(session: Session, platform: str, user_id: str, kind: str, closes_at: datetime, quota: int) -> None:
    """The person interacted (``kind``: "message", "event"): that kind's window is open again until
    ``closes_at`` with ``quota`` messages, replacing what was left of it."""
    insert = insert_for(session)
    values = {"platform": platform, "user_id": user_id, "kind": kind, "closes_at": closes_at, "left": quota}
    stmt = insert(PushWindow).values(**values, quota=quota)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[PushWindow.platform, PushWindow.user_id, PushWindow.kind],
            set_={"closes_at": closes_at, "left": quota, "quota": quota},
        )
    )


def _theirs(platform: str, user_id: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (PushWindow.platform == platform, PushWindow.user_id == user_id, PushWindow.closes_at > now)


def take(session: Session, platform: str, user_id: str, now: datetime, count: int, *, partial: bool = False) -> int:
    """Use ``count`` messages (with ``partial``, as many of them as there is room for); how many were
    taken, 0 when no open window has room (nothing used).

    A message counts against every window open at the time (WeChat does not say how its quotas
    combine; counting against all is the reading that never sends one too many). The person's rows
    are locked first on PostgreSQL; on SQLite the first write re-checks the room itself, so two
    replicas or threads never both take the last message."""
    rows = session.execute(
        select(PushWindow.kind, PushWindow.left)
        .where(*_theirs(platform, user_id, now))
        .order_by(PushWindow.kind)
        .with_for_update()
    ).all()
    room = max((row.left for row in rows), default=0)
    taken = min(count, room) if partial else (count if room >= count else 0)
    if taken <= 0:
        return 0
    widest = next(row.kind for row in rows if row.left == room)
    guard = session.execute(
        update(PushWindow)
        .where(*_theirs(platform, user_id, now), PushWindow.kind == widest, PushWindow.left >= taken)
        .values(left=PushWindow.left - taken)
    )
    if not rowcount(guard):  # taken by someone else since the read (SQLite)
        return 0
    session.execute(
        update(PushWindow)
        .where(*_theirs(platform, user_id, now), PushWindow.kind != widest)
        .values(left=case((PushWindow.left >= taken, PushWindow.left - taken), else_=0))
    )
    return taken


def give_back(session: Session, platform: str, user_id: str, now: datetime, count: int = 1) -> None:
    """Messages taken did not go out (the platform refused them for another reason): the open
    windows get them back, never past what they opened with."""
    back = PushWindow.left + count
    session.execute(
        update(PushWindow)
        .where(*_theirs(platform, user_id, now))
        .values(left=case((back > PushWindow.quota, PushWindow.quota), else_=back))
    )


def close(session: Session, platform: str, user_id: str) -> None:
    """The platform says the window is closed (it counts differently, or the person left): forget it."""
    session.execute(
        update(PushWindow).where(PushWindow.platform == platform, PushWindow.user_id == user_id).values(left=0)
    )
