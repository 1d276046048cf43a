"""Fixtures for the Slack end-to-end tests of organizer features: the fake Web API, an adapter whose
core knows the organizer ``U0ORG``, and an HTTP client for signed requests. A test module that defines
its own fixtures of these names (e.g. ``test_e2e.py``) uses its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.chat.messages import Address
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import SECRET
from tests.fakes.slack_api import TOKEN, FakeSlack

ORGANIZER = Address("slack", "U0ORG", "U0ORG")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def adapter(slack: FakeSlack, core: Core) -> SlackAdapter:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
    )
    core.add_organizer(ORGANIZER)
    return SlackAdapter(settings, core)


@pytest.fixture
async def client(adapter: SlackAdapter) -> AsyncIterator[httpx.AsyncClient]:
    app = build_asgi(adapter.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        yield c
