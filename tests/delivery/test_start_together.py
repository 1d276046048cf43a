"""Replicas started at the same instant on one empty PostgreSQL database all come up, and the
announced schedule is recorded once (no start-up write can collide with another replica's)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.delivery.runtime import Runtime
from bot.factory import create_core
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, Replica, TalkSnapshot
from tests.conftest import POSTGRES_URL, SHANGHAI
from tests.factories import write_content
from tests.pg_schema import schema_url

pytestmark = pytest.mark.postgres
TRIALS = 20


def _start_and_stop(settings: Settings, replica: str, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    """What ``confbot run`` does to the database as it starts (migrate, content, services,
    heartbeat), then a graceful stop; any error is kept for the test."""

    async def run() -> None:
        core = create_core(settings, FakeClock(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)))
        runtime = Runtime(core, {}, replica_id=replica, periodic=False)
        try:
            await runtime.start()
            await runtime.stop()
        finally:
            core.close()

    try:
        barrier.wait()
        asyncio.run(run())
    except BaseException as error:  # noqa: BLE001 - reported by the test
        errors.append(error)


@pytest.mark.parametrize("replicas", [2, 3])
def test_replicas_starting_at_the_same_instant_on_an_empty_database_all_start(
    replicas: int, pg_schema_url: str, tmp_path: Path
) -> None:
    write_content(tmp_path)  # the small programme: five talks
    for trial in range(TRIALS):  # pg_schema_url: skipped without PostgreSQL; each trial has its own schema
        with schema_url(POSTGRES_URL, "start") as url:
            settings = Settings(_env_file=None, database_url=url, content=tmp_path)  # type: ignore[call-arg]
            barrier = threading.Barrier(replicas)
            errors: list[BaseException] = []
            threads = [
                threading.Thread(target=_start_and_stop, args=(settings, f"r{i}", barrier, errors))
                for i in range(replicas)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == [], f"trial {trial}: {errors!r}"
            db = Database(url)
            try:
                with db.session() as session:
                    snapshots = session.scalar(select(func.count()).select_from(TalkSnapshot))
                    notices = session.scalar(select(func.count()).select_from(OutboxMessage))
                    live = session.scalar(select(func.count()).select_from(Replica))
            finally:
                db.dispose()
            assert snapshots == 5  # each talk announced once
            assert notices == 0  # nobody was subscribed: nothing to tell, and nothing told twice
            assert live == 0  # each replica took its heartbeat out as it stopped
