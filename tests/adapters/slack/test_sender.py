"""SlackSender against the fake Web API: every Slack answer maps to the outcome the dispatcher needs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.sender import SlackSender
from bot.chat.messages import Address, Attachment, Button, Reply, Span
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.helpers import ask, dispatcher_for

ALICE = Address("slack", "U1ALICE", "D1ALICE")
TALK2 = datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI)
REPLY = Reply(
    lines=((Span("Starting soon: "), Span("XDP <fast> & furious", "bold")),),
    buttons=((Button("Unsubscribe", "unsub 2"),),),
)


def sender_for(slack: FakeSlack, timeout: float = 30) -> SlackSender:
    client = AsyncWebClient(
        token=TOKEN,
        base_url=slack.api_url,
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=[],
    )
    return SlackSender(client, rate_per_second=50)


async def test_one_channel_gets_about_one_message_a_second(slack: FakeSlack) -> None:
    sender = sender_for(slack)
    await sender.send(ALICE, REPLY)
    assert not sender.can_send_now("D1ALICE") and sender.can_send_now("D2BOB")


async def test_sent_dm_has_escaped_blocks_and_the_button_action(slack: FakeSlack) -> None:
    result = await sender_for(slack).send(ALICE, REPLY)
    assert result.outcome == "sent"
    (dm,) = slack.sent("chat.postMessage")
    assert dm["channel"] == "D1ALICE" and "*XDP &lt;fast&gt; &amp; furious*" in dm["blocks"][0]["text"]["text"]
    assert dm["blocks"][1]["elements"][0]["value"] == "unsub 2"


@pytest.mark.parametrize("error", ["account_inactive", "user_not_found", "channel_not_found", "is_archived"])
async def test_permanent_errors_are_blocked(slack: FakeSlack, error: str) -> None:
    slack.channel_errors["D1ALICE"] = error
    result = await sender_for(slack).send(ALICE, REPLY)
    assert (result.outcome, result.error) == ("blocked", error)


async def test_429_is_a_retry_after_slacks_delay_without_a_second_attempt(slack: FakeSlack) -> None:
    slack.rate_limited.append(7)
    result = await sender_for(slack).send(ALICE, REPLY)
    assert (result.outcome, result.retry_after) == ("retry", 7.0)
    assert [m for m, _ in slack.calls].count("chat.postMessage") == 1  # the dispatcher owns retries


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_json_or_html_are_retried(slack: FakeSlack, status: int) -> None:
    slack.server_errors.append(status)
    slack.html_errors.append(status)
    sender = sender_for(slack)
    users = [Address("slack", f"U{i}", f"D{i}") for i in range(3)]  # one channel would wait 1 s per message
    first, second, third = [await sender.send(user, REPLY) for user in users]
    assert first.outcome == second.outcome == "retry"
    assert str(status) in (first.error or "") and str(status) in (second.error or "")
    assert third.outcome == "sent"


async def test_a_timeout_is_retried(slack: FakeSlack) -> None:
    slack.stall = 0.5
    result = await sender_for(slack, timeout=0.1).send(ALICE, REPLY)
    assert result.outcome == "retry" and "timeout" in (result.error or "").lower()


async def test_other_errors_fail_the_message_not_the_user(slack: FakeSlack) -> None:
    long = Reply(lines=tuple((Span("x" * 2000),) for _ in range(30)))
    slack.channel_errors["D1ALICE"] = "invalid_blocks"
    result = await sender_for(slack).send(ALICE, long)
    assert (result.outcome, result.error) == ("failed", "invalid_blocks")


ICS = Reply(
    lines=((Span("📅 Your agenda (1 talks)"),),),
    attachment=Attachment("ebpf-china-my-agenda.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
)


async def test_a_pushed_ics_is_uploaded_into_the_users_dm(slack: FakeSlack) -> None:
    result = await sender_for(slack).send(ALICE, ICS)
    assert result.outcome == "sent"
    (upload,) = slack.sent("upload")
    assert ICS.attachment is not None and upload["bytes"] == ICS.attachment.content
    (url,) = slack.sent("files.getUploadURLExternal")
    assert url["filename"] == "ebpf-china-my-agenda.ics"
    (done,) = slack.sent("files.completeUploadExternal")
    assert done["channel_id"] == "D1ALICE" and "Your agenda" in done["initial_comment"]
    assert slack.sent("chat.postMessage") == []  # the file is the message: nothing is posted twice


async def test_a_pushed_ics_to_a_user_who_left_is_blocked(slack: FakeSlack) -> None:
    slack.channel_errors["D1ALICE"] = "user_not_found"
    result = await sender_for(slack).send(ALICE, ICS)
    assert (result.outcome, result.error) == ("blocked", "user_not_found")
    assert slack.sent("upload") == []


@pytest.mark.parametrize("content_type", ["text/html", "application/json", "text/plain"])
async def test_a_200_that_is_not_json_is_retried_and_the_reminder_delivered(
    slack: FakeSlack, core: Core, clock: FakeClock, content_type: str
) -> None:
    """A proxy answering 200 with a page (even one labelled JSON, or a bare "OK") is a transient error."""
    ask(core, "/subscribe 2", who=ALICE, locale="en")
    slack.non_json, slack.non_json_type = 1, content_type
    dispatcher = dispatcher_for(core, {"slack": sender_for(slack)})
    clock.set(TALK2 - timedelta(minutes=10))
    assert (await dispatcher.run_due()).total == 1
    assert slack.sent("chat.postMessage") == []  # the page was no delivery
    with core.db.session() as session:
        (row,) = session.scalars(select(OutboxMessage)).all()
        assert (row.status, row.last_error) == ("pending", "200 not a Slack API answer")
    clock.advance(120)
    await dispatcher.run_due()
    (dm,) = slack.sent("chat.postMessage")
    assert dm["channel"] == "D1ALICE" and "Starting in" in dm["text"]
