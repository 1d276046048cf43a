"""Previews waiting for an organizer's Confirm: a broadcast, a move, a cancellation.

A preview is stored with a short random token that its Confirm / Cancel buttons carry
(``confirm <token>``, ``drop <token>``), so it survives restarts and works on any replica. Only
the organizer who asked can confirm it, once, within :data:`TTL`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.chat.messages import Address
from bot.storage.models import Confirmation

TTL = timedelta(minutes=10)
PENDING, CONFIRMED, DROPPED = "pending", "confirmed", "dropped"


@dataclass(frozen=True)
class Preview:
    """A preview taken for confirmation (a plain snapshot)."""

    id: int
    kind: str
    payload: dict[str, Any]


def owner(who: Address) -> str:
    """How a preview names the organizer who asked for it."""
    return f"{who.platform}:{who.user_id}"


def create(session: Session, *, kind: str, who: Address, payload: dict[str, Any], now: datetime) -> str:
    """Store a preview; returns the token its buttons carry."""
    token = secrets.token_urlsafe(9)  # 12 characters: "confirm <token>" stays far below 64 bytes
    session.add(
        Confirmation(
            token=token,
            kind=kind,
            created_by=owner(who),
            payload=payload,
            created_at=now,
            expires_at=now + TTL,
            status=PENDING,
        )
    )
    return token


def take(session: Session, token: str, who: Address, now: datetime, *, status: str = CONFIRMED) -> Preview | None:
    """Close the preview as ``status`` if it is pending, unexpired and ``who``'s; else None.

    One atomic UPDATE: two presses (or two replicas) can't both take it.
    """
    row = session.scalars(
        update(Confirmation)
        .where(
            Confirmation.token == token,
            Confirmation.created_by == owner(who),
            Confirmation.status == PENDING,
            Confirmation.expires_at > now,
        )
        .values(status=status, closed_at=now)
        .returning(Confirmation),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    return Preview(row.id, row.kind, dict(row.payload or {})) if row is not None else None
