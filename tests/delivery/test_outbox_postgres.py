"""Several replicas on one PostgreSQL database never send the same push twice."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.sender import SendResult
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import User
from tests.factories import seed_due_reminders
from tests.helpers import dispatcher_for

pytestmark = pytest.mark.postgres


class SlowSender:
    """Records deliveries from several threads; yields so claims interleave."""

    platform = "telegram"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delivered: list[tuple[str, str]] = []

    async def send(self, address: Address, reply: Reply) -> SendResult:
        await asyncio.sleep(0.001)
        with self.lock:
            self.delivered.append((address.chat_id, reply.plain_text.splitlines()[1]))
        return SendResult.sent()


def test_two_concurrent_dispatchers_send_1000_reminders_exactly_once(
    pg_db: Database, programme: Programme, clock: FakeClock, settings: Settings
) -> None:
    clock.set(programme.talk(2).start - timedelta(minutes=10))
    seed_due_reminders(pg_db, clock, programme, 1000)
    sender = SlowSender()
    reports = []
    search_path = _search_path(pg_db)  # the same private schema, through a second engine

    def replica(name: str) -> None:
        db = Database(pg_db.url, connect_args={"options": search_path})
        core = Core(settings, db, programme, clock)
        dispatcher = dispatcher_for(core, {"telegram": sender}, worker_id=name, batch=50, concurrency=8)
        reports.append(asyncio.run(dispatcher.run_due()))
        db.dispose()

    threads = [threading.Thread(target=replica, args=(f"replica-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    chats = [chat for chat, _ in sender.delivered]
    assert len(chats) == 1000 and len(set(chats)) == 1000
    assert all(r.total > 0 for r in reports), "both replicas took part"
    with pg_db.session() as s:
        assert outbox.counts(s) == {"sent": 1000}


def test_enqueue_is_idempotent_on_postgres(pg_db: Database, programme: Programme, clock: FakeClock) -> None:
    seed_due_reminders(pg_db, clock, programme, 3)
    with pg_db.session() as s:
        user_id = s.query(User.id).first()[0]
        again = outbox.enqueue(
            s,
            recipient_id=user_id,
            kind="reminder",
            key=f"reminder:2:{programme.talk(2).start.isoformat()}",
            due_at=clock.now(),
            now=clock.now(),
        )
        assert again is False
        assert outbox.counts(s) == {"pending": 3}


def _search_path(db: Database) -> str:
    with db.engine.connect() as conn:
        return f"-csearch_path={conn.exec_driver_sql('SHOW search_path').scalar()}"


async def test_restart_and_catch_up_on_postgres(
    pg_db: Database, programme: Programme, clock: FakeClock, settings: Settings
) -> None:
    """The SQLite dispatcher tests' core promises, on the real PostgreSQL."""
    from tests.fakes.senders import RecordingSender
    from tests.helpers import ask

    core = Core(settings, pg_db, programme, clock)
    ask(core, "/subscribe 2", locale="en")
    ask(core, "/subscribe 2", locale="en")  # a second enqueue is a no-op
    sender = RecordingSender()
    clock.set(programme.talk(2).start - timedelta(minutes=3))  # came due while the bot was down
    await dispatcher_for(core, {"console": sender}, worker_id="first").run_due()
    restarted = Core(settings, Database(pg_db.url, connect_args={"options": _search_path(pg_db)}), programme, clock)
    await dispatcher_for(restarted, {"console": sender}, worker_id="second").run_due()
    restarted.db.dispose()
    assert sender.texts() == ["⏰ Starting in 3 minutes:\n#2 XDP <fast> & furious\n📍 Hall A · 10:00 (UTC+8)"]
