"""Migrations upgrade a database in use and downgrade cleanly: 0002 (replicas, seen_deliveries),
0003 (the organizer tables, users.kind, outbox.priority), 0011 (ticket_messages.file)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select, text

from bot import users
from bot.chat.messages import Address, Request
from bot.storage.db import Database, alembic_config
from bot.storage.models import User

NEW_TABLES = {"replicas", "seen_deliveries"}


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _old_user(db: Database, platform_user_id: str) -> None:
    """A user row as the 0001/0002 schema stores it (the current model has more columns)."""
    now = datetime(2026, 12, 12, tzinfo=UTC).replace(tzinfo=None)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (platform, platform_user_id, chat_id, language, language_set, first_seen,"
                " last_seen, active, reminders_on, lead_minutes)"
                " VALUES ('telegram', :id, :id, 'zh', false, :now, :now, true, true, 10)"
            ),
            {"id": platform_user_id, "now": now},
        )


def test_0002_upgrades_a_0001_database_with_users_and_downgrades(any_db: Database) -> None:
    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0001")  # a database as the previous release left it
    assert not NEW_TABLES & _tables(any_db)
    _old_user(any_db, "7")
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


ORGANIZER_TABLES = {"audit_log", "confirmations", "broadcasts", "schedule_overrides", "announce_channels"}


def test_0003_adds_the_organizer_tables_and_keeps_users_and_pushes(any_db: Database) -> None:
    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0002")
    assert not ORGANIZER_TABLES & _tables(any_db)
    _old_user(any_db, "8")
    any_db.migrate()
    assert _tables(any_db) >= ORGANIZER_TABLES
    with any_db.session() as s:
        (user,) = s.scalars(select(User))
        assert (user.platform_user_id, user.kind) == ("8", "person")  # existing users are people
        touched = users.touch(s, Request(Address("telegram", "8", "8"), text="/start"), datetime.now(UTC)).user
        assert touched.id == user.id
    command.downgrade(cfg, "0002")
    assert not ORGANIZER_TABLES & _tables(any_db)
    any_db.migrate()
    assert _tables(any_db) >= ORGANIZER_TABLES


def test_0011_adds_the_ticket_message_file_and_downgrades(any_db: Database) -> None:
    cfg = alembic_config(any_db.engine)

    def columns() -> set[str]:
        return {c["name"] for c in inspect(any_db.engine).get_columns("ticket_messages")}

    command.downgrade(cfg, "0010")
    assert "file" not in columns()
    any_db.migrate()
    assert "file" in columns()
