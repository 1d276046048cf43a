"""A 10 000-recipient Telegram broadcast on PostgreSQL against the fake Bot API in its own process.

Run: ``python -m bench.broadcast_10k [--rate 100] [--recipients 10000] [--fail-every 40]``
(``--no-ptb`` skips the comparison; ``CONFBOT_BENCH_POSTGRES_URL`` picks the server, by default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; the bench works in a private schema it drops).

The fake (``python -m tests.fakes.telegram_server <port> --rate-limit R --fail-every 40``) enforces
R msg/s over a sliding second with real 429s (``retry_after``) and answers every 40th delivery
attempt with 502. Two senders deliver the same text to ``recipients`` distinct chats, each against
a fresh fake process:

- confbot, the real path: the users are rows in PostgreSQL, the broadcast is queued by
  ``bot.features.broadcast.push.start`` in one transaction (what Confirm does), the commit wakes the
  running push Runtime, whose Dispatcher claims the rows and sends them through TelegramSender
  (production settings, rate R). Done when the broadcast is marked ``done``.
- python-telegram-bot's ``AIORateLimiter`` (same rate, ``max_retries=3``) in a plain loop.

Wall time runs from the first attempt the fake saw to the last delivery of the broadcast text;
ideal = recipients ÷ R; share of the limit = delivered ÷ wall ÷ R. Targets (issue 10): wall
≤ 1.05 × ideal, ≥ 97 % of the limit, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from adapters.telegram.sender import TelegramSender
from adapters.telegram.transport import AiohttpRequest
from bench.table import print_table
from bot.clock import SystemClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.broadcast import push as broadcasts
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Broadcast
from tests.factories import add_people, small_programme
from tests.pg_schema import migrated_database

POSTGRES_URL = os.environ.get("CONFBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOKEN = "123456:TEST-token"  # the fake's
TEXT = "📣 The closing keynote moves to the main hall at 17:00."
FIRST_CHAT = 100_000
DUMP = os.environ.get("CONFBOT_BENCH_DUMP", "")  # a path prefix: write each sender's attempts there (to study)


@dataclass
class Fake:
    """The fake Bot API running in its own process."""

    proc: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def sends(self) -> list[list[object]]:
        """Every sendMessage attempt: [chat_id, ok, status, monotonic time, text]."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_sends", timeout=30) as answer:
            rows: list[list[object]] = json.loads(answer.read())
        return rows

    def cpu_seconds(self) -> float:
        """User + system CPU the fake has used (from /proc)."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def fake_process(rate: float, fail_every: int) -> Iterator[Fake]:
    """``python -m tests.fakes.telegram_server`` with the limit and the 502s; stopped after."""
    port = _free_port()
    cmd = [sys.executable, "-m", "tests.fakes.telegram_server", str(port), "--rate-limit", str(rate)]
    cmd += ["--fail-every", str(fail_every)]
    proc = subprocess.Popen(cmd)
    fake = Fake(proc, port)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the fake Bot API did not start") from None
                time.sleep(0.1)
        yield fake
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def private_schema() -> Iterator[Database]:
    """A migrated Database in a fresh schema of the real PostgreSQL (as tests/conftest.py does); dropped after."""
    with migrated_database(POSTGRES_URL, "bench") as db:
        yield db


def _add_users(db: Database, count: int, clock: SystemClock) -> list[str]:
    """``count`` Telegram users who have used the bot (one INSERT); their chat ids."""
    with db.session() as s:
        return [str(chat) for chat in add_people(s, count, clock.now(), first=FIRST_CHAT)]


def _row(name: str, rate: float, recipients: int, fake: Fake) -> dict[str, object]:
    attempts = [r for r in fake.sends() if str(r[4]).startswith(TEXT[:20])]
    if DUMP:
        with open(f"{DUMP}.{name.split()[0]}.json", "w") as out:
            json.dump(attempts, out)
    ok = [r for r in attempts if r[1]]
    per_chat = Counter(str(r[0]) for r in ok)
    errors = Counter(r[2] for r in attempts if not r[1])
    first = min(float(r[3]) for r in attempts)  # type: ignore[arg-type]
    last = max(float(r[3]) for r in ok)  # type: ignore[arg-type]
    wall = last - first
    ideal = recipients / rate
    delivered = len(per_chat)
    return {
        "sender": name,
        "recipients": recipients,
        "rate/s": rate,
        "wall s": round(wall, 1),
        "ideal s": round(ideal, 1),
        "× ideal": round(wall / ideal, 3),
        "of limit": f"{delivered / wall / rate:.1%}",
        "429s": errors.get(429, 0),
        "5xx": sum(n for status, n in errors.items() if isinstance(status, int) and status >= 500),
        "lost": recipients - delivered,
        "duplicated": sum(n - 1 for n in per_chat.values()),
    }


async def confbot_run(rate: float, recipients: int, fail_every: int) -> dict[str, object]:
    """The real path: PostgreSQL users, a broadcast queued as Confirm does, the Runtime sending."""
    clock = SystemClock()
    with fake_process(rate, fail_every) as fake, private_schema() as db:
        settings = Settings(_env_file=None, TELEGRAM_RATE_LIMIT=rate)
        core = Core(settings, db, small_programme(), clock)
        _add_users(db, recipients, clock)
        # the Bot API transport `confbot run` uses (adapters/telegram/transport.py), not PTB's httpx default
        bot = Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(connection_pool_size=64))
        await bot.initialize()
        runtime = Runtime(core, {"telegram": TelegramSender(bot, rate)}, periodic=False)
        await runtime.start()
        cpu0, fake_cpu0 = resource.getrusage(resource.RUSAGE_SELF), fake.cpu_seconds()
        queued_at = time.monotonic()
        with db.session() as s:  # what Confirm does, in its request's transaction; the commit wakes the runtime
            cast = broadcasts.start(
                s, audience=broadcasts.EVERYONE, text=TEXT, created_by="telegram:1", now=clock.now()
            )
            broadcast_id = cast.id
        queue_seconds = time.monotonic() - queued_at
        while True:
            await asyncio.sleep(0.25)
            with db.session() as s:
                if s.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id)) == broadcasts.DONE:
                    break
        done_at = time.monotonic()
        await runtime.stop()
        await bot.shutdown()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        bot_cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
        fake_cpu = fake.cpu_seconds() - fake_cpu0
        print(
            f"confbot: queueing {recipients} rows took {queue_seconds:.2f} s; queued → marked done "
            f"{done_at - queued_at:.1f} s; CPU: bot {bot_cpu:.1f} s ({bot_cpu / recipients * 1000:.2f} ms/msg), "
            f"fake {fake_cpu:.1f} s",
            file=sys.stderr,
        )
        return _row("confbot (PostgreSQL outbox, Runtime, TelegramSender)", rate, recipients, fake)


async def ptb_run(rate: float, recipients: int, fail_every: int) -> dict[str, object]:
    """python-telegram-bot's AIORateLimiter in a plain loop: a 5xx after 0 retries loses the message."""
    with fake_process(rate, fail_every) as fake:
        limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
        bot = ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=limiter)
        await bot.initialize()
        for i in range(recipients):
            with contextlib.suppress(TelegramError):
                await bot.send_message(FIRST_CHAT + i, TEXT)
        await bot.shutdown()
        return _row("PTB AIORateLimiter loop", rate, recipients, fake)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--fail-every", type=int, default=40)
    parser.add_argument("--no-ptb", action="store_true", help="skip the python-telegram-bot comparison")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    rows = [asyncio.run(confbot_run(args.rate, args.recipients, args.fail_every))]
    if not args.no_ptb:
        rows.append(asyncio.run(ptb_run(args.rate, args.recipients, args.fail_every)))
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print_table(rows)


if __name__ == "__main__":
    main()
