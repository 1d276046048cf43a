"""End to end: a poll on a talk in a room announced in a Slack channel arrives there as Block Kit: the
question and a button per option; pressing one counts in /poll results (real Bolt, fake Web API)."""

from __future__ import annotations

import httpx

from adapters.slack import SlackAdapter
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import block_action, slash
from tests.fakes.slack_api import FakeSlack

CHANNEL = "C0HALLA"


async def test_a_poll_in_a_slack_channel_has_vote_buttons_that_count(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core
) -> None:
    set_up = await post(slack, client, slash(slack, "U0ORG", "announce here A", channel=CHANNEL))
    assert text_of(set_up).startswith("📣 This chat now gets Hall A")
    talk = core.programme.talk(1)  # Hall A, the first talk of the first day (the clock is before it)
    assert talk is not None and talk.room == "A"
    made = await post(slack, client, slash(slack, "U0ORG", "poll 1 Ready? | yes | no", channel="D0ORG"))
    assert "📊 Poll 1: Ready?" in text_of(made)

    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        await runtime.dispatch_now()
        (posted,) = [p for p in await slack.wait_for("chat.postMessage") if p["channel"] == CHANNEL]
        assert text_of(posted).startswith("*📊 Ready?*")
        assert values_of(posted) == ["poll_vote 1 0", "poll_vote 1 1"]
        voted = await post(slack, client, block_action(slack, "U1ALICE", "poll_vote 1 1"))
        assert "Your vote: no" in text_of(voted)
        results = await post(slack, client, slash(slack, "U1ALICE", "poll results 1"))
        assert "2. no: 1 " in text_of(results) and "Votes from every platform: 1" in text_of(results)
    finally:
        await runtime.stop()
