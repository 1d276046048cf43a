"""A programme's items indexed for the agenda queries: live items (talks not cancelled, breaks) in
time order for "what is on at an instant", and the talks per day, track and room. Built once per
programme, so /now, /next, /room and /agenda stay fast at thousands of talks."""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Talk

Item = Talk | Break


@dataclass(frozen=True)
class Lane:
    """Items in start order (ties: breaks first, then by room) with their starts for bisection."""

    items: tuple[Item, ...]
    starts: tuple[datetime, ...]
    longest: timedelta  # the longest item: how far back a running one can have started

    @classmethod
    def of(cls, items: list[Item]) -> Lane:
        """Sort ``items`` (all scheduled) into a lane."""
        items.sort(key=lambda i: (i.start, 0 if isinstance(i, Break) else 1, i.room or ""))
        spans = [i.end - i.start for i in items if i.start is not None and i.end is not None]
        starts = tuple(i.start for i in items if i.start is not None)
        return cls(tuple(items), starts, max(spans, default=timedelta(0)))

    def after(self, at: datetime) -> tuple[Item, ...]:
        """The items starting after ``at``, in order."""
        return self.items[bisect_right(self.starts, at) :]

    def running(self, at: datetime) -> list[Item]:
        """The items on at ``at`` (started, not ended), in start order."""
        return self.overlapping(at, at + timedelta(microseconds=1))

    def overlapping(self, start: datetime, end: datetime) -> list[Item]:
        """The items whose time overlaps ``[start, end)``, in start order."""
        first = bisect_right(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return [i for i in self.items[first:last] if i.end is not None and start < i.end]


@dataclass(frozen=True)
class Timeline:
    """Every live item, per room the items there plus those that cover every room, and the
    programme's talks and breaks per day, track and room."""

    all: Lane
    rooms: dict[str, Lane]
    shared: Lane  # items without a room: on in every room
    talks_in: dict[str | None, Lane]  # live talks only, per room (None: talks without a room)
    last_end: datetime | None
    days: dict[date, tuple[Item, ...]]  # scheduled talks (cancelled ones too) and breaks, in agenda order
    tracks: dict[str, tuple[Talk, ...]]  # every talk of a track, in the programme's order
    room_talks: dict[str, tuple[Talk, ...]]  # every talk in a room, in the programme's order

    @classmethod
    def of(cls, programme: Programme) -> Timeline:
        """Index ``programme``."""
        live: list[Item] = [t for t in programme.talks if t.start and t.end and not t.cancelled]
        live += [b for b in programme.breaks if b.start and b.end]
        shared = [i for i in live if i.room is None]
        rooms = {i.room for i in live if i.room is not None}
        by_room = {r: Lane.of([i for i in live if i.room in (r, None)]) for r in rooms}
        talks_in: dict[str | None, list[Item]] = {}
        for item in live:
            if isinstance(item, Talk):
                talks_in.setdefault(item.room, []).append(item)
        days: dict[date, list[Item]] = {}
        everything: list[Item] = [*programme.talks, *programme.breaks]
        for item in everything:
            if item.start is not None and item.end is not None:
                days.setdefault(item.start.astimezone(programme.tz).date(), []).append(item)
        tracks: dict[str, list[Talk]] = {}
        room_talks: dict[str, list[Talk]] = {}
        for talk in programme.talks:
            if talk.track:
                tracks.setdefault(talk.track, []).append(talk)
            if talk.room:
                room_talks.setdefault(talk.room, []).append(talk)
        ends = [i.end for i in live if i.end is not None]
        return cls(
            all=Lane.of(list(live)),
            rooms=by_room,
            shared=Lane.of(shared),
            talks_in={r: Lane.of(items) for r, items in talks_in.items()},
            last_end=max(ends, default=None),
            days={d: Lane.of(items).items for d, items in days.items()},
            tracks={k: tuple(v) for k, v in tracks.items()},
            room_talks={k: tuple(v) for k, v in room_talks.items()},
        )

    def lane(self, room_id: str) -> Lane:
        """The items in ``room_id`` and those in every room."""
        return self.rooms.get(room_id, self.shared)


_CACHE: dict[int, tuple[weakref.ref[Programme], Timeline]] = {}


_CACHE_LOCK = threading.Lock()  # request threads look up and build timelines at the same time


def timeline(programme: Programme) -> Timeline:
    """The timeline of ``programme``, built on first use (a reload brings a new programme)."""
    cached = _CACHE.get(id(programme))
    if cached is not None and cached[0]() is programme:
        return cached[1]
    built = Timeline.of(programme)
    with _CACHE_LOCK:
        for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
            del _CACHE[key]
        _CACHE[id(programme)] = (weakref.ref(programme), built)
    return built
