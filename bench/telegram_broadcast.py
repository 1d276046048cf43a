"""Broadcast throughput as a fraction of the enforced rate limit, with 429s and 5xx injected.

Run: ``python -m bench.telegram_broadcast [--rate 50] [--messages 1500]``.
The fake Bot API (127.0.0.1) enforces ``rate`` messages per second with real 429s
(``retry_after``) and answers every 40th attempt with 502. Two senders deliver the same
messages to distinct chats:
- confbot: rows in the durable outbox (SQLite), the Runtime/dispatcher and the TelegramSender;
- python-telegram-bot's own ``AIORateLimiter`` (same rate, max_retries=3) in a plain loop.
Throughput = delivered / (last delivery − first attempt) / rate. The dispatcher runs with its
production settings (5xx back-off 0.5 s, doubling). Target ≥ 95%, with no message
lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter

from adapters.telegram.sender import TelegramSender
from bench.table import print_table
from bot.clock import SystemClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import User
from tests.factories import small_programme
from tests.fakes.telegram_server import FakeTelegram


def _delivered(fake: FakeTelegram) -> tuple[Counter[str], float, float]:
    """Deliveries per chat, the first attempt's time and the last delivery's time."""
    ok = [(p["chat_id"], p["_t"]) for m, p in fake.calls if m == "sendMessage" and p.get("_ok")]
    first = min(p["_t"] for m, p in fake.calls if m == "sendMessage" and "_t" in p)
    return Counter(str(c) for c, _ in ok), first, max(t for _, t in ok)


async def confbot_run(rate: float, messages: int) -> dict[str, object]:
    fake = FakeTelegram(rate_limit=rate, fail_every=40)
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'b.db'}")
        db.migrate()
        clock = SystemClock()
        settings = Settings(_env_file=None, TELEGRAM_RATE_LIMIT=rate)  # type: ignore[call-arg]
        core = Core(settings, db, small_programme(), clock)
        with db.session() as s:
            users = [
                User(
                    platform="telegram",
                    platform_user_id=str(i),
                    chat_id=str(i),
                    language="en",
                    first_seen=clock.now(),
                    last_seen=clock.now(),
                )
                for i in range(1, messages + 1)
            ]
            s.add_all(users)
            s.flush()
            for u in users:
                outbox.enqueue(
                    s,
                    recipient_id=u.id,
                    kind="broadcast",
                    key="broadcast:bench",
                    due_at=clock.now(),
                    payload={"text": "📣 The closing keynote moves to the main hall."},
                    now=clock.now(),
                )
        bot = Bot(fake.token, base_url=fake.base_url)
        await bot.initialize()
        runtime = Runtime(core, {"telegram": TelegramSender(bot, rate)}, periodic=False)
        start = time.monotonic()
        await runtime.start()
        while True:
            with db.session() as s:
                counts = outbox.counts(s)
            if counts.get("pending", 0) + counts.get("sending", 0) == 0:
                break
            await asyncio.sleep(0.2)
        await runtime.stop()
        await bot.shutdown()
        db.dispose()
    await fake.stop()
    per_chat, first, last = _delivered(fake)
    return _row("confbot outbox", rate, messages, per_chat, first, last, start, fake)


async def ptb_run(rate: float, messages: int) -> dict[str, object]:
    fake = FakeTelegram(rate_limit=rate, fail_every=40)
    await fake.start()
    bot = Bot(fake.token, base_url=fake.base_url)
    limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
    from telegram.ext import ExtBot

    bot = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter)
    await bot.initialize()
    start = time.monotonic()
    for i in range(1, messages + 1):
        with contextlib.suppress(TelegramError):  # a plain loop: a 5xx loses the message
            await bot.send_message(i, "📣 The closing keynote moves to the main hall.")
    await bot.shutdown()
    await fake.stop()
    per_chat, first, last = _delivered(fake)
    return _row("PTB AIORateLimiter loop", rate, messages, per_chat, first, last, start, fake)


def _row(
    name: str,
    rate: float,
    messages: int,
    per_chat: Counter[str],
    first: float,
    last: float,
    start: float,
    fake: FakeTelegram,
) -> dict[str, object]:
    delivered = len(per_chat)
    elapsed = last - first  # from the first attempt to the last delivery
    errors = Counter(p.get("_status") for m, p in fake.calls if m == "sendMessage" and not p.get("_ok"))
    return {
        "sender": name,
        "rate limit/s": rate,
        "messages": messages,
        "delivered": delivered,
        "lost": messages - delivered,
        "duplicates": sum(n - 1 for n in per_chat.values()),
        "429s": errors.get(429, 0),
        "5xx": errors.get(502, 0),
        "seconds": round(elapsed, 2),
        "msg/s": round(delivered / elapsed, 1),
        "of limit": f"{delivered / elapsed / rate:.1%}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--messages", type=int, default=1500)
    args = parser.parse_args()
    rows = [asyncio.run(confbot_run(args.rate, args.messages)), asyncio.run(ptb_run(args.rate, args.messages))]
    print_table(rows)


if __name__ == "__main__":
    main()
