"""Updates handled end to end through the Telegram webhook, with p50/p99 latency and CPU per update.

Run: ``python -m bench.telegram_updates [--rate 100 300] [--seconds 10] [--db sqlite postgres]
[--bot confbot ptb-echo] [--db-latency-ms N]``. Every combination runs in turn, in this one invocation.
``--db-latency-ms N`` puts PostgreSQL one network hop away: the bot reaches it through
``bench/latency_proxy.py``, which delays every chunk by N/2 ms each way (the db column says so).

Three processes on 127.0.0.1, as in production: the fake Bot API, the bot and this load
generator, which POSTs real update JSON at a fixed rate: a mix of /agenda, /now, /next, /talk,
/speaker, /tracks and searches from 500 different users in Chinese and English. Each user keeps
one Telegram ``language_code``, as a real client does. Neither the load generator nor the fake
pauses for a full garbage collection in the timed run (each such pause, 40-60 ms in the fake, counted
as the bot's latency): this process collects none until the run ends, the fake freezes its heap
every second.

The mix of known and new users: by default every one of the 500 users has written once before
the timed run (the warm-up), and 1 timed update in 20 comes from someone new, as during an event
when most attendees have already started the bot. ``--cold`` skips that warm-up and sends no
newcomers, so each of the 500 users' first update in the timed run is their first contact (the
mix before session 5).

- ``confbot``: ``confbot run`` in webhook mode with the bundled conference, on SQLite (a temp file)
  or on the real PostgreSQL (a private schema, dropped after; ``CONFBOT_BENCH_POSTGRES_URL``, by
  default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Latency runs from the POST to its
  response; the bot answers the webhook after its reply reached the Bot API.
- ``ptb-echo``: ``bench/ptb_echo.py``, a bare python-telegram-bot echo bot on PTB's own webhook
  server, the baseline for confbot's own cost. PTB answers the webhook before it replies, so its
  latency is not comparable; its run ends when every reply reached the fake.

"bot CPU ms/update" is the bot's user + system CPU (``/proc/<pid>/stat``; with ``confbot run``'s
workers, ``CONFBOT_WORKERS``, the supervisor's and every worker's) over the timed updates (after the
warm-up), divided by their number.
Targets: 300 updates/s with p99 under 100 ms on SQLite, under 20 ms on PostgreSQL; confbot's CPU
per update at most 2 x the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy.engine import make_url

from bench.table import print_table
from tests.adapters.process import children_of
from tests.fakes.telegram_server import FakeTelegram
from tests.pg_schema import schema_url

TEXTS = ["/agenda", "/now", "/next", "/talk 12", "/speaker 陈莉君", "网络", "xdp", "/talk 27", "chen lijun", "/tracks"]
TOKEN = "123456:TEST-token"
POSTGRES_URL = os.environ.get("CONFBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WARM_UP = 20  # sequential updates before the timed run (with --cold; else one per user)
USERS = 500
NEWCOMER_EVERY = 20  # without --cold: every 20th timed update comes from a user never seen before
BOTS = {"confbot": ["-m", "adapters.cli", "run"], "ptb-echo": ["-m", "bench.ptb_echo"]}
PROFILE = os.environ.get("CONFBOT_BENCH_PROFILE", "")  # a path prefix: run each bot under cProfile, to study


async def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            await asyncio.sleep(0.1)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection in this process meanwhile (the timed run)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process and its live children (``confbot run``'s workers) have used so far."""
    total = 0.0
    with contextlib.suppress(FileNotFoundError):  # a child that has just exited
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        total += sum(cpu_seconds(child) for child in children_of(pid))
    return total


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A database URL for the bot: a temp SQLite file, or a private PostgreSQL schema (dropped after)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    with schema_url(POSTGRES_URL, "bench") as url:
        yield url


async def _replies(client: aiohttp.ClientSession, fake_port: int) -> int:
    async with client.get(f"http://127.0.0.1:{fake_port}/_stats") as response:
        stats = await response.json()
    return int(stats.get("sendMessage", 0))


def free_port() -> int:
    """A port nothing listens on now (fixed ports collide with other runs on a shared machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_env(fake_port: int, bot_port: int, database_url: str) -> dict[str, str]:
    """``confbot run``'s environment: webhook mode on ``bot_port``, the fake Bot API on ``fake_port``."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{fake_port}/bot",
        "TELEGRAM_WEBHOOK_URL": "https://bench.invalid",
        "TELEGRAM_WEBHOOK_SECRET": "bench",
        "CONFBOT_HTTP_PORT": str(bot_port),
        "CONFBOT_HTTP_HOST": "127.0.0.1",
        "CONFBOT_DATABASE_URL": database_url,
    }


@contextlib.contextmanager
def delayed(url: str, latency_ms: float) -> Iterator[str]:
    """``url`` reached through a proxy adding ``latency_ms`` to every round trip (unchanged for 0 or SQLite)."""
    parsed = make_url(url)
    if not latency_ms or parsed.get_backend_name() != "postgresql":
        yield url
        return
    port = free_port()
    target = [parsed.host or "127.0.0.1", str(parsed.port or 5432), str(latency_ms / 2)]
    proxy = subprocess.Popen([sys.executable, "-m", "bench.latency_proxy", str(port), *target])
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the latency proxy did not start")
            time.sleep(0.05)
        yield parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


async def run(
    rate: float,
    seconds: float,
    *,
    bot: str = "confbot",
    db: str = "sqlite",
    cold: bool = False,
    db_latency_ms: float = 0.0,
) -> dict[str, object]:
    fake_port, bot_port = free_port(), free_port()
    with database(db) as direct, delayed(direct, db_latency_ms if bot == "confbot" else 0.0) as url:
        env = webhook_env(fake_port, bot_port, url)
        fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)])
        profile = ["-m", "cProfile", "-o", f"{PROFILE}.{bot}.{db}.{int(rate)}.prof"] if PROFILE else []
        proc = subprocess.Popen(
            [sys.executable, *profile, *BOTS[bot]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            await _wait_http(f"http://127.0.0.1:{fake_port}/_stats")
            health = "/readyz" if bot == "confbot" else "/"  # /healthz answers before the webhook does
            await _wait_http(f"http://127.0.0.1:{bot_port}{health}")
            shown = f"{db}+{db_latency_ms:g}ms" if db_latency_ms and db == "postgres" else db
            return await _load(rate, seconds, proc.pid, fake_port, bot_port, bot=bot, db=shown, cold=cold)
        finally:
            proc.terminate()
            fake.terminate()
            proc.wait(timeout=30)
            fake.wait(timeout=30)


async def _load(
    rate: float, seconds: float, pid: int, fake_port: int, bot_port: int, *, bot: str, db: str, cold: bool
) -> dict[str, object]:
    maker = FakeTelegram()
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    url = f"http://127.0.0.1:{bot_port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "bench"}
    # aiohttp: a light client, so the load generator is not the bottleneck on 2 cores
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=400)) as client:

        async def one(i: int, user: int) -> None:
            nonlocal errors
            lang = "zh-hans" if user % 3 else "en"  # one language per user, as their client sends
            update = maker.message_update(user, TEXTS[i % len(TEXTS)], lang=lang)
            t0 = time.perf_counter()
            try:
                async with client.post(url, json=update, headers=headers) as response:
                    await response.read()
                    errors += response.status != 200
            except aiohttp.ClientError:
                errors += 1
            latencies.append((time.perf_counter() - t0) * 1000)

        warm_up = WARM_UP if cold else USERS
        for i in range(warm_up):
            await one(i, 10_000 + i % USERS)
        warm = time.monotonic() + 30
        while await _replies(client, fake_port) < warm_up:  # the echo bot replies after answering
            if time.monotonic() > warm:
                raise RuntimeError(f"the warm-up got no reply to some of its {warm_up} updates ({errors} errors)")
            await asyncio.sleep(0.05)
        latencies.clear()
        with _no_collections():  # this process's own pauses must not count as the bot's latency
            cpu0 = cpu_seconds(pid)
            workers = len(children_of(pid))
            print(f"{bot} on {db}: {f'a supervisor and {workers} workers' if workers else 'one process'}", flush=True)
            start = time.perf_counter()
            tasks = []
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                newcomer = not cold and i % NEWCOMER_EVERY == NEWCOMER_EVERY - 1
                tasks.append(asyncio.create_task(one(i, 100_000 + i if newcomer else 10_000 + i % USERS)))
            await asyncio.gather(*tasks)
            deadline = time.monotonic() + 60
            while (replies := await _replies(client, fake_port) - warm_up) < total and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            elapsed = time.perf_counter() - start
            cpu = cpu_seconds(pid) - cpu0
    latencies.sort()
    return {
        "bot": bot,
        "db": db if bot == "confbot" else "–",
        "users": "cold" if cold else "known",
        "offered/s": rate,
        "handled/s": round(total / elapsed, 1),
        "updates": total,
        "replies": replies,
        "errors": errors,
        "p50 ms": round(statistics.median(latencies), 1),
        "p99 ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "max ms": round(latencies[-1], 1),
        "bot CPU ms/update": round(cpu * 1000 / total, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, nargs="*", default=[100.0, 200.0, 300.0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--db", nargs="*", choices=["sqlite", "postgres"], default=["sqlite"])
    parser.add_argument("--bot", nargs="*", choices=list(BOTS), default=["confbot"])
    parser.add_argument("--cold", action="store_true", help="no warm-up per user: first contacts in the timed run")
    parser.add_argument(
        "--db-latency-ms",
        type=float,
        default=0.0,
        help="PostgreSQL one hop away: ms added to each round trip",
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    rows = []
    for rate in args.rate:
        for bot in args.bot:
            for db in args.db if bot == "confbot" else ["–"]:
                latency = args.db_latency_ms
                rows.append(asyncio.run(run(rate, args.seconds, bot=bot, db=db, cold=args.cold, db_latency_ms=latency)))
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print_table(rows)


if __name__ == "__main__":
    main()
