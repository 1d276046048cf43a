"""Unguessable per-user tokens: a calendar feed's address and a personal web page's.

A token (``secrets.token_urlsafe``, 192 bits) is made on first use, once even when two replicas make
it at the same time; a reset replaces it, and the old address stops working at once. Only an active
user's token is honoured.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.storage.db import insert_for
from bot.storage.models import CalendarFeed, User, WebAgenda

TOKEN_BYTES = 24
MAX_TOKEN_CHARS = 64
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
Holder = type[CalendarFeed] | type[WebAgenda]  # the tables that hold one token per user


def token_for(session: Session, table: Holder, user: User, now: datetime) -> str:
    """The user's token in ``table``, made on first use."""
    known = session.scalar(select(table.token).where(table.user_id == user.id))
    if known is not None:
        return known
    insert = insert_for(session)
    values = {"user_id": user.id, "token": secrets.token_urlsafe(TOKEN_BYTES), "created_at": now}
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=["user_id"]))
    token = session.scalar(select(table.token).where(table.user_id == user.id))
    assert token is not None  # ours, or the one another replica stored first
    return token


def reset_token(session: Session, table: Holder, user: User, now: datetime) -> str:
    """A new token for the user: the old address stops working."""
    token = token_for(session, table, user, now)
    session.execute(
        update(table)
        .where(table.user_id == user.id, table.token == token)
        .values(token=secrets.token_urlsafe(TOKEN_BYTES), created_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return token_for(session, table, user, now)


def well_formed(token: str) -> bool:
    """Whether ``token`` could be one of ours (URL-safe base64, not too long): anything else is not
    looked up at all (a NUL in it would be an error on PostgreSQL, not a miss)."""
    return 0 < len(token) <= MAX_TOKEN_CHARS and _TOKEN.fullmatch(token) is not None


def holder(session: Session, table: Holder, token: str) -> User | None:
    """The active user holding ``token`` in ``table``, or None."""
    if not well_formed(token):
        return None
    return session.scalar(
        select(User).join(table, table.user_id == User.id).where(table.token == token, User.active.is_(True))
    )
