"""Schema migrations and users on SQLite and the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from bot import users
from bot.messages import Address, Request
from bot.storage.db import Database


def test_migrations_create_every_table_and_are_idempotent(any_db: Database) -> None:
    any_db.migrate()  # second run: nothing to do, no error
    tables = set(inspect(any_db.engine).get_table_names())
    assert {"users", "subscriptions", "outbox", "talk_snapshots", "alembic_version"} <= tables


def test_user_is_created_once_and_keeps_aware_times(any_db: Database) -> None:
    now = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
    req = Request(Address("telegram", "7", "7"), text="/start", locale="en")
    with any_db.session() as s:
        first = users.touch(s, req, now).user
        first_id = first.id
    with any_db.session() as s:
        again = users.touch(s, req, now.replace(hour=2)).user
        assert again.id == first_id
        assert again.language == "en"
    with any_db.session() as s:
        stored = users.find(s, "telegram", "7")
        assert stored is not None
        assert stored.first_seen == now and stored.last_seen.hour == 2
        assert stored.first_seen.tzinfo is not None
