"""Agenda queries over a :class:`Programme`: by day, now, next, track, room, parallel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from bot.content.programme import Programme
from bot.content.schema import Break, Talk

Item = Talk | Break
_I = TypeVar("_I", Talk, Break)


def _scheduled(items: tuple[_I, ...]) -> list[_I]:
    return [i for i in items if i.start is not None and i.end is not None]


def day_items(programme: Programme, day: date, *, with_breaks: bool = True) -> list[Item]:
    """Talks (and breaks) on a local day, ordered by start then room."""
    tz = programme.tz
    items: list[Item] = [
        t for t in programme.talks if t.start is not None and t.end is not None and t.start.astimezone(tz).date() == day
    ]
    if with_breaks:
        items += [
            b
            for b in programme.breaks
            if b.start is not None and b.end is not None and b.start.astimezone(tz).date() == day
        ]
    items.sort(key=lambda i: (i.start, 0 if isinstance(i, Break) else 1, i.room or ""))
    return items


def running(programme: Programme, at: datetime) -> list[Item]:
    """Talks and breaks in progress at ``at`` (cancelled talks excluded)."""
    live: list[Item] = [
        t
        for t in programme.talks
        if t.start is not None and t.end is not None and t.start <= at < t.end and not t.cancelled
    ]
    live += [b for b in programme.breaks if b.start is not None and b.end is not None and b.start <= at < b.end]
    return sorted(live, key=lambda i: (i.room or "", i.start))


def next_per_room(programme: Programme, at: datetime) -> list[Talk]:
    """The next talk to start after ``at`` in each room, in start order."""
    seen: dict[str | None, Talk] = {}
    for talk in _scheduled(programme.talks):
        assert isinstance(talk, Talk)
        if talk.start is not None and talk.start > at and not talk.cancelled and talk.room not in seen:
            seen[talk.room] = talk
    return sorted(seen.values(), key=lambda t: (t.start, t.room or ""))


def _live(item: Item) -> bool:
    """Scheduled and not cancelled: something that will really happen."""
    return item.start is not None and item.end is not None and not (isinstance(item, Talk) and item.cancelled)


def _in_time_order(programme: Programme) -> list[Item]:
    items: list[Item] = [t for t in programme.talks if _live(t)] + [b for b in programme.breaks if _live(b)]
    items.sort(key=lambda i: (i.start, 0 if isinstance(i, Break) else 1, i.room or ""))
    return items


def upcoming(programme: Programme, at: datetime, limit: int = 6) -> list[Item]:
    """The next talks and breaks to start after ``at`` (a closing session counts as much as a
    talk): the whole next slot, at least, up to ``limit``."""
    future = [i for i in _in_time_order(programme) if i.start is not None and i.start > at]
    if not future:
        return []
    first_start = future[0].start
    same_slot = [i for i in future if i.start == first_start]
    return same_slot if len(same_slot) >= limit else future[: max(limit, len(same_slot))]


def is_over(programme: Programme, at: datetime) -> bool:
    """Nothing (talk or break) is running at ``at`` or still to come: the programme has ended.

    Decided on every item's end, never on "no talk starts later": the last talk may still be
    running, and a closing session may follow it.
    """
    return not any(i.end is not None and i.end > at for i in _in_time_order(programme))


def has_ended(item: Item, at: datetime) -> bool:
    """The item is over at ``at``."""
    return item.end is not None and item.end <= at


def has_started(item: Item, at: datetime) -> bool:
    """The item's start has passed at ``at`` (it may still be running)."""
    return item.start is not None and item.start <= at


@dataclass(frozen=True)
class RoomState:
    """What is on in one room at an instant, and what comes next there."""

    room: str | None  # None: items that cover every room
    current: Item | None
    next: Item | None
    next_talk: Talk | None  # the next talk there, when ``next`` is a break

    @property
    def coming(self) -> list[Item]:
        """The next item, then the next talk if the next item is a break."""
        return [i for i in (self.next, self.next_talk) if i is not None]


def room_state(programme: Programme, room_id: str, at: datetime) -> RoomState:
    """The item running in ``room_id`` at ``at`` and the next one to start there.

    Items without a room (lunch, registration) are on in every room.
    """
    here = [i for i in _in_time_order(programme) if i.room in (room_id, None)]
    current = next((i for i in here if i.start is not None and i.end is not None and i.start <= at < i.end), None)
    future = [i for i in here if i.start is not None and i.start > at]
    following = future[0] if future else None
    talk = None if isinstance(following, Talk) else next((i for i in future if isinstance(i, Talk)), None)
    return RoomState(room_id, current, following, talk)


def rooms_now(programme: Programme, at: datetime) -> list[RoomState]:
    """:func:`room_state` for every room, in the conference's order, skipping rooms with
    nothing on now or later."""
    states = [room_state(programme, room.id, at) for room in programme.conference.rooms]
    known = {room.id for room in programme.conference.rooms}
    extra = sorted({t.room for t in programme.talks if t.room and t.room not in known})
    states += [room_state(programme, room_id, at) for room_id in extra]
    return [s for s in states if s.current is not None or s.next is not None]


def by_track(programme: Programme, track_id: str) -> list[Talk]:
    """Talks of a track in time order."""
    return [t for t in programme.talks if t.track == track_id]


def by_room(programme: Programme, room_id: str) -> list[Talk]:
    """Talks in a room in time order."""
    return [t for t in programme.talks if t.room == room_id]


def parallel(programme: Programme, talk: Talk) -> list[Talk]:
    """Other talks whose time overlaps ``talk``'s."""
    start, end = talk.start, talk.end
    if start is None or end is None:
        return []
    return [
        other
        for other in programme.talks
        if other.start is not None
        and other.end is not None
        and other.start < end
        and start < other.end
        and other.id != talk.id
        and not other.cancelled
    ]


def overlaps(a: Talk, b: Talk) -> bool:
    """Whether two scheduled talks overlap in time."""
    if a.start is None or a.end is None or b.start is None or b.end is None:
        return False
    return a.start < b.end and b.start < a.end
