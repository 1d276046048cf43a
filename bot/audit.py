"""The audit log: every organizer action and every refused attempt (who, when, what, outcome).

Refusals repeat (someone pressing /broadcast again and again, or a flood of it): one person's
refusals of the same command within a minute are one row, its ``count`` going up, so the log says
how often without growing by a row each time. Every other outcome is a row of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.storage.db import rowcount
from bot.storage.models import AuditEntry

MAX_DETAIL = 300  # characters of the command's arguments kept
REPEAT_WINDOW = timedelta(minutes=1)  # refusals of one kind by one person within it share a row
COUNTED = frozenset({"refused"})  # the outcomes counted on one row instead of one row each


def record(session: Session, who: Address, action: str, detail: str, outcome: str, now: datetime) -> None:
    """Add one entry; ``outcome`` is e.g. ``ok``, ``refused``, ``usage``, ``error``, ``confirmed``.

    A refusal repeating one of the last minute (same person, command and outcome) counts on that
    entry instead (its ``detail`` stays the first attempt's).
    """
    action, outcome = action[:64], outcome[:32]
    if outcome in COUNTED and _count_again(session, who, action, outcome, now):
        return
    session.add(
        AuditEntry(
            at=now,
            platform=who.platform,
            user_id=who.user_id,
            action=action,
            detail=detail[:MAX_DETAIL],
            outcome=outcome,
            count=1,
        )
    )


def _count_again(session: Session, who: Address, action: str, outcome: str, now: datetime) -> bool:
    """One more on the person's latest such entry of the last minute; False when there is none."""
    latest = (
        select(func.max(AuditEntry.id))
        .where(
            AuditEntry.at > now - REPEAT_WINDOW,
            AuditEntry.platform == who.platform,
            AuditEntry.user_id == who.user_id,
            AuditEntry.action == action,
            AuditEntry.outcome == outcome,
        )
        .scalar_subquery()
    )
    bump = update(AuditEntry).where(AuditEntry.id == latest).values(count=AuditEntry.count + 1)
    return bool(rowcount(session.execute(bump.execution_options(synchronize_session=False))))


def latest(
    session: Session,
    limit: int = 20,
    *,
    who: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first; only those of ``who`` (``platform:user_id``), of the command ``action``
    and with ``outcome``, for each one given."""
    query = select(AuditEntry)
    if who:
        platform, _, user_id = who.partition(":")
        query = query.where(AuditEntry.platform == platform, AuditEntry.user_id == user_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if outcome:
        query = query.where(AuditEntry.outcome == outcome)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def kinds(session: Session) -> tuple[list[str], list[str], list[str]]:
    """Who appears in the log (``platform:user_id``), which commands and which outcomes, each sorted."""
    people = session.execute(select(AuditEntry.platform, AuditEntry.user_id).distinct()).all()
    actions = session.scalars(select(AuditEntry.action).distinct())
    outcomes = session.scalars(select(AuditEntry.outcome).distinct())
    return sorted(f"{p}:{u}" for p, u in people), sorted(actions), sorted(outcomes)
