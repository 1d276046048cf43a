"""What the desk's schedule page shows beside its forms: the stored overrides (/move and /cancel fixes,
which the chat has no command to list) and the talks, days and rooms its forms offer. Read-only: the
page's forms run /move, /cancel, their undo and /reload as chat commands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.programme import overrides
from bot.programme.cards import room_name, title_of
from bot.programme.content.programme import Programme
from bot.programme.timefmt import format_day, format_span


@dataclass(frozen=True)
class Fix:
    """One stored override as the page lists it."""

    talk_id: int
    title: str
    moved_to: str | None  # day, time and room it was moved to; None when it is only cancelled
    cancelled: bool
    set_by: str
    set_at: str


@dataclass(frozen=True)
class Choice:
    """A value a form offers: what is posted and what the organizer reads."""

    value: str
    label: str
    room: str | None = None  # a talk's room (its screen is /rooms/<room>/screen)


@dataclass(frozen=True)
class ScheduleDesk:
    """The schedule page: the overrides, and the talks, days and rooms to pick from."""

    fixes: tuple[Fix, ...]
    talks: tuple[Choice, ...]
    days: tuple[Choice, ...]
    rooms: tuple[Choice, ...]


def schedule_view(session: Session, programme: Programme, lang: str) -> ScheduleDesk:
    """The overrides stored on top of the content files, newest talk ids last, and the form choices."""
    tz = programme.tz
    fixes = []
    for fix in overrides.stored(session):
        talk = programme.talk(fix.talk_id)
        moved_to = None
        if fix.start is not None:
            day = format_day(fix.start.astimezone(tz).date(), lang)
            room = room_name(programme, fix.room or (talk.room if talk else None), lang)
            moved_to = f"{day} {format_span(fix.start, fix.end, tz)}, {room}"
        at = fix.set_at.astimezone(tz)
        fixes.append(
            Fix(
                fix.talk_id,
                title_of(talk, lang) if talk else "—",
                moved_to,
                fix.cancelled,
                fix.set_by,
                f"{at:%m-%d %H:%M}",
            )
        )
    talks = tuple(
        Choice(str(talk.id), f"#{talk.id} {title_of(talk, lang)}", talk.room)
        for talk in sorted(programme.talks, key=lambda talk: talk.id)
    )
    days = tuple(Choice(day.isoformat(), format_day(day, lang)) for day in programme.days())
    rooms = tuple(Choice(room.id, room_name(programme, room.id, lang)) for room in programme.conference.rooms)
    return ScheduleDesk(tuple(fixes), talks, days, rooms)
