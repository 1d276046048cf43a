"""Five minutes before talk 3, the Main Hall's host marks it full: its subscriber gets one message with
the live stream and the talk starting at the same time elsewhere, once; anyone else's /full is
refused and audited, and the room shows "Full" until /full A off."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from tests.features.rooms.conftest import BEFORE, with_seats
from tests.scenarios.driver import Platform


@pytest.fixture
def programme() -> Programme:
    return with_seats()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BEFORE)


async def test_a_host_marks_the_main_hall_full_and_its_subscriber_is_told_once(platform: Platform, core: Core) -> None:
    platform.make_organizer("organizer")
    core.settings.room_hosts.append(f"A={platform.who('host')}")
    runtime = await platform.runtime()
    await platform.send("alice", "/subscribe 3")

    refused = await platform.send("eva", "/full A")
    assert refused.text == "Only conference organizers can use /full."
    marked = await platform.send("host", "/full A")
    assert "Main Hall is marked full until 11:20 (UTC+8)" in marked.text and "never again): 1" in marked.text

    for _ in range(500):
        full = [p for p in platform.posts("alice") if p.says("Main Hall is full")]
        if full:
            break
        await asyncio.sleep(0.01)
    (told,) = full
    assert "Watch it on the live stream" in told.text and "https://live.example.org/main-hall" in told.raw
    assert "Starting at the same time elsewhere:" in told.text and "#4 Hardware Accelerator for eBPF" in told.text
    assert told.actions == ["talk 4"]

    assert "never again): 0" in (await platform.send("organizer", "/full Main Hall")).text
    await runtime.dispatch_now()
    await asyncio.sleep(0.2)
    assert len([p for p in platform.posts("alice") if p.says("is full")]) == 1

    assert "📍 Main Hall · 🈵 Full" in (await platform.send("alice", "/now")).text
    assert (await platform.send("host", "/full A off")).text == "Main Hall is no longer marked full."
    assert "🈵" not in (await platform.send("alice", "/now")).text
    audit = (await platform.send("organizer", "/audit")).text
    assert (
        f"{platform.who('eva')} · /full A → refused" in audit and f"{platform.who('host')} · /full A off → ok" in audit
    )
