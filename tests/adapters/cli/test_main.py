"""The `confbot` command line, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.factory import create_core
from bot.messages import Address, Request
from bot.settings import Settings
from tests.push.test_runtime import _write_content

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
