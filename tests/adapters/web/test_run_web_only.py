"""`confbot run` with the web pages and no chat platform: a configuration of its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from adapters.runner import NOTHING_CONFIGURED, preflight, serve
from bot.settings import Settings
from tests.adapters.test_runner import _free_port
from tests.adapters.web.conftest import web_core
from tests.helpers import wait_until_up


def test_nothing_at_all_still_says_what_to_set_the_web_included() -> None:
    problem = preflight(Settings(_env_file=None))  # type: ignore[call-arg]
    assert problem == NOTHING_CONFIGURED and "CONFBOT_WEB=true" in problem and "TELEGRAM_BOT_TOKEN" in problem
    assert preflight(Settings(_env_file=None, web=True)) is None  # type: ignore[call-arg]


async def test_the_web_alone_serves_the_programme_and_is_ready(tmp_path: Path) -> None:
    core = web_core(tmp_path)
    port = _free_port()
    settings = Settings(_env_file=None, web=True, http_host="127.0.0.1", http_port=port)  # type: ignore[call-arg]
    core.settings = settings
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, core, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_until_up(client, "/readyz")
            page = await client.get("/")
            assert page.status_code == 200 and 'data-testid="talk-1"' in page.text
            assert "t.me" not in (await client.get("/talks/1")).text  # no chat platform, no reminder link
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30) == 0
