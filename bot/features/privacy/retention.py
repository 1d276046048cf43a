"""How long data is kept: a daily job deletes what is older than the retention settings.

- finished pushes (``sent``, ``failed``, ``blocked``, ``missed``, ``cancelled``) due and sent more than
  ``CONFBOT_RETAIN_SENT_DAYS`` ago;
- audit entries older than ``CONFBOT_RETAIN_AUDIT_DAYS``;
- awaited inputs, organizers' previews and handled-delivery keys expired more than
  ``CONFBOT_RETAIN_INPUTS_DAYS`` ago.

``0`` keeps that kind forever. Every replica runs the job; the deletes are idempotent (a row another
replica deleted first is simply not there), in batches of :data:`BATCH` rows, each its own short
transaction, so a first run over a year of rows never holds a long lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from bot.delivery.jobs import every
from bot.delivery.outbox import FINAL
from bot.settings import Settings
from bot.storage.db import Database, rowcount
from bot.storage.models import AuditEntry, Confirmation, OutboxMessage, PendingInput, SeenDelivery

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)
DAILY = 24 * 3600
BATCH = 1000
_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class Purged:
    """Rows deleted by one run."""

    pushes: int = 0
    audit: int = 0
    inputs: int = 0


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


def _in_batches(db: Database, key: InstrumentedAttribute[Any], where: ColumnElement[bool]) -> int:
    """Delete the rows matching ``where``, :data:`BATCH` keys per transaction; how many went.

    ``where`` must depend on ``key`` alone (every row with a selected key matches it too).
    """
    table = key.class_
    total = 0
    while True:
        with db.session() as session:
            keys = list(session.scalars(select(key).where(where).limit(BATCH)))
            if keys:
                total += rowcount(
                    session.execute(
                        delete(table).where(key.in_(keys)), execution_options={"synchronize_session": False}
                    )
                )
        if len(keys) < BATCH:
            return total


def purge(db: Database, settings: Settings, now: datetime) -> Purged:
    """Delete what the retention settings no longer keep at ``now``."""
    pushes = audit = inputs = 0
    sent = _cutoff(now, settings.retain_sent_days)
    if sent is not None:
        finished = (
            OutboxMessage.status.in_(FINAL)
            & (OutboxMessage.due_at < sent)
            & or_(OutboxMessage.sent_at.is_(None), OutboxMessage.sent_at < sent)
        )
        pushes = _in_batches(db, OutboxMessage.id, finished)
    logged = _cutoff(now, settings.retain_audit_days)
    if logged is not None:
        audit = _in_batches(db, AuditEntry.id, AuditEntry.at < logged)
    expired = _cutoff(now, settings.retain_inputs_days)
    if expired is not None:
        inputs = _in_batches(db, PendingInput.expires_at, PendingInput.expires_at < expired)
        inputs += _in_batches(db, Confirmation.id, Confirmation.expires_at < expired)
        inputs += _in_batches(db, SeenDelivery.key, SeenDelivery.expires_at < expired)
    return Purged(pushes, audit, inputs)


@every(DAILY, name="privacy.retention", first_now=True)
def enforce(host: Host) -> None:
    """The daily job: purge, and log what went."""
    purged = purge(host.db, host.settings, host.clock.now())
    if purged != Purged():
        log.info("retention: deleted %d pushes, %d audit entries, %d expired inputs", *vars(purged).values())
