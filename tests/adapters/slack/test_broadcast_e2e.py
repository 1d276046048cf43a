"""End to end on Slack: `/conf broadcast` previews in mrkdwn, Confirm delivers one DM per person and a
summary to the organizer, Cancel sends nothing; a non-organizer is refused and audited (real Bolt,
signed requests, fake Web API)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from adapters.slack import SlackAdapter
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import block_action, slash
from tests.fakes.slack_api import FakeSlack


async def test_preview_confirm_delivers_once_and_cancel_sends_nothing(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core
) -> None:
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        for user in ("U5EVA", "U6FAY"):
            await post(slack, client, slash(slack, user, "now", channel="D" + user[1:]))
        shown = await post(
            slack, client, slash(slack, "U0ORG", "broadcast platform:slack Lunch is *served* & <free>", channel="D0ORG")
        )
        assert shown["response_type"] == "ephemeral"
        preview = text_of(shown)
        assert "audience platform:slack · 3 people" in preview and "slack: 3" in preview
        assert "Lunch is *served* &amp; &lt;free&gt;" in preview  # as attendees will see it, escaped
        assert slack.sent("chat.postMessage") == []  # nothing before Confirm

        confirm = next(v for v in values_of(shown) if v.startswith("confirm "))
        done = await post(slack, client, block_action(slack, "U0ORG", confirm))
        assert "Broadcast #1 is queued for 3 people" in text_of(done)
        for _ in range(3):
            await runtime.dispatch_now()
        dms = await slack.wait_for("chat.postMessage", 4)
        await asyncio.sleep(0.1)
        broadcast = [m for m in slack.sent("chat.postMessage") if text_of(m) == "Lunch is *served* &amp; &lt;free&gt;"]
        assert Counter(m["channel"] for m in broadcast) == {"D5EVA": 1, "D6FAY": 1, "D0ORG": 1}
        summary = [m for m in dms if "has finished" in text_of(m)]
        assert len(summary) == 1 and summary[0]["channel"] == "D0ORG"
        assert "3 sent, 0 failed, 0 blocked (of 3)" in text_of(summary[0])
        assert len(slack.sent("chat.postMessage")) == 4

        again = await post(slack, client, slash(slack, "U0ORG", "broadcast Never mind", channel="D0ORG"))
        drop = next(v for v in values_of(again) if v.startswith("drop "))
        assert "Nothing was changed or sent" in text_of(await post(slack, client, block_action(slack, "U0ORG", drop)))
        await runtime.dispatch_now()
        assert len(slack.sent("chat.postMessage")) == 4
        status = await post(slack, client, slash(slack, "U0ORG", "broadcast status", channel="D0ORG"))
        assert "sent 3 · pending 0 · failed 0 · blocked 0" in text_of(status)
    finally:
        await runtime.stop()


async def test_a_non_organizer_is_refused_and_it_is_audited(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core
) -> None:
    refused = await post(slack, client, slash(slack, "U5EVA", "broadcast free pizza", channel="D5EVA"))
    assert text_of(refused) == "Only conference organizers can use /broadcast."
    assert values_of(refused) == []
    audit = await post(slack, client, slash(slack, "U0ORG", "audit", channel="D0ORG"))
    assert "slack:U5EVA" in text_of(audit) and "/broadcast free pizza` → refused" in text_of(audit)
    assert slack.sent("chat.postMessage") == []


async def test_the_text_arrives_escaped_by_slack_and_is_escaped_once(
    slack: FakeSlack, client: httpx.AsyncClient
) -> None:
    # what Slack sends for "Fish & chips <3, [menu](https://e.org/m?a=1&b=2)": entities and an auto-link
    typed = "broadcast platform:slack Fish &amp; chips &lt;3, [menu](<https://e.org/m?a=1&amp;b=2>)"
    shown = await post(slack, client, slash(slack, "U0ORG", typed, channel="D0ORG"))
    assert "Fish &amp; chips &lt;3, <https://e.org/m?a=1&amp;b=2|menu>" in text_of(shown)
