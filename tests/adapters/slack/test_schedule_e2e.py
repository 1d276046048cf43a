"""End to end on Slack: `/conf move` previews, the Confirm button applies it, and the subscriber gets
exactly one "moved" DM; a non-organizer's /conf move is refused (real Bolt, signed requests, fake Web API)."""

from __future__ import annotations

import asyncio

import httpx

from adapters.slack import SlackAdapter
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import block_action, slash
from tests.fakes.slack_api import FakeSlack


async def test_organizer_moves_a_talk_and_the_subscriber_gets_one_moved_dm(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core
) -> None:
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        await post(slack, client, block_action(slack, "U5EVA", "sub 4"))  # Eva stars talk 4 in her DM
        refused = await post(slack, client, slash(slack, "U5EVA", "move 4 2 14:30 B", channel="D5EVA"))
        assert text_of(refused) == "Only conference organizers can use /move."

        shown = await post(slack, client, slash(slack, "U0ORG", "move 4 2 14:30 B", channel="D0ORG"))
        assert shown["response_type"] == "ephemeral"
        assert "to: Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in text_of(shown) and "1 subscriber(s)" in text_of(shown)
        confirm = next(v for v in values_of(shown) if v.startswith("confirm "))
        assert slack.sent("chat.postMessage") == []  # nothing before Confirm

        done = await post(slack, client, block_action(slack, "U0ORG", confirm))
        assert "Moved #4 to Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in text_of(done)
        (dm,) = await slack.wait_for("chat.postMessage")
        assert dm["channel"] == "D5EVA" and text_of(dm).startswith("🔀 Schedule change:\n*#4 Hunting network jitter*")
        assert "moved to Sun 13 Dec 14:30 (UTC+8), Hall B" in text_of(dm)
        await runtime.dispatch_now()
        await asyncio.sleep(0.1)
        assert len(slack.sent("chat.postMessage")) == 1  # exactly one
    finally:
        await runtime.stop()
