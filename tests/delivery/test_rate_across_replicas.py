"""TELEGRAM_RATE_LIMIT is the whole bot's: two replicas on one PostgreSQL database share it.

Measured against the fake Bot API: two push runtimes, each with its own TelegramSender, send
200 reminders. The second replica joins while the first is already sending at the full rate.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from adapters.telegram.sender import TelegramSender
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import seed_due_reminders
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.postgres

LIMIT = 20.0  # TELEGRAM_RATE_LIMIT, msg/s for the whole bot
SLACK = 7  # messages over the limit tolerated in one second (see the assertion)
PUSHES = 100


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def _same_schema(db: Database) -> Database:
    """A second engine on ``db``'s private schema: another replica's connection pool."""
    with db.engine.connect() as conn:
        search_path = conn.exec_driver_sql("SHOW search_path").scalar()
    return Database(db.url, connect_args={"options": f"-csearch_path={search_path}"})


async def test_two_replicas_together_stay_within_the_bot_wide_rate(
    pg_db: Database, fake: FakeTelegram, programme: Programme, clock: FakeClock
) -> None:
    clock.set(programme.talk(2).start - timedelta(minutes=10))
    seed_due_reminders(pg_db, clock, programme, PUSHES, first_id=1000)
    settings = Settings(_env_file=None, TELEGRAM_RATE_LIMIT=LIMIT)  # type: ignore[call-arg]
    second_db = _same_schema(pg_db)
    bots = [Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(connection_pool_size=32)) for _ in "ab"]
    senders = [TelegramSender(bot, settings.telegram_rate_limit) for bot in bots]
    runtimes = [
        Runtime(Core(settings, db, programme, clock), {"telegram": sender}, replica_id=name, periodic=False)
        for db, sender, name in zip((pg_db, second_db), senders, ("replica-a", "replica-b"), strict=True)
    ]
    started = time.monotonic()
    try:
        for bot in bots:
            await bot.initialize()
        await runtimes[0].start()  # replica a sends alone, at the whole rate
        await fake.wait_for("sendMessage", 10)
        await runtimes[1].start()  # replica b joins while a is sending
        await fake.wait_for("sendMessage", PUSHES, timeout=30)
        elapsed = time.monotonic() - started
        by_replica = {rt.dispatcher.worker_id: rt.shares.shares["telegram"] for rt in runtimes}
        await runtimes.pop().stop()  # b leaves: a takes the whole rate again at its next heartbeat
        runtimes[0].shares.beat()
        assert runtimes[0].shares.shares["telegram"] == 1.0
    finally:
        for runtime in runtimes:
            await runtime.stop()
        for bot in bots:
            await bot.shutdown()
        second_db.dispose()
    assert len(fake.sent("sendMessage")) == PUSHES and not [p for m, p in fake.calls if p.get("_status") == 429]
    # Each replica holds a slot from its send until one second after the answer came, so at most
    # LIMIT/N of its messages reach the fake in any second; the joining replica waits until the
    # others have lowered their share. The allowance (LIMIT + SLACK) is for a share change that
    # lands while a replica's last second is still full. Without sharing, the two send about 2 × LIMIT.
    busiest = fake.busiest_second()
    print(f"\n{PUSHES} pushes by two replicas in {elapsed:.1f} s, busiest second {busiest} (limit {LIMIT:g}/s)")
    assert busiest <= LIMIT + SLACK
    assert by_replica == {
        "replica-a": 0.5,
        "replica-b": 0.5,
    }  # the shares add up to the whole rate: not much slower than one replica
