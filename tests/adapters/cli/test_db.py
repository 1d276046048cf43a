"""`confbot db upgrade|current|check` on SQLite and the real PostgreSQL, CONFBOT_MIGRATE_ON_START=false,
two replicas migrating at once, and help screens without a stray type beside flags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from adapters.cli import app
from bot.storage.db import Database, alembic_config

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ops.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "pg_schema_url"
    return str(request.getfixturevalue(name))


def _cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("CONFBOT_DATABASE_URL", url)
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_check_fails_on_an_empty_database_then_upgrade_brings_it_to_head(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = _cli(monkeypatch, empty_url, "db", "check")
    assert code == 1 and "empty database" in out and "confbot db upgrade" in out
    code, out = _cli(monkeypatch, empty_url, "db", "current")
    assert code == 0 and "current: none" in out
    head = out.split("head:")[1].strip()
    code, out = _cli(monkeypatch, empty_url, "db", "upgrade")
    assert code == 0 and f"from empty to {head}" in out
    code, out = _cli(monkeypatch, empty_url, "db", "check")
    assert code == 0 and f"schema at head ({head})" in out
    code, out = _cli(monkeypatch, empty_url, "db", "upgrade")
    assert code == 0 and "Already at head" in out
    code, out = _cli(monkeypatch, empty_url, "db", "current")
    assert f"current: {head}" in out


def test_check_fails_on_an_older_schema(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(empty_url)
    db.migrate()
    command.downgrade(alembic_config(db.engine), "0002")
    db.dispose()
    code, out = _cli(monkeypatch, empty_url, "db", "check")
    assert code == 1 and "schema at 0002, behind head" in out


def test_run_without_migrate_on_start_refuses_an_old_schema_in_one_line(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFBOT_MIGRATE_ON_START", "false")
    code, out = _cli(monkeypatch, sqlite_url, "stats")
    assert code == 1 and "CONFBOT_MIGRATE_ON_START is false" in out and "confbot db upgrade" in out
    assert "Traceback" not in out
    engine = create_engine(sqlite_url)
    assert inspect(engine).get_table_names() == []  # it did not migrate
    engine.dispose()
    assert _cli(monkeypatch, sqlite_url, "db", "upgrade")[0] == 0
    code, out = _cli(monkeypatch, sqlite_url, "stats")
    assert code == 0 and "People: 0" in out


def test_an_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _cli(monkeypatch, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", "db", "check")
    assert code == 1 and "cannot use the database (CONFBOT_DATABASE_URL): OperationalError" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1


@pytest.mark.postgres
def test_two_replicas_upgrading_at_once_migrate_once(pg_schema_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    env["CONFBOT_DATABASE_URL"] = pg_schema_url
    argv = [sys.executable, "-m", "adapters.cli", "db", "upgrade"]
    procs = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    # the advisory lock: one replica migrates, the other waits and finds the schema at head
    assert sorted("Upgraded" in out for out in outputs) == [False, True], outputs
    db = Database(pg_schema_url)
    try:
        assert db.schema().at_head
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run"],
        ["chat"],
        ["db"],
        ["db", "check"],
        ["content"],
        ["content", "reload"],
        ["broadcast"],
        ["feedback", "export"],
    ],
)
def test_help_screens_show_no_type_beside_flags(argv: list[str]) -> None:
    result = runner.invoke(app, [*argv, "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    help_line = next(line for line in result.output.splitlines() if line.strip().startswith("--help"))
    assert help_line.split() == ["--help", "Show", "this", "message", "and", "exit."]
