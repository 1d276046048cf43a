"""Peak memory (RSS) of ``confbot run`` with 10 000 and 100 000 known users and their subscriptions.

Run: ``python -m bench.memory_users [--users 0 10000 100000]`` (PostgreSQL: a private schema per
size in ``CONFBOT_BENCH_POSTGRES_URL``, by default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
dropped after).

For each size, the database is seeded first (bulk inserts): N Telegram users, 3 starred talks each
(of the bundled 29) and each star's pending "starting soon" reminder in the outbox, as the
planner would have queued them. Then ``confbot run`` (webhook mode, the fake Bot API in its own
process, production settings) goes through what an event day asks of it, while its peak RSS
(``VmHWM`` of ``/proc/<pid>/status``) is read:

1. started (content loaded, schema checked, the push runtime running);
2. 2 000 updates at 100/s from 2 000 different known users (/my, /agenda, /talk, /subscribe, search);
3. an organizer's /stats (GROUP BYs over all users and subscriptions);
4. an organizer moves the most starred talk (/move … force, then Confirm): every subscriber's
   reminder is re-planned and each gets a "moved" notice queued, in one transaction;
5. 10 s of dispatching those notices at TELEGRAM_RATE_LIMIT (30/s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import create_engine, insert, select, text

from bench.table import print_table
from bench.telegram_updates import POSTGRES_URL, _wait_http, free_port, webhook_env
from bot.factory import create_core
from bot.features.personal import reminders
from bot.settings import Settings
from bot.storage.models import Confirmation, OutboxMessage, Subscription, User
from tests.factories import add_people
from tests.fakes.telegram_server import FakeTelegram
from tests.pg_schema import schema_url as pg_schema_url

ORGANIZER = 999
FIRST_CHAT = 1_000_000
STARS = 3
TEXTS = ["/my", "/agenda", "/talk 12", "/subscribe 5", "xdp", "/now"]


def status_kib(pid: int, field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/<pid>/status, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


@contextlib.contextmanager
def schema_url() -> Iterator[str]:
    with pg_schema_url(POSTGRES_URL, "bench") as url:
        yield url


def seed(url: str, users: int) -> tuple[float, int, int]:
    """N users with STARS stars and their pending reminders; (seconds taken, stars, the most starred talk)."""
    t0 = time.perf_counter()
    core = create_core(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    talks = [talk for talk in core.programme.talks if talk.start is not None]
    now = datetime.now(UTC)
    stars: dict[int, int] = {}
    for first in range(0, users, 10_000):
        with core.db.session() as session:  # one transaction per 10 000 users
            count = min(users, first + 10_000) - first
            chats = add_people(session, count, now, first=FIRST_CHAT + first, language=_language)
            ids = session.execute(
                select(User.id, User.platform_user_id).where(User.platform_user_id.in_([str(c) for c in chats]))
            ).all()
            subs, pushes = [], []
            for user_id, chat in ids:
                i = int(chat) - FIRST_CHAT
                for k in range(STARS):
                    talk = talks[(i * (k + 1) + k * 7) % len(talks)]
                    if any(s["user_id"] == user_id and s["talk_id"] == talk.id for s in subs[-k:] if k):
                        continue
                    stars[talk.id] = stars.get(talk.id, 0) + 1
                    subs.append({"user_id": user_id, "talk_id": talk.id, "created_at": now})
                    assert talk.start is not None
                    pushes.append(
                        {
                            "recipient_id": user_id,
                            "kind": reminders.KIND,
                            "key": reminders.key_for(talk),
                            "payload": {"talk": talk.id, "start": talk.start.isoformat()},
                            "due_at": talk.start - timedelta(minutes=10, seconds=stars[talk.id] // 25),
                            "expires_at": talk.start,
                            "status": "pending",
                            "priority": 0,
                            "attempts": 0,
                            "created_at": now,
                        }
                    )
            session.execute(insert(Subscription), subs)
            session.execute(insert(OutboxMessage), pushes)
    core.close()
    top = max(stars, key=lambda talk_id: stars[talk_id]) if stars else 12
    return time.perf_counter() - t0, sum(stars.values()), top


def _language(chat: int) -> str:
    """A third of the seeded users read English."""
    return "en" if (chat - FIRST_CHAT) % 3 == 0 else "zh"


async def day(url: str, users: int, top: int, *, move: bool = True) -> dict[str, object]:
    fake_port, bot_port = free_port(), free_port()
    env = webhook_env(fake_port, bot_port, url) | {"CONFBOT_ORGANIZERS": f"telegram:{ORGANIZER}"}
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)])
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    row: dict[str, object] = {"known users": users, "stars": "–", "seed s": "–"}
    try:
        await _wait_http(f"http://127.0.0.1:{fake_port}/_stats")
        await _wait_http(f"http://127.0.0.1:{bot_port}/readyz", timeout=120)
        row["RSS started MiB"] = round(status_kib(bot.pid, "VmRSS") / 1024, 1)
        maker = FakeTelegram()
        hook = f"http://127.0.0.1:{bot_port}/telegram/webhook"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "bench"}
        async with aiohttp.ClientSession() as client:

            async def post(update: dict[str, Any]) -> None:
                async with client.post(hook, json=update, headers=headers) as response:
                    await response.read()

            start = time.perf_counter()
            tasks = []
            for i in range(2000):
                delay = start + i / 100 - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                chat = FIRST_CHAT + (i * 7919) % max(users, 1) if users else 10_000 + i
                tasks.append(asyncio.create_task(post(maker.message_update(chat, TEXTS[i % len(TEXTS)], lang="en"))))
            await asyncio.gather(*tasks)
            row["RSS after 2 000 updates MiB"] = round(status_kib(bot.pid, "VmRSS") / 1024, 1)
            await post(maker.message_update(ORGANIZER, "/stats", lang="en"))
            if not move:
                row["RSS end MiB"] = round(status_kib(bot.pid, "VmRSS") / 1024, 1)
                row["peak RSS MiB"] = round(status_kib(bot.pid, "VmHWM") / 1024, 1)
                return row
            await post(maker.message_update(ORGANIZER, f"/move {top} 17:50 force", lang="en"))
            engine = create_engine(url)
            with engine.connect() as conn:
                token = conn.scalar(select(Confirmation.token).order_by(Confirmation.id.desc()).limit(1))
                subscribers = conn.scalar(
                    select(text("count(*)")).select_from(Subscription).where(Subscription.talk_id == top)
                )
            preview = {"message_id": 1, "date": int(time.time()), "chat": {"id": ORGANIZER, "type": "private"}}
            preview["text"] = "preview"
            t0 = time.perf_counter()
            await post(maker.callback_update(ORGANIZER, f"confirm {token}", preview, lang="en"))
            row["move: subscribers"] = subscribers
            row["move confirm s"] = round(time.perf_counter() - t0, 2)
            await asyncio.sleep(10)
            with engine.connect() as conn:
                moved = conn.scalar(
                    select(text("count(*)")).select_from(OutboxMessage).where(OutboxMessage.kind == "moved")
                )
            engine.dispose()
            row["moved queued"] = moved
        row["RSS end MiB"] = round(status_kib(bot.pid, "VmRSS") / 1024, 1)
        row["peak RSS MiB"] = round(status_kib(bot.pid, "VmHWM") / 1024, 1)
    finally:
        bot.terminate()
        fake.terminate()
        bot.wait(timeout=30)
        fake.wait(timeout=30)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="*", default=[0, 10_000, 100_000])
    parser.add_argument("--no-move", action="store_true", help="skip step 4 and 5 (the /move re-plans in the request)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for users in args.users:
        with schema_url() as url:
            took, stars, top = seed(url, users)
            row = asyncio.run(day(url, users, top, move=not args.no_move))
            row["stars"] = stars
            row["seed s"] = round(took, 1)
            rows.append(row)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_table(rows)


if __name__ == "__main__":
    main()
