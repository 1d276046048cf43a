"""iCalendar export (the whole programme, or a personal agenda) with the icalendar library.

UIDs are stable (``talk-<id>@<conference id>``), so importing an updated file again updates
the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.content.language import marked
from bot.content.programme import Programme
from bot.content.schema import Talk
from bot.i18n import join_names, pick


def talk_uid(programme: Programme, talk: Talk) -> str:
    """The stable UID of a talk's event."""
    return f"talk-{talk.id}@{programme.conference.id}"


def description(programme: Programme, talk: Talk, lang: str) -> str:
    """Speakers and abstract in ``lang``; a Chinese abstract shown in English is marked so."""
    speakers = join_names(
        (
            f"{s.name_en} ({s.name})" if lang == "en" and s.name_en and s.name_en != s.name else s.name
            for s in programme.speakers_of(talk)
        ),
        lang,
    )
    abstract = marked(lang, talk.abstract.strip(), (talk.abstract_en or "").strip() or None)
    return "\n\n".join(x for x in (speakers, abstract) if x)


def calendar_bytes(
    programme: Programme,
    talks: Iterable[Talk] | None = None,
    lang: str = "zh",
    name: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """An .ics file with one VEVENT per scheduled talk (all talks by default)."""
    conf = programme.conference
    cal = Calendar()
    cal.add("prodid", "-//confbot//conference agenda//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or pick(lang, conf.name, conf.name_en))
    cal.add("x-wr-timezone", conf.timezone)
    stamp = stamp or datetime.now(UTC)
    for talk in programme.talks if talks is None else talks:
        if talk.start is None or talk.end is None:
            continue
        event = Event()
        event.add("uid", talk_uid(programme, talk))
        event.add("dtstamp", stamp)
        event.add("dtstart", talk.start)
        event.add("dtend", talk.end)
        event.add("summary", f"#{talk.id} {pick(lang, talk.title, talk.title_en)}")
        room = programme.room(talk.room)
        if room is not None:
            event.add("location", pick(lang, room.name, room.name_en))
        event.add("description", description(programme, talk, lang))
        if talk.cancelled:
            event.add("status", "CANCELLED")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
