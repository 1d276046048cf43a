"""End to end: one member flooding /conf through Bolt's signed-request path."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.core import Core
from bot.storage.models import SeenDelivery
from tests.adapters.slack.test_e2e import FORM, _texts, signed, slash
from tests.fakes.slack_api import FakeSlack

SLOW_DOWN = "You're sending messages too fast. Please wait a moment: until then, messages get no answer."


def _seen(core: Core) -> int:
    with core.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(SeenDelivery)) or 0)


async def test_a_member_over_the_limit_is_told_once_and_the_rest_cost_no_database_write(
    slack: FakeSlack, core: Core, client: httpx.AsyncClient
) -> None:
    burst = core.settings.flood_burst
    for _ in range(burst + 1):
        body = slash(slack, "U1FLOOD", "now")
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    answers = await slack.wait_for("response", burst + 1)
    assert [_texts(a) for a in answers].count(SLOW_DOWN) == 1
    seen = _seen(core)  # each trigger id so far was recorded once (Slack's replays are answered once)
    for _ in range(20):  # told already: dropped before the redelivery check writes its row
        body = slash(slack, "U1FLOOD", "now")
        assert (
            await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        ).status_code == 200
    body = slash(slack, "U2CALM", "now")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    answers = await slack.wait_for("response", burst + 2)
    assert _seen(core) == seen + 1  # only the calm member's
    assert len(slack.sent("response")) == burst + 2
