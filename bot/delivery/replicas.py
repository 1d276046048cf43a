"""One platform rate limit across replicas: heartbeats in the shared database, and each replica's share.

A platform's rate (``TELEGRAM_RATE_LIMIT``, ``SLACK_RATE_LIMIT``) is the whole bot's. Every push
runtime writes a heartbeat row (its id, the platforms it sends for, the time) every
``HEARTBEAT_SECONDS``; a replica seen within ``LIVE_BEATS`` heartbeats counts as live. With N
live replicas sending for a platform, each one's sender takes 1/N of the rate.

- A replica that stops gracefully deletes its row: the others take its share at their next beat.
  One that dies is dropped after ``LIVE_BEATS`` beats (until then the others stay below the rate).
- A replica that joins while others are live holds its first dispatch for ``JOIN_HOLD_BEATS``
  beats: by then every other replica has seen it and lowered its share, so the sum never
  exceeds the rate while a replica joins.
- Heartbeats use the wall clock, not the bot's clock: a ``CONFBOT_CLOCK_START`` rehearsal shifts
  each replica by a different offset, while NTP keeps wall clocks well within one beat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.clock import Clock, SystemClock
from bot.delivery.sender import Sender, SharesRate
from bot.storage.db import Database, insert_for
from bot.storage.models import Replica

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
LIVE_BEATS = 3  # a replica silent for longer than 3 beats is taken for dead
JOIN_HOLD_BEATS = 1.5  # a joining replica waits this long, so the others have seen it first
FORGET_AFTER = timedelta(hours=1)  # rows of replicas gone this long are deleted


def beat(
    session: Session, replica_id: str, platforms: Iterable[str], now: datetime, *, interval: float = HEARTBEAT_SECONDS
) -> Counter[str]:
    """Record this replica as live; return how many live replicas (itself included) send for each platform."""
    values = {"id": replica_id, "platforms": ",".join(sorted(platforms)), "last_seen": now}
    insert = insert_for(session)
    stmt = insert(Replica).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Replica.id], set_={"platforms": stmt.excluded.platforms, "last_seen": now}
        )
    )
    session.execute(delete(Replica).where(Replica.last_seen < now - FORGET_AFTER))
    live_since = now - timedelta(seconds=interval * LIVE_BEATS)
    counts: Counter[str] = Counter()
    for listed in session.scalars(select(Replica.platforms).where(Replica.last_seen >= live_since)):
        counts.update(p for p in listed.split(",") if p)
    return counts


def leave(session: Session, replica_id: str) -> None:
    """Remove this replica's heartbeat (graceful shutdown): the others take its share at their next beat."""
    session.execute(delete(Replica).where(Replica.id == replica_id))


class ReplicaShares:
    """Heartbeats of one push runtime, and the rate share it gives its senders."""

    def __init__(
        self,
        db: Database,
        replica_id: str,
        senders: Iterable[Sender],
        *,
        clock: Clock | None = None,
        interval: float = HEARTBEAT_SECONDS,
        on_shares: Callable[[Mapping[str, float]], None] | None = None,
    ) -> None:
        self.db = db
        self.on_shares = on_shares  # told each platform's share after every beat (the inbound limits')
        self.replica_id = replica_id
        self.senders = list(senders)
        self.clock = clock or SystemClock()
        self.interval = interval
        self.shares: dict[str, float] = {s.platform: 1.0 for s in self.senders}
        self._beats = 0
        self._hold_until = 0.0  # time.monotonic() before which this replica does not dispatch

    def beat(self) -> dict[str, float]:
        """Heartbeat, then give each sender its share (1 / live replicas sending for its platform)."""
        return self.take(self.record())

    async def beat_off_loop(self) -> dict[str, float]:
        """:meth:`beat` with its database round trips in a worker thread (the heartbeat job)."""
        return self.take(await asyncio.to_thread(self.record))

    def record(self) -> Counter[str]:
        """Record this replica as live; how many live replicas send for each platform."""
        with self.db.session() as session:
            return beat(session, self.replica_id, self.shares, self.clock.now(), interval=self.interval)

    def take(self, counts: Counter[str]) -> dict[str, float]:
        """Give each sender its share from ``counts`` (on the event loop, where the senders run)."""
        shares = {platform: 1.0 / max(1, counts[platform]) for platform in self.shares}
        if self._beats == 0 and any(share < 1.0 for share in shares.values()):
            self._hold_until = time.monotonic() + self.interval * JOIN_HOLD_BEATS
        self._beats += 1
        if shares != self.shares:
            log.info("rate shares now %s (replica %s)", shares, self.replica_id)
        self.shares = shares
        for sender in self.senders:
            if isinstance(sender, SharesRate):
                sender.set_share(shares[sender.platform])
        if self.on_shares is not None:
            self.on_shares(shares)
        return shares

    async def joined(self) -> None:
        """Return once this replica may send: at once, or after the join hold if others were live."""
        delay = self._hold_until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def leave(self) -> None:
        """Delete the heartbeat (graceful shutdown)."""
        with self.db.session() as session:
            leave(session, self.replica_id)
