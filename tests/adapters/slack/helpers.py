"""Reading what the bot posted to the fake Slack, and posting signed requests that expect an answer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.adapters.slack.test_e2e import FORM, signed
from tests.fakes.slack_api import FakeSlack


def text_of(call: dict[str, Any]) -> str:
    """The mrkdwn text of a posted message's blocks."""
    return "\n".join((b.get("text") or {}).get("text", "") for b in call.get("blocks") or [])


def values_of(call: dict[str, Any]) -> list[str]:
    """The button values (core actions) of a posted message."""
    return [e.get("value") for b in call.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def post(slack: FakeSlack, client: httpx.AsyncClient, body: str) -> dict[str, Any]:
    """Post a signed form body and return the answer the bot sent to its response_url."""
    before = len(slack.sent("response"))
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    return (await slack.wait_for("response", before + 1))[before]
