"""Inbound keys are recorded once across replicas, and forgotten after their expiry."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.core import Core
from bot.dedupe import SEEN_FOR
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import SeenDelivery


def _rows(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(SeenDelivery)) or 0)


def test_a_key_is_new_once_then_again_after_its_expiry(
    any_db: Database, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    core = Core(settings, any_db, programme, clock)
    assert core.first_delivery("slack:event:Ev1") is True
    assert core.first_delivery("slack:event:Ev1") is False
    assert core.first_delivery("slack:trigger:1.2.3") is True
    clock.advance(SEEN_FOR - timedelta(seconds=1))
    assert core.first_delivery("slack:event:Ev1") is False  # still within the 10 minutes
    clock.advance(timedelta(seconds=1))
    assert core.first_delivery("slack:event:Ev1") is True  # expired: seen again
    assert _rows(any_db) == 1  # the other expired key was purged on the way


@pytest.mark.postgres
def test_replicas_racing_for_the_same_keys_get_each_exactly_once(
    pg_db: Database, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    with pg_db.engine.connect() as conn:
        search_path = conn.exec_driver_sql("SHOW search_path").scalar()
    keys = [f"slack:event:Ev{i}" for i in range(200)]
    firsts: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def replica() -> None:
        db = Database(pg_db.url, connect_args={"options": f"-csearch_path={search_path}"})
        core = Core(settings, db, programme, clock)
        start.wait()
        mine = [key for key in keys if core.first_delivery(key)]
        with lock:
            firsts.extend(mine)
        db.dispose()

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(firsts) == sorted(keys)  # every key handled, none twice


def test_if_the_database_cannot_say_the_request_is_answered_and_logged(
    tmp_path: Path, settings: Settings, programme: Programme, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no seen_deliveries table
    assert Core(settings, unmigrated, programme, clock).first_delivery("slack:event:Ev1") is True
    assert "could not record delivery slack:event:Ev1" in caplog.text
    unmigrated.dispose()
