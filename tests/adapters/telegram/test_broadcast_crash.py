"""Crash safety: `kill -9` a `confbot run` in the middle of a broadcast, start it again, and the broadcast
finishes: nobody is skipped, and only the sends in flight at the kill can arrive twice."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.features.broadcast import push as broadcasts
from bot.storage.db import Database
from bot.storage.models import Broadcast, OutboxMessage
from tests.factories import add_people
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = 500
FIRST = 70_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _confbot_run(fake: FakeTelegram, db_url: str) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    env = clean | {
        "CONFBOT_DATABASE_URL": db_url,
        "CONFBOT_HTTP_HOST": "127.0.0.1",
        "CONFBOT_HTTP_PORT": str(_free_port()),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "TELEGRAM_RATE_LIMIT": "200",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def _delivered(fake: FakeTelegram) -> Counter[int]:
    return Counter(int(p["chat_id"]) for p in fake.sent("sendMessage") if p["text"] == "Doors open at <b>9:00</b>")


async def _wait(condition, what: str, timeout: float = 40.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_kill_9_mid_broadcast_then_restart_finishes_it(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    db = Database(db_url)
    db.migrate()
    now = datetime.now(UTC)
    with db.session() as s:
        add_people(s, PEOPLE, now, first=FIRST)
        cast_id = broadcasts.start(
            s, audience=broadcasts.EVERYONE, text="Doors open at *9:00*", created_by="console:ops", now=now
        ).id
    fake = FakeTelegram()
    await fake.start()
    first = await _confbot_run(fake, db_url)
    try:
        await _wait(lambda: len(_delivered(fake)) >= 150, "the first 150 deliveries")
        first.kill()  # SIGKILL: no shutdown, claims are not handed back
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
    at_kill = _delivered(fake)
    with db.session() as s:
        claimed = list(s.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sending")))
        # the dead process's claims are retaken when their 2-minute lease runs out: let it run out now
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending")
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    # in flight (at most the dispatcher's concurrency, 16) or claimed ahead (at most twice that)
    assert len(claimed) <= 3 * 16
    assert 150 <= sum(at_kill.values()) < PEOPLE
    second = await _confbot_run(fake, db_url)
    try:

        def done() -> bool:
            with db.session() as s:
                return s.scalar(select(Broadcast.status).where(Broadcast.id == cast_id)) == "done"

        await _wait(done, "the restarted bot to finish the broadcast")
    finally:
        second.terminate()
        await second.wait()
        await fake.stop()
        db.dispose()
    delivered = _delivered(fake)
    assert set(delivered) == set(range(FIRST, FIRST + PEOPLE))  # nobody skipped
    twice = sum(n - 1 for n in delivered.values())
    print(f"killed after {sum(at_kill.values())} deliveries, {len(claimed)} in flight, {twice} sent twice")
    assert twice <= 16, (twice, len(claimed))  # only what was in flight at the kill, not what was claimed ahead
