"""Organizers' schedule fixes (/move, /cancel) stored on top of the content files.

An override row (``schedule_overrides``) holds one talk's fix: a move (``start``, ``end`` and the
``room``, which /move always records; a ``None`` room would keep the content's) and/or a
cancellation. Every path
that loads content (start-up, the watcher, ``confbot content reload``, /reload) passes the loaded
programme through :func:`with_stored`, so a fix survives restarts and reloads. Undoing a move or a
cancellation clears that part; a row with nothing left is deleted, and the talk is back to the
content files' values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.programme.content.programme import Programme
from bot.programme.content.schema import ContentFile, Talk
from bot.storage.db import Database
from bot.storage.models import ScheduleOverride


@dataclass(frozen=True)
class Override:
    """One talk's stored fix (a plain snapshot of its row)."""

    talk_id: int
    start: datetime | None
    end: datetime | None
    room: str | None
    cancelled: bool
    set_by: str
    set_at: datetime

    @property
    def moves(self) -> bool:
        """Whether it moves the talk (else it only cancels it)."""
        return self.start is not None


def stored(session: Session) -> list[Override]:
    """Every stored override, by talk id."""
    rows = session.scalars(select(ScheduleOverride).order_by(ScheduleOverride.talk_id))
    return [Override(r.talk_id, r.start, r.end, r.room, r.cancelled, r.set_by, r.set_at) for r in rows]


def get(session: Session, talk_id: int) -> Override | None:
    """The override of one talk, or None."""
    return next((o for o in stored(session) if o.talk_id == talk_id), None)


def applied(talk: Talk, override: Override) -> Talk:
    """``talk`` with ``override`` applied."""
    update: dict[str, object] = {}
    if override.moves:
        update.update(start=override.start, end=override.end)
        if override.room is not None:
            update["room"] = override.room
    if override.cancelled:
        update["cancelled"] = True
    return talk.model_copy(update=update) if update else talk


def rebuild(programme: Programme, talks: Iterable[Talk]) -> Programme:
    """A programme like ``programme`` with these talks (re-sorted and re-indexed)."""
    content = ContentFile(
        conference=programme.conference,
        speakers=list(programme.speakers.values()),
        talks=list(talks),
        breaks=list(programme.breaks),
    )
    return Programme.from_content(content)


def effective(programme: Programme, overrides: Iterable[Override]) -> Programme:
    """``programme`` with the overrides applied; overrides of talks no longer in it are ignored."""
    by_talk = {o.talk_id: o for o in overrides}
    if not any(programme.talk(i) is not None for i in by_talk):
        return programme
    return rebuild(programme, (applied(t, by_talk[t.id]) if t.id in by_talk else t for t in programme.talks))


def with_stored(db: Database, programme: Programme, session: Session | None = None) -> Programme:
    """``programme`` (as loaded from the content files) with the stored overrides applied."""
    if session is not None:
        return effective(programme, stored(session))
    with db.session() as own:
        return effective(programme, stored(own))


def set_move(
    session: Session, talk_id: int, *, start: datetime, end: datetime | None, room: str | None, who: str, now: datetime
) -> None:
    """Record (or replace) the move of a talk, keeping a cancellation it may have."""
    row = session.get(ScheduleOverride, talk_id)
    if row is None:
        row = ScheduleOverride(talk_id=talk_id, cancelled=False)
        session.add(row)
    row.start, row.end, row.room, row.set_by, row.set_at = start, end, room, who, now


def set_cancelled(session: Session, talk_id: int, *, who: str, now: datetime) -> None:
    """Record the cancellation of a talk, keeping a move it may have."""
    row = session.get(ScheduleOverride, talk_id)
    if row is None:
        row = ScheduleOverride(talk_id=talk_id)
        session.add(row)
    row.cancelled, row.set_by, row.set_at = True, who, now


def clear(session: Session, talk_id: int, part: str, *, who: str, now: datetime) -> bool:
    """Undo the ``"move"`` or ``"cancel"`` part of a talk's override; False if there was none."""
    row = session.get(ScheduleOverride, talk_id)
    if row is None or (part == "move" and row.start is None) or (part == "cancel" and not row.cancelled):
        return False
    if part == "move":
        row.start = row.end = row.room = None
    else:
        row.cancelled = False
    if row.start is None and not row.cancelled:
        session.delete(row)
    else:
        row.set_by, row.set_at = who, now
    session.flush()
    return True


def mark(db: Database) -> tuple[object, ...]:
    """A cheap fingerprint of the overrides: it changes whenever any process sets or clears one."""
    with db.session() as session:
        count, latest, total = session.execute(
            select(func.count(), func.max(ScheduleOverride.set_at), func.sum(ScheduleOverride.talk_id))
        ).one()
        return (count, latest, total)
