"""`confbot content sync URL` and `confbot content check URL` against a schedule served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from tests.factories import write_content as _write_content
from tests.fakes.schedule_server import ScheduleServer, schedule_server
from tests.features.schedule.test_sync import published

runner = CliRunner()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScheduleServer]:
    """The published schedule, and an environment with a database and content files of its own."""
    _write_content(tmp_path / "content")
    monkeypatch.setenv("CONFBOT_CONTENT", str(tmp_path / "content"))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("CONFBOT_SCHEDULE_URL", raising=False)
    with schedule_server() as srv:
        srv.publish(published())
        yield srv


def test_sync_applies_the_published_schedule_and_reports_what_moved(server: ScheduleServer) -> None:
    first = runner.invoke(app, ["content", "sync", server.url])
    assert first.exit_code == 0 and f"Synced {server.url}" in first.output
    server.publish(published(t2="2026-12-12T15:00:00+08:00"))
    moved = runner.invoke(app, ["content", "sync", server.url])
    assert moved.exit_code == 0 and "moved: [2]" in moved.output
    again = runner.invoke(app, ["content", "sync", server.url])
    assert again.exit_code == 0 and "Unchanged" in again.output


def test_sync_of_a_conflict_is_refused_until_forced(server: ScheduleServer) -> None:
    assert runner.invoke(app, ["content", "sync", server.url]).exit_code == 0
    server.publish(published(t4="2026-12-12T09:10:00+08:00"))
    refused = runner.invoke(app, ["content", "sync", server.url])
    assert refused.exit_code == 1 and "previous programme is kept" in refused.output
    assert 'talk 1 "从Linux内核到eBPF" and talk 4 "网络抖动排查" overlap in room' in refused.output
    forced = runner.invoke(app, ["content", "sync", server.url, "--force"])
    assert forced.exit_code == 0 and "moved: [4]" in forced.output


def test_sync_of_a_broken_or_missing_schedule_fails_in_one_line(server: ScheduleServer) -> None:
    server.publish(b"<html>not a schedule</html>")
    broken = runner.invoke(app, ["content", "sync", server.url])
    assert broken.exit_code == 1 and "cannot import the schedule" in broken.output
    assert "Traceback" not in broken.output
    server.status = 404
    missing = runner.invoke(app, ["content", "sync", server.url])
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_check_of_a_url_names_its_conflicts(server: ScheduleServer) -> None:
    server.publish(published(t5="2026-12-20T10:00:00+08:00"))
    result = runner.invoke(app, ["content", "check", server.url])
    assert result.exit_code == 1 and "outside the conference days (2026-12-12 to 2026-12-13)" in result.output


def test_reload_of_the_files_is_refused_while_a_url_is_synced(
    server: ScheduleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFBOT_SCHEDULE_URL", server.url)
    result = runner.invoke(app, ["content", "reload"])
    assert result.exit_code == 1 and f"confbot content sync {server.url}" in result.output
