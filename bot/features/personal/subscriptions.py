"""Which talks a user starred."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from bot.storage.db import rowcount
from bot.storage.models import Subscription, User

# built once: composing a statement (and its cache key) costs about as much as running it
_SUBSCRIBED = select(Subscription.talk_id).where(Subscription.user_id == bindparam("user_id"))


def subscribed_ids(session: Session, user: User) -> set[int]:
    """The ids of the talks ``user`` subscribed to."""
    return set(session.scalars(_SUBSCRIBED, {"user_id": user.id}))


def is_subscribed(session: Session, user: User, talk_id: int) -> bool:
    """Whether ``user`` subscribed to ``talk_id``."""
    return talk_id in subscribed_ids(session, user)


def subscribe(session: Session, user: User, talk_id: int, now: datetime) -> bool:
    """Star a talk; False if it already was."""
    if is_subscribed(session, user, talk_id):
        return False
    session.add(Subscription(user_id=user.id, talk_id=talk_id, created_at=now))
    session.flush()
    return True


def unsubscribe(session: Session, user: User, talk_id: int) -> bool:
    """Unstar a talk; False if it wasn't starred."""
    result = session.execute(
        delete(Subscription).where(Subscription.user_id == user.id, Subscription.talk_id == talk_id)
    )
    return bool(rowcount(result))
