"""How long ``confbot run`` takes to be ready, for the bundled conference and a FOSDEM-sized one.

Run: ``python -m bench.startup [--runs 3]``. Builds a 1 000-talk Pentabarf ``schedule.xml`` with
``bench.generate.fosdem_xml`` and imports it with ``confbot content import`` (40 rooms, two days),
then for each content: the phases of a start in this process (loading the content, migrating an
empty SQLite database, building the search index, the first apply of the programme to the
announced schedule) and the wall time from starting ``confbot run`` (webhook mode, the fake Bot API,
a new SQLite file) to its ``/readyz`` answering 200. Medians of ``--runs``; nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import fosdem_xml  # noqa: E402
from bench.table import print_table  # noqa: E402
from bench.telegram_updates import _wait_http, free_port, webhook_env  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.features.schedule.changes import apply_programme  # noqa: E402
from bot.programme.content.loader import load_content  # noqa: E402
from bot.settings import BUNDLED_CONTENT, Settings  # noqa: E402
from bot.storage.db import Database  # noqa: E402


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def phases(content: Path) -> dict[str, float]:
    """One start's phases in this process, on a new SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        load, programme = _timed(lambda: load_content(content))
        db = Database(f"sqlite:///{Path(tmp) / 'start.db'}")
        migrate, _ = _timed(db.migrate)
        settings = Settings(_env_file=None, content=content)  # type: ignore[call-arg]
        core = Core(settings, db, programme, SystemClock())  # type: ignore[arg-type]
        index, _ = _timed(lambda: core.search)
        apply, _ = _timed(lambda: apply_programme(core, core.programme))
        talks = len(core.programme.talks)
        core.close()
    return {"talks": talks, "load": load, "migrate": migrate, "index": index, "apply": apply}


async def ready_seconds(content: Path) -> float:
    """Wall seconds from starting ``confbot run`` to ``/readyz`` answering 200."""
    fake_port, bot_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = webhook_env(fake_port, bot_port, f"sqlite:///{Path(tmp) / 'run.db'}")
        env["CONFBOT_CONTENT"] = str(content)
        fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)])
        try:
            await _wait_http(f"http://127.0.0.1:{fake_port}/_stats")
            began = time.perf_counter()
            bot = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "run"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                await _wait_ready(f"http://127.0.0.1:{bot_port}/readyz")
                return time.perf_counter() - began
            finally:
                bot.terminate()
                bot.wait(timeout=30)
        finally:
            fake.terminate()
            fake.wait(timeout=30)


async def _wait_ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} was not ready within 120 s")


def fosdem_content(directory: Path) -> Path:
    """A 1 000-talk schedule imported into ``directory``/content, as an organizer would."""
    xml = directory / "schedule.xml"
    xml.write_bytes(fosdem_xml())
    out = directory / "content"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "adapters.cli",
            "content",
            "import",
            str(xml),
            "--output",
            str(out),
            "--timezone",
            "Europe/Brussels",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "CONFBOT_DATABASE_URL": f"sqlite:///{directory / 'import.db'}"},
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in (("bundled", BUNDLED_CONTENT), ("fosdem-sized", fosdem_content(Path(tmp)))):
            runs = [phases(content) for _ in range(args.runs)]
            ready = [asyncio.run(ready_seconds(content)) for _ in range(args.runs)]

            def median(key: str, runs: list[dict[str, float]] = runs) -> str:
                return f"{statistics.median(r[key] for r in runs):.2f}"

            rows.append(
                {
                    "content": name,
                    "talks": str(int(runs[0]["talks"])),
                    "load s": median("load"),
                    "migrate s": median("migrate"),
                    "search index s": median("index"),
                    "first apply s": median("apply"),
                    "ready (confbot run) s": f"{statistics.median(ready):.2f}",
                }
            )
    print_table(rows)


if __name__ == "__main__":
    main()
