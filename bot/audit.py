"""The audit log: every organizer action and every refused attempt (who, when, what, outcome)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.storage.models import AuditEntry

MAX_DETAIL = 300  # characters of the command's arguments kept


def record(session: Session, who: Address, action: str, detail: str, outcome: str, now: datetime) -> None:
    """Add one entry; ``outcome`` is e.g. ``ok``, ``refused``, ``usage``, ``error``, ``confirmed``."""
    session.add(
        AuditEntry(
            at=now,
            platform=who.platform,
            user_id=who.user_id,
            action=action[:64],
            detail=detail[:MAX_DETAIL],
            outcome=outcome[:32],
        )
    )


def latest(session: Session, limit: int = 20) -> list[AuditEntry]:
    """The newest entries first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
