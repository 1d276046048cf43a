"""The Telegram sender's pacing alone: no database, no dispatcher, the same fake as broadcast_10k.

Run: ``python -m bench.sender_pacing [--rate 100] [--recipients 2000] [--fail-every 40]``.
``TelegramSender`` sends to ``recipients`` chats with 16 sends in flight (the dispatcher's
concurrency) against the fake Bot API in its own process (strict 1-second window of ``rate``
accepted messages, real 429s, every 40th attempt a 502); a message that gets a retry is sent again
after its delay (``retry_after``, or the 5xx's quick first retry, else 0.5 s) as the dispatcher
would. Same columns as ``bench.broadcast_10k``: it tells the limiter's share of the limit apart from
what the database and the machine's load cost the full path.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from telegram import Bot

from adapters.telegram.sender import TelegramSender
from bench.broadcast_10k import FIRST_CHAT, TEXT, TOKEN, _row, fake_process
from bench.table import print_table
from bot.chat.messages import Address, ReplyBuilder

CONCURRENCY = 16


async def run(rate: float, recipients: int, fail_every: int) -> dict[str, object]:
    """Every recipient once through the sender, retried like the dispatcher does."""
    with fake_process(rate, fail_every) as fake:
        bot = Bot(TOKEN, base_url=fake.base_url)
        await bot.initialize()
        sender = TelegramSender(bot, rate)
        reply = ReplyBuilder().line(TEXT).build()
        todo: asyncio.Queue[int] = asyncio.Queue()
        for i in range(recipients):
            todo.put_nowait(FIRST_CHAT + i)
        left = recipients

        async def retry_later(chat: int, delay: float) -> None:
            await asyncio.sleep(delay)
            todo.put_nowait(chat)

        async def worker() -> None:
            nonlocal left
            while left:
                try:
                    chat = await asyncio.wait_for(todo.get(), 0.05)
                except TimeoutError:
                    continue
                result = await sender.send(Address("telegram", str(chat), str(chat)), reply)
                if result.outcome == "retry":
                    delay = result.retry_after if result.retry_after is not None else (result.first_retry or 0.5)
                    asyncio.ensure_future(retry_later(chat, delay))
                else:
                    left -= 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        await bot.shutdown()
        return _row("TelegramSender alone (no database)", rate, recipients, fake)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--fail-every", type=int, default=40)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    rows = [asyncio.run(run(args.rate, args.recipients, args.fail_every))]
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print_table(rows)


if __name__ == "__main__":
    main()
