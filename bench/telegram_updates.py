"""Updates handled end to end through the Telegram webhook, with p50/p99 latency.

Run: ``python -m bench.telegram_updates [--rate 100 300] [--seconds 10]``.
Three processes on 127.0.0.1, as in production: the fake Bot API, the bot itself (``confbot
run`` in webhook mode, SQLite, the bundled conference) and this load generator, which POSTs
real update JSON at a fixed rate: a mix of /agenda, /now, /next, /talk, /speaker, /tracks and
searches from 500 different users in Chinese and English. Latency runs from the POST to its
response; the bot answers the webhook after its reply reached the Bot API.
Target: 300 updates/s with p99 under 100 ms on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

from bench.table import print_table
from tests.fakes.telegram_server import FakeTelegram

TEXTS = ["/agenda", "/now", "/next", "/talk 12", "/speaker 陈莉君", "网络", "xdp", "/talk 27", "chen lijun", "/tracks"]
TOKEN = "123456:TEST-token"


async def _wait_http(url: str, timeout: float = 30) -> None:
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


async def run(rate: float, seconds: float, fake_port: int = 8791, bot_port: int = 8792) -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{fake_port}/bot",
        "TELEGRAM_WEBHOOK_URL": "https://bench.invalid",
        "TELEGRAM_WEBHOOK_SECRET": "bench",
        "CONFBOT_HTTP_PORT": str(bot_port),
        "CONFBOT_HTTP_HOST": "127.0.0.1",
        "CONFBOT_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
    }
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)])
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        await _wait_http(f"http://127.0.0.1:{fake_port}/_stats")
        await _wait_http(f"http://127.0.0.1:{bot_port}/healthz")
        maker = FakeTelegram()
        latencies: list[float] = []
        errors = 0
        total = int(rate * seconds)
        url = f"http://127.0.0.1:{bot_port}/telegram/webhook"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "bench"}
        # aiohttp: a light client, so the load generator is not the bottleneck on 2 cores
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=400)) as client:

            async def one(i: int) -> None:
                nonlocal errors
                lang = "zh-hans" if i % 3 else "en"
                update = maker.message_update(10_000 + i % 500, TEXTS[i % len(TEXTS)], lang=lang)
                t0 = time.perf_counter()
                try:
                    async with client.post(url, json=update, headers=headers) as response:
                        await response.read()
                        errors += response.status != 200
                except aiohttp.ClientError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

            for i in range(20):  # warm-up
                await one(i)
            latencies.clear()
            start = time.perf_counter()
            tasks = []
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i)))
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - start
            async with client.get(f"http://127.0.0.1:{fake_port}/_stats") as response:
                stats = await response.json()
    finally:
        bot.terminate()
        fake.terminate()
        bot.wait(timeout=30)
        fake.wait(timeout=30)
    latencies.sort()
    return {
        "offered/s": rate,
        "handled/s": round(total / elapsed, 1),
        "updates": total,
        "replies": stats.get("sendMessage", 0) - 20,
        "errors": errors,
        "p50 ms": round(statistics.median(latencies), 1),
        "p99 ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "max ms": round(latencies[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, nargs="*", default=[100.0, 200.0, 300.0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rows = [asyncio.run(run(rate, args.seconds)) for rate in args.rate]
    print_table(rows)


if __name__ == "__main__":
    main()
