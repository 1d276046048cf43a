"""300 room screens open on one room, one question asked: how soon does every screen show it?

Run: ``python -m bench.room_screens [--screens 300] [--changes 3] [--interval 1.0]``. Starts ``confbot
run`` with the web pages alone (``CONFBOT_WEB=true``: uvicorn on 127.0.0.1, a new SQLite file, the
bundled conference, ``CONFBOT_WEB_SCREEN_INTERVAL=--interval``) in a process of its own, opens
``--screens`` event streams (``GET /rooms/A/events``, raw HTTP/1.1 over asyncio, in this process) and
waits until each has its first screen. Then, ``--changes`` times (each at a random point of the poll), a
question is asked through a second core on the same database (as another replica or a chat would: the
server learns of it only by reading the room), and each stream's time from the ask to the screen that
shows the question is recorded. Columns: screens, updated (screens that showed every question, of
screens), p50 / p99 / max over every screen and change, the fan-out (first to last screen of one change,
the worst change) and the poll interval. Target (issue 25): all 300 within 2 s. Nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.startup import _wait_ready  # noqa: E402
from bench.table import print_table  # noqa: E402
from bench.telegram_updates import free_port  # noqa: E402
from bot.chat.messages import Address, Request  # noqa: E402
from bot.clock import FakeClock, SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.programme.content.loader import load_content  # noqa: E402
from bot.settings import BUNDLED_CONTENT, Settings  # noqa: E402
from bot.storage.db import Database  # noqa: E402

ROOM = "A"
WAIT = 10.0  # seconds a screen may take before it counts as not updated


class Screen:
    """One open event stream: the bytes it has received, and when each awaited text arrived."""

    def __init__(self) -> None:
        self.received = b""
        self.arrived: dict[bytes, float] = {}
        self.awaited: list[bytes] = []
        self.first = asyncio.Event()
        self.changed = asyncio.Event()

    async def run(self, port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /rooms/{ROOM}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        await writer.drain()
        try:
            while chunk := await reader.read(65536):
                now = time.perf_counter()
                self.received += chunk
                if b"event: screen" in self.received:
                    self.first.set()
                for text in self.awaited:
                    if text not in self.arrived and text in self.received:
                        self.arrived[text] = now
                        self.changed.set()
                self.received = self.received[-4096:]  # an awaited text is shorter than this
        finally:
            writer.close()


def ask(asker: Core, n: int, talk_id: int, text: str) -> None:
    who = Address("telegram", f"bench{n}", f"bench{n}")
    (reply,) = asker.handle(Request(who, text=f"/ask {talk_id} {text}"))
    assert f"#{talk_id}" in reply.plain_text, reply.plain_text


async def measure(screens: int, changes: int, interval: float) -> dict[str, str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'screens.db'}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CONFBOT_", "TELEGRAM_", "SLACK_"))},
            "CONFBOT_WEB": "true",
            "CONFBOT_HTTP_HOST": "127.0.0.1",
            "CONFBOT_HTTP_PORT": str(port),
            "CONFBOT_DATABASE_URL": url,
            "CONFBOT_WEB_SCREEN_INTERVAL": str(interval),
        }
        bot = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            await _wait_ready(f"http://127.0.0.1:{port}/readyz")
            settings = Settings(_env_file=None)
            programme = load_content(BUNDLED_CONTENT)
            # the talk the screen asks about now, and a core on the same database at a time it takes questions
            looker = Core(settings, Database(url), programme, SystemClock())
            shown = looker.web_room_screen(ROOM, "zh")
            looker.close()
            assert shown is not None and shown.questions_talk is not None
            talk = programme.talk(shown.questions_talk)
            assert talk is not None and talk.start is not None
            asker = Core(settings, Database(url), programme, FakeClock(talk.start))

            opened = [Screen() for _ in range(screens)]
            tasks = [asyncio.create_task(s.run(port)) for s in opened]
            await asyncio.wait_for(asyncio.gather(*(s.first.wait() for s in opened)), 60)
            delays: list[float] = []
            spread = 0.0  # first to last screen of one change: the fan-out itself
            updated = set(range(screens))
            phases = random.Random(7)
            for change in range(changes):
                await asyncio.sleep(interval * phases.random())  # each change lands at its own point of the poll
                text = f"bench question {change} {time.time_ns()}"
                for s in opened:
                    s.awaited.append(text.encode())
                began = time.perf_counter()
                await asyncio.to_thread(ask, asker, change, talk.id, text)
                deadline = began + WAIT
                while time.perf_counter() < deadline and any(text.encode() not in s.arrived for s in opened):
                    await asyncio.sleep(0.01)
                times = []
                for n, s in enumerate(opened):
                    if text.encode() in s.arrived:
                        times.append(s.arrived[text.encode()] - began)
                    else:
                        updated.discard(n)
                delays += times
                spread = max(spread, max(times) - min(times)) if times else spread
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            asker.close()
        finally:
            bot.terminate()
            bot.wait(timeout=30)
    delays.sort()
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    return {
        "screens": str(screens),
        "changes": str(changes),
        "updated": f"{len(updated)} of {screens}",
        "p50 ms": f"{statistics.median(delays) * 1000:.0f}" if delays else "-",
        "p99 ms": f"{p99 * 1000:.0f}",
        "max ms": f"{max(delays) * 1000:.0f}" if delays else "-",
        "fan-out ms": f"{spread * 1000:.0f}",
        "poll interval s": f"{interval:g}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    print_table([asyncio.run(measure(args.screens, args.changes, args.interval))])


if __name__ == "__main__":
    main()
