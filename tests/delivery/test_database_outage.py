"""The database goes away in the middle of a broadcast to 2 000 people, for 5 s and for 40 s, and
comes back: every person gets it exactly once, nothing is left ``sending``, the organizer gets the
summary, and the process needs no restart (the real PostgreSQL, cut away by a proxy as a server
restart does)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select

from bot.chat.messages import Address, Reply, Request
from bot.clock import ShiftedClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.delivery.sender import SendResult
from bot.features.broadcast import push as broadcasts
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from tests.conftest import POSTGRES_URL, SHANGHAI
from tests.factories import add_people, small_programme
from tests.fakes.db_cut import CuttingProxy, cutting_proxy
from tests.pg_schema import private_schema

pytestmark = pytest.mark.postgres
PEOPLE = 2_000
NEWS = "Lunch moved to 12:30, hall B"


class PacedSender:
    """A platform taking 40 ms per message (16 in flight: 400 a second); counts what each chat got."""

    platform = "telegram"
    rate_per_second = 400.0

    def __init__(self) -> None:
        self.got: Counter[tuple[str, str]] = Counter()  # (chat, text): how many times

    async def send(self, address: Address, reply: Reply) -> SendResult:
        await asyncio.sleep(0.04)
        self.got[address.chat_id, reply.plain_text] += 1
        return SendResult.sent()

    def reached(self, text: str) -> int:
        """How many chats got ``text``."""
        return sum(1 for (_, got), _n in self.got.items() if got == text)


@pytest.fixture
def proxied(pg_schema_url: str) -> Iterator[tuple[CuttingProxy, Database]]:
    """A migrated private schema reached through a cutting proxy."""
    with private_schema(POSTGRES_URL, "cut") as schema, cutting_proxy("127.0.0.1", 5432) as proxy:
        url = POSTGRES_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        db = Database(url, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 2})
        try:
            db.migrate()
            yield proxy, db
        finally:
            db.dispose()


async def _until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


def _sending(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).where(OutboxMessage.status == outbox.SENDING)) or 0


@pytest.mark.parametrize("outage", [5.0, 40.0])
async def test_a_fan_out_survives_the_database_going_away_with_nothing_stuck_or_sent_twice(
    proxied: tuple[CuttingProxy, Database], outage: float
) -> None:
    proxy, db = proxied
    clock = ShiftedClock(datetime(2026, 12, 12, 9, 45, tzinfo=SHANGHAI))  # real time: leases really run
    with db.session() as session:
        add_people(session, 1, clock.now(), first=1)  # the organizer, telegram:1, one of everybody
        add_people(session, PEOPLE - 1, clock.now(), first=1_000)
        broadcasts.start(session, audience=broadcasts.EVERYONE, text=NEWS, created_by="telegram:1", now=clock.now())
    core = Core(Settings(_env_file=None), db, small_programme(), clock)  # type: ignore[call-arg]
    sender = PacedSender()
    runtime = Runtime(core, {"telegram": sender}, periodic=False)
    await runtime.start()
    try:
        assert await _until(lambda: sender.reached(NEWS) >= 400, 30)
        proxy.cut()  # mid-fan-out: sends in flight, marks being written, rows claimed ahead
        assert await _until(lambda: runtime.delivery_status() is not None, 5)
        assert (runtime.delivery_status() or "").startswith("paused: the database")  # /readyz says why
        await asyncio.sleep(outage)
        proxy.restore()
        back = time.monotonic()
        assert await _until(lambda: sender.reached(NEWS) >= PEOPLE, 30), "the fan-out did not resume"
        assert await _until(lambda: _sending(db) == 0, max(0.0, back + 30 - time.monotonic()))
        assert await _until(lambda: len(sender.got) == PEOPLE + 1, 10), "the organizer got no summary"
        assert runtime.delivery_status() is None
    finally:
        await runtime.stop()
    assert sender.reached(NEWS) == PEOPLE  # everybody got it
    assert max(sender.got.values()) == 1  # and nobody anything twice
    (summary,) = [text for (chat, text) in sender.got if text != NEWS]
    assert sender.got["1", summary] == 1 and "2000 sent" in summary  # to the organizer
    with db.session() as session:
        assert outbox.counts(session) == {outbox.SENT: PEOPLE + 1}


async def test_people_writing_while_the_database_is_away_are_told_to_come_back_in_their_language(
    proxied: tuple[CuttingProxy, Database],
) -> None:
    proxy, db = proxied
    clock = ShiftedClock(datetime(2026, 12, 12, 9, 45, tzinfo=SHANGHAI))
    core = Core(Settings(_env_file=None), db, small_programme(), clock)  # type: ignore[call-arg]
    alice, li = Address("telegram", "1", "1"), Address("telegram", "2", "2")
    try:
        assert "XDP" in (await core.handle_async(Request(alice, text="/talk 2", locale="en")))[0].plain_text
        proxy.cut()
        english = (await core.handle_async(Request(alice, text="/talk 2", locale="en")))[0].plain_text
        chinese = (await core.handle_async(Request(li, text="/agenda", locale="zh-hans")))[0].plain_text
        assert "temporarily unavailable" in english and "try again in a minute" in english
        assert "暂时无法使用" in chinese and "一分钟后再试" in chinese
        proxy.restore()
        assert "XDP" in (await core.handle_async(Request(alice, text="/talk 2", locale="en")))[0].plain_text
    finally:
        core.close()
