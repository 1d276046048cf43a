"""/slack/events refuses oversized and malformed requests cleanly: 413, 400 or 401, no effect, no traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import FORM, SECRET, _user_count, event, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack

JSON = "application/json"
TWO_MB = 2 * 1024 * 1024


def _payload(data: object) -> str:
    return "payload=" + quote(json.dumps(data))


def _press(user: object, action: object) -> str:
    """A block_actions payload with the given user and action (valid Slack sends objects)."""
    return _payload(
        {
            "type": "block_actions",
            "user": user,
            "team": {"id": "T1"},
            "channel": {"id": "DBAD"},
            "actions": [action],
            "response_url": "http://127.0.0.1:9/response",
        }
    )


# signed, well-framed HTTP whose content Slack would never send
MALFORMED = {
    "events body not JSON": ('{"type": "event_callback", "event": {', JSON),
    "payload not JSON": ("payload=%7B%22type%22%3A+%22block_actions", FORM),
    "events body a JSON list": ("[1, 2]", JSON),
    "events body a JSON string": ('"event_callback"', JSON),
    "events body a JSON number": ("42", JSON),
    "payload a JSON list": (_payload([{"type": "block_actions"}]), FORM),
    "event not an object": (json.dumps({"type": "event_callback", "event": "message"}), JSON),
    "authorizations not a list": (
        json.dumps({"type": "event_callback", "authorizations": "x", "event": {"type": "message"}}),
        JSON,
    ),
    "a DM with a numeric user": (
        json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBAD1",
                "event": {"type": "message", "channel_type": "im", "channel": "D1", "user": 5, "text": "/now"},
            }
        ),
        JSON,
    ),
    "a DM without a user": (
        json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBAD2",
                "event": {"type": "message", "channel_type": "im", "channel": "D1", "text": "/now"},
            }
        ),
        JSON,
    ),
    "a file share whose file has no id": (
        json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBAD3",
                "event": {
                    "type": "message",
                    "subtype": "file_share",
                    "channel_type": "im",
                    "channel": "D1",
                    "user": "U1",
                    "files": [{"name": "badge.jpg", "permalink": "https://x.slack.com/files/F1"}],
                },
            }
        ),
        JSON,
    ),
    "a channel message whose thread_ts is a number": (
        json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBAD4",
                "event": {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "thread_ts": 1},
            }
        ),
        JSON,
    ),
    "a button press with a numeric user id": (
        _press({"id": 5}, {"action_id": "confbot_1", "value": "sub 2"}),
        FORM,
    ),
    "a button press whose user is a string": (_press("U1", {"action_id": "confbot_1", "value": "sub 2"}), FORM),
    "a button press whose action is a number": (_press({"id": "U1"}, 7), FORM),
    "a button value that is a number": (_press({"id": "U1"}, {"action_id": "confbot_1", "value": 2}), FORM),
    "a slash command with no user": ("command=%2Fconf&text=now&channel_id=C1", FORM),
    "nested past the JSON parser's depth": ("[" * 100_000, JSON),
}


@pytest.fixture
async def client(slack: FakeSlack, core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """The Slack adapter in HTTP mode behind the shared ASGI app (default 1 MiB cap)."""
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
    )
    app = build_asgi(SlackAdapter(settings, core).routes(), max_body_bytes=settings.max_body_bytes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        yield c


@pytest.fixture
def refusals(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text


async def _answers_next(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    body = slash(slack, "U1NEXT", "now")
    response = await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
    assert response.status_code == 200
    (answer,) = await slack.wait_for("response")
    assert "Running now" in str(answer["blocks"])


async def test_malformed_signed_requests_get_400_with_no_effect(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core, refusals: pytest.LogCaptureFixture
) -> None:
    for name, (body, content_type) in MALFORMED.items():
        response = await client.post("/slack/events", content=body, headers=signed(body, content_type=content_type))
        assert response.status_code == 400, name
        assert response.json() == {"error": "bad body"}, name
    assert slack.calls == [] and await _user_count(core) == 0  # Bolt never saw them: not even auth.test
    _no_traceback(refusals)
    assert "refused (400)" in refusals.text and "/now" not in refusals.text  # a reason, never the content
    await _answers_next(slack, client)


async def test_a_body_that_is_not_utf8_gets_400(
    slack: FakeSlack, client: httpx.AsyncClient, refusals: pytest.LogCaptureFixture
) -> None:
    raw = b'{"type": "event_callback", "event": {"text": "\xff\xfe"}}'
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": JSON}
    response = await client.post("/slack/events", content=raw, headers=headers)
    assert response.status_code == 400 and slack.calls == []
    _no_traceback(refusals)
    await _answers_next(slack, client)


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", " 1700000000", "-1", "²", "١٧٠٠٠٠٠٠٠٠"])
async def test_a_timestamp_that_is_not_a_number_gets_400(
    slack: FakeSlack, client: httpx.AsyncClient, refusals: pytest.LogCaptureFixture, timestamp: str
) -> None:
    body = slash(slack, "U1TIME", "now")
    headers = [(k, v.encode()) for k, v in signed(body, content_type=FORM).items() if k != "X-Slack-Request-Timestamp"]
    headers.append(("X-Slack-Request-Timestamp", timestamp.encode()))  # as sent: bytes, any script's digits
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 400 and response.json() == {"error": "bad timestamp"}
    assert slack.calls == []
    _no_traceback(refusals)


async def test_malformed_but_forged_or_stale_is_still_401(
    slack: FakeSlack, client: httpx.AsyncClient, refusals: pytest.LogCaptureFixture
) -> None:
    stale = int(time.time()) - 6 * 60
    for body, content_type in MALFORMED.values():
        forged = signed(body, secret="wrong", content_type=content_type)
        old = signed(body, timestamp=stale, content_type=content_type)
        unsigned = {"Content-Type": content_type}
        for headers in (forged, old, unsigned):
            response = await client.post("/slack/events", content=body, headers=headers)
            assert response.status_code == 401 and response.json() == {"error": "invalid request"}
    body = event("U1FORGED", "/now")  # and a well-formed forged request, as before
    forged = await client.post("/slack/events", content=body, headers=signed(body, secret="wrong", content_type=JSON))
    assert forged.status_code == 401
    assert slack.calls == []
    _no_traceback(refusals)


class _Padded:
    """A signed DM the bot would answer, padded past the cap with a field Slack might add."""

    def __init__(self) -> None:
        data = json.loads(event("U1HUGE", "/now"))
        data["padding"] = "x" * TWO_MB
        self.body = json.dumps(data).encode()
        self.headers = signed(self.body.decode(), content_type=JSON)
        self.pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 64 * 1024):
            self.pulled += 1
            yield self.body[start : start + 64 * 1024]


async def test_a_2_mb_request_gets_413_and_is_never_read(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    padded = _Padded()
    response = await client.post(
        "/slack/events", content=padded.chunks(), headers=padded.headers | {"Content-Length": str(len(padded.body))}
    )
    assert response.status_code == 413
    assert padded.pulled == 0  # refused on its Content-Length: no byte of it was read
    assert slack.calls == []  # Bolt never ran: no auth.test, no answer
    await _answers_next(slack, client)


async def test_a_chunked_2_mb_request_gets_413_at_the_cap(slack: FakeSlack, client: httpx.AsyncClient) -> None:
    padded = _Padded()
    response = await client.post("/slack/events", content=padded.chunks(), headers=padded.headers)
    assert response.status_code == 413
    assert padded.pulled == 1024 * 1024 // (64 * 1024) + 1  # reading stopped at the first chunk past 1 MiB
    assert slack.calls == []
    await _answers_next(slack, client)
