"""Talk ids stay the same across re-imports of an edited schedule, so subscriptions survive."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from adapters.cli.content import app
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.importers import load_schedule, previous_ids
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.helpers import ask
from tests.programme.content.importers.conftest import fixture

runner = CliRunner()


def _edited_v2() -> bytes:
    """The v2 fixture after an update: the talk moved an hour, a new talk first in the list."""
    data = json.loads(fixture("c3voc-v2.json"))
    events = data["schedule"]["events"]
    events[1]["start"], events[1]["end"] = "2025-12-28T01:15:00+01:00", "2025-12-28T01:55:00+01:00"
    events[1]["title"] = "A Competitive Time-Trial AI (updated)"
    new = dict(events[0], guid="11111111-2222-5333-8444-555555555555", code="NEWONE", title="Late addition")
    data["schedule"]["events"] = [new, *events]
    return json.dumps(data).encode()


def test_reimport_keeps_ids_and_a_subscription_follows_the_moved_talk(settings: Settings, db: Database) -> None:
    first = Programme.from_content(load_schedule(fixture("c3voc-v2.json"), "39c3.json"))
    ai = next(t for t in first.talks if t.code == "TPGRNN")
    core = Core(settings, db, first, FakeClock(datetime(2025, 12, 1, tzinfo=ZoneInfo("UTC"))))
    ask(core, f"/sub {ai.id}", locale="en")
    assert "A Competitive Time-Trial AI" in ask(core, "/my", locale="en").plain_text
    previous = previous_ids(load_schedule(fixture("c3voc-v2.json"), "39c3.json"))
    again = Programme.from_content(load_schedule(_edited_v2(), "39c3.json", previous=previous))
    moved = again.talk(ai.id)
    assert moved is not None and moved.code == "TPGRNN" and moved.title.endswith("(updated)")
    assert {t.id for t in first.talks} < {t.id for t in again.talks}
    late = next(t for t in again.talks if t.code == "NEWONE")
    assert late.id == max(t.id for t in first.talks) + 1  # listed first, numbered after the old talks
    core.replace_programme(again)
    mine = ask(core, "/my", locale="en").plain_text
    assert "A Competitive Time-Trial AI (updated)" in mine and "01:15" in mine


def test_a_previous_import_wins_over_a_clashing_source_id() -> None:
    data = json.loads(fixture("c3voc-v1-no-zone.json"))
    before = load_schedule(json.dumps(data).encode(), "democon.json")
    rooms = data["schedule"]["conference"]["days"][0]["rooms"]
    rooms["Main Stage"][1]["id"] = 311  # the source renumbered: talk RT8QWE now claims keynote's 311
    rooms["Main Stage"][0]["id"] = 999
    after = load_schedule(json.dumps(data).encode(), "democon.json", previous=previous_ids(before))
    assert {t.code: t.id for t in after.talks} == {t.code: t.id for t in before.talks}


def test_cli_import_into_the_same_directory_keeps_ids(tmp_path: Path) -> None:
    source, out = tmp_path / "schedule.json", tmp_path / "39c3"
    source.write_bytes(fixture("c3voc-v2.json"))
    assert runner.invoke(app, ["import", str(source), "--output", str(out)]).exit_code == 0
    first = {t.code: t.id for t in load_content(out).talks}
    source.write_bytes(_edited_v2())
    result = runner.invoke(app, ["import", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    second = {t.code: t.id for t in load_content(out).talks}
    assert {code: second[code] for code in first} == first and "NEWONE" in second
    assert "guid: 270fa44c-821a-577f-8ca3-33e8d4a8c2a7" in (out / "talks.yaml").read_text(encoding="utf-8")
