"""Migrations upgrade a database in use and downgrade cleanly: 0002 (replicas, seen_deliveries),
0003 (the organizer tables, users.kind, outbox.priority), 0011 (ticket_messages.file), 0012
(ticket_messages.routed_at, talk_snapshots.first_start / first_room), 0013 (audit_log.count), 0014 (faq_misses),
0022 (talk_snapshots.links)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, inspect, select, text

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


def _announced_talk_4(conn: Connection, now: datetime) -> None:
    """Talk 4's announced schedule, as a schema before 0012 stores it: at ``now`` in room A."""
    conn.execute(
        text("INSERT INTO talk_snapshots (talk_id, start, room, cancelled, updated_at) VALUES (4, :t, 'A', false, :t)"),
        {"t": now},
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


def test_0012_keeps_the_tickets_lost_before_it_for_the_next_organizer_and_marks_no_talk_moved(
    any_db: Database,
) -> None:
    """An open ticket's message that never reached anyone (under 0011 it was lost) waits for the next
    organizer; messages that were sent, answers and closed tickets' messages are not sent again; the
    snapshots' first schedule is the one announced, so nothing reads "moved from" after the upgrade."""
    from bot.features.helpdesk.tickets import deliver_pending
    from bot.settings import Account
    from bot.storage.models import OutboxMessage, TalkSnapshot, TicketMessage

    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0011")
    _old_user(any_db, "100")  # the attendee
    _old_user(any_db, "900")  # an organizer
    now = datetime(2026, 12, 12, tzinfo=UTC).replace(tzinfo=None)
    with any_db.engine.begin() as conn:
        run = conn.execute
        run(
            text(
                "INSERT INTO tickets (id, user_id, state, created_at) VALUES (1, 1, 'open', :t), (2, 1, 'closed', :t)"
            ),
            {"t": now},
        )
        for mid, ticket, author in ((1, 1, "attendee"), (2, 1, "attendee"), (3, 2, "attendee"), (4, 1, "organizer")):
            run(
                text(
                    "INSERT INTO ticket_messages (id, ticket_id, author, text, created_at) VALUES (:m, :k, :a, :x, :t)"
                ),
                {"m": mid, "k": ticket, "a": author, "x": f"message {mid}", "t": now},
            )
        run(
            text(
                "INSERT INTO outbox (recipient_id, kind, key, payload, due_at, status, priority, attempts, created_at)"
                " VALUES (2, 'helpdesk', 'helpdesk:1', '{}', :t, 'sent', 0, 1, :t)"
            ),
            {"t": now},
        )
        _announced_talk_4(conn, now)
    any_db.migrate()
    with any_db.session() as s:
        waiting = s.scalars(select(TicketMessage.id).where(TicketMessage.routed_at.is_(None))).all()
        assert waiting == [2]
        snapshot = s.get(TalkSnapshot, 4)
        assert snapshot is not None and (snapshot.first_start, snapshot.first_room) == (snapshot.start, "A")
        assert deliver_pending(s, [Account("telegram", "900")], datetime.now(UTC)) == 1
        keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "helpdesk").order_by(OutboxMessage.id))
        assert keys.all() == ["helpdesk:1", "helpdesk:2"]
    command.downgrade(cfg, "0011")
    any_db.migrate()


def test_0014_adds_the_unanswered_questions_and_downgrades(any_db: Database) -> None:
    """The questions that found nothing are counted from 0014 on; a downgrade drops only that table."""
    from bot.features.faq import misses

    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0013")
    assert "faq_misses" not in _tables(any_db) and "tickets" in _tables(any_db)
    any_db.migrate()
    now = datetime(2026, 12, 12, tzinfo=UTC)
    with any_db.session() as s:
        misses.record(s, "Parking?", now)
        misses.record(s, "parking", now)
    with any_db.session() as s:
        assert misses.most_asked(s) == (misses.Miss("parking", 2),)


def test_0022_keeps_the_snapshots_with_no_links_recorded_and_downgrades(any_db: Database) -> None:
    """The announced schedule survives 0022; its links are "not recorded yet" (the next apply records
    them and announces nothing); a downgrade drops only that column."""
    from bot.storage.models import TalkSnapshot

    cfg = alembic_config(any_db.engine)
    command.downgrade(cfg, "0021")
    now = datetime(2026, 12, 12, tzinfo=UTC).replace(tzinfo=None)
    with any_db.engine.begin() as conn:
        _announced_talk_4(conn, now)
    any_db.migrate()
    with any_db.session() as s:
        snapshot = s.get(TalkSnapshot, 4)
        assert snapshot is not None and snapshot.room == "A" and snapshot.links is None
    command.downgrade(cfg, "0021")
    assert "links" not in {c["name"] for c in inspect(any_db.engine).get_columns("talk_snapshots")}
    with any_db.engine.connect() as conn:
        assert conn.execute(text("SELECT room FROM talk_snapshots WHERE talk_id = 4")).scalar() == "A"
    any_db.migrate()
