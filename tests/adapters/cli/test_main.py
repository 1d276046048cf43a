"""The `confbot` command line, run in-process."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address, Request
from bot.factory import create_core
from bot.settings import Settings
from bot.storage.models import OutboxMessage
from tests.factories import content_data
from tests.factories import write_content as _write_content

runner = CliRunner()


def test_content_reload_announces_a_moved_talk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    _write_content(content)
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    first = runner.invoke(app, ["content", "reload"])
    assert first.exit_code == 0 and "moved: none" in first.output
    core = create_core(Settings())
    core.handle(Request(Address("console", "ann", "ann"), text="/subscribe 2"))
    core.db.dispose()
    _write_content(content, "2026-12-12 16:00")
    moved = runner.invoke(app, ["content", "reload"])
    assert moved.exit_code == 0 and "moved: [2]" in moved.output and "notices queued: 1" in moved.output
    again = runner.invoke(app, ["content", "reload"])
    assert "moved: none" in again.output and "notices queued: 0" in again.output


def test_reload_of_broken_content_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    _write_content(content)
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["content", "reload"]).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("talks:\n  - id: x\n", encoding="utf-8")
    result = runner.invoke(app, ["content", "reload", str(broken)])
    assert result.exit_code == 1 and "broken.yaml" in result.output and "Traceback" not in result.output


def test_content_reload_replans_at_the_configured_platforms_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    _write_content(content)
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:test-token")  # no network: only the sender's rate is read
    monkeypatch.setenv("TELEGRAM_RATE_LIMIT", "1")
    assert runner.invoke(app, ["content", "reload"]).exit_code == 0  # the schedule as announced
    core = create_core(Settings())
    for n in range(1, 5):
        core.handle(Request(Address("telegram", str(n), str(n)), text="/subscribe 2"))
    core.close()
    _write_content(content, "2026-12-12 16:00")
    assert "moved: [2]" in runner.invoke(app, ["content", "reload"]).output
    core = create_core(Settings())
    with core.db.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder", OutboxMessage.status == "pending")
        )
        dues = sorted(row.due_at for row in rows)
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None and len(dues) == 4
    nominal = talk.start - timedelta(minutes=10)
    assert nominal - dues[0] >= timedelta(seconds=4)  # four sends at 1/s need 4 s before the lead time
    core.close()


def test_content_reload_cancelling_over_a_quarter_needs_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    _write_content(content)
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["content", "reload"]).exit_code == 0  # the schedule as announced
    core = create_core(Settings())
    core.handle(Request(Address("console", "ann", "ann"), text="/subscribe 4"))
    core.close()
    data = content_data()
    data["talks"] = [t for t in data["talks"] if t["id"] not in (4, 5)]
    (content / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    refused = runner.invoke(app, ["content", "reload"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "Refused: this reload would cancel 2 of 5 talks, more than 25%: #4" in refused.output
    assert "confbot content reload --force" in refused.output
    forced = runner.invoke(app, ["content", "reload", "--force"])
    assert forced.exit_code == 0 and "cancelled: [4, 5]; notices queued: 1" in forced.output
    core = create_core(Settings())
    with core.db.session() as session:
        kinds = sorted((r.kind, r.status) for r in session.scalars(select(OutboxMessage)))
    assert kinds == [("cancelled", "pending"), ("reminder", "cancelled")]
    core.close()
