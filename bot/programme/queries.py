"""Agenda queries over a :class:`Programme`: by day, now, next, track, room, parallel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Talk
from bot.programme.timeline import timeline

Item = Talk | Break


def day_items(programme: Programme, day: date, *, with_breaks: bool = True) -> list[Item]:
    """Talks (and breaks) on a local day, ordered by start then room."""
    items = timeline(programme).days.get(day, ())
    return list(items) if with_breaks else [i for i in items if isinstance(i, Talk)]


def running(programme: Programme, at: datetime) -> list[Item]:
    """Talks and breaks in progress at ``at`` (cancelled talks excluded)."""
    return sorted(timeline(programme).all.running(at), key=lambda i: (i.room or "", i.start))


def next_per_room(programme: Programme, at: datetime) -> list[Talk]:
    """The next talk to start after ``at`` in each room, in start order."""
    firsts = [lane.after(at)[:1] for lane in timeline(programme).talks_in.values()]
    talks = [t for first in firsts for t in first if isinstance(t, Talk)]
    return sorted(talks, key=lambda t: (t.start, t.room or ""))


def upcoming(programme: Programme, at: datetime, limit: int = 6) -> list[Item]:
    """The next talks and breaks to start after ``at`` (a closing session counts as much as a
    talk): the whole next slot, at least, up to ``limit``."""
    future = timeline(programme).all.after(at)
    if not future:
        return []
    slot = 1
    while slot < len(future) and future[slot].start == future[0].start:
        slot += 1
    return list(future[: max(limit, slot)])


def is_over(programme: Programme, at: datetime) -> bool:
    """Nothing (talk or break) is running at ``at`` or still to come: the programme has ended.

    Decided on every item's end, never on "no talk starts later": the last talk may still be
    running, and a closing session may follow it.
    """
    last = timeline(programme).last_end
    return last is None or last <= at


def starts_at(programme: Programme, at: datetime) -> datetime | None:
    """When the programme's first item (talk or break) starts, if that is still after ``at``."""
    starts = timeline(programme).all.starts
    return starts[0] if starts and at < starts[0] else None


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
    lane = timeline(programme).lane(room_id)
    running = lane.running(at)
    current = running[0] if running else None
    future = lane.after(at)
    following = future[0] if future else None
    talk = None if isinstance(following, Talk) else next((i for i in future if isinstance(i, Talk)), None)
    return RoomState(room_id, current, following, talk)


def rooms_now(programme: Programme, at: datetime) -> list[RoomState]:
    """:func:`room_state` for every room, in the conference's order, skipping rooms with
    nothing on now or later."""
    states = [room_state(programme, room.id, at) for room in programme.conference.rooms]
    known = {room.id for room in programme.conference.rooms}
    extra = sorted(set(timeline(programme).rooms) - known)
    states += [room_state(programme, room_id, at) for room_id in extra]
    return [s for s in states if s.current is not None or s.next is not None]


def by_track(programme: Programme, track_id: str) -> list[Talk]:
    """Talks of a track in time order."""
    return list(timeline(programme).tracks.get(track_id, ()))


def by_room(programme: Programme, room_id: str) -> list[Talk]:
    """Talks in a room in time order."""
    return list(timeline(programme).room_talks.get(room_id, ()))


def parallel(programme: Programme, talk: Talk) -> list[Talk]:
    """Other talks (not cancelled) whose time overlaps ``talk``'s."""
    start, end = talk.start, talk.end
    if start is None or end is None:
        return []
    return [
        other
        for other in timeline(programme).all.overlapping(start, end)
        if isinstance(other, Talk) and other.id != talk.id
    ]


def overlaps(a: Talk, b: Talk) -> bool:
    """Whether two scheduled talks overlap in time."""
    if a.start is None or a.end is None or b.start is None or b.end is None:
        return False
    return a.start < b.end and b.start < a.end
