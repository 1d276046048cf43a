"""/venue on Telegram: a native venue (a map pin, checked against the Bot API) before the text; none
without coordinates. (The notes themselves: tests/scenarios/test_venue.py.)"""

from __future__ import annotations

from adapters.telegram import TelegramAdapter
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.fakes.telegram_server import FakeTelegram

BUNDLED = load_content(BUNDLED_CONTENT)


async def test_venue_sends_a_map_pin_then_the_notes(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core
) -> None:
    core.replace_programme(BUNDLED)
    venue = BUNDLED.conference.venue
    assert venue is not None and venue.name_en and venue.address_en
    fake_telegram.push(fake_telegram.message_update(3003, "/venue", lang="en"))
    (pin,) = await fake_telegram.wait_for("sendVenue")
    (text,) = await fake_telegram.wait_for("sendMessage")
    assert (float(pin["latitude"]), float(pin["longitude"])) == (venue.latitude, venue.longitude)
    assert pin["title"] == venue.name_en and pin["address"] == venue.address_en
    assert int(pin["chat_id"]) == int(text["chat_id"]) == 3003


async def test_a_conference_without_coordinates_sends_no_pin(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter
) -> None:
    fake_telegram.push(fake_telegram.message_update(3004, "/venue", lang="en"))  # the small programme: no venue
    await fake_telegram.wait_for("sendMessage")
    assert fake_telegram.sent("sendVenue") == []
