"""frab and Pentabarf ``schedule.xml`` (schema: ``validator/xsd/schedule.xml.xsd`` in the
``voc/schedule`` repository; pretalx exports the same).

``schedule → conference, day → room → event``. frab and pretalx give each event a ``<date>`` with
its offset; Pentabarf (FOSDEM until about 2019) gives only ``<start>`` (``HH:MM``) and the day's
``date``, local to a zone the file does not name; ``<conference><day_change>`` says when a day
ends (an event before it belongs to the next calendar date).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

from bot.programme.content.importers.build import Builder, Event, kind_of, parse_time, zone
from bot.programme.content.importers.errors import EmptySchedule, ScheduleError
from bot.programme.content.importers.plaintext import plain
from bot.programme.content.importers.resources import Media, recording_of, slides_of, web_url
from bot.programme.content.schema import ContentFile

FRAB = "frab XML"
PENTABARF = "Pentabarf XML"


def parse(text: str | bytes, source: str) -> ElementTree.Element:
    """The XML tree, or an error with the line and column."""
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ScheduleError(source, f"not well-formed XML: {exc}", place=f"line {line}, column {column + 1}") from None


def flavour(root: ElementTree.Element) -> str:
    """frab when events carry a ``<date>``, Pentabarf when they have only ``<start>``."""
    event = root.find("day/room/event")
    return PENTABARF if event is not None and not (event.findtext("date") or "").strip() else FRAB


def _text(el: ElementTree.Element, tag: str) -> str:
    return (el.findtext(tag) or "").strip()


def _clock(text: str) -> time | None:
    parts = text.strip().split(":")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return time(int(parts[0]) % 24, int(parts[1]))
    return None


def _media(event: ElementTree.Element, base: str | None) -> Media:
    """The talk's ``slides`` and ``recording``: its ``<video_download_url>`` or ``<recording><url>``,
    else its ``<links>`` and ``<attachments>`` that say so."""
    pairs = [
        (url, (el.text or "").strip())
        for el in [*event.findall("links/link"), *event.findall("attachments/attachment")]
        if (url := web_url(el.get("href"), base))
    ]
    video = web_url(_text(event, "video_download_url")) or web_url(_text(event, "recording/url"))
    return Media(slides=slides_of(pairs), recording=video or recording_of(pairs))


def import_xml(
    root: ElementTree.Element, name: str, *, source: str, timezone: str | None, previous: Mapping[str, int]
) -> ContentFile:
    """A frab/Pentabarf schedule tree (see :func:`parse`)."""
    conf = root.find("conference")
    name = flavour(root)
    b = Builder(source, name)
    if root.tag != "schedule" or conf is None:
        raise b.error(f"expected <schedule><conference>, found <{root.tag}>", "line 1")
    day_change = _clock(_text(conf, "day_change"))
    days = root.findall("day")
    for d, day in enumerate(days, 1):
        day_place = f"<day index={day.get('index', d)!r}>"
        try:
            day_date = date.fromisoformat((day.get("date") or "")[:10]) if day.get("date") else None
        except ValueError:
            raise b.error(f"date {day.get('date')!r} is not a date", day_place) from None
        change = day_change
        if change is None and day.get("start"):  # frab: the day starts at its start attribute
            change = parse_time(day.get("start"), day_place, source).time()
        for room_el in day.findall("room"):
            room_name = room_el.get("name") or ""
            for event in room_el.findall("event"):
                place = f"{day_place} <room name={room_name!r}> <event id={event.get('id', '?')!r}>"
                with b.at(place):
                    b.add(_event(b, event, room_name, day_date, change, place, _text(conf, "base_url") or None))
    if not b.events:
        raise EmptySchedule(
            source,
            f"detected {name}, but its {len(days)} <day> elements hold no <event> in any <room>",
            format=name,
        )
    tz = zone(_text(conf, "time_zone_name")) or zone(_text(conf, "timezone")) or timezone
    conference = {
        "id": _text(conf, "acronym") or _text(conf, "title") or name,
        "name": _text(conf, "title"),
        "city": _text(conf, "city") or None,
        "venue": {"name": _text(conf, "venue"), "address": _text(conf, "city")} if _text(conf, "venue") else None,
        "url": _text(conf, "base_url") or None,
        "days": [day.get("date") for day in days],
    }
    return b.content(conference, tz, previous)


def _event(
    b: Builder,
    event: ElementTree.Element,
    room_name: str,
    day: date | None,
    change: time | None,
    place: str,
    base: str | None = None,
) -> Event:
    start: datetime | None
    if _text(event, "date"):
        start = parse_time(_text(event, "date"), place + " <date>", b.source)
    elif _text(event, "start") and day is not None:
        at = _clock(_text(event, "start"))
        if at is None:
            raise b.error(f"<start> {_text(event, 'start')!r} is not HH:MM", place)
        start = datetime.combine(day, at)
        if change is not None and at < change:
            start += timedelta(days=1)
    else:
        raise b.error("no <date>, and no <start> with its day's date", place)
    length = b.length(_text(event, "duration"), place)
    subtitle = _text(event, "subtitle")
    parts = [plain(_text(event, "abstract")), plain(_text(event, "description"))]
    body = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return Event(
        source_id=event.get("id"),
        guid=event.get("guid") or None,
        code=event.get("code") or None,
        title=_text(event, "title"),
        start=start,
        end=start + length if length else None,
        room=_text(event, "room") or room_name,
        place=place,
        speakers=[
            b.speaker(p.text or "", p.get("code") or p.get("id") or p.get("guid"))
            for p in event.findall("persons/person")
        ],
        abstract="\n\n".join([subtitle, *body] if subtitle else body),
        track=_text(event, "track") or None,
        kind=kind_of(_text(event, "type")),
        language=_text(event, "language") or None,
        links=[link.get("href") or "" for link in event.findall("links/link")],
        **_media(event, base),
    )
