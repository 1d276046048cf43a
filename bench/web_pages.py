"""The public web pages under an open-loop load: ``/`` and ``/talks/<id>`` p50/p99 at a fixed rate.

Run: ``python -m bench.web_pages [--rate 100] [--seconds 20] [--db sqlite postgres] [--profile PATH]``.
Every combination of rate and database runs in turn, in this one invocation. The defaults are
issue 25's target: ``/`` and ``/talks/<id>`` p99 under 50 ms at 100 requests/s.

Two processes on 127.0.0.1: ``confbot run`` with ``CONFBOT_WEB=true`` and no chat platform (the pages
on uvicorn exactly as a deployment serves them, the bundled conference, its rehearsal clock at 10:00 on
the first day so the "now" and "next" boxes and the ended marks are filled) on SQLite (a temp file) or
on the real PostgreSQL (a private schema, dropped after; ``CONFBOT_BENCH_POSTGRES_URL``, by default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), and this load generator, so the client's CPU
is not the server's.

The load is open-loop: request ``i`` is due at ``start + i / rate`` and is sent then whether or not
the earlier ones were answered (HTTP/1.1 over a pool of keep-alive connections, a new one when all
are busy, up to 256). Latency runs from the time a request was due, not from when it left, so a
stalled server is charged for every request it held up (no coordinated omission). The client is a
few lines of asyncio streams (:class:`Connections`), not httpx: with a backlog of pending requests
httpx's pool costs the client more per request the longer the backlog (at 600/s offered it handled
124/s with the server 80 % idle, where this client handles 599/s), so the client, not the server,
would set the numbers. Half the requests are ``/``, half
``/talks/<id>`` over every talk id in turn; one in three asks for English (``Accept-Language: en``),
the rest for the default Chinese. A warm-up of every page once (both languages) comes first.

Columns: path, db, offered/s, handled/s (responses over the time from the first due time to the
last response), p50/p99/max ms, errors (non-200 answers and failed connections). "server CPU
ms/request" is the server process's user + system CPU over the timed run divided by its requests,
"client CPU ms/request" this process's (a client near a core's worth would be the bottleneck).
``--profile PATH`` runs the server under cProfile and writes ``PATH.<db>.<rate>.prof`` on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

from bench.table import print_table
from bench.telegram_updates import _wait_http, cpu_seconds, database, free_port
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT

CLOCK_START = "2026-12-12T10:00:00+08:00"  # the first morning: a talk on now, the break and talks next
ENGLISH_EVERY = 3  # one request in three asks for English


def server_env(port: int, database_url: str) -> dict[str, str]:
    """``confbot run``'s environment: the web pages alone on ``port``, no chat platform, the bundled
    conference (no setting of the caller's own ``TELEGRAM_``, ``SLACK_`` or ``CONFBOT_`` variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    return {
        **env,
        "CONFBOT_WEB": "true",
        "CONFBOT_HTTP_PORT": str(port),
        "CONFBOT_HTTP_HOST": "127.0.0.1",
        "CONFBOT_DATABASE_URL": database_url,
        "CONFBOT_CLOCK_START": CLOCK_START,
    }


def paths(count: int, talk_ids: list[int]) -> list[str]:
    """The request mix: every other request ``/``, the rest ``/talks/<id>`` over every talk in turn."""
    return ["/" if i % 2 == 0 else f"/talks/{talk_ids[(i // 2) % len(talk_ids)]}" for i in range(count)]


def _kind(path: str) -> str:
    return "/" if path == "/" else "/talks/<id>"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


async def run(rate: float, seconds: float, db: str, profile: str = "") -> list[dict[str, object]]:
    """One timed run against a new server: a row per kind of page and one for both."""
    talk_ids = sorted(t.id for t in load_content(BUNDLED_CONTENT).talks)
    port = free_port()
    with database(db) as url:
        prof = ["-m", "cProfile", "-o", f"{profile}.{db}.{int(rate)}.prof"] if profile else []
        server = subprocess.Popen(
            [sys.executable, *prof, "-m", "adapters.cli", "run"],
            env=server_env(port, url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait_http(f"http://127.0.0.1:{port}/readyz")
            return await _load(rate, seconds, server.pid, f"http://127.0.0.1:{port}", talk_ids, db)
        finally:
            server.terminate()  # SIGTERM: confbot run stops cleanly (and cProfile writes its file)
            server.wait(timeout=30)


class Connections:
    """A bare HTTP/1.1 client: GETs over a pool of keep-alive connections to one host, at most ``limit``
    open (a request waits for one when all are busy). O(1) a request, so a backlog does not slow the
    client down the way httpx's pool does with hundreds of requests pending."""

    def __init__(self, host: str, port: int, limit: int = 256) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(limit)

    async def get(self, path: str, language: str) -> int:
        """The response's status (its body read and dropped); a failure raises OSError or ValueError."""
        head = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Language: {language}\r\n"
            "User-Agent: confbot-bench\r\n\r\n"
        ).encode()
        async with self.slots:
            while self.idle:  # the most recently used first; one the server closed meanwhile is dropped
                reader, writer = self.idle.pop()
                if not reader.at_eof():
                    break
                writer.close()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(head)
                status, keep = await self._response(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                writer.close()
                raise
            if keep:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return status

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
        status_line = await reader.readline()
        if not status_line:
            raise ValueError("the connection closed before a response")
        status, length, keep = int(status_line.split()[1]), None, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                keep = False
        if length is None:
            raise ValueError("a response without Content-Length")
        await reader.readexactly(length)
        return status, keep

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _load(
    rate: float, seconds: float, pid: int, base: str, talk_ids: list[int], db: str
) -> list[dict[str, object]]:
    total = int(rate * seconds)
    mix = paths(total, talk_ids)
    latencies: dict[str, list[float]] = {"/": [], "/talks/<id>": []}
    errors = {"/": 0, "/talks/<id>": 0}
    host, port = base.removeprefix("http://").split(":")
    client = Connections(host, int(port))
    zh, en = "zh-CN,zh;q=0.9", "en"
    try:
        for path in ["/", *(f"/talks/{i}" for i in talk_ids)]:  # warm-up: every page once in each language
            for language in (zh, en):
                if await client.get(path, language) != 200:
                    raise RuntimeError(f"{path} did not answer 200 in the warm-up")
        last = 0.0

        async def one(i: int, due: float) -> None:
            nonlocal last
            path = mix[i]
            try:
                ok = await client.get(path, en if i % ENGLISH_EVERY == 0 else zh) == 200
            except (OSError, ValueError, asyncio.IncompleteReadError):
                ok = False
            done = time.perf_counter()
            last = max(last, done)
            latencies[_kind(path)].append((done - due) * 1000)
            errors[_kind(path)] += not ok

        cpu0, mine0 = cpu_seconds(pid), time.process_time()
        start = time.perf_counter()
        tasks = []
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        elapsed = last - start
        cpu, mine = cpu_seconds(pid) - cpu0, time.process_time() - mine0
    finally:
        client.close()
    rows = []
    both = latencies["/"] + latencies["/talks/<id>"]
    for kind, values in (*latencies.items(), ("both", both)):
        share = len(values) / total
        rows.append(
            {
                "path": kind,
                "db": db,
                "offered/s": f"{rate * share:g}",
                "handled/s": round(len(values) / elapsed, 1),
                "requests": len(values),
                "p50 ms": round(statistics.median(values), 1),
                "p99 ms": round(_percentile(values, 0.99), 1),
                "max ms": round(max(values), 1),
                "errors": sum(errors.values()) if kind == "both" else errors[kind],
                "server CPU ms/request": round(cpu * 1000 / total, 2) if kind == "both" else "",
                "client CPU ms/request": round(mine * 1000 / total, 2) if kind == "both" else "",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, nargs="*", default=[100.0], help="requests per second, in all")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", nargs="*", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--profile", default="", help="run the server under cProfile: PATH.<db>.<rate>.prof")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    rows = []
    for rate in args.rate:
        for db in args.db:
            rows += asyncio.run(run(rate, args.seconds, db, args.profile))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_table(rows)


if __name__ == "__main__":
    main()
