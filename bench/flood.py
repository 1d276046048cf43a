"""One attendee flooding the bot while others use it normally, through the real Telegram path (issue 22).

Run: ``python -m bench.flood [--db sqlite postgres] [--limit on off] [--flood-rate 0 138] [--messages 2000]
[--floods 10] [--others 100] [--others-rate 50] [--quiet-seconds 10] [--in-flight 16]``. Every
combination of ``--db``, ``--flood-rate`` and ``--limit`` is a row.

Three processes on 127.0.0.1, as ``bench/telegram_updates.py`` runs them (its helpers): the fake
Bot API, ``confbot run`` in webhook mode with the bundled conference, and this load generator.

1. Quiet: ``--others`` people (each well within their own limit) send ``/now``, ``/agenda``,
   searches … at ``--others-rate`` messages a second in all, for ``--quiet-seconds``.
2. Flood: one person POSTs ``--messages`` updates as fast as the bot takes them (``--in-flight``
   at once, as Telegram's webhook opens several connections) or at ``--flood-rate`` a second, one
   in ten a refused ``/broadcast`` (not an organizer), while the others go on at the same rate
   until the flood is over. Then another person does the same, ``--floods`` in all, 2 s apart: at
   full speed a limited flood of 2 000 lasts under half a second, too short alone for a p99.

Columns: the others' p50 / p99 latency (from the POST to its answer; the bot answers the webhook
once its reply reached the Bot API) quiet and during the floods, with how many of their messages
each is over, and the ratio of the two p99s; the floods' rate and the bot's CPU per flood message;
how many "slow down" replies reached the flooders (all floods together) and how many of their
messages were answered at all; the audit rows the floods added.
``--limit off`` runs the bot with ``CONFBOT_FLOOD_BURST=0`` (no inbound limit): the baseline.
Target (limit on): the others' p99 during the flood under 2 x quiet; one "slow down" per flooder; a
few audit rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
from sqlalchemy import create_engine, text

from bench.table import print_table
from bench.telegram_updates import TEXTS, _wait_http, cpu_seconds, database, free_port, webhook_env
from tests.fakes.telegram_server import FakeTelegram

FLOODERS_FROM = 66_600
OTHERS_FROM = 30_000
BROADCAST_EVERY = 10  # one flood message in ten is a refused /broadcast
SLOW_DOWN = ("太快", "too fast")  # the "slow down" reply, in either language
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": "bench"}


def _audit_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
    finally:
        engine.dispose()


def _p(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return round(ordered[max(0, int(len(ordered) * q) - 1)], 1) if ordered else float("nan")


async def _others(
    post: Callable[[int, str], Awaitable[float]], people: int, rate: float, until: Callable[[], bool]
) -> list[float]:
    """The others' messages at ``rate`` a second, round robin over ``people``, until ``until()``."""
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []

    async def one(i: int) -> None:
        latencies.append(await post(OTHERS_FROM + i % people, TEXTS[i % len(TEXTS)]))

    start, i = time.perf_counter(), 0
    while not until():
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
        i += 1
    await asyncio.gather(*tasks)
    return latencies


async def run(
    db: str,
    limit: bool,
    messages: int,
    floods: int,
    people: int,
    rate: float,
    quiet: float,
    in_flight: int,
    flood_rate: float,
) -> dict[str, object]:
    fake_port, bot_port = free_port(), free_port()
    with database(db) as url:
        env = webhook_env(fake_port, bot_port, url)
        if not limit:
            env["CONFBOT_FLOOD_BURST"] = "0"
        fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)])
        bot = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            await _wait_http(f"http://127.0.0.1:{fake_port}/_stats")
            await _wait_http(f"http://127.0.0.1:{bot_port}/readyz")
            return await _measure(
                url,
                bot.pid,
                fake_port,
                bot_port,
                db,
                limit,
                messages,
                floods,
                people,
                rate,
                quiet,
                in_flight,
                flood_rate,
            )
        finally:
            bot.terminate()
            fake.terminate()
            bot.wait(timeout=30)
            fake.wait(timeout=30)


async def _measure(
    url: str,
    pid: int,
    fake_port: int,
    bot_port: int,
    db: str,
    limit: bool,
    messages: int,
    floods: int,
    people: int,
    rate: float,
    quiet: float,
    in_flight: int,
    flood_rate: float,
) -> dict[str, object]:
    maker = FakeTelegram()
    webhook = f"http://127.0.0.1:{bot_port}/telegram/webhook"
    errors = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=400)) as client:

        async def post(user: int, message: str) -> float:
            nonlocal errors
            lang = "en" if user % 3 == 0 else "zh-hans"
            t0 = time.perf_counter()
            try:
                async with client.post(
                    webhook, json=maker.message_update(user, message, lang=lang), headers=HEADERS
                ) as r:
                    await r.read()
                    errors += r.status != 200
            except aiohttp.ClientError:
                errors += 1
            return (time.perf_counter() - t0) * 1000

        for i in range(people):  # everyone has written before, as most attendees have by the event
            await post(OTHERS_FROM + i, TEXTS[i % len(TEXTS)])
        audit_before = _audit_rows(url)
        ends = time.monotonic() + quiet
        quiet_ms = await _others(post, people, rate, lambda: time.monotonic() > ends)

        flood_ms: list[float] = []
        cpu = flood_seconds = 0.0
        for flooder in range(FLOODERS_FROM, FLOODERS_FROM + floods):
            sent = 0

            async def flood(who: int = flooder, start: float = time.perf_counter()) -> None:
                nonlocal sent
                while sent < messages:
                    i = sent
                    sent += 1
                    if flood_rate and (delay := start + i / flood_rate - time.perf_counter()) > 0:
                        await asyncio.sleep(delay)
                    await post(who, "/broadcast free beer" if i % BROADCAST_EVERY == 0 else TEXTS[i % len(TEXTS)])

            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            flooding = asyncio.gather(*(flood() for _ in range(in_flight)))
            flood_ms += await _others(post, people, rate, flooding.done)
            await flooding
            flood_seconds += time.perf_counter() - t0
            cpu += cpu_seconds(pid) - cpu0
            await asyncio.sleep(2)  # the last replies reach the fake; the next flood starts from quiet
        async with client.get(f"http://127.0.0.1:{fake_port}/_sends") as response:
            sends = await response.json()
    flooders = {str(who) for who in range(FLOODERS_FROM, FLOODERS_FROM + floods)}
    to_flooder = [row[4] for row in sends if row[0] in flooders and row[1]]
    return {
        "db": db,
        "limit": "on" if limit else "off",
        "floods x msgs": f"{floods} x {messages}",
        "flood /s offered (in flight)": f"{flood_rate:g} ({in_flight})" if flood_rate else f"max ({in_flight})",
        "flood /s": round(messages * floods / flood_seconds, 1),
        "others": f"{people} at {rate:g}/s",
        "quiet p50 / p99 ms (n)": f"{_p(quiet_ms, 0.5)} / {_p(quiet_ms, 0.99)} ({len(quiet_ms)})",
        "flood p50 / p99 ms (n)": f"{_p(flood_ms, 0.5)} / {_p(flood_ms, 0.99)} ({len(flood_ms)})",
        "p99 x quiet": round(_p(flood_ms, 0.99) / _p(quiet_ms, 0.99), 2),
        "slow downs": sum(any(s in reply for s in SLOW_DOWN) for reply in to_flooder),
        "flooder answered": len(to_flooder),
        "audit rows added": _audit_rows(url) - audit_before,
        "bot CPU ms/flood msg": round(cpu * 1000 / (messages * floods), 2),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="*", choices=["sqlite", "postgres"], default=["sqlite"])
    parser.add_argument("--limit", nargs="*", choices=["on", "off"], default=["on"])
    parser.add_argument("--messages", type=int, default=2000, help="the flooder's messages")
    parser.add_argument("--floods", type=int, default=10, help="floods one after another, each by someone new")
    parser.add_argument("--others", type=int, default=100, help="other people, each within their own limit")
    parser.add_argument("--others-rate", type=float, default=50.0, help="the others' messages a second, in all")
    parser.add_argument("--quiet-seconds", type=float, default=10.0)
    parser.add_argument("--in-flight", type=int, default=16, help="the flooder's updates posted at once")
    parser.add_argument(
        "--flood-rate", type=float, nargs="*", default=[0.0], help="the flooder's messages a second (0: all they can)"
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = [
        asyncio.run(
            run(
                db,
                limit == "on",
                args.messages,
                args.floods,
                args.others,
                args.others_rate,
                args.quiet_seconds,
                args.in_flight,
                flood_rate,
            )
        )
        for db in args.db
        for flood_rate in args.flood_rate
        for limit in args.limit
    ]
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_table(rows)


if __name__ == "__main__":
    main()
