"""The iCalendar export parses back with zone-aware times and the same UIDs every time."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from bot.content.ical import calendar_bytes
from bot.content.loader import load_content
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
