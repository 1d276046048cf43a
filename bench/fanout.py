"""Reminder fan-out: how late does the last of N reminders arrive against a rate-limited sender?

Run: ``python -m bench.fanout [--subscribers 5000] [--rate 30]``.
The real planner, outbox (SQLite file) and dispatcher run; the sender is limited to ``rate``
messages per second on a simulated clock (each send advances a FakeClock by 1/rate seconds),
so the run takes seconds while modelling minutes of sending. As in the bot, the sender reports
its rate (``rate_per_second``) and the core learns it (``core.send_rates``, which the push
Runtime fills) before reminders are planned. The scheduler's role (wake at the next due time)
is played by the loop below.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.table import print_table
from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sender import SendResult
from bot.features.personal import reminders
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Subscription, User
from tests.factories import small_programme


class RateLimitedSender:
    """Delivers one message per 1/rate seconds of simulated time."""

    platform = "telegram"

    def __init__(self, clock: FakeClock, rate_per_second: float) -> None:
        self.clock, self.rate_per_second = clock, rate_per_second
        self.arrivals: list = []  # type: ignore[type-arg]
        self.per_chat: Counter[str] = Counter()

    async def send(self, address: Address, reply: Reply) -> SendResult:
        self.clock.advance(1 / self.rate_per_second)
        self.arrivals.append(self.clock.now())
        self.per_chat[address.chat_id] += 1
        return SendResult.sent()


async def run(subscribers: int, rate: float, lead: int = 10) -> dict[str, object]:
    programme = small_programme()
    talk = programme.talk(2)
    assert talk is not None and talk.start is not None
    clock = FakeClock(talk.start - timedelta(hours=2))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'fanout.db'}")
        db.migrate()
        settings = Settings(_env_file=None, telegram_rate_limit=rate)  # type: ignore[call-arg]
        core = Core(settings, db, programme, clock)
        # as the bot does: the sender is built from the settings and reports its rate, which
        # the push Runtime registers with the core for fan-out planning
        sender = RateLimitedSender(clock, settings.telegram_rate_limit)
        core.send_rates.register([sender])
        t0 = time.perf_counter()
        with db.session() as s:
            users = [
                User(
                    platform="telegram",
                    platform_user_id=str(i),
                    chat_id=str(i),
                    language="en",
                    first_seen=clock.now(),
                    last_seen=clock.now(),
                    lead_minutes=lead,
                )
                for i in range(subscribers)
            ]
            s.add_all(users)
            s.flush()
            s.add_all([Subscription(user_id=u.id, talk_id=talk.id, created_at=clock.now()) for u in users])
            s.flush()
            for u in users:
                reminders.plan(s, u, talk, now=clock.now(), rates=core.send_rates)
        planned = time.perf_counter() - t0
        with db.session() as s:
            first_due = outbox.next_due(s)
        dispatcher = Dispatcher(db, clock, lambda: core.programme, {"telegram": sender}, batch=500, concurrency=1)
        t1 = time.perf_counter()
        while True:
            with db.session() as s:
                due = outbox.next_due(s)
            if due is None:
                break
            if due > clock.now():
                clock.set(due)
            await dispatcher.run_due()
        wall = time.perf_counter() - t1
        with db.session() as s:
            statuses = outbox.counts(s)
        db.dispose()
    deadline = talk.start - timedelta(minutes=lead)
    last = max(sender.arrivals)
    return {
        "subscribers": subscribers,
        "rate": rate,
        "early start (s)": round((deadline - first_due).total_seconds(), 1),
        "last arrival vs deadline (s)": round((last - deadline).total_seconds(), 1),
        "sent": statuses.get("sent", 0),
        "duplicates": sum(n - 1 for n in sender.per_chat.values() if n > 1),
        "lost": subscribers - len(sender.per_chat),
        "plan wall (s)": round(planned, 2),
        "dispatch wall (s)": round(wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, nargs="*", default=[100, 1000, 5000])
    parser.add_argument("--rate", type=float, nargs="*", default=[30.0])
    args = parser.parse_args()
    rows = [asyncio.run(run(n, r)) for r in args.rate for n in args.subscribers]
    print_table(rows)


if __name__ == "__main__":
    main()
