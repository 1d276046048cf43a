"""The runtime: APScheduler wakes the dispatcher at the due time; content edits are applied."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path

from bot.clock import FakeClock, ShiftedClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import seed_due_reminders, small_content
from tests.fakes.senders import RecordingSender
from tests.helpers import ask

ROOT = Path(__file__).resolve().parents[2]


async def test_scheduler_wakes_the_dispatcher_at_the_due_time(tmp_path: Path, settings: Settings) -> None:
    programme = small_content()
    from bot.programme.content.programme import Programme

    prog = Programme.from_content(programme)
    due = prog.talk(2).start - timedelta(minutes=10)
    clock = ShiftedClock(due - timedelta(seconds=1.5))  # a rehearsal: real time, shifted
    db = Database(f"sqlite:///{tmp_path / 'rt.db'}")
    db.migrate()
    core = Core(settings, db, prog, clock)
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)
    await runtime.start()
    try:
        ask(core, "/subscribe 2", locale="en")
        assert runtime.scheduler.next_wake() is not None
        deadline = time.monotonic() + 10
        while not sender.delivered and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert sender.texts() and sender.texts()[0].startswith("⏰ Starting in 10 minutes")
        arrived = clock.now()
        assert due - timedelta(seconds=2) <= arrived < due + timedelta(seconds=3)  # 1 s fan-out margin
    finally:
        await runtime.stop()
        db.dispose()


def test_console_rehearsal_prints_the_reminder_within_seconds(tmp_path: Path) -> None:
    """CONFBOT_CLOCK_START just before a reminder time, /subscribe, and the reminder prints."""
    bundled = load_content(ROOT / "content" / "ebpf-china")
    talk = next(t for t in bundled.talks if t.kind != "keynote")
    start = (talk.start - timedelta(minutes=10) - timedelta(seconds=2)).astimezone(UTC)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    env.update(
        CONFBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}",
        CONFBOT_CLOCK_START=start.isoformat(),
        PYTHONIOENCODING="utf-8",
        PYTHONUNBUFFERED="1",
        LANG="en_US.UTF-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "chat", "--stay"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"/subscribe {talk.id}\n")
    proc.stdin.close()
    seen = ""
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and "Starting in 10 minutes" not in seen:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
    finally:
        proc.kill()
        proc.wait()
    assert f"Subscribed to #{talk.id}" in seen
    assert "🔔 ⏰ Starting in 10 minutes" in seen


async def test_readyz_warns_when_pushes_are_held_past_their_lease_and_nobody_retakes_them(
    core: Core, clock: FakeClock
) -> None:
    seed_due_reminders(core.db, clock, core.programme, 3)
    runtime = Runtime(core, {"telegram": RecordingSender(platform="telegram")}, periodic=False)
    assert runtime.delivery_status() is None
    outbox.claim(  # a replica claimed them, then hung (or died) holding them
        core.db, now=clock.now(), worker="hung", limit=10, lease=timedelta(minutes=2)
    )
    clock.advance(120 + 10)  # past the lease, within the safety interval: a pass would still retake them
    assert runtime.delivery_status() is None
    clock.advance(60)
    assert runtime.delivery_status() == "stalled: 3 pushes held past their lease"
    assert runtime.warnings()["delivery"]() == "stalled: 3 pushes held past their lease"  # listed by /readyz
