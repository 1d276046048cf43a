"""The web side of a full room: the room's screen says "Full" (满座), the desk's Now page marks the room
and, before the talk, warns that it has more subscribers than seats, naming the bigger free room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.settings import Settings
from bot.storage.db import Database
from tests.adapters.web.conftest import site
from tests.adapters.web.test_desk import desk_link, sign_in
from tests.features.rooms.conftest import BEFORE, BOB, EVA, HOST, ORGANIZER, with_seats
from tests.helpers import ALICE, ask


@pytest.fixture
def core(tmp_path: Path) -> Core:
    db = Database(f"sqlite:///{tmp_path / 'confbot.db'}")
    db.migrate()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, web=True, public_url="https://bot.example.org", room_hosts=["A=console:host"]
    )
    core = Core(settings, db, with_seats(), FakeClock(BEFORE))
    core.add_organizer(ORGANIZER)
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    async with site(core) as client:
        yield client


async def test_the_screen_says_full_once_marked(client: httpx.AsyncClient, core: Core) -> None:
    assert 'data-testid="screen-full"' not in (await client.get("/rooms/A/screen?lang=en")).text
    ask(core, "/full A", who=HOST)
    english = (await client.get("/rooms/A/screen?lang=en")).text
    assert '<p class="full" data-testid="screen-full">🈵 Full</p>' in english
    assert '<p class="full" data-testid="screen-full">🈵 满座</p>' in (await client.get("/rooms/A/screen?lang=zh")).text
    assert 'data-testid="screen-full"' not in (await client.get("/rooms/B/screen?lang=en")).text


async def test_the_desk_shows_the_full_room_and_warns_of_too_many_subscribers(
    client: httpx.AsyncClient, core: Core
) -> None:
    for who in (ALICE, BOB, EVA):
        ask(core, "/subscribe 3", who=who)
    await sign_in(client, desk_link(core))
    page = (await client.get("/desk?lang=en")).text
    assert 'data-testid="full"' not in page
    assert 'data-testid="crowded"' in page and "⭐ 3 for 2 seats. Auditorium (300 seats) is free then." in page
    ask(core, "/full A", who=ORGANIZER)
    page = (await client.get("/desk?lang=en")).text
    assert '<span class="full" data-testid="full">🈵 Full</span>' in page
