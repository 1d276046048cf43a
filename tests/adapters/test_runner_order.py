"""confbot run starts pushing only once every platform is up, and stops pushing before they stop."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.routing import BaseRoute

import adapters.runner as runner
from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.sender import SendResult
from tests.helpers import ask


class RecordingAdapter:
    """A platform whose start, stop and sends are written to one shared log."""

    name = "console"
    rate_per_second = 100.0
    platform = "console"

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def routes(self) -> list[BaseRoute]:
        return []

    def sender(self) -> RecordingAdapter:
        return self

    async def send(self, address: Address, reply: Reply) -> SendResult:
        self.log.append("send")
        return SendResult.sent()

    async def start(self) -> None:
        await asyncio.sleep(0.05)  # a platform takes a moment to come up
        self.log.append("started")

    async def stop(self) -> None:
        self.log.append("stopped")


async def test_a_push_due_at_start_waits_for_the_platform(
    core: Core, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(core, "/subscribe 2")
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=10))  # due while the bot was down
    log: list[str] = []
    monkeypatch.setattr(runner, "build_adapters", lambda *args: [RecordingAdapter(log)])
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.serve(core.settings, core, stop))
    for _ in range(200):
        if "send" in log:
            break
        await asyncio.sleep(0.01)
    stop.set()
    assert await serving == 0
    assert log == ["started", "send", "stopped"]
