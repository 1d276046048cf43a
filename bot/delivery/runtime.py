"""The push runtime of one process: scheduler, dispatcher and content watcher together."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.core import Core
from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher, DispatchReport
from bot.delivery.replicas import HEARTBEAT_SECONDS, ReplicaShares
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.features.broadcast import push as broadcasts
from bot.features.feedback import push as feedback
from bot.features.questions import push as qa_posts
from bot.features.schedule import warnings as organizer_warnings
from bot.features.schedule.changes import (
    ConflictRefused,
    ReloadRefused,
    apply_programme,
    reload_from_path,
    snapshot_mark,
)
from bot.features.schedule.sync import ScheduleSync, SyncResult
from bot.programme import overrides
from bot.programme.content.loader import ContentError, Problem

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0  # also notices rows other replicas enqueued
FEEDBACK_SECONDS = 60.0  # rating prompts and the speakers' digest are queued within a minute of being due
STOP_GRACE_SECONDS = 5.0  # how long shutdown lets sends under way finish before cancelling them
WATCH_SECONDS = 5.0
SYNC_JOB = "confbot.schedule_sync"

Signature = tuple[tuple[str, int, int, int], ...]


def content_signature(path: Path) -> Signature:
    """Name, mtime, size and inode of each content file (to notice edits and atomic saves)."""
    files = sorted({*path.glob("*.yaml"), *path.glob("*.yml")}) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((f.name, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def _names(signature: Signature) -> frozenset[str]:
    return frozenset(name for name, *_ in signature)


def _missing(path: Path, loaded: frozenset[str], signature: Signature) -> ContentError | None:
    """A file that was there at the last successful load is gone (a save, checkout or rsync mid-way)."""
    gone = sorted(loaded - _names(signature))
    if not gone:
        return None
    message = (
        "missing, but it was there at the last successful load; the previous programme is kept until it "
        "is back (to drop it on purpose, run `confbot content reload`)"
    )
    return ContentError(Problem(str(path / name if path.is_dir() else path), None, "", message) for name in gone)


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
        # heartbeats in the shared database; each sender sends this replica's share of its platform's rate
        self.shares = ReplicaShares(core.db, self.dispatcher.worker_id, senders.values())
        self.scheduler = Scheduler(core.clock)
        self.watch_content = watch_content
        self._lock = asyncio.Lock()
        self._signature: Signature = ()  # the content state last handled: loaded, rejected or refused
        self._seen: Signature = ()  # what the previous look saw: a change must hold still for a tick
        self._files: frozenset[str] = frozenset()  # the files of the last successful load
        self._blocked: tuple[object, ...] | None = None  # snapshot mark when the current state was refused
        self._overrides: tuple[object, ...] = ()  # the organizers' fixes last taken up (/move, /cancel)
        self._stopping = False
        self._unlisten: Callable[[], None] | None = None
        # CONFBOT_SCHEDULE_URL: the published schedule is the content, the files only a fallback
        url = core.settings.schedule_url
        self.sync = ScheduleSync(core, url) if url else None

    async def start(self) -> None:
        """Record the schedule, start the scheduler and arm the first wake-up."""
        if self.sync is not None:
            self._overrides = overrides.mark(self.core.db)
            self.sync.restore()  # the last good copy of the published schedule, if there is one
        else:
            self._apply_files_at_start()
        self.shares.beat()  # the first heartbeat sets the senders' shares before anything is sent
        self.scheduler.start()
        self.scheduler.every(SAFETY_SECONDS, self._dispatch, "confbot.safety")
        self.scheduler.every(HEARTBEAT_SECONDS, self._heartbeat, "confbot.heartbeat")
        self.scheduler.every(FEEDBACK_SECONDS, self._feedback, "confbot.feedback", first_now=True)
        self.scheduler.every(FEEDBACK_SECONDS, self._qa, "confbot.qa", first_now=True)
        if self.watch_content and self.sync is not None:
            minutes = self.core.settings.schedule_sync_minutes
            self.scheduler.every(minutes * 60, self._sync, SYNC_JOB, first_now=True)
            self.scheduler.every(WATCH_SECONDS, self._follow, "confbot.content")
        elif self.watch_content:
            self.scheduler.every(WATCH_SECONDS, self._watch, "confbot.content")
        self._unlisten = outbox.on_commit(self.core.db, self.poke)
        self.poke()

    def _apply_files_at_start(self) -> None:
        path = Path(self.core.settings.content)
        self._signature = self._seen = content_signature(path)
        self._files = _names(self._signature)
        mark = snapshot_mark(self.core)
        self._overrides = overrides.mark(self.core.db)
        programme = overrides.with_stored(self.core.db, self.core.programme)  # a no-op after create_core
        try:
            apply_programme(self.core, programme, source=str(path))  # notices for edits made while down
        except (ContentError, ReloadRefused) as err:
            self._blocked = mark  # the watcher applies it once it is fixed or forced
            log.error("content at start-up not applied to the announced schedule, no notices queued: %s", err)

    def sync_status(self) -> str | None:
        """The last error of the live schedule sync, for ``/readyz``: None when it works or is not configured."""
        return self.sync.status() if self.sync is not None else None

    async def sync_now(self, *, force: bool = False) -> SyncResult | None:
        """One poll of ``CONFBOT_SCHEDULE_URL`` (the sync job); None when no URL is configured."""
        if self.sync is None:
            return None
        return await self.sync.poll(force=force)

    async def _sync(self) -> None:
        try:
            await self.sync_now()
        except Exception:
            log.exception("schedule sync failed unexpectedly; it polls again at the next interval")

    async def follow_tick(self) -> None:
        """With a synced schedule (the 5-second job): take up other replicas' fixes and forced copies."""
        if self.sync is None:
            return
        mark = overrides.mark(self.core.db)
        if mark != self._overrides:
            self._overrides = mark
            self.sync.reapply()
        self.sync.follow()

    async def _follow(self) -> None:
        try:
            await self.follow_tick()
        except Exception:
            log.exception("schedule follow-up failed; it looks again on the next tick")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop waking and claiming; sends under way get ``grace`` seconds to finish, the rest are
        cancelled; every claim still held is handed back, for this or another replica to send."""
        self._stopping = True
        self.dispatcher.stop_claiming()
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self.scheduler.shutdown()
        try:
            await asyncio.wait_for(self._lock.acquire(), grace)
        except TimeoutError:
            log.warning("sends still under way after %.0f s: cancelling %d", grace, self.dispatcher.abort())
            await self._lock.acquire()
        try:
            released = self.dispatcher.release()
            if released:
                log.info("handed back %d claimed pushes", released)
        finally:
            self._lock.release()
        try:
            self.shares.leave()  # the other replicas take this one's share at their next heartbeat
        except Exception:
            log.exception("could not remove this replica's heartbeat; it expires by itself")

    def poke(self) -> None:
        """Something was enqueued or re-timed: dispatch now (the pass re-arms itself)."""
        if not self._stopping:
            self.scheduler.wake_at(None, self._dispatch)

    async def dispatch_now(self) -> DispatchReport:
        """One dispatch pass, then re-arm for the next due time."""
        await self.shares.joined()  # joining running replicas: wait until they have lowered their shares
        async with self._lock:
            report = await self.dispatcher.run_due()
            with self.core.db.session() as session:
                # a broadcast with nothing left pending is done: its organizer's summary is queued (pokes us)
                broadcasts.finish_completed(session, self.core.clock.now())
                due = outbox.next_due(session)
            if due is not None and not self._stopping:
                self.scheduler.wake_at(due, self._dispatch)
            return report

    def plan_feedback(self) -> int:
        """Queue the rating prompts and speakers' digests now due (the minute job); how many new rows."""
        core = self.core
        with core.db.session() as session:
            now = core.clock.now()
            delay = core.settings.feedback_delay_minutes
            queued = feedback.plan(session, core.programme, now=now, delay_minutes=delay)
            return queued + feedback.plan_digests(
                session, core.programme, core.speaker_links, now=now, delay_minutes=delay
            )

    async def _feedback(self) -> None:
        try:
            self.plan_feedback()
        except Exception:
            log.exception("planning rating prompts failed; the next minute tries again")

    async def _qa(self) -> None:
        """The minute job of /qa on chats: queue the top-questions posts now due."""
        try:
            with self.core.db.session() as session:
                qa_posts.plan(session, self.core.programme, now=self.core.clock.now())
        except Exception:
            log.exception("planning Q&A posts failed; the next minute tries again")

    async def _heartbeat(self) -> None:
        """The heartbeat job: stay counted as live and follow the number of replicas."""
        try:
            self.shares.beat()
        except Exception:
            log.exception("heartbeat failed; the rate shares stay as they were")

    async def _dispatch(self) -> None:
        try:
            report = await self.dispatch_now()
            if report.total:
                log.info("dispatched %s", dict(report.outcomes))
        except Exception:
            log.exception("dispatch pass failed; the safety job retries")

    async def _watch(self) -> None:
        try:
            await self.watch_tick()
        except Exception:
            log.exception("content watch failed; it looks again on the next tick")

    async def watch_tick(self) -> None:
        """One look at the content files (the 5-second job): reload a change once it has held still.

        A broken edit, a missing file or no talks is rejected and one cancelling too many talks is
        refused; either way it is logged and the previous programme kept. While refused, the watcher
        retries when the announced schedule changes (``confbot content reload --force`` or another
        replica applied it). An organizer's /move or /cancel on another replica (the overrides
        changed) is taken up the same way: the files are reloaded with the fixes on top.
        """
        path = Path(self.core.settings.content)
        signature = content_signature(path)
        if signature != self._seen:  # changed since the last look: it may still be being written
            self._seen = signature
            return
        if signature != self._signature:
            self._reload(path, signature, check_files=True)
        elif (self._blocked is not None and snapshot_mark(self.core) != self._blocked) or overrides.mark(
            self.core.db
        ) != self._overrides:
            self._reload(path, signature, check_files=False)

    def _reload(self, path: Path, signature: Signature, *, check_files: bool) -> None:
        previous, self._signature = self._signature, signature
        try:
            mark = snapshot_mark(self.core)
            self._overrides = overrides.mark(self.core.db)
            missing = _missing(path, self._files, signature) if check_files else None
            if missing is not None:
                raise missing
            report = reload_from_path(self.core, path)
        except ContentError as err:
            self._blocked = mark
            log.error("content edit rejected, keeping the previous programme:\n%s", err)
            self._warn(path, [str(p) for p in err.problems])
        except ReloadRefused as err:
            self._blocked = mark
            log.error("content edit refused, keeping the previous programme: %s", err)
            self._warn(path, [str(c) for c in err.conflicts] if isinstance(err, ConflictRefused) else [str(err)])
        except Exception:
            self._signature = previous  # not handled: try again on the next tick
            raise
        else:
            self._blocked, self._files = None, _names(signature)
            log.info("content reloaded: %s", report)

    def _warn(self, path: Path, problems: list[str]) -> None:
        """Tell the organizers in chat that an edit was not applied (once per distinct problem)."""
        with self.core.db.session() as session:
            organizer_warnings.warn(
                session,
                self.core.settings.organizers,
                source=str(path),
                problems=problems,
                via="files",
                since=organizer_warnings.schedule_mark(self.core.programme),  # the last good one, still shown
                now=self.core.clock.now(),
            )
