"""The outbox tells the runtime about new pushes by itself, and only once they are committed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.storage.models import User
from tests.helpers import ALICE, ask


def _alice_id(core: Core) -> int:
    ask(core, "/start")
    with core.db.session() as session:
        user = session.query(User).filter_by(platform_user_id=ALICE.user_id).one()
        return user.id


def test_a_subscription_wakes_the_runtime_once_its_reminder_is_committed(core: Core) -> None:
    wakes: list[int] = []
    stop = outbox.on_commit(core.db, lambda: wakes.append(outbox_rows(core)))
    try:
        ask(core, "/subscribe 2")
    finally:
        stop()
    assert wakes == [1]  # one wake-up, and the reminder row was already visible to it


def _broadcast(session: Session, recipient: int, key: str, now: datetime) -> None:
    outbox.enqueue(
        session, recipient_id=recipient, kind="broadcast", key=key, due_at=now, payload={"text": key}, now=now
    )


def test_no_wake_before_commit_and_none_after_a_rollback(core: Core, clock: FakeClock) -> None:
    recipient = _alice_id(core)
    wakes: list[str] = []
    stop = outbox.on_commit(core.db, lambda: wakes.append("wake"))
    try:
        with core.db.session() as session:
            _broadcast(session, recipient, "b:1", clock.now())
            assert wakes == []  # enqueued but not committed: the dispatcher must not look yet
        assert wakes == ["wake"]
        with pytest.raises(RuntimeError), core.db.session() as session:
            _broadcast(session, recipient, "b:2", clock.now())
            raise RuntimeError("the request failed")
        with core.db.session() as session:  # a later commit that enqueues nothing
            session.get(User, recipient)
        assert wakes == ["wake"]
    finally:
        stop()


def test_commands_that_enqueue_nothing_wake_nothing(core: Core, clock: FakeClock) -> None:
    wakes: list[str] = []
    stop = outbox.on_commit(core.db, lambda: wakes.append("wake"))
    try:
        ask(core, "/agenda")
        ask(core, "/talk 2")
        ask(core, "/unsubscribe 2")
        assert wakes == []
        ask(core, "/subscribe 2")
        clock.advance(timedelta(seconds=5))
        ask(core, "/remind 20")  # re-times the pending reminder
        assert wakes == ["wake", "wake"]
    finally:
        stop()


def outbox_rows(core: Core) -> int:
    """Pending rows as a fresh session sees them."""
    with core.db.session() as session:
        return outbox.counts(session).get(outbox.PENDING, 0)
