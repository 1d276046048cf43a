"""/venue: the venue's notes (Wi-Fi, how to get there) with its name; none published, it says so."""

from __future__ import annotations

from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.scenarios.driver import Platform

BUNDLED = load_content(BUNDLED_CONTENT)


async def test_venue_shows_the_notes(platform: Platform, core: Core) -> None:
    core.replace_programme(BUNDLED)
    venue = BUNDLED.conference.venue
    assert venue is not None and venue.wifi_en and venue.name_en
    notes = await platform.send("alice", "/venue")
    assert "Wi-Fi" in notes.text and venue.wifi_en in notes.text
    assert "Getting there" in notes.text and "draft" in notes.text
    assert str(venue.name_en) in notes.text or any(p.get("title") == venue.name_en for p in notes.extras)


async def test_a_conference_without_a_venue_says_so(platform: Platform) -> None:
    notes = await platform.send("alice", "/venue")  # the small programme: no venue
    assert "not published the venue" in notes.text and notes.extras == []
