"""A sender's global limiter sends its replica's share of the bot-wide rate, waiting messages included."""

from __future__ import annotations

import asyncio
import time

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from adapters.shared_rate import SharedLimiter
from adapters.slack.sender import SlackSender
from adapters.telegram.sender import TelegramSender
from bot.messages import Address, ReplyBuilder
from bot.push.sender import SharesRate
from tests.fakes.slack_api import TOKEN, FakeSlack


async def _send(limiter: SharedLimiter, count: int) -> float:
    """Seconds ``count`` messages take through ``limiter`` (all queued at once)."""

    async def one() -> None:
        async with limiter:
            pass

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    return time.monotonic() - started


async def test_half_a_share_sends_at_half_the_rate() -> None:
    whole = await _send(SharedLimiter(100, burst=1), 21)  # 1 at once, then 20 at 100/s: 0.2 s
    half = SharedLimiter(100, burst=1)
    half.set_share(0.5)
    assert half.messages_per_second == 50
    halved = await _send(half, 21)  # 20 at 50/s: 0.4 s
    assert whole >= 0.17 and halved >= 0.37 and halved >= 1.6 * whole  # twice as long, not more
    assert halved <= 0.6


async def test_messages_already_waiting_follow_a_lowered_share() -> None:
    limiter = SharedLimiter(100, burst=1)
    waiting = asyncio.ensure_future(_send(limiter, 21))
    await asyncio.sleep(0)  # all 21 queued at the whole rate
    limiter.set_share(0.25)  # another replica joined: from now on 25/s
    assert await waiting >= 0.7  # 20 at 25/s = 0.8 s, not 0.2 s at the old rate


async def test_more_replicas_than_the_burst_still_get_one_message_each() -> None:
    limiter = SharedLimiter(30, burst=5)
    limiter.set_share(1 / 8)  # 3.75/s with a bucket of one message
    assert await _send(limiter, 2) >= 0.2


async def test_the_slack_sender_sends_its_share_of_the_workspace_rate() -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        client = AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
        sender = SlackSender(client, rate_per_second=40)  # a burst of 40: 15 DMs go out at once
        assert isinstance(sender, SharesRate) and isinstance(TelegramSender(Bot("1:x")), SharesRate)
        reply = ReplyBuilder().line("hi").build()
        started = time.monotonic()
        await asyncio.gather(*(sender.send(Address("slack", f"U{i}", f"D{i}"), reply) for i in range(15)))
        whole = time.monotonic() - started
        sender.set_share(0.25)  # four replicas: 10/s, a burst of 10
        started = time.monotonic()
        await asyncio.gather(*(sender.send(Address("slack", f"U{i}", f"E{i}"), reply) for i in range(15)))
        quarter = time.monotonic() - started
    finally:
        await slack.stop()
    assert whole < 0.3 and quarter >= 0.45  # 10 at once, then 5 at 10/s
    assert sender.rate_per_second == 40  # the rate it reports stays the whole bot's
