"""The web pages over the bundled conference, a fake clock in the middle of its first morning, and one
server per test module (``served``) for the browser tests."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette

from adapters.http import HttpServer, build_asgi, calendar_route
from adapters.telegram import TelegramAdapter
from adapters.web import web_routes
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.db import Database
from tests.adapters.telegram.conftest import telegram_settings
from tests.adapters.test_runner import _free_port
from tests.conftest import SHANGHAI
from tests.fakes.telegram_server import FakeTelegram

# 10:00 on the first day: talk #2 runs in the main hall, the break and #3 come next
MORNING = datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI)
CANCELLED = 9  # the talk the tests' programme cancels
T = TypeVar("T")


def bundled(cancelled: int | None = CANCELLED) -> Programme:
    """The bundled conference, with one talk cancelled (as /cancel leaves it)."""
    content = load_content_file(BUNDLED_CONTENT)
    talks = [t.model_copy(update={"cancelled": True}) if t.id == cancelled else t for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


def web_core(directory: Path) -> Core:
    db = Database(f"sqlite:///{directory / 'confbot.db'}")
    db.migrate()
    settings = Settings(_env_file=None, web=True)  # type: ignore[call-arg]
    return Core(settings, db, bundled(), FakeClock(MORNING))


def web_app(core: Core, usernames: dict[str, str | None] | None = None) -> Starlette:
    return build_asgi([*web_routes(core, core.settings, (lambda: usernames or {})), calendar_route(core)])


@dataclass
class Served:
    """A running server of the web pages: its base URL and its core."""

    url: str
    core: Core


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The pages on a real HTTP server (uvicorn, as confbot run serves them) in a thread of their own."""
    core = web_core(tmp_path_factory.mktemp("web"))
    port = _free_port()
    server = HttpServer(web_app(core, {"telegram": "confbot_test_bot"}), "127.0.0.1", port)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30)
    yield Served(f"http://127.0.0.1:{port}", core)
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    core.close()


class Background:
    """An event loop in a thread of its own, for servers the (sync or async) test talks to over loopback."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run ``work`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()


def serve(background: Background, app: Starlette) -> tuple[HttpServer, str]:
    """``app`` on a real server (uvicorn on 127.0.0.1, as confbot run serves it) on ``background``'s loop."""
    port = _free_port()
    server = HttpServer(app, "127.0.0.1", port)
    background.run(server.start())
    return server, f"http://127.0.0.1:{port}"


ORGANIZER = Address("console", "organizer", "organizer")


@dataclass
class Venue:
    """The bot as deployed: the web server with its room screens and the Telegram adapter, one core."""

    core: Core
    url: str
    telegram: FakeTelegram
    background: Background

    def telegram_says(self, user: int, text: str) -> None:
        """A Telegram user sends ``text``; returns once the bot answered them."""

        async def send() -> None:
            before = len(self.telegram.sent("sendMessage", chat_id=user))
            self.telegram.push(self.telegram.message_update(user, text))
            await self.telegram.wait_for("sendMessage", count=before + 1, chat_id=user)

        self.background.run(send())


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[Venue]:
    """The bot as deployed for the browser tests: its web server and the Telegram adapter on the fake Bot
    API, one core (organizer: ``ORGANIZER``)."""
    core = web_core(tmp_path)
    core.add_organizer(ORGANIZER)
    background = Background()

    async def platform() -> tuple[FakeTelegram, TelegramAdapter]:
        fake = FakeTelegram()
        await fake.start()
        adapter = TelegramAdapter(telegram_settings(fake), core)
        await adapter.start()
        return fake, adapter

    fake, adapter = background.run(platform())
    server: HttpServer
    server, url = serve(background, web_app(core))  # the routes confbot run serves, 1 s between reads
    yield Venue(core, url, fake, background)
    background.run(server.stop())
    background.run(adapter.stop())
    background.run(fake.stop())
    background.close()
    core.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (``executable_path``: Playwright downloads nothing here), one
    per test module; the module is skipped, saying why, when either is missing."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extras)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def form_token(page: httpx.Response) -> str:
    """The CSRF token the page's forms carry (every form on a page has the same one)."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def desk_core(directory: Path) -> Core:
    """A core for the desk's tests: :func:`web_core` with a public address (the /desk links name it) and
    the console organizer."""
    core = web_core(directory)
    core.settings.public_url = "https://bot.example.org"
    core.add_organizer(ORGANIZER)
    return core


@contextlib.asynccontextmanager
async def site(core: Core, headers: dict[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the web pages (in process) at the public address, with these request headers."""
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.example.org", headers=headers) as client:
        yield client
