"""The Telegram Mini App over HTTP: a signed initData opens the Telegram user's own page (their chat
stars), a forged or stale one is refused with nothing made, and the opening page posts the hash's data
through the app's own script."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.chat.messages import Address
from bot.core import Core
from bot.storage.models import User
from tests.adapters.telegram.test_webapp import TOKEN, USER, signed
from tests.adapters.web.conftest import web_app, web_core
from tests.helpers import ask


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = web_core(tmp_path)
    core.settings.telegram_bot_token = TOKEN
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


def _users(core: Core) -> int:
    with core.db.session() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


async def test_a_signed_init_data_opens_the_telegram_users_own_page(client: httpx.AsyncClient, core: Core) -> None:
    telegram_user = Address("telegram", str(USER["id"]), str(USER["id"]))
    ask(core, "/sub 5", who=telegram_user)  # starred in the chat before
    opened = await client.post("/webapp/session", data={"init_data": signed(at=core.clock.now())})
    assert opened.status_code == 303 and opened.headers["location"].startswith("/me/")
    page = await client.get(opened.headers["location"])
    assert 'aria-pressed="true" data-testid="star-5"' in page.text  # their own account's stars
    again = await client.post("/webapp/session", data={"init_data": signed(at=core.clock.now())})
    assert again.headers["location"] == opened.headers["location"]  # the same page each time


@pytest.mark.parametrize("case", ["forged", "stale", "other bot", "empty"])
async def test_a_forged_or_stale_init_data_is_refused_with_nothing_made(
    client: httpx.AsyncClient, core: Core, case: str
) -> None:
    now = core.clock.now()
    init_data = {
        "forged": signed(at=now).replace("hash=", "hash=0"),
        "stale": signed(at=now - timedelta(hours=2)),
        "other bot": signed(token="999:another-bot", at=now),
        "empty": "",
    }[case]
    before = _users(core)
    refused = await client.post("/webapp/session", data={"init_data": init_data})
    assert refused.status_code == 403 and "无法验证此 Telegram 登录" in refused.text
    assert _users(core) == before


async def test_the_opening_page_posts_the_launch_data_with_its_own_script(client: httpx.AsyncClient) -> None:
    page = await client.get("/webapp")
    assert '<form id="session" method="post" action="/webapp/session">' in page.text
    assert '<script src="/static/webapp.js"></script>' in page.text and "<script>" not in page.text
    script = await client.get("/static/webapp.js")
    assert script.status_code == 200 and "tgWebAppData" in script.text
    assert script.headers["content-type"].startswith("text/javascript")


async def test_a_post_with_too_many_fields_is_refused_not_a_crash(client: httpx.AsyncClient) -> None:
    body = "&".join(f"f{i}=x" for i in range(30))
    refused = await client.post(
        "/webapp/session", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert refused.status_code == 403
