"""End to end on Slack: text that Slack delivers already escaped is escaped once in the preview (real
Bolt, signed requests, fake Web API). Preview, Confirm, Cancel, refusal and audiences are shared
scenarios in tests/scenarios/test_broadcast.py; the ephemeral mrkdwn preview is in test_ephemeral_e2e.py."""

from __future__ import annotations

import httpx

from tests.adapters.slack.helpers import post, text_of
from tests.adapters.slack.test_e2e import slash
from tests.fakes.slack_api import FakeSlack


async def test_the_text_arrives_escaped_by_slack_and_is_escaped_once(
    slack: FakeSlack, client: httpx.AsyncClient
) -> None:
    # what Slack sends for "Fish & chips <3, [menu](https://e.org/m?a=1&b=2)": entities and an auto-link
    typed = "broadcast platform:slack Fish &amp; chips &lt;3, [menu](<https://e.org/m?a=1&amp;b=2>)"
    shown = await post(slack, client, slash(slack, "U0ORG", typed, channel="D0ORG"))
    assert "Fish &amp; chips &lt;3, <https://e.org/m?a=1&amp;b=2|menu>" in text_of(shown)
