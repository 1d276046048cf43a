"""A sender's global limiter: at most N sends in any rolling window, in flight included, its share of
the bot-wide rate, slots back for messages the platform did not send. Driven by a fake clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from adapters.shared_rate import SharedLimiter
from adapters.slack.sender import SlackSender
from adapters.telegram.sender import TelegramSender
from bot.chat.messages import Address, ReplyBuilder
from bot.delivery.sender import SharesRate
from tests.fakes.slack_api import TOKEN, FakeSlack


class FakeTime:
    """A monotonic clock and a ``sleep`` that only time advanced by the test ends."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, delay), next(self._order), future))
        await future

    async def settle(self) -> None:
        for _ in range(20):  # let every woken task run until it waits again
            await asyncio.sleep(0)

    async def run_until(self, until: float, step: float = 0.002, done: asyncio.Future[object] | None = None) -> None:
        """Advance to ``until`` (or until ``done``) in ``step``s, firing due timers, letting the tasks run."""
        await self.settle()
        while self.now < until - 1e-12 and not (done and done.done()):
            self.now = round(min(until, self.now + step), 9)
            while self._timers and self._timers[0][0] <= self.now + 1e-12:
                future = heapq.heappop(self._timers)[2]
                if not future.done():
                    future.set_result(None)
            await self.settle()


def _limiter(clock: FakeTime, rate: float) -> SharedLimiter:
    return SharedLimiter(rate, clock=clock, sleep=clock.sleep)


async def _send_all(limiter: SharedLimiter, clock: FakeTime, count: int, hold: float = 0.0) -> list[float]:
    """Start ``count`` sends at once, each in flight for ``hold`` s; the times they got their slots."""
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            starts.append(clock.now)
            if hold:
                await clock.sleep(hold)

    everyone = asyncio.gather(*(one() for _ in range(count)))
    await clock.run_until(clock.now + 10, done=everyone)
    await everyone
    return starts


def _busiest(starts: list[float], window: float) -> int:
    """The most sends started within any ``window`` seconds."""
    return max(sum(1 for t in starts if s <= t < s + window) for s in starts)


async def test_never_more_than_the_rate_in_any_rolling_second_and_no_slower() -> None:
    clock = FakeTime()
    starts = await _send_all(_limiter(clock, 100), clock, 250)
    assert _busiest(starts, 1.0) == 100  # the whole second's worth, never one more
    assert starts[99] == 0 and 1.0 <= starts[100] <= 1.01  # the next as soon as the first ages out
    assert starts[-1] <= 2.01  # 250 at 100/s: two windows, no slot lost


async def test_a_send_in_flight_holds_its_slot_past_the_window() -> None:
    clock = FakeTime()
    starts = await _send_all(_limiter(clock, 2), clock, 3, hold=1.5)
    assert starts == [0, 0, 2.5]  # a window after the first answer came, not after the first send


async def test_a_message_the_platform_did_not_send_gives_its_slot_back_a_bounded_number_of_times() -> None:
    clock = FakeTime()
    limiter = _limiter(clock, 100)  # up to 5 % of a window's slots come back: 5 per window
    for _ in range(100):
        async with limiter.slot() as slot:
            slot.not_sent()  # a 5xx
    assert limiter.in_use() == 95  # 5 came back, the other 95 count: an erroring API is not hammered
    async with limiter.slot():
        pass  # a 429 or a delivery keeps its slot
    assert limiter.in_use() == 96
    await clock.run_until(1.0)
    assert limiter.in_use() == 0


async def test_a_lowered_share_holds_at_once_recent_sends_counted() -> None:
    clock = FakeTime()
    limiter = _limiter(clock, 100)
    assert len(await _send_all(limiter, clock, 100)) == 100  # second 0: the whole rate
    clock.now = 0.5
    limiter.set_share(0.5)  # another replica joined: 50 per second from now on
    assert limiter.capacity == 50 and limiter.messages_per_second == 50
    starts = await _send_all(limiter, clock, 60)
    assert min(starts) >= 1.0  # the 100 of second 0 still count against the 50
    assert _busiest(starts, 1.0) == 50 and max(starts) >= 2.0


async def test_a_tiny_share_still_sends_one_message_at_a_time() -> None:
    clock = FakeTime()
    limiter = _limiter(clock, 30)
    limiter.set_share(1 / 8)  # 3.75/s: 3 in any 0.8 s
    assert (limiter.capacity, round(limiter.period, 3)) == (3, 0.8)
    limiter.set_share(1 / 40)  # 0.75/s, below one a second: one message per 1.33 s
    assert limiter.capacity == 1
    starts = await _send_all(limiter, clock, 3)
    assert starts[0] == 0 and 1.33 <= starts[1] <= 1.34 and 2.66 <= starts[2] <= 2.68


async def test_waiters_get_slots_in_order_and_a_cancelled_one_does_not_stall_the_line() -> None:
    clock = FakeTime()
    limiter = _limiter(clock, 1)
    order: list[int] = []

    async def one(n: int) -> None:
        async with limiter.slot():
            order.append(n)

    tasks = [asyncio.ensure_future(one(n)) for n in range(4)]
    await clock.settle()
    tasks[1].cancel()  # gave up waiting (the dispatcher shuts down)
    await clock.run_until(3.5)
    await asyncio.gather(*tasks, return_exceptions=True)
    assert order == [0, 2, 3]


async def test_the_slack_sender_sends_its_share_of_the_workspace_rate() -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        client = AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
        sender = SlackSender(client, rate_per_second=40)  # 40 in any second: 15 DMs go out at once
        assert isinstance(sender, SharesRate) and isinstance(TelegramSender(Bot("1:x")), SharesRate)
        reply = ReplyBuilder().line("hi").build()
        await asyncio.gather(*(sender.send(Address("slack", f"U{i}", f"D{i}"), reply) for i in range(15)))
        sender.set_share(0.25)  # four replicas: 10 in any second, the 15 just sent included
        started = time.monotonic()
        await asyncio.gather(*(sender.send(Address("slack", f"U{i}", f"E{i}"), reply) for i in range(10)))
        quarter = time.monotonic() - started
    finally:
        await slack.stop()
    # waits for the first 15 to age out of the second (a lower bound: a loaded machine only adds to it)
    assert quarter >= 0.5 and len(slack.sent("chat.postMessage")) == 25
    assert sender.rate_per_second == 40  # the rate it reports stays the whole bot's
