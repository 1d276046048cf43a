"""Replays and redeliveries are answered once, on any replica: Slack keys are deduplicated in the database.

A signed slash command or button press stays valid for Slack's 5-minute window, and Slack redelivers
an event whose ack was late, perhaps to another replica behind the load balancer.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.adapters.slack.test_e2e import FORM, SECRET, _texts, block_action, event, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack

JSON = "application/json"


def _adapter(slack: FakeSlack, core: Core) -> SlackAdapter:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
    )
    return SlackAdapter(settings, core)


def _client(adapter: SlackAdapter) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_asgi(adapter.routes())), base_url="http://bot")


async def test_a_replayed_slash_command_is_answered_once_until_its_key_expires(
    slack: FakeSlack, core: Core, clock: FakeClock
) -> None:
    body = slash(slack, "U1REPLAY", "talk 2")  # one trigger_id
    other = slash(slack, "U1REPLAY", "talk 3")
    async with _client(_adapter(slack, core)) as client:
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        await slack.wait_for("response")
        replay = await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        assert replay.status_code == 200  # acked, so Slack doesn't retry it
        await client.post("/slack/events", content=other, headers=signed(other, content_type=FORM))
        first, second = await slack.wait_for("response", 2)
        assert "`#2`" in _texts(first) and "`#3`" in _texts(second)  # /talk 2 once, then /talk 3
        clock.advance(timedelta(minutes=10, seconds=1))  # the record of the trigger id has expired
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        answers = await slack.wait_for("response", 3)
    assert "`#2`" in _texts(answers[2])


async def test_a_replayed_button_press_runs_once(slack: FakeSlack, core: Core) -> None:
    press = block_action(slack, "U2PRESS", "sub 2")
    other = block_action(slack, "U2PRESS", "talk 3")
    async with _client(_adapter(slack, core)) as client:
        for body in (press, press, other):
            await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
        first, second = await slack.wait_for("response", 2)
    assert first["replace_original"] is True and "unsub 2" in str(first["blocks"])
    assert "`#3`" in _texts(second)


@pytest.mark.postgres
async def test_a_dm_redelivered_to_another_replica_is_answered_once(
    slack: FakeSlack, pg_db: Database, programme: Programme, clock: FakeClock, settings: Settings
) -> None:
    with pg_db.engine.connect() as conn:
        search_path = conn.exec_driver_sql("SHOW search_path").scalar()
    other_db = Database(pg_db.url, connect_args={"options": f"-csearch_path={search_path}"})
    replicas = [_adapter(slack, Core(settings, db, programme, clock)) for db in (pg_db, other_db)]
    body = event("U3TWICE", "/now")
    later = event("U3TWICE", "/next")
    try:
        async with _client(replicas[0]) as first, _client(replicas[1]) as second:
            await first.post("/slack/events", content=body, headers=signed(body, content_type=JSON))
            await slack.wait_for("chat.postMessage")
            retry = signed(body, content_type=JSON) | {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            await second.post("/slack/events", content=body, headers=retry)  # the other replica gets the retry
            await second.post("/slack/events", content=later, headers=signed(later, content_type=JSON))
            now_answer, next_answer = await slack.wait_for("chat.postMessage", 2)
    finally:
        other_db.dispose()
    assert _texts(next_answer) != _texts(now_answer)  # /now once, then /next: not /now again
