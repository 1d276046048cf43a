"""End to end on Slack: an organizer's `/conf help` has the organizer section and `/conf stats` answers;
anyone else sees neither and is refused, audited (real Bolt, signed requests, fake Web API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.chat.messages import Address
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.helpers import post, text_of
from tests.adapters.slack.test_e2e import SECRET, slash
from tests.fakes.slack_api import TOKEN, FakeSlack


@pytest.fixture
async def client(slack: FakeSlack, core: Core) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
        organizers=["slack:U0ORG"],
    )
    core.add_organizer(Address("slack", "U0ORG", "D0ORG"))
    app = build_asgi(SlackAdapter(settings, core).routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        yield c


async def _ask(slack: FakeSlack, client: httpx.AsyncClient, user: str, text: str) -> dict[str, Any]:
    return await post(slack, client, slash(slack, user, text, channel="D" + user[1:]))


async def test_conf_help_and_stats_for_organizers_only(slack: FakeSlack, client: httpx.AsyncClient, core: Core) -> None:
    organizer_help = text_of(await _ask(slack, client, "U0ORG", "help"))
    attendee_help = text_of(await _ask(slack, client, "U5EVA", "help"))
    assert "Organizer commands" in organizer_help and "/stats" in organizer_help
    assert "Organizer" not in attendee_help and "/stats" not in attendee_help

    refused = await _ask(slack, client, "U5EVA", "stats")
    assert refused["response_type"] == "ephemeral"
    assert text_of(refused) == "Only conference organizers can use /stats."
    stats = text_of(await _ask(slack, client, "U0ORG", "stats"))
    assert "*📊 Stats*" in stats and "People: 2 (2 active, 0 blocked the bot)" in stats
    assert "· slack: 2" in stats
    audit = text_of(await _ask(slack, client, "U0ORG", "audit"))
    assert "slack:U5EVA · `/stats` → refused" in audit and "slack:U0ORG · `/stats` → ok" in audit
