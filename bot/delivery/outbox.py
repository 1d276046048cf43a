"""The durable outbox: every push (reminder, notice, broadcast) is a row before it is sent.

- ``(recipient_id, key)`` is unique: enqueueing the same push twice is a no-op.
- Rows are *claimed* before sending: status ``sending`` with ``claimed_by`` and a lease. On
  PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``, so concurrent replicas never claim the
  same row; a crashed replica's claims are retaken when the lease expires.
- Outcomes are recorded only by the claimant that still holds the claim.
- Enqueueing marks the session; once that transaction commits, :func:`on_commit` listeners
  (the push runtime) are told. Nothing is signalled before the rows are visible, and no
  caller has to remember a wake-up.

Delivery guarantee: a row is sent at most once per claim. A crash after a send but before its
outcome is recorded leaves the row ``sending``; it is retried after the lease expires, so at most
the rows that were in flight (≤ the dispatcher's concurrency) can be sent twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, event, func, literal, or_, select, true, update
from sqlalchemy.orm import Session, SessionTransaction

from bot.chat.messages import Address
from bot.storage.db import Database, insert_for, rowcount
from bot.storage.models import OutboxMessage, User

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"
MISSED = "missed"
CANCELLED = "cancelled"
UNREACHABLE = "unreachable"  # the platform allowed no message to the person then (outside its window)
FINAL = (SENT, FAILED, BLOCKED, MISSED, CANCELLED, UNREACHABLE)
URGENT, BULK = 0, 1  # priorities: due reminders and notices are claimed before due broadcast rows
_TOUCHED = "confbot.outbox_touched"  # session.info flag: this transaction enqueued or re-timed a push


def _touch(session: Session) -> None:
    session.info[_TOUCHED] = True


def on_commit(db: Database, listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after each commit that enqueued or re-timed a push.

    Returns a function that removes the listener again.
    """

    def after_commit(session: Session) -> None:
        if session.info.pop(_TOUCHED, False):
            listener()

    def after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
        if previous.parent is None:  # the whole transaction is gone, and its rows with it
            session.info.pop(_TOUCHED, None)

    event.listen(db.sessions, "after_commit", after_commit)
    event.listen(db.sessions, "after_soft_rollback", after_soft_rollback)

    def remove() -> None:
        event.remove(db.sessions, "after_commit", after_commit)
        event.remove(db.sessions, "after_soft_rollback", after_soft_rollback)

    return remove


@dataclass(frozen=True)
class Recipient:
    """Who a claimed row goes to, read in the claim's transaction (a plain snapshot)."""

    platform: str
    address: Address
    language: str
    active: bool


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending (a plain snapshot, safe outside the session)."""

    id: int
    recipient_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    attempts: int
    priority: int = URGENT
    recipient: Recipient | None = None  # None: the user row is gone


def enqueue(
    session: Session,
    *,
    recipient_id: int,
    kind: str,
    key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    expires_at: datetime | None = None,
    priority: int = URGENT,
    now: datetime,
) -> bool:
    """Add a push unless ``(recipient, key)`` exists; True if a row was inserted."""
    values = {
        "recipient_id": recipient_id,
        "kind": kind,
        "key": key,
        "due_at": due_at,
        "payload": payload or {},
        "priority": priority,
        "expires_at": expires_at,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
    }
    insert = insert_for(session)
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["recipient_id", "key"])
        .returning(OutboxMessage.id)
    )
    inserted = session.execute(stmt).scalar() is not None
    if inserted:
        _touch(session)
    return inserted


def revive(session: Session, *, recipient_id: int, key: str, due_at: datetime) -> bool:
    """Re-time a pending push, or bring back a cancelled one; False if it was sent or never queued."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.key == key,
            OutboxMessage.status.in_((CANCELLED, PENDING)),
        )
        .values(status=PENDING, due_at=due_at, last_error=None)
    )
    if rowcount(result):
        _touch(session)
    return bool(rowcount(result))


def revive_many(session: Session, *, recipient_ids: list[int], key: str, due_at: datetime) -> int:
    """:func:`revive` for many recipients of one ``key`` in one UPDATE; the rows re-timed."""
    if not recipient_ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id.in_(recipient_ids),
            OutboxMessage.key == key,
            OutboxMessage.status.in_((CANCELLED, PENDING)),
        )
        .values(status=PENDING, due_at=due_at, last_error=None)
    )
    if rowcount(result):
        _touch(session)
    return rowcount(result)


def cancel_pending(session: Session, *conditions: Any, reason: str) -> int:
    """Cancel pending rows matching ``conditions`` (SQLAlchemy expressions)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, *conditions)
        .values(status=CANCELLED, last_error=reason)
    )
    return rowcount(result)


def next_due(session: Session) -> datetime | None:
    """When the dispatcher should next wake: the earliest pending due time or lease expiry."""
    pending = session.scalar(select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == PENDING))
    lease = session.scalar(select(func.min(OutboxMessage.lease_until)).where(OutboxMessage.status == SENDING))
    candidates = [t for t in (pending, lease) if t is not None]
    return min(candidates) if candidates else None


def overdue(session: Session, now: datetime, grace: timedelta) -> int:
    """Rows still ``sending`` over ``grace`` after their lease ended: nobody has retaken them, so
    dispatch is stalled somewhere (every pass retakes rows whose lease ran out)."""
    stuck = (OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now - grace)
    return session.scalar(select(func.count()).where(stuck)) or 0


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient_id,
    OutboxMessage.kind,
    OutboxMessage.key,
    OutboxMessage.payload,
    OutboxMessage.due_at,
    OutboxMessage.expires_at,
    OutboxMessage.attempts,
    OutboxMessage.priority,
)
_RECIPIENT_COLUMNS = (
    User.id,
    User.platform,
    User.platform_user_id,
    User.chat_id,
    User.thread,
    User.language,
    User.active,
)


def _address(user: Any) -> Address:
    """Where pushes for a user (a ``User`` or a row of its columns) go: their private chat."""
    return Address(user.platform, user.platform_user_id, user.chat_id, user.thread)


def claim(db: Database, *, now: datetime, worker: str, limit: int, lease: timedelta) -> list[Claimed]:
    """Atomically claim up to ``limit`` due rows (and rows whose lease ran out), urgent first, each
    with its recipient's address and language: one transaction, three statements, for the batch."""
    due = or_(
        (OutboxMessage.status == PENDING) & (OutboxMessage.due_at <= now),
        (OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now),
    )
    with db.session() as session:
        order = (OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id)
        pick = select(OutboxMessage.id).where(due).order_by(*order).limit(limit)
        if db.dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = list(session.scalars(pick))
        if not ids:
            return []
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), due)
            .values(status=SENDING, claimed_by=worker, lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
            .returning(*_CLAIMED_COLUMNS),
            execution_options={"synchronize_session": False},
        ).all()
        people = session.execute(select(*_RECIPIENT_COLUMNS).where(User.id.in_({r.recipient_id for r in rows})))
        recipients = {u.id: Recipient(u.platform, _address(u), u.language, u.active) for u in people}
        rows = sorted(rows, key=lambda r: (r.priority, r.due_at, r.id))  # RETURNING keeps no order: urgent first
        return [
            Claimed(
                r.id,
                r.recipient_id,
                r.kind,
                r.key,
                dict(r.payload or {}),
                r.due_at,
                r.expires_at,
                r.attempts,
                r.priority,
                recipients.get(r.recipient_id),
            )
            for r in rows
        ]


def renew(db: Database, row_id: int, worker: str, *, now: datetime, lease: timedelta) -> bool:
    """Extend ``worker``'s claim on a row it is about to send; False if the row is no longer its own."""
    with db.session() as session:
        return _update_claimed(session, row_id, worker, lease_until=now + lease)


def _finish(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    return _update_claimed(session, row_id, worker, lease_until=None, **values)


def _update_claimed(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    """Update a row only while ``worker`` holds its claim; whether it did."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker)
        .values(**values)
    )
    return bool(rowcount(result))


def mark_sent_many(session: Session, row_ids: Iterable[int], worker: str, now: datetime) -> int:
    """Record many deliveries in one statement (only rows ``worker`` still holds); how many."""
    ids = list(row_ids)
    if not ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker)
        .values(status=SENT, sent_at=now, last_error=None, lease_until=None),
        execution_options={"synchronize_session": False},
    )
    return rowcount(result)


def mark_retry(session: Session, row_id: int, worker: str, due_at: datetime, error: str) -> bool:
    """Put the row back in the queue for ``due_at``."""
    return _finish(session, row_id, worker, status=PENDING, due_at=due_at, claimed_by=None, last_error=error)


def mark_final(session: Session, row_id: int, worker: str, status: str, error: str) -> bool:
    """Close the row as failed / blocked / missed / cancelled / unreachable, keeping the reason."""
    assert status in FINAL
    return _finish(session, row_id, worker, status=status, last_error=error)


def release(session: Session, worker: str) -> int:
    """Give back every claim of ``worker`` (graceful shutdown)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_by == worker)
        .values(status=PENDING, claimed_by=None, lease_until=None, attempts=OutboxMessage.attempts - 1)
    )
    return rowcount(result)


def counts(session: Session) -> dict[str, int]:
    """Rows per status (for stats and tests)."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: n for status, n in rows}


def enqueue_many(
    session: Session,
    recipients: Select[int],
    *,
    kind: str,
    key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    priority: int = URGENT,
    expires_at: datetime | None = None,
    now: datetime,
) -> int:
    """One push with the same ``key`` to every user id ``recipients`` selects, in one INSERT … SELECT.

    Like :func:`enqueue`, a recipient who already has ``key`` is skipped. Returns the rows inserted.
    """
    columns = (
        "recipient_id",
        "kind",
        "key",
        "payload",
        "due_at",
        "expires_at",
        "priority",
        "status",
        "attempts",
        "created_at",
    )
    table = OutboxMessage.__table__
    rows = recipients.subquery()
    values = select(
        rows.c[0],
        literal(kind, table.c.kind.type),
        literal(key, table.c.key.type),
        literal(payload or {}, table.c.payload.type),
        literal(due_at, table.c.due_at.type),
        literal(expires_at, table.c.expires_at.type),
        literal(priority, table.c.priority.type),
        literal(PENDING, table.c.status.type),
        literal(0, table.c.attempts.type),
        literal(now, table.c.created_at.type),
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT
    insert = insert_for(session)
    into = insert(OutboxMessage).from_select(columns, values)
    stmt = into.on_conflict_do_nothing(index_elements=["recipient_id", "key"]).returning(OutboxMessage.id)
    inserted = len(session.execute(stmt).all())  # rowcount of an INSERT … SELECT is -1 with psycopg
    if inserted:
        _touch(session)
    return inserted
