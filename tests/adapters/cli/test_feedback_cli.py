"""`confbot feedback export`: every rating and comment with its talk and time, and no user ids."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address, Request
from bot.factory import create_core
from bot.settings import Settings

runner = CliRunner()
RATERS = (Address("telegram", "777001", "777001"), Address("slack", "U0RATER42", "D0RATER42"))


@pytest.fixture
def rated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled conference after its first day, with two ratings of talk 1 (one commented)."""
    monkeypatch.setenv("CONFBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONFBOT_CLOCK_START", "2026-12-13T20:00+08:00")
    core = create_core(Settings())
    for who, stars in zip(RATERS, (5, 2), strict=True):
        core.handle(Request(who, action=f"rate 1 {stars}", display_name=f"Rater {who.user_id}"))
    core.handle(Request(RATERS[1], text='=HYPERLINK("x"), too long, "quoted"', display_name="Rater"))
    core.close()


def _no_user_ids(text: str) -> None:
    for who in RATERS:
        assert who.user_id not in text and who.chat_id not in text
    assert "Rater" not in text and "telegram" not in text and "slack" not in text


def test_csv_export_lists_each_rating_with_its_talk_and_time(rated: None) -> None:
    result = runner.invoke(app, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["talk_id"], r["stars"]) for r in rows] == [("1", "5"), ("1", "2")]
    assert rows[1]["comment"] == '\'=HYPERLINK("x"), too long, "quoted"'  # no formula in a spreadsheet
    assert rows[0]["start"].startswith("2026-12-12T") and rows[0]["start"].endswith("+08:00") and rows[0]["end"]
    assert rows[0]["title"] and set(rows[0]) == {
        "talk_id",
        "title",
        "title_en",
        "start",
        "end",
        "room",
        "stars",
        "comment",
        "rated_at",
    }
    _no_user_ids(result.stdout)


def test_json_export_to_a_file(rated: None, tmp_path: Path) -> None:
    out = tmp_path / "ratings.json"
    result = runner.invoke(app, ["feedback", "export", "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["talk_id"], r["stars"], r["comment"]) for r in rows] == [
        (1, 5, ""),
        (1, 2, '=HYPERLINK("x"), too long, "quoted"'),
    ]
    _no_user_ids(out.read_text(encoding="utf-8"))


def test_an_unknown_format_is_refused(rated: None) -> None:
    result = runner.invoke(app, ["feedback", "export", "--format", "xlsx"])
    assert result.exit_code == 2 and "csv or json" in result.output
