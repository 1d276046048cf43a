"""`confbot content check` reports every loader problem on stderr and exits 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.content import app

runner = CliRunner()

CONF = "conference:\n  id: c\n  name: C\n  timezone: Asia/Shanghai\n  rooms: [{id: a, name: A}]\n"


def test_check_reports_unknown_speaker_with_line_and_talk_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "conference.yaml").write_text(CONF, encoding="utf-8")
    (tmp_path / "talks.yaml").write_text(
        "talks:\n  - id: 12\n    title: T\n    speakers: [nobody]\n    start: 2026-12-12 09:00\n"
        "    duration: 30\n    room: a\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "talks.yaml:4" in result.output and "talk 12" in result.output and "nobody" in result.output


def test_check_of_good_content_prints_counts(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        CONF + "talks:\n  - id: 1\n    title: T\n    start: 2026-12-12 09:00\n    duration: 30\n    room: a\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0 and "1 talks" in result.output and "1 days" in result.output
