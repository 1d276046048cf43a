"""The WeChat adapter served on 127.0.0.1 (uvicorn, as confbot run serves it) beside the fake WeChat,
both on the test's fake clock; a helper to run a second replica on the same database."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from adapters.http import HttpServer, build_asgi
from adapters.wechat.adapter import WeChatAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.settings import Settings
from tests.fakes.wechat_api import FakeWeChat

ORGANIZER = "oORGANIZER"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wechat_settings(fake: FakeWeChat, *, safe_mode: bool = False) -> Settings:
    """The settings of a bot serving the fake's account."""
    return Settings(
        _env_file=None,
        organizers=[f"wechat:{ORGANIZER}"],
        WECHAT_APP_ID=fake.app_id,
        WECHAT_APP_SECRET=fake.app_secret,
        WECHAT_TOKEN=fake.token,
        WECHAT_AES_KEY=fake.encoding_aes_key if safe_mode else None,
        WECHAT_API_URL=fake.api_url,
    )  # type: ignore[call-arg]


@dataclass
class Served:
    """An adapter started and served at ``url`` (its ``/wechat``)."""

    adapter: WeChatAdapter
    server: HttpServer
    url: str

    async def stop(self) -> None:
        await self.adapter.stop()
        await self.server.stop()


async def serve(adapter: WeChatAdapter) -> Served:
    """Start ``adapter`` (token and menu) and serve its routes on a free loopback port."""
    port = _free_port()
    server = HttpServer(build_asgi(adapter.routes()), "127.0.0.1", port)
    await server.start()
    await adapter.start()
    return Served(adapter, server, f"http://127.0.0.1:{port}/wechat")


@pytest.fixture
async def wechat(clock: FakeClock) -> AsyncIterator[FakeWeChat]:
    fake = FakeWeChat(now=lambda: clock.now().timestamp())
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def make_bot(wechat: FakeWeChat) -> Callable[..., WeChatAdapter]:
    """An adapter for ``core`` (safe mode on request), pointed at the fake."""

    def make(core: Core, *, safe_mode: bool = False) -> WeChatAdapter:
        return WeChatAdapter(wechat_settings(wechat, safe_mode=safe_mode), core)

    return make


@pytest.fixture
async def bot(wechat: FakeWeChat, core: Core, make_bot: Callable[..., WeChatAdapter]) -> AsyncIterator[WeChatAdapter]:
    """The bot's adapter, started and served; the fake posts its users' messages to it."""
    served = await serve(make_bot(core))
    wechat.server_url = served.url
    yield served.adapter
    await served.stop()
