"""Inbound deliveries handled once, across replicas: a replayed or redelivered request is dropped.

A platform can hand the same request over more than once: Slack redelivers an event whose ack was
late (same ``event_id``), and a signed slash command or button press stays valid for Slack's
5-minute replay window (same ``trigger_id``). Each key is recorded in ``seen_deliveries`` in the
shared database with an expiry; the first replica to insert it handles the request, every later
delivery of the key before the expiry is ignored. Expired rows are purged as new keys come in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.storage.db import insert_for
from bot.storage.models import SeenDelivery

# longer than Slack's 5-minute signature window, so a replay is caught for as long as it is valid
SEEN_FOR = timedelta(minutes=10)


def first_delivery(session: Session, key: str, now: datetime, *, ttl: timedelta = SEEN_FOR) -> bool:
    """Record ``key`` and say whether this is its first delivery within ``ttl`` (atomic across replicas).

    Expired records are purged first, so a key seen longer ago than ``ttl`` counts as new again.
    """
    return first_deliveries(session, (key,), now, ttl=ttl)


def first_deliveries(session: Session, keys: Sequence[str], now: datetime, *, ttl: timedelta = SEEN_FOR) -> bool:
    """:func:`first_delivery` for a request known by several keys (a message's id and the signed request
    that carried it): recorded in order, False at the first one seen before (those after it are not
    recorded). Expired records are purged once."""
    session.execute(delete(SeenDelivery).where(SeenDelivery.expires_at <= now))
    insert = insert_for(session)
    for key in keys:
        stmt = (
            insert(SeenDelivery)
            .values(key=key, expires_at=now + ttl)
            .on_conflict_do_nothing(index_elements=[SeenDelivery.key])
            .returning(SeenDelivery.key)
        )
        if session.execute(stmt).scalar() is None:
            return False
    return True
