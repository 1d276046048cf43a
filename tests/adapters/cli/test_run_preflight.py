"""What an operator sees from `confbot run` before and as it starts: a configuration that can't work is
refused before anything is created, the start-up says what runs, and migrations are one line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from adapters.runner import started_line
from bot.core import Core
from bot.settings import Settings
from bot.storage.db import Database
from tests.conftest import SHANGHAI

runner = CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No platform configured by the developer's environment; a database path that does not exist yet.
    The root logger is given back as it was (``confbot run`` sets its level and handler, with the token
    to mask)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "confbot.db"
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{database}")
    yield database
    root.handlers[:] = handlers
    root.setLevel(level)


def test_run_with_no_platform_says_so_and_creates_no_database(clean_env: Path) -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "No chat platform is configured" in result.output and "confbot chat" in result.output
    assert not clean_env.exists()


def test_a_plain_http_telegram_webhook_is_refused_with_the_reason(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "http://bot.example.org/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "TELEGRAM_WEBHOOK_URL must be an https:// URL" in result.output
    assert "http://bot.example.org/telegram" in result.output and "123:abc" not in result.output
    assert not clean_env.exists()


def test_the_start_up_line_names_the_conference_its_size_zone_clock_and_platforms(core: Core) -> None:
    real = started_line(core, Settings(_env_file=None, http_port=8080), ["telegram", "slack"])  # type: ignore[call-arg]
    assert real == (
        "confbot running: Test Conference (5 talks, times in Asia/Shanghai), real clock; telegram, slack; "
        "HTTP on port 8080"
    )
    rehearsal = Settings(_env_file=None, clock_start=datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI))  # type: ignore[call-arg]
    assert "rehearsal clock from 2026-12-12T09:00:00+08:00" in started_line(core, rehearsal, ["telegram"])


def test_migrating_is_one_line_and_starting_at_head_is_silent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    with caplog.at_level(logging.INFO):
        db.migrate()
    first = [r.getMessage() for r in caplog.records]
    caplog.clear()
    with caplog.at_level(logging.INFO):
        db.migrate()
    assert len(first) == 1 and first[0].startswith("database schema migrated from empty to ")
    assert caplog.records == []  # Alembic's context lines are not shown at every start
    db.dispose()
