"""The scheduler runs periodic jobs quietly: no INFO line per run."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.clock import SystemClock
from bot.delivery.scheduler import Scheduler


async def test_periodic_jobs_run_without_an_info_line_each_time(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)

    scheduler = Scheduler(SystemClock())
    scheduler.start()
    try:
        scheduler.every(0.02, job, "test.watch")
        scheduler.wake_at(None, job)
        for _ in range(100):  # real time: APScheduler runs on the loop's clock
            if len(runs) >= 3:
                break
            await asyncio.sleep(0.02)
    finally:
        scheduler.shutdown()
    assert len(runs) >= 3
    assert [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")] == []


async def test_a_wake_up_armed_while_the_pass_runs_is_not_skipped() -> None:
    """A pass that re-arms itself (or is poked) while it runs gets its next pass at once,
    not at the 30-second safety job (APScheduler skips a job whose instance is still running)."""
    scheduler = Scheduler(SystemClock())
    runs: list[int] = []

    async def dispatch() -> None:
        runs.append(1)
        if len(runs) == 1:
            scheduler.wake_at(None, dispatch)  # something was enqueued during this pass
            await asyncio.sleep(0.05)  # the pass is still sending when the wake-up fires

    scheduler.start()
    try:
        scheduler.wake_at(None, dispatch)
        for _ in range(100):
            if len(runs) >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        scheduler.shutdown()
    assert len(runs) == 2
