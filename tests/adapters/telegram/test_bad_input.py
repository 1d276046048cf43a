"""/telegram/webhook refuses oversized and malformed updates cleanly: 413, 400 or 403, no effect, no traceback."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from adapters.http import build_asgi
from adapters.telegram import TelegramAdapter
from bot.core import Core
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

ALICE = 1001
SECRET = "X-Telegram-Bot-Api-Secret-Token"
SIGNED = {SECRET: "s3cret"}
TWO_MB = 2 * 1024 * 1024


@pytest.fixture
async def client(fake_telegram: FakeTelegram, core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """The webhook adapter, started against the fake, behind the shared ASGI app."""
    settings = telegram_settings(
        fake_telegram, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET="s3cret"
    )
    adapter = TelegramAdapter(settings, core)
    await adapter.start()
    try:
        app = build_asgi(adapter.routes(), max_body_bytes=settings.max_body_bytes)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
            yield c
    finally:
        await adapter.stop()


def _changed(fake: FakeTelegram, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """A valid /now update with one change made to it."""
    update = copy.deepcopy(fake.message_update(ALICE, "/now", lang="en"))
    change(update)
    return update


def _malformed(fake: FakeTelegram) -> dict[str, object]:
    """JSON Telegram would never send as an update; each would otherwise be a 500 or reach the handlers."""
    good = fake.message_update(ALICE, "/now", lang="en")
    user = good["message"]["from"]
    return {
        "a list": [good],
        "a string": "update",
        "a number": 42,
        "an empty object": {},
        "no update_id": {"message": good["message"]},
        "a string update_id": _changed(fake, lambda u: u.update(update_id="7")),
        "a boolean update_id": _changed(fake, lambda u: u.update(update_id=True)),
        "a message that is a string": _changed(fake, lambda u: u.update(message="/now")),
        "a message that is a list": _changed(fake, lambda u: u.update(message=[u["message"]])),
        "a chat that is a string": _changed(fake, lambda u: u["message"].update(chat="private")),
        "a chat id that is a string": _changed(fake, lambda u: u["message"]["chat"].update(id="abc")),
        "a sender id that is a string": _changed(fake, lambda u: u["message"]["from"].update(id="1001")),
        "text that is a number": _changed(fake, lambda u: u["message"].update(text=5)),
        "a date that is a string": _changed(fake, lambda u: u["message"].update(date="today")),
        "a date past the year 9999": _changed(fake, lambda u: u["message"].update(date=10**15)),
        "entities that are a string": _changed(fake, lambda u: u["message"].update(entities="bot_command")),
        "a photo that is an object": _changed(fake, lambda u: u["message"].update(photo={"file_id": "x"})),
        "a photo size whose file_id is a number": _changed(
            fake, lambda u: u["message"].update(photo=[{"file_id": 5, "file_unique_id": "u", "width": 1, "height": 1}])
        ),
        "a document without a file_id": _changed(fake, lambda u: u["message"].update(document={"file_unique_id": "u"})),
        "a button press that is a string": {"update_id": 9, "callback_query": "sub 2"},
        "button data that is a number": {
            "update_id": 9,
            "callback_query": {"id": "1", "from": user, "chat_instance": "1", "data": 2},
        },
        "an inline query that is a number": {
            "update_id": 9,
            "inline_query": {"id": "1", "from": user, "query": 5, "offset": ""},
        },
    }


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def _answers_next(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    ok = await client.post("/telegram/webhook", json=fake.message_update(ALICE, "/now", lang="en"), headers=SIGNED)
    assert ok.status_code == 200
    (answer,) = fake.sent("sendMessage")
    assert "Running now" in answer["text"]


async def test_json_that_is_not_an_update_gets_400_with_no_effect(
    fake_telegram: FakeTelegram, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name, data in _malformed(fake_telegram).items():
        response = await client.post("/telegram/webhook", json=data, headers=SIGNED)
        assert response.status_code == 400, name
        assert response.json() == {"ok": False, "error": "not an update"}, name
    for raw in (b"{not json", b"\xff\xfe{}", b"[" * 100_000):
        response = await client.post("/telegram/webhook", content=raw, headers=SIGNED)
        assert response.status_code == 400 and response.json()["error"] == "bad json"
    assert fake_telegram.sent("sendMessage") == fake_telegram.sent("answerCallbackQuery") == []
    _no_traceback(caplog)
    assert "refused an update (400)" in caplog.text and "/now" not in caplog.text  # a reason, never the content
    await _answers_next(fake_telegram, client)


async def test_a_wrong_secret_is_still_403_whatever_the_body(
    fake_telegram: FakeTelegram, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    for data in _malformed(fake_telegram).values():
        response = await client.post("/telegram/webhook", json=data, headers={SECRET: "nope"})
        assert response.status_code == 403
    assert (await client.post("/telegram/webhook", content=b"{not json")).status_code == 403
    _no_traceback(caplog)
    await _answers_next(fake_telegram, client)


class _Padded:
    """A signed update the bot would answer, padded past the cap with a field Telegram might add."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.body = json.dumps(fake.message_update(ALICE, "/now", lang="en") | {"padding": "x" * TWO_MB}).encode()
        self.pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 64 * 1024):
            self.pulled += 1
            yield self.body[start : start + 64 * 1024]


async def test_a_2_mb_update_gets_413_and_is_never_read(fake_telegram: FakeTelegram, client: httpx.AsyncClient) -> None:
    padded = _Padded(fake_telegram)
    headers = SIGNED | {"Content-Length": str(len(padded.body)), "Content-Type": "application/json"}
    response = await client.post("/telegram/webhook", content=padded.chunks(), headers=headers)
    assert response.status_code == 413
    assert padded.pulled == 0  # refused on its Content-Length: no byte of it was read
    assert fake_telegram.sent("sendMessage") == []
    await _answers_next(fake_telegram, client)


async def test_a_chunked_2_mb_update_gets_413_at_the_cap(
    fake_telegram: FakeTelegram, client: httpx.AsyncClient
) -> None:
    padded = _Padded(fake_telegram)
    response = await client.post("/telegram/webhook", content=padded.chunks(), headers=SIGNED)
    assert response.status_code == 413
    assert padded.pulled == 1024 * 1024 // (64 * 1024) + 1  # reading stopped at the first chunk past 1 MiB
    assert fake_telegram.sent("sendMessage") == []
    await _answers_next(fake_telegram, client)
