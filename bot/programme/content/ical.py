"""iCalendar export (the whole programme, or a personal agenda) with the icalendar library.

UIDs are stable (``talk-<id>@<conference id>``), so importing an updated file again updates
the events instead of duplicating them. Times carry ``TZID=<conference zone>`` and the file has
the VTIMEZONE block RFC 5545 requires for it; a personal agenda can carry a VALARM per event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from bot.i18n import join_names, pick
from bot.programme.content.language import marked
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk


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


def location(programme: Programme, talk: Talk, lang: str) -> str:
    """What a phone's calendar shows and looks up on its map: the room (and floor), the venue's name
    and its address, ``Main Hall 1F, Xi'an University …, 618 West Chang'an Street, …``."""
    room = programme.room(talk.room)
    parts = [f"{pick(lang, room.name, room.name_en)} {room.floor or ''}".strip()] if room is not None else []
    if room is None and talk.room:
        parts.append(talk.room)
    venue = programme.conference.venue
    if venue is not None:
        parts.append(pick(lang, venue.name, venue.name_en))
        address = pick(lang, venue.address, venue.address_en)
        if address:
            parts.append(address)
    return ("，" if lang == "zh" else ", ").join(parts)


def calendar_bytes(
    programme: Programme,
    talks: Iterable[Talk] | None = None,
    lang: str = "zh",
    name: str | None = None,
    stamp: datetime | None = None,
    alarm_minutes: int | None = None,
) -> bytes:
    """An .ics file with one VEVENT per scheduled talk (all talks by default).

    ``alarm_minutes`` adds a display alarm that many minutes before each talk.
    """
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
        where = location(programme, talk, lang)
        if where:
            event.add("location", where)
        venue = conf.venue
        if venue is not None and venue.latitude is not None and venue.longitude is not None:
            event.add("geo", (venue.latitude, venue.longitude))
        event.add("description", description(programme, talk, lang))
        if talk.cancelled:
            event.add("status", "CANCELLED")
        elif alarm_minutes is not None:
            event.add_component(_alarm(alarm_minutes, f"#{talk.id} {pick(lang, talk.title, talk.title_en)}"))
        cal.add_component(event)
    starts = [t.start for t in programme.talks if t.start is not None]
    if starts:  # the zone's rules over the programme's years, not since 1970
        cal.add_missing_timezones(min(starts).date() - timedelta(days=366), max(starts).date() + timedelta(days=366))
    ical: bytes = cal.to_ical()
    return ical


def _alarm(minutes: int, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm
