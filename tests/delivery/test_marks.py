"""Deliveries are marked sent in batches; one that went out is never sent again by this process,
even when its mark could not be written at first (the database was away)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.features.broadcast import push as broadcasts
from bot.storage.models import OutboxMessage
from tests.factories import add_people
from tests.fakes.senders import RecordingSender
from tests.helpers import dispatcher_for

PEOPLE = 5
WRITE = outbox.mark_sent_many  # the real write, while the tests make it fail


def _broadcast(core: Core, clock: FakeClock) -> None:
    with core.db.session() as s:
        add_people(s, PEOPLE, clock.now(), first=10_000, platform="telegram")
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=clock.now())


def _statuses(core: Core) -> Counter[str]:
    with core.db.session() as s:
        return Counter(s.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == broadcasts.KIND)))


class Unreachable:
    """``outbox.mark_sent_many`` while the database is away: it raises, ``down`` times."""

    def __init__(self, down: int) -> None:
        self.down = down

    def __call__(self, *args: object, **kwargs: object) -> int:
        if self.down:
            self.down -= 1
            raise OperationalError("UPDATE outbox", {}, ConnectionError("the database is away"))
        return WRITE(*args, **kwargs)  # type: ignore[arg-type]


async def test_a_delivery_whose_mark_failed_is_marked_later_and_never_sent_again(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broadcast(core, clock)
    monkeypatch.setattr(outbox, "mark_sent_many", Unreachable(down=1))
    sender = RecordingSender(platform="telegram")
    dispatcher = dispatcher_for(core, {"telegram": sender})
    await dispatcher.run_due()  # the first write fails; the next pass's drain writes every mark
    clock.advance(dispatcher.lease.total_seconds() + 1)  # their claims ran out: the rows could be retaken
    await dispatcher.run_due()
    got = Counter(address.chat_id for address, reply in sender.delivered if reply.plain_text == "hi")
    assert sorted(got.values()) == [1] * PEOPLE  # everybody once
    assert _statuses(core) == Counter({outbox.SENT: PEOPLE})


async def test_a_graceful_stop_writes_the_marks_before_it_hands_claims_back(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broadcast(core, clock)
    monkeypatch.setattr(outbox, "mark_sent_many", Unreachable(down=10_000))  # away until the stop
    sender = RecordingSender(platform="telegram")
    runtime = Runtime(core, {"telegram": sender}, periodic=False)
    await runtime.start()
    while len(sender.delivered) < PEOPLE or runtime.dispatcher.unrecorded < PEOPLE:
        await asyncio.sleep(0.01)  # the pass sent everything and waits for the database to record it
    assert _statuses(core) == Counter({outbox.SENDING: PEOPLE})
    monkeypatch.setattr(outbox, "mark_sent_many", WRITE)  # back before the stop
    await runtime.stop()
    assert _statuses(core) == Counter({outbox.SENT: PEOPLE})  # sent, not handed back to go out again


async def test_a_stop_while_the_database_restarts_records_the_deliveries_once_it_is_back(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broadcast(core, clock)
    monkeypatch.setattr(outbox, "mark_sent_many", Unreachable(down=10_000))
    sender = RecordingSender(platform="telegram")
    runtime = Runtime(core, {"telegram": sender}, periodic=False)
    await runtime.start()
    while len(sender.delivered) < PEOPLE or runtime.dispatcher.unrecorded < PEOPLE:
        await asyncio.sleep(0.01)
    monkeypatch.setattr(outbox, "mark_sent_many", Unreachable(down=2))  # back a second into the stop
    await runtime.stop()
    assert _statuses(core) == Counter({outbox.SENT: PEOPLE})  # recorded, not left to go out again
    assert runtime.dispatcher.unrecorded == 0
