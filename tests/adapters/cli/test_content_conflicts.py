"""`confbot content check` and `confbot content reload` find the same schedule conflicts as /move."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli import app
from bot.programme.content import conflicts
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.factories import content_data

runner = CliRunner()


def _write(directory: Path, **talk4: str) -> Path:
    """The small conference, talk 2 moved off Alice's other talk, and talk 4 changed as given."""
    data = content_data("2026-12-12 11:00")
    next(t for t in data["talks"] if t["id"] == 4).update(talk4)
    directory.mkdir(exist_ok=True)
    (directory / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


def test_the_bundled_conference_has_no_conflicts() -> None:
    assert conflicts.find(load_content(BUNDLED_CONTENT)) == []
    result = runner.invoke(app, ["content", "check", str(BUNDLED_CONTENT)])
    assert result.exit_code == 0 and result.output.startswith("OK:")


def test_check_reports_room_and_speaker_conflicts_with_file_and_talk_ids(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean")
    assert runner.invoke(app, ["content", "check", str(clean)]).exit_code == 0

    clashing = _write(tmp_path / "clashing", start="2026-12-13 11:20", room="B")  # onto talk 5 in room B
    result = runner.invoke(app, ["content", "check", str(clashing)])
    assert result.exit_code == 1
    assert "1 problem(s) in the content" in result.output
    assert f"{clashing / 'content.yaml'}:" in result.output  # file and line of the talk
    assert (
        'talk 4 "Hunting network jitter" and talk 5 "Watching the scheduler" overlap in room Hall B B厅 (B)'
        in result.output
    )

    speaker = _write(tmp_path / "speaker", start="2026-12-12 09:15", room="B")  # Chen Lijun: talk 1 at 09:00
    result = runner.invoke(app, ["content", "check", str(speaker)])
    assert result.exit_code == 1 and "overlap with speaker Chen Lijun 陈莉君 (chenlijun)" in result.output
    assert 'talk 1 "From the Linux kernel to eBPF"' in result.output


def test_touching_talks_cancelled_talks_and_all_room_breaks_do_not_clash(tmp_path: Path) -> None:
    touching = _write(tmp_path / "touching", start="2026-12-13 10:20", room="B")  # 10:20-11:00, talk 5 at 11:00
    assert runner.invoke(app, ["content", "check", str(touching)]).exit_code == 0
    cancelled = _write(tmp_path / "cancelled", start="2026-12-13 11:20", room="B", cancelled=True)  # type: ignore[arg-type]
    assert runner.invoke(app, ["content", "check", str(cancelled)]).exit_code == 0
    lunch = _write(tmp_path / "lunch", start="2026-12-12 12:10", room="A")  # lunch has no room: every room
    assert runner.invoke(app, ["content", "check", str(lunch)]).exit_code == 0


def test_reload_refuses_a_new_conflict_until_forced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _write(tmp_path / "content")
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["content", "reload"]).exit_code == 0
    _write(content, start="2026-12-13 11:20", room="B")
    refused = runner.invoke(app, ["content", "reload"])
    assert refused.exit_code == 1
    assert "Refused: this reload would add 1 schedule conflict(s): talk 4" in refused.output
    assert "--force" in refused.output
    forced = runner.invoke(app, ["content", "reload", "--force"])
    assert forced.exit_code == 0 and "moved: [4]" in forced.output and "conflicts kept: talk 4" in forced.output
    again = runner.invoke(app, ["content", "reload"])  # announced now: only reported, not refused again
    assert again.exit_code == 0 and "moved: none" in again.output


def test_check_names_a_talk_outside_the_conference_days(tmp_path: Path) -> None:
    data = content_data("2026-12-12 11:00")
    data["conference"].update(first_day="2026-12-12", last_day="2026-12-13")
    next(t for t in data["talks"] if t["id"] == 5)["start"] = "2026-12-15 11:00"
    directory = tmp_path / "days"
    directory.mkdir()
    (directory / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["content", "check", str(directory)])
    assert result.exit_code == 1
    assert (
        'talk 5 "Watching the scheduler" starts on 2026-12-15, outside the conference days (2026-12-12 to 2026-12-13)'
        in result.output
    )
    next(t for t in data["talks"] if t["id"] == 5)["start"] = "2026-12-14 01:30"  # the last night still counts
    (directory / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(app, ["content", "check", str(directory)]).exit_code == 0


def test_check_names_a_talk_in_a_room_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["content", "check", str(_write(tmp_path / "rooms", room="C"))])
    assert result.exit_code == 1 and "talk 4, field room: unknown room 'C'; rooms are A, B" in result.output
    programme = load_content(_write(tmp_path / "ok"))  # a programme built in code (an import) is checked too
    stray = programme.talk(4).model_copy(update={"room": "C"})  # type: ignore[union-attr]
    from bot.programme import overrides

    found = [
        str(c)
        for c in conflicts.find(overrides.rebuild(programme, [stray if t.id == 4 else t for t in programme.talks]))
    ]
    assert found == ['talk 4 "Hunting network jitter" is in room C, which the conference does not have (rooms: A, B)']
