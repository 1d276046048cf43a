"""What the core keeps for platforms with rules of their own, for their adapters (which never open a
database session themselves): first deliveries, messaging windows, lettered choices and shared
credentials. Each method is one short transaction; adapters call them off the event loop
(``Core.blocking`` or a worker thread).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot import dedupe, users
from bot.chat import choices
from bot.clock import Clock
from bot.delivery import windows
from bot.storage import credentials
from bot.storage.credentials import Credential
from bot.storage.db import Database, insert_for, rowcount
from bot.storage.models import PushGrant
from bot.storage.outage import unavailable  # whether an error is the database being away

__all__ = ["Arrival", "Credential", "PlatformState", "Window", "unavailable"]


@dataclass(frozen=True)
class Window:
    """What an interaction lets the bot send afterwards: ``quota`` messages within ``lasts``."""

    kind: str  # "message" | "event": a new interaction of a kind replaces what was left of it
    lasts: timedelta
    quota: int


@dataclass(frozen=True)
class Arrival:
    """An inbound message recorded: the action of the letter it typed, if it pressed a button."""

    action: str | None = None


class PlatformState:
    """The platform-specific state in the shared database, one transaction per call."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self.clock = clock

    def arrived(
        self,
        platform: str,
        user_id: str,
        keys: tuple[str, ...],
        *,
        opens: Window | None = None,
        typed: str | None = None,
        left: bool = False,
    ) -> Arrival | None:
        """Record one inbound message: None if any of its delivery ``keys`` (its id; the signed request
        that carried it) was seen before. Else the window it ``opens``, the person having ``left`` the
        conversation, and what ``typed`` presses. Keys are kept hashed: they may hold a person's id."""
        now = self.clock.now()
        hashed = [f"{platform}:{hashlib.sha256(key.encode()).hexdigest()[:40]}" for key in keys]
        with self._db.session() as session:
            if not dedupe.first_deliveries(session, hashed, now):
                return None
            if left:
                users.left(session, platform, user_id)
            if opens is not None:
                windows.open_window(session, platform, user_id, opens.kind, now + opens.lasts, opens.quota)
            action = choices.pressed(session, platform, user_id, typed) if typed else None
            return Arrival(action)

    def remember_choices(self, platform: str, user_id: str, actions: list[str]) -> int:
        """Keep ``actions`` as the person's next letters; the number of the first (``bot/chat/choices.py``)."""
        with self._db.session() as session:
            return choices.remember(session, platform, user_id, actions, self.clock.now())

    def take_window(
        self, platform: str, user_id: str, count: int, actions: list[str] | None = None, *, partial: bool = False
    ) -> tuple[int, int] | None:
        """Use ``count`` messages of the person's open windows (with ``partial``, as many as fit) and
        keep ``actions`` as their letters: (messages taken, the number of the first letter), or None if
        there is no room (nothing used)."""
        now = self.clock.now()
        with self._db.session() as session:
            taken = windows.take(session, platform, user_id, now, count, partial=partial)
            if not taken:
                return None
            return taken, choices.remember(session, platform, user_id, actions, now) if actions else 1

    def give_back_window(self, platform: str, user_id: str, count: int) -> None:
        """Messages taken that did not go out."""
        with self._db.session() as session:
            windows.give_back(session, platform, user_id, self.clock.now(), count)

    def close_window(self, platform: str, user_id: str) -> None:
        """The platform said the window is closed."""
        with self._db.session() as session:
            windows.close(session, platform, user_id)

    def grant(self, platform: str, user_id: str, topic: str) -> None:
        """The person allowed one message about ``topic`` outside the window (granting again keeps one)."""
        now = self.clock.now()
        with self._db.session() as session:
            insert = insert_for(session)
            values = {"platform": platform, "user_id": user_id, "topic": topic, "granted_at": now}
            session.execute(insert(PushGrant).values(**values).on_conflict_do_nothing())

    def use_grant(self, platform: str, user_id: str, topic: str) -> bool:
        """Use up the person's permission for ``topic``; False if there is none (on any replica)."""
        with self._db.session() as session:
            used = session.execute(
                delete(PushGrant).where(
                    PushGrant.platform == platform, PushGrant.user_id == user_id, PushGrant.topic == topic
                )
            )
            return rowcount(used) == 1

    def give_back_grant(self, platform: str, user_id: str, topic: str) -> None:
        """The message a permission was used for did not go out: the permission is kept."""
        self.grant(platform, user_id, topic)

    def credential(self, name: str) -> Credential | None:
        """The shared credential ``name`` (``bot/storage/credentials.py``)."""
        with self._db.session() as session:
            return credentials.read(session, name)

    def claim_credential(self, name: str, lease: timedelta, stale: str | None) -> bool:
        """Whether this caller must fetch a new ``name`` (it holds the lease now)."""
        with self._db.session() as session:
            return credentials.claim(session, name, self.clock.now(), lease, stale)

    def store_credential(self, name: str, value: str, expires_at: datetime) -> None:
        """The fetched value, for every replica."""
        with self._db.session() as session:
            credentials.store(session, name, value, expires_at)

    def release_credential(self, name: str) -> None:
        """The fetch failed."""
        with self._db.session() as session:
            credentials.release(session, name)
