"""The push runtime of one process: the scheduler, the dispatcher, and the features' jobs and services.

It names no feature: what runs besides delivery is what the enabled features registered with
:mod:`bot.delivery.jobs` (``@every``, ``@service``, ``@after_dispatch``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta

from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher, DispatchReport
from bot.delivery.jobs import AFTER_DISPATCH, SERVICES, Periodic, Service
from bot.delivery.replicas import HEARTBEAT_SECONDS, ReplicaShares
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.host import Host
from bot.storage.outage import Outage, first_line, unavailable

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0  # also notices rows other replicas enqueued
IN_FLIGHT_SECONDS = 1 / 30  # sends in flight: a thirtieth of a second of the senders' rates, 16 at least
STOP_GRACE_SECONDS = 5.0  # how long shutdown lets sends under way finish before cancelling them
RETRY_SECONDS = 2.0  # a pass that failed because the database went away is tried again this soon


def in_flight_for(senders: Iterable[Sender]) -> int:
    """How many sends may be under way at once: 16 (Telegram's 30/s and Slack's 1/s need no more),
    and more for a faster sender (Telegram's paid broadcasts, 1 000/s: 34), up to 64. It is also the
    bound on what a ``kill -9`` can send twice."""
    total = sum(sender.rate_per_second for sender in senders)
    return max(16, min(64, math.ceil(total * IN_FLIGHT_SECONDS)))


class Runtime:
    """Starts and stops everything that pushes messages for ``host`` (the core).

    Every registered service runs; with ``periodic=False`` they start but their periodic jobs are not
    scheduled: a test or a bench runs them by hand.
    """

    def __init__(
        self,
        host: Host,
        senders: Mapping[str, Sender],
        *,
        replica_id: str | None = None,
        periodic: bool = True,
        on_shares: Callable[[Mapping[str, float]], None] | None = None,
    ) -> None:
        self.host = host
        self.periodic = periodic
        host.send_rates.register(senders.values())
        self.dispatcher = Dispatcher(
            host.db,
            host.clock,
            lambda: host.programme,
            senders,
            worker_id=replica_id or host.settings.replica_id or f"{os.uname().nodename}-{os.getpid()}",
            concurrency=in_flight_for(senders.values()),
        )
        # heartbeats in the shared database; each sender sends this replica's share of its platform's rate
        # and ``on_shares`` hears them too (the core's per-person inbound limits take the same share)
        self.shares = ReplicaShares(host.db, self.dispatcher.worker_id, senders.values(), on_shares=on_shares)
        self.scheduler = Scheduler(host.clock)
        self.services: dict[str, Service] = {}
        for name, factory in SERVICES.items():
            made = factory(host)  # None: off in this configuration
            if made is not None:
                self.services[name] = made
        self._lock = asyncio.Lock()
        self._stopping = False
        self._heartbeat_outage = Outage(log, "heartbeat (the rate shares stay as they were)")
        self._unlisten: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0

    def service(self, name: str) -> Service | None:
        """The running service registered as ``name``, or None when it is off."""
        return self.services.get(name)

    def warnings(self) -> dict[str, Callable[[], str | None]]:
        """Each service's ``status()`` (a warning for ``/readyz``, None when fine), by service name, and
        the delivery's own: paused for the database, or pushes held past their lease."""
        checks: dict[str, Callable[[], str | None]] = {"delivery": self.delivery_status}
        for name, running in self.services.items():
            status = getattr(running, "status", None)
            if callable(status):
                checks[name] = status
        return checks

    def delivery_status(self) -> str | None:
        """Why pushes are not flowing, or None: a pass waiting for the database, or rows left ``sending``
        past their lease plus the safety interval (no replica retook them: dispatch is stalled)."""
        away = self.dispatcher.outage.down_for
        if away is not None:
            kept = self.dispatcher.unrecorded
            return f"paused: the database has been away for {away:.0f} s ({kept} outcomes kept to record)"
        try:
            with self.host.db.session() as session:
                stuck = outbox.overdue(session, self.host.clock.now(), timedelta(seconds=SAFETY_SECONDS))
        except Exception as error:
            if not unavailable(error):
                raise
            return "paused: the database is away"
        return f"stalled: {stuck} pushes held past their lease" if stuck else None

    async def start(self) -> None:
        """Start the services, the scheduler and their jobs, and arm the first wake-up."""
        for running in self.services.values():
            running.start()  # e.g. the content as it stands, with notices for edits made while down
        self.shares.beat()  # the first heartbeat sets the senders' shares before anything is sent
        self.scheduler.start()
        self.scheduler.every(SAFETY_SECONDS, self._dispatch, "confbot.safety")
        self.scheduler.every(HEARTBEAT_SECONDS, self._heartbeat, "confbot.heartbeat")
        for running in self.services.values() if self.periodic else ():
            for job in running.periodic():
                self.scheduler.every(job.seconds, self._guarded(job), job.name, first_now=job.first_now)
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        self._unlisten = outbox.on_commit(self.host.db, self.poke)
        self.poke()

    @staticmethod
    def _guarded(job: Periodic) -> Callable[[], Awaitable[None]]:
        """``job.tick`` with its errors logged: a failed run is tried again at the next interval. The
        database being away is said once, and once more when it is back, not at every run."""
        outage = Outage(log, f"job {job.name}")

        async def run() -> None:
            try:
                await job.tick()
            except Exception as error:
                if unavailable(error):
                    outage.failed(error)
                else:
                    log.exception("job %s failed; it runs again in %.0f s", job.name, job.seconds)
            else:
                outage.answered()

        return run

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop waking and claiming; sends under way get ``grace`` seconds to finish, the rest are
        cancelled; every claim still held is handed back, for this or another replica to send."""
        self._stopping = True
        deadline = time.monotonic() + grace
        self.dispatcher.stop_claiming()
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self.scheduler.pause()  # shut down at the end: APScheduler's shutdown cancels the jobs still running
        try:
            await asyncio.wait_for(self._lock.acquire(), grace)
        except TimeoutError:
            log.warning("sends still under way after %.0f s: cancelling %d", grace, self.dispatcher.abort())
            await self._lock.acquire()
        try:
            await self._release(deadline)
        finally:
            self._lock.release()
        # a wake-up that was waiting for the lock finds nothing to claim and ends, a job's run finishes
        running = self.scheduler.running() - {asyncio.current_task()}
        _, late = await asyncio.wait(running, timeout=max(0.1, deadline - time.monotonic())) if running else ((), ())
        for task in late:
            log.warning("job still running at shutdown; cancelling it")
            task.cancel()
        self.scheduler.shutdown()
        try:
            self.shares.leave()  # the other replicas take this one's share at their next heartbeat
        except Exception:
            log.exception("could not remove this replica's heartbeat; it expires by itself")

    async def _release(self, deadline: float) -> None:
        """Record what this process knows and hand its claims back; with the database away, try until
        ``deadline`` (a restart's few seconds), then leave the claims to run out their leases."""
        while True:
            try:
                released = self.dispatcher.release()
            except Exception as error:
                if unavailable(error) and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    continue
                log.error(  # what was sent and not yet recorded may go out again: the crash bound
                    "could not record %d outcomes or hand back the claimed pushes (%s); they are retaken "
                    "when their leases end",
                    self.dispatcher.unrecorded,
                    first_line(error),
                )
                return
            if released:
                log.info("handed back %d claimed pushes", released)
            return

    def poke(self) -> None:
        """Something was enqueued or re-timed: dispatch now (the pass re-arms itself).

        Safe from any thread: a request thread's commit pokes through the event loop.
        """
        if self._stopping:
            return
        loop = self._loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            loop.call_soon_threadsafe(self._poke_here)
        else:
            self._poke_here()

    def _poke_here(self) -> None:
        if not self._stopping:
            self.scheduler.wake_at(None, self._dispatch)

    async def dispatch_now(self) -> DispatchReport:
        """One dispatch pass, then re-arm for the next due time."""
        await self.shares.joined()  # joining running replicas: wait until they have lowered their shares
        async with self._lock:
            report = await self.dispatcher.run_due()
            due = await asyncio.to_thread(self._after_pass)
            if due is not None and not self._stopping:
                self.scheduler.wake_at(due, self._dispatch)
            return report

    def _after_pass(self) -> datetime | None:
        """After a dispatch pass (in a worker thread): the features' hooks, then the next due time."""
        with self.host.db.session() as session:
            now = self.host.clock.now()
            for hook in AFTER_DISPATCH:  # e.g. a finished broadcast queues its organizer's summary
                hook(session, now)
            return outbox.next_due(session)

    async def _heartbeat(self) -> None:
        """The heartbeat job: stay counted as live and follow the number of replicas."""
        try:
            await self.shares.beat_off_loop()
        except Exception as error:
            if unavailable(error):  # said once per outage
                self._heartbeat_outage.failed(error)
            else:
                log.exception("heartbeat failed; the rate shares stay as they were")
        else:
            self._heartbeat_outage.answered()

    async def _dispatch(self) -> None:
        """The dispatch job (a wake-up, a poke or the safety job): one pass, its failure logged."""
        if self._stopping:
            return
        try:
            report = await self.dispatch_now()
            if report.total:
                log.info("dispatched %s", dict(report.outcomes))
        except Exception as error:
            if not unavailable(error):
                log.exception("dispatch pass failed; the safety job retries")
            elif not self._stopping:  # the database went away after the pass: look again shortly
                self.dispatcher.outage.failed(error)
                self.scheduler.wake_at(self.host.clock.now() + timedelta(seconds=RETRY_SECONDS), self._dispatch)
