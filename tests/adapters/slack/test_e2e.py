"""End to end: real Bolt, real signed requests in Slack's exact form, a fake Web API."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import User
from tests.fakes.slack_api import TOKEN, FakeSlack, mrkdwn_problem

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def adapter(slack: FakeSlack, core: Core) -> SlackAdapter:
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
    )
    return SlackAdapter(settings, core)


@pytest.fixture
async def client(adapter: SlackAdapter) -> AsyncIterator[httpx.AsyncClient]:
    app = build_asgi(adapter.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        yield c


def trigger_id() -> str:
    """A fresh trigger id, as Slack gives every slash command and interaction its own."""
    return f"{time.time_ns()}.1.{uuid.uuid4().hex[:16]}"


def signed(body: str, *, secret: str = SECRET, timestamp: int | None = None, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


def slash(slack: FakeSlack, user: str, text: str, channel: str = "C0GENERAL") -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "confbot-test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/conf",
            "text": text,
            "api_app_id": "A1",
            "response_url": slack.response_url(),
            "trigger_id": trigger_id(),
        }
    )


def event_callback(message: dict[str, Any]) -> str:
    """The Events API envelope around one event."""
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": message,
        }
    )


def event(user: str, text: str) -> str:
    """A DM from ``user``."""
    message = {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user, "text": text}
    return event_callback(message | {"ts": f"{time.time():.6f}"})


def block_action(slack: FakeSlack, user: str, value: str) -> str:
    return urlencode({"payload": json.dumps(_action_payload(slack, user, value))})


def day_choice(slack: FakeSlack, user: str, value: str) -> str:
    """A choice in the day picker: a static_select action carries the value in selected_option."""
    payload = _action_payload(slack, user, value)
    payload["actions"] = [
        {
            "action_id": "confbot_day_1",
            "block_id": "b2",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "Day 2"}, "value": value},
            "placeholder": {"type": "plain_text", "text": "Pick a day"},
            "action_ts": "1.0",
        }
    ]
    return urlencode({"payload": json.dumps(payload)})


def home_press(user: str, value: str) -> str:
    """A button pressed in the App Home: a view, no channel, no response_url."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "name": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "team": {"id": "T1", "domain": "confbot-test"},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": trigger_id(),
        "view": {"id": "V1", "type": "home", "blocks": [], "state": {"values": {}}},
        "actions": [
            {
                "action_id": "confbot_1",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def _action_payload(slack: FakeSlack, user: str, value: str) -> dict:  # type: ignore[type-arg]
    return {
        "type": "block_actions",
        "user": {"id": user, "name": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "team": {"id": "T1", "domain": "confbot-test"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "D" + user[1:], "is_ephemeral": False},
        "channel": {"id": "D" + user[1:], "name": "directmessage"},
        "trigger_id": trigger_id(),
        "response_url": slack.response_url(),
        "actions": [
            {
                "action_id": "confbot_1",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


FORM = "application/x-www-form-urlencoded"


def _texts(call: dict) -> str:  # type: ignore[type-arg]
    return "\n".join((b.get("text") or {}).get("text", "") for b in call.get("blocks") or [])


def _values(call: dict) -> list[str]:  # type: ignore[type-arg]
    return [e.get("value") for b in call.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def _start(core: Core, talk_id: int) -> datetime:
    talk = core.programme.talk(talk_id)
    assert talk is not None and talk.start is not None
    return talk.start


async def _user_count(core: Core) -> int:
    with core.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(User)) or 0)


async def test_slash_command_is_acked_before_the_answer_and_answered_ephemerally(
    slack: FakeSlack, client: httpx.AsyncClient
) -> None:
    slack.hold_responses = asyncio.Event()  # the answer cannot get through until we say so
    body = slash(slack, "U1ALICE", "talk 2")
    post = client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    response = await asyncio.wait_for(post, 10)  # would hang if the ack waited for the answer
    assert response.status_code == 200 and response.text == ""  # Slack's empty ack: no "failed with the error"
    assert slack.sent("response") == []
    slack.hold_responses.set()
    (answer,) = await slack.wait_for("response")
    assert answer["response_type"] == "ephemeral"
    assert "*XDP &lt;fast&gt; &amp; furious*" in _texts(answer)  # escaped mrkdwn, English from the locale
    assert _values(answer) == ["sub 2", "parallel 2", "ask 2"]


async def test_chinese_locale_and_search_and_help(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    slack.locales["U2BOB"] = "zh-CN"
    for text in ("agenda", "xdp", ""):
        body = slash(slack, "U2BOB", text)
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    answers = [_texts(a) for a in await slack.wait_for("response", 3)]  # posted as each is ready, in any order
    assert any("第1天" in a for a in answers)
    assert any("XDP" in a for a in answers)
    assert any("/agenda" in a and "可用命令" in a for a in answers)


async def test_forged_signature_and_replayed_request_get_401_and_do_nothing(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core
) -> None:
    body = slash(slack, "U3EVE", "subscribe 2")
    forged = await client.post("/slack/events", content=body, headers=signed(body, secret="wrong", content_type=FORM))
    old = await client.post(
        "/slack/events", content=body, headers=signed(body, timestamp=int(time.time()) - 6 * 60, content_type=FORM)
    )
    unsigned = await client.post("/slack/events", content=body, headers={"Content-Type": FORM})
    assert forged.status_code == old.status_code == unsigned.status_code == 401
    assert await _user_count(core) == 0
    assert slack.calls == []  # not even auth.test


async def test_url_verification_and_dm(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    challenge = json.dumps({"token": "legacy", "challenge": "abc123", "type": "url_verification"})
    response = await client.post(
        "/slack/events", content=challenge, headers=signed(challenge, content_type="application/json")
    )
    assert response.json()["challenge"] == "abc123"
    body = event("U4DAN", "陈莉君")
    await client.post("/slack/events", content=body, headers=signed(body, content_type="application/json"))
    (message,) = await slack.wait_for("chat.postMessage")
    assert message["channel"] == "D4DAN" and "陈莉君" in _texts(message)


async def test_subscribe_button_updates_message_and_home_then_reminder_dm(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core, clock: FakeClock
) -> None:
    body = block_action(slack, "U5EVA", "sub 2")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    (update,) = await slack.wait_for("response")
    assert update["replace_original"] is True and _values(update)[0] == "unsub 2"
    (home,) = await slack.wait_for("views.publish")
    assert home["user_id"] == "U5EVA" and "#2" in _texts({"blocks": home["view"]["blocks"]})
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        clock.set(_start(core, 2) - timedelta(minutes=10))
        slack.rate_limited.append(2)  # a 429 first: Retry-After is honoured
        await runtime.dispatch_now()
        assert slack.sent("chat.postMessage") == []
        clock.advance(2)
        await runtime.dispatch_now()
        (dm,) = slack.sent("chat.postMessage")
        assert dm["channel"] == "D5EVA" and "Starting in 10 minutes" in _texts(dm)
        assert "unsub 2" in _values(dm)
    finally:
        await runtime.stop()


async def test_permanent_slack_errors_deactivate_the_user(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core, clock: FakeClock
) -> None:
    body = slash(slack, "U6GONE", "subscribe 3")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    await slack.wait_for("response")
    slack.channel_errors["U6GONE"] = "account_inactive"
    runtime = Runtime(core, {"slack": adapter.sender()}, periodic=False)
    await runtime.start()
    try:
        clock.set(_start(core, 3) - timedelta(minutes=10))
        await runtime.dispatch_now()
    finally:
        await runtime.stop()
    with core.db.session() as s:
        user = s.scalar(select(User).where(User.platform_user_id == "U6GONE"))
        assert user is not None and user.active is False


async def test_app_home_opened_publishes_agenda_now_and_ics(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev1",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": "U7HOME", "channel": "D7HOME", "tab": "home"},
        }
    )
    await client.post("/slack/events", content=body, headers=signed(body, content_type="application/json"))
    (home,) = await slack.wait_for("views.publish")
    blocks = home["view"]["blocks"]
    assert home["view"]["type"] == "home" and "ics" in _values({"blocks": blocks})
    assert "Your agenda" in _texts({"blocks": blocks}) and "Running now" in _texts({"blocks": blocks})
    ics = block_action(slack, "U7HOME", "ics")
    await client.post("/slack/events", content=ics, headers=signed(ics, content_type=FORM))
    await slack.wait_for("response")  # no talks starred yet: told how to star one


async def test_ics_is_uploaded_as_a_file(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    for text in ("subscribe 2", "ics"):
        body = slash(slack, "U8CAL", text)
        await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    (done,) = await slack.wait_for("files.completeUploadExternal")
    (upload,) = slack.sent("upload")
    assert b"BEGIN:VCALENDAR" in upload["bytes"] and b"talk-2@testconf" in upload["bytes"]
    assert done["channel_id"] == "D8CAL"  # into the user's DM, not the channel /conf was typed in
    answers = await slack.wait_for("response", 2)
    assert "in your direct messages" in _texts(answers[-1])


async def test_long_agenda_stays_within_block_kit_limits(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core
) -> None:
    from bot.programme.content.loader import load_content
    from bot.settings import BUNDLED_CONTENT

    core.replace_programme(load_content(BUNDLED_CONTENT))
    body = slash(slack, "U9LONG", "agenda")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    (answer,) = await slack.wait_for("response")
    assert len(answer["blocks"]) <= 50
    assert all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in answer["blocks"])
    assert all(mrkdwn_problem((b.get("text") or {}).get("text", "")) is None for b in answer["blocks"])


async def test_day_picker_choice_replaces_the_agenda(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    body = day_choice(slack, "U10DAY", "agenda 2")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    (update,) = await slack.wait_for("response")
    assert update["replace_original"] is True
    assert "Day 2 ·" in _texts(update) and "#4" in _texts(update) and "Day 1 ·" not in _texts(update)


async def test_unsubscribe_in_the_home_tab_refreshes_the_home_without_a_dm(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core
) -> None:
    body = slash(slack, "U11HOME", "subscribe 2")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    (home_after_sub,) = await slack.wait_for("views.publish")
    assert "unsub 2" in _values({"blocks": home_after_sub["view"]["blocks"]})
    press = home_press("U11HOME", "unsub 2")
    await client.post("/slack/events", content=press, headers=signed(press, content_type=FORM))
    homes = await slack.wait_for("views.publish", 2)
    assert "unsub 2" not in _values({"blocks": homes[-1]["view"]["blocks"]})
    assert slack.sent("chat.postMessage") == []  # the Home itself is the update


async def test_the_slack_display_name_is_stored(slack: FakeSlack, client: httpx.AsyncClient, core: Core) -> None:
    slack.names["U12NAME"] = "莉君"
    body = slash(slack, "U12NAME", "now")
    await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    await slack.wait_for("response")
    with core.db.session() as s:
        user = s.scalar(select(User).where(User.platform_user_id == "U12NAME"))
        assert user is not None and user.display_name == "莉君" and user.language == "en"


async def test_a_dm_subscription_by_alias_and_a_language_change_refresh_the_home(
    slack: FakeSlack, client: httpx.AsyncClient
) -> None:
    for count, text in enumerate(("/star 2", "/lang zh"), 1):
        body = event("U13ALIAS", text)
        await client.post("/slack/events", content=body, headers=signed(body, content_type="application/json"))
        await slack.wait_for("views.publish", count)
    first, second = slack.sent("views.publish")
    assert "unsub 2" in _values({"blocks": first["view"]["blocks"]})
    assert "Your agenda" in _texts({"blocks": first["view"]["blocks"]})
    assert "我的日程" in _texts({"blocks": second["view"]["blocks"]})


async def test_a_redelivered_dm_is_answered_once(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    body = event("U14TWICE", "/now")
    for retry in ("", "1"):
        headers = signed(body, content_type="application/json")
        if retry:
            headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        await client.post("/slack/events", content=body, headers=headers)
    await slack.wait_for("chat.postMessage")
    second = event("U14TWICE", "/next")
    await client.post("/slack/events", content=second, headers=signed(second, content_type="application/json"))
    messages = await slack.wait_for("chat.postMessage", 2)
    assert _texts(messages[1]) != _texts(messages[0])  # /now once, then /next: not /now again
