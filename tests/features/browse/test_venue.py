"""/venue answers "where is it and how do I get in"; /room says which floor and how to find it."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Conference, Room, Venue
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.helpers import ask

BUNDLED = load_content(BUNDLED_CONTENT)


@pytest.fixture
def bundled_core(settings: Settings, db: Database, clock: FakeClock) -> Core:
    return Core(settings, db, BUNDLED, clock)


def test_the_bundled_conference_has_a_draft_venue_placed_on_the_map() -> None:
    venue = BUNDLED.conference.venue
    assert venue is not None and venue.draft and venue.name_en and venue.address and venue.address_en
    assert venue.latitude is not None and venue.longitude is not None
    for note in ("wifi", "transport", "registration", "food"):
        assert getattr(venue, note) and getattr(venue, f"{note}_en"), note
    assert all(room.floor and room.directions and room.directions_en for room in BUNDLED.conference.rooms)


def test_venue_in_english_and_chinese_with_a_place_and_the_draft_mark(bundled_core: Core) -> None:
    en = ask(bundled_core, "/venue", locale="en")
    venue = BUNDLED.conference.venue
    assert venue is not None and venue.name_en and venue.transport_en and venue.wifi_en
    assert venue.name_en in en.plain_text and venue.transport_en in en.plain_text and "draft" in en.plain_text
    assert "Wi-Fi" in en.plain_text and "Main Hall · 1F" in en.plain_text
    assert en.place is not None and (en.place.latitude, en.place.longitude) == (venue.latitude, venue.longitude)
    assert en.place.title == venue.name_en and en.place.address == venue.address_en
    zh = ask(bundled_core, "/venue", locale="zh")
    assert venue.name in zh.plain_text and venue.address in zh.plain_text and "草案" in zh.plain_text
    assert zh.place is not None and zh.place.title == venue.name
    assert ask(bundled_core, "/where", locale="en").plain_text == en.plain_text


def test_room_shows_its_floor_and_directions(bundled_core: Core) -> None:
    room = BUNDLED.room("B")
    assert room is not None and room.directions_en and room.directions
    header = ask(bundled_core, "/room B", locale="en").plain_text.splitlines()[0]
    assert "Room B" in header and "2F" in header and room.directions_en in header
    assert room.directions in ask(bundled_core, "/room B", locale="zh").plain_text.splitlines()[0]


def test_without_a_venue_it_says_so_and_rooms_without_directions_show_their_name(core: Core) -> None:
    assert "not published the venue" in ask(core, "/venue", locale="en").plain_text
    assert ask(core, "/venue", locale="en").place is None
    assert ask(core, "/room A", locale="en").plain_text.splitlines()[0] == "📍 Hall A"


def test_a_venue_given_as_a_plain_name_stays_valid_and_bad_coordinates_are_refused() -> None:
    old = Conference(id="x", name="X", venue="国家会议中心")  # type: ignore[arg-type]
    assert old.venue == Venue(name="国家会议中心")
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        Venue(name="v", latitude=31.2)
    with pytest.raises(ValidationError, match="less than or equal to 90"):
        Venue(name="v", latitude=100, longitude=1)
    assert Room(id="A", name="A厅").floor is None


def test_chinese_only_notes_are_said_to_be_chinese_to_an_english_reader(
    settings: Settings, db: Database, clock: FakeClock, programme: Programme
) -> None:
    conf = programme.conference.model_copy(update={"venue": Venue(name="会场", transport="地铁2号线")})
    core = Core(settings, db, programme, clock)
    core.replace_programme(_with_conference(programme, conf))
    text = ask(core, "/venue", locale="en").plain_text
    assert "🚇 Getting there: (in Chinese) 地铁2号线" in text


def _with_conference(programme: Programme, conference: Conference) -> Programme:
    return dataclasses.replace(programme, conference=conference)


def test_the_agenda_tells_attendees_the_times_may_change(bundled_core: Core) -> None:
    first = ask(bundled_core, "/agenda", locale="en").plain_text
    assert "The programme is provisional: times and rooms may still change." in first
    assert "organizers edit" not in first and "call for talks" not in first
    assert "日程暂定" in ask(bundled_core, "/agenda", locale="zh-hans").plain_text
