"""The push runtime of one process: scheduler, dispatcher and content watcher together."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.core import Core
from bot.push import outbox
from bot.push.dispatcher import Dispatcher, DispatchReport
from bot.push.scheduler import Scheduler
from bot.push.sender import Sender

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0  # also notices rows other replicas enqueued
WATCH_SECONDS = 5.0


def content_signature(path: Path) -> tuple[tuple[str, float, int], ...]:
    """Names, mtimes and sizes of the content files (to notice edits)."""
    files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
            out.append((f.name, st.st_mtime, st.st_size))
        except OSError:
            continue
    return tuple(out)


class Runtime:
    """Starts and stops everything that pushes messages for ``core``."""

    def __init__(
        self, core: Core, senders: Mapping[str, Sender], *, replica_id: str | None = None, watch_content: bool = True
    ) -> None:
        self.core = core
        core.send_rates.register(senders.values())
        self.dispatcher = Dispatcher(
            core.db,
            core.clock,
            lambda: core.programme,
            senders,
            worker_id=replica_id or core.settings.replica_id or f"{os.uname().nodename}-{os.getpid()}",
        )
        self.scheduler = Scheduler(core.clock)
        self.watch_content = watch_content
        self._lock = asyncio.Lock()
        self._signature: tuple[tuple[str, float, int], ...] = ()
        self._stopping = False
        self._unlisten: Callable[[], None] | None = None

    async def start(self) -> None:
        """Record the schedule, start the scheduler and arm the first wake-up."""
        from bot.push.schedule_changes import apply_programme

        apply_programme(self.core, self.core.programme)  # notices for edits made while down
        self._signature = content_signature(Path(self.core.settings.content))
        self.scheduler.start()
        self.scheduler.every(SAFETY_SECONDS, self._dispatch, "confbot.safety")
        if self.watch_content:
            self.scheduler.every(WATCH_SECONDS, self._watch, "confbot.content")
        self._unlisten = outbox.on_commit(self.core.db, self.poke)
        self.poke()

    async def stop(self) -> None:
        """Stop waking, let an in-flight pass finish, hand back claims."""
        self._stopping = True
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self.scheduler.shutdown()
        async with self._lock:
            self.dispatcher.release()

    def poke(self) -> None:
        """Something was enqueued or re-timed: dispatch now (the pass re-arms itself)."""
        if not self._stopping:
            self.scheduler.wake_at(None, self._dispatch)

    async def dispatch_now(self) -> DispatchReport:
        """One dispatch pass, then re-arm for the next due time."""
        async with self._lock:
            report = await self.dispatcher.run_due()
            with self.core.db.session() as session:
                due = outbox.next_due(session)
            if due is not None and not self._stopping:
                self.scheduler.wake_at(due, self._dispatch)
            return report

    async def _dispatch(self) -> None:
        try:
            report = await self.dispatch_now()
            if report.total:
                log.info("dispatched %s", dict(report.outcomes))
        except Exception:
            log.exception("dispatch pass failed; the safety job retries")

    async def _watch(self) -> None:
        """Reload content when its files change; a broken edit is logged, the old kept."""
        from bot.content.loader import ContentError
        from bot.push.schedule_changes import reload_from_path

        path = Path(self.core.settings.content)
        signature = content_signature(path)
        if signature == self._signature:
            return
        self._signature = signature
        try:
            report = reload_from_path(self.core, path)
            log.info("content reloaded: %s", report)
        except ContentError as err:
            log.error("content edit rejected, keeping the previous programme:\n%s", err)
