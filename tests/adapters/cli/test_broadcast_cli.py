"""`confbot broadcast`: the preview and audience size; --yes queues it for the running bot; audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from adapters.cli import app
from adapters.console import console_address
from bot.chat.messages import Address, Request
from bot.factory import create_core
from bot.settings import Settings
from bot.storage.models import AuditEntry, OutboxMessage, User

runner = CliRunner()


@pytest.fixture
def people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database where two Telegram users and one Slack user have used the bot."""
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    core = create_core(Settings())
    for who in (Address("telegram", "1", "1"), Address("telegram", "2", "2"), Address("slack", "U1", "D1")):
        core.handle(Request(who, text="/subscribe 2" if who.user_id == "1" else "/now"))
    core.close()


def _broadcast_rows() -> list[tuple[str, str]]:
    core = create_core(Settings())
    try:
        with core.db.session() as s:
            rows = s.execute(
                select(User.platform, User.platform_user_id)
                .join(OutboxMessage, OutboxMessage.recipient_id == User.id)
                .where(OutboxMessage.kind == "broadcast")
            )
            return sorted((p, u) for p, u in rows)
    finally:
        core.close()


def test_preview_only_without_yes(people: None) -> None:
    result = runner.invoke(app, ["broadcast", "--text", "Doors open at *9:00*"])
    assert result.exit_code == 0, result.output
    assert "audience all · 3 people" in result.output and "slack: 1 · telegram: 2" in result.output
    assert "Doors open at 9:00" in result.output and "Not queued. Run again with --yes" in result.output
    assert _broadcast_rows() == []


def test_yes_queues_it_for_the_running_bot_and_it_is_audited(people: None) -> None:
    result = runner.invoke(app, ["broadcast", "--text", "Room change: talk:2 is in *Hall B*", "--audience", "talk:2"])
    assert "audience talk:2 · 1 people" in result.output
    result = runner.invoke(
        app, ["broadcast", "--text", "Room change: talk:2 is in *Hall B*", "--audience", "talk:2", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "Broadcast #1 is queued for 1 people" in result.output and "confbot run" in result.output
    assert _broadcast_rows() == [("telegram", "1")]
    core = create_core(Settings())
    with core.db.session() as s:
        entries = [(e.platform, e.user_id, e.action, e.outcome) for e in s.scalars(select(AuditEntry))]
    core.close()
    me = console_address()
    assert (me.platform, me.user_id, "broadcast", "previewed") in entries
    assert (me.platform, me.user_id, "confirm", "confirmed broadcast #1") in entries


def test_a_bad_audience_or_a_too_long_text_exits_1(people: None) -> None:
    bad = runner.invoke(app, ["broadcast", "--text", "hi", "--audience", "room:B"])
    assert bad.exit_code == 1 and "Usage: /broadcast" in bad.output
    long = runner.invoke(app, ["broadcast", "--text", "x" * 3001, "--yes"])
    assert long.exit_code == 1 and "3001 characters long; one message holds at most 3000" in long.output
    assert _broadcast_rows() == []
