"""End to end: the rating prompt as Block Kit buttons, a star replacing the message (replace_original) and
the chosen star styled primary. The prompt, stars and comment scenario is shared: tests/scenarios/test_feedback.py."""

from __future__ import annotations

from datetime import timedelta

import httpx

from adapters.slack import SlackAdapter
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.feedback.push import plan_due
from tests.adapters.slack.helpers import text_of
from tests.adapters.slack.test_e2e import FORM, block_action, signed
from tests.fakes.slack_api import FakeSlack


async def test_a_star_replaces_the_prompt_and_is_styled_primary(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core, clock: FakeClock
) -> None:
    core.handle(Request(Address("slack", "U5RATE", "D5RATE"), text="/subscribe 2", locale="en-US"))
    talk = core.programme.talk(2)
    assert talk is not None and talk.end is not None
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        clock.set(talk.end + timedelta(minutes=5))
        assert plan_due(runtime.host) == 1
        await runtime.dispatch_now()
        (prompt,) = slack.sent("chat.postMessage")  # the fake refuses blocks Slack would refuse
        assert prompt["channel"] == "D5RATE"
        body = block_action(slack, "U5RATE", "rate 2 5")
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        (update,) = await slack.wait_for("response")
        assert update["replace_original"] is True and "You gave it ★★★★★ (5/5)" in text_of(update)
        buttons = [e for b in update["blocks"] if b["type"] == "actions" for e in b["elements"]]
        chosen = [e for e in buttons if e.get("value") == "rate 2 5"]
        assert chosen[0]["text"]["text"] == "• 5★" and chosen[0].get("style") == "primary"
    finally:
        await runtime.stop()
