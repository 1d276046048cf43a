"""frab / pretalx schedules: import ``schedule.json`` (c3voc schema) and ``schedule.xml``,
export ``schedule.json`` whose event ids are the talk ids."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from pypinyin import lazy_pinyin

from bot.content.programme import Programme
from bot.content.schema import Conference, ContentFile, Room, Speaker, Talk, Track


def _slug(text: str) -> str:
    ascii_text = "".join(lazy_pinyin(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def _duration(text: str | None) -> int:
    """``01:30`` or ``0:45`` → minutes."""
    if not text:
        return 30
    parts = [int(p) for p in text.split(":")]
    return parts[0] * 60 + parts[1] if len(parts) >= 2 else parts[0]


class _Builder:
    """Collects rooms, tracks, speakers and talks while walking a schedule."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.tracks: dict[str, Track] = {}
        self.speakers: dict[str, Speaker] = {}
        self.talks: list[Talk] = []
        self._used_ids: set[int] = set()

    def room(self, name: str) -> str:
        rid = _slug(name)
        self.rooms.setdefault(rid, Room(id=rid, name=name))
        return rid

    def track(self, name: str | None) -> str | None:
        if not name:
            return None
        tid = _slug(name)
        self.tracks.setdefault(tid, Track(id=tid, name=name))
        return tid

    def speaker(self, name: str, bio: str = "") -> str:
        sid = _slug(name)
        if sid not in self.speakers:
            self.speakers[sid] = Speaker(id=sid, name=name.strip(), bio=bio or "")
        return sid

    def talk_id(self, raw: Any) -> int:
        try:
            candidate = int(raw)
        except (TypeError, ValueError):
            candidate = 0
        if candidate <= 0 or candidate in self._used_ids:
            candidate = max(self._used_ids, default=0) + 1
        self._used_ids.add(candidate)
        return candidate

    def content(self, conference: Conference) -> ContentFile:
        conf = conference.model_copy(update={"rooms": list(self.rooms.values()), "tracks": list(self.tracks.values())})
        return ContentFile(conference=conf, speakers=list(self.speakers.values()), talks=self.talks)


def import_json(text: str) -> ContentFile:
    """A c3voc/pretalx ``schedule.json``: schedule → conference → days → rooms → events."""
    data = json.loads(text)
    conf = data.get("schedule", data).get("conference")
    if not isinstance(conf, dict):
        raise ValueError("not a frab schedule.json: no schedule.conference object")
    builder = _Builder()
    for day in conf.get("days", []):
        for room_name, events in (day.get("rooms") or {}).items():
            room_id = builder.room(room_name)
            for event in events:
                start = datetime.fromisoformat(event["date"])
                speakers = [
                    builder.speaker(p.get("public_name") or p.get("name", "?"), p.get("biography") or "")
                    for p in event.get("persons", [])
                ]
                links = [
                    link.get("url", "") if isinstance(link, dict) else str(link)
                    for link in event.get("links", [])
                    if link
                ]
                builder.talks.append(
                    Talk(
                        id=builder.talk_id(event.get("id")),
                        title=event.get("title") or "?",
                        abstract=(event.get("abstract") or event.get("description") or "").strip(),
                        speakers=speakers,
                        room=room_id,
                        track=builder.track(event.get("track")),
                        start=start,
                        duration=_duration(event.get("duration")),
                        links=[u for u in links if u],
                        language=event.get("language") or None,
                    )
                )
    timezone = conf.get("time_zone_name") or "UTC"
    first, last = _day_range(day.get("date") for day in conf.get("days", []))
    conference = Conference(
        id=conf.get("acronym") or _slug(conf.get("title", "conference")),
        name=conf.get("title") or "Conference",
        timezone=timezone,
        url=conf.get("url"),
        first_day=first,
        last_day=last,
    )
    return builder.content(conference)


def import_xml(text: str) -> ContentFile:
    """A frab/Pentabarf ``schedule.xml``: schedule → conference, day → room → event."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValueError(f"line {exc.position[0]}: not well-formed XML ({exc})") from None
    conf_el = root.find("conference")
    if root.tag != "schedule" or conf_el is None:
        raise ValueError("not a frab schedule.xml: expected <schedule><conference>")
    builder = _Builder()
    offsets: set[timedelta] = set()
    for day in root.findall("day"):
        for room_el in day.findall("room"):
            room_id = builder.room(room_el.get("name", "?"))
            for event in room_el.findall("event"):
                start = datetime.fromisoformat(event.findtext("date", ""))
                offset = start.utcoffset()
                if offset is not None:
                    offsets.add(offset)
                speakers = [builder.speaker(p.text or "?") for p in event.findall("persons/person")]
                links = [link.get("href", "") for link in event.findall("links/link")]
                subtitle = (event.findtext("subtitle") or "").strip()
                abstract = (event.findtext("abstract") or "").strip()
                description = (event.findtext("description") or "").strip()
                builder.talks.append(
                    Talk(
                        id=builder.talk_id(event.get("id")),
                        title=(event.findtext("title") or "?").strip(),
                        abstract="\n\n".join(x for x in (subtitle, abstract, description) if x),
                        speakers=speakers,
                        room=room_id,
                        track=builder.track(event.findtext("track")),
                        start=start,
                        duration=_duration(event.findtext("duration")),
                        links=[u for u in links if u],
                        language=(event.findtext("language") or None),
                    )
                )
    title = conf_el.findtext("title") or "Conference"
    timezone = conf_el.findtext("time_zone_name") or ("UTC" if not offsets else _zone_for(offsets))
    first, last = _day_range(day.get("date") for day in root.findall("day"))
    conference = Conference(
        id=conf_el.findtext("acronym") or _slug(title), name=title, timezone=timezone, first_day=first, last_day=last
    )
    return builder.content(conference)


def _day_range(dates: Iterable[object]) -> tuple[date | None, date | None]:
    """The first and last of the schedule's day dates (the conference days), if it states them."""
    days = sorted({date.fromisoformat(d[:10]) for d in dates if isinstance(d, str) and len(d) >= 10})
    return (days[0], days[-1]) if days else (None, None)


def _zone_for(offsets: set[timedelta]) -> str:
    """A fixed-offset IANA zone for an XML that states only offsets (Etc/GMT has inverted signs)."""
    offset = next(iter(offsets))
    hours = int(offset.total_seconds() // 3600)
    return "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


def export_json(programme: Programme) -> dict[str, Any]:
    """A frab-compatible ``schedule.json``; each event's ``id`` is the talk id."""
    conf = programme.conference
    tz = programme.tz
    days = []
    for index, day in enumerate(programme.days(), 1):
        rooms: dict[str, list[dict[str, Any]]] = {r.name: [] for r in conf.rooms}
        for talk in programme.talks:
            if talk.start is None or talk.start.astimezone(tz).date() != day:
                continue
            room = programme.room(talk.room)
            minutes = int((talk.end - talk.start).total_seconds() // 60) if talk.end else 0
            track = programme.track(talk.track)
            rooms.setdefault(room.name if room else (talk.room or ""), []).append(
                {
                    "id": talk.id,
                    "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"confbot:{conf.id}:{talk.id}")),
                    "date": talk.start.astimezone(tz).isoformat(),
                    "start": talk.start.astimezone(tz).strftime("%H:%M"),
                    "duration": f"{minutes // 60:02d}:{minutes % 60:02d}",
                    "room": room.name if room else talk.room,
                    "slug": f"{conf.id}-{talk.id}",
                    "title": talk.title,
                    "subtitle": talk.title_en or "",
                    "track": track.name if track else None,
                    "type": talk.kind,
                    "language": talk.language or "zh",
                    "abstract": talk.abstract,
                    "description": "\n".join(talk.outline),
                    "persons": [
                        {"id": s.id, "public_name": s.name, "biography": s.bio} for s in programme.speakers_of(talk)
                    ],
                    "links": [{"url": u, "title": u} for u in talk.links],
                    "do_not_record": False,
                }
            )
        days.append({"index": index, "date": day.isoformat(), "rooms": rooms})
    return {
        "schedule": {
            "version": "confbot",
            "conference": {
                "acronym": conf.id,
                "title": conf.name,
                "time_zone_name": conf.timezone,
                "start": days[0]["date"] if days else None,
                "end": days[-1]["date"] if days else None,
                "daysCount": len(days),
                "days": days,
            },
        }
    }
