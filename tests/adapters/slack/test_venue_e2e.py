"""/conf venue on Slack: a link to the place on a map (Slack has no map pin). (The notes themselves:
tests/scenarios/test_venue.py.)"""

from __future__ import annotations

import httpx

from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.adapters.slack.helpers import post, text_of
from tests.adapters.slack.test_e2e import slash
from tests.fakes.slack_api import FakeSlack

BUNDLED = load_content(BUNDLED_CONTENT)


async def test_venue_has_a_map_link_to_the_coordinates(slack: FakeSlack, client: httpx.AsyncClient, core: Core) -> None:
    core.replace_programme(BUNDLED)
    venue = BUNDLED.conference.venue
    assert venue is not None
    answer = text_of(await post(slack, client, slash(slack, "U0VENUE", "venue")))
    assert f"mlat={venue.latitude:.6f}&amp;mlon={venue.longitude:.6f}" in answer  # mrkdwn-escaped URL
    assert "<https://www.openstreetmap.org/" in answer and "|Open the map>" in answer  # the fake user reads English
