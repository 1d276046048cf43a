"""End to end: /conf announce in a Slack channel, answered ephemerally; the channel is stored as its
own chat (the organizer's DM stays theirs) and its posts are mrkdwn (real Bolt, fake Web API). The
refusals, the posts arriving once and /announce off are a shared scenario in tests/scenarios/test_announce.py."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from adapters.slack import SlackAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.storage.models import User
from tests.adapters.slack.helpers import text_of
from tests.adapters.slack.test_e2e import FORM, signed, slash
from tests.fakes.slack_api import FakeSlack, mrkdwn_problem

CHANNEL = "C0HALLB"


async def _conf(slack: FakeSlack, client: httpx.AsyncClient, user: str, text: str, channel: str) -> str:
    before = len(slack.sent("response"))
    body = slash(slack, user, text, channel=channel)
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    answer = (await slack.wait_for("response", before + 1))[before]
    assert answer["response_type"] == "ephemeral"
    return text_of(answer)


async def test_announce_here_in_a_channel_then_the_posts_arrive_in_it_once(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core, clock: FakeClock
) -> None:
    refused = await _conf(slack, client, "U1ALICE", "announce here B", CHANNEL)
    assert refused == "Only conference organizers can use /announce."
    in_dm = await _conf(slack, client, "U0ORG", "announce here B", "D0ORG")
    assert in_dm.startswith("Send /announce here in the group or channel")
    set_up = await _conf(slack, client, "U0ORG", "announce here B", CHANNEL)
    assert set_up.startswith("📣 This chat now gets Hall B")
    with core.db.session() as s:
        channel = s.scalar(select(User).where(User.kind == "channel"))
        assert channel is not None and (channel.platform_user_id, channel.chat_id) == (f"channel:{CHANNEL}", CHANNEL)
        organizer = s.scalar(select(User).where(User.platform_user_id == "U0ORG"))
        assert organizer is not None and organizer.chat_id == "D0ORG"  # their DM: a channel command never moves it

    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        talk = core.programme.talk(3)  # Hall B, 10:00 on the first day
        assert talk is not None and talk.start is not None
        clock.set(talk.start - timedelta(minutes=5))
        await runtime.dispatch_now()
        (post,) = await slack.wait_for("chat.postMessage")
        assert post["channel"] == CHANNEL
        assert text_of(post).startswith("⏰ Starting in 5 minutes in Hall B:\n*#3 Observability with eBPF*")
        assert mrkdwn_problem(text_of(post)) is None
        assert not [b for b in post["blocks"] if b["type"] == "actions"]  # no buttons in a shared channel
        off = await _conf(slack, client, "U0ORG", "announce off", CHANNEL)
        assert off.startswith("🔕 Announcements here are off.")
    finally:
        await runtime.stop()
