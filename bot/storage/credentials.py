"""A platform credential shared by every replica and refreshed by one of them at a time.

WeChat's access token is the example: each fetch invalidates the one before (after a short overlap),
and fetches are counted per day, so replicas must share one token and must not all refresh it
together. The token is kept in ``shared_credentials``; a replica that finds it missing, expiring or
refused takes a short lease (:func:`claim`), fetches a new one and stores it (:func:`store`); the
others wait for the new value instead of fetching their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.storage.db import insert_for, rowcount
from bot.storage.models import SharedCredential

MARGIN = timedelta(minutes=5)  # a token this close to its expiry is refreshed before it is used


@dataclass(frozen=True)
class Credential:
    """The stored value and until when it is good."""

    value: str
    expires_at: datetime

    def usable(self, now: datetime) -> bool:
        """Whether it can still be used (not within :data:`MARGIN` of its expiry)."""
        return now + MARGIN < self.expires_at


def read(session: Session, name: str) -> Credential | None:
    """The stored credential, if one was ever fetched."""
    row = session.execute(
        select(SharedCredential.value, SharedCredential.expires_at).where(SharedCredential.name == name)
    ).one_or_none()
    if row is None or row.value is None or row.expires_at is None:
        return None
    return Credential(row.value, row.expires_at)


def claim(session: Session, name: str, now: datetime, lease: timedelta, stale: str | None) -> bool:
    """Take the refresh lease if no other replica holds one and the stored value needs replacing
    (none, expiring, or the ``stale`` one a platform just refused); True if this caller must fetch."""
    insert = insert_for(session)
    session.execute(
        insert(SharedCredential).values(name=name, refreshes=0).on_conflict_do_nothing(index_elements=["name"])
    )
    needs = [SharedCredential.value.is_(None), SharedCredential.expires_at <= now + MARGIN]
    if stale is not None:
        needs.append(SharedCredential.value == stale)
    claimed = session.execute(
        update(SharedCredential)
        .where(
            SharedCredential.name == name,
            or_(SharedCredential.refreshing_until.is_(None), SharedCredential.refreshing_until <= now),
            or_(*needs),
        )
        .values(refreshing_until=now + lease)
    )
    return rowcount(claimed) == 1


def store(session: Session, name: str, value: str, expires_at: datetime) -> None:
    """The fetched value, for every replica; the lease ends."""
    session.execute(
        update(SharedCredential)
        .where(SharedCredential.name == name)
        .values(value=value, expires_at=expires_at, refreshing_until=None, refreshes=SharedCredential.refreshes + 1)
    )


def release(session: Session, name: str) -> None:
    """The fetch failed: the lease ends so that the next caller tries again."""
    session.execute(update(SharedCredential).where(SharedCredential.name == name).values(refreshing_until=None))
