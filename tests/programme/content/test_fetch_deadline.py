"""A schedule server that drips its body is abandoned at the overall deadline, and a redirect to
another origin is refused, by the live sync's fetch and by ``content import|check|sync``'s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.programme.content import remote
from bot.programme.content.importers import ScheduleError
from bot.programme.content.importers.fetch import FetchPolicy, get_bytes
from bot.settings import Settings

DEADLINE = FetchPolicy(seconds=0.5)


@pytest.fixture
async def drip() -> AsyncIterator[str]:
    """A server on 127.0.0.1 that promises a megabyte and sends it one byte at a time, forever."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
        try:
            while True:  # each byte comes well within any read timeout
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.02)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/schedule.json"
        server.close()


async def test_the_live_sync_abandons_a_dripping_server_at_the_deadline(drip: str) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(remote.RemoteError) as abandoned:
            await remote.fetch(client, drip, policy=DEADLINE)
    assert str(abandoned.value) == (
        f"{drip}: abandoned: no complete answer within 0.5 s (CONFBOT_SCHEDULE_FETCH_SECONDS)"
    )


async def test_an_import_abandons_a_dripping_server_at_the_deadline(drip: str) -> None:
    with pytest.raises(ScheduleError) as abandoned:
        await asyncio.to_thread(get_bytes, drip, policy=DEADLINE)  # the server runs on this loop
    assert "abandoned: no complete answer within 0.5 s (CONFBOT_SCHEDULE_FETCH_SECONDS)" in str(abandoned.value)


def _redirecting(request: httpx.Request) -> httpx.Response:
    if request.url.host == "schedule.example" and request.url.path == "/old.json":
        return httpx.Response(301, headers={"Location": "/schedule.json"})  # same origin: followed
    if request.url.host == "schedule.example":
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/schedule.json"})
    return httpx.Response(200, content=b"{}", headers={"X-Token-Seen": request.headers.get("Authorization", "")})


async def test_a_cross_origin_redirect_is_refused_by_the_live_sync() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(_redirecting)) as client:
        with pytest.raises(remote.RemoteError) as refused:
            await remote.fetch(client, "https://schedule.example/schedule.json")
        assert "redirected to another origin (https://elsewhere.example/schedule.json); not followed" in str(
            refused.value
        )
        assert "CONFBOT_SCHEDULE_CROSS_ORIGIN_REDIRECTS=true" in str(refused.value)
        allowed = await remote.fetch(
            client, "https://schedule.example/schedule.json", policy=FetchPolicy(cross_origin=True)
        )
    assert allowed.body == b"{}"


def test_an_import_follows_a_same_origin_redirect_and_refuses_another_origin() -> None:
    with httpx.Client(transport=httpx.MockTransport(_redirecting)) as client:
        with pytest.raises(ScheduleError) as refused:
            get_bytes("https://schedule.example/old.json", client=client)  # → /schedule.json → elsewhere
        assert "redirected to another origin (https://elsewhere.example/schedule.json); not followed" in str(
            refused.value
        )
        assert get_bytes("https://elsewhere.example/x.json", client=client) == b"{}"


def test_a_token_is_never_sent_to_another_origin_even_when_redirects_may_go_there() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host} {request.headers.get('Authorization', '-')}")
        return _redirecting(request)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        get_bytes("https://schedule.example/old.json", "secret", client, policy=FetchPolicy(cross_origin=True))
    assert seen == ["schedule.example Token secret", "schedule.example Token secret", "elsewhere.example -"]


def test_the_deadline_and_the_redirect_rule_are_settings() -> None:
    settings = Settings(_env_file=None, schedule_fetch_seconds=7, schedule_cross_origin_redirects=True)  # type: ignore[call-arg]
    assert settings.schedule_fetch_policy == FetchPolicy(seconds=7, cross_origin=True)
    assert Settings(_env_file=None).schedule_fetch_policy == FetchPolicy(seconds=120, cross_origin=False)  # type: ignore[call-arg]
