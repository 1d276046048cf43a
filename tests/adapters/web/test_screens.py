"""The room screen over HTTP: the page in the bundled conference's morning, and its server-sent events on a
real server (uvicorn on loopback) as people ask and vote in a chat, on another replica, and as an
organizer changes the schedule; the cap on open streams, heartbeats, and streams that end with the
server or the client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from adapters.http import HttpServer, build_asgi
from adapters.web import SECURITY_HEADERS, WebPages, web_routes
from adapters.web.screens import RoomScreens
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.settings import Settings
from bot.storage.db import Database
from tests.adapters.web.conftest import MORNING, Background, bundled, serve, web_app, web_core
from tests.helpers import actions, ask, press

MAIN_HALL = "A"  # where talk 2 runs at MORNING (09:40-10:20), then the coffee break and talk 3
ORGANIZER = Address("console", "organizer", "organizer")


def on_telegram(n: int) -> Address:
    return Address("telegram", f"u{n}", f"u{n}")


def asks(core: Core, who: int, text: str) -> None:
    (reply,) = core.handle(Request(on_telegram(who), text=text))
    assert "#2" in reply.plain_text or "#3" in reply.plain_text, reply.plain_text


def questions_of(html: str) -> list[str]:
    """The questions a screen shows, in order, as "votes text"."""
    items = re.findall(r'<li data-testid="question"[^>]*>(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def vote_id(core: Core, text: str) -> int:
    screen = core.web_room_screen(MAIN_HALL, "en")
    assert screen is not None
    return next(q.id for q in screen.questions if q.text == text)


def confirmed(core: Core, command: str) -> None:
    """An organizer's schedule change, previewed then confirmed (as in the chat)."""
    preview = ask(core, command, who=ORGANIZER, locale="en")
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(seconds=5))  # an organizer reads the preview before pressing
    press(core, next(a for a in actions(preview) if a.startswith("confirm ")), who=ORGANIZER, locale="en")


# --- the page ---


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = web_core(tmp_path)
    core.add_organizer(ORGANIZER)
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


async def test_the_main_hall_screen_shows_the_talk_on_next_and_the_questions_by_votes(
    client: httpx.AsyncClient, core: Core
) -> None:
    asks(core, 1, "/ask 2 Does XDP run on ARM boards?")
    asks(core, 2, "/ask 2 How big is the verifier now?")
    for voter in (3, 4):
        press(core, f"vote {vote_id(core, 'How big is the verifier now?')}", who=on_telegram(voter))

    page = await client.get(f"/rooms/{MAIN_HALL}/screen")
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text and "<h1>主会场</h1>" in page.text
    now = page.text.split('data-testid="screen-now"')[1].split('data-testid="screen-next"')[0]
    assert "#2" in now and "距结束" in now
    ends = int(re.findall(r'data-until="(\d+)"', now)[0]) / 1000
    assert ends == MORNING.replace(minute=20).timestamp()  # talk 2 ends at 10:20
    upcoming = page.text.split('data-testid="screen-next"')[1].split("</section>")[0]
    assert "#3" in upcoming
    assert questions_of(page.text) == ["👍 2 How big is the verifier now?", "👍 0 Does XDP run on ARM boards?"]
    assert 'data-testid="qr"' in page.text and "<svg" in page.text and "bot.test/talks/2" in page.text
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/screen.js" defer>']  # nothing inline

    english = await client.get(f"/rooms/{MAIN_HALL}/screen?lang=en")
    assert '<html lang="en">' in english.text and "<h1>Main Hall</h1>" in english.text and "Ends in" in english.text
    script = await client.get("/static/screen.js")
    assert script.status_code == 200 and "EventSource" in script.text
    assert script.headers["content-type"].startswith("text/javascript")


async def test_an_unknown_room_is_the_404_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/rooms/nowhere/screen?lang=en")
    assert page.status_code == 404 and 'data-testid="missing"' in page.text
    assert (await client.get("/rooms/nowhere/events")).status_code == 404


async def test_the_qr_code_names_the_public_address_when_there_is_one(core: Core) -> None:
    settings = Settings(_env_file=None, web=True, public_url="https://bot.example.org/")  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=build_asgi(web_routes(core, settings)))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8080") as client:
        page = await client.get(f"/rooms/{MAIN_HALL}/screen")
    assert "bot.example.org/talks/2" in page.text and "10.0.0.5" not in page.text


# --- live: a real server ---


@dataclass
class Live:
    core: Core
    screens: RoomScreens
    server: HttpServer
    url: str
    background: Background


@pytest.fixture
def live(core: Core) -> Iterator[Live]:
    background = Background()
    pages = WebPages(core, core.settings)
    screens = RoomScreens(pages, SECURITY_HEADERS, interval=0.05, max_streams=3, heartbeat=0.3)
    app = build_asgi(pages.routes() + screens.routes())
    server, url = serve(background, app)
    yield Live(core, screens, server, url, background)
    background.run(server.stop())
    background.close()
    core.close()


class Stream:
    """One open event stream, read line by line with a bound on every wait."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def line(self, timeout: float = 5.0) -> str:
        return await asyncio.wait_for(anext(self.lines), timeout)

    async def event(self, timeout: float = 5.0) -> str:
        """The next screen the server sends (its HTML), past the heartbeats."""
        deadline = time.monotonic() + timeout
        data: list[str] = []
        while True:
            line = await self.line(max(0.01, deadline - time.monotonic()))
            if line.startswith("data: "):
                data.append(line.removeprefix("data: "))
            elif not line and data:
                html: str = json.loads("\n".join(data))["html"]
                return html

    async def until(self, shows: Callable[[str], bool], timeout: float = 5.0) -> str:
        """The first screen sent that ``shows`` what is awaited (a poll may catch a change half made)."""
        deadline = time.monotonic() + timeout
        while True:
            html = await self.event(max(0.01, deadline - time.monotonic()))
            if shows(html):
                return html


@pytest.fixture
async def open_stream(live: Live) -> AsyncIterator[Callable[..., object]]:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as client, contextlib.AsyncExitStack() as stack:

        async def opened(path: str = f"/rooms/{MAIN_HALL}/events") -> Stream | httpx.Response:
            response = await stack.enter_async_context(client.stream("GET", path))
            return Stream(response) if response.status_code == 200 else response

        yield opened


async def test_a_question_asked_and_votes_reach_an_open_screen_without_a_reload(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream()
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    first = await stream.event()
    assert "还没有提问" in first and questions_of(first) == []

    asks(live.core, 1, "/ask 2 Will it run on RISC-V?")
    shown = await stream.until(lambda html: bool(questions_of(html)))
    assert questions_of(shown) == ["👍 0 Will it run on RISC-V?"]

    asks(live.core, 2, "/ask 2 Is BTF everywhere yet?")
    press(live.core, f"vote {vote_id(live.core, 'Is BTF everywhere yet?')}", who=on_telegram(3))
    shown = await stream.until(lambda html: questions_of(html)[:1] == ["👍 1 Is BTF everywhere yet?"])
    assert questions_of(shown) == ["👍 1 Is BTF everywhere yet?", "👍 0 Will it run on RISC-V?"]


async def test_a_question_asked_on_another_replica_reaches_the_screen(live: Live, open_stream, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream()
    await stream.event()
    other = Core(live.core.settings, Database(f"sqlite:///{tmp_path / 'confbot.db'}"), bundled(), FakeClock(MORNING))
    try:
        asks(other, 7, "/ask 2 Asked on the other replica")
        shown = await stream.until(lambda html: bool(questions_of(html)))
    finally:
        other.close()
    assert questions_of(shown) == ["👍 0 Asked on the other replica"]


async def test_a_cancelled_talk_leaves_the_open_screen(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream(f"/rooms/{MAIN_HALL}/events?lang=en")
    assert "#2" in (await stream.event()).split('data-testid="screen-next"')[0]
    confirmed(live.core, "/cancel 2 force")
    shown = await stream.until(lambda html: "#2" not in html.split('data-testid="screen-next"')[0])
    assert "Nothing on in this room right now." in shown and "Starts in" in shown


async def test_a_moved_talk_says_so_on_the_open_screen(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream(f"/rooms/{MAIN_HALL}/events?lang=en")
    await stream.event()
    confirmed(live.core, "/move 3 10:30")
    shown = await stream.until(lambda html: "moved from" in html)
    upcoming = shown.split('data-testid="screen-next"')[1]
    assert "#3" in upcoming and "moved from 10:40" in upcoming


async def test_a_quiet_screen_gets_heartbeats_and_no_repeated_state(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream()
    await stream.event()
    seen = [await stream.line(2) for _ in range(4)]  # 0.3 s heartbeats; the room is read every 0.05 s
    assert seen == [": keepalive", "", ": keepalive", ""]


async def test_streams_over_the_cap_get_503_until_one_closes(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    streams = [await open_stream() for _ in range(3)]
    for stream in streams:
        await stream.event()
    refused = await open_stream()
    assert isinstance(refused, httpx.Response) and refused.status_code == 503
    assert "too many room screens" in (await refused.aread()).decode()
    await streams[0].response.aclose()
    await wait_for(lambda: live.screens.streams == 2)
    again = await open_stream()
    assert isinstance(again, Stream) and "主会场" in await again.event()


async def test_a_screen_that_goes_away_stops_its_rooms_poller(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    stream = await open_stream()
    await stream.event()
    assert live.screens.watched == {MAIN_HALL}
    await stream.response.aclose()
    await wait_for(lambda: live.screens.streams == 0 and live.screens.watched == set())


async def test_the_server_stops_promptly_with_screens_open(live: Live, open_stream) -> None:  # type: ignore[no-untyped-def]
    streams = [await open_stream() for _ in range(2)]
    for stream in streams:
        await stream.event()
    started = time.monotonic()
    await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(live.server.stop(), live.background.loop))
    assert time.monotonic() - started < 3
    for stream in streams:  # each stream ended: no more lines
        with pytest.raises(StopAsyncIteration):
            while True:
                await stream.line(2)
    await wait_for(lambda: live.screens.streams == 0 and live.screens.watched == set())


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within 5 s"
        await asyncio.sleep(0.02)
