"""The .ics a phone imports says where: the room, the venue's name and its address (and its pin)."""

from __future__ import annotations

from icalendar import Calendar

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.helpers import ask


def _event(core: Core, locale: str) -> Calendar:
    ask(core, "/subscribe 1", locale=locale)
    reply = ask(core, "/ics", locale=locale)
    assert reply.attachment is not None
    (event,) = Calendar.from_ical(reply.attachment.content).walk("VEVENT")
    return event


def test_the_location_is_room_venue_and_address_in_english(settings: Settings, db: Database, clock: FakeClock) -> None:
    core = Core(settings, db, load_content(BUNDLED_CONTENT), clock)
    event = _event(core, "en")
    assert str(event["location"]) == (
        "Main Hall 1F, Xi'an University of Posts and Telecommunications (Chang'an Campus), "
        "618 West Chang'an Street, Chang'an District, Xi'an, Shaanxi"
    )
    assert (event["geo"].latitude, event["geo"].longitude) == (34.1561, 108.9062)


def test_the_location_in_chinese(settings: Settings, db: Database, clock: FakeClock) -> None:
    core = Core(settings, db, load_content(BUNDLED_CONTENT), clock)
    assert (
        str(_event(core, "zh-hans")["location"])
        == "主会场 1F，西安邮电大学（长安校区），陕西省西安市长安区西长安街618号"
    )


def test_without_a_venue_the_location_is_the_room(core: Core) -> None:
    assert str(_event(core, "en")["location"]) == "Hall A"
