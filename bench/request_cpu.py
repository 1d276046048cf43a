"""CPU of one ``Core.respond`` on PostgreSQL, run four ways: where the per-update CPU goes (issue 21).

Run: ``python -m bench.request_cpu [--requests 3000] [--rate 300]``. In one process, on a private
schema of the real PostgreSQL (``CONFBOT_BENCH_POSTGRES_URL``), with the bundled conference, 500
known users and 1 request in 20 from someone new, the ``telegram_updates`` mix of texts:

- ``back to back``: one request after another, as fast as they go;
- ``inline``, ``threads``, ``greenlet``: paced at ``--rate`` per second on an event loop that does a
  little work of its own per request (as the webhook's parsing would), the request run on the loop
  itself (its database waits block it: for comparison only), in the core's request threads (what
  ``confbot run`` does), or in a greenlet through SQLAlchemy's asyncio extension with psycopg's async
  driver (the issue's other option: each database wait yields to the loop, no threads).

The column is this process's CPU per request, the loop's own work taken off. Nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.util import greenlet_spawn

from bench.table import print_table
from bench.telegram_updates import NEWCOMER_EVERY, POSTGRES_URL, TEXTS, USERS
from bot.chat.messages import Address, Request
from bot.core import Core
from bot.factory import create_core
from bot.settings import Settings
from bot.storage.db import reads_first
from tests.pg_schema import schema_url

LOOP_WORK = 6000  # additions in pure Python per request on the loop: about 0.1-0.3 ms


def _request(i: int, user: int) -> Request:
    address = Address("telegram", str(user), str(user))
    lang = "zh-hans" if user % 3 else "en"
    return Request(address=address, text=TEXTS[i % len(TEXTS)], locale=lang, display_name=f"U{user}")


def _requests(count: int, first_new: int) -> list[Request]:
    """The mix: known users, and every NEWCOMER_EVERY-th request from someone never seen."""
    return [
        _request(i, first_new + i if i % NEWCOMER_EVERY == NEWCOMER_EVERY - 1 else 10_000 + i % USERS)
        for i in range(count)
    ]


def _loop_work() -> None:
    total = 0
    for step in range(LOOP_WORK):
        total += step


def _on_async_engine(core: Core, url: str) -> AsyncEngine:
    """Give the core an engine whose database waits yield to the event loop (inside a greenlet)."""
    async_engine = create_async_engine(url)
    engine = async_engine.sync_engine
    reads_first(engine)
    core.db.engine = engine
    core.db.sessions = sessionmaker(engine, expire_on_commit=False)
    return async_engine


async def _paced(core: Core, way: str, requests: list[Request], rate: float, url: str) -> float:
    """CPU per request (ms), the loop's own work taken off."""
    async_engine = _on_async_engine(core, url) if way == "greenlet" else None

    async def one(request: Request) -> None:
        if way == "greenlet":
            await greenlet_spawn(core.respond, request)
        elif way == "inline":
            core.respond(request)
        else:
            await core.blocking(lambda: core.respond(request))

    began, cpu = time.monotonic(), time.process_time()
    tasks = []
    for i, request in enumerate(requests):
        delay = began + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        _loop_work()
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    spent = time.process_time() - cpu
    if async_engine is not None:
        await async_engine.dispose()
    loop_cpu = time.process_time()
    for _ in requests:
        _loop_work()
    return (spent - (time.process_time() - loop_cpu)) * 1000 / len(requests)


def measure(way: str, count: int, rate: float) -> dict[str, object]:
    """One way's row, on a schema of its own."""
    with schema_url(POSTGRES_URL, "bench") as url:
        core = create_core(Settings(database_url=url, _env_file=None))
        for i in range(USERS):
            core.respond(_request(i, 10_000 + i))
        requests = _requests(count, 100_000)
        if way == "back to back":
            cpu = time.process_time()
            for request in requests:
                core.respond(request)
            per_request = (time.process_time() - cpu) * 1000 / count
        else:
            per_request = asyncio.run(_paced(core, way, requests, rate, url))
        core.close()
    return {
        "way": way,
        "requests": count,
        "rate/s": rate if way != "back to back" else "–",
        "CPU ms/request": round(per_request, 3),
    }


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--requests", type=int, default=3000)
    cli.add_argument("--rate", type=float, default=300.0)
    args = cli.parse_args()
    print(f"load average before: {os.getloadavg()}")
    rows = [measure(way, args.requests, args.rate) for way in ("back to back", "inline", "threads", "greenlet")]
    print(f"load average after: {os.getloadavg()}")
    print_table(rows)


if __name__ == "__main__":
    main()
