"""The room's screen shows the open poll on the talk on now, with every platform's votes merged; a
closed poll leaves the screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.adapters.web.conftest import web_app
from tests.conftest import SHANGHAI
from tests.helpers import ALICE, ask, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("slack", "U0BOB", "D0BOB")
NOW = datetime(2026, 12, 12, 10, 45, tzinfo=SHANGHAI)  # talk 3 is on in room A until 11:20


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def core(tmp_path: Path, clock: FakeClock) -> Core:
    db = Database(f"sqlite:///{tmp_path / 'confbot.db'}")
    db.migrate()
    settings = Settings(_env_file=None, web=True, public_url="https://bot.example.org")  # type: ignore[call-arg]
    core = Core(settings, db, Programme.from_content(load_content_file(BUNDLED_CONTENT)), clock)
    core.add_organizer(ORGANIZER)
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.example.org") as client:
        yield client


async def test_the_screen_shows_the_talks_open_poll_with_merged_votes(
    client: httpx.AsyncClient, core: Core, clock: FakeClock
) -> None:
    assert 'data-testid="screen-poll"' not in (await client.get("/rooms/A/screen?lang=en")).text
    ask(core, "/poll 3 Which tracer? | bpftrace | BCC", who=ORGANIZER, locale="en")
    press(core, "poll_vote 1 1", who=ALICE)
    press(core, "poll_vote 1 1", who=BOB)
    page = (await client.get("/rooms/A/screen?lang=en")).text
    assert "📊 Live poll: Which tracer?" in page
    assert '<li data-testid="poll-option" data-votes="0">bpftrace' in page
    assert '<li data-testid="poll-option" data-votes="2">BCC' in page
    assert "Votes from every platform: 2" in page
    assert "📊 实时投票: Which tracer?" in (await client.get("/rooms/A/screen?lang=zh")).text
    assert 'data-testid="screen-poll"' not in (await client.get("/rooms/B/screen?lang=en")).text
    clock.set(datetime(2026, 12, 12, 11, 21, tzinfo=SHANGHAI))
    assert 'data-testid="screen-poll"' not in (await client.get("/rooms/A/screen?lang=en")).text
