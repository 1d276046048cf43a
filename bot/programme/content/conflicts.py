"""Schedule conflicts: two talks in one room at once, one speaker in two places at once, a talk in a
room the conference does not have, or a talk outside the conference days.

Cancelled talks, unscheduled talks and breaks that cover every room (``room: null``) never clash. A
break held in one room (a closing session in hall A) occupies that room. Times touching end to
start (10:00-10:40, then 10:40) do not overlap. A room is checked only when the conference lists
rooms; the days only when it gives ``first_day`` and ``last_day`` (a talk may start up to
``NIGHT_HOURS`` after midnight of a day and still belong to it, as at night-long congresses). Used by
/move (refused unless ``force``), by every
reload (a reload that adds a conflict is refused unless forced) and by ``confbot content check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml

from bot.programme.content.bounded import ContentLimits, Refused, decode, read_bytes
from bot.programme.content.loader import Problem
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Talk
from bot.programme.content.yamlbounds import compose_and_load

Item = Talk | Break
NIGHT_HOURS = 6
PAIRS = ("room", "speaker")  # the kinds that name two items; "no_room" and "off_days" name one talk


@dataclass(frozen=True)
class Conflict:
    """``first`` (always a talk) and ``second`` overlap in room ``where`` or for speaker ``where``;
    or ``first`` alone is in a room that does not exist or on a day outside the conference."""

    kind: str  # "room" | "speaker" | "no_room" | "off_days"
    where: str  # the room id, the speaker id, or the talk's local start date
    first: Talk
    second: Item | None = None
    detail: str = ""  # for the single-talk kinds: the rooms there are, or the conference days
    shown: str = ""  # how to name ``where`` to a person: the speaker's or room's name, with its id

    @property
    def key(self) -> tuple[str, str, frozenset[str]]:
        """What identifies the clash whatever the exact times: its kind, place and the two items."""
        items = (self.first,) if self.second is None else (self.first, self.second)
        return (self.kind, self.where, frozenset(_ident(i) for i in items))

    def involves(self, talk_id: int) -> bool:
        """Whether the talk is one of the two."""
        return talk_id in (self.first.id, getattr(self.second, "id", None))

    def other(self, talk_id: int) -> Item | None:
        """The item that clashes with talk ``talk_id`` (None for a single-talk conflict)."""
        return self.second if self.first.id == talk_id else self.first

    def __str__(self) -> str:
        if self.kind == "no_room":
            return f"{label(self.first)} is in room {self.where}, which the conference does not have ({self.detail})"
        if self.kind == "off_days" or self.second is None:
            return f"{label(self.first)} starts on {self.where}, outside the conference days ({self.detail})"
        where = self.shown or self.where
        place = f"in room {where}" if self.kind == "room" else f"with speaker {where}"
        return f"{label(self.first)} and {label(self.second)} overlap {place}"


def label(item: Item) -> str:
    """``talk 12 "Title"`` or ``break "Closing"``."""
    title = item.title_en or item.title
    return f'talk {item.id} "{title}"' if isinstance(item, Talk) else f'break "{title}"'


def _ident(item: Item) -> str:
    return f"talk:{item.id}" if isinstance(item, Talk) else f"break:{item.title}"


def _span(item: Item) -> tuple[datetime, datetime] | None:
    if item.start is None:
        return None
    return item.start, item.end if item.end is not None and item.end > item.start else item.start + timedelta(minutes=1)


def _clashes(kind: str, where: str, items: list[Item], shown: str = "") -> list[Conflict]:
    """Overlapping pairs (at least one of them a talk) in time order, by a sweep over starts."""
    timed = sorted(((span, item) for item in items if (span := _span(item)) is not None), key=lambda p: p[0])
    found: list[Conflict] = []
    active: list[tuple[tuple[datetime, datetime], Item]] = []
    for span, item in timed:
        active = [(s, other) for s, other in active if s[1] > span[0]]
        for _, other in active:
            pair = sorted((other, item), key=lambda i: (not isinstance(i, Talk), getattr(i, "id", 0)))
            talk, second = pair  # a talk first; two talks by id
            if isinstance(talk, Talk):
                found.append(Conflict(kind, where, talk, second, shown=shown))
        active.append((span, item))
    return found


def _person(programme: Programme, speaker_id: str) -> str:
    """``Chen Lijun 陈莉君 (chenlijun)``: a speaker by name, with the id the content file uses."""
    speaker = programme.speaker(speaker_id)
    if speaker is None:
        return speaker_id
    names = " ".join(dict.fromkeys(n for n in (speaker.name_en, speaker.name) if n))
    return f"{names} ({speaker_id})" if names and names != speaker_id else speaker_id


def _room(programme: Programme, room_id: str) -> str:
    """A room by name, with its id, as :func:`_person`."""
    room = programme.room(room_id)
    names = " ".join(dict.fromkeys(n for n in (room.name_en, room.name) if n)) if room is not None else ""
    return f"{names} ({room_id})" if names and names != room_id else room_id


def _rooms(programme: Programme, talks: list[Talk]) -> list[Conflict]:
    rooms = {r.id for r in programme.conference.rooms}
    if not rooms:
        return []
    there = "rooms: " + ", ".join(sorted(rooms))
    return [Conflict("no_room", t.room, t, detail=there) for t in talks if t.room is not None and t.room not in rooms]


def _days(programme: Programme, talks: list[Talk]) -> list[Conflict]:
    first, last = programme.conference.first_day, programme.conference.last_day
    if first is None or last is None:
        return []
    tz = programme.tz
    opens = datetime.combine(first, time(0), tz)
    closes = datetime.combine(last + timedelta(days=1), time(NIGHT_HOURS), tz)
    days = f"{first.isoformat()} to {last.isoformat()}"
    return [
        Conflict("off_days", _local_day(t.start, programme).isoformat(), t, detail=days)
        for t in talks
        if t.start is not None and not opens <= t.start < closes
    ]


def _local_day(instant: datetime, programme: Programme) -> date:
    return instant.astimezone(programme.tz).date()


def find(programme: Programme) -> list[Conflict]:
    """Every conflict in the programme: rooms, speakers, then missing rooms and days."""
    talks = [t for t in programme.talks if not t.cancelled and t.start is not None]
    by_room: dict[str, list[Item]] = {}
    items: list[Item] = [*talks, *programme.breaks]
    for item in items:
        if item.room is not None:
            by_room.setdefault(item.room, []).append(item)
    by_speaker: dict[str, list[Item]] = {}
    for talk in talks:
        for speaker in dict.fromkeys(talk.speakers):
            by_speaker.setdefault(speaker, []).append(talk)
    found = [
        c for room, items in sorted(by_room.items()) for c in _clashes("room", room, items, _room(programme, room))
    ]
    found += [
        c for sid, items in sorted(by_speaker.items()) for c in _clashes("speaker", sid, items, _person(programme, sid))
    ]
    return found + _rooms(programme, talks) + _days(programme, talks)


def involving(programme: Programme, talk_id: int) -> list[Conflict]:
    """The conflicts of one talk."""
    return [c for c in find(programme) if c.involves(talk_id)]


def added(new: Programme, old: Programme) -> list[Conflict]:
    """Conflicts in ``new`` that ``old`` does not have (the same two items, place and kind)."""
    known = {c.key for c in find(old)}
    return [c for c in find(new) if c.key not in known]


def _talk_lines(path: Path) -> dict[int, tuple[str, int]]:
    """Where each talk id is written: its file and line (best effort; the files already loaded)."""
    files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
    places: dict[int, tuple[str, int]] = {}
    limits = ContentLimits()  # read as the loader reads: regular files inside the folder, bounded
    for file in files:
        try:
            text = decode(read_bytes(file, limit=limits.max_bytes, root=path if path.is_dir() else None))
            root, _ = compose_and_load(text, limits, limits.deadline())
        except (OSError, Refused, yaml.YAMLError, RecursionError):
            continue
        if not isinstance(root, yaml.MappingNode):
            continue
        for key, value in root.value:
            if key.value != "talks" or not isinstance(value, yaml.SequenceNode):
                continue
            for node in value.value:
                if not isinstance(node, yaml.MappingNode):
                    continue
                for k, v in node.value:
                    if k.value == "id" and str(v.value).isdigit():
                        places.setdefault(int(v.value), (str(file), node.start_mark.line + 1))
    return places


def as_problems(conflicts: Iterable[Conflict], path: Path) -> list[Problem]:
    """The conflicts as content problems naming the file and line of the first talk."""
    places = _talk_lines(Path(path))
    problems = []
    for c in conflicts:
        file, line = places.get(c.first.id, (str(path), None))
        problems.append(Problem(file, line, f"talk {c.first.id}", f"schedule conflict: {c}"))
    return problems
