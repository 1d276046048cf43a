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

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, aliased

from bot.storage.db import insert_for, rowcount
from bot.storage.models import PushWindow


def open_window(session: Session, platform: str, user_id: str, kind: str, closes_at: datetime, quota: int) -> None:
    """The person interacted (``kind``: "message", "event"): that kind's window is open again until
    ``closes_at`` with ``quota`` messages, replacing what was left of it."""
    insert = insert_for(session)
    stmt = insert(PushWindow).values(platform=platform, user_id=user_id, kind=kind, closes_at=closes_at, left=quota)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[PushWindow.platform, PushWindow.user_id, PushWindow.kind],
            set_={"closes_at": closes_at, "left": quota},
        )
    )


def take(session: Session, platform: str, user_id: str, now: datetime, count: int = 1) -> bool:
    """Use ``count`` messages if an open window has them; False if none has (and nothing is used).

    A message counts against every window open at the time (WeChat does not say how its quotas
    combine; counting against all is the reading that never sends one too many)."""
    mine = (PushWindow.platform == platform, PushWindow.user_id == user_id, PushWindow.closes_at > now)
    room = aliased(PushWindow)
    enough = (
        select(room.kind)
        .where(room.platform == platform, room.user_id == user_id, room.closes_at > now, room.left >= count)
        .exists()
    )
    taken = session.execute(
        update(PushWindow)
        .where(*mine, enough)
        .values(left=case((PushWindow.left >= count, PushWindow.left - count), else_=0))
        .execution_options(synchronize_session=False)
    )
    return rowcount(taken) > 0


def give_back(session: Session, platform: str, user_id: str, now: datetime, count: int = 1) -> None:
    """Messages taken did not go out (the platform refused them for another reason): the open
    windows get them back."""
    session.execute(
        update(PushWindow)
        .where(PushWindow.platform == platform, PushWindow.user_id == user_id, PushWindow.closes_at > now)
        .values(left=PushWindow.left + count)
    )


def close(session: Session, platform: str, user_id: str) -> None:
    """The platform says the window is closed (it counts differently, or the person left): forget it."""
    session.execute(
        update(PushWindow).where(PushWindow.platform == platform, PushWindow.user_id == user_id).values(left=0)
    )
