"""End to end on Slack: `/conf move` previews, the Confirm button applies it, and the subscriber gets
exactly one "moved" DM; a non-organizer's /conf move is refused (real Bolt, signed requests, fake Web API)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.core import Core
from bot.messages import Address
from bot.push.runtime import Runtime
from bot.settings import Settings
from tests.adapters.slack.test_e2e import FORM, SECRET, block_action, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack


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
    core.add_organizer(Address("slack", "U0ORG", "U0ORG"))
    return SlackAdapter(settings, core)


@pytest.fixture
async def client(adapter: SlackAdapter) -> AsyncIterator[httpx.AsyncClient]:
    app = build_asgi(adapter.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        yield c


def _text(call: dict[str, Any]) -> str:
    return "\n".join((b.get("text") or {}).get("text", "") for b in call.get("blocks") or [])


def _values(call: dict[str, Any]) -> list[str]:
    return [e.get("value") for b in call.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def _post(slack: FakeSlack, client: httpx.AsyncClient, body: str) -> dict[str, Any]:
    before = len(slack.sent("response"))
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    return (await slack.wait_for("response", before + 1))[before]


async def test_organizer_moves_a_talk_and_the_subscriber_gets_one_moved_dm(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core
) -> None:
    runtime = Runtime(core, {"slack": adapter.sender()}, watch_content=False)
    await runtime.start()
    try:
        await _post(slack, client, block_action(slack, "U5EVA", "sub 4"))  # Eva stars talk 4 in her DM
        refused = await _post(slack, client, slash(slack, "U5EVA", "move 4 2 14:30 B", channel="D5EVA"))
        assert _text(refused) == "Only conference organizers can use /move."

        shown = await _post(slack, client, slash(slack, "U0ORG", "move 4 2 14:30 B", channel="D0ORG"))
        assert shown["response_type"] == "ephemeral"
        assert "to: Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in _text(shown) and "1 subscriber(s)" in _text(shown)
        confirm = next(v for v in _values(shown) if v.startswith("confirm "))
        assert slack.sent("chat.postMessage") == []  # nothing before Confirm

        done = await _post(slack, client, block_action(slack, "U0ORG", confirm))
        assert "Moved #4 to Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in _text(done)
        (dm,) = await slack.wait_for("chat.postMessage")
        assert dm["channel"] == "D5EVA" and _text(dm).startswith("🔀 Schedule change:\n*#4 Hunting network jitter*")
        assert "moved to Sun 13 Dec 14:30 (UTC+8), Hall B" in _text(dm)
        await runtime.dispatch_now()
        await asyncio.sleep(0.1)
        assert len(slack.sent("chat.postMessage")) == 1  # exactly one
    finally:
        await runtime.stop()
