"""Slack refusing an answer (429 in a flood) is one log line naming the event, without a traceback, not
Bolt's traceback."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from tests.adapters.slack.test_e2e import event, signed
from tests.fakes.slack_api import FakeSlack


async def test_a_reply_slack_refuses_with_429_is_one_line(
    slack: FakeSlack, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    slack.rate_limited.extend([3, 3])
    for user in ("U1ANN", "U2BOB"):
        body = event(user, "/now")
        response = await client.post(
            "/slack/events", content=body, headers=signed(body, content_type="application/json")
        )
        assert response.status_code == 200
    deadline = time.monotonic() + 10
    while len([r for r in caplog.records if r.name == "adapters.slack.handlers"]) < 2:
        assert time.monotonic() < deadline, caplog.text
        await asyncio.sleep(0.05)
    refused = [r for r in caplog.records if r.name == "adapters.slack.handlers"]
    assert [re.sub(r"update \S+", "update <id>", r.getMessage()) for r in refused] == [
        "slack update <id> not answered: Slack refused the reply: 429 ratelimited"
    ] * 2
    assert all(r.getMessage().split()[2].startswith("Ev") for r in refused)  # the event id, to find it
    assert all(r.exc_info is None and r.levelname == "WARNING" for r in refused)
    assert "Traceback" not in caplog.text and "Failed to run listener" not in caplog.text
