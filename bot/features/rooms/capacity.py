"""Talks likely to fill their room: more subscribers than the room's seats (``rooms[].capacity``),
with a bigger room free at that time, for ``/stats`` and the desk's Now page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.features.organizer.stats import subscriber_counts
from bot.i18n import is_chinese, t
from bot.programme.cards import room_name, title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Room, Talk
from bot.programme.timefmt import format_when


@dataclass(frozen=True)
class Crowded:
    """A talk still to come with more subscribers than its room seats."""

    talk: Talk
    subscribers: int
    capacity: int
    bigger: Room | None  # a room with more seats and no talk at that time


def _overlaps(a: Talk, b: Talk) -> bool:
    assert a.start and a.end and b.start and b.end
    return a.start < b.end and b.start < a.end


def bigger_free_room(programme: Programme, talk: Talk, seats: int, needed: int) -> Room | None:
    """A room with more than ``seats`` seats where no talk overlaps ``talk``: the smallest one that
    seats ``needed``, else the biggest."""
    busy = {
        other.room
        for other in programme.talks
        if other.id != talk.id and not other.cancelled and other.start and other.end and _overlaps(talk, other)
    }
    free = [
        r
        for r in programme.conference.rooms
        if r.id != talk.room and r.id not in busy and r.capacity is not None and r.capacity > seats
    ]
    fitting = [r for r in free if r.capacity is not None and r.capacity >= needed]
    if fitting:
        return min(fitting, key=lambda r: r.capacity or 0)
    return max(free, key=lambda r: r.capacity or 0, default=None)


def crowded(session: Session, programme: Programme, now: datetime) -> list[Crowded]:
    """Talks not started yet whose subscribers exceed their room's seats, in time order."""
    subscribers = subscriber_counts(session)
    found = []
    for talk in sorted(programme.talks, key=lambda t: (t.start or now, t.id)):
        room = programme.room(talk.room)
        if room is None or room.capacity is None or talk.cancelled or not talk.start or not talk.end:
            continue
        count = subscribers.get(talk.id, 0)
        if talk.start > now and count > room.capacity:
            found.append(Crowded(talk, count, room.capacity, bigger_free_room(programme, talk, room.capacity, count)))
    return found


def describe(programme: Programme, item: Crowded, lang: str) -> str:
    """One warning: the talk, when and where, its subscribers against the seats, and the bigger room."""
    talk = item.talk
    assert talk.start is not None
    text = t(
        lang,
        "full.crowded",
        id=talk.id,
        title=title_of(talk, lang),
        when=format_when(talk.start, programme.tz, lang),
        room=room_name(programme, talk.room, lang),
        subscribers=item.subscribers,
        seats=item.capacity,
    )
    if item.bigger is None:
        return text
    bigger = room_name(programme, item.bigger.id, lang)
    space = "" if is_chinese(lang) else " "
    return f"{text}{space}{t(lang, 'full.bigger', room=bigger, seats=item.bigger.capacity)}"
