"""Import frab/pretalx schedules and the seed page; export schedule.json and iCalendar."""

from __future__ import annotations

import json
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from adapters.cli.content import app
from bot.programme.content.frab import export_json
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.importers import load_schedule
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.programme.search import SearchIndex
from bot.settings import BUNDLED_CONTENT

DATA = Path(__file__).resolve().parents[2] / "data"
runner = CliRunner()


def test_frab_xml_of_31c3_imports_every_event() -> None:
    content = load_schedule((DATA / "31c3-schedule.xml").read_bytes(), "31c3-schedule.xml")
    programme = Programme.from_content(content)
    assert len(programme.talks) == 138 and len(programme.days()) == 4
    opening = programme.talk(6561)
    assert opening is not None and opening.title == "31C3 Opening Event"
    assert programme.room(opening.room).name == "Saal 1" and opening.start.isoformat() == "2014-12-27T11:00:00+01:00"
    assert [s.name for s in programme.speakers_of(opening)] == ["erdgeist", "Geraldine de Bastion"]
    tracks = [t.name for t in programme.conference.tracks]
    assert "Security & Hacking" in tracks and not any("&amp;" in name for name in tracks)
    assert SearchIndex(programme).search("Opening")[0].talk.id == 6561


def test_export_then_import_json_keeps_ids_titles_times_rooms_and_speakers() -> None:
    bundled = load_content(BUNDLED_CONTENT)
    exported = export_json(bundled)
    events = [e for d in exported["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert sorted(e["id"] for e in events) == list(range(1, 30))
    again = Programme.from_content(load_schedule(json.dumps(exported).encode(), "exported.json"))
    for talk in bundled.talks:
        other = again.talk(talk.id)
        assert other is not None and other.title == talk.title and other.start == talk.start
        assert other.end == talk.end
        assert again.room(other.room).name == bundled.room(talk.room).name
        assert [s.name for s in again.speakers_of(other)] == [s.name for s in bundled.speakers_of(talk)]


def test_ics_has_a_stable_uid_per_talk() -> None:
    bundled = load_content(BUNDLED_CONTENT)
    first, second = Calendar.from_ical(calendar_bytes(bundled)), Calendar.from_ical(calendar_bytes(bundled))
    uids = [str(e["uid"]) for e in first.walk("VEVENT")]
    assert len(uids) == 29 and len(set(uids)) == 29 and "talk-12@ebpf-china" in uids
    assert uids == [str(e["uid"]) for e in second.walk("VEVENT")]


def test_cli_check_import_export(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["check", str(BUNDLED_CONTENT)])
    assert ok.exit_code == 0 and "29 talks" in ok.output and "draft" in ok.output
    out = tmp_path / "31c3"
    imported = runner.invoke(app, ["import", str(DATA / "31c3-schedule.xml"), "--output", str(out)])
    assert imported.exit_code == 0, imported.output
    checked = runner.invoke(app, ["check", str(out)])  # 31c3 streamed two talks into a second room
    assert checked.exit_code == 1 and "2 problem(s)" in checked.output, checked.output
    assert 'talk 6572 "Security Nightmares" and talk 6607 "Security Nightmares (Stream)" overlap' in checked.output
    seed = runner.invoke(app, ["import", str(BUNDLED_CONTENT / "cfp-seed.md"), "--output", str(tmp_path / "s")])
    assert seed.exit_code == 0 and "29 talks (0 scheduled)" in seed.output
    exported = runner.invoke(app, ["export", "--format", "json", "--path", str(BUNDLED_CONTENT)])
    assert json.loads(exported.stdout)["schedule"]["conference"]["acronym"] == "ebpf-china"
    ics = tmp_path / "a.ics"
    assert (
        runner.invoke(
            app, ["export", "--format", "ics", "--output", str(ics), "--path", str(BUNDLED_CONTENT)]
        ).exit_code
        == 0
    )
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_cli_reports_broken_input_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("conference: [\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1 and "bad.yaml:2" in result.output and "Traceback" not in result.output
    junk = tmp_path / "junk.xml"
    junk.write_text("<schedule><oops>", encoding="utf-8")
    result = runner.invoke(app, ["import", str(junk)])
    assert result.exit_code == 1 and "cannot import" in result.output
    assert "no such file" in runner.invoke(app, ["import", str(tmp_path / "none.json")]).output
    assert runner.invoke(app, ["export", "--format", "pdf", "--path", str(BUNDLED_CONTENT)]).exit_code == 2
