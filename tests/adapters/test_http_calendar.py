"""`confbot run` serves each user's calendar feed at an unguessable URL that /ics gives them, and a client
guessing URLs is refused past its limit."""

from __future__ import annotations

import asyncio
import re
import socket

import httpx
import pytest
from icalendar import Calendar
from prometheus_client.parser import text_string_to_metric_families

import bot.ops.metrics as metrics
from adapters.feed_guard import FeedGuard
from adapters.http import HttpServer, build_asgi, calendar_route
from adapters.runner import serve
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram
from tests.helpers import ask, wait_until_up

PUBLIC = "https://bot.example.org/confbot"
BOB = Address("console", "bob", "bob")
ALICE = Address("console", "alice", "alice")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _feed_path(core: Core, who: Address = ALICE) -> str:
    text = ask(core, "/ics", who=who, locale="en").plain_text
    found = re.search(re.escape(PUBLIC) + r"(/calendar/[A-Za-z0-9_-]{32}\.ics)", text)
    assert found, text
    return found.group(1)


def _uids(ics: bytes) -> set[str]:
    return {str(e["uid"]) for e in Calendar.from_ical(ics).walk("VEVENT")}


async def test_the_feed_serves_the_right_users_talks_and_follows_their_subscriptions(core: Core) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    port = _free_port()
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.base_url,  # type: ignore[call-arg]
        public_url=PUBLIC + "/",
        http_host="127.0.0.1",
        http_port=port,
    )
    core.settings = settings
    conf = core.programme.conference.id
    ask(core, "/subscribe 2", locale="en")
    ask(core, "/subscribe 3", who=BOB, locale="en")
    alice, bob = _feed_path(core), _feed_path(core, BOB)
    assert alice != bob and alice == _feed_path(core)  # one stable URL per user
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, core, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_until_up(client)
            mine = await client.get(alice)
            assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/calendar")
            assert _uids(mine.content) == {f"talk-2@{conf}"}
            assert b"BEGIN:VTIMEZONE" in mine.content and b"TRIGGER:-PT10M" in mine.content
            assert _uids((await client.get(bob)).content) == {f"talk-3@{conf}"}
            forged = alice[:-6] + ("A" if alice[-5] != "A" else "B") + ".ics"
            for wrong in (forged, "/calendar/.ics", "/calendar/" + "x" * 200 + ".ics", "/calendar/1.ics"):
                response = await client.get(wrong)
                assert response.status_code == 404 and b"VEVENT" not in response.content, wrong
            ask(core, "/subscribe 4", locale="en")
            ask(core, "/unsubscribe 2", locale="en")
            ask(core, "/remind 25", locale="en")
            changed = (await client.get(alice)).content
            assert _uids(changed) == {f"talk-4@{conf}"} and b"TRIGGER:-PT25M" in changed
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await telegram.stop()


def test_without_a_public_url_ics_says_the_feed_is_not_set_up(core: Core) -> None:
    ask(core, "/subscribe 2", locale="en")
    reply = ask(core, "/ics", locale="en")
    assert reply.attachment is not None and "no calendar feed set up" in reply.plain_text
    assert "/calendar/" not in reply.plain_text


def test_in_a_group_the_personal_feed_url_is_not_posted(core: Core) -> None:
    from bot.chat.messages import Request

    core.settings = Settings(_env_file=None, public_url=PUBLIC)  # type: ignore[call-arg]
    ask(core, "/subscribe 2", locale="en")
    (reply,) = core.handle(Request(Address("console", "alice", "group1"), text="/ics", locale="en", is_group=True))
    assert "/calendar/" not in reply.plain_text and "private chat" in reply.plain_text


def _misses(text: str) -> dict[str, float]:
    return {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "confbot_calendar_feed_misses"
        for sample in family.samples
        if sample.name.endswith("_total")
    }


async def test_a_client_guessing_feed_tokens_is_refused_past_its_limit_and_counted(
    core: Core, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    core.settings = Settings(_env_file=None, public_url=PUBLIC)  # type: ignore[call-arg]
    ask(core, "/subscribe 2", locale="en")
    alice = _feed_path(core)
    app = build_asgi([calendar_route(core)], metrics=(lambda: metrics.exposition(core), metrics.CONTENT_TYPE))

    def client(ip: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 5000)), base_url="http://bot")

    async with client("203.0.113.9") as guesser, client("198.51.100.7") as neighbour:
        before = _misses((await guesser.get("/metrics")).text)
        statuses = [(await guesser.get(f"/calendar/guess{n:027d}.ics")).status_code for n in range(2000)]
        assert statuses == [404] * 30 + [429] * 1970  # 30 wrong tokens, then refused without a lookup
        refused = await guesser.get(alice)  # even a right token, until the window is over
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 600
        assert (await neighbour.get(alice)).status_code == 200  # the limit is the guesser's alone
        after = _misses((await guesser.get("/metrics")).text)
        assert after.get("not_found", 0) - before.get("not_found", 0) == 30
        assert after.get("refused", 0) - before.get("refused", 0) == 1971
        lines = [r.getMessage() for r in caplog.records if r.name == "adapters.feed_guard"]
        assert lines == [
            "calendar feed: 203.0.113.9 tried 30 wrong tokens in 0 s; refused (429) until 600 s after its first"
        ]
        clock.advance(600)  # the window is over: asked again, served again
        assert (await guesser.get(alice)).status_code == 200
        assert (await guesser.get("/calendar/guess.ics")).status_code == 404


async def test_behind_a_trusted_proxy_the_limit_is_per_forwarded_client(core: Core) -> None:
    port = _free_port()
    guard = FeedGuard(2, 600, lambda: core.clock.now().timestamp())
    server = HttpServer(build_asgi([calendar_route(core, guard)]), "127.0.0.1", port, trusted_proxies="127.0.0.1")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as proxy:

            async def guess(client: str) -> int:
                response = await proxy.get("/calendar/guess.ics", headers={"X-Forwarded-For": client})
                return response.status_code

            assert [await guess("203.0.113.9") for _ in range(3)] == [404, 404, 429]
            assert await guess("198.51.100.7") == 404  # another client behind the same proxy
    finally:
        await server.stop()
