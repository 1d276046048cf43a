"""Where each talk was first announced, so that every view can say what a talk moved from.

``talk_snapshots`` holds the last announced schedule of every talk and, since it was first written,
the first announced time and room (``first_start``, ``first_room``). They, not the organizers'
overrides, are the source of "moved from 10:40": the snapshots see every move whatever made it (a
/move, an edited content file, the live sync of a published schedule), and they keep what attendees
were first told even when the content files are edited to match a /move, which the content-versus-override
difference would forget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.models import TalkSnapshot


@dataclass(frozen=True)
class FirstAnnounced:
    """A talk's first announced start and room."""

    start: datetime | None
    room: str | None


@dataclass(frozen=True)
class Moved:
    """What a talk moved from: its first start (None if only the room changed) and room (None if only the time)."""

    start: datetime | None
    room: str | None


def first_announced(session: Session) -> dict[int, FirstAnnounced]:
    """The talks whose announced schedule is no longer their first (one small query)."""
    rows = session.execute(
        select(TalkSnapshot.talk_id, TalkSnapshot.first_start, TalkSnapshot.first_room).where(
            TalkSnapshot.first_start.is_not(None),
            or_(
                TalkSnapshot.first_start.is_distinct_from(TalkSnapshot.start),
                TalkSnapshot.first_room.is_distinct_from(TalkSnapshot.room),
            ),
        )
    )
    return {talk_id: FirstAnnounced(start, room) for talk_id, start, room in rows}


def moved_from(talk: Talk, first: FirstAnnounced | None) -> Moved | None:
    """What ``talk`` (as shown now) moved from, or None if it is where it was first announced."""
    if first is None or first.start is None or talk.start is None or talk.cancelled:
        return None
    start = first.start if first.start != talk.start else None
    room = first.room if first.room is not None and first.room != talk.room else None
    return Moved(start, room) if start is not None or room is not None else None


_last: tuple[Programme, object, dict[int, Moved]] | None = None  # the last answer, for its programme and database


def moves(session: Session, programme: Programme) -> dict[int, Moved]:
    """What each talk of ``programme`` that moved moved from.

    Read once per programme: the first announced times change only when a schedule change is applied,
    and applying one (here, or seen from another replica) always swaps in a new programme.
    """
    global _last
    bind = session.get_bind()
    known = _last
    if known is not None and known[0] is programme and known[1] is bind:
        return known[2]
    found = {i: moved_from(talk, first) for i, first in first_announced(session).items() if (talk := programme.talk(i))}
    answer = {i: m for i, m in found.items() if m is not None}
    _last = (programme, bind, answer)
    return answer
