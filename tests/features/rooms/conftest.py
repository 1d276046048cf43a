"""The bundled conference with a live stream and seats for the Main Hall (A), and a big third room
(C) with no talks; the clock five minutes before talk 3 (A, 10:40 on the first day, talk 4 starts in
Room B at the same time). ``host`` hosts room A; ``organizer`` is an organizer."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from tests.conftest import SHANGHAI

STREAM = "https://live.example.org/main-hall"
TALK3 = datetime(2026, 12, 12, 10, 40, tzinfo=SHANGHAI)  # in A until 11:20; talk 4 in B at 10:40 too
BEFORE = datetime(2026, 12, 12, 10, 35, tzinfo=SHANGHAI)
ORGANIZER = Address("console", "organizer", "organizer")
HOST = Address("console", "host", "host")  # hosts room A
EVA = Address("console", "eva", "eva")
BOB = Address("console", "bob", "bob")


def with_seats(seats: int = 2) -> Programme:
    """The bundled conference; A seats ``seats`` and has a stream, B has no seats given, C seats 300."""
    content = load_content_file(BUNDLED_CONTENT)
    conference = content.conference
    a, b = conference.rooms
    big = a.model_copy(update={"id": "C", "name": "大礼堂", "name_en": "Auditorium", "capacity": 300, "stream": None})
    rooms = [a.model_copy(update={"capacity": seats, "stream": STREAM}), b, big]
    return Programme.from_content(
        content.model_copy(update={"conference": conference.model_copy(update={"rooms": rooms})})
    )


@pytest.fixture
def programme() -> Programme:
    return with_seats()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BEFORE)


@pytest.fixture
def settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, organizers=[f"console:{ORGANIZER.user_id}"], room_hosts=[f"A=console:{HOST.user_id}"]
    )
