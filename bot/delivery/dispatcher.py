"""The dispatcher: claims due outbox rows, sends them through platform senders, records outcomes.

Outcomes: ``sent``; ``retry`` after the platform's ``retry_after`` exactly, else exponential
back-off, up to ``max_attempts``; ``blocked`` deactivates the user and cancels their pending
pushes; ``failed`` is permanent with the reason kept. A reminder whose talk already started is
recorded as ``missed`` instead of being sent late.

Crash bound: each row's outcome is recorded right after its own send, so a crash can cause at
most the rows in flight (``concurrency``, default 16) to be sent twice, after their lease
expires. Rows claimed ahead but not yet sent are not sent twice: they go out once their lease
expires (graceful shutdown hands them back at once), and one that waited over a quarter of its
lease has it renewed before its send (or is dropped if another worker retook it). See
docs/delivery.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery import outbox
from bot.delivery.counters import RATE_LIMITED, SEND_TIMEOUTS, SENDS
from bot.delivery.marks import SentMarks
from bot.delivery.renderers import render_push
from bot.delivery.sender import Sender, SendResult
from bot.programme.content.programme import Programme
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from bot.storage.outage import Outage, unavailable
from bot.users import PAGE_ONLY

log = logging.getLogger(__name__)
PROBE_FIRST = 0.25  # seconds between looks at a database that went away, doubling ...
PROBE_MAX = 2.0  # ... up to this: dispatch resumes within about two seconds of it answering again
Write = Callable[[Session], object]  # an outcome to record, in a transaction of its own


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Rows handled."""
        return sum(self.outcomes.values())


class Dispatcher:
    """Delivers due pushes. One per process; several may share a PostgreSQL database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        programme: Callable[[], Programme],
        senders: Mapping[str, Sender],
        *,
        worker_id: str | None = None,
        batch: int = 200,
        concurrency: int = 16,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 10,
        base_backoff: float = 0.5,
    ) -> None:
        self.db = db
        self.clock = clock
        self.programme = programme  # the current one: content may be reloaded while running
        self.senders = dict(senders)
        self.worker_id = worker_id or f"w-{uuid.uuid4().hex[:10]}"
        self.batch = batch
        self.concurrency = concurrency
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self._claiming = True  # False once shutting down: the pass finishes what it holds, claims no more
        self._in_flight: set[asyncio.Task[str]] = set()
        self._ahead: list[outbox.Claimed] = []  # claimed, not yet sending, urgent first
        self._held: dict[int, datetime] = {}  # rows ahead or in flight: when their lease began
        self._row_of: dict[asyncio.Task[str], int] = {}  # the row each send in flight delivers
        self._sending_to: dict[int, asyncio.Task[str]] = {}  # each recipient with a send in flight
        self.outage = Outage(log, "dispatch")  # while the database is away the pass waits, then goes on
        self._marks = SentMarks(db, self.worker_id, clock.now, self.outage)  # deliveries recorded in batches
        self._kept: dict[int, Write] = {}  # other outcomes whose write waits for the database, by row
        self._stopped = asyncio.Event()

    def stop_claiming(self) -> None:
        """Shutting down: a running pass claims nothing more and returns once its sends are done."""
        self._claiming = False
        self._stopped.set()

    @property
    def unrecorded(self) -> int:
        """Outcomes known here but not yet written (the database was away): none is lost or re-sent."""
        return len(self._marks) + len(self._kept)

    def abort(self) -> int:
        """Cancel the sends still under way (their claims are then handed back by :meth:`release`)."""
        for task in self._in_flight:
            task.cancel()
        return len(self._in_flight)

    async def run_due(self) -> DispatchReport:
        """Send everything due now; returns when nothing due is left.

        Rows are claimed ahead, up to ``2 × concurrency`` (one claim per ``concurrency`` sends, not
        one per send), and sends are topped up as they finish (a pipeline, not batch by batch), so
        a rate-limited sender is never left idle. Urgent rows claimed later go before bulk rows
        claimed earlier.
        """
        report = DispatchReport()
        in_flight = self._in_flight
        ahead = self._ahead
        try:
            while True:
                if self._claiming and len(ahead) < self.concurrency and not await self._claim_ahead():
                    await self._until_database_answers()  # the database is away: the pass waits for it
                    continue
                # a send holds its slot until its mark is written: at most `concurrency` rows are out
                # and unrecorded at any time, which bounds what a kill -9 can send twice
                while self._claiming and ahead and len(in_flight) + len(self._marks) < self.concurrency:
                    # one person's pushes go out one at a time, in the order claimed: a row whose
                    # recipient has a send in flight waits in line, and the next free one goes
                    row = next((r for r in ahead if r.recipient_id not in self._sending_to), None)
                    if row is None:
                        break
                    try:
                        mine = await self._lease_left(row)
                    except Exception as error:
                        if not unavailable(error):
                            ahead.remove(row)  # not ours to hold any more: retaken by any worker once its lease ends
                            raise
                        self.outage.failed(error)
                        await self._until_database_answers()
                        break  # the row is still in line: its lease is looked at again
                    ahead.remove(row)
                    if not mine:
                        continue  # another worker has it now
                    task = asyncio.create_task(self._deliver(row))
                    in_flight.add(task)
                    self._row_of[task] = row.id
                    self._sending_to[row.recipient_id] = task
                if not in_flight:
                    if self.unrecorded:  # every outcome recorded before the pass goes on or ends
                        if not await self._record_kept() and self._claiming:
                            await self._until_database_answers()
                        if self._claiming or not self.unrecorded:
                            continue
                    return report  # shutting down, rows still claimed ahead are handed back by release()
                writing = self._marks.writing
                waiting: set[asyncio.Task[Any]] = {*in_flight, writing} if writing is not None else {*in_flight}
                finished, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                done = in_flight & finished  # a finished write only frees slots up
                in_flight -= done
                for task in done:  # every finished row is let go first, so a failure below strands none
                    self._held.pop(self._row_of.pop(task, -1), None)
                    self._let_go(task)
                for task in done:
                    report.outcomes[_outcome_of(task)] += 1
        except BaseException:
            # shutting down (or a bug): claim nothing more, but let the sends already under way finish
            # and record their outcomes, so no claim is handed back for a message that went out
            await asyncio.gather(*in_flight, return_exceptions=True)
            for task in in_flight:  # finished: their rows are let go (a later pass may retake a retry)
                self._held.pop(self._row_of.pop(task, -1), None)
                self._let_go(task)
            in_flight.clear()
            await self._marks.drain()
            raise

    async def _claim_ahead(self) -> bool:
        """Claim due rows to send next; False if the database is away. The outcomes kept while it was
        away are written first: a row whose outcome is known here is never claimed to be sent again."""
        try:
            if self.unrecorded and not await self._record_kept():
                return False
            await self._claim()
        except Exception as error:
            if not unavailable(error):
                raise
            self.outage.failed(error)
            return False
        self.outage.answered()
        return True

    async def _claim(self) -> None:
        now = self.clock.now()
        ahead = self._ahead
        rows = await asyncio.to_thread(
            outbox.claim,
            self.db,
            now=now,
            worker=self.worker_id,
            limit=min(self.batch, 2 * self.concurrency - len(ahead)),
            lease=self.lease,
        )
        # a row of ours whose lease ran out while it waited is claimed again: same row, new lease;
        # nor is one that went out and waits for its mark (it is marked sent, not sent again), nor
        # one whose other outcome waits to be written
        fresh = [r for r in rows if r.id not in self._held and r.id not in self._marks and r.id not in self._kept]
        ahead.extend(fresh)
        ahead.sort(key=lambda r: (r.priority, r.due_at, r.id))
        fresh_ids = {r.id for r in fresh}
        self._held.update((r.id, now) for r in rows if r.id in self._held or r.id in fresh_ids)

    async def _until_database_answers(self) -> None:
        """Wait, looking now and then, until the database answers again (or the process stops)."""
        delay = PROBE_FIRST
        while self._claiming:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)
            try:
                await asyncio.to_thread(self._probe)
            except Exception as error:
                if not unavailable(error):
                    raise
                self.outage.failed(error)
                delay = min(2 * delay, PROBE_MAX)
                continue
            return

    def _probe(self) -> None:
        with self.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def _record_kept(self) -> bool:
        """Write the marks and outcomes kept while the database was away; whether all are written."""
        await self._marks.drain()
        kept = dict(self._kept)
        if kept:
            written = await asyncio.to_thread(self._write_kept, kept)
            for row_id in written:
                self._kept.pop(row_id, None)
        if not self.unrecorded:
            self.outage.answered()
            return True
        return False

    def _write_kept(self, kept: dict[int, Write]) -> list[int]:
        """Write ``kept`` in order, each in its own transaction; the rows done with (stops at an outage)."""
        done: list[int] = []
        for row_id, write in kept.items():
            try:
                with self.db.session() as session:
                    write(session)
            except Exception as error:
                if unavailable(error):
                    self.outage.failed(error)
                    break
                # a bug, not an outage: the row stays claimed until its lease ends, then is tried again
                log.exception("could not record the outcome of push %s; it is retried after its lease", row_id)
            done.append(row_id)
        return done

    async def _write(self, row_id: int, write: Write) -> None:
        """Record a row's outcome (not a delivery: those go to the marks) now, or, if the database is
        away, keep it here and write it once the database is back."""
        if not await asyncio.to_thread(self._write_kept, {row_id: write}):
            self._kept[row_id] = write

    async def _lease_left(self, row: outbox.Claimed) -> bool:
        """Whether ``row``, about to be sent, is still ours with most of a lease ahead: a row that
        waited over a quarter of its lease has it renewed first (False: another worker retook it)."""
        now = self.clock.now()
        began = self._held.get(row.id)
        if began is None:  # let go after a failed renewal: any worker retakes it once its lease ends
            return False
        if now - began <= self.lease / 4:
            return True
        try:
            renewed = await asyncio.to_thread(outbox.renew, self.db, row.id, self.worker_id, now=now, lease=self.lease)
        except Exception as error:
            if not unavailable(error):  # the database away: the row stays ours, its lease is renewed later
                self._held.pop(row.id, None)  # not ours to hold any more: its lease runs out and any worker retakes it
            raise
        except BaseException:
            self._held.pop(row.id, None)
            raise
        if renewed:
            self._held[row.id] = now
            return True
        self._held.pop(row.id, None)
        return False

    def _let_go(self, task: asyncio.Task[str]) -> None:
        """The recipient of a finished send may get their next push."""
        for recipient, sending in list(self._sending_to.items()):
            if sending is task:
                del self._sending_to[recipient]

    async def _deliver(self, row: outbox.Claimed) -> str:
        """Send one claimed row and record what happened; returns the outcome."""
        now = self.clock.now()
        final = await self._not_to_send(row, now)
        if final is not None:
            return final
        recipient = row.recipient
        assert recipient is not None
        reply = render_push(row.kind, row.payload, recipient.language, self.programme(), now)
        if reply is None:
            return await self._close(row, outbox.CANCELLED, "talk no longer in the programme")
        sender = self.senders.get(recipient.platform)
        if sender is None and recipient.platform in PAGE_ONLY:
            # an attendee with only a web page: nothing can be pushed to them (their reminders are their
            # calendar's alarms), said on the row rather than retried for ever
            return await self._close(row, outbox.CANCELLED, f"{recipient.platform} has no push: shown on the page")
        if sender is None:
            # another replica may serve this platform: hand the row back for later
            await self._write(
                row.id,
                self._retry_write(row, now + timedelta(seconds=30), f"no {recipient.platform} sender in this process"),
            )
            return "deferred"
        try:
            result = await sender.send(recipient.address, reply)
        except Exception as exc:  # a sender bug must not lose the row
            log.exception("sender %s raised", recipient.platform)
            result = SendResult.retry(self._backoff(row.attempts), f"sender error: {exc!r}")
        if result.maybe_delivered:  # the retry may be a duplicate: count it where operators look
            SEND_TIMEOUTS.labels(recipient.platform).inc()
            log.warning("send timed out (push %s may have been delivered; retrying): %s", row.id, result.error)
        if result.rate_limited:
            RATE_LIMITED.labels(recipient.platform).inc()
        if result.outcome == "sent":
            self._marks.add(row.id)  # written with the others sent meanwhile, in one statement
            outcome = outbox.SENT
        else:
            outcome, write = self._undelivered(row, result)
            await self._write(row.id, write)
        SENDS.labels(recipient.platform, outcome).inc()  # sent, retry, blocked, failed or unreachable
        return outcome

    async def _not_to_send(self, row: outbox.Claimed, now: datetime) -> str | None:
        """Close a row that must not go out: its recipient is gone or blocked the bot, or its talk
        already started. None: send it."""
        if row.recipient is None or not row.recipient.active:
            return await self._close(row, outbox.BLOCKED, "recipient inactive")
        if row.expires_at is not None and now >= row.expires_at:
            return await self._close(row, outbox.MISSED, f"talk started before delivery (due {row.due_at.isoformat()})")
        return None

    async def _close(self, row: outbox.Claimed, status: str, reason: str) -> str:
        await self._write(row.id, self._final_write(row, status, reason))
        return status

    def _final_write(self, row: outbox.Claimed, status: str, reason: str) -> Write:
        worker = self.worker_id
        return lambda session: outbox.mark_final(session, row.id, worker, status, reason)

    def _retry_write(self, row: outbox.Claimed, due_at: datetime, reason: str) -> Write:
        worker = self.worker_id
        return lambda session: outbox.mark_retry(session, row.id, worker, due_at, reason)

    def _backoff(self, attempts: int) -> float:
        factor: int = 2 ** max(0, attempts - 1)
        return min(self.base_backoff * factor, 600.0)

    def _undelivered(self, row: outbox.Claimed, result: SendResult) -> tuple[str, Write]:
        """A send that did not deliver: retry later, give up, or close it; the outcome and its write
        (deliveries go to the marks)."""
        if result.outcome == "retry":
            if row.attempts >= self.max_attempts:
                reason = f"gave up after {row.attempts} attempts: {result.error}"
                return outbox.FAILED, self._final_write(row, outbox.FAILED, reason)
            delay = result.retry_after if result.retry_after is not None else self._backoff(row.attempts)
            if result.retry_after is None and result.first_retry is not None and row.attempts == 1:
                delay = result.first_retry  # e.g. a 5xx: retried at once rather than after the back-off
            due = self.clock.now() + timedelta(seconds=delay)
            return "retry", self._retry_write(row, due, result.error or "retry")
        if result.outcome == "blocked":
            close = self._final_write(row, outbox.BLOCKED, result.error or "blocked")

            def blocked(session: Session) -> None:
                close(session)
                session.execute(update(User).where(User.id == row.recipient_id).values(active=False))
                outbox.cancel_pending(
                    session, OutboxMessage.recipient_id == row.recipient_id, reason="recipient blocked the bot"
                )

            return outbox.BLOCKED, blocked
        if result.outcome == "unreachable":
            return outbox.UNREACHABLE, self._final_write(row, outbox.UNREACHABLE, result.error or "unreachable")
        return outbox.FAILED, self._final_write(row, outbox.FAILED, result.error or "failed")

    def release(self) -> int:
        """Hand back this worker's claims (graceful shutdown), those claimed ahead included."""
        self._ahead.clear()
        self._held.clear()
        self._row_of.clear()
        self._marks.write_now()  # a row that went out is marked sent, never handed back to go out again
        for row_id in self._write_kept(dict(self._kept)):  # then the other outcomes known here
            self._kept.pop(row_id, None)
        with self.db.session() as session:
            return outbox.release(session, self.worker_id)


def _outcome_of(task: asyncio.Task[str]) -> str:
    """A finished send's outcome: a send cancelled at shutdown (abort) leaves its claim to release(),
    and one that raised (a bug) leaves its row claimed until its lease ends, then it is tried again."""
    if task.cancelled():
        return "released"
    error = task.exception()
    if error is not None:
        log.error("a delivery failed unexpectedly; its push is tried again after its lease", exc_info=error)
        return "error"
    return task.result()
