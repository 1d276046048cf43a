"""c3voc ``schedule.json``, as frab, pretalx and the c3voc hub export it (schema in the
``voc/schedule`` repository, ``validator/json/schema.json`` and ``schema2.json``).

- version 1: ``schedule.conference.days[].rooms{name: [event]}``; an event's ``date`` carries its
  offset, ``duration`` is ``HH:MM``; persons have ``id`` (frab), ``code`` (pretalx) or ``guid``.
- version 2: ``schedule.events[]`` at the top; ``start``/``end`` with offsets, ``room`` and
  ``track`` may be objects, ``participants`` name people by ``guid`` whose biographies are in
  ``schedule.persons``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.programme.content.importers.build import Builder, Event, i18n, kind_of, parse_time, zone
from bot.programme.content.importers.errors import EmptySchedule
from bot.programme.content.importers.plaintext import plain
from bot.programme.content.importers.resources import Media, recording_of, slides_of, web_url
from bot.programme.content.schema import ContentFile

V1 = "c3voc schedule.json v1"
V2 = "c3voc schedule.json v2"


def _links(items: object) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(x.get("url") or "") if isinstance(x, dict) else str(x) for x in items if x]


def _media(event: Mapping[str, Any], base: str | None) -> Media:
    """The talk's ``slides`` and ``recording``: from its own video fields, else its links and attachments."""
    pairs = [
        (url, i18n(x.get("title")) if isinstance(x, dict) else "")
        for x in [*(event.get("links") or []), *(event.get("attachments") or [])]
        if (url := web_url(x.get("url") if isinstance(x, dict) else x, base))
    ]
    recording = event.get("recording")
    video = event.get("video_download_url") or event.get("video") or event.get("recording_url")
    if isinstance(recording, dict):  # {"license": …, "optout": …}, sometimes with a url
        video = video or recording.get("url")
    return Media(slides=slides_of(pairs), recording=web_url(video) or recording_of(pairs))


def _stream(room: Mapping[str, Any]) -> str | None:
    """A room's live stream URL, when the source gives one (a bare stream name is not a link)."""
    return web_url(room.get("stream")) or web_url(room.get("stream_url"))


def _abstract(event: Mapping[str, Any]) -> str:
    subtitle = i18n(event.get("subtitle"))
    parts = [plain(i18n(event.get(k))) for k in ("abstract", "description")]
    unique = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return "\n\n".join([subtitle, *unique] if subtitle else unique)


def _conference(conf: Mapping[str, Any], fallback: str) -> dict[str, Any]:
    days = [d.get("date") for d in conf.get("days") or [] if isinstance(d, dict)]
    return {
        "id": conf.get("acronym") or fallback,
        "name": i18n(conf.get("title")),
        "url": conf.get("url"),
        "days": days,
    }


def import_v1(
    data: Mapping[str, Any], name: str, *, source: str, timezone: str | None, previous: Mapping[str, int]
) -> ContentFile:
    """A version-1 schedule.json: days → rooms → events."""
    conf = data["schedule"]["conference"] if "schedule" in data else data["conference"]
    b = Builder(source, V1)
    base = (data.get("schedule") or {}).get("base_url") or conf.get("base_url") or conf.get("url")
    for room in conf.get("rooms") or []:  # pretalx lists every room up front, in its order
        if isinstance(room, dict):
            b.room(i18n(room.get("name")), stream=_stream(room))
    days = conf.get("days")
    if not isinstance(days, list):
        raise b.error("schedule.conference.days is not a list", "schedule.conference")
    for d, day in enumerate(days, 1):
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            continue
        for room_name, events in rooms.items():
            for n, event in enumerate(events if isinstance(events, list) else [], 1):
                number = event.get("id", n) if isinstance(event, dict) else n
                place = f"day {day.get('index', d)}, room {room_name!r}, event {number}"
                if not isinstance(event, dict):
                    raise b.error(f"expected an event object, not {event!r}"[:200], place)
                with b.at(place):
                    b.add(_event_v1(b, event, room_name, day, place, base))
    if not b.events:
        rooms_seen = sum(len(day.get("rooms") or {}) for day in days if isinstance(day, dict))
        detail = (
            f"{rooms_seen} room lists, none with an event"
            if rooms_seen
            else "no day lists rooms; a version 2 file keeps its events in schedule.events"
        )
        raise EmptySchedule(
            source, f"detected {V1}, but none of its {len(days)} days has an event ({detail})", format=V1
        )
    tz = zone(conf.get("time_zone_name")) or timezone
    return b.content(_conference(conf, name), tz, previous)


def _event_v1(
    b: Builder, event: Mapping[str, Any], room_name: str, day: Mapping[str, Any], place: str, base: str | None
) -> Event:
    if event.get("date"):
        start = parse_time(event["date"], place + ", date", b.source)
    elif event.get("start") and day.get("date"):
        start = parse_time(f"{day['date']}T{event['start']}", place + ", start", b.source)
    else:
        raise b.error("no date or start", place)
    length = b.length(event.get("duration"), place)
    persons = [p for p in b.people(event.get("persons"), place) if isinstance(p, dict)]
    return Event(
        source_id=event.get("id"),
        guid=event.get("guid") or None,
        code=event.get("code") or None,
        title=i18n(event.get("title")),
        start=start,
        end=start + length if length else None,
        room=i18n(event.get("room")) or room_name,
        place=place,
        speakers=[
            b.speaker(
                i18n(p.get("public_name") or p.get("name")),
                p.get("code") or p.get("id") or p.get("guid"),
                i18n(p.get("biography")),
            )
            for p in persons
        ],
        abstract=_abstract(event),
        track=i18n(event.get("track")) or None,
        kind=kind_of(event.get("type")),
        language=i18n(event.get("language")) or None,
        links=_links(event.get("links")),
        **_media(event, base),
    )


def import_v2(
    data: Mapping[str, Any], name: str, *, source: str, timezone: str | None, previous: Mapping[str, int]
) -> ContentFile:
    """A version-2 schedule.json: a flat ``schedule.events`` list."""
    schedule = data["schedule"]
    conf = schedule.get("conference") or {}
    b = Builder(source, V2)
    listed = [r for r in conf.get("rooms") or [] if isinstance(r, dict)]
    rooms = {r.get("guid"): i18n(r.get("name")) for r in listed}
    for room in listed:
        b.room(i18n(room.get("name")), stream=_stream(room))
    base = schedule.get("base_url") or conf.get("base_url") or conf.get("url")
    tracks = {t.get("slug"): i18n(t.get("name")) for t in conf.get("tracks") or [] if isinstance(t, dict)}
    bios = {p.get("guid"): p for p in schedule.get("persons") or [] if isinstance(p, dict)}
    events = schedule.get("events")
    if not isinstance(events, list):
        raise b.error("schedule.events is not a list", "schedule.events")
    for n, event in enumerate(events):
        if not isinstance(event, dict):
            raise b.error("expected an object", f"schedule.events[{n}]")
        place = f"schedule.events[{n}] ({event.get('guid') or event.get('title') or '?'})"
        with b.at(place):
            b.add(_event_v2(b, event, place, rooms, tracks, bios, base))
    if not b.events:
        raise EmptySchedule(source, f"detected {V2}, but schedule.events is empty", format=V2)
    tz = zone(conf.get("time_zone_name")) or timezone
    return b.content(_conference(conf, name), tz, previous)


def _event_v2(
    b: Builder,
    event: Mapping[str, Any],
    place: str,
    rooms: Mapping[Any, str],
    tracks: Mapping[Any, str],
    bios: Mapping[Any, Mapping[str, Any]],
    base: str | None,
) -> Event:
    source = b.source
    start = parse_time(event.get("start"), place + ", start", source) if event.get("start") else None
    end = parse_time(event.get("end"), place + ", end", source) if event.get("end") else None
    if start is not None and end is None and (length := b.length(event.get("duration"), place)):
        end = start + length
    room, track = event.get("room"), event.get("track")
    return Event(
        source_id=event.get("id"),
        guid=event.get("guid") or None,
        code=event.get("code") or None,
        title=i18n(event.get("title")),
        start=start,
        end=end,
        room=(rooms.get(room.get("guid")) or i18n(room.get("name"))) if isinstance(room, dict) else i18n(room),
        place=place,
        speakers=[
            b.speaker(
                i18n(p.get("name") or bios.get(p.get("guid"), {}).get("name")),
                p.get("guid") or p.get("id"),
                i18n(bios.get(p.get("guid"), {}).get("biography")),
            )
            for p in b.people(event.get("participants") or event.get("persons"), place)
            if isinstance(p, dict) and p.get("role", "speaker") not in ("organizer", "angel")
        ],
        abstract=_abstract(event),
        track=(tracks.get(track.get("slug")) or i18n(track.get("name")) or track.get("slug"))
        if isinstance(track, dict)
        else (i18n(track) or None),
        kind=kind_of(event.get("type")),
        language=i18n(event.get("language")) or None,
        links=_links(event.get("links")),
        **_media(event, base),
    )
