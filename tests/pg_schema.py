"""A private schema on the real PostgreSQL, for the tests and the benches: created, then dropped."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text

from bot.storage.db import Database


@contextlib.contextmanager
def private_schema(server_url: str, prefix: str = "t") -> Iterator[str]:
    """A new empty schema on ``server_url``; its name. Dropped, with all it holds, after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def schema_url(server_url: str, prefix: str = "t") -> Iterator[str]:
    """A private schema as a URL whose search_path points at it (for a ``confbot`` process)."""
    with private_schema(server_url, prefix) as schema:
        yield f"{server_url}?options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def migrated_database(server_url: str, prefix: str = "t") -> Iterator[Database]:
    """A migrated :class:`Database` on a private schema of ``server_url``."""
    with private_schema(server_url, prefix) as schema:
        db = Database(server_url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            db.migrate()
            yield db
        finally:
            db.dispose()
