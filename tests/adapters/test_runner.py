"""`confbot run` serves Telegram and Slack at once from one process and stops cleanly."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx

from adapters.runner import configured_platforms, serve
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import FORM, SECRET, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.telegram_server import FakeTelegram


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_one_process_serves_both_platforms(core: Core) -> None:
    telegram, slack = FakeTelegram(), FakeSlack()
    await telegram.start()
    await slack.start()
    port = _free_port()
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.base_url,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        http_host="127.0.0.1",
        http_port=port,
    )
    core.settings = settings
    assert configured_platforms(settings) == ["telegram", "slack"]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, core, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 10
            while True:
                try:
                    if (await client.get("/healthz")).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "HTTP server did not come up"
                await asyncio.sleep(0.05)
            body = slash(slack, "U1BOTH", "now")
            response = await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
            assert response.status_code == 200
        telegram.push(telegram.message_update(55, "/now", lang="en"))
        (tg,) = await telegram.wait_for("sendMessage")
        (sl,) = await slack.wait_for("response")
        assert "Running now" in tg["text"] and "Running now" in str(sl["blocks"])
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await telegram.stop()
        await slack.stop()
