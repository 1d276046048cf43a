"""Shared fixtures: real databases (a temp SQLite file, and a private schema on the real
PostgreSQL), a fake clock, a small programme and a core wired to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot import features
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import small_programme
from tests.pg_schema import migrated_database, schema_url

POSTGRES_URL = os.environ.get("CONFBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHANGHAI = ZoneInfo("Asia/Shanghai")
_pg_reason: str | None = None
features.load()  # what every process registers when it builds its core: commands, renderers, jobs


def _postgres_unavailable() -> str | None:
    """Why PostgreSQL can't be used, or None when a server answers."""
    global _pg_reason
    if _pg_reason is None:
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_reason = ""
        except OperationalError as exc:
            _pg_reason = f"no PostgreSQL answers at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
    return _pg_reason or None


def postgres_database() -> Iterator[Database]:
    """A migrated Database on a fresh private schema of the real PostgreSQL; dropped after."""
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with migrated_database(POSTGRES_URL) as db:
        yield db


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """An empty private schema on the real PostgreSQL, as a URL whose search_path points at it (for a
    ``confbot`` process); dropped after."""
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with schema_url(POSTGRES_URL) as url:
        yield url


def sqlite_database(tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A migrated Database in a temporary SQLite file."""
    db = Database(f"sqlite:///{tmp_path / 'confbot.db'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """The same test on SQLite and on the real PostgreSQL."""
    gen = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    yield from gen


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A SQLite database for tests that aren't about storage."""
    yield from sqlite_database(tmp_path)


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """The real PostgreSQL (skipped with the reason when no server answers)."""
    yield from postgres_database()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 08:00 Shanghai time on the first day of the small programme."""
    return FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI))


@pytest.fixture
def programme() -> Programme:
    """A small two-day, two-room programme (see tests/factories.py)."""
    return small_programme()


@pytest.fixture
def settings() -> Settings:
    """Settings that ignore the developer's environment."""
    return Settings(_env_file=None, organizers=["console:organizer"])  # type: ignore[call-arg]


@pytest.fixture
def core(settings: Settings, db: Database, programme: Programme, clock: FakeClock) -> Core:
    """A core on SQLite, the small programme and the fake clock."""
    return Core(settings, db, programme, clock)
