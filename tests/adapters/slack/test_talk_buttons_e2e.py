"""Listing pages (/agenda, /track, /room) keep their talk buttons within Block Kit's limits (the
buttons themselves: tests/scenarios/test_talk_buttons.py)."""

from __future__ import annotations

import httpx
import pytest

from bot.core import Core
from tests.adapters.slack.helpers import post
from tests.adapters.slack.test_e2e import slash
from tests.factories import crowded_programme
from tests.fakes.slack_api import FakeSlack


@pytest.mark.parametrize("text", ["agenda 1", "track net", "room A", "room B 3"])
async def test_crowded_pages_stay_within_block_kit_limits(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core, text: str
) -> None:
    core.replace_programme(crowded_programme())
    answer = await post(slack, client, slash(slack, "U1LIST", text))  # the fake refuses invalid blocks
    assert len(answer["blocks"]) <= 50
    labels = [e["text"]["text"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert all(len(label) <= 75 for label in labels)
