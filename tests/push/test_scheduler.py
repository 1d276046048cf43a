"""The scheduler runs periodic jobs quietly: no INFO line per run."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.clock import SystemClock
from bot.push.scheduler import Scheduler


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
