"""Listing pages (/agenda, /track, /room) carry a button per talk, within Block Kit's limits."""

from __future__ import annotations

import httpx
import pytest

from bot.core import Core
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import slash
from tests.factories import crowded_programme
from tests.fakes.slack_api import FakeSlack


@pytest.mark.parametrize("text", ["agenda 1", "track net", "room A", "room B 3"])
async def test_crowded_pages_get_talk_buttons_the_fake_accepts(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core, text: str
) -> None:
    core.replace_programme(crowded_programme())
    answer = await post(slack, client, slash(slack, "U1LIST", text))  # the fake refuses invalid blocks
    opening = [v for v in values_of(answer) if v.startswith("talk ")]
    assert len(opening) >= 10 and len(answer["blocks"]) <= 50
    assert all(f"#{v.split()[1]}" in text_of(answer) for v in opening)
    labels = [e["text"]["text"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert all(len(label) <= 75 for label in labels) and any(label.endswith("…") for label in labels)
