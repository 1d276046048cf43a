"""Migration 0002 (replicas, seen_deliveries) upgrades a database in use and downgrades cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select

from bot import users
from bot.messages import Address, Request
from bot.storage.db import Database, alembic_config
from bot.storage.models import User

NEW_TABLES = {"replicas", "seen_deliveries"}


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0002_upgrades_a_0001_database_with_users_and_downgrades(any_db: Database) -> None:
    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0001")  # a database as the previous release left it
    assert not NEW_TABLES & _tables(any_db)
    with any_db.session() as s:
        users.touch(s, Request(Address("telegram", "7", "7"), text="/start"), datetime(2026, 12, 12, tzinfo=UTC))
    any_db.migrate()  # what start-up does
    assert _tables(any_db) >= NEW_TABLES
    indexes = {ix["name"] for ix in inspect(any_db.engine).get_indexes("seen_deliveries")}
    assert "ix_seen_deliveries_expires_at" in indexes
    with any_db.session() as s:
        assert [u.platform_user_id for u in s.scalars(select(User))] == ["7"]  # the data is kept
    command.downgrade(cfg, "0001")
    assert not NEW_TABLES & _tables(any_db)
    any_db.migrate()
    assert _tables(any_db) >= NEW_TABLES
