"""APScheduler wiring: wake the dispatcher at the next due time, not on a busy loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock

DISPATCH_JOB = "confbot.dispatch"
# APScheduler logs every job run and every re-armed wake-up at INFO: two lines every 5 s for the
# content watcher alone. Its warnings and errors (missed or failed jobs) still show.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


class Scheduler:
    """One AsyncIOScheduler with jobs under stable ids (``replace_existing``: never doubled)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[Any]] = set()

    def running(self) -> set[asyncio.Task[Any]]:
        """The jobs running now (a stop waits for them)."""
        return set(self._running)

    def _tracked(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            finally:
                self._running.discard(task)

        return run

    def start(self) -> None:
        """Start in the running event loop."""
        self._scheduler.start()

    def pause(self) -> None:
        """Start no more jobs; the ones running go on (shutting down waits for them, then shuts down)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        """Stop scheduling. APScheduler cancels the jobs still running: :meth:`pause` first, and let them end."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake_at(self, instant: datetime | None, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` when the bot's clock reads ``instant`` (now, if it already passed)."""
        real = datetime.now(UTC) if instant is None else max(self.clock.to_real(instant), datetime.now(UTC))
        self._scheduler.add_job(
            self._tracked(job),
            DateTrigger(run_date=real),
            id=DISPATCH_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            # one pass may be running while the next is armed (a poke, or the pass re-arming
            # itself); with one instance APScheduler would skip the new one until the safety job.
            # The runtime's lock makes the second wait for the first.
            max_instances=2,
        )

    def next_wake(self) -> datetime | None:
        """When the dispatch job will next run (real time), for tests and diagnostics."""
        job = self._scheduler.get_job(DISPATCH_JOB)
        return job.next_run_time if job else None

    def every(
        self, seconds: float, job: Callable[[], Awaitable[None]], job_id: str, *, first_now: bool = False
    ) -> None:
        """Run ``job`` periodically under a stable id (the first run at once with ``first_now``)."""
        self._scheduler.add_job(
            self._tracked(job),
            IntervalTrigger(seconds=seconds),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            **({"next_run_time": datetime.now(UTC)} if first_now else {}),
        )
