"""The iCalendar export parses back with zone-aware times and the same UIDs every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from adapters.cli.content import app as content_app
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT


def test_events_carry_talk_times_room_and_speakers() -> None:
    programme = load_content(BUNDLED_CONTENT)
    talk = next(t for t in programme.talks if t.start is not None and t.speakers)
    cal = Calendar.from_ical(calendar_bytes(programme, [talk], lang="en", name="Mine"))
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == f"talk-{talk.id}@{programme.conference.id}"
    assert event.decoded("dtstart") == talk.start and event.decoded("dtend") == talk.end
    assert event.decoded("dtstart").utcoffset() is not None
    assert programme.speakers_of(talk)[0].name in str(event["description"])
    assert str(cal["x-wr-calname"]) == "Mine"


def test_exporting_twice_gives_identical_files_with_a_fixed_stamp() -> None:
    programme = load_content(BUNDLED_CONTENT)
    stamp = datetime(2026, 12, 1, tzinfo=UTC)
    assert calendar_bytes(programme, stamp=stamp) == calendar_bytes(programme, stamp=stamp)


def _tzids(ics: bytes) -> tuple[set[str], set[str]]:
    """The TZIDs events use, and the ones a VTIMEZONE defines."""
    cal = Calendar.from_ical(ics)
    used = {str(e["dtstart"].params["TZID"]) for e in cal.walk("VEVENT")}
    defined = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
    return used, defined


def test_every_tzid_has_its_vtimezone_block_as_rfc_5545_requires(tmp_path: Path) -> None:
    programme = load_content(BUNDLED_CONTENT)
    used, defined = _tzids(calendar_bytes(programme))
    assert used == {"Asia/Shanghai"} and defined == used
    out = tmp_path / "all.ics"
    result = CliRunner().invoke(
        content_app, ["export", "--format", "ics", "--output", str(out), "--path", str(BUNDLED_CONTENT)]
    )
    assert result.exit_code == 0, result.output
    used, defined = _tzids(out.read_bytes())
    assert used == defined == {"Asia/Shanghai"}
    (zone,) = Calendar.from_ical(out.read_bytes()).walk("VTIMEZONE")
    offsets = {sub["tzoffsetto"].td for sub in zone.subcomponents}
    assert offsets == {timedelta(hours=8)}  # UTC+8, no daylight saving


def test_an_alarm_at_the_lead_time_and_none_for_the_whole_programme_or_a_cancelled_talk() -> None:
    programme = load_content(BUNDLED_CONTENT)
    talk = programme.talks[0]
    (event,) = Calendar.from_ical(calendar_bytes(programme, [talk], alarm_minutes=15)).walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert alarm["trigger"].td == -timedelta(minutes=15) and str(alarm["action"]) == "DISPLAY"
    assert not Calendar.from_ical(calendar_bytes(programme)).walk("VALARM")
    cancelled = talk.model_copy(update={"cancelled": True})
    assert not Calendar.from_ical(calendar_bytes(programme, [cancelled], alarm_minutes=15)).walk("VALARM")
