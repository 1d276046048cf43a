"""Deliveries recorded in batches: the rows sent while one write runs go in the next, as one UPDATE.

A send that went out is remembered here until its ``sent`` mark is written, so a busy broadcast costs
one database round trip per batch, not per message. The bound on a crash is unchanged in kind: what
was sent but not yet marked is sent again after ``kill -9`` (at most the sends of one write's round
trip, a few milliseconds); a graceful stop writes every mark before it hands claims back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.delivery import outbox
from bot.storage.db import Database
from bot.storage.outage import Outage, unavailable

log = logging.getLogger(__name__)


class SentMarks:
    """The ``sent`` marks of one worker still to write, and the one write under way."""

    def __init__(self, db: Database, worker: str, now: Callable[[], datetime], outage: Outage | None = None) -> None:
        self.db = db
        self.worker = worker
        self._now = now
        self._outage = outage or Outage(log, "recording deliveries")
        self._pending: list[int] = []
        self._unwritten: set[int] = set()  # pending, or in the write under way
        self._writing: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Sent rows whose mark is not written yet."""
        return len(self._unwritten)

    def __contains__(self, row_id: object) -> bool:
        """Whether ``row_id`` went out and its mark is not written yet (a claim must not send it again)."""
        return row_id in self._unwritten

    @property
    def writing(self) -> asyncio.Task[None] | None:
        """The write under way, if any (a dispatcher waits on it for slots to free up)."""
        return self._writing if self._writing is not None and not self._writing.done() else None

    def add(self, row_id: int) -> None:
        """Remember a delivery; written by the write under way's successor, or a new one now."""
        self._pending.append(row_id)
        self._unwritten.add(row_id)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_all())

    async def drain(self) -> None:
        """Wait until every mark so far is written (or a write failed: they stay, for the next try)."""
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)
        if self._pending:  # added while no write ran after a failure: try once more now
            self._writing = asyncio.create_task(self._write_all())
            await asyncio.shield(self._writing)

    async def _write_all(self) -> None:
        while self._pending:
            ids, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, ids)
                self._unwritten.difference_update(ids)
            except asyncio.CancelledError:
                self._pending[:0] = ids  # kept for write_now() at the stop: never handed back unmarked
                raise
            except Exception as error:
                self._pending[:0] = ids  # kept, in order: written by the next try, never sent again here
                if unavailable(error):  # said once per outage, not once per batch
                    self._outage.failed(error)
                else:
                    log.exception("could not record %d deliveries; they are kept and written later", len(ids))
                return

    def write_now(self) -> int:
        """Write every pending mark in this thread (shutting down, before claims are handed back)."""
        ids, self._pending = self._pending, []
        try:
            written = self._write(ids)
        except Exception:
            self._pending[:0] = ids
            raise
        self._unwritten.difference_update(ids)
        return written

    def _write(self, ids: list[int]) -> int:
        with self.db.session() as session:
            return outbox.mark_sent_many(session, ids, self.worker, self._now())
