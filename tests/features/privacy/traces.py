"""Looking for a person in every column of every table."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models import Base


def _refers_to_users(column: Any) -> bool:
    own = column.table.name == "users" and column.name == "id"
    return own or any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys)


def traces(db: Database, texts: set[str], user_id: int) -> list[str]:
    """Every ``table.column = value`` that holds one of ``texts`` (anywhere in a string or JSON value) or
    ``user_id`` (in a column that refers to a user)."""
    found = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column in table.columns:
                    value = row[column.name]
                    if isinstance(value, dict | list):
                        value = json.dumps(value, ensure_ascii=False)
                    hit = isinstance(value, str) and any(text in value for text in texts)
                    hit = hit or (value == user_id and _refers_to_users(column))
                    if hit:
                        found.append(f"{table.name}.{column.name} = {value!r}")
    return found


def tables_with_rows(db: Database) -> set[str]:
    """The tables that hold at least one row."""
    with db.session() as session:
        return {t.name for t in Base.metadata.sorted_tables if session.execute(select(t).limit(1)).first()}
