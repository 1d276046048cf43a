"""Engine and session setup, schema migration, and where the schema stands against this release."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Result, create_engine, event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, ExecutionContext
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 720_406_001  # PostgreSQL advisory lock id: one replica migrates at a time
SCHEDULE_LOCK = 720_406_002  # one replica at a time applies content to the announced schedule
PING_AFTER_IDLE = 1.0  # seconds: a pooled PostgreSQL connection idle longer is pinged before use
_READS_FIRST = "confbot_reads_first"  # Connection.info key: reads outside a transaction (Database.request_session)
_PLAIN_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKING = re.compile(r"\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY\s+SHARE)\b|\bpg_advisory_xact_lock\b", re.IGNORECASE)


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    reads_first(engine)
    return engine


def reads_first(engine: Engine) -> None:
    """What :meth:`Database.request_session` needs of a PostgreSQL engine: the first statement that
    writes or locks begins the transaction, and a connection goes back to the pool out of that mode."""
    event.listen(engine, "before_cursor_execute", _begin_before_writing)
    event.listen(engine, "checkin", _back_to_transactions)


def _back_to_transactions(dbapi_conn: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
    """A connection returns to the pool out of a request's reads-first mode, whatever happened to
    that request (the pool has rolled back by now, so no transaction is open)."""
    record.info.pop(_READS_FIRST, None)
    if dbapi_conn is not None and not dbapi_conn.closed and dbapi_conn.autocommit:
        dbapi_conn.autocommit = False


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection before use only if it sat idle for over ``PING_AFTER_IDLE``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip per request, 2 % of the CPU
    of a Telegram update. A connection that is busy (in use again within a second) skips it; one that
    has waited (where a database restart, a failover or an idle timeout would have closed it) is
    checked, and a dead one is replaced before anyone sees it (``DisconnectionError``: the pool
    retries with a new connection). A restart during steady traffic still fails the request on each
    connection in use at that moment; the pool then replaces all of them.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from <= PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(f"connection lost while idle: {err}") from err


def _begin_before_writing(
    conn: Connection,
    _cursor: DBAPICursor,
    statement: str,
    _parameters: object,
    _context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    """In a :meth:`Database.request_session`, the first statement that is not a plain SELECT begins the
    transaction (the DBAPI connection leaves autocommit), so every write of the request is atomic."""
    if conn.info.get(_READS_FIRST) is None:
        return
    if _PLAIN_SELECT.match(statement) and not _LOCKING.search(statement):
        return
    del conn.info[_READS_FIRST]
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None:
        dbapi.autocommit = False


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (``Session.execute`` types its result as a plain ``Result``)."""
    return cast(CursorResult[Any], result).rowcount


def insert_for(session: Session) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """The ``insert`` of the session's database, the one with ``ON CONFLICT`` (PostgreSQL or SQLite)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def one_at_a_time(session: Session, key: int) -> None:
    """Hold PostgreSQL's advisory lock ``key`` until the session's transaction ends: replicas doing the
    same read-then-write (applying content at start-up) take turns, the second seeing the first's rows.

    On SQLite, a single process's database, it does nothing (its writers are serialised anyway).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> str | None:
    """Create or upgrade the schema to the newest revision; returns the revision it found (None: empty).

    On PostgreSQL an advisory lock makes concurrent replicas migrate one after another: the second
    finds the schema at head and does nothing. Alembic's own lines (two per connection, one per step)
    are kept out of the log; a migration that ran is one line, from where to where.
    """
    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                found = MigrationContext.configure(conn).get_current_revision()
                if found != head:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                conn.commit()
    else:
        with engine.connect() as conn:
            found = MigrationContext.configure(conn).get_current_revision()
        if found != head:
            command.upgrade(cfg, "head")
    if found != head:
        log.info("database schema migrated from %s to %s", found or "empty", head)
    return found


@dataclass(frozen=True)
class SchemaState:
    """The database's Alembic revision against the newest one this release ships."""

    current: str | None  # None: an empty database
    head: str
    known: bool  # ``current`` is one of this release's revisions (else a newer release migrated it)

    @property
    def at_head(self) -> bool:
        """The schema is exactly what this release expects."""
        return self.current == self.head

    @property
    def behind(self) -> bool:
        """Empty or at an older revision of this release: ``confbot db upgrade`` brings it to head."""
        return not self.at_head and (self.current is None or self.known)

    def describe(self) -> str:
        """One line for the operator."""
        if self.at_head:
            return f"schema at head ({self.head})"
        if self.current is None:
            return f"empty database: no schema yet (head is {self.head}); run `confbot db upgrade`"
        if self.known:
            return f"schema at {self.current}, behind head {self.head}; run `confbot db upgrade`"
        return f"schema at {self.current}, which this release does not know (its head is {self.head}): a newer release?"


class SchemaBehind(Exception):
    """``CONFBOT_MIGRATE_ON_START=false`` and the schema is not at head: this release cannot run on it."""


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's revision (one query) and compare it with the migrations shipped here."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    assert head is not None  # one linear history: a single head
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    known = current is not None and any(rev.revision == current for rev in script.walk_revisions())
    return SchemaState(current, head, known)


class Database:
    """The engine plus a session factory. One per process."""

    def __init__(self, url: str, **engine_kwargs: object) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def migrate(self) -> str | None:
        """Bring the schema up to date; returns the revision it was at before (None: empty)."""
        return migrate(self.engine)

    def schema(self) -> SchemaState:
        """Where the schema stands against this release's migrations."""
        return schema_state(self.engine)

    def require_head(self) -> None:
        """Raise :class:`SchemaBehind` unless the schema is at head (or newer: a rollback keeps running)."""
        state = self.schema()
        if state.behind:
            raise SchemaBehind(state.describe())

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def request_session(self) -> Iterator[Session]:
        """:meth:`session` for answering one request: its reads run before any transaction begins.

        Most requests only read (the user, then the agenda or a talk). On PostgreSQL such a request
        then costs one round trip instead of three: no ``BEGIN``, no ``COMMIT``. The first statement
        that writes or locks begins the transaction, and it and everything after it commit together
        or not at all, as in :meth:`session`. Reads before it see committed data, as each statement of
        a READ COMMITTED transaction does. Python's sqlite3 module already works this way (it begins
        before the first write), so on SQLite this is :meth:`session`.
        """
        with self.sessions() as session, session.begin():
            if self.dialect != "postgresql":
                yield session
                return
            conn = session.connection()
            dbapi, info = conn.connection.dbapi_connection, conn.info  # both stay readable if the connection dies
            assert dbapi is not None
            mine = object()  # the mark of this session (the info dict outlives it, with the connection)
            dbapi.autocommit, info[_READS_FIRST] = True, mine
            try:
                yield session
            finally:
                if info.get(_READS_FIRST) is mine and not dbapi.closed:
                    del info[_READS_FIRST]
                    # nothing written yet, so no transaction is open: back to the pool's default; the
                    # commit's flush of pending ORM changes, if any, then runs in a transaction
                    dbapi.autocommit = False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
