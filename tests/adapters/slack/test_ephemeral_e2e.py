"""Slack specifics of organizer commands (their scenarios are in tests/scenarios): `/conf` answers are
ephemeral, in Slack's mrkdwn (real Bolt, signed requests, fake Web API)."""

from __future__ import annotations

import httpx

from tests.adapters.slack.helpers import post, text_of
from tests.adapters.slack.test_e2e import slash
from tests.fakes.slack_api import FakeSlack


async def test_organizer_previews_and_refusals_are_ephemeral_mrkdwn(
    slack: FakeSlack, client: httpx.AsyncClient
) -> None:
    moved = await post(slack, client, slash(slack, "U0ORG", "move 4 2 14:30 B", channel="D0ORG"))
    assert moved["response_type"] == "ephemeral"
    typed = "broadcast platform:slack Lunch is *served* & <free>"
    shown = await post(slack, client, slash(slack, "U0ORG", typed, channel="D0ORG"))
    assert shown["response_type"] == "ephemeral"
    assert "Lunch is *served* &amp; &lt;free&gt;" in text_of(shown)  # bold stays mrkdwn, the rest escaped
    refused = await post(slack, client, slash(slack, "U5EVA", "stats", channel="D5EVA"))
    assert refused["response_type"] == "ephemeral"
    stats = await post(slack, client, slash(slack, "U0ORG", "stats", channel="D0ORG"))
    assert "*📊 Stats*" in text_of(stats)
    audit = await post(slack, client, slash(slack, "U0ORG", "audit", channel="D0ORG"))
    assert "slack:U5EVA · `/stats` → refused" in text_of(audit)  # the command as code
    opened = await post(slack, client, slash(slack, "U1ALICE", "helpdesk the room is full", channel="D1ALICE"))
    assert "Ticket #1 is open" in text_of(opened) and opened["response_type"] == "ephemeral"
    assert slack.sent("chat.postMessage") == []  # none of these is posted for others to see
