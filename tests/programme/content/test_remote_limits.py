"""A schedule body larger than a schedule may be is cut off while it streams in, not read whole."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.programme.content import remote

CHUNK = b"x" * 100


async def test_a_huge_body_is_refused_after_reading_only_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "MAX_BYTES", 1_000)
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(10_000):  # 1 MB if read whole
            sent.append(len(CHUNK))
            yield CHUNK

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(remote.RemoteError) as refused:
            await remote.fetch(client, "https://schedule.example/schedule.json")
    assert "more than the 1000 bytes a schedule may have" in str(refused.value)
    assert sum(sent) <= 1_000 + len(CHUNK)  # stopped at the limit


async def test_a_body_within_the_limit_is_read_with_its_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "MAX_BYTES", 1_000)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=CHUNK * 10, headers={"ETag": '"v1"'})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        fetched = await remote.fetch(client, "https://schedule.example/schedule.json")
    assert fetched.body == CHUNK * 10 and fetched.etag == '"v1"'
