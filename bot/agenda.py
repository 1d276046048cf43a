"""Agenda queries over a :class:`Programme`: by day, now, next, track, room, parallel."""

from __future__ import annotations

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


def upcoming(programme: Programme, at: datetime, limit: int = 6) -> list[Talk]:
    """The next talks to start after ``at``: the whole next slot, at least, up to ``limit``."""
    future = [
        t
        for t in _scheduled(programme.talks)
        if isinstance(t, Talk) and t.start is not None and t.start > at and not t.cancelled
    ]
    if not future:
        return []
    first_start = future[0].start
    same_slot = [t for t in future if t.start == first_start]
    return same_slot if len(same_slot) >= limit else future[: max(limit, len(same_slot))]


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
