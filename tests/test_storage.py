"""Schema migrations, users, request transactions and pooled connections on SQLite and the real PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, create_engine, event, func, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bot import users
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.i18n import t
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage import db as db_module
from bot.storage.db import Database
from bot.storage.models import Subscription, User


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


NOW = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
ATTENDEE = Request(Address("telegram", "7", "7"), text="/start", locale="zh-hans")


def _writes(db: Database) -> list[str]:
    """The statements other than SELECT the database is sent from now on (a list filled as they run)."""
    sent: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement.split(None, 1)[0].upper())

    return sent


def test_a_known_user_who_changed_nothing_costs_no_write(any_db: Database) -> None:
    with any_db.request_session() as s:
        users.touch(s, ATTENDEE, NOW)
    writes = _writes(any_db)
    with any_db.request_session() as s:
        touched = users.touch(s, ATTENDEE, NOW + timedelta(seconds=30), awaiting_in="telegram:7")
        assert touched.user.language == "zh" and not touched.reactivated and not touched.awaiting
        assert touched.user in s and not s.dirty  # the session's own, persistent, and unchanged
    assert [w for w in writes if w not in ("COMMIT", "ROLLBACK")] == []


def test_what_the_platform_says_of_a_known_user_is_stored(any_db: Database) -> None:
    with any_db.session() as s:
        first = users.touch(s, ATTENDEE, NOW).user.id
    moved = Request(Address("telegram", "7", "group-1", "topic"), text="/agenda", locale="en", display_name="Li")
    with any_db.request_session() as s:
        user = users.touch(s, moved, NOW + timedelta(minutes=5), awaiting_in="telegram:group-1").user
        assert (user.id, user.language, user.chat_id) == (first, "en", "group-1")
    with any_db.session() as s:
        stored = users.find(s, "telegram", "7")
        assert stored is not None
        assert (stored.language, stored.chat_id, stored.thread, stored.display_name) == ("en", "group-1", "topic", "Li")
        assert stored.last_seen == NOW + timedelta(minutes=5) and stored.first_seen == NOW


def test_a_user_who_had_blocked_the_bot_is_active_again_when_they_write(any_db: Database) -> None:
    with any_db.session() as s:
        users.touch(s, ATTENDEE, NOW)
        assert users.left(s, "telegram", "7")
    with any_db.request_session() as s:
        assert users.touch(s, ATTENDEE, NOW).reactivated
    with any_db.session() as s:
        stored = users.find(s, "telegram", "7")
        assert stored is not None and stored.active
        assert not users.touch(s, ATTENDEE, NOW).reactivated


def test_touch_returns_the_instance_the_session_already_holds(any_db: Database) -> None:
    with any_db.session() as s:
        users.touch(s, ATTENDEE, NOW)
    with any_db.session() as s:
        held = users.find(s, "telegram", "7")
        assert held is not None
        held.language_set, held.language = True, "en"  # not flushed yet: touch's query flushes it first
        again = users.touch(s, ATTENDEE, NOW)
        assert again.user is held and again.user.language == "en"
    assert _stored(any_db)[0] == "en"


def _newcomer() -> User:
    return User(
        platform="telegram",
        platform_user_id="8",
        chat_id="8",
        language="en",
        language_set=False,
        first_seen=NOW,
        last_seen=NOW,
        active=True,
        reminders_on=True,
        lead_minutes=10,
    )


def test_a_user_another_replica_stored_first_is_that_row(any_db: Database) -> None:
    with any_db.session() as s:
        first = users.add_once(s, _newcomer())
        assert first.kind == "person" and first in s  # the defaults as stored, and the session's own
        first_id = first.id
    with any_db.session() as s:
        again = users.add_once(s, _newcomer())
        assert again.id == first_id and again in s
        again.display_name = "Wang"
    with any_db.session() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.platform_user_id == "8")) == 1
        stored = users.find(s, "telegram", "8")
        assert stored is not None and stored.display_name == "Wang"


@pytest.mark.postgres
def test_two_replicas_greeting_the_same_newcomer_at_once_store_them_once(pg_db: Database) -> None:
    other = ThreadPoolExecutor(1)
    try:
        with pg_db.request_session() as first:
            first_id = users.touch(first, Request(Address("telegram", "8", "8"), text="/start"), NOW).user.id
            theirs = other.submit(_touch_newcomer, pg_db)
            _wait_for_a_lock_wait(pg_db)  # the second waits on the first's uncommitted row
            assert not theirs.done()
        assert theirs.result(timeout=30) == first_id  # then takes it as its own
    finally:
        other.shutdown()
    with pg_db.session() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.platform_user_id == "8")) == 1


def _wait_for_a_lock_wait(db: Database, timeout: float = 20.0) -> None:
    """Until a session of this database waits for a lock on an insert into users (the other replica)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO users%'"
    )
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as s:
            if s.scalar(waiting):
                return
        assert time.monotonic() < deadline, "the second session never waited for the first's row"
        time.sleep(0.01)


def _touch_newcomer(db: Database) -> int:
    with db.request_session() as s:
        return users.touch(s, Request(Address("telegram", "8", "8"), text="/agenda"), NOW).user.id


def _stored(db: Database) -> tuple[str, list[int]]:
    """The attendee's language and subscribed talks, as committed."""
    with db.session() as s:
        user = users.find(s, "telegram", "7")
        assert user is not None
        talks = s.scalars(select(Subscription.talk_id).where(Subscription.user_id == user.id)).all()
        return user.language, sorted(talks)


def _subscribe_in_english(s: Session, talk: int) -> None:
    """What a request might do after reading: change a preference and star a talk."""
    user = users.find(s, "telegram", "7")
    assert user is not None
    user.language = "en"
    s.add(Subscription(user_id=user.id, talk_id=talk, created_at=NOW))
    s.flush()


def test_a_requests_writes_after_its_reads_commit_together_or_not_at_all(any_db: Database) -> None:
    with any_db.session() as s:
        users.touch(s, ATTENDEE, NOW)
    with pytest.raises(RuntimeError), any_db.request_session() as s:
        _subscribe_in_english(s, 3)
        raise RuntimeError("the command failed after writing")
    assert _stored(any_db) == ("zh", [])
    with any_db.request_session() as s:
        _subscribe_in_english(s, 3)
    assert _stored(any_db) == ("en", [3])
    with any_db.request_session() as s:  # a savepoint (commands/confirm.py) inside a request
        user = users.find(s, "telegram", "7")
        assert user is not None
        with s.begin_nested():
            s.add(Subscription(user_id=user.id, talk_id=5, created_at=NOW))
    assert _stored(any_db) == ("en", [3, 5])


def _other_connection(db: Database) -> Connection:
    """A connection of another client (not from the bot's pool)."""
    return create_engine(db.url, poolclass=NullPool).connect()


def _backend_state(db: Database, pid: int) -> str:
    with _other_connection(db) as other:
        return str(other.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar())


@pytest.mark.postgres
def test_on_postgresql_a_request_opens_a_transaction_only_once_it_writes(pg_db: Database) -> None:
    with pg_db.session() as s:
        users.touch(s, ATTENDEE, NOW)
    with pg_db.request_session() as s:
        assert users.find(s, "telegram", "7") is not None
        pid = int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert _backend_state(pg_db, pid) == "idle"  # reading held no transaction (no BEGIN sent)
        _subscribe_in_english(s, 4)
        assert _backend_state(pg_db, pid) == "idle in transaction"
    assert _stored(pg_db) == ("en", [4])
    with pytest.raises(RuntimeError), pg_db.request_session() as s:
        users.find(s, "telegram", "7")
        raise RuntimeError("a request that fails while it only read")
    with pg_db.session() as s:  # the pooled connection is back to ordinary transactions
        s.execute(text("SELECT 1"))
        assert _backend_state(pg_db, int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())) == (
            "idle in transaction"
        )


def _terminate(db: Database, pid: int) -> None:
    with _other_connection(db) as other:
        other.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": pid})  # returns once it is gone
        other.commit()


def _pid(db: Database) -> int:
    with db.session() as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.postgres
def test_a_pooled_connection_closed_while_idle_is_replaced_before_use(
    pg_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 0.0)  # every pooled connection counts as idle
    first = _pid(pg_db)
    _terminate(pg_db, first)  # a database restart, a failover or an idle timeout
    with pg_db.request_session() as s:
        assert users.touch(s, ATTENDEE, NOW).user.language == "zh"
        assert int(s.execute(text("SELECT pg_backend_pid()")).scalar_one()) != first


@pytest.mark.postgres
def test_a_connection_closed_while_busy_fails_one_request_then_the_next_is_answered(
    pg_db: Database, settings: Settings, programme: Programme, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE", 3600.0)  # steady traffic: no ping before use
    core = Core(settings, pg_db, programme, clock)
    agenda = Request(Address("telegram", "7", "7"), text="/agenda", locale="en")
    assert "Sorry" not in core.handle(agenda)[0].plain_text
    _terminate(pg_db, _pid(pg_db))
    (failed,) = core.handle(agenda)
    # the cost of skipping the ping: one "temporarily unavailable", in the language the request names
    assert failed.plain_text == t("en", "error.unavailable")
    (answered,) = core.handle(agenda)
    assert "Sorry" not in answered.plain_text and "Day" in answered.plain_text
