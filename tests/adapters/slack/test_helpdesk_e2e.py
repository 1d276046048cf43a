"""End to end on the fake Slack: a helpdesk ticket round trip through Bolt (signed requests) and the
outbox. With a helpdesk channel the ticket is posted there with Reply / Close buttons, the organizer's
answer is their next message in that channel (other members' chatter is never taken or answered), a
follow-up DM with a photo links the file into the channel. (With none, each organizer gets a DM: a
shared scenario in tests/scenarios/test_helpdesk.py.)"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.slack import SlackAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import _action_payload, event, event_callback, signed, slash
from tests.fakes.slack_api import FakeSlack, mrkdwn_problem

DESK = "C0HELP"
ALICE, DM = "U1ALICE", "D1ALICE"
PERMALINK = "https://confbot-test.slack.com/files/U1ALICE/F0PHOTO/badge.jpg"


def in_channel(user: str, text: str, *, channel: str = DESK, thread_ts: str | None = None) -> str:
    """A message event from a public channel, as ``message.channels`` delivers it."""
    message: dict[str, Any] = {
        "type": "message",
        "channel_type": "channel",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return event_callback(message)


def photo_dm(user: str, text: str) -> str:
    """A DM with a photo: a ``file_share`` message event carrying the file object."""
    file = {"id": "F0PHOTO", "name": "badge.jpg", "mimetype": "image/jpeg", "permalink": PERMALINK}
    message = json.loads(event(user, text))["event"] | {"subtype": "file_share", "files": [file]}
    return event_callback(message)


def press_in(slack: FakeSlack, user: str, value: str, channel: str) -> str:
    """A button pressed on a message in ``channel``."""
    payload = _action_payload(slack, user, value)
    payload["channel"] = {"id": channel, "name": "helpdesk"}
    payload["container"]["channel_id"] = channel
    return urlencode({"payload": json.dumps(payload)})


async def send_event(client: httpx.AsyncClient, body: str) -> None:
    response = await client.post("/slack/events", content=body, headers=signed(body, content_type="application/json"))
    assert response.status_code == 200


def posted(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [p for p in slack.sent("chat.postMessage") if p["channel"] == channel]


async def first_posted(slack: FakeSlack, channel: str, words: str) -> dict[str, Any]:
    """The first message posted in ``channel`` that holds ``words``, once it is there (a reply and a
    push the runtime sends meanwhile may come in either order)."""
    for _ in range(1000):
        found = [p for p in posted(slack, channel) if words in text_of(p)]
        if found:
            return found[0]
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing with {words!r} in {channel}: {[text_of(p) for p in posted(slack, channel)]}")


async def test_a_ticket_round_trip_through_the_slack_helpdesk_channel(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core, clock: FakeClock
) -> None:
    set_up = await post(slack, client, slash(slack, "U0ORG", "announce here helpdesk", channel=DESK))
    assert "helpdesk" in text_of(set_up)
    opened = await post(slack, client, slash(slack, ALICE, "helpdesk I lost my <badge> & bag", channel=DM))
    assert "Ticket #1 is open" in text_of(opened) and opened["response_type"] == "ephemeral"
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        await runtime.dispatch_now()
        (ticket,) = posted(slack, DESK)
        assert "Helpdesk ticket #1" in text_of(ticket) and "I lost my &lt;badge&gt; &amp; bag" in text_of(ticket)
        assert f"slack:{ALICE}" in text_of(ticket) and mrkdwn_problem(text_of(ticket)) is None
        assert values_of(ticket) == ["ticket_reply 1", "ticket_close 1"]
        assert not posted(slack, DM)  # the attendee never sees the ticket as the organizers do

        await send_event(client, in_channel("U0ORG", "who is on the desk today?"))  # chatter: not awaited
        prompt = await post(slack, client, press_in(slack, "U0ORG", "ticket_reply 1", DESK))
        assert prompt["response_type"] == "ephemeral"  # only the organizer who pressed sees it
        assert "Send your answer to ticket #1 here" in text_of(prompt) and values_of(prompt) == [
            "skip helpdesk_reply 1"
        ]
        await send_event(client, in_channel("U0BOB", "I can take it"))  # another member: chatter
        await send_event(client, in_channel("U0ORG", "At the front desk, hall A.", thread_ts="1.0"))
        sent = await first_posted(slack, DESK, "Your answer to ticket #1 is on its way")
        assert sent["thread_ts"] == "1.0"  # answered in the thread written in
        await runtime.dispatch_now()
        (answer,) = posted(slack, DM)
        assert "ticket #1" in text_of(answer) and "At the front desk, hall A." in text_of(answer)

        clock.advance(11)  # past the flood gap
        await send_event(client, photo_dm(ALICE, "it looks like this"))
        assert await first_posted(slack, DM, "Added to ticket #1")
        await runtime.dispatch_now()
        follow_up = posted(slack, DESK)[-1]
        assert "Follow-up on ticket #1" in text_of(follow_up) and "it looks like this" in text_of(follow_up)
        assert f"📎 <{PERMALINK}|badge.jpg>" in text_of(follow_up) and values_of(follow_up) == [
            "ticket_reply 1",
            "ticket_close 1",
        ]

        closed = await post(slack, client, press_in(slack, "U0ORG", "ticket_close 1", DESK))
        assert "Ticket #1 is closed" in text_of(closed)
        await runtime.dispatch_now()
        assert "Ticket #1 is closed" in text_of(posted(slack, DM)[-1])
        await send_event(client, in_channel("U0ORG", "thanks all"))  # nothing awaited any more
        await post(slack, client, slash(slack, ALICE, "help", channel=DM))  # a later request as a barrier
        # in the channel: the ticket, the answer's confirmation, the follow-up; no chatter was answered
        assert [text_of(p).split("\n")[0] for p in posted(slack, DESK)] == [
            "*🆘 Helpdesk ticket #1*",
            "Your answer to ticket #1 is on its way.",
            "*🆘 Follow-up on ticket #1*",
        ]
    finally:
        await runtime.stop()
