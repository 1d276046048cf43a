"""End to end: /conf announce in a Slack channel, posts arrive in that channel (real Bolt, fake Web API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.messages import Address
from bot.push.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import User
from tests.adapters.slack.test_e2e import FORM, SECRET, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack, mrkdwn_problem

CHANNEL = "C0HALLB"


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


def _text(call: dict) -> str:  # type: ignore[type-arg]
    return "\n".join((b.get("text") or {}).get("text", "") for b in call.get("blocks") or [])


async def _conf(slack: FakeSlack, client: httpx.AsyncClient, user: str, text: str, channel: str) -> str:
    before = len(slack.sent("response"))
    body = slash(slack, user, text, channel=channel)
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    answer = (await slack.wait_for("response", before + 1))[before]
    assert answer["response_type"] == "ephemeral"
    return _text(answer)


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

    runtime = Runtime(core, {"slack": adapter.sender()}, watch_content=False)
    await runtime.start()
    try:
        talk = core.programme.talk(3)  # Hall B, 10:00 on the first day
        assert talk is not None and talk.start is not None
        clock.set(talk.start - timedelta(minutes=5))
        await runtime.dispatch_now()
        await runtime.dispatch_now()
        (post,) = slack.sent("chat.postMessage")
        assert post["channel"] == CHANNEL
        assert _text(post).startswith("⏰ Starting in 5 minutes in Hall B:\n*#3 Observability with eBPF*")
        assert mrkdwn_problem(_text(post)) is None
        assert not [b for b in post["blocks"] if b["type"] == "actions"]  # no buttons in a shared channel

        off = await _conf(slack, client, "U0ORG", "announce off", CHANNEL)
        assert off == "🔕 Announcements here are off. Pending posts cancelled: 1."
        clock.set(talk.start + timedelta(days=1))  # talk 5 (Hall B, day two) would have been announced
        await runtime.dispatch_now()
        assert len(slack.sent("chat.postMessage")) == 1
    finally:
        await runtime.stop()
